//! Video: pixel formats and frame memory, colour, conversion, codec strings, and the
//! encoder and decoder sessions over FFmpeg (https://w3c.github.io/webcodecs/#videoencoder-interface,
//! https://w3c.github.io/webcodecs/#videodecoder-interface).

mod buffer;
mod codec_string;
pub(crate) mod color;
mod convert;
mod decoder;
mod encoder;
mod fast_rgb;
mod format;
mod gamut;
mod orientation;

pub use buffer::{compute_layout, heap, ComputedPlane, FrameBuffer, PlaneLayout, Rect, SharedFrame, Storage};
pub use codec_string::{parse_video_codec, Av1Optional, VideoCodec, Vp9Optional};
pub use color::{ColorSpace, Matrix, PredefinedColorSpace, Primaries, Transfer};
pub use convert::{copy_rect_as_rgb, rgb_conversion};
pub use decoder::{DecodedFrame, VideoDecoder, VideoDecoderConfig};
pub use encoder::{
    AlphaOption, AvcBitstreamFormat, BitrateMode, BitstreamFormat, EncodedPacket, HevcBitstreamFormat, LatencyMode,
    ScalabilityMode, VideoEncoder, VideoEncoderConfig, VideoFrameInput,
};
pub use format::{PixelFormat, PlaneSpec};
pub use gamut::needs_conversion;
pub use orientation::{derived_display_size, parse_rotation, Orientation};

crate::idl_enum!(
    /// `HardwareAcceleration` (https://w3c.github.io/webcodecs/#enumdef-hardwareacceleration).
    #[derive(Default)]
    pub enum HardwareAcceleration = "HardwareAcceleration" {
        #[default]
        NoPreference = "no-preference",
        PreferHardware = "prefer-hardware",
        PreferSoftware = "prefer-software",
    }
);

impl HardwareAcceleration {
    /// `NotSupported` for `prefer-hardware`: every codec here runs in software.
    pub(crate) fn require_software(self, what: &str) -> crate::Result<()> {
        if self == Self::PreferHardware {
            return Err(crate::EngineError::not_supported(format!("hardware {what} is not available")));
        }
        Ok(())
    }
}

#[cfg(test)]
mod codec_tests;
