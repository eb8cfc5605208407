//! The video encoder's config (`VideoEncoderConfig` and its enums), its input and its
//! output (https://w3c.github.io/webcodecs/#video-encoder-config).

use std::sync::Arc;

use ffmpeg_next::format::Pixel;
use ffmpeg_next::Rational;

use crate::video::{ColorSpace, FrameBuffer, HardwareAcceleration, Orientation, Rect, VideoCodec, VideoDecoderConfig};
use crate::{EngineError, Result};

crate::idl_enum!(
    /// `VideoEncoderBitrateMode`.
    #[derive(Default)]
    pub enum BitrateMode = "VideoEncoderBitrateMode" {
        Constant = "constant",
        #[default]
        Variable = "variable",
        /// The quantizer comes with each frame (`encode(frame, {avc: {quantizer}})`).
        Quantizer = "quantizer",
    }
);

crate::idl_enum!(
    /// `LatencyMode`.
    #[derive(Default)]
    pub enum LatencyMode = "LatencyMode" {
        #[default]
        Quality = "quality",
        Realtime = "realtime",
    }
);

crate::idl_enum!(
    /// `AlphaOption`: whether the alpha channel is kept (its default differs between
    /// dictionaries: `keep` for a frame built from a frame, `discard` for an encoder).
    pub enum AlphaOption = "AlphaOption" {
        Keep = "keep",
        Discard = "discard",
    }
);

/// `AvcBitstreamFormat` / `HevcBitstreamFormat`: `avc`/`hevc` (length-prefixed NAL units
/// plus a description) or `annexb` (start codes, parameter sets in band).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum BitstreamFormat {
    #[default]
    LengthPrefixed,
    AnnexB,
}

crate::idl_enum!(
    /// `AvcBitstreamFormat`.
    #[derive(Default)]
    pub enum AvcBitstreamFormat = "AvcBitstreamFormat" {
        #[default]
        Avc = "avc",
        AnnexB = "annexb",
    }
);

crate::idl_enum!(
    /// `HevcBitstreamFormat`.
    #[derive(Default)]
    pub enum HevcBitstreamFormat = "HevcBitstreamFormat" {
        #[default]
        Hevc = "hevc",
        AnnexB = "annexb",
    }
);

impl From<AvcBitstreamFormat> for BitstreamFormat {
    fn from(format: AvcBitstreamFormat) -> Self {
        match format {
            AvcBitstreamFormat::Avc => Self::LengthPrefixed,
            AvcBitstreamFormat::AnnexB => Self::AnnexB,
        }
    }
}

impl From<HevcBitstreamFormat> for BitstreamFormat {
    fn from(format: HevcBitstreamFormat) -> Self {
        match format {
            HevcBitstreamFormat::Hevc => Self::LengthPrefixed,
            HevcBitstreamFormat::AnnexB => Self::AnnexB,
        }
    }
}

/// The scalability modes we produce: one spatial layer, one to three temporal layers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScalabilityMode {
    L1T1,
    L1T2,
    L1T3,
}

impl ScalabilityMode {
    /// Any other mode (a valid string we cannot produce) is `NotSupported`.
    pub fn parse(mode: &str) -> Result<Self> {
        match mode {
            "L1T1" => Ok(Self::L1T1),
            "L1T2" => Ok(Self::L1T2),
            "L1T3" => Ok(Self::L1T3),
            other => Err(EngineError::not_supported(format!("scalabilityMode '{other}' is not supported"))),
        }
    }

    /// The temporal layer of each frame in one period of the layering pattern.
    pub(crate) fn pattern(self) -> &'static [u32] {
        match self {
            Self::L1T1 => &[0],
            Self::L1T2 => &[0, 1],
            Self::L1T3 => &[0, 2, 1, 2],
        }
    }

    /// Each layer's share of the bitrate in percent, the layers below it included.
    pub(crate) fn bitrate_shares(self) -> &'static [u64] {
        match self {
            Self::L1T1 => &[100],
            Self::L1T2 => &[60, 100],
            Self::L1T3 => &[40, 60, 100],
        }
    }

    /// For each layer with those below it, how many times fewer frames it has than the
    /// whole stream.
    pub(crate) fn rate_decimators(self) -> &'static [u32] {
        match self {
            Self::L1T1 => &[1],
            Self::L1T2 => &[2, 1],
            Self::L1T3 => &[4, 2, 1],
        }
    }
}

/// `VideoEncoderConfig` after the binding's validation.
#[derive(Debug, Clone, PartialEq)]
pub struct VideoEncoderConfig {
    pub codec: VideoCodec,
    pub width: u32,
    pub height: u32,
    pub display_width: Option<u32>,
    pub display_height: Option<u32>,
    /// Bits per second.
    pub bitrate: Option<u64>,
    /// Frames per second.
    pub framerate: Option<f64>,
    pub hardware_acceleration: HardwareAcceleration,
    pub scalability_mode: Option<String>,
    pub bitrate_mode: BitrateMode,
    pub latency_mode: LatencyMode,
    /// For `avc1`/`avc3`/`hvc1`/`hev1` only.
    pub format: BitstreamFormat,
    /// `contentHint`: accepted, not used to tune the encoder.
    pub content_hint: Option<String>,
    /// `alpha`: `keep` encodes the alpha plane too (VP8 and VP9 profile 0).
    pub alpha: AlphaOption,
}

impl VideoEncoderConfig {
    pub fn new(codec: VideoCodec, width: u32, height: u32) -> Self {
        Self {
            codec,
            width,
            height,
            display_width: None,
            display_height: None,
            bitrate: None,
            framerate: None,
            hardware_acceleration: HardwareAcceleration::NoPreference,
            scalability_mode: None,
            bitrate_mode: BitrateMode::Variable,
            latency_mode: LatencyMode::Quality,
            format: BitstreamFormat::LengthPrefixed,
            content_hint: None,
            alpha: AlphaOption::Discard,
        }
    }

    /// The scalability mode when it has two or three temporal layers; `L1T1` (or an
    /// unparsable mode, which `validate` refuses) is none.
    pub(crate) fn temporal_layers(&self) -> Option<ScalabilityMode> {
        let mode = self.scalability_mode.as_deref().and_then(|m| ScalabilityMode::parse(m).ok());
        mode.filter(|m| *m != ScalabilityMode::L1T1)
    }

    /// The checks a config must pass before any FFmpeg encoder is tried; returns its
    /// temporal layers ([`Self::temporal_layers`]) and the pixel format an encoder of its
    /// codec takes.
    pub(crate) fn validate(&self) -> Result<(Option<ScalabilityMode>, Pixel)> {
        self.hardware_acceleration.require_software("encoding")?;
        if self.width == 0 || self.height == 0 {
            return Err(EngineError::type_error("width and height must be non-zero"));
        }
        self.scalability_mode.as_deref().map(ScalabilityMode::parse).transpose()?;
        let scalability = self.temporal_layers();
        let pixel = self.codec.encoder_pixel_format()?;
        if self.alpha == AlphaOption::Discard {
            return Ok((scalability, pixel));
        }
        // FFmpeg's libvpx wrappers encode an alpha plane as a second stream, whose frames
        // become each packet's BlockAdditional; its other encoders take no alpha at all.
        match (&self.codec, pixel) {
            (VideoCodec::Vp8 | VideoCodec::Vp9 { .. }, Pixel::YUV420P) => Ok((scalability, Pixel::YUVA420P)),
            _ => Err(EngineError::not_supported("alpha: 'keep' needs VP8 or 8-bit 4:2:0 VP9")),
        }
    }

    pub(crate) fn frame_rate(&self) -> Rational {
        match self.framerate {
            Some(fps) if fps.is_finite() && fps > 0.0 && fps.fract() == 0.0 && fps <= 1e6 => {
                Rational::new(fps as i32, 1)
            }
            Some(fps) if fps.is_finite() && fps > 0.0 && fps <= 1e6 => {
                Rational::new((fps * 1000.0).round() as i32, 1000)
            }
            _ => Rational::new(30, 1),
        }
    }
}

/// One `EncodedVideoChunk` plus its metadata.
#[derive(Debug, Clone, PartialEq)]
pub struct EncodedPacket {
    pub data: Vec<u8>,
    pub key: bool,
    pub timestamp_us: i64,
    pub duration_us: Option<i64>,
    /// `metadata.svc.temporalLayerId`, when a scalability mode was configured.
    pub temporal_layer_id: Option<u32>,
    /// `metadata.decoderConfig`: on the first chunk and whenever it changes.
    pub decoder_config: Option<VideoDecoderConfig>,
    /// `metadata.alphaSideData` with `alpha: 'keep'`: the alpha plane, encoded by the
    /// same codec as a frame of its own (what WebM stores as the block's BlockAdditional).
    pub alpha_side_data: Option<Vec<u8>>,
}

/// One `VideoEncoder.encode(frame, options)` call: the frame's pixels (shared, so that
/// FFmpeg can read them in place for as long as it holds them), its visible rect, which is
/// scaled to the configured size, and the encode options.
#[derive(Clone)]
pub struct VideoFrameInput {
    pub pixels: Arc<dyn AsRef<FrameBuffer> + Send + Sync>,
    pub rect: Rect,
    pub timestamp: i64,
    pub duration: Option<i64>,
    pub key_frame: bool,
    /// `options.{avc,hevc,vp9,av1}.quantizer`, honoured in quantizer bitrate mode, on the
    /// registrations' scales: 0-51 for H.264 and HEVC, the quantizer index (0-255) for VP9
    /// and AV1.
    pub quantizer: Option<u32>,
    /// The frame's orientation; the binding has checked that it is the configure's
    /// `[[active orientation]]`.
    pub orientation: Orientation,
    /// The frame's `colorSpace`, which the bitstream describes.
    pub color_space: ColorSpace,
}
