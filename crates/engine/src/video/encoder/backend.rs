//! What encodes a session's frames: an FFmpeg encoder, or libaom driven directly where
//! FFmpeg's wrapper cannot take a quantizer per frame (AV1 in quantizer mode).

use ffmpeg_next::{encoder, frame, Error as AvError, Packet};

use super::ffmpeg::{QuantizerControl, REGION_BASE_QUANTIZER};
use crate::ffi::aom::AomEncoder;
use crate::ffi::codec::set_max_quantizer;
use crate::ffi::frame::offset_quantizer;
use crate::session::CodecIo;
use crate::{EngineError, Result};

pub(crate) enum Backend {
    Ffmpeg(encoder::Video),
    /// Boxed: libaom's configuration is most of a kilobyte.
    Aom(Box<AomEncoder>),
}

impl Backend {
    /// Has `frame`, the next one sent, coded at quantizer `q`, the way `control` says.
    pub fn quantize(&mut self, control: QuantizerControl, q: u32, frame: &mut frame::Video) -> Result<()> {
        match (control, self) {
            (QuantizerControl::LargestQuantizer, Self::Ffmpeg(enc)) => set_max_quantizer(enc, q.min(63) as i32),
            (QuantizerControl::RegionOffset, _) => {
                offset_quantizer(frame, q.min(51) as i32 - REGION_BASE_QUANTIZER as i32, 51)?
            }
            (QuantizerControl::Direct, Self::Aom(aom)) => aom.set_quantizer(q).map_err(EngineError::encoding)?,
            _ => {}
        }
        Ok(())
    }

    /// The FFmpeg encoder, if that is what encodes.
    pub fn ffmpeg(&mut self) -> Option<&mut encoder::Video> {
        match self {
            Self::Ffmpeg(enc) => Some(enc),
            Self::Aom(_) => None,
        }
    }
}

impl CodecIo for Backend {
    const VERB: &'static str = "encode";
    const ROLE: &'static str = "encoder";
    type In = frame::Video;
    type Out = Packet;

    fn send(&mut self, input: Option<&frame::Video>) -> std::result::Result<(), AvError> {
        match self {
            Self::Ffmpeg(enc) => enc.send(input),
            Self::Aom(aom) => aom.send(input),
        }
    }

    fn receive(&mut self) -> std::result::Result<Packet, AvError> {
        match self {
            Self::Ffmpeg(enc) => enc.receive(),
            Self::Aom(aom) => aom.receive(),
        }
    }
}
