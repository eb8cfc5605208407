//! Codec configuration dictionaries (VideoEncoderConfig, VideoDecoderConfig, encode
//! options, output metadata) and their conversion to engine configurations, with the
//! spec's "check configuration validity" rules.

use engine::video::{
    parse_video_codec, AlphaOption, AvcBitstreamFormat, BitrateMode, BitstreamFormat, HardwareAcceleration,
    HevcBitstreamFormat, LatencyMode, Orientation, VideoDecoderConfig as EngineDecoderConfig,
    VideoEncoderConfig as EngineEncoderConfig,
};
use engine::{EngineError, IdlEnum, Result};
use napi::Env;
use napi_derive::napi;

use crate::dict::config::{
    array_buffer, bitrate, codec_string, copy_description, description_bytes, dimension, optional_pair,
};
use crate::dict::frame::{self, VideoColorSpaceInit};
use crate::dict::webidl::{self, Boolean, DomString, Number};
use crate::dict::Checked;
use crate::js::raw::JsHandle;

/// `AvcEncoderConfig` / `HevcEncoderConfig`.
#[napi(object)]
#[derive(Clone, Default)]
pub struct BitstreamFormatConfig {
    #[napi(ts_type = "'avc' | 'hevc' | 'annexb'")]
    pub format: Option<DomString>,
}

/// `VideoEncoderConfig`.
#[napi(object)]
#[derive(Clone)]
pub struct VideoEncoderConfig {
    #[napi(ts_type = "string")]
    pub codec: DomString,
    #[napi(ts_type = "number")]
    pub width: Number,
    #[napi(ts_type = "number")]
    pub height: Number,
    #[napi(ts_type = "number")]
    pub display_width: Option<Number>,
    #[napi(ts_type = "number")]
    pub display_height: Option<Number>,
    /// Bits per second.
    #[napi(ts_type = "number")]
    pub bitrate: Option<Number>,
    /// Frames per second.
    #[napi(ts_type = "number")]
    pub framerate: Option<Number>,
    #[napi(ts_type = "HardwareAcceleration")]
    pub hardware_acceleration: Option<DomString>,
    #[napi(ts_type = "AlphaOption")]
    pub alpha: Option<DomString>,
    #[napi(ts_type = "string")]
    pub scalability_mode: Option<DomString>,
    #[napi(ts_type = "VideoEncoderBitrateMode")]
    pub bitrate_mode: Option<DomString>,
    #[napi(ts_type = "LatencyMode")]
    pub latency_mode: Option<DomString>,
    #[napi(ts_type = "string")]
    pub content_hint: Option<DomString>,
    #[napi(ts_type = "AvcEncoderConfig")]
    pub avc: Option<BitstreamFormatConfig>,
    #[napi(ts_type = "HevcEncoderConfig")]
    pub hevc: Option<BitstreamFormatConfig>,
}

/// `VideoDecoderConfig`.
#[napi(object)]
pub struct VideoDecoderConfig {
    #[napi(ts_type = "string")]
    pub codec: DomString,
    /// avcC/hvcC for `avc`/`hevc` format streams; absent for Annex B.
    #[napi(ts_type = "AllowSharedBufferSource")]
    pub description: Option<JsHandle>,
    #[napi(ts_type = "number")]
    pub coded_width: Option<Number>,
    #[napi(ts_type = "number")]
    pub coded_height: Option<Number>,
    #[napi(ts_type = "number")]
    pub display_aspect_width: Option<Number>,
    #[napi(ts_type = "number")]
    pub display_aspect_height: Option<Number>,
    pub color_space: Option<VideoColorSpaceInit>,
    #[napi(ts_type = "HardwareAcceleration")]
    pub hardware_acceleration: Option<DomString>,
    #[napi(ts_type = "boolean")]
    pub optimize_for_latency: Option<Boolean>,
    /// Degrees clockwise, given to every decoded frame.
    #[napi(ts_type = "number")]
    pub rotation: Option<Number>,
    /// A horizontal flip, given to every decoded frame.
    #[napi(ts_type = "boolean")]
    pub flip: Option<Boolean>,
}

/// `VideoEncoderEncodeOptions`' per-codec member: `{quantizer}`.
#[napi(object, object_to_js = false)]
pub struct QuantizerOptions {
    #[napi(ts_type = "number")]
    pub quantizer: Option<Number>,
}

/// `VideoEncoderEncodeOptions`.
#[napi(object, object_to_js = false)]
#[derive(Default)]
pub struct VideoEncoderEncodeOptions {
    #[napi(ts_type = "boolean")]
    pub key_frame: Option<Boolean>,
    pub avc: Option<QuantizerOptions>,
    pub hevc: Option<QuantizerOptions>,
    pub vp9: Option<QuantizerOptions>,
    pub av1: Option<QuantizerOptions>,
}

/// `SvcOutputMetadata`.
#[napi(object, object_from_js = false)]
pub struct SvcOutputMetadata {
    pub temporal_layer_id: u32,
}

/// `EncodedVideoChunkMetadata`: the decoder config on the first chunk after each
/// configure, and the temporal layer when a scalability mode is on.
#[napi(object, object_from_js = false)]
pub struct EncodedVideoChunkMetadata {
    pub decoder_config: Option<VideoDecoderConfig>,
    pub svc: Option<SvcOutputMetadata>,
    /// With `alpha: 'keep'`: the chunk's alpha plane, encoded by the same codec.
    #[napi(ts_type = "ArrayBuffer")]
    pub alpha_side_data: Option<JsHandle>,
}

/// `VideoEncoderSupport` / `VideoDecoderSupport`.
#[napi(object, object_from_js = false)]
pub struct VideoEncoderSupport {
    pub supported: bool,
    pub config: VideoEncoderConfig,
}

impl VideoEncoderSupport {
    /// `isConfigSupported()`'s answer (the config is the caller's, converted).
    pub fn answer(_env: &Env, supported: bool, config: VideoEncoderConfig) -> napi::Result<Self> {
        Ok(Self { supported, config })
    }
}

#[napi(object, object_from_js = false)]
pub struct VideoDecoderSupport {
    pub supported: bool,
    pub config: VideoDecoderConfig,
}

impl VideoDecoderSupport {
    /// `isConfigSupported()`'s answer, with a copy of the caller's description.
    pub fn answer(env: &Env, supported: bool, config: VideoDecoderConfig) -> napi::Result<Self> {
        Ok(Self { supported, config: clone_decoder_config(env, &config)? })
    }
}

/// The encoder configuration: `TypeError` for an invalid dictionary, then whether this
/// build can encode a valid one.
pub fn encoder_config(config: &VideoEncoderConfig) -> Checked<EngineEncoderConfig> {
    Checked::new(valid_encoder_config(config))
}

/// "Check configuration validity"; what is left is whether the encoder supports it.
fn valid_encoder_config(config: &VideoEncoderConfig) -> Result<impl FnOnce() -> Result<EngineEncoderConfig> + '_> {
    let codec = codec_string(&config.codec)?;
    let width = dimension(config.width, "width")?;
    let height = dimension(config.height, "height")?;
    // Each display member on its own ("valid VideoEncoderConfig"); a missing one is the
    // coded size's.
    let display_width = config.display_width.map(|w| dimension(w, "displayWidth")).transpose()?;
    let display_height = config.display_height.map(|h| dimension(h, "displayHeight")).transpose()?;
    // "valid VideoEncoderConfig": a bitrate that is present must be non-zero.
    let bitrate = bitrate(config.bitrate)?;
    if bitrate == Some(0) {
        return Err(EngineError::type_error("bitrate must be non-zero"));
    }
    config.framerate.map(|fps| webidl::double(fps, "framerate")).transpose()?;
    let hardware_acceleration = HardwareAcceleration::parse_or_default(config.hardware_acceleration.as_deref())?;
    let bitrate_mode = BitrateMode::parse_or_default(config.bitrate_mode.as_deref())?;
    let latency_mode = LatencyMode::parse_or_default(config.latency_mode.as_deref())?;
    let alpha = config.alpha.as_deref().map(AlphaOption::parse).transpose()?.unwrap_or(AlphaOption::Discard);
    // Both dictionaries are checked as their enums; the codec's own one applies.
    let avc_format: BitstreamFormat =
        AvcBitstreamFormat::parse_or_default(config.avc.as_ref().and_then(|m| m.format.as_deref()))?.into();
    let hevc_format: BitstreamFormat =
        HevcBitstreamFormat::parse_or_default(config.hevc.as_ref().and_then(|m| m.format.as_deref()))?.into();
    let format = if codec.starts_with("hvc1.") || codec.starts_with("hev1.") { hevc_format } else { avc_format };
    let supported = move || -> Result<EngineEncoderConfig> {
        let mut engine = EngineEncoderConfig::new(parse_video_codec(codec)?, width, height);
        engine.alpha = alpha;
        if display_width.is_some() || display_height.is_some() {
            engine.display_width = Some(display_width.unwrap_or(width));
            engine.display_height = Some(display_height.unwrap_or(height));
        }
        engine.bitrate = bitrate;
        if config.framerate.is_some_and(|fps| fps.0 <= 0.0) {
            return Err(EngineError::not_supported("a framerate of 0 or less"));
        }
        engine.framerate = config.framerate.map(|fps| fps.0);
        engine.hardware_acceleration = hardware_acceleration;
        engine.scalability_mode = config.scalability_mode.as_ref().map(|m| m.0.clone());
        engine.bitrate_mode = bitrate_mode;
        engine.latency_mode = latency_mode;
        engine.format = format;
        engine.content_hint = config.content_hint.as_ref().map(|h| h.0.clone());
        Ok(engine)
    };
    Ok(supported)
}

/// The decoder configuration: `TypeError` for an invalid dictionary, then whether this
/// build can decode a valid one.
pub fn decoder_config(env: &Env, config: &VideoDecoderConfig) -> Checked<EngineDecoderConfig> {
    Checked::new(valid_decoder_config(env, config))
}

/// "Check configuration validity"; what is left is whether the decoder supports it.
fn valid_decoder_config<'a>(
    env: &Env,
    config: &'a VideoDecoderConfig,
) -> Result<impl FnOnce() -> Result<EngineDecoderConfig> + 'a> {
    let codec = codec_string(&config.codec)?;
    let coded = optional_pair(config.coded_width, config.coded_height, ("codedWidth", "codedHeight"))?;
    let aspect = optional_pair(
        config.display_aspect_width,
        config.display_aspect_height,
        ("displayAspectWidth", "displayAspectHeight"),
    )?;
    let description = description_bytes(env, config.description)?;
    let color_space = config.color_space.as_ref().map(frame::color_space).transpose()?;
    let hardware_acceleration = HardwareAcceleration::parse_or_default(config.hardware_acceleration.as_deref())?;
    let orientation = Orientation::from_init(config.rotation.map(|r| r.0), config.flip.map(|f| f.0))?;
    let supported = move || -> Result<EngineDecoderConfig> {
        let mut engine = EngineDecoderConfig::new(parse_video_codec(codec)?);
        engine.orientation = orientation;
        engine.description = description;
        engine.coded_width = coded.map(|c| c.0);
        engine.coded_height = coded.map(|c| c.1);
        engine.display_aspect_width = aspect.map(|a| a.0);
        engine.display_aspect_height = aspect.map(|a| a.1);
        engine.color_space = color_space;
        engine.hardware_acceleration = hardware_acceleration;
        engine.optimize_for_latency = config.optimize_for_latency.is_some_and(|b| b.0);
        Ok(engine)
    };
    Ok(supported)
}

/// The `decoderConfig` an encoder reports, as the dictionary a decoder accepts.
pub fn decoder_config_to_js(env: &Env, config: &EngineDecoderConfig) -> napi::Result<VideoDecoderConfig> {
    let color_space = config.color_space.as_ref().map(|cs| VideoColorSpaceInit {
        primaries: cs.primaries.map(|p| Some(p.as_str().into())),
        transfer: cs.transfer.map(|t| Some(t.as_str().into())),
        matrix: cs.matrix.map(|m| Some(m.as_str().into())),
        full_range: cs.full_range.map(|f| Some(Boolean(f))),
    });
    Ok(VideoDecoderConfig {
        codec: config.codec.to_string().into(),
        description: config.description.as_deref().map(|d| array_buffer(env, d)).transpose()?,
        coded_width: config.coded_width.map(Number::from),
        coded_height: config.coded_height.map(Number::from),
        display_aspect_width: config.display_aspect_width.map(Number::from),
        display_aspect_height: config.display_aspect_height.map(Number::from),
        color_space,
        hardware_acceleration: None,
        optimize_for_latency: None,
        rotation: Some(Number::from(config.orientation.rotation)),
        flip: Some(Boolean(config.orientation.flip)),
    })
}

/// `isConfigSupported()`'s copy of a decoder config: the recognised members, with the
/// description copied into a new buffer.
pub fn clone_decoder_config(env: &Env, config: &VideoDecoderConfig) -> napi::Result<VideoDecoderConfig> {
    Ok(VideoDecoderConfig {
        codec: config.codec.clone(),
        description: copy_description(env, config.description)?,
        coded_width: config.coded_width,
        coded_height: config.coded_height,
        display_aspect_width: config.display_aspect_width,
        display_aspect_height: config.display_aspect_height,
        color_space: config.color_space.clone(),
        hardware_acceleration: config.hardware_acceleration.clone(),
        optimize_for_latency: config.optimize_for_latency,
        rotation: config.rotation,
        flip: config.flip,
    })
}
