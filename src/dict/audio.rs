//! Audio codec dictionaries (AudioEncoderConfig, AudioDecoderConfig, output metadata)
//! and their conversion to engine configurations, with the spec's validity rules.

use engine::audio::{
    parse_audio_codec, AacFormat, AudioDecoderConfig as EngineDecoderConfig, AudioEncoderConfig as EngineEncoderConfig,
    BitrateMode, OpusApplication, OpusFormat, OpusSignal,
};
use engine::{EngineError, IdlEnum, Result};
use napi::Env;
use napi_derive::napi;

use crate::dict::config::{
    array_buffer, bitrate, codec_string, copy_description, description_bytes, dimension, supported_bitrate,
};
use crate::dict::webidl::{Boolean, DomString, Number};
use crate::dict::Checked;
use crate::js::raw::JsHandle;

/// `OpusEncoderConfig`.
#[napi(object)]
#[derive(Clone, Default)]
pub struct OpusEncoderConfig {
    #[napi(ts_type = "'opus' | 'ogg'")]
    pub format: Option<DomString>,
    /// Microseconds per frame: 2500, 5000, 10000, 20000 (default), 40000 or 60000.
    #[napi(ts_type = "number")]
    pub frame_duration: Option<Number>,
    #[napi(ts_type = "number")]
    pub complexity: Option<Number>,
    #[napi(ts_type = "number")]
    pub packetlossperc: Option<Number>,
    #[napi(ts_type = "boolean")]
    pub useinbandfec: Option<Boolean>,
    #[napi(ts_type = "boolean")]
    pub usedtx: Option<Boolean>,
    #[napi(ts_type = "'auto' | 'music' | 'voice'")]
    pub signal: Option<DomString>,
    #[napi(ts_type = "'voip' | 'audio' | 'lowdelay'")]
    pub application: Option<DomString>,
}

/// `AacEncoderConfig`.
#[napi(object)]
#[derive(Clone, Default)]
pub struct AacEncoderConfig {
    #[napi(ts_type = "'aac' | 'adts'")]
    pub format: Option<DomString>,
}

/// `AudioEncoderConfig`.
#[napi(object)]
#[derive(Clone)]
pub struct AudioEncoderConfig {
    #[napi(ts_type = "string")]
    pub codec: DomString,
    #[napi(ts_type = "number")]
    pub sample_rate: Number,
    #[napi(ts_type = "number")]
    pub number_of_channels: Number,
    /// Bits per second.
    #[napi(ts_type = "number")]
    pub bitrate: Option<Number>,
    #[napi(ts_type = "'constant' | 'variable'")]
    pub bitrate_mode: Option<DomString>,
    pub opus: Option<OpusEncoderConfig>,
    pub aac: Option<AacEncoderConfig>,
}

/// `AudioDecoderConfig`.
#[napi(object)]
pub struct AudioDecoderConfig {
    #[napi(ts_type = "string")]
    pub codec: DomString,
    #[napi(ts_type = "number")]
    pub sample_rate: Number,
    #[napi(ts_type = "number")]
    pub number_of_channels: Number,
    /// AudioSpecificConfig (AAC), fLaC + STREAMINFO (FLAC), OpusHead, Vorbis headers.
    #[napi(ts_type = "AllowSharedBufferSource")]
    pub description: Option<JsHandle>,
}

/// `EncodedAudioChunkMetadata`.
#[napi(object, object_from_js = false)]
pub struct EncodedAudioChunkMetadata {
    pub decoder_config: Option<AudioDecoderConfig>,
}

#[napi(object, object_from_js = false)]
pub struct AudioEncoderSupport {
    pub supported: bool,
    pub config: AudioEncoderConfig,
}

impl AudioEncoderSupport {
    /// `isConfigSupported()`'s answer (the config is the caller's, converted).
    pub fn answer(_env: &Env, supported: bool, config: AudioEncoderConfig) -> napi::Result<Self> {
        Ok(Self { supported, config })
    }
}

#[napi(object, object_from_js = false)]
pub struct AudioDecoderSupport {
    pub supported: bool,
    pub config: AudioDecoderConfig,
}

impl AudioDecoderSupport {
    /// `isConfigSupported()`'s answer, with a copy of the caller's description.
    pub fn answer(env: &Env, supported: bool, config: AudioDecoderConfig) -> napi::Result<Self> {
        Ok(Self { supported, config: clone_decoder_config(env, &config)? })
    }
}

fn bounded(value: Option<Number>, max: f64, what: &str) -> Result<Option<u32>> {
    value
        .map(|Number(v)| {
            if v.is_finite() && (0.0..=max).contains(&v.trunc()) {
                Ok(v.trunc() as u32)
            } else {
                Err(EngineError::type_error(format!("{what} must be between 0 and {max}")))
            }
        })
        .transpose()
}

/// The encoder configuration: `TypeError` for an invalid dictionary, then whether this
/// build can encode a valid one.
pub fn encoder_config(config: &AudioEncoderConfig) -> Checked<EngineEncoderConfig> {
    Checked::new(valid_encoder_config(config))
}

/// "Check configuration validity"; what is left is whether the encoder supports it.
fn valid_encoder_config(config: &AudioEncoderConfig) -> Result<impl FnOnce() -> Result<EngineEncoderConfig> + '_> {
    let codec = codec_string(&config.codec)?;
    let sample_rate = dimension(config.sample_rate, "sampleRate")?;
    let channels = dimension(config.number_of_channels, "numberOfChannels")?;
    let bitrate = bitrate(config.bitrate)?;
    let bitrate_mode = BitrateMode::parse_or_default(config.bitrate_mode.as_deref())?;
    let opus = config.opus.clone().unwrap_or_default();
    let frame_duration = match opus.frame_duration {
        None => 20_000,
        Some(Number(d)) if [2_500.0, 5_000.0, 10_000.0, 20_000.0, 40_000.0, 60_000.0].contains(&d) => d as u64,
        Some(Number(d)) => return Err(EngineError::type_error(format!("{d} is not a valid Opus frameDuration"))),
    };
    let complexity = bounded(opus.complexity, 10.0, "opus.complexity")?;
    let packetlossperc = bounded(opus.packetlossperc, 100.0, "opus.packetlossperc")?.unwrap_or(0);
    let opus_format = OpusFormat::parse_or_default(opus.format.as_deref())?;
    let signal = opus.signal.as_deref().map(OpusSignal::parse).transpose()?;
    let application = opus.application.as_deref().map(OpusApplication::parse).transpose()?;
    let aac_format = AacFormat::parse_or_default(config.aac.as_ref().and_then(|a| a.format.as_deref()))?;
    let supported = move || -> Result<EngineEncoderConfig> {
        let mut engine = EngineEncoderConfig::new(parse_audio_codec(codec)?, sample_rate, channels);
        engine.bitrate = supported_bitrate(bitrate)?;
        engine.bitrate_mode = bitrate_mode;
        engine.opus.format = opus_format;
        engine.opus.frame_duration_us = frame_duration;
        engine.opus.complexity = complexity;
        engine.opus.packetlossperc = packetlossperc;
        engine.opus.useinbandfec = opus.useinbandfec.is_some_and(|b| b.0);
        engine.opus.usedtx = opus.usedtx.is_some_and(|b| b.0);
        engine.opus.signal = signal;
        engine.opus.application = application;
        engine.aac_format = aac_format;
        Ok(engine)
    };
    Ok(supported)
}

/// The decoder configuration: `TypeError` for an invalid dictionary, then whether this
/// build can decode a valid one.
pub fn decoder_config(env: &Env, config: &AudioDecoderConfig) -> Checked<EngineDecoderConfig> {
    Checked::new(valid_decoder_config(env, config))
}

/// "Check configuration validity"; what is left is whether the decoder supports it.
fn valid_decoder_config<'a>(
    env: &Env,
    config: &'a AudioDecoderConfig,
) -> Result<impl FnOnce() -> Result<EngineDecoderConfig> + 'a> {
    let codec = codec_string(&config.codec)?;
    let sample_rate = dimension(config.sample_rate, "sampleRate")?;
    let channels = dimension(config.number_of_channels, "numberOfChannels")?;
    let description = description_bytes(env, config.description)?;
    let supported = move || -> Result<EngineDecoderConfig> {
        Ok(EngineDecoderConfig {
            codec: parse_audio_codec(codec)?,
            sample_rate,
            number_of_channels: channels,
            description,
        })
    };
    Ok(supported)
}

/// The `decoderConfig` an encoder reports, as the dictionary a decoder accepts.
pub fn decoder_config_to_js(env: &Env, config: &EngineDecoderConfig) -> napi::Result<AudioDecoderConfig> {
    Ok(AudioDecoderConfig {
        codec: config.codec.as_codec_string().into(),
        sample_rate: config.sample_rate.into(),
        number_of_channels: config.number_of_channels.into(),
        description: config.description.as_deref().map(|d| array_buffer(env, d)).transpose()?,
    })
}

/// `isConfigSupported()`'s copy of a decoder config, with the description copied.
pub fn clone_decoder_config(env: &Env, config: &AudioDecoderConfig) -> napi::Result<AudioDecoderConfig> {
    Ok(AudioDecoderConfig {
        codec: config.codec.clone(),
        sample_rate: config.sample_rate,
        number_of_channels: config.number_of_channels,
        description: copy_description(env, config.description)?,
    })
}
