//! The JS thread's half of an `ImageDecoder` (https://w3c.github.io/webcodecs/#imagedecoder-interface):
//! `[[closed]]`, `[[complete]]`, the pending decode promises, the completed promise, the
//! track list, the data stream being read, and the messages of the decoder's worker
//! ([`image_worker`](crate::codec::image_worker)). The class file `image_decoder.rs` only
//! converts arguments and forwards here.

use std::cell::RefCell;
use std::ptr;
use std::rc::{Rc, Weak};
use std::sync::Arc;

use engine::image::{DecodedImage, ImageSession};
use engine::EngineError;
use napi::sys::{self, napi_value};
use napi::Env;

use crate::codec::image_worker::{self, Command, Event};
use crate::codec::inbox::Inbox;
use crate::codec::mailbox::Mailbox;
use crate::image_decoder::decode_result;
use crate::image_track::{self, ImageTrackList, SharedTracks, Tracks};
use crate::js::buffer::BufferSource;
use crate::js::error::{closed, Exception};
use crate::js::promise;
use crate::js::raw::{self, check};
use crate::js::stream::{self, Read, StreamReader};
use crate::memory::counters::{Live, IMAGE_DECODERS};
use crate::memory::external::Accounted;
use crate::memory::per_env::PerEnv;

/// The JS thread's state of one decoder.
pub struct ImageQueue {
    env: sys::napi_env,
    /// `[[closed]]`.
    pub closed: bool,
    /// `[[complete]]`: all the data is in (for a buffer, from the constructor on).
    pub complete: bool,
    /// The worker has all the data, so the track's frame count is final.
    counted: bool,
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
    pub completed: sys::napi_ref,
    completed_deferred: Option<sys::napi_deferred>,
    pub tracks: SharedTracks,
    /// The `tracks` object ([SameObject]), held strongly.
    tracks_object: sys::napi_ref,
    /// The encoded bytes in the worker, reported to V8 until close.
    held: Vec<Accounted>,
    reader: Option<Rc<StreamReader>>,
    live: Option<Live>,
}

/// One outcome of reading the data stream; whether to read on.
fn on_read(core: &Weak<RefCell<ImageQueue>>, env: &Env, read: Read) -> bool {
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
                ImageQueue::close(
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
            ImageQueue::close(&core, env, &EngineError::NotReadable("the data stream errored".into()));
            false
        }
    }
}

impl ImageQueue {
    /// Starts the worker and hands it the data, or starts reading the stream.
    pub fn start(
        core: &Rc<RefCell<Self>>,
        env: &Env,
        per_env: &PerEnv,
        session: ImageSession,
        bytes: Option<Vec<u8>>,
        stream: Option<napi_value>,
    ) -> Result<(), EngineError> {
        let internal = |e: napi::Error| EngineError::type_error(format!("ImageDecoder: {}", e.reason));
        let weak = Rc::downgrade(core);
        let mailbox = Mailbox::new(env, "ImageDecoder", move |env: &Env, event: Event| {
            if let Some(core) = weak.upgrade() {
                ImageQueue::handle(&core, env, event);
            }
        })
        .map_err(internal)?;
        let mailbox = Arc::new(mailbox);
        let commands = core.borrow().commands.clone();
        core.borrow_mut().mailbox = Some(mailbox.clone());
        image_worker::start(per_env, session, commands, mailbox)?;
        if let Some(bytes) = bytes {
            let mut core = core.borrow_mut();
            core.take_data(env, bytes);
            core.send(env, Command::End);
        }
        if let Some(stream) = stream {
            let weak = Rc::downgrade(core);
            let reader = stream::read_all(env, stream, Box::new(move |env, read| on_read(&weak, env, read)))
                .map_err(internal)?;
            core.borrow_mut().reader = Some(reader);
        }
        Ok(())
    }

    pub fn new(env: &Env, this: napi_value) -> napi::Result<Rc<RefCell<Self>>> {
        let (tracks, tracks_object) = ImageTrackList::create(env)?;
        let (completed_deferred, completed) = promise::deferred(env)?;
        image_track::mark_handled(env, completed)?;
        Ok(Rc::new(RefCell::new(Self {
            env: env.raw(),
            closed: false,
            complete: false,
            counted: false,
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

    /// `[[complete]]` true and `[[completed promise]]` resolved: for buffer data, by the
    /// constructor (steps 18.4-18.5); for a stream, once the worker has all of it.
    pub fn mark_complete(&mut self, env: &Env) {
        self.complete = true;
        if let Some(deferred) = self.completed_deferred.take() {
            promise::resolve_undefined(env, deferred);
        }
    }

    /// The checks of `decode()` before its promise is queued: the frame index asked for.
    pub fn check_decode(&self, index: u32) -> Result<u32, EngineError> {
        if self.closed {
            return Err(closed("ImageDecoder"));
        }
        let tracks = self.tracks.borrow();
        if tracks.established() {
            let Some(track) = tracks.selected() else {
                return Err(EngineError::InvalidState("no track is selected".into()));
            };
            // "Reject Infeasible Decode".
            if self.counted && index >= track.frame_count {
                return Err(EngineError::range_error(format!("frame {index} is past the last frame")));
            }
        }
        Ok(index)
    }

    /// Queues a decode of frame `index`: a promise in `[[pending decode promises]]`.
    pub fn decode(&mut self, env: &Env, index: u32) -> napi::Result<napi_value> {
        let (deferred, promise) = promise::deferred(env)?;
        let id = self.next_id;
        self.next_id += 1;
        self.pending.push((id, deferred));
        self.send(env, Command::Decode { id, index });
        Ok(promise)
    }

    pub fn take_data(&mut self, env: &Env, bytes: Vec<u8>) {
        self.held.push(Accounted::new(env, bytes.len()));
        self.send(env, Command::Data(bytes));
    }

    pub fn send(&mut self, env: &Env, command: Command) {
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
                c.counted = true;
                c.mark_complete(env);
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
    pub fn reset(core: &Rc<RefCell<Self>>, env: &Env, error: &EngineError) {
        Self::reset_with(core, env, &mut Exception::new(error));
    }

    fn reset_with(core: &Rc<RefCell<Self>>, env: &Env, exception: &mut Exception) {
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
            promise::reject_with(env, deferred, exception);
        }
    }

    /// "Close ImageDecoder" with `error`: pending work rejects, the unsettled promises
    /// reject, the tracks empty, the worker ends and the data is released.
    pub fn close(core: &Rc<RefCell<Self>>, env: &Env, error: &EngineError) {
        if core.borrow().closed {
            return;
        }
        let mut exception = Exception::new(error);
        Self::reset_with(core, env, &mut exception);
        let (reader, tracks) = {
            let mut c = core.borrow_mut();
            c.update_liveness_closing(env);
            c.closed = true;
            c.commands.close();
            c.held.clear();
            c.live = None;
            if let Some(deferred) = c.completed_deferred.take() {
                promise::reject_with(env, deferred, &mut exception);
            }
            (c.reader.take(), c.tracks.clone())
        };
        tracks.borrow_mut().close(env, &mut exception);
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

impl Drop for ImageQueue {
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
