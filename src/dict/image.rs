//! The image decoding dictionaries (https://w3c.github.io/webcodecs/#imagedecoderinit-interface,
//! https://w3c.github.io/webcodecs/#dictdef-imagedecodeoptions) and their validation.

use engine::image::ImageKind;
use engine::{EngineError, Result};
use napi_derive::napi;

use crate::dict::webidl::{enforce_u32, Boolean, DomString, Number};
use crate::js::raw::JsHandle;

/// `ImageDecoderInit`.
#[napi(object, object_to_js = false)]
pub struct ImageDecoderInit {
    /// The image's MIME type, e.g. `image/png`.
    #[napi(js_name = "type", ts_type = "string")]
    pub mime_type: DomString,
    /// The encoded image: all of it, or a stream of `Uint8Array` chunks.
    #[napi(ts_type = "AllowSharedBufferSource | ReadableStream<Uint8Array>")]
    pub data: JsHandle,
    /// `'none'` or `'default'`; colour profiles are not applied either way.
    #[napi(ts_type = "ColorSpaceConversion")]
    pub color_space_conversion: Option<DomString>,
    /// Scales decoded frames to this width (with `desiredHeight`).
    #[napi(ts_type = "number")]
    pub desired_width: Option<Number>,
    /// Scales decoded frames to this height (with `desiredWidth`).
    #[napi(ts_type = "number")]
    pub desired_height: Option<Number>,
    /// Whether to select the animated track when an image has a still one too.
    // Converted for its TypeError only: every format here has one track.
    #[allow(dead_code)]
    #[napi(ts_type = "boolean")]
    pub prefer_animation: Option<Boolean>,
    /// ArrayBuffers to detach (the data is taken over).
    #[napi(ts_type = "ArrayBuffer[]")]
    pub transfer: Option<JsHandle>,
}

/// `ImageDecodeOptions`.
#[napi(object, object_to_js = false)]
#[derive(Default)]
pub struct ImageDecodeOptions {
    /// The frame to decode, 0 for the first.
    #[napi(ts_type = "number")]
    pub frame_index: Option<Number>,
    /// Only whole frames (the default); partial progressive frames are not produced.
    // Converted for its TypeError only: frames are always decoded whole.
    #[allow(dead_code)]
    #[napi(ts_type = "boolean")]
    pub complete_frames_only: Option<Boolean>,
}

engine::idl_enum!(
    /// `ColorSpaceConversion`: colour profiles are applied by neither value here.
    enum ColorSpaceConversion = "ColorSpaceConversion" {
        None = "none",
        Default = "default",
    }
);

/// What a valid init comes to: the format (`None` when unsupported) and the scaling.
pub struct CheckedInit {
    pub kind: Option<ImageKind>,
    pub desired_size: Option<(u32, u32)>,
}

/// The spec's "valid ImageDecoderInit" checks other than those on `data` itself.
pub fn check_init(init: &ImageDecoderInit) -> Result<CheckedInit> {
    check_type(&init.mime_type)?;
    init.color_space_conversion.as_deref().map(ColorSpaceConversion::parse).transpose()?;
    let width = init.desired_width.map(|w| enforce_u32(w, "desiredWidth")).transpose()?;
    let height = init.desired_height.map(|h| enforce_u32(h, "desiredHeight")).transpose()?;
    let desired_size = match (width, height) {
        (None, None) => None,
        (Some(0), _) | (_, Some(0)) => {
            return Err(EngineError::type_error("desiredWidth and desiredHeight must be non-zero"))
        }
        (Some(w), Some(h)) => Some((w, h)),
        _ => return Err(EngineError::type_error("desiredWidth and desiredHeight must be given together")),
    };
    Ok(CheckedInit { kind: ImageKind::from_mime(&init.mime_type), desired_size })
}

/// A `type` that is no valid image MIME type is a TypeError (the init's step 1, and
/// `isTypeSupported()`'s).
pub fn check_type(mime: &str) -> Result<()> {
    if !is_image_mime_type(mime) {
        return Err(EngineError::type_error(format!("'{mime}' is not a valid image MIME type")));
    }
    Ok(())
}

/// The frame index asked for (WebIDL `[EnforceRange] unsigned long`).
pub fn frame_index(options: &ImageDecodeOptions) -> Result<u32> {
    options.frame_index.map_or(Ok(0), |index| enforce_u32(index, "frameIndex"))
}

/// A "valid MIME type string" (https://mimesniff.spec.whatwg.org/#valid-mime-type) whose
/// type is `image`.
fn is_image_mime_type(mime: &str) -> bool {
    let essence = mime.split(';').next().unwrap_or("");
    let Some((kind, subtype)) = essence.split_once('/') else { return false };
    let token =
        |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
    kind.eq_ignore_ascii_case("image") && token(kind) && token(subtype)
}

#[cfg(test)]
mod tests {
    use super::is_image_mime_type;

    #[test]
    fn image_mime_types() {
        assert!(is_image_mime_type("image/png"));
        assert!(is_image_mime_type("IMAGE/x-foo; q=1"));
        assert!(!is_image_mime_type("video/mp4"));
        assert!(!is_image_mime_type("image/"));
        assert!(!is_image_mime_type("png"));
    }
}
