//! A frame's `[[metadata]]` and "Copy VideoFrame metadata"
//! (https://w3c.github.io/webcodecs/#videoframe-copy-videoframe-metadata), which the
//! draft defines as StructuredSerialize then StructuredDeserialize. Plain members copy as
//! values. A `backgroundSegmentationMask` is a frame, and serializing a frame takes a new
//! reference to its pixels along with its other slots (a closed one is a
//! DataCloneError); deserializing makes a new VideoFrame. So a frame's metadata owns a
//! mask of its own, independent of the frame it was given, and each `metadata()` returns
//! a new VideoFrame over it. The mask is released with the frame's other slots at
//! `close()` or collection, so nothing outlives the frames that hold it.

use std::sync::Arc;

use engine::EngineError;
use napi::bindgen_prelude::{ClassInstance, FromNapiValue, JavaScriptClassExt};
use napi::sys::napi_value;
use napi::Env;

use super::{FrameState, VideoFrame};
use crate::dict::frame::VideoFrameMetadata;
use crate::js::raw::{self, JsHandle};
use crate::memory::anchor::{self, Hold};

/// `[[metadata]]`: the converted members, and the mask frame they hold. Clones of a frame
/// share it: the draft copies metadata wherever it could be changed, so a shared one is
/// never observably different from a copy.
#[derive(Clone, Default)]
pub struct FrameMetadata {
    /// Every member but the mask, which lives in `mask`.
    values: VideoFrameMetadata,
    mask: Option<Arc<MaskFrame>>,
}

/// A serialized frame: the slots of the VideoFrame given as a mask, and a hold on its
/// ArrayBuffer when its pixels live in one, since no JS object of ours ties that buffer
/// to this copy (see `memory::anchor`).
struct MaskFrame {
    state: FrameState,
    timestamp: i64,
    duration: Option<i64>,
    buffer: Option<Hold>,
}

/// An init's metadata after its WebIDL conversion and before it is copied: the mask has
/// been checked to be a VideoFrame, but a closed one only fails when it is serialized, in
/// the constructor's last step.
pub struct MetadataInit {
    values: VideoFrameMetadata,
    mask: Option<napi_value>,
}

impl MetadataInit {
    pub fn convert(env: &Env, init: VideoFrameMetadata) -> Result<Self, EngineError> {
        let (values, mask) = init.converted()?;
        let mask = mask.map(|JsHandle(value)| frame_at(env, value).map(|_| value)).transpose()?;
        Ok(Self { values, mask })
    }

    /// "Copy VideoFrame metadata".
    pub fn copy(self, env: &Env) -> Result<FrameMetadata, EngineError> {
        let mask = self.mask.map(|value| MaskFrame::serialize(env, value)).transpose()?;
        Ok(FrameMetadata { values: self.values, mask: mask.map(Arc::new) })
    }
}

impl FrameMetadata {
    /// `metadata()`'s result: a new dictionary, with a new VideoFrame for the mask.
    pub fn to_js(&self, env: &Env) -> napi::Result<napi_value> {
        let mut values = self.values.clone();
        values.background_segmentation_mask =
            self.mask.as_ref().map(|m| m.deserialize(env).map(JsHandle)).transpose()?;
        raw::to_value(env, values)
    }
}

impl MaskFrame {
    /// The VideoFrame serialization steps
    /// (https://w3c.github.io/webcodecs/#videoframe-transfer-serialization).
    fn serialize(env: &Env, value: napi_value) -> Result<Self, EngineError> {
        let frame = frame_at(env, value)?;
        let Some(state) = frame.state.as_ref() else {
            return Err(EngineError::DataClone("metadata.backgroundSegmentationMask is a closed VideoFrame".into()));
        };
        let buffer = match frame.anchored {
            true => {
                anchor::hold_for(env, value, state.pixels.clone()).map_err(|e| EngineError::type_error(e.reason))?
            }
            false => None,
        };
        Ok(Self { state: state.clone_slots(), timestamp: frame.timestamp, duration: frame.duration, buffer })
    }

    /// The deserialization steps: a new VideoFrame with these slots.
    fn deserialize(&self, env: &Env) -> napi::Result<napi_value> {
        let frame = VideoFrame {
            anchored: self.buffer.is_some(),
            ..VideoFrame::from_state(self.state.clone_slots(), self.timestamp, self.duration)
        };
        let instance = frame.into_instance(env)?.value;
        if let Some(hold) = &self.buffer {
            anchor::tie(env, instance, hold.buffer(env)?)?;
        }
        Ok(instance)
    }
}

/// The VideoFrame `value` is, or WebIDL's TypeError for the member.
fn frame_at<'a>(env: &Env, value: napi_value) -> Result<ClassInstance<'a, VideoFrame>, EngineError> {
    // SAFETY: `value` is a live handle of the current call; anything but a VideoFrame
    // fails napi-rs's unwrap and type-tag check.
    unsafe { ClassInstance::<VideoFrame>::from_napi_value(env.raw(), value) }
        .map_err(|_| EngineError::type_error("metadata.backgroundSegmentationMask must be a VideoFrame"))
}
