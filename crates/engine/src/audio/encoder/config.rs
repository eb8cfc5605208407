//! The audio encoder's config (`AudioEncoderConfig`, with its Opus and AAC parts), its
//! input and its output (https://w3c.github.io/webcodecs/#audio-encoder-config).

use std::sync::Arc;

use crate::audio::{AudioBuffer, AudioCodec, AudioDecoderConfig};

crate::idl_enum!(
    /// `OpusBitstreamFormat`. Chunks are Opus packets in both: an Ogg stream's audio data
    /// packets are exactly those (RFC 7845 section 3). `ogg` requires the identification
    /// header as the description; `opus` needs none, and gets it too, as browsers give it,
    /// because muxers (WebM CodecPrivate, MP4 dOps) and decoders need its pre-skip.
    #[derive(Default)]
    pub enum OpusFormat = "OpusBitstreamFormat" {
        #[default]
        Opus = "opus",
        Ogg = "ogg",
    }
);

crate::idl_enum!(
    /// `AacBitstreamFormat`: raw frames plus an AudioSpecificConfig description, or ADTS.
    #[derive(Default)]
    pub enum AacFormat = "AacBitstreamFormat" {
        #[default]
        Aac = "aac",
        Adts = "adts",
    }
);

crate::idl_enum!(
    /// `BitrateMode` for audio.
    #[derive(Default)]
    pub enum BitrateMode = "BitrateMode" {
        Constant = "constant",
        #[default]
        Variable = "variable",
    }
);

crate::idl_enum!(
    /// `OpusSignal`: a hint for libopus's mode decisions.
    pub enum OpusSignal = "OpusSignal" {
        Auto = "auto",
        Music = "music",
        Voice = "voice",
    }
);

crate::idl_enum!(
    /// `OpusApplication`: libopus's coding mode.
    pub enum OpusApplication = "OpusApplication" {
        Voip = "voip",
        Audio = "audio",
        Lowdelay = "lowdelay",
    }
);

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
    /// Set on libopus directly (FFmpeg has no option for it).
    pub signal: Option<OpusSignal>,
    pub application: Option<OpusApplication>,
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
