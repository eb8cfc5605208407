//! Audio encoder and decoder sessions over FFmpeg (https://w3c.github.io/webcodecs/#audioencoder-interface,
//! https://w3c.github.io/webcodecs/#audiodecoder-interface). Like the video sessions, a
//! session owns its FFmpeg context and starts no threads; the binding runs each on its
//! worker.
//!
//! Codec delay: encoders start every stream with the codec's priming samples (Opus
//! pre-skip, AAC and MP3 encoder delay) and stamp chunks from the first input's timestamp
//! onwards; decoders drop the priming at the start of each stream and shift their output
//! back by it, so that decode(encode(x)) starts with x's first sample at x's timestamp.

use ffmpeg_next::{frame, ChannelLayout};

use crate::audio::{AudioBuffer, SampleFormat};
use crate::{EngineError, Result};

mod codec_string;
pub mod decoder;
pub mod encoder;
mod libopus;
mod raw;

pub use codec_string::{parse_audio_codec, AudioCodec, PcmFormat};
pub use decoder::{AudioDecoder, AudioDecoderConfig, DecodedAudio};
pub use encoder::{
    AacFormat, AudioEncoder, AudioEncoderConfig, BitrateMode, EncodedAudioPacket, OpusEncoderConfig, OpusFormat,
};

/// `floor(samples / rate)` in microseconds: sample-exact timestamps that never drift.
pub(crate) fn samples_to_us(samples: i64, rate: u32) -> i64 {
    let us = (i128::from(samples) * 1_000_000).div_euclid(i128::from(rate.max(1)));
    i64::try_from(us).unwrap_or(if us < 0 { i64::MIN } else { i64::MAX })
}

/// FFmpeg's default layout for `channels` (front left/right first, as WebCodecs orders
/// channels); `NotSupported` for counts FFmpeg has no layout for.
pub(crate) fn default_layout(channels: usize) -> Result<ChannelLayout> {
    let layout = i32::try_from(channels).ok().map(ChannelLayout::default).filter(|l| !l.is_empty());
    layout.ok_or_else(|| EngineError::not_supported(format!("{channels} channels are not supported")))
}

/// Bytes of one sample of one plane: one channel when planar, every channel when packed.
fn plane_unit(format: ffmpeg_next::format::Sample, channels: usize) -> usize {
    if format.is_planar() {
        format.bytes()
    } else {
        format.bytes() * channels
    }
}

fn plane_count(format: ffmpeg_next::format::Sample, channels: usize) -> usize {
    if format.is_planar() {
        channels
    } else {
        1
    }
}

/// An FFmpeg frame holding a copy of `buffer`'s samples.
pub(crate) fn frame_from_buffer(buffer: &AudioBuffer, rate: u32) -> Result<frame::Audio> {
    let format = buffer.format.to_av();
    let (frames, channels) = (buffer.number_of_frames, buffer.number_of_channels);
    let mut av = frame::Audio::new(format, frames, default_layout(channels)?);
    av.set_rate(rate);
    let plane_len = frames * plane_unit(format, channels);
    for (i, src) in buffer.samples().chunks_exact(plane_len).take(plane_count(format, channels)).enumerate() {
        let dst = raw::plane_mut(&mut av, i, plane_len).ok_or_else(|| EngineError::encoding("out of memory"))?;
        dst.copy_from_slice(src);
    }
    Ok(av)
}

/// The samples `skip..end` of `frame` (`end` clamped to its length), as an `AudioBuffer`
/// in the same layout; `None` when that is empty. `frame` must be in a WebCodecs sample
/// format.
pub(crate) fn buffer_from_frame(frame: &frame::Audio, skip: usize, end: usize) -> Result<Option<AudioBuffer>> {
    let format = SampleFormat::from_av(frame.format())
        .ok_or_else(|| EngineError::encoding(format!("unexpected sample format {:?}", frame.format())))?;
    let (frames, channels) = (frame.samples(), usize::from(frame.channels()));
    let end = end.min(frames);
    if skip >= end {
        return Ok(None);
    }
    if channels == 0 || frame.rate() == 0 {
        return Err(EngineError::encoding("decoder produced audio without channels or rate"));
    }
    let unit = plane_unit(frame.format(), channels);
    let mut bytes = Vec::with_capacity((end - skip) * unit * plane_count(frame.format(), channels));
    for i in 0..plane_count(frame.format(), channels) {
        let plane = raw::plane(frame, i, frames * unit).ok_or_else(|| EngineError::encoding("truncated frame"))?;
        bytes.extend_from_slice(&plane[skip * unit..end * unit]);
    }
    AudioBuffer::new(format, frame.rate() as f32, end - skip, channels, Box::new(bytes)).map(Some)
}

/// Samples waiting for a whole codec frame, in the encoder's format: one byte queue per
/// plane.
pub(crate) struct SampleFifo {
    format: ffmpeg_next::format::Sample,
    channels: usize,
    planes: Vec<Vec<u8>>,
    len: usize,
}

impl SampleFifo {
    pub fn new(format: ffmpeg_next::format::Sample, channels: usize) -> Self {
        Self { format, channels, planes: vec![Vec::new(); plane_count(format, channels)], len: 0 }
    }

    /// Samples queued.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Appends every sample of `frame` (which must have the queue's format and channels).
    pub fn push(&mut self, frame: &frame::Audio) -> Result<()> {
        let bytes = frame.samples() * plane_unit(self.format, self.channels);
        for (i, queue) in self.planes.iter_mut().enumerate() {
            let plane = raw::plane(frame, i, bytes).ok_or_else(|| EngineError::encoding("resampler output"))?;
            queue.extend_from_slice(plane);
        }
        self.len += frame.samples();
        Ok(())
    }

    /// Takes the first `count` samples (at most `len()`) as a frame of `size >= count`
    /// samples, the rest silence.
    pub fn pop(&mut self, count: usize, size: usize, layout: ChannelLayout, rate: u32) -> Result<frame::Audio> {
        let count = count.min(self.len);
        let unit = plane_unit(self.format, self.channels);
        let mut av = frame::Audio::new(self.format, size.max(count), layout);
        av.set_rate(rate);
        let silence = if matches!(self.format, ffmpeg_next::format::Sample::U8(_)) { 0x80 } else { 0 };
        for (i, queue) in self.planes.iter_mut().enumerate() {
            let dst = raw::plane_mut(&mut av, i, size.max(count) * unit)
                .ok_or_else(|| EngineError::encoding("out of memory"))?;
            dst[..count * unit].copy_from_slice(&queue[..count * unit]);
            dst[count * unit..].fill(silence);
            queue.drain(..count * unit);
        }
        self.len -= count;
        Ok(av)
    }

    pub fn clear(&mut self) {
        self.planes.iter_mut().for_each(Vec::clear);
        self.len = 0;
    }
}

#[cfg(test)]
mod tests;
