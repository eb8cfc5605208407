//! `ImageDecoder` (https://w3c.github.io/webcodecs/#imagedecoder-interface): encoded image
//! bytes, whole or streamed, into `VideoFrame`s. The JS thread validates, keeps the
//! promises and the track list; the decoder's worker thread
//! ([`image_worker`](crate::codec::image_worker)) owns the engine session.

use std::cell::RefCell;
use std::ptr;
use std::rc::{Rc, Weak};
use std::sync::Arc;

use engine::image::{DecodedImage, ImageSession};
use engine::video::Rect;
use engine::EngineError;
use napi::bindgen_prelude::{JavaScriptClassExt, This};
use napi::sys::{self, napi_value};
use napi::{Env, JsValue, Task};
use napi_derive::napi;

use crate::codec::image_worker::{self, Command, Event};
use crate::codec::inbox::Inbox;
use crate::codec::mailbox::Mailbox;
use crate::dict::image::{self as dict, ImageDecodeOptions, ImageDecoderInit};
use crate::image_track::{self, ImageTrackList, SharedTracks, Tracks};
use crate::js::buffer::BufferSource;
use crate::js::error::{closed, OrThrow};
use crate::js::raw::{self, check, JsHandle};
use crate::js::stream::{self, Read, StreamReader};
use crate::js::{promise, transfer};
use crate::memory::counters::{Live, IMAGE_DECODERS};
use crate::memory::external::{self, Accounted};
use crate::memory::per_env::PerEnv;
use crate::video_frame::{FrameState, Pixels, VideoFrame};

/// Decodes still and animated images (PNG/APNG, GIF, JPEG, WebP, BMP) into VideoFrames.
#[napi]
pub struct ImageDecoder {
    mime_type: String,
    core: Rc<RefCell<Core>>,
}

/// The JS thread's state of one decoder.
struct Core {
    env: sys::napi_env,
    /// `[[closed]]`.
    closed: bool,
    /// `[[complete]]`: all the data is in.
    complete: bool,
    commands: Arc<Inbox<Command>>,
    mailbox: Option<Arc<Mailbox<Event>>>,
    /// Commands sent and not yet handled by the worker.
    outstanding: u32,
    alive: bool,
    this: sys::napi_ref,
    /// `[[pending decode promises]]`, by request id, oldest first.
    pending: Vec<(u64, sys::napi_deferred)>,
    next_id: u64,
    /// `[[completed promise]]` and its deferred until settled.
    completed: sys::napi_ref,
    completed_deferred: Option<sys::napi_deferred>,
    tracks: SharedTracks,
    /// The `tracks` object ([SameObject]), held strongly.
    tracks_object: sys::napi_ref,
    /// The encoded bytes in the worker, reported to V8 until close.
    held: Vec<Accounted>,
    reader: Option<Rc<StreamReader>>,
    live: Option<Live>,
}

#[napi]
impl ImageDecoder {
    #[napi(constructor)]
    pub fn new(env: Env, this: This, #[napi(ts_arg_type = "ImageDecoderInit")] init: JsHandle) -> napi::Result<Self> {
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
            Some(options) if raw::type_of(&env, options.0)? != sys::ValueType::napi_undefined => {
                crate::dict::read_value::<ImageDecodeOptions>(&env, options.0)
            }
            _ => Ok(ImageDecodeOptions::default()),
        };
        let index = match options.and_then(|o| self.core.borrow().check_decode(dict::frame_index(&o))) {
            Ok(index) => index,
            Err(e) => return promise::settled_promise(&env, Err(e)),
        };
        let (deferred, promise) = promise::deferred(&env)?;
        let mut core = self.core.borrow_mut();
        let id = core.next_id;
        core.next_id += 1;
        core.pending.push((id, deferred));
        core.send(&env, Command::Decode { id, index });
        Ok(promise)
    }

    /// Aborts pending decodes (their promises reject with AbortError).
    #[napi]
    pub fn reset(&self, env: Env) {
        Core::reset(&self.core, &env, &EngineError::Abort("ImageDecoder was reset".into()));
    }

    /// Aborts pending work and releases the decoder's data for good.
    #[napi]
    pub fn close(&self, env: Env) {
        Core::close(&self.core, &env, &EngineError::Abort("ImageDecoder was closed".into()));
        external::settle(&env);
    }

    /// Whether `type` is an image format this build decodes.
    #[napi(ts_return_type = "Promise<boolean>")]
    pub fn is_type_supported(env: Env, #[napi(ts_arg_type = "string")] mime_type: String) -> napi::Result<napi_value> {
        Ok(env.spawn(TypeSupport(mime_type))?.promise_object().raw())
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
        let core = Core::new(env, this).map_err(internal)?;
        let weak = Rc::downgrade(&core);
        core.borrow().tracks.borrow_mut().on_select = Some(Box::new(move |env: &Env| {
            if let Some(core) = weak.upgrade() {
                Core::reset(&core, env, &EngineError::Abort("the selected track changed".into()));
            }
        }));
        let decoder = Self { mime_type: init.mime_type.clone(), core };
        let session = checked
            .kind
            .ok_or_else(|| EngineError::not_supported(format!("'{}' images cannot be decoded", init.mime_type)));
        match session.and_then(|kind| ImageSession::new(kind, checked.desired_size)) {
            Ok(session) => decoder.start(env, &per_env, session, bytes, is_stream.then_some(data))?,
            // "Close ImageDecoder" with NotSupportedError: the promises say so.
            Err(unsupported) => Core::close(&decoder.core, env, &unsupported),
        }
        Ok(decoder)
    }

    /// Starts the worker and hands it the data, or starts reading the stream.
    fn start(
        &self,
        env: &Env,
        per_env: &PerEnv,
        session: ImageSession,
        bytes: Option<Vec<u8>>,
        stream: Option<napi_value>,
    ) -> Result<(), EngineError> {
        let internal = |e: napi::Error| EngineError::type_error(format!("ImageDecoder: {}", e.reason));
        let weak = Rc::downgrade(&self.core);
        let mailbox = Mailbox::new(env, "ImageDecoder", move |env: &Env, event: Event| {
            if let Some(core) = weak.upgrade() {
                Core::handle(&core, env, event);
            }
        })
        .map_err(internal)?;
        let mailbox = Arc::new(mailbox);
        let commands = self.core.borrow().commands.clone();
        self.core.borrow_mut().mailbox = Some(mailbox.clone());
        image_worker::start(per_env, session, commands, mailbox)?;
        if let Some(bytes) = bytes {
            let mut core = self.core.borrow_mut();
            core.take_data(env, bytes);
            core.send(env, Command::End);
        }
        if let Some(stream) = stream {
            let weak = Rc::downgrade(&self.core);
            let reader = stream::read_all(env, stream, Box::new(move |env, read| on_read(&weak, env, read)))
                .map_err(internal)?;
            self.core.borrow_mut().reader = Some(reader);
        }
        Ok(())
    }
}

/// One outcome of reading the data stream; whether to read on.
fn on_read(core: &Weak<RefCell<Core>>, env: &Env, read: Read) -> bool {
    let Some(core) = core.upgrade() else { return false };
    if core.borrow().closed {
        return false;
    }
    match read {
        Read::Chunk(chunk) => match BufferSource::from_value(env, chunk) {
            Ok(source) => {
                // SAFETY: no JS runs while the slice is alive.
                let bytes = unsafe { source.as_slice() }.to_vec();
                core.borrow_mut().take_data(env, bytes);
                true
            }
            Err(_) => {
                Core::close(
                    &core,
                    env,
                    &EngineError::Data("the data stream gave a chunk that is no BufferSource".into()),
                );
                false
            }
        },
        Read::Done => {
            let mut c = core.borrow_mut();
            c.reader = None;
            c.send(env, Command::End);
            false
        }
        Read::Failed => {
            Core::close(&core, env, &EngineError::NotReadable("the data stream errored".into()));
            false
        }
    }
}

impl Core {
    fn new(env: &Env, this: napi_value) -> napi::Result<Rc<RefCell<Self>>> {
        let (tracks, tracks_object) = ImageTrackList::create(env)?;
        let (completed_deferred, completed) = promise::deferred(env)?;
        image_track::mark_handled(env, completed)?;
        Ok(Rc::new(RefCell::new(Self {
            env: env.raw(),
            closed: false,
            complete: false,
            commands: Arc::new(Inbox::default()),
            mailbox: None,
            outstanding: 0,
            alive: false,
            this: raw::weak_ref(env, this)?,
            pending: Vec::new(),
            next_id: 0,
            completed: strong_ref(env, completed)?,
            completed_deferred: Some(completed_deferred),
            tracks,
            tracks_object: strong_ref(env, tracks_object)?,
            held: Vec::new(),
            reader: None,
            live: Some(Live::new(&IMAGE_DECODERS)),
        })))
    }

    /// The checks of `decode()` before its promise is queued: the frame index asked for.
    fn check_decode(&self, index: u32) -> Result<u32, EngineError> {
        if self.closed {
            return Err(closed("ImageDecoder"));
        }
        let tracks = self.tracks.borrow();
        if tracks.established() {
            let Some(track) = tracks.selected() else {
                return Err(EngineError::InvalidState("no track is selected".into()));
            };
            // "Reject Infeasible Decode".
            if self.complete && index >= track.frame_count {
                return Err(EngineError::range_error(format!("frame {index} is past the last frame")));
            }
        }
        Ok(index)
    }

    fn take_data(&mut self, env: &Env, bytes: Vec<u8>) {
        self.held.push(Accounted::new(env, bytes.len()));
        self.send(env, Command::Data(bytes));
    }

    fn send(&mut self, env: &Env, command: Command) {
        if !self.closed && self.commands.push(command) {
            self.outstanding += 1;
            self.update_liveness(env);
        }
    }

    /// Keeps the event loop and the JS object alive exactly while work is pending.
    fn update_liveness(&mut self, env: &Env) {
        let busy = !self.closed && (self.outstanding > 0 || !self.pending.is_empty());
        if busy == self.alive {
            return;
        }
        self.alive = busy;
        if let Some(mailbox) = &self.mailbox {
            mailbox.set_alive(env, busy);
        }
        raw::set_ref_strength(env, self.this, busy);
    }

    /// On the JS thread, for each message of the worker.
    fn handle(core: &Rc<RefCell<Self>>, env: &Env, event: Event) {
        if core.borrow().closed {
            return;
        }
        match event {
            Event::Done => {
                let mut c = core.borrow_mut();
                c.outstanding = c.outstanding.saturating_sub(1);
                c.update_liveness(env);
            }
            Event::Track(info) => {
                let tracks = core.borrow().tracks.clone();
                if tracks.borrow().established() {
                    tracks.borrow_mut().update(info);
                } else if Tracks::establish(&tracks, env, info).is_err() {
                    Self::close(core, env, &EngineError::encoding("cannot establish the tracks"));
                }
            }
            Event::Completed => {
                let mut c = core.borrow_mut();
                c.complete = true;
                if let Some(deferred) = c.completed_deferred.take() {
                    promise::resolve_undefined(env, deferred);
                }
            }
            Event::Decoded { id, result } => Self::decoded(core, env, id, result),
            Event::Fatal(error) => Self::close(core, env, &error),
        }
    }

    /// Settles the promise of request `id` (gone after a reset: the frame is dropped).
    fn decoded(core: &Rc<RefCell<Self>>, env: &Env, id: u64, result: Result<DecodedImage, EngineError>) {
        let deferred = {
            let mut c = core.borrow_mut();
            let Some(at) = c.pending.iter().position(|(pending, _)| *pending == id) else { return };
            let (_, deferred) = c.pending.remove(at);
            c.update_liveness(env);
            deferred
        };
        match result.map(|image| decode_result(env, image)) {
            Ok(Ok(value)) => {
                // SAFETY: see `raw`'s module comment; each deferred is settled once.
                unsafe { sys::napi_resolve_deferred(env.raw(), deferred, value) };
            }
            Ok(Err(e)) => promise::reject(env, deferred, &EngineError::encoding(e.reason)),
            Err(range @ EngineError::Range(_)) => promise::reject(env, deferred, &range),
            // "Fatally Reject Bad Data": the decoder closes with the error.
            Err(error) => {
                promise::reject(env, deferred, &error);
                Self::close(core, env, &error);
            }
        }
    }

    /// "Reset ImageDecoder": pending decodes reject with `error`.
    fn reset(core: &Rc<RefCell<Self>>, env: &Env, error: &EngineError) {
        let pending = {
            let mut c = core.borrow_mut();
            let pending = std::mem::take(&mut c.pending);
            if !pending.is_empty() {
                c.send(env, Command::Reset);
            }
            c.update_liveness(env);
            pending
        };
        for (_, deferred) in pending {
            promise::reject(env, deferred, error);
        }
    }

    /// "Close ImageDecoder" with `error`: pending work rejects, the unsettled promises
    /// reject, the tracks empty, the worker ends and the data is released.
    fn close(core: &Rc<RefCell<Self>>, env: &Env, error: &EngineError) {
        if core.borrow().closed {
            return;
        }
        Self::reset(core, env, error);
        let (reader, tracks) = {
            let mut c = core.borrow_mut();
            c.update_liveness_closing(env);
            c.closed = true;
            c.commands.close();
            c.held.clear();
            c.live = None;
            if let Some(deferred) = c.completed_deferred.take() {
                promise::reject(env, deferred, error);
            }
            (c.reader.take(), c.tracks.clone())
        };
        tracks.borrow_mut().close(env, error);
        if let Some(reader) = reader {
            stream::cancel(env, &reader);
        }
    }

    /// Lets the event loop and the object go before the worker releases the mailbox.
    fn update_liveness_closing(&mut self, env: &Env) {
        if self.alive {
            self.alive = false;
            if let Some(mailbox) = &self.mailbox {
                mailbox.set_alive(env, false);
            }
            raw::set_ref_strength(env, self.this, false);
        }
    }
}

impl Drop for Core {
    fn drop(&mut self) {
        // Collected without close(): the worker ends when its queue closes.
        self.commands.close();
        // SAFETY: the core lives on its env's JS thread and is dropped with the decoder's
        // JS object, by its finalizer, while the env is alive; the references were
        // created in that env and are deleted only here.
        unsafe {
            sys::napi_delete_reference(self.env, self.this);
            sys::napi_delete_reference(self.env, self.completed);
            sys::napi_delete_reference(self.env, self.tracks_object);
        }
    }
}

fn strong_ref(env: &Env, value: napi_value) -> napi::Result<sys::napi_ref> {
    let mut reference = ptr::null_mut();
    // SAFETY: see `raw`'s module comment.
    unsafe { check(sys::napi_create_reference(env.raw(), value, 1, &mut reference), "reference")? };
    Ok(reference)
}

/// `ImageDecodeResult`: `{image, complete}` (frames are always whole here).
fn decode_result(env: &Env, image: DecodedImage) -> napi::Result<napi_value> {
    let (width, height) = (image.frame.coded_width, image.frame.coded_height);
    let bytes = image.frame.byte_size();
    let pixels = Pixels::native(env, image.frame, bytes);
    let state = FrameState::new(pixels, Rect::of_size(width, height), (width, height), image.color_space);
    let frame = VideoFrame::from_state(state, image.timestamp_us, image.duration_us);
    let frame = frame.into_instance(env)?.value;
    let result = raw::object(env)?;
    raw::set_property(env, result, c"image", frame)?;
    let complete = raw::to_value(env, true)?;
    raw::set_property(env, result, c"complete", complete)?;
    Ok(result)
}
