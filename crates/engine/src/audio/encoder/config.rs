//! The audio encoder's config (`AudioEncoderConfig`, with its Opus and AAC parts), its
//! input and its output (https://w3c.github.io/webcodecs/#audio-encoder-config).

use std::sync::Arc;

use crate::audio::{AudioBuffer, AudioCodec, AudioDecoderConfig};

/// `OpusBitstreamFormat`. Chunks are Opus packets in both: an Ogg stream's audio data
/// packets are exactly those (RFC 7845 section 3). `ogg` requires the identification
/// header as the description; `opus` needs none, and gets it too, as browsers give it,
/// because muxers (WebM CodecPrivate, MP4 dOps) and decoders need its pre-skip.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum OpusFormat {
    #[default]
    Opus,
    Ogg,
}

/// `AacBitstreamFormat`: raw frames plus an AudioSpecificConfig description, or ADTS.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum AacFormat {
    #[default]
    Aac,
    Adts,
}

/// `BitrateMode` for audio.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum BitrateMode {
    Constant,
    #[default]
    Variable,
}

/// `OpusEncoderConfig` (https://w3c.github.io/webcodecs/opus_codec_registration.html).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpusEncoderConfig {
    pub format: OpusFormat,
    pub frame_duration_us: u64,
    /// 0..=10; libopus's default (10) when absent.
    pub complexity: Option<u32>,
    pub packetlossperc: u32,
    pub useinbandfec: bool,
    /// FFmpeg's `dtx` option where it has one, else set on libopus directly.
    pub usedtx: bool,
    /// `auto`, `music` or `voice`: set on libopus directly (FFmpeg has no option for it).
    pub signal: Option<String>,
    /// `voip`, `audio` or `lowdelay`.
    pub application: Option<String>,
}

impl Default for OpusEncoderConfig {
    fn default() -> Self {
        Self {
            format: OpusFormat::Opus,
            frame_duration_us: 20_000,
            complexity: None,
            packetlossperc: 0,
            useinbandfec: false,
            usedtx: false,
            signal: None,
            application: None,
        }
    }
}

/// `AudioEncoderConfig` after the binding's validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AudioEncoderConfig {
    pub codec: AudioCodec,
    pub sample_rate: u32,
    pub number_of_channels: u32,
    /// Bits per second.
    pub bitrate: Option<u64>,
    pub bitrate_mode: BitrateMode,
    pub opus: OpusEncoderConfig,
    pub aac_format: AacFormat,
}

impl AudioEncoderConfig {
    pub fn new(codec: AudioCodec, sample_rate: u32, number_of_channels: u32) -> Self {
        Self {
            codec,
            sample_rate,
            number_of_channels,
            bitrate: None,
            bitrate_mode: BitrateMode::Variable,
            opus: OpusEncoderConfig::default(),
            aac_format: AacFormat::Aac,
        }
    }
}

/// One `EncodedAudioChunk` (always a key chunk) plus its metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncodedAudioPacket {
    pub data: Vec<u8>,
    pub timestamp_us: i64,
    pub duration_us: i64,
    /// `metadata.decoderConfig`: on the first chunk and whenever it changes.
    pub decoder_config: Option<AudioDecoderConfig>,
}

/// One `AudioEncoder.encode(data)` call: the samples, shared, and their timestamp.
#[derive(Clone)]
pub struct AudioInput {
    pub samples: Arc<dyn AsRef<AudioBuffer> + Send + Sync>,
    pub timestamp: i64,
}
