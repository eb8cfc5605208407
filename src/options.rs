//! WebIDL dictionaries as napi-rs objects (their doc comments become the typings) and
//! their conversion into engine values, with the spec's `TypeError`s.

use engine::color::{ColorSpace, Matrix, Primaries, Transfer};
use engine::pixel::{PixelFormat, PlaneLayout as EnginePlaneLayout, Rect};
use engine::{EngineError, Result};
use napi_derive::napi;

use crate::js::JsHandle;

/// `PlaneLayout`: where one plane starts in a buffer and the bytes of one row.
#[napi(object)]
#[derive(Clone, Copy)]
pub struct PlaneLayout {
    pub offset: f64,
    pub stride: f64,
}

/// `DOMRectInit`.
#[napi(object, js_name = "DOMRectInit")]
#[derive(Clone, Copy, Default)]
pub struct DOMRectInit {
    pub x: Option<f64>,
    pub y: Option<f64>,
    pub width: Option<f64>,
    pub height: Option<f64>,
}

/// [`DOMRectReadOnly`](https://drafts.fxtf.org/geometry/#domrectreadonly): a frame's
/// `codedRect` and `visibleRect` (Node has no DOM geometry classes of its own).
#[napi(js_name = "DOMRectReadOnly")]
#[derive(Clone, Copy)]
pub struct DOMRectReadOnly {
    x: f64,
    y: f64,
    width: f64,
    height: f64,
}

#[napi]
impl DOMRectReadOnly {
    #[napi(constructor)]
    pub fn new(x: Option<f64>, y: Option<f64>, width: Option<f64>, height: Option<f64>) -> Self {
        Self { x: x.unwrap_or(0.0), y: y.unwrap_or(0.0), width: width.unwrap_or(0.0), height: height.unwrap_or(0.0) }
    }

    #[napi(getter)]
    pub fn x(&self) -> f64 {
        self.x
    }

    #[napi(getter)]
    pub fn y(&self) -> f64 {
        self.y
    }

    #[napi(getter)]
    pub fn width(&self) -> f64 {
        self.width
    }

    #[napi(getter)]
    pub fn height(&self) -> f64 {
        self.height
    }

    // A negative width or height puts the rect on the other side of its origin.
    #[napi(getter)]
    pub fn top(&self) -> f64 {
        self.y.min(self.y + self.height)
    }

    #[napi(getter)]
    pub fn right(&self) -> f64 {
        self.x.max(self.x + self.width)
    }

    #[napi(getter)]
    pub fn bottom(&self) -> f64 {
        self.y.max(self.y + self.height)
    }

    #[napi(getter)]
    pub fn left(&self) -> f64 {
        self.x.min(self.x + self.width)
    }

    /// Every attribute as a plain object.
    #[napi(js_name = "toJSON")]
    pub fn json(&self) -> DOMRectJson {
        DOMRectJson {
            x: self.x,
            y: self.y,
            width: self.width,
            height: self.height,
            top: self.top(),
            right: self.right(),
            bottom: self.bottom(),
            left: self.left(),
        }
    }
}

/// `DOMRectReadOnly.toJSON()`'s result.
#[napi(object, object_from_js = false, js_name = "DOMRectJson")]
pub struct DOMRectJson {
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
    pub top: f64,
    pub right: f64,
    pub bottom: f64,
    pub left: f64,
}

impl From<Rect> for DOMRectReadOnly {
    fn from(r: Rect) -> Self {
        let f = f64::from;
        Self { x: f(r.x), y: f(r.y), width: f(r.width), height: f(r.height) }
    }
}

/// `VideoColorSpaceInit`.
// Every member is nullable (`VideoColorPrimaries? primaries`): the outer Option is an
// absent member, the inner one null, which is what `VideoColorSpace.toJSON()` gives for
// an unknown member and so must be accepted back.
#[napi(object)]
#[derive(Clone, Default)]
pub struct VideoColorSpaceInit {
    #[napi(ts_type = "VideoColorPrimaries | null")]
    pub primaries: Option<Option<String>>,
    #[napi(ts_type = "VideoTransferCharacteristics | null")]
    pub transfer: Option<Option<String>>,
    #[napi(ts_type = "VideoMatrixCoefficients | null")]
    pub matrix: Option<Option<String>>,
    #[napi(ts_type = "boolean | null")]
    pub full_range: Option<Option<bool>>,
}

/// `VideoFrameBufferInit`: how to read pixels from a buffer.
#[napi(object, object_to_js = false)]
pub struct VideoFrameBufferInit {
    #[napi(ts_type = "VideoPixelFormat")]
    pub format: String,
    pub coded_width: f64,
    pub coded_height: f64,
    /// Presentation time in microseconds.
    pub timestamp: f64,
    /// Duration in microseconds.
    pub duration: Option<f64>,
    pub layout: Option<Vec<PlaneLayout>>,
    pub visible_rect: Option<DOMRectInit>,
    pub display_width: Option<f64>,
    pub display_height: Option<f64>,
    pub color_space: Option<VideoColorSpaceInit>,
    /// ArrayBuffers to detach; `data`'s buffer among them is taken without a copy.
    #[napi(ts_type = "ArrayBuffer[]")]
    pub transfer: Option<JsHandle>,
}

/// `VideoFrameInit`: overrides when a frame is made from another frame.
#[napi(object, object_to_js = false)]
#[derive(Default)]
pub struct VideoFrameInit {
    pub duration: Option<f64>,
    pub timestamp: Option<f64>,
    #[napi(ts_type = "AlphaOption")]
    pub alpha: Option<String>,
    pub visible_rect: Option<DOMRectInit>,
    pub display_width: Option<f64>,
    pub display_height: Option<f64>,
}

/// `VideoFrameCopyToOptions`.
#[napi(object, object_to_js = false)]
#[derive(Default)]
pub struct VideoFrameCopyToOptions {
    pub rect: Option<DOMRectInit>,
    pub layout: Option<Vec<PlaneLayout>>,
    /// Convert to this format on the way out (RGBA, RGBX, BGRA or BGRX).
    #[napi(ts_type = "VideoPixelFormat")]
    pub format: Option<String>,
    #[napi(ts_type = "PredefinedColorSpace")]
    pub color_space: Option<String>,
}

/// `AudioDataInit`.
#[napi(object, object_to_js = false)]
pub struct AudioDataInit {
    #[napi(ts_type = "AudioSampleFormat")]
    pub format: String,
    pub sample_rate: f64,
    pub number_of_frames: f64,
    pub number_of_channels: f64,
    /// Presentation time in microseconds.
    pub timestamp: f64,
    #[napi(ts_type = "AllowSharedBufferSource")]
    pub data: JsHandle,
    #[napi(ts_type = "ArrayBuffer[]")]
    pub transfer: Option<JsHandle>,
}

/// `AudioDataCopyToOptions`.
#[napi(object, object_to_js = false)]
pub struct AudioDataCopyToOptions {
    pub plane_index: f64,
    pub frame_offset: Option<f64>,
    pub frame_count: Option<f64>,
    #[napi(ts_type = "AudioSampleFormat")]
    pub format: Option<String>,
}

/// `EncodedVideoChunkInit` and `EncodedAudioChunkInit`.
#[napi(object, object_to_js = false)]
pub struct EncodedChunkInit {
    #[napi(js_name = "type", ts_type = "EncodedVideoChunkType")]
    pub kind: String,
    /// Presentation time in microseconds.
    pub timestamp: f64,
    /// Duration in microseconds.
    pub duration: Option<f64>,
    #[napi(ts_type = "AllowSharedBufferSource")]
    pub data: JsHandle,
    #[napi(ts_type = "ArrayBuffer[]")]
    pub transfer: Option<JsHandle>,
}

/// WebIDL `[EnforceRange] unsigned long`: finite, integral after truncation, in range.
pub fn enforce_u32(value: f64, what: &str) -> Result<u32> {
    let truncated = value.trunc();
    if !value.is_finite() || truncated < 0.0 || truncated > f64::from(u32::MAX) {
        return Err(EngineError::type_error(format!("{what} must be an integer from 0 to 2^32-1, got {value}")));
    }
    Ok(truncated as u32)
}

/// The largest integer WebIDL's `[EnforceRange] long long` and `unsigned long long` accept.
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

/// WebIDL `long long` without `[EnforceRange]` (`VideoFrameInit.timestamp`): non-finite
/// values become 0, as ToNumber then truncation does; out-of-range values saturate.
pub fn long_long(value: f64) -> i64 {
    if value.is_finite() {
        value.trunc() as i64
    } else {
        0
    }
}

/// WebIDL `unsigned long long` without `[EnforceRange]` (`VideoFrameInit.duration`):
/// non-finite values become 0, others are taken modulo 2^64 (saturating at `i64::MAX`).
pub fn unsigned_long_long(value: f64) -> i64 {
    if value.is_finite() {
        value.trunc().rem_euclid(18_446_744_073_709_551_616.0) as i64
    } else {
        0
    }
}

/// WebIDL `[EnforceRange] long long` (timestamps of chunks, buffer-made frames and audio):
/// finite and, once truncated, within +-(2^53 - 1), else TypeError.
pub fn enforce_long_long(value: f64, what: &str) -> Result<i64> {
    let truncated = value.trunc();
    if !value.is_finite() || truncated.abs() > MAX_SAFE_INTEGER {
        return Err(EngineError::type_error(format!("{what} must be an integer within +-(2^53-1), got {value}")));
    }
    Ok(truncated as i64)
}

/// WebIDL `[EnforceRange] unsigned long long` (bitrates): finite, from 0 to 2^53 - 1 once truncated.
pub fn enforce_u64(value: f64, what: &str) -> Result<u64> {
    let truncated = value.trunc();
    if !value.is_finite() || !(0.0..=MAX_SAFE_INTEGER).contains(&truncated) {
        return Err(EngineError::type_error(format!("{what} must be an integer from 0 to 2^53-1, got {value}")));
    }
    Ok(truncated as u64)
}

/// `[EnforceRange] unsigned long long` for durations: finite, from 0 to 2^53 - 1 once truncated.
pub fn duration(value: Option<f64>) -> Result<Option<i64>> {
    value
        .map(|v| {
            let truncated = v.trunc();
            if !v.is_finite() || !(0.0..=MAX_SAFE_INTEGER).contains(&truncated) {
                Err(EngineError::type_error(format!("duration must be an integer from 0 to 2^53-1, got {v}")))
            } else {
                Ok(truncated as i64)
            }
        })
        .transpose()
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
        init.x.unwrap_or(0.0),
        init.y.unwrap_or(0.0),
        init.width.unwrap_or(0.0),
        init.height.unwrap_or(0.0),
        bound_w,
        bound_h,
    )?;
    r.check_alignment(format)?;
    Ok(r)
}

/// Display size from an init: both or neither, and non-zero.
pub fn display_size(width: Option<f64>, height: Option<f64>) -> Result<Option<(u32, u32)>> {
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
        full_range: init.full_range.flatten(),
    })
}
