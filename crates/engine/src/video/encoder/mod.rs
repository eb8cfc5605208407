//! A video encoder session (https://w3c.github.io/webcodecs/#videoencoder-interface):
//! frames in, encoded chunks out, with the decoder config each chunk needs.

mod backend;
mod chunk;
mod config;
mod ffmpeg;

use std::sync::Arc;

use ffmpeg_next::format::Pixel;
use ffmpeg_next::{encoder, frame, picture, Codec, Packet};

use self::backend::Backend;
use self::chunk::Packager;
pub(crate) use self::ffmpeg::FfmpegEncoder;
use self::ffmpeg::QuantizerControl;
use crate::ffi::frame::wrap_planes;
use crate::ffi::swscale::{scale_into, Scaler};
use crate::session::{exchange, open_first, Session};
use crate::video::convert::sws_matrix;
use crate::video::{ColorSpace, FrameBuffer, Rect};
use crate::{EngineError, Keepalive, Result};

pub use config::{
    AlphaOption, AvcBitstreamFormat, BitrateMode, BitstreamFormat, EncodedPacket, HevcBitstreamFormat, LatencyMode,
    ScalabilityMode, VideoEncoderConfig, VideoFrameInput,
};

/// A running encoder. After a flush the FFmpeg encoder is closed; the next frame opens a
/// fresh one (which starts with a key frame, as the spec requires after a flush).
pub struct VideoEncoder {
    ffmpeg: FfmpegEncoder,
    codec: Codec,
    pixel: Pixel,
    encoder: Option<Backend>,
    quantizer: Option<u32>,
    frames_in: u64,
    scaler: Option<((Pixel, u32, u32), Scaler)>,
    packager: Packager,
}

impl Drop for VideoEncoder {
    fn drop(&mut self) {
        self.close_encoder();
    }
}

impl Session for VideoEncoder {
    type Config = VideoEncoderConfig;
    type Input = VideoFrameInput;
    type Output = EncodedPacket;

    fn open(config: VideoEncoderConfig) -> Result<Self> {
        let (scalability, pixel) = config.validate()?;
        let mut order = config.codec.ffmpeg_codecs().0.to_vec();
        if config.bitrate_mode == BitrateMode::Quantizer {
            // An encoder that takes every frame's quantizer comes before one that keeps the first.
            order.sort_by_key(|e| e.quantizer_control() == QuantizerControl::PerSession);
        }
        if config.latency_mode == LatencyMode::Realtime {
            // A live pipeline awaits each chunk before the next frame: an encoder that
            // holds frames even in its low-delay mode comes last.
            order.sort_by_key(|e| e.holds_frames_when_realtime());
        }
        let candidates = order.into_iter().map(|e| (e.name(), e));
        let (ffmpeg, codec, encoder, quantizer) =
            open_first("encode", &config.codec, candidates, encoder::find_by_name, |ffmpeg, codec| {
                let pixel = (pixel, &ColorSpace::rec709());
                let name = ffmpeg.name();
                if let Some(why) = ffmpeg.unsafe_to_open(&config) {
                    return Err(why.to_owned().into());
                }
                if let Some(mode) = scalability {
                    if !ffmpeg.has_temporal_layers() {
                        return Err(format!("{name} cannot produce {mode:?}").into());
                    }
                }
                let formats = codec.video().ok().and_then(|v| v.formats());
                if !formats.is_none_or(|mut f| f.any(|p| p == pixel.0)) {
                    return Err(format!("{name} does not take {:?}", pixel.0).into());
                }
                let quantizer = (config.bitrate_mode == BitrateMode::Quantizer).then_some(ffmpeg.default_quantizer());
                let encoder = ffmpeg.open(&config, codec, pixel, quantizer).map_err(|e| format!("{name}: {e}"))?;
                Ok((ffmpeg, codec, encoder, quantizer))
            })?;
        Ok(Self {
            ffmpeg,
            codec,
            pixel,
            encoder: Some(encoder),
            quantizer,
            frames_in: 0,
            scaler: None,
            packager: Packager::new(config, scalability),
        })
    }

    /// Encodes the input's rect (a frame's visible rect), scaled to the configured size,
    /// and emits the chunks the encoder has ready.
    fn push(&mut self, input: VideoFrameInput, sink: &mut dyn FnMut(EncodedPacket)) -> Result<()> {
        let frame: &FrameBuffer = (*input.pixels).as_ref();
        let rect = input.rect;
        if u64::from(rect.x) + u64::from(rect.width) > u64::from(frame.coded_width)
            || u64::from(rect.y) + u64::from(rect.height) > u64::from(frame.coded_height)
            || rect.width == 0
            || rect.height == 0
        {
            return Err(EngineError::type_error("visible rect lies outside the frame"));
        }
        rect.check_alignment(frame.format)?;
        let quantizer = input.quantizer.filter(|_| self.config().bitrate_mode == BitrateMode::Quantizer);
        let quantizer = quantizer.map(|q| self.ffmpeg.library_quantizer(q));
        let control = self.ffmpeg.quantizer_control();
        if quantizer.is_some() && quantizer != self.quantizer {
            match control {
                // A wrapper that reads a quantizer only when it opens takes the first frame's.
                QuantizerControl::PerSession if self.frames_in > 0 => {}
                QuantizerControl::PerSession => {
                    self.quantizer = quantizer;
                    self.close_encoder();
                }
                _ => self.quantizer = quantizer,
            }
        }
        if input.key_frame && self.frames_in > 0 && self.ffmpeg.ignores_key_requests() {
            self.finish(sink)?;
        }
        // The bitstream describes the colour of the first frame of each encoder session.
        let color = input.color_space.encoded_for(frame.format);
        if self.frames_in == 0 && color != self.packager.color_space {
            self.packager.color_space = color;
            self.scaler = None;
            self.close_encoder();
        }
        // The input's shared pixels keep the planes alive while FFmpeg reads them in place.
        let keepalive: Keepalive = Arc::new(input.pixels.clone());
        let mut av = self.convert(frame, &keepalive, rect)?;
        self.packager.orientation = input.orientation;
        let key = input.key_frame || self.frames_in == 0;
        let pts = self.packager.input(input.timestamp, input.duration, key);
        av.set_pts(Some(pts));
        av.set_kind(if key { picture::Type::I } else { picture::Type::None });
        self.frames_in += 1;
        if let Some(q) = self.quantizer.filter(|_| control != QuantizerControl::PerSession) {
            self.opened()?.0.quantize(control, q, &mut av)?;
        }
        let (enc, packager) = self.opened()?;
        exchange(enc, Some(&av), |packet| {
            sink(packager.chunk(&packet)?);
            Ok(())
        })
    }

    /// Drains every pending chunk; the next frame starts a new encoder (a key frame).
    fn flush(&mut self, sink: &mut dyn FnMut(EncodedPacket)) -> Result<()> {
        self.finish(sink)?;
        self.packager.clear();
        Ok(())
    }
}

impl VideoEncoder {
    /// The FFmpeg encoder in use.
    pub fn encoder_name(&self) -> &'static str {
        self.ffmpeg.name()
    }

    pub fn config(&self) -> &VideoEncoderConfig {
        &self.packager.config
    }

    /// Drains the FFmpeg encoder to its end and drops it (an encoder takes no frames after
    /// EOF), unless it has had no frames.
    fn finish(&mut self, sink: &mut dyn FnMut(EncodedPacket)) -> Result<()> {
        if self.frames_in == 0 {
            return Ok(());
        }
        if let Some(enc) = self.encoder.as_mut() {
            exchange(enc, None, |packet| {
                sink(self.packager.chunk(&packet)?);
                Ok(())
            })?;
        }
        self.encoder = None;
        self.frames_in = 0;
        Ok(())
    }

    /// Drops the FFmpeg encoder. SVT-AV1's deinit waits forever for the end of a stream
    /// that it was never sent, and an end-of-stream with no picture before it waits too:
    /// give it a picture if it had none, the end, and drain before FFmpeg frees the
    /// context. Other encoders free promptly as they are.
    fn close_encoder(&mut self) {
        let Some(mut backend) = self.encoder.take() else { return };
        let Some(enc) = backend.ffmpeg().filter(|_| self.ffmpeg.must_end_before_free()) else { return };
        if self.frames_in == 0 {
            let config = self.config();
            let mut blank = frame::Video::new(self.pixel, config.width, config.height);
            blank.set_pts(Some(0));
            let _ = enc.send_frame(&blank);
        }
        if enc.send_eof().is_ok() {
            let mut packet = Packet::empty();
            while enc.receive_packet(&mut packet).is_ok() {}
        }
    }

    /// The FFmpeg encoder, opened again after a flush, and the packager for its packets.
    fn opened(&mut self) -> Result<(&mut Backend, &mut Packager)> {
        if self.encoder.is_none() {
            let config = &self.packager.config;
            let enc = self
                .ffmpeg
                .open(config, self.codec, (self.pixel, &self.packager.color_space), self.quantizer)
                .map_err(|e| EngineError::encoding(format!("reopening {}: {e}", self.ffmpeg.name())))?;
            self.encoder = Some(enc);
        }
        let enc = self.encoder.as_mut().ok_or_else(|| EngineError::encoding("no encoder"))?;
        Ok((enc, &mut self.packager))
    }

    /// The input frame in the encoder's pixel format and size: `frame` itself, read in
    /// place, when it already is; else scaled into a new frame.
    fn convert(&mut self, frame: &FrameBuffer, keepalive: &Keepalive, rect: Rect) -> Result<frame::Video> {
        let (w, h) = (self.packager.config.width, self.packager.config.height);
        let whole = rect == Rect::of_size(frame.coded_width, frame.coded_height);
        if whole && frame.format.to_av() == Some(self.pixel) && (frame.coded_width, frame.coded_height) == (w, h) {
            return wrap_planes(frame, self.pixel, keepalive);
        }
        // FFmpeg has no 4:2:0 12-bit layout with alpha: read the colour planes alone.
        let format = frame.format;
        let src_av = format
            .to_av()
            .or_else(|| format.without_alpha().to_av())
            .ok_or_else(|| EngineError::not_supported(format!("cannot encode {} frames", format.as_str())))?;
        let key = (src_av, rect.width, rect.height);
        if self.scaler.as_ref().is_none_or(|(k, _)| *k != key) {
            // Bicubic, as FFmpeg's own default: from RGB its chroma keeps 1.5 dB more
            // (PSNR in RGB after decoding, x264 at 3 Mbps, 720p) than bilinear.
            let flags = ffmpeg_next::ffi::SWS_BICUBIC;
            let mut scaler = Scaler::new(key, (self.pixel, w, h), flags)?;
            // RGB becomes YUV with the matrix and range the bitstream declares.
            if format.is_rgb() {
                let written = &self.packager.color_space;
                scaler.set_colorspace(sws_matrix(written.matrix), true, written.full_range.unwrap_or(false));
            }
            self.scaler = Some((key, scaler));
        }
        let Some((_, scaler)) = self.scaler.as_mut() else {
            return Err(EngineError::encoding("no scaler"));
        };
        let mut av = frame::Video::new(self.pixel, w, h);
        scale_into(scaler, frame, rect, &mut av);
        Ok(av)
    }
}
