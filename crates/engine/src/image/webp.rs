//! Animated WebP through `image-webp`, which composites the frames itself: FFmpeg 5.1's
//! WebP decoder has no animation (still WebP goes to FFmpeg, see `still`).

use std::io::Cursor;
use std::sync::Arc;

use image_webp::{LoopCount, WebPDecoder};

use super::{FrameSource, Pixels, RawFrame, TrackInfo, MAX_PIXELS};
use crate::{EngineError, Result};

pub(super) struct WebpSource {
    decoder: WebPDecoder<Cursor<Arc<[u8]>>>,
    track: TrackInfo,
    next: u32,
}

fn failed(e: image_webp::DecodingError) -> EngineError {
    EngineError::encoding(format!("WebP: {e}"))
}

/// Whether a WebP file is animated: its VP8X chunk (the first, right after the RIFF
/// header) has the animation flag.
pub(super) fn is_animated(data: &[u8]) -> bool {
    data.len() > 20 && &data[12..16] == b"VP8X" && data[20] & 0x02 != 0
}

impl WebpSource {
    pub fn open(data: Arc<[u8]>) -> Result<Self> {
        let mut decoder = WebPDecoder::new(Cursor::new(data)).map_err(failed)?;
        let (width, height) = decoder.dimensions();
        if u64::from(width) * u64::from(height) > MAX_PIXELS {
            return Err(EngineError::encoding("WebP: image too large"));
        }
        decoder.set_memory_limit(usize::try_from(MAX_PIXELS * 8).unwrap_or(usize::MAX));
        let track = if decoder.is_animated() {
            // The loop count is how many times the animation plays, 0 for ever;
            // repetitionCount counts the plays after the first.
            let repetition_count = match decoder.loop_count() {
                LoopCount::Forever => f64::INFINITY,
                LoopCount::Times(n) => f64::from(n.get() - 1),
            };
            TrackInfo { animated: decoder.num_frames() > 1, frame_count: decoder.num_frames(), repetition_count }
        } else {
            TrackInfo::still()
        };
        Ok(Self { decoder, track, next: 0 })
    }
}

impl FrameSource for WebpSource {
    fn track(&self) -> TrackInfo {
        self.track
    }

    fn next_frame(&mut self) -> Result<Option<RawFrame>> {
        if self.next >= self.track.frame_count {
            return Ok(None);
        }
        let size = self.decoder.output_buffer_size().ok_or_else(|| EngineError::encoding("WebP: too large"))?;
        let mut buffer = vec![0; size];
        let duration_us = if self.decoder.is_animated() {
            Some(i64::from(self.decoder.read_frame(&mut buffer).map_err(failed)?) * 1000)
        } else {
            self.decoder.read_image(&mut buffer).map_err(failed)?;
            None
        };
        self.next += 1;
        let (width, height) = self.decoder.dimensions();
        let data = if self.decoder.has_alpha() {
            buffer
        } else {
            buffer.chunks_exact(3).flat_map(|px| [px[0], px[1], px[2], 255]).collect()
        };
        Ok(Some(RawFrame { pixels: Pixels::Rgba { width, height, data }, duration_us }))
    }
}
