//! The dictionaries of the data interfaces (VideoFrame, AudioData, encoded chunks:
//! inits, layouts, rects, copy options, colour spaces) as napi-rs objects, whose doc
//! comments become the typings, and their conversion into engine values.

use engine::video::{ColorSpace, Matrix, Primaries, Transfer};
use engine::video::{PixelFormat, PlaneLayout as EnginePlaneLayout, Rect};
use engine::{EngineError, Result};
use napi::bindgen_prelude::ToNapiValue;
use napi::{sys, Env};
use napi_derive::napi;

use crate::dict::webidl::{self, enforce_u32, Boolean, Dictionary, DomString, Number, Sequence};
use crate::js::raw::{self, JsHandle};

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

/// `VideoFrameMetadata` with the members of the VideoFrame Metadata Registry
/// (https://w3c.github.io/webcodecs/video_frame_metadata_registry.html); any other member
/// is dropped, as WebIDL drops unknown members. Members are in lexicographic order, the
/// order in which WebIDL reads them from an init and writes them for `metadata()`.
#[napi(object)]
#[derive(Clone, Default)]
pub struct VideoFrameMetadata {
    #[napi(ts_type = "BackgroundBlur")]
    pub background_blur: Option<Dictionary<BackgroundBlur>>,
    /// A mask with white for certain foreground and black for certain background
    /// (https://w3c.github.io/mediacapture-extensions/#background-segmentation-mask).
    /// The draft types it `ImageBitmap`, which Node lacks; a VideoFrame stands in for it,
    /// copied as the draft copies metadata: the frame keeps a copy of the mask, and each
    /// `metadata()` returns a new VideoFrame for it, which the caller closes.
    #[napi(ts_type = "VideoFrame")]
    pub background_segmentation_mask: Option<JsHandle>,
    /// `DOMHighResTimeStamp`: when the frame was captured.
    #[napi(ts_type = "number")]
    pub capture_time: Option<Number>,
    /// `DOMHighResTimeStamp`: when the frame's last packet arrived.
    #[napi(ts_type = "number")]
    pub receive_time: Option<Number>,
    /// `unsigned long`: the RTP timestamp of the packets the frame came in.
    #[napi(ts_type = "number")]
    pub rtp_timestamp: Option<Number>,
    /// Faces and facial features found in the frame
    /// (https://w3c.github.io/mediacapture-extensions/#human-face-segmentation).
    #[napi(ts_type = "Segment[]")]
    pub segments: Option<Sequence<Dictionary<Segment>>>,
}

/// `BackgroundBlur` (https://w3c.github.io/mediacapture-extensions/#background-blur).
#[napi(object)]
#[derive(Clone, Copy)]
pub struct BackgroundBlur {
    #[napi(ts_type = "boolean")]
    pub enabled: Boolean,
}

/// `Segment` (https://w3c.github.io/mediacapture-extensions/#dom-segment): one object
/// found in the frame. Coordinates are normalised: (0, 0) is the rendered frame's top
/// left, (1, 1) its bottom right.
#[napi(object, object_to_js = false)]
#[derive(Clone)]
pub struct Segment {
    #[napi(ts_type = "DOMRectInit")]
    pub bounding_box: Option<Dictionary<DOMRectInit>>,
    #[napi(ts_type = "Point2D")]
    pub center_point: Option<Dictionary<Point2D>>,
    /// `long`: the object's identifier, unique within the frame's segments.
    #[napi(ts_type = "number")]
    pub id: Number,
    /// `long`: the `id` of the segment this one is part of.
    #[napi(ts_type = "number")]
    pub part_of: Option<Number>,
    /// `float`: the probability that the object is of this type, 0 when unknown.
    #[napi(ts_type = "number")]
    pub probability: Number,
    #[napi(js_name = "type", ts_type = "SegmentType")]
    pub kind: DomString,
}

// Written by hand because napi-rs writes required members before optional ones, and
// WebIDL writes every member in lexicographic order.
impl ToNapiValue for Segment {
    unsafe fn to_napi_value(env: sys::napi_env, segment: Self) -> napi::Result<sys::napi_value> {
        let js = Env::from_raw(env);
        let object = raw::object(&js)?;
        let members = [
            (c"boundingBox", segment.bounding_box.map(|r| raw::to_value(&js, r)).transpose()?),
            (c"centerPoint", segment.center_point.map(|p| raw::to_value(&js, p)).transpose()?),
            (c"id", Some(raw::to_value(&js, segment.id)?)),
            (c"partOf", segment.part_of.map(|p| raw::to_value(&js, p)).transpose()?),
            (c"probability", Some(raw::to_value(&js, segment.probability)?)),
            (c"type", Some(raw::to_value(&js, segment.kind)?)),
        ];
        for (name, value) in members {
            if let Some(value) = value {
                raw::set_property(&js, object, name, value)?;
            }
        }
        Ok(object)
    }
}

/// `Point2D` (https://w3c.github.io/mediacapture-image/#Point2D).
#[napi(object)]
#[derive(Clone, Copy, Default)]
pub struct Point2D {
    #[napi(ts_type = "number")]
    pub x: Option<Number>,
    #[napi(ts_type = "number")]
    pub y: Option<Number>,
}

engine::idl_enum!(
    /// `SegmentType` (https://w3c.github.io/mediacapture-extensions/#dom-segmenttype).
    pub enum SegmentType = "SegmentType" {
        HumanFace = "human-face",
        LeftEye = "left-eye",
        RightEye = "right-eye",
        Eye = "eye",
        Mouth = "mouth",
    }
);

impl VideoFrameMetadata {
    /// Each member's WebIDL conversion, as the dictionary holds it from then on (a
    /// `DOMHighResTimeStamp` is a finite `double`, `unsigned long` wraps modulo 2^32), and
    /// the mask apart: only the caller knows what a VideoFrame is.
    pub fn converted(self) -> Result<(Self, Option<JsHandle>)> {
        let time = |value: Option<Number>, what| value.map(|v| webidl::double(v, what).map(Number)).transpose();
        let segments = self
            .segments
            .map(|Sequence(list)| list.into_iter().map(|Dictionary(s)| s.converted().map(Dictionary)).collect())
            .transpose()?
            .map(Sequence);
        let values = Self {
            background_blur: self.background_blur,
            background_segmentation_mask: None,
            capture_time: time(self.capture_time, "metadata.captureTime")?,
            receive_time: time(self.receive_time, "metadata.receiveTime")?,
            rtp_timestamp: self.rtp_timestamp.map(|v| Number(f64::from(webidl::unsigned_long(v)))),
            segments,
        };
        Ok((values, self.background_segmentation_mask))
    }
}

impl Segment {
    /// The members' conversions; the dictionaries get their defaults (every member of
    /// `DOMRectInit` and `Point2D` defaults to 0), so they come back whole.
    fn converted(self) -> Result<Self> {
        let zero = |value: Option<Number>| Some(value.unwrap_or_default());
        let bounding_box = self.bounding_box.map(|Dictionary(r)| {
            Dictionary(DOMRectInit { x: zero(r.x), y: zero(r.y), width: zero(r.width), height: zero(r.height) })
        });
        let point =
            |value: Option<Number>, what| webidl::double(value.unwrap_or_default(), what).map(|v| Some(Number(v)));
        let center_point = self
            .center_point
            .map(|Dictionary(p)| {
                Ok::<_, EngineError>(Dictionary(Point2D {
                    x: point(p.x, "segment.centerPoint.x")?,
                    y: point(p.y, "segment.centerPoint.y")?,
                }))
            })
            .transpose()?;
        let long = |value: Number| Number(f64::from(webidl::long(value)));
        let probability = Number(f64::from(webidl::float(self.probability, "segment.probability")?));
        SegmentType::parse(&self.kind)?;
        Ok(Self {
            bounding_box,
            center_point,
            id: long(self.id),
            part_of: self.part_of.map(long),
            probability,
            kind: self.kind,
        })
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
