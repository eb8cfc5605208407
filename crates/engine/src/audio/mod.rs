//! Audio: sample formats and `AudioData` memory, codec strings, and the encoder and
//! decoder sessions over FFmpeg (https://w3c.github.io/webcodecs/#audioencoder-interface,
//! https://w3c.github.io/webcodecs/#audiodecoder-interface).
//!
//! Codec delay: encoders start every stream with the codec's priming samples (Opus
//! pre-skip, AAC and MP3 encoder delay) and stamp chunks from the first input's timestamp
//! onwards; decoders drop the priming at the start of each stream and shift their output
//! back by it, so that decode(encode(x)) starts with x's first sample at x's timestamp.

use ffmpeg_next::ChannelLayout;

use crate::{EngineError, Result};

mod codec_string;
mod decoder;
mod encoder;
mod fifo;
mod format;

pub use codec_string::{parse_audio_codec, AudioCodec, PcmFormat};
pub use decoder::{AudioDecoder, AudioDecoderConfig, DecodedAudio, AAC_PRIMING, MP3_PRIMING};
pub use encoder::{
    AacFormat, AudioEncoder, AudioEncoderConfig, AudioInput, BitrateMode, EncodedAudioPacket, OpusApplication,
    OpusEncoderConfig, OpusFormat, OpusSignal,
};
pub use format::{AudioBuffer, CopyRequest, SampleFormat};

/// `floor(samples / rate)` in microseconds: sample-exact timestamps that never drift.
pub(crate) fn samples_to_us(samples: i64, rate: u32) -> i64 {
    let us = (i128::from(samples) * 1_000_000).div_euclid(i128::from(rate.max(1)));
    i64::try_from(us).unwrap_or(if us < 0 { i64::MIN } else { i64::MAX })
}

/// The configs' shared check: a `TypeError` for a zero rate or channel count.
pub(crate) fn require_rate_and_channels(sample_rate: u32, channels: u32) -> Result<()> {
    if sample_rate == 0 || channels == 0 {
        return Err(EngineError::type_error("sampleRate and numberOfChannels must be non-zero"));
    }
    Ok(())
}

/// FFmpeg's default layout for `channels` (front left/right first, as WebCodecs orders
/// channels); `NotSupported` for counts FFmpeg has no layout for.
pub(crate) fn default_layout(channels: usize) -> Result<ChannelLayout> {
    let layout = i32::try_from(channels).ok().map(ChannelLayout::default).filter(|l| !l.is_empty());
    layout.ok_or_else(|| EngineError::not_supported(format!("{channels} channels are not supported")))
}

#[cfg(test)]
mod tests;
