//! GIF (GIF89a): frames through the `gif` crate, composited on our canvas. The loop count
//! is the NETSCAPE2.0 extension's: absent means the animation plays once.

use std::io::Cursor;
use std::sync::Arc;

use gif::{ColorOutput, DecodeOptions, DisposalMethod, MemoryLimit, Repeat};

use super::compose::{Blend, Canvas, Dispose, Patch};
use super::{FrameSource, Pixels, RawFrame, TrackInfo, MAX_PIXELS};
use crate::{EngineError, Result};

type Reader = gif::Decoder<Cursor<Arc<[u8]>>>;

pub(super) struct GifSource {
    reader: Reader,
    canvas: Canvas,
    track: TrackInfo,
}

fn options(skip_decoding: bool) -> DecodeOptions {
    let mut options = DecodeOptions::new();
    options.set_color_output(ColorOutput::RGBA);
    options.set_memory_limit(MemoryLimit::Bytes(std::num::NonZeroU64::MIN.saturating_add(MAX_PIXELS * 4)));
    options.skip_frame_decoding(skip_decoding);
    options
}

fn failed(e: gif::DecodingError) -> EngineError {
    EngineError::encoding(format!("GIF: {e}"))
}

impl GifSource {
    pub fn open(data: Arc<[u8]>) -> Result<Self> {
        let track = scan(data.clone())?;
        let reader = options(false).read_info(Cursor::new(data)).map_err(failed)?;
        let (width, height) = (u32::from(reader.width()), u32::from(reader.height()));
        if width == 0 || height == 0 || u64::from(width) * u64::from(height) > MAX_PIXELS {
            return Err(EngineError::encoding(format!("GIF: unusable screen size {width}x{height}")));
        }
        Ok(Self { reader, canvas: Canvas::new(width, height), track })
    }
}

/// Counts the frames without decoding their pixels; the loop count comes with them.
/// Frames cut off by the end of the data are not counted.
fn scan(data: Arc<[u8]>) -> Result<TrackInfo> {
    let mut reader = options(true).read_info(Cursor::new(data)).map_err(failed)?;
    let mut frames = 0u32;
    while let Ok(Some(_)) = reader.read_next_frame() {
        frames += 1;
    }
    let repetition_count = match reader.repeat() {
        Repeat::Infinite => f64::INFINITY,
        Repeat::Finite(n) if frames > 1 => f64::from(n),
        Repeat::Finite(_) => 0.0,
    };
    Ok(TrackInfo { animated: frames > 1, frame_count: frames, repetition_count })
}

impl FrameSource for GifSource {
    fn track(&self) -> TrackInfo {
        self.track
    }

    fn next_frame(&mut self) -> Result<Option<RawFrame>> {
        let Some(frame) = self.reader.read_next_frame().map_err(failed)? else { return Ok(None) };
        let dispose = match frame.dispose {
            DisposalMethod::Background => Dispose::Background,
            DisposalMethod::Previous => Dispose::Previous,
            DisposalMethod::Any | DisposalMethod::Keep => Dispose::None,
        };
        // Transparent pixels come out with alpha 0 and leave the canvas as it was.
        self.canvas.draw(&Patch {
            x: u32::from(frame.left),
            y: u32::from(frame.top),
            width: u32::from(frame.width),
            height: u32::from(frame.height),
            rgba: &frame.buffer,
            blend: Blend::Over,
            dispose,
        });
        let duration_us = i64::from(frame.delay) * 10_000;
        let (width, height) = (u32::from(self.reader.width()), u32::from(self.reader.height()));
        let pixels = Pixels::Rgba { width, height, data: self.canvas.pixels().to_vec() };
        Ok(Some(RawFrame { pixels, duration_us: Some(duration_us) }))
    }
}
