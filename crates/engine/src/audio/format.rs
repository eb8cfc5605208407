//! Audio sample formats and the native storage behind an `AudioData`
//! (https://w3c.github.io/webcodecs/#audio-sample-formats).

use crate::{Bytes, EngineError, IdlEnum, Result};

crate::idl_enum!(
    /// `AudioSampleFormat`.
    pub enum SampleFormat = "AudioSampleFormat" {
        U8 = "u8",
        S16 = "s16",
        S32 = "s32",
        F32 = "f32",
        U8Planar = "u8-planar",
        S16Planar = "s16-planar",
        S32Planar = "s32-planar",
        F32Planar = "f32-planar",
    }
);

impl SampleFormat {
    pub fn bytes_per_sample(self) -> usize {
        match self {
            Self::U8 | Self::U8Planar => 1,
            Self::S16 | Self::S16Planar => 2,
            Self::S32 | Self::S32Planar | Self::F32 | Self::F32Planar => 4,
        }
    }

    pub fn is_planar(self) -> bool {
        matches!(self, Self::U8Planar | Self::S16Planar | Self::S32Planar | Self::F32Planar)
    }

    /// FFmpeg's sample format with the same layout.
    pub fn to_av(self) -> ffmpeg_next::format::Sample {
        use ffmpeg_next::format::sample::{Sample, Type};
        let kind = if self.is_planar() { Type::Planar } else { Type::Packed };
        match self {
            Self::U8 | Self::U8Planar => Sample::U8(kind),
            Self::S16 | Self::S16Planar => Sample::I16(kind),
            Self::S32 | Self::S32Planar => Sample::I32(kind),
            Self::F32 | Self::F32Planar => Sample::F32(kind),
        }
    }

    /// The WebCodecs format with FFmpeg's `format` layout, if there is one.
    pub fn from_av(format: ffmpeg_next::format::Sample) -> Option<Self> {
        Self::all().find(|f| f.to_av() == format)
    }

    /// Reads sample `index` of `bytes` as a float in [-1, 1] (integers scaled by 2^(bits-1)).
    fn read(self, bytes: &[u8], index: usize) -> f64 {
        let n = self.bytes_per_sample();
        let b = &bytes[index * n..index * n + n];
        match self {
            Self::U8 | Self::U8Planar => (f64::from(b[0]) - 128.0) / 128.0,
            Self::S16 | Self::S16Planar => f64::from(i16::from_le_bytes([b[0], b[1]])) / 32768.0,
            Self::S32 | Self::S32Planar => f64::from(i32::from_le_bytes([b[0], b[1], b[2], b[3]])) / 2_147_483_648.0,
            Self::F32 | Self::F32Planar => f64::from(f32::from_le_bytes([b[0], b[1], b[2], b[3]])),
        }
    }

    /// Writes `value` (nominally [-1, 1]) as sample `index` of `bytes`, rounding and
    /// clamping integers to their range.
    fn write(self, bytes: &mut [u8], index: usize, value: f64) {
        let n = self.bytes_per_sample();
        let out = &mut bytes[index * n..index * n + n];
        match self {
            Self::U8 | Self::U8Planar => out[0] = (value * 128.0 + 128.0).round().clamp(0.0, 255.0) as u8,
            Self::S16 | Self::S16Planar => {
                let v = (value * 32768.0).round().clamp(-32768.0, 32767.0) as i16;
                out.copy_from_slice(&v.to_le_bytes());
            }
            Self::S32 | Self::S32Planar => {
                let v = (value * 2_147_483_648.0).round().clamp(-2_147_483_648.0, 2_147_483_647.0) as i32;
                out.copy_from_slice(&v.to_le_bytes());
            }
            Self::F32 | Self::F32Planar => out.copy_from_slice(&(value as f32).to_le_bytes()),
        }
    }
}

/// `AudioDataCopyToOptions` after defaults: which plane, which frames, which format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CopyRequest {
    pub plane_index: usize,
    pub frame_offset: usize,
    pub frame_count: usize,
    pub format: SampleFormat,
}

/// The immutable sample memory of one or more `AudioData`s (clones share it by `Arc`).
pub struct AudioBuffer {
    pub format: SampleFormat,
    pub sample_rate: f32,
    pub number_of_frames: usize,
    pub number_of_channels: usize,
    bytes: Bytes,
    /// Bytes of `bytes` that hold samples; a lent buffer may be longer.
    len: usize,
}

/// A buffer is its own samples: what an `AudioInput` shares.
impl AsRef<AudioBuffer> for AudioBuffer {
    fn as_ref(&self) -> &AudioBuffer {
        self
    }
}

impl AudioBuffer {
    /// Validates an `AudioDataInit`'s numbers and takes `bytes`, which must hold at least
    /// frames x channels samples (any excess is ignored).
    pub fn new(format: SampleFormat, sample_rate: f32, frames: usize, channels: usize, bytes: Bytes) -> Result<Self> {
        let len = Self::check(format, sample_rate, frames, channels, bytes.bytes().len())?;
        Ok(Self { format, sample_rate, number_of_frames: frames, number_of_channels: channels, bytes, len })
    }

    /// The constructor's checks alone, for `have` bytes of data: returns the bytes the
    /// samples occupy.
    pub fn check(format: SampleFormat, sample_rate: f32, frames: usize, channels: usize, have: usize) -> Result<usize> {
        if !(sample_rate.is_finite() && sample_rate > 0.0) {
            return Err(EngineError::type_error("sampleRate must be a positive number"));
        }
        if frames == 0 {
            return Err(EngineError::type_error("numberOfFrames must be greater than 0"));
        }
        if channels == 0 {
            return Err(EngineError::type_error("numberOfChannels must be greater than 0"));
        }
        let needed = frames
            .checked_mul(channels)
            .and_then(|n| n.checked_mul(format.bytes_per_sample()))
            .ok_or_else(|| EngineError::type_error("audio data too large"))?;
        if have < needed {
            return Err(EngineError::type_error(format!("data is {have} bytes, {needed} needed")));
        }
        Ok(needed)
    }

    /// Bytes of native memory this buffer holds (what is reported to V8).
    pub fn byte_size(&self) -> usize {
        self.bytes.bytes().len()
    }

    /// The sample bytes, laid out per `format` (planar: one channel after another).
    pub fn samples(&self) -> &[u8] {
        &self.bytes.bytes()[..self.len]
    }

    /// Duration in whole microseconds, as `AudioData.duration` reports it.
    pub fn duration_us(&self) -> i64 {
        (self.number_of_frames as f64 * 1_000_000.0 / f64::from(self.sample_rate)) as i64
    }

    /// The spec's "Compute Copy Element Count" with defaults applied: validates the
    /// options and returns the request and the bytes it needs.
    pub fn plan_copy(
        &self,
        plane_index: usize,
        frame_offset: Option<usize>,
        frame_count: Option<usize>,
        format: Option<SampleFormat>,
    ) -> Result<(CopyRequest, usize)> {
        let format = format.unwrap_or(self.format);
        if !format.is_planar() && plane_index > 0 {
            return Err(EngineError::range_error("planeIndex must be 0 for an interleaved format"));
        }
        if format.is_planar() && plane_index >= self.number_of_channels {
            return Err(EngineError::range_error(format!(
                "planeIndex {plane_index} is out of range for {} channels",
                self.number_of_channels
            )));
        }
        let frame_offset = frame_offset.unwrap_or(0);
        if frame_offset >= self.number_of_frames {
            return Err(EngineError::range_error(format!(
                "frameOffset {frame_offset} is not less than {} frames",
                self.number_of_frames
            )));
        }
        let available = self.number_of_frames - frame_offset;
        let frame_count = frame_count.unwrap_or(available);
        if frame_count > available {
            return Err(EngineError::range_error(format!(
                "frameCount {frame_count} exceeds the {available} frames left"
            )));
        }
        let elements = if format.is_planar() { frame_count } else { frame_count * self.number_of_channels };
        Ok((CopyRequest { plane_index, frame_offset, frame_count, format }, elements * format.bytes_per_sample()))
    }

    /// Index of (frame, channel) in `self.bytes`, in samples.
    fn source_index(&self, frame: usize, channel: usize) -> usize {
        if self.format.is_planar() {
            channel * self.number_of_frames + frame
        } else {
            frame * self.number_of_channels + channel
        }
    }

    /// Copies and converts the samples `request` names into `dest`, which must hold the
    /// size [`AudioBuffer::plan_copy`] returned.
    pub fn copy_to(&self, request: &CopyRequest, dest: &mut [u8]) {
        let to = request.format;
        let channels: Vec<usize> =
            if to.is_planar() { vec![request.plane_index] } else { (0..self.number_of_channels).collect() };
        let frames = request.frame_offset..request.frame_offset + request.frame_count;
        let bps = to.bytes_per_sample();
        if to == self.format && to.is_planar() {
            let start = self.source_index(request.frame_offset, request.plane_index) * bps;
            dest[..request.frame_count * bps]
                .copy_from_slice(&self.samples()[start..start + request.frame_count * bps]);
            return;
        }
        if to == self.format {
            let per_frame = self.number_of_channels * bps;
            let start = request.frame_offset * per_frame;
            dest[..request.frame_count * per_frame]
                .copy_from_slice(&self.samples()[start..start + request.frame_count * per_frame]);
            return;
        }
        let mut out = 0;
        for frame in frames {
            for &channel in &channels {
                let value = self.format.read(self.samples(), self.source_index(frame, channel));
                to.write(dest, out, value);
                out += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn buffer(format: SampleFormat, frames: usize, channels: usize, bytes: Vec<u8>) -> AudioBuffer {
        AudioBuffer::new(format, 48000.0, frames, channels, Box::new(bytes)).unwrap()
    }

    fn copy(buf: &AudioBuffer, plane: usize, format: SampleFormat) -> Vec<u8> {
        let (req, size) = buf.plan_copy(plane, None, None, Some(format)).unwrap();
        let mut out = vec![0; size];
        buf.copy_to(&req, &mut out);
        out
    }

    #[test]
    fn interleaved_s16_splits_into_planes() {
        // Two frames of stereo: (L0, R0, L1, R1) = (1, 2, 3, 4).
        let bytes: Vec<u8> = [1i16, 2, 3, 4].iter().flat_map(|v| v.to_le_bytes()).collect();
        let buf = buffer(SampleFormat::S16, 2, 2, bytes);
        let right = copy(&buf, 1, SampleFormat::S16Planar);
        assert_eq!(right, [2i16, 4].iter().flat_map(|v| v.to_le_bytes()).collect::<Vec<_>>());
    }

    #[test]
    fn known_values_convert_between_formats() {
        let u8s = buffer(SampleFormat::U8, 4, 1, vec![0, 64, 128, 255]);
        let f32s: Vec<f32> =
            copy(&u8s, 0, SampleFormat::F32).chunks(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect();
        assert_eq!(f32s, vec![-1.0, -0.5, 0.0, 127.0 / 128.0]);
        let s16: Vec<i16> =
            copy(&u8s, 0, SampleFormat::S16).chunks(2).map(|c| i16::from_le_bytes([c[0], c[1]])).collect();
        assert_eq!(s16, vec![-32768, -16384, 0, 32512]);

        let floats: Vec<u8> = [1.5f32, -1.0, 0.25, -0.25].iter().flat_map(|v| v.to_le_bytes()).collect();
        let f = buffer(SampleFormat::F32Planar, 4, 1, floats);
        let s16: Vec<i16> =
            copy(&f, 0, SampleFormat::S16).chunks(2).map(|c| i16::from_le_bytes([c[0], c[1]])).collect();
        assert_eq!(s16, vec![32767, -32768, 8192, -8192]);
        let s32: Vec<i32> = copy(&f, 0, SampleFormat::S32Planar)
            .chunks(4)
            .map(|c| i32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        assert_eq!(s32, vec![i32::MAX, i32::MIN, 1 << 29, -(1 << 29)]);
        assert_eq!(copy(&f, 0, SampleFormat::U8Planar), vec![255, 0, 160, 96]);
    }

    #[test]
    fn planar_to_interleaved_interleaves() {
        let bytes: Vec<u8> = [0.1f32, 0.2, 0.3, -0.1, -0.2, -0.3].iter().flat_map(|v| v.to_le_bytes()).collect();
        let buf = buffer(SampleFormat::F32Planar, 3, 2, bytes);
        let out: Vec<f32> =
            copy(&buf, 0, SampleFormat::F32).chunks(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect();
        assert_eq!(out, vec![0.1, -0.1, 0.2, -0.2, 0.3, -0.3]);
    }

    #[test]
    fn frame_window_selects_frames() {
        let buf = buffer(SampleFormat::U8, 4, 2, vec![1, 2, 3, 4, 5, 6, 7, 8]);
        let (req, size) = buf.plan_copy(0, Some(1), Some(2), None).unwrap();
        assert_eq!(size, 4);
        let mut out = vec![0; size];
        buf.copy_to(&req, &mut out);
        assert_eq!(out, vec![3, 4, 5, 6]);
    }

    #[test]
    fn copy_options_are_range_checked() {
        let buf = buffer(SampleFormat::S16Planar, 4, 2, vec![0; 16]);
        assert_eq!(buf.plan_copy(2, None, None, None).unwrap_err().name(), "RangeError");
        assert_eq!(buf.plan_copy(1, None, None, Some(SampleFormat::S16)).unwrap_err().name(), "RangeError");
        assert_eq!(buf.plan_copy(0, Some(4), None, None).unwrap_err().name(), "RangeError");
        assert_eq!(buf.plan_copy(0, Some(1), Some(4), None).unwrap_err().name(), "RangeError");
        assert_eq!(buf.plan_copy(1, Some(1), None, None).unwrap().1, 6);
        assert_eq!(buf.plan_copy(0, None, None, Some(SampleFormat::F32)).unwrap().1, 32);
    }

    #[test]
    fn init_is_validated() {
        let new = |rate, frames, channels, len| {
            AudioBuffer::new(SampleFormat::S16, rate, frames, channels, Box::new(vec![0; len]))
        };
        assert_eq!(new(0.0, 1, 1, 2).err().unwrap().name(), "TypeError");
        assert_eq!(new(f32::NAN, 1, 1, 2).err().unwrap().name(), "TypeError");
        assert_eq!(new(48000.0, 0, 1, 2).err().unwrap().name(), "TypeError");
        assert_eq!(new(48000.0, 1, 0, 2).err().unwrap().name(), "TypeError");
        assert_eq!(new(48000.0, 2, 2, 7).err().unwrap().name(), "TypeError");
        assert_eq!(new(48000.0, 2, 2, 10).unwrap().samples().len(), 8);
        assert_eq!(new(48000.0, 480, 1, 960).unwrap().duration_us(), 10_000);
    }

    #[test]
    fn every_format_parses_and_round_trips_f32_exact_values() {
        let values = [-1.0f32, -0.5, 0.0, 0.5];
        let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
        let src = buffer(SampleFormat::F32, 4, 1, bytes.clone());
        for format in SampleFormat::all() {
            assert_eq!(SampleFormat::parse(format.as_str()).unwrap(), format);
            let there = buffer(format, 4, 1, copy(&src, 0, format));
            assert_eq!(copy(&there, 0, SampleFormat::F32), bytes, "{format:?}");
        }
    }
}
