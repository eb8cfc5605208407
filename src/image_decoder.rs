//! `ImageDecoder` (https://w3c.github.io/webcodecs/#imagedecoder-interface): encoded image
//! bytes, whole or streamed, into `VideoFrame`s. The JS thread validates, keeps the
//! promises and the track list; the decoder's worker thread
//! ([`image_worker`](crate::codec::image_worker)) owns the engine session.

use std::cell::RefCell;
use std::rc::Rc;

use engine::image::{DecodedImage, ImageSession};
use engine::video::Rect;
use engine::EngineError;
use napi::bindgen_prelude::{JavaScriptClassExt, This};
use napi::sys::napi_value;
use napi::{Env, JsValue, Task};
use napi_derive::napi;

use crate::codec::image_queue::ImageQueue;
use crate::dict::image::{self as dict, ImageDecodeOptions, ImageDecoderInit};
use crate::dict::webidl::DomString;
use crate::image_track;
use crate::js::buffer::BufferSource;
use crate::js::error::OrThrow;
use crate::js::raw::{self, JsHandle};
use crate::js::stream;
use crate::js::{promise, transfer};
use crate::memory::external;
use crate::memory::per_env::PerEnv;
use crate::video_frame::{FrameState, Pixels, VideoFrame};

/// Decodes still and animated images (PNG/APNG, GIF, JPEG, WebP, BMP) into VideoFrames.
#[napi]
pub struct ImageDecoder {
    mime_type: String,
    core: Rc<RefCell<ImageQueue>>,
}

#[napi]
impl ImageDecoder {
    #[napi(constructor)]
    pub fn new(env: Env, this: This, #[napi(ts_arg_type = "ImageDecoderInit")] init: JsHandle) -> napi::Result<Self> {
        crate::js::interface::constructing::<Self>(&env, &this)?;
        let init: ImageDecoderInit = crate::dict::read(&env, init.0)?;
        let created = Self::create(&env, this.object.raw(), &init);
        external::settle(&env);
        created.or_throw(&env)
    }

    /// `type`: the MIME type the decoder was made for.
    #[napi(getter, js_name = "type")]
    pub fn mime_type(&self) -> String {
        self.mime_type.clone()
    }

    /// `complete`: whether all the encoded data is in.
    #[napi(getter)]
    pub fn complete(&self) -> bool {
        self.core.borrow().complete
    }

    /// Resolves once all the encoded data is in; rejects if the decoder closes first.
    #[napi(getter, ts_return_type = "Promise<void>")]
    pub fn completed(&self, env: Env) -> napi::Result<napi_value> {
        let reference = self.core.borrow().completed;
        raw::ref_value(&env, reference)?.ok_or_else(|| napi::Error::from_reason("completed is gone"))
    }

    #[napi(getter, ts_return_type = "ImageTrackList")]
    pub fn tracks(&self, env: Env) -> napi::Result<napi_value> {
        image_track::list_object(&env, &self.core.borrow().tracks)
    }

    /// Decodes frame `frameIndex` (0 by default) of the selected track, composited.
    #[napi(ts_return_type = "Promise<ImageDecodeResult>")]
    pub fn decode(
        &self,
        env: Env,
        #[napi(ts_arg_type = "ImageDecodeOptions")] options: Option<JsHandle>,
    ) -> napi::Result<napi_value> {
        let options = match options {
            Some(options) => crate::dict::read_value::<ImageDecodeOptions>(&env, options.0),
            None => Ok(ImageDecodeOptions::default()),
        };
        let index = match options.and_then(|o| dict::frame_index(&o)).and_then(|i| self.core.borrow().check_decode(i)) {
            Ok(index) => index,
            Err(e) => return promise::settled_promise(&env, Err(e)),
        };
        self.core.borrow_mut().decode(&env, index)
    }

    /// Aborts pending decodes (their promises reject with AbortError).
    #[napi]
    pub fn reset(&self, env: Env) {
        ImageQueue::reset(&self.core, &env, &EngineError::Abort("ImageDecoder was reset".into()));
    }

    /// Aborts pending work and releases the decoder's data for good.
    #[napi]
    pub fn close(&self, env: Env) {
        ImageQueue::close(&self.core, &env, &EngineError::Abort("ImageDecoder was closed".into()));
        external::settle(&env);
    }

    /// Whether `type` is an image format this build decodes.
    #[napi(ts_return_type = "Promise<boolean>")]
    pub fn is_type_supported(
        env: Env,
        #[napi(ts_arg_type = "string")] mime_type: DomString,
    ) -> napi::Result<napi_value> {
        if let Err(invalid) = dict::check_type(&mime_type) {
            return promise::settled_promise(&env, Err(invalid));
        }
        Ok(env.spawn(TypeSupport(mime_type.0))?.promise_object().raw())
    }
}

/// `isTypeSupported()`, answered on libuv's pool (it looks FFmpeg's decoders up).
struct TypeSupport(String);

impl Task for TypeSupport {
    type Output = bool;
    type JsValue = bool;

    fn compute(&mut self) -> napi::Result<bool> {
        Ok(engine::image::is_type_supported(&self.0))
    }

    fn resolve(&mut self, _env: Env, supported: bool) -> napi::Result<bool> {
        Ok(supported)
    }
}

impl ImageDecoder {
    /// The constructor's steps after the dictionary conversion.
    fn create(env: &Env, this: napi_value, init: &ImageDecoderInit) -> Result<Self, EngineError> {
        let checked = dict::check_init(init)?;
        let internal = |e: napi::Error| EngineError::type_error(format!("ImageDecoder: {}", e.reason));
        let data = init.data.0;
        let is_stream = stream::is_readable_stream(env, data);
        let bytes = if is_stream {
            if stream::is_locked(env, data) {
                return Err(EngineError::type_error("the data stream is locked to another reader"));
            }
            if stream::is_disturbed(env, data).map_err(internal)? {
                return Err(EngineError::type_error("the data stream has been read from or cancelled"));
            }
            None
        } else {
            let source = BufferSource::from_value(env, data)?;
            if source.len == 0 {
                return Err(EngineError::type_error("the image data is empty or detached"));
            }
            // SAFETY: no JS runs while the slice is alive.
            let bytes = unsafe { source.as_slice() }.to_vec();
            transfer::transfer(env, &source, &transfer::transfer_list(env, init.transfer)?)?;
            Some(bytes)
        };
        let per_env = PerEnv::of(env).ok_or_else(|| EngineError::type_error("ImageDecoder: no env state"))?;
        let core = ImageQueue::new(env, this).map_err(internal)?;
        let weak = Rc::downgrade(&core);
        core.borrow().tracks.borrow_mut().on_select = Some(Box::new(move |env: &Env| {
            if let Some(core) = weak.upgrade() {
                ImageQueue::reset(&core, env, &EngineError::Abort("the selected track changed".into()));
            }
        }));
        if bytes.is_some() {
            core.borrow_mut().mark_complete(env);
        }
        let decoder = Self { mime_type: init.mime_type.0.clone(), core };
        let session = checked
            .kind
            .ok_or_else(|| EngineError::not_supported(format!("'{}' images cannot be decoded", init.mime_type)));
        match session.and_then(|kind| ImageSession::new(kind, checked.desired_size)) {
            Ok(session) => ImageQueue::start(&decoder.core, env, &per_env, session, bytes, is_stream.then_some(data))?,
            // "Close ImageDecoder" with NotSupportedError: the promises say so.
            Err(unsupported) => ImageQueue::close(&decoder.core, env, &unsupported),
        }
        Ok(decoder)
    }
}

/// `ImageDecodeResult`: `{image, complete}` (frames are always whole here).
pub(crate) fn decode_result(env: &Env, image: DecodedImage) -> napi::Result<napi_value> {
    let (width, height) = (image.frame.coded_width, image.frame.coded_height);
    let bytes = image.frame.byte_size();
    let pixels = Pixels::native(env, image.frame, bytes);
    let display = image.orientation.oriented((width, height));
    let mut state = FrameState::new(pixels, Rect::of_size(width, height), display, image.color_space);
    state.orientation = image.orientation;
    let frame = VideoFrame::from_state(state, image.timestamp_us, image.duration_us);
    let frame = frame.into_instance(env)?.value;
    let result = raw::object(env)?;
    raw::set_property(env, result, c"image", frame)?;
    let complete = raw::to_value(env, true)?;
    raw::set_property(env, result, c"complete", complete)?;
    Ok(result)
}
