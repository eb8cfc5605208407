//! Video: pixel formats and frame memory, colour, conversion, codec strings, and the
//! encoder and decoder sessions over FFmpeg (https://w3c.github.io/webcodecs/#videoencoder-interface,
//! https://w3c.github.io/webcodecs/#videodecoder-interface).

mod buffer;
mod codec_string;
pub(crate) mod color;
mod convert;
mod decoder;
mod encoder;
mod format;

pub use buffer::{compute_layout, heap, ComputedPlane, FrameBuffer, PlaneLayout, Rect, SharedFrame, Storage};
pub use codec_string::{parse_video_codec, Av1Optional, VideoCodec, Vp9Optional};
pub use color::{ColorSpace, Matrix, Primaries, Transfer};
pub use convert::copy_rect_as_rgb;
pub use decoder::{DecodedFrame, VideoDecoder, VideoDecoderConfig};
pub use encoder::{
    BitrateMode, BitstreamFormat, EncodedPacket, LatencyMode, ScalabilityMode, VideoEncoder, VideoEncoderConfig,
    VideoFrameInput,
};
pub use format::{PixelFormat, PlaneSpec};

/// `HardwareAcceleration` (https://w3c.github.io/webcodecs/#enumdef-hardwareacceleration).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum HardwareAcceleration {
    #[default]
    NoPreference,
    PreferHardware,
    PreferSoftware,
}

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
