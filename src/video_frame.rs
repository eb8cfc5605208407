//! `VideoFrame` (https://w3c.github.io/webcodecs/#videoframe-interface).

use std::sync::Arc;

use engine::video::{
    compute_layout, derived_display_size, needs_conversion, rgb_conversion, AlphaOption, ColorSpace, FrameBuffer,
    Orientation, PixelFormat, PredefinedColorSpace, Rect,
};
use engine::{EngineError, IdlEnum};
use napi::bindgen_prelude::{ClassInstance, FromNapiValue, JavaScriptClassExt, ObjectFinalize, This};
use napi::sys::napi_value;
use napi::{Env, JsValue};
use napi_derive::napi;

use crate::dict::frame::{self, VideoFrameBufferInit, VideoFrameCopyToOptions, VideoFrameInit};
use crate::dict::{self, webidl};
use crate::dom_rect::DOMRectReadOnly;
use crate::js::buffer::BufferSource;
use crate::js::error::{closed, OrThrow};
use crate::js::promise;
use crate::js::raw::{self, JsHandle, StrongRef};
use crate::js::transfer;
use crate::memory::anchor::{self, Held, V8Bytes};
use crate::memory::counters::{Live, VIDEO_FRAMES};
use crate::memory::external::{self, Media};
use crate::video_color_space::VideoColorSpace;

mod copy;
mod metadata;

use copy::{layouts_of, ConversionPlan, ConvertInto, Copied};
use metadata::{FrameMetadata, MetadataInit};

/// Pixel memory shared by a frame and its clones.
pub type Pixels = Media<FrameBuffer>;

/// What an open frame holds; dropped (and so uncounted) at close or collection.
pub struct FrameState {
    pub pixels: Arc<Pixels>,
    pub format: PixelFormat,
    pub visible_rect: Rect,
    pub display_width: u32,
    pub display_height: u32,
    pub color_space: ColorSpace,
    pub orientation: Orientation,
    pub metadata: FrameMetadata,
    _live: Live,
}

impl FrameState {
    pub fn new(pixels: Arc<Pixels>, visible_rect: Rect, display: (u32, u32), color_space: ColorSpace) -> Self {
        let format = pixels.buffer.format;
        Self {
            pixels,
            format,
            visible_rect,
            display_width: display.0,
            display_height: display.1,
            color_space,
            orientation: Orientation::default(),
            metadata: FrameMetadata::default(),
            _live: Live::new(&VIDEO_FRAMES),
        }
    }

    fn coded_rect(&self) -> Rect {
        Rect::of_size(self.pixels.buffer.coded_width, self.pixels.buffer.coded_height)
    }

    /// "Clone VideoFrame": a new reference to the pixels and a copy of every other slot.
    fn clone_slots(&self) -> Self {
        let display = (self.display_width, self.display_height);
        let mut copy = Self::new(self.pixels.clone(), self.visible_rect, display, self.color_space.clone());
        copy.format = self.format;
        copy.orientation = self.orientation;
        copy.metadata = self.metadata.clone();
        copy
    }
}

/// A frame of video: pixels in native memory plus timing and colour metadata.
#[napi(custom_finalize)]
pub struct VideoFrame {
    state: Option<FrameState>,
    timestamp: i64,
    duration: Option<i64>,
    /// `[[color space]]`, which "Close VideoFrame" leaves as it is.
    color_space: ColorSpace,
    /// Whether the pixels live in an ArrayBuffer tied to this object (`anchor`).
    anchored: bool,
}

impl VideoFrame {
    /// A frame over native pixel memory (a decoder's output).
    pub fn from_state(state: FrameState, timestamp: i64, duration: Option<i64>) -> Self {
        let color_space = state.color_space.clone();
        Self { state: Some(state), timestamp, duration, color_space, anchored: false }
    }

    /// The open frame's state, or the spec's InvalidStateError once closed.
    pub fn open(&self) -> Result<&FrameState, EngineError> {
        self.state.as_ref().ok_or_else(|| closed("VideoFrame"))
    }

    fn from_buffer(
        env: &Env,
        this: napi_value,
        data: napi_value,
        init: VideoFrameBufferInit,
    ) -> Result<Self, EngineError> {
        let format = PixelFormat::parse(&init.format)?;
        let coded_width = webidl::enforce_u32(init.coded_width, "codedWidth")?;
        let coded_height = webidl::enforce_u32(init.coded_height, "codedHeight")?;
        if coded_width == 0 || coded_height == 0 {
            return Err(EngineError::type_error("codedWidth and codedHeight must be non-zero"));
        }
        let visible_rect = match &init.visible_rect {
            Some(r) => frame::rect(r, coded_width, coded_height, format)?,
            None => Rect::of_size(coded_width, coded_height),
        };
        let orientation = Orientation::from_init(init.rotation.map(|r| r.0), init.flip.map(|f| f.0))?;
        let display = frame::display_size(init.display_width, init.display_height)?
            .unwrap_or_else(|| orientation.oriented((visible_rect.width, visible_rect.height)));
        let metadata = init.metadata.map(|m| MetadataInit::convert(env, m)).transpose()?;
        let layout = init.layout.as_deref().map(frame::plane_layouts).transpose()?;
        let color_space = init.color_space.as_ref().map(frame::color_space).transpose()?;
        let duration = webidl::duration(init.duration)?;
        let timestamp = webidl::enforce_long_long(init.timestamp, "timestamp")?;
        let source = BufferSource::from_value(env, data)?;
        FrameBuffer::check_source(format, coded_width, coded_height, source.len, layout.as_deref())?;
        // The draft copies the metadata last; a closed mask's DataCloneError comes after
        // every other check, though before the transfer rather than after it, so that a
        // failed constructor leaves the caller's buffers attached.
        let metadata = metadata.map(|m| m.copy(env)).transpose()?.unwrap_or_default();

        let transfer = transfer::transfer_list(env, init.transfer)?;
        let buffer = match transfer::transfer(env, &source, &transfer)? {
            Some((moved, ptr)) => {
                anchor::tie(env, this, moved).map_err(out_of_memory)?;
                let bytes = Box::new(V8Bytes::new(ptr, source.len));
                FrameBuffer::from_bytes(format, coded_width, coded_height, bytes, layout.as_deref())?
            }
            None => {
                // SAFETY: no JS runs while the slice is alive.
                let data = unsafe { source.as_slice() };
                FrameBuffer::copy_from(format, coded_width, coded_height, data, layout.as_deref(), |size| {
                    let (array_buffer, bytes) = anchor::allocate(env, size).map_err(out_of_memory)?;
                    anchor::tie(env, this, array_buffer).map_err(out_of_memory)?;
                    Ok(Box::new(bytes))
                })?
            }
        };
        let pixels = Media::in_v8(buffer);
        let mut state = FrameState::new(pixels, visible_rect, display, ColorSpace::pick(color_space, format));
        state.orientation = orientation;
        state.metadata = metadata;
        let mut frame = Self::from_state(state, timestamp, duration);
        frame.anchored = true;
        Ok(frame)
    }

    /// "Initialize Frame From Other Frame"
    /// (https://w3c.github.io/webcodecs/#videoframe-initialize-frame-from-other-frame).
    fn from_frame(env: &Env, other: &VideoFrame, init: VideoFrameInit) -> Result<Self, EngineError> {
        let metadata = init.metadata.map(|m| MetadataInit::convert(env, m)).transpose()?;
        let source = other.open()?;
        let mut format = source.format;
        if init.alpha.as_deref().map(AlphaOption::parse).transpose()? == Some(AlphaOption::Discard) {
            format = format.without_alpha();
        }
        let coded = source.coded_rect();
        let visible_rect = match &init.visible_rect {
            Some(r) => frame::rect(r, coded.width, coded.height, source.format)?,
            None => source.visible_rect,
        };
        let orientation =
            source.orientation.compose(Orientation::from_init(init.rotation.map(|r| r.0), init.flip.map(|f| f.0))?);
        let display = match frame::display_size(init.display_width, init.display_height)? {
            Some(size) => size,
            None => derived_display_size(
                source.orientation,
                (source.visible_rect.width, source.visible_rect.height),
                (source.display_width, source.display_height),
                (visible_rect.width, visible_rect.height),
                orientation,
            ),
        };
        let mut state = source.clone_slots();
        state.visible_rect = visible_rect;
        (state.display_width, state.display_height) = display;
        state.format = format;
        state.orientation = orientation;
        // A frame made from a frame keeps its metadata unless the init brings new.
        if let Some(metadata) = metadata {
            state.metadata = metadata.copy(env)?;
        }
        let timestamp = init.timestamp.map_or(other.timestamp, webidl::long_long);
        let duration = init.duration.map_or(other.duration, |d| Some(webidl::unsigned_long_long(d)));
        Ok(Self { anchored: other.anchored, ..Self::from_state(state, timestamp, duration) })
    }

    /// The spec's "Parse VideoFrameCopyToOptions": the rect to read, the format to
    /// write, and the destination layout with its size.
    fn plan_copy(
        &self,
        options: &VideoFrameCopyToOptions,
    ) -> Result<(Rect, PixelFormat, Vec<engine::video::ComputedPlane>, u32), EngineError> {
        let state = self.open()?;
        // WebIDL converts the whole dictionary (enum values, [EnforceRange] members)
        // before the algorithm runs, so those TypeErrors precede its NotSupportedError.
        let requested = options.format.as_deref().map(PixelFormat::parse).transpose()?;
        options.color_space.as_deref().map(PredefinedColorSpace::parse).transpose()?;
        let layout = options.layout.as_deref().map(frame::plane_layouts).transpose()?;
        let coded = state.coded_rect();
        let rect = match &options.rect {
            Some(r) => frame::rect(r, coded.width, coded.height, state.format)?,
            None => state.visible_rect,
        };
        let format = match requested {
            None => state.format,
            Some(f) if f == state.format || f.is_rgb() => f,
            Some(f) => return Err(EngineError::not_supported(format!("copyTo cannot convert to {}", f.as_str()))),
        };
        let (planes, size) = compute_layout(format, rect, layout.as_deref())?;
        Ok((rect, format, planes, size))
    }

    /// A copy in the frame's own format is done at once; a conversion is planned for
    /// the pool (every check that can fail has run by then).
    fn copy_into(
        &self,
        env: &Env,
        this: napi_value,
        dest: &mut [u8],
        options: &VideoFrameCopyToOptions,
    ) -> Result<Copied, EngineError> {
        let (rect, format, planes, size) = self.plan_copy(options)?;
        if dest.len() < size as usize {
            return Err(EngineError::type_error(format!("destination is {} bytes, {size} needed", dest.len())));
        }
        let state = self.open()?;
        // "If it does not exist, srgb is used"; it only applies to RGB output.
        let target = PredefinedColorSpace::parse_or_default(options.color_space.as_deref())?;
        let convert = format.is_rgb() && needs_conversion(&state.color_space, target);
        if format == state.format && !convert {
            state.pixels.buffer.copy_rect_to(&planes, dest);
            return Ok(Copied::Done(layouts_of(&planes)));
        }
        rgb_conversion(state.pixels.buffer.format, rect, format)?;
        let pixels = Held::new(env, this, &state.pixels).map_err(|e| EngineError::type_error(e.reason))?;
        let color = state.color_space.clone();
        Ok(Copied::Converting(ConversionPlan { pixels, color, target, rect, format, planes, size: size as usize }))
    }
}

#[napi]
impl VideoFrame {
    /// `new VideoFrame(data, init)` from pixels in a buffer, or `new VideoFrame(frame,
    /// init?)` from another frame with overrides.
    #[napi(constructor)]
    pub fn new(
        env: Env,
        this: This,
        #[napi(ts_arg_type = "VideoFrame | CanvasImageSourceOfDom | AllowSharedBufferSource")] source: JsHandle,
        #[napi(ts_arg_type = "VideoFrameBufferInit | VideoFrameInit")] init: Option<JsHandle>,
    ) -> napi::Result<Self> {
        crate::js::interface::constructing::<Self>(&env, &this)?;
        // A mask dropped where nothing released it (a constructor that failed after
        // copying its metadata) gave its buffer back; let it go now.
        anchor::release_held(&env);
        let frame = if BufferSource::from_value(&env, source.0).is_ok() {
            let Some(init) = init else {
                return Err(EngineError::type_error("VideoFrameBufferInit is required")).or_throw(&env);
            };
            let init: VideoFrameBufferInit = dict::read(&env, init.0)?;
            Self::from_buffer(&env, this.object.raw(), source.0, init)
        } else {
            // SAFETY: `source` is a live argument of this call; anything but a VideoFrame
            // fails napi-rs's unwrap and type-tag check.
            let other = match unsafe { ClassInstance::<VideoFrame>::from_napi_value(env.raw(), source.0) } {
                Ok(other) => other,
                Err(_) => {
                    return Err(EngineError::type_error("source must be a VideoFrame or a BufferSource")).or_throw(&env)
                }
            };
            let init = match init {
                Some(init) => dict::read(&env, init.0)?,
                None => VideoFrameInit::default(),
            };
            let frame = Self::from_frame(&env, &other, init).or_throw(&env)?;
            if frame.anchored {
                anchor::share(&env, source.0, this.object.raw())?;
            }
            Ok(frame)
        };
        frame.or_throw(&env)
    }

    #[napi(getter, ts_return_type = "VideoPixelFormat | null")]
    pub fn format(&self) -> Option<&'static str> {
        self.state.as_ref().map(|s| s.format.as_str())
    }

    #[napi(getter)]
    pub fn coded_width(&self) -> u32 {
        self.state.as_ref().map_or(0, |s| s.pixels.buffer.coded_width)
    }

    #[napi(getter)]
    pub fn coded_height(&self) -> u32 {
        self.state.as_ref().map_or(0, |s| s.pixels.buffer.coded_height)
    }

    #[napi(getter)]
    pub fn coded_rect(&self) -> Option<DOMRectReadOnly> {
        self.state.as_ref().map(|s| s.coded_rect().into())
    }

    #[napi(getter)]
    pub fn visible_rect(&self) -> Option<DOMRectReadOnly> {
        self.state.as_ref().map(|s| s.visible_rect.into())
    }

    /// Degrees clockwise (0, 90, 180 or 270) to turn the frame when it is shown.
    #[napi(getter)]
    pub fn rotation(&self) -> u32 {
        self.state.as_ref().map_or(0, |s| s.orientation.rotation)
    }

    /// Whether the frame is flipped horizontally, after the rotation, when it is shown.
    #[napi(getter)]
    pub fn flip(&self) -> bool {
        self.state.as_ref().is_some_and(|s| s.orientation.flip)
    }

    #[napi(getter)]
    pub fn display_width(&self) -> u32 {
        self.state.as_ref().map_or(0, |s| s.display_width)
    }

    #[napi(getter)]
    pub fn display_height(&self) -> u32 {
        self.state.as_ref().map_or(0, |s| s.display_height)
    }

    /// Presentation time in microseconds.
    #[napi(getter)]
    pub fn timestamp(&self) -> i64 {
        self.timestamp
    }

    /// Duration in microseconds, or null.
    #[napi(getter)]
    pub fn duration(&self) -> Option<i64> {
        self.duration
    }

    #[napi(getter)]
    pub fn color_space(&self) -> VideoColorSpace {
        VideoColorSpace::from(self.color_space.clone())
    }

    /// Bytes `copyTo()` needs for these options.
    #[napi]
    pub fn allocation_size(
        &self,
        env: Env,
        #[napi(ts_arg_type = "VideoFrameCopyToOptions")] options: Option<JsHandle>,
    ) -> napi::Result<u32> {
        let options = copy_options(&env, options)?;
        self.plan_copy(&options).map(|(.., size)| size).or_throw(&env)
    }

    /// Copies (and optionally converts to RGB) the frame's pixels into `destination`.
    #[napi(ts_return_type = "Promise<PlaneLayout[]>")]
    pub fn copy_to(
        &self,
        env: Env,
        this: This,
        #[napi(ts_arg_type = "AllowSharedBufferSource")] destination: JsHandle,
        #[napi(ts_arg_type = "VideoFrameCopyToOptions")] options: Option<JsHandle>,
    ) -> napi::Result<napi_value> {
        let options = match options {
            Some(options) => dict::read_value(&env, options.0),
            None => Ok(VideoFrameCopyToOptions::default()),
        };
        let options = match options {
            Ok(options) => options,
            Err(e) => return promise::settled_promise(&env, Err(e)),
        };
        let result = BufferSource::from_value(&env, destination.0).and_then(|dest| {
            // SAFETY: no JS runs while the slice is alive.
            let dest = unsafe { dest.as_mut_slice() };
            self.copy_into(&env, this.object.raw(), dest, &options)
        });
        match result {
            Ok(Copied::Done(layouts)) => promise::settled_promise(&env, Ok(raw::to_value(&env, layouts)?)),
            Ok(Copied::Converting(plan)) => {
                let task = ConvertInto { plan, destination: StrongRef::new(&env, destination.0)? };
                Ok(env.spawn(task)?.promise_object().raw())
            }
            Err(e) => promise::settled_promise(&env, Err(e)),
        }
    }

    /// A copy of the frame's metadata (members of the VideoFrame Metadata Registry); a
    /// `backgroundSegmentationMask` is a new VideoFrame each time, for the caller to close.
    #[napi(ts_return_type = "VideoFrameMetadata")]
    pub fn metadata(&self, env: Env) -> napi::Result<napi_value> {
        self.open().or_throw(&env)?.metadata.to_js(&env)
    }

    /// A new frame sharing these pixels (no copy).
    #[napi(ts_args_type = "", ts_return_type = "VideoFrame")]
    pub fn clone(&self, env: Env, this: This) -> napi::Result<napi_value> {
        let copy = self.open().or_throw(&env)?.clone_slots();
        let clone = Self { anchored: self.anchored, ..Self::from_state(copy, self.timestamp, self.duration) };
        let instance = clone.into_instance(&env)?.value;
        if self.anchored {
            anchor::share(&env, this.object.raw(), instance)?;
        }
        Ok(instance)
    }

    /// Releases the pixels now rather than at garbage collection. Idempotent.
    #[napi(ts_args_type = "")]
    pub fn close(&mut self, env: Env, this: This) -> napi::Result<()> {
        let share = self.state.take().map(|state| state.pixels);
        anchor::close(&env, this.object.raw(), &mut self.anchored, share)?;
        // The mask in this frame's metadata, if this was its last holder, gave its
        // buffer back just now.
        anchor::release_held(&env);
        Ok(())
    }
}

impl ObjectFinalize for VideoFrame {
    fn finalize(mut self, env: Env) -> napi::Result<()> {
        self.state = None;
        // Finalizers run from the event loop, so the buffer of a mask this frame held
        // can go back now rather than at the next constructor.
        anchor::release_held(&env);
        external::settle(&env);
        Ok(())
    }
}

fn out_of_memory(e: napi::Error) -> EngineError {
    EngineError::QuotaExceeded(format!("cannot allocate frame memory: {}", e.reason))
}

fn copy_options(env: &Env, options: Option<JsHandle>) -> napi::Result<VideoFrameCopyToOptions> {
    match options {
        Some(options) => dict::read(env, options.0),
        None => Ok(VideoFrameCopyToOptions::default()),
    }
}
