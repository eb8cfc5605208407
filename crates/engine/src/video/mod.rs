//! Video encoder and decoder sessions over FFmpeg (https://w3c.github.io/webcodecs/#videoencoder-interface,
//! https://w3c.github.io/webcodecs/#videodecoder-interface). A session owns its FFmpeg
//! context and starts no threads of its own; the binding runs each on its worker.

use std::collections::BTreeMap;

use ffmpeg_next::util::error::EAGAIN;
use ffmpeg_next::{color as av_color, Error as AvError};

use crate::color::{ColorSpace, Matrix, Primaries, Transfer};
use crate::{EngineError, Result};

pub mod decoder;
pub mod encoder;
pub(crate) mod raw;

pub use decoder::{DecodedFrame, VideoDecoder, VideoDecoderConfig};
pub use encoder::{
    BitrateMode, BitstreamFormat, EncodedPacket, LatencyMode, ScalabilityMode, VideoEncoder, VideoEncoderConfig,
};

/// `HardwareAcceleration` (https://w3c.github.io/webcodecs/#enumdef-hardwareacceleration).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum HardwareAcceleration {
    #[default]
    NoPreference,
    PreferHardware,
    PreferSoftware,
}

/// The microsecond time base every session gives FFmpeg: WebCodecs timestamps as they are.
pub(crate) const TIME_BASE: (i32, i32) = (1, 1_000_000);

/// The WebCodecs timestamp and duration of each input still inside a codec, keyed by the
/// pts FFmpeg was given. Pts are the input timestamps made strictly increasing, so
/// duplicate or backwards timestamps from JavaScript cannot confuse the codec or the map.
#[derive(Debug, Default)]
pub(crate) struct TimestampMap {
    last_pts: Option<i64>,
    pending: BTreeMap<i64, (i64, Option<i64>)>,
}

/// More entries than any codec delays: inputs the codec dropped are forgotten past this.
const MAX_PENDING: usize = 512;

impl TimestampMap {
    /// Records an input and returns the pts to give FFmpeg for it.
    pub fn push(&mut self, timestamp: i64, duration: Option<i64>) -> i64 {
        let pts = match self.last_pts {
            Some(last) if timestamp <= last => last.saturating_add(1),
            _ => timestamp,
        };
        self.last_pts = Some(pts);
        self.pending.insert(pts, (timestamp, duration));
        while self.pending.len() > MAX_PENDING {
            self.pending.pop_first();
        }
        pts
    }

    /// The timestamp and duration of the input FFmpeg output as `pts`; an unknown pts (a
    /// codec that invents timestamps) is passed through.
    pub fn take(&mut self, pts: Option<i64>) -> (i64, Option<i64>) {
        match pts {
            Some(pts) => self.pending.remove(&pts).unwrap_or((pts, None)),
            None => self.pending.pop_first().map_or((0, None), |(_, v)| v),
        }
    }

    pub fn clear(&mut self) {
        self.pending.clear();
    }
}

/// What a send/receive call on an FFmpeg codec came to.
pub(crate) enum Step<T> {
    Ready(T),
    /// `EAGAIN`: the codec wants the other direction first.
    Again,
    /// `EOF`: fully drained.
    Done,
}

/// Sorts an FFmpeg result into output, EAGAIN, EOF, or an `EncodingError`.
pub(crate) fn step<T>(result: std::result::Result<T, AvError>, what: &str) -> Result<Step<T>> {
    match result {
        Ok(value) => Ok(Step::Ready(value)),
        Err(AvError::Other { errno }) if errno == EAGAIN => Ok(Step::Again),
        Err(AvError::Eof) => Ok(Step::Done),
        Err(e) => Err(EngineError::encoding(format!("{what}: {e}"))),
    }
}

/// The FFmpeg packet for one chunk (video or audio): its bytes, the pts `timestamps`
/// assigns to it, its duration and key flag. An empty chunk is an `EncodingError`.
pub(crate) fn chunk_packet(
    timestamps: &mut TimestampMap,
    data: &[u8],
    key: bool,
    timestamp_us: i64,
    duration_us: Option<i64>,
) -> Result<ffmpeg_next::Packet> {
    if data.is_empty() {
        return Err(EngineError::encoding("empty chunk"));
    }
    let mut packet = ffmpeg_next::Packet::copy(data);
    packet.set_pts(Some(timestamps.push(timestamp_us, duration_us)));
    packet.set_duration(duration_us.unwrap_or(0));
    if key {
        packet.set_flags(ffmpeg_next::packet::Flags::KEY);
    }
    Ok(packet)
}

/// FFmpeg's threads for one codec: one per core.
pub(crate) fn thread_count() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// The spec's colour space for FFmpeg's colour properties (unknown values stay unknown).
pub(crate) fn color_space_from_av(
    primaries: av_color::Primaries,
    transfer: av_color::TransferCharacteristic,
    matrix: av_color::Space,
    range: av_color::Range,
) -> ColorSpace {
    use av_color::{Primaries as P, Range as R, Space as S, TransferCharacteristic as T};
    ColorSpace {
        primaries: match primaries {
            P::BT709 => Some(Primaries::Bt709),
            P::BT470BG => Some(Primaries::Bt470bg),
            P::SMPTE170M => Some(Primaries::Smpte170m),
            P::BT2020 => Some(Primaries::Bt2020),
            P::SMPTE432 => Some(Primaries::Smpte432),
            _ => None,
        },
        transfer: match transfer {
            T::BT709 => Some(Transfer::Bt709),
            T::SMPTE170M => Some(Transfer::Smpte170m),
            T::IEC61966_2_1 => Some(Transfer::Iec61966_2_1),
            T::Linear => Some(Transfer::Linear),
            T::SMPTE2084 => Some(Transfer::Pq),
            T::ARIB_STD_B67 => Some(Transfer::Hlg),
            _ => None,
        },
        matrix: match matrix {
            S::RGB => Some(Matrix::Rgb),
            S::BT709 => Some(Matrix::Bt709),
            S::BT470BG => Some(Matrix::Bt470bg),
            S::SMPTE170M => Some(Matrix::Smpte170m),
            S::BT2020NCL => Some(Matrix::Bt2020Ncl),
            _ => None,
        },
        full_range: match range {
            R::JPEG => Some(true),
            R::MPEG => Some(false),
            _ => None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_made_strictly_increasing_and_restored() {
        let mut map = TimestampMap::default();
        assert_eq!(map.push(100, Some(10)), 100);
        assert_eq!(map.push(100, None), 101);
        assert_eq!(map.push(50, Some(5)), 102);
        assert_eq!(map.push(200, None), 200);
        assert_eq!(map.take(Some(102)), (50, Some(5)));
        assert_eq!(map.take(Some(100)), (100, Some(10)));
        assert_eq!(map.take(Some(101)), (100, None));
        assert_eq!(map.take(Some(999)), (999, None));
        assert_eq!(map.take(None), (200, None));
    }

    #[test]
    fn eagain_and_eof_are_not_failures() {
        assert!(matches!(step::<()>(Err(AvError::Other { errno: EAGAIN }), "x"), Ok(Step::Again)));
        assert!(matches!(step::<()>(Err(AvError::Eof), "x"), Ok(Step::Done)));
        assert_eq!(step::<()>(Err(AvError::InvalidData), "x").err().unwrap().name(), "EncodingError");
    }
}

#[cfg(test)]
mod codec_tests;
