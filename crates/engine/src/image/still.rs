//! Still images FFmpeg decodes from one packet holding the whole file (JPEG through
//! `mjpeg`, baseline and progressive; BMP), as its image2 demuxer would hand them over.

use std::sync::Arc;

use ffmpeg_next::{codec, decoder, frame, Packet};

use super::{FrameSource, Pixels, RawFrame, TrackInfo, MAX_PIXELS};
use crate::session::exchange;
use crate::{EngineError, Result};

pub(super) struct StillSource {
    frame: Option<frame::Video>,
    keep_yuv: bool,
}

/// Whether this FFmpeg has the decoder (what `isTypeSupported` answers from).
pub(super) fn available(name: &str) -> bool {
    decoder::find_by_name(name).is_some()
}

impl StillSource {
    pub fn open(decoder_name: &str, data: Arc<[u8]>, keep_yuv: bool) -> Result<Self> {
        let codec = decoder::find_by_name(decoder_name)
            .ok_or_else(|| EngineError::not_supported(format!("this FFmpeg has no {decoder_name} decoder")))?;
        let ctx = codec::Context::new_with_codec(codec);
        let mut decoder = ctx.decoder().open_as(codec).and_then(|d| d.video())?;
        let packet = Packet::copy(&data);
        let mut decoded = None;
        exchange(&mut decoder, Some(&packet), |f| {
            decoded.get_or_insert(f);
            Ok(())
        })?;
        if decoded.is_none() {
            exchange(&mut decoder, None, |f| {
                decoded.get_or_insert(f);
                Ok(())
            })?;
        }
        let frame = decoded.ok_or_else(|| EngineError::encoding(format!("{decoder_name}: no image in the data")))?;
        Self::from_frame(decoder_name, frame, keep_yuv)
    }

    /// A decoded image, checked for a usable size.
    pub fn from_frame(what: &str, frame: frame::Video, keep_yuv: bool) -> Result<Self> {
        let pixels = u64::from(frame.width()) * u64::from(frame.height());
        if pixels == 0 || pixels > MAX_PIXELS {
            return Err(EngineError::encoding(format!("{what}: unusable image size")));
        }
        Ok(Self { frame: Some(frame), keep_yuv })
    }
}

impl FrameSource for StillSource {
    fn track(&self) -> TrackInfo {
        TrackInfo::still()
    }

    fn next_frame(&mut self) -> Result<Option<RawFrame>> {
        let keep_yuv = self.keep_yuv;
        Ok(self.frame.take().map(|frame| RawFrame { pixels: Pixels::Av { frame, keep_yuv }, duration_us: None }))
    }
}
