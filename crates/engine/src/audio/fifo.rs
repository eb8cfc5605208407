//! FFmpeg audio frames to and from `AudioBuffer`s, and the queue that re-chunks samples
//! into whole codec frames.

use ffmpeg_next::{frame, ChannelLayout};

use super::{default_layout, AudioBuffer, SampleFormat};
use crate::ffi::frame::{plane, plane_mut};
use crate::{EngineError, Result};

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
        let dst = plane_mut(&mut av, i, plane_len).ok_or_else(|| EngineError::encoding("out of memory"))?;
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
        let plane = plane(frame, i, frames * unit).ok_or_else(|| EngineError::encoding("truncated frame"))?;
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
            let plane = plane(frame, i, bytes).ok_or_else(|| EngineError::encoding("resampler output"))?;
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
            let dst =
                plane_mut(&mut av, i, size.max(count) * unit).ok_or_else(|| EngineError::encoding("out of memory"))?;
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
