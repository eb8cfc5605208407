//! PNG and APNG through the `png` crate; APNG frames composited on our canvas. The
//! default image is the animation's first frame only when an `fcTL` precedes it.

use std::io::Cursor;
use std::sync::Arc;

use png::{BlendOp, ColorType, DisposeOp, Transformations};

use super::compose::{Blend, Canvas, Dispose, Patch};
use super::{FrameSource, Pixels, RawFrame, TrackInfo, MAX_PIXELS};
use crate::{EngineError, Result};

type Reader = png::Reader<Cursor<Arc<[u8]>>>;

pub(super) struct PngSource {
    reader: Reader,
    canvas: Option<Canvas>,
    track: TrackInfo,
    buffer: Vec<u8>,
    frames_left: u32,
}

fn failed(e: png::DecodingError) -> EngineError {
    EngineError::encoding(format!("PNG: {e}"))
}

impl PngSource {
    pub fn open(data: Arc<[u8]>) -> Result<Self> {
        let mut decoder = png::Decoder::new(Cursor::new(data));
        // As browsers do (Chromium tells libpng to use data with bad CRCs quietly).
        decoder.ignore_checksums(true);
        decoder.set_transformations(Transformations::normalize_to_color8());
        let reader = decoder.read_info().map_err(failed)?;
        let info = reader.info();
        let (width, height) = (info.width, info.height);
        if u64::from(width) * u64::from(height) > MAX_PIXELS {
            return Err(EngineError::encoding("PNG: image too large"));
        }
        let animation = info.animation_control.filter(|a| a.num_frames > 0);
        // The default image counts as a frame of the animation only with an fcTL of its own.
        let default_in_animation = info.frame_control.is_some();
        let track = match animation {
            Some(a) => TrackInfo {
                animated: a.num_frames > 1,
                frame_count: a.num_frames,
                repetition_count: if a.num_plays == 0 { f64::INFINITY } else { f64::from(a.num_plays - 1) },
            },
            None => TrackInfo::still(),
        };
        let buffer = vec![0; reader.output_buffer_size().ok_or_else(|| EngineError::encoding("PNG: too large"))?];
        let mut source = Self {
            canvas: animation.map(|_| Canvas::new(width, height)),
            frames_left: track.frame_count,
            reader,
            track,
            buffer,
        };
        if animation.is_some() && !default_in_animation {
            // The default image is a fallback for viewers without APNG: skip it.
            source.reader.next_frame(&mut source.buffer).map_err(failed)?;
        }
        Ok(source)
    }

    /// The frame just decoded, as RGBA rows of its own width.
    fn rgba(&mut self, width: u32, height: u32) -> Result<Vec<u8>> {
        let (color, _) = self.reader.output_color_type();
        let pixels = width as usize * height as usize;
        let channels = color.samples();
        if self.buffer.len() < pixels * channels {
            return Err(EngineError::encoding("PNG: frame larger than the image"));
        }
        if color == ColorType::Rgba && self.canvas.is_none() {
            // A still RGBA image: its buffer is the frame, no copy.
            let mut data = std::mem::take(&mut self.buffer);
            data.truncate(pixels * 4);
            return Ok(data);
        }
        let src = &self.buffer[..pixels * channels];
        let mut out = vec![255u8; pixels * 4];
        let dst = out.chunks_exact_mut(4);
        match color {
            ColorType::Grayscale => dst.zip(src).for_each(|(d, &g)| d[..3].fill(g)),
            ColorType::GrayscaleAlpha => dst.zip(src.chunks_exact(2)).for_each(|(d, s)| {
                d[..3].fill(s[0]);
                d[3] = s[1];
            }),
            ColorType::Rgb => dst.zip(src.chunks_exact(3)).for_each(|(d, s)| d[..3].copy_from_slice(s)),
            _ => out.copy_from_slice(&src[..pixels * 4]),
        }
        Ok(out)
    }
}

impl FrameSource for PngSource {
    fn track(&self) -> TrackInfo {
        self.track
    }

    fn next_frame(&mut self) -> Result<Option<RawFrame>> {
        if self.frames_left == 0 {
            return Ok(None);
        }
        self.reader.next_frame(&mut self.buffer).map_err(failed)?;
        self.frames_left -= 1;
        let info = self.reader.info();
        let (width, height) = (info.width, info.height);
        let Some(control) = info.frame_control.filter(|_| self.canvas.is_some()) else {
            let data = self.rgba(width, height)?;
            return Ok(Some(RawFrame { pixels: Pixels::Rgba { width, height, data }, duration_us: None }));
        };
        let rgba = self.rgba(control.width, control.height)?;
        let first_frame = self.frames_left + 1 == self.track.frame_count;
        let dispose = match control.dispose_op {
            DisposeOp::None => Dispose::None,
            DisposeOp::Background => Dispose::Background,
            // The first frame has nothing to go back to: cleared instead (the APNG spec).
            DisposeOp::Previous if first_frame => Dispose::Background,
            DisposeOp::Previous => Dispose::Previous,
        };
        let blend = if control.blend_op == BlendOp::Over { Blend::Over } else { Blend::Source };
        let patch = Patch {
            x: control.x_offset,
            y: control.y_offset,
            width: control.width,
            height: control.height,
            rgba: &rgba,
            blend,
            dispose,
        };
        let canvas = self.canvas.as_mut().ok_or_else(|| EngineError::encoding("PNG: no canvas"))?;
        canvas.draw(&patch);
        let den = if control.delay_den == 0 { 100 } else { i64::from(control.delay_den) };
        let duration_us = i64::from(control.delay_num) * 1_000_000 / den;
        let data = canvas.pixels().to_vec();
        Ok(Some(RawFrame { pixels: Pixels::Rgba { width, height, data }, duration_us: Some(duration_us) }))
    }
}
