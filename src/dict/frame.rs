//! The dictionaries of the data interfaces (VideoFrame, AudioData, encoded chunks:
//! inits, layouts, rects, copy options, colour spaces) as napi-rs objects, whose doc
//! comments become the typings, and their conversion into engine values.

use engine::video::{ColorSpace, Matrix, Primaries, Transfer};
use engine::video::{PixelFormat, PlaneLayout as EnginePlaneLayout, Rect};
use engine::{EngineError, Result};
use napi_derive::napi;

use crate::dict::webidl::{self, enforce_u32, Boolean, DomString, Number};
use crate::js::raw::JsHandle;

/// `PlaneLayout`: where one plane starts in a buffer and the bytes of one row.
#[napi(object)]
#[derive(Clone, Copy)]
pub struct PlaneLayout {
    #[napi(ts_type = "number")]
    pub offset: Number,
    #[napi(ts_type = "number")]
    pub stride: Number,
}

/// `DOMRectInit`.
#[napi(object, js_name = "DOMRectInit")]
#[derive(Clone, Copy, Default)]
pub struct DOMRectInit {
    #[napi(ts_type = "number")]
    pub x: Option<Number>,
    #[napi(ts_type = "number")]
    pub y: Option<Number>,
    #[napi(ts_type = "number")]
    pub width: Option<Number>,
    #[napi(ts_type = "number")]
    pub height: Option<Number>,
}

/// `VideoColorSpaceInit`.
// Every member is nullable (`VideoColorPrimaries? primaries`): the outer Option is an
// absent member, the inner one null, which is what `VideoColorSpace.toJSON()` gives for
// an unknown member and so must be accepted back.
#[napi(object)]
#[derive(Clone, Default)]
pub struct VideoColorSpaceInit {
    #[napi(ts_type = "VideoColorPrimaries | null")]
    pub primaries: Option<Option<DomString>>,
    #[napi(ts_type = "VideoTransferCharacteristics | null")]
    pub transfer: Option<Option<DomString>>,
    #[napi(ts_type = "VideoMatrixCoefficients | null")]
    pub matrix: Option<Option<DomString>>,
    #[napi(ts_type = "boolean | null")]
    pub full_range: Option<Option<Boolean>>,
}

/// `VideoFrameBufferInit`: how to read pixels from a buffer.
#[napi(object, object_to_js = false)]
pub struct VideoFrameBufferInit {
    #[napi(ts_type = "VideoPixelFormat")]
    pub format: DomString,
    #[napi(ts_type = "number")]
    pub coded_width: Number,
    #[napi(ts_type = "number")]
    pub coded_height: Number,
    /// Presentation time in microseconds.
    #[napi(ts_type = "number")]
    pub timestamp: Number,
    /// Duration in microseconds.
    #[napi(ts_type = "number")]
    pub duration: Option<Number>,
    pub layout: Option<Vec<PlaneLayout>>,
    pub visible_rect: Option<DOMRectInit>,
    /// Degrees clockwise, rounded to a quarter turn.
    #[napi(ts_type = "number")]
    pub rotation: Option<Number>,
    /// A horizontal flip, after the rotation.
    #[napi(ts_type = "boolean")]
    pub flip: Option<Boolean>,
    #[napi(ts_type = "number")]
    pub display_width: Option<Number>,
    #[napi(ts_type = "number")]
    pub display_height: Option<Number>,
    pub color_space: Option<VideoColorSpaceInit>,
    /// ArrayBuffers to detach; `data`'s buffer among them is taken without a copy.
    #[napi(ts_type = "ArrayBuffer[]")]
    pub transfer: Option<JsHandle>,
    pub metadata: Option<VideoFrameMetadata>,
}

/// `VideoFrameInit`: overrides when a frame is made from another frame.
#[napi(object, object_to_js = false)]
#[derive(Default)]
pub struct VideoFrameInit {
    #[napi(ts_type = "number")]
    pub duration: Option<Number>,
    #[napi(ts_type = "number")]
    pub timestamp: Option<Number>,
    #[napi(ts_type = "AlphaOption")]
    pub alpha: Option<DomString>,
    pub visible_rect: Option<DOMRectInit>,
    /// Degrees clockwise, added to the source frame's rotation.
    #[napi(ts_type = "number")]
    pub rotation: Option<Number>,
    /// A horizontal flip, combined with the source frame's.
    #[napi(ts_type = "boolean")]
    pub flip: Option<Boolean>,
    #[napi(ts_type = "number")]
    pub display_width: Option<Number>,
    #[napi(ts_type = "number")]
    pub display_height: Option<Number>,
    pub metadata: Option<VideoFrameMetadata>,
}

/// `VideoFrameMetadata`: the members the VideoFrame Metadata Registry
/// (https://w3c.github.io/webcodecs/video_frame_metadata_registry.html) defines that
/// hold plain values; any other member is dropped, as WebIDL drops unknown members.
#[napi(object)]
#[derive(Clone, Default)]
pub struct VideoFrameMetadata {
    /// `DOMHighResTimeStamp`: when the frame was captured.
    #[napi(ts_type = "number")]
    pub capture_time: Option<Number>,
    /// `DOMHighResTimeStamp`: when the frame's last packet arrived.
    #[napi(ts_type = "number")]
    pub receive_time: Option<Number>,
    /// `unsigned long`: the RTP timestamp of the packets the frame came in.
    #[napi(ts_type = "number")]
    pub rtp_timestamp: Option<Number>,
    pub background_blur: Option<BackgroundBlur>,
}

/// `BackgroundBlur` (https://w3c.github.io/mediacapture-extensions/#background-blur).
#[napi(object)]
#[derive(Clone, Copy)]
pub struct BackgroundBlur {
    #[napi(ts_type = "boolean")]
    pub enabled: Boolean,
}

impl VideoFrameMetadata {
    /// The WebIDL conversion of each member: `DOMHighResTimeStamp` is a `double` (finite),
    /// `unsigned long` wraps modulo 2^32.
    pub fn converted(self) -> Result<Self> {
        for (value, name) in [(self.capture_time, "captureTime"), (self.receive_time, "receiveTime")] {
            if value.is_some_and(|v| !v.0.is_finite()) {
                return Err(EngineError::type_error(format!("metadata.{name} must be a finite number")));
            }
        }
        let rtp_timestamp = self.rtp_timestamp.map(|v| Number(f64::from(webidl::unsigned_long(v))));
        Ok(Self { rtp_timestamp, ..self })
    }
}

/// `VideoFrameCopyToOptions`.
#[napi(object, object_to_js = false)]
#[derive(Default)]
pub struct VideoFrameCopyToOptions {
    pub rect: Option<DOMRectInit>,
    pub layout: Option<Vec<PlaneLayout>>,
    /// Convert to this format on the way out (RGBA, RGBX, BGRA or BGRX).
    #[napi(ts_type = "VideoPixelFormat")]
    pub format: Option<DomString>,
    #[napi(ts_type = "PredefinedColorSpace")]
    pub color_space: Option<DomString>,
}

/// `AudioDataInit`.
#[napi(object, object_to_js = false)]
pub struct AudioDataInit {
    #[napi(ts_type = "AudioSampleFormat")]
    pub format: DomString,
    #[napi(ts_type = "number")]
    pub sample_rate: Number,
    #[napi(ts_type = "number")]
    pub number_of_frames: Number,
    #[napi(ts_type = "number")]
    pub number_of_channels: Number,
    /// Presentation time in microseconds.
    #[napi(ts_type = "number")]
    pub timestamp: Number,
    #[napi(ts_type = "AllowSharedBufferSource")]
    pub data: JsHandle,
    #[napi(ts_type = "ArrayBuffer[]")]
    pub transfer: Option<JsHandle>,
}

/// `AudioDataCopyToOptions`.
#[napi(object, object_to_js = false)]
pub struct AudioDataCopyToOptions {
    #[napi(ts_type = "number")]
    pub plane_index: Number,
    #[napi(ts_type = "number")]
    pub frame_offset: Option<Number>,
    #[napi(ts_type = "number")]
    pub frame_count: Option<Number>,
    #[napi(ts_type = "AudioSampleFormat")]
    pub format: Option<DomString>,
}

/// `EncodedVideoChunkInit` and `EncodedAudioChunkInit`.
#[napi(object, object_to_js = false)]
pub struct EncodedChunkInit {
    #[napi(js_name = "type", ts_type = "EncodedVideoChunkType")]
    pub kind: DomString,
    /// Presentation time in microseconds.
    #[napi(ts_type = "number")]
    pub timestamp: Number,
    /// Duration in microseconds.
    #[napi(ts_type = "number")]
    pub duration: Option<Number>,
    #[napi(ts_type = "AllowSharedBufferSource")]
    pub data: JsHandle,
    #[napi(ts_type = "ArrayBuffer[]")]
    pub transfer: Option<JsHandle>,
}

pub fn plane_layouts(layout: &[PlaneLayout]) -> Result<Vec<EnginePlaneLayout>> {
    layout
        .iter()
        .map(|p| {
            Ok(EnginePlaneLayout { offset: enforce_u32(p.offset, "offset")?, stride: enforce_u32(p.stride, "stride")? })
        })
        .collect()
}

/// "Parse Visible Rect" against a bound, with the format's alignment.
pub fn rect(init: &DOMRectInit, bound_w: u32, bound_h: u32, format: PixelFormat) -> Result<Rect> {
    let r = Rect::parse(
        init.x.unwrap_or_default().0,
        init.y.unwrap_or_default().0,
        init.width.unwrap_or_default().0,
        init.height.unwrap_or_default().0,
        bound_w,
        bound_h,
    )?;
    r.check_alignment(format)?;
    Ok(r)
}

/// Display size from an init: both or neither, and non-zero.
pub fn display_size(width: Option<Number>, height: Option<Number>) -> Result<Option<(u32, u32)>> {
    match (width, height) {
        (None, None) => Ok(None),
        (Some(w), Some(h)) => {
            let (w, h) = (enforce_u32(w, "displayWidth")?, enforce_u32(h, "displayHeight")?);
            if w == 0 || h == 0 {
                return Err(EngineError::type_error("displayWidth and displayHeight must be non-zero"));
            }
            Ok(Some((w, h)))
        }
        _ => Err(EngineError::type_error("displayWidth and displayHeight must be given together")),
    }
}

pub fn color_space(init: &VideoColorSpaceInit) -> Result<ColorSpace> {
    Ok(ColorSpace {
        primaries: init.primaries.clone().flatten().as_deref().map(Primaries::parse).transpose()?,
        transfer: init.transfer.clone().flatten().as_deref().map(Transfer::parse).transpose()?,
        matrix: init.matrix.clone().flatten().as_deref().map(Matrix::parse).transpose()?,
        full_range: init.full_range.flatten().map(|b| b.0),
    })
}
