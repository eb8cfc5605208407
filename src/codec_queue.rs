//! The machinery every WebCodecs codec shares (https://w3c.github.io/webcodecs/#codec-processing-model-section):
//! the state machine, the control queue and its size, `dequeue` events, flush promises,
//! reset and close, the worker that owns the FFmpeg session, and the backpressure gate.
//! Each codec class supplies a [`Codec`] and stays a thin layer of argument conversion.
//!
//! Threads: the JS thread owns [`CodecQueue`]; one worker thread per instance owns the
//! engine session. Commands go to the worker over a channel; results come back through
//! a [`Mailbox`]. Work from before a `reset()`/`close()` is recognised by its
//! generation and dropped on both sides, so no stale output is ever delivered.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::{Rc, Weak};
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};

use engine::EngineError;
use napi::bindgen_prelude::block_on;
use napi::sys::{self, napi_value};
use napi::Env;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::counters::{Live, IN_FLIGHT};
use crate::error::js_error;
use crate::js;
use crate::mailbox::Mailbox;
use crate::per_env::PerEnv;

/// Permits per codec instance: what may be held natively on its way through a codec.
pub const PERMITS: usize = 16;

/// Which side of a codec the 16-permit gate bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gate {
    /// Encoders: `encode()` takes a permit per frame; the worker returns it once FFmpeg
    /// has consumed the frame.
    Inputs,
    /// Decoders: the worker takes a permit per decoded frame; it returns once the
    /// `output` callback for that frame has returned.
    Outputs,
}

/// What one codec class adds to the shared machinery.
pub trait Codec: 'static {
    /// A validated configuration, opened on the worker.
    type Config: Send + 'static;
    /// One `encode()`/`decode()` argument on its way to the worker.
    type Input: Send + 'static;
    /// One result on its way back to the `output` callback.
    type Output: Send + 'static;
    /// The engine session the worker owns.
    type Session: 'static;

    const NAME: &'static str;
    const GATE: Gate;
    /// The `getCounters()` entry for live instances.
    fn counter() -> &'static AtomicI64;

    fn open(config: Self::Config) -> Result<Self::Session, EngineError>;
    fn process(
        session: &mut Self::Session,
        input: Self::Input,
        emit: &mut dyn FnMut(Self::Output),
    ) -> Result<(), EngineError>;
    fn flush(session: &mut Self::Session, emit: &mut dyn FnMut(Self::Output)) -> Result<(), EngineError>;
    /// On the JS thread: the arguments of the `output` callback for one result.
    fn to_js(env: &Env, output: Self::Output) -> napi::Result<Vec<napi_value>>;
}

/// `CodecState`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodecState {
    Unconfigured,
    Configured,
    Closed,
}

impl CodecState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unconfigured => "unconfigured",
            Self::Configured => "configured",
            Self::Closed => "closed",
        }
    }
}

/// A backpressure permit, counted in `getCounters().inFlight` while held.
pub struct Permit(#[allow(dead_code)] OwnedSemaphorePermit);

impl Permit {
    fn new(permit: OwnedSemaphorePermit) -> Self {
        IN_FLIGHT.fetch_add(1, Ordering::Relaxed);
        Self(permit)
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        IN_FLIGHT.fetch_sub(1, Ordering::Relaxed);
    }
}

enum Command<C: Codec> {
    Configure {
        generation: u64,
        config: C::Config,
    },
    /// A configuration found unsupported on the JS thread: reported in queue order.
    Fail {
        generation: u64,
        error: EngineError,
    },
    Input {
        generation: u64,
        input: C::Input,
        permit: Option<Permit>,
    },
    Flush {
        generation: u64,
        id: u64,
    },
}

enum Event<C: Codec> {
    /// The worker took an input off the control queue.
    Dequeued {
        generation: u64,
    },
    Output {
        generation: u64,
        output: C::Output,
        permit: Option<Permit>,
    },
    Error {
        generation: u64,
        error: EngineError,
    },
    Flushed {
        generation: u64,
        id: u64,
    },
    /// One command finished (whatever its generation): for event-loop liveness.
    Done,
    /// The worker ended and dropped its session: the last of what it held, given back
    /// on its way to the JS thread with this message, can be released.
    Finished,
}

/// The JS thread's half of a codec instance.
pub struct CodecQueue<C: Codec> {
    core: Rc<RefCell<Core<C>>>,
}

struct Core<C: Codec> {
    /// The env the references below belong to (this is its JS thread's state).
    env: sys::napi_env,
    state: CodecState,
    /// `[[encodeQueueSize]]`/`[[decodeQueueSize]]`: inputs the worker has not taken yet.
    queue_size: u32,
    /// Commands sent and not finished; while non-zero the codec keeps the loop alive.
    outstanding: u32,
    /// Whether the codec currently keeps the event loop and its JS object alive.
    alive: bool,
    generation: u64,
    shared_generation: Arc<AtomicU64>,
    commands: Arc<Inbox<C>>,
    mailbox: Arc<Mailbox<Event<C>>>,
    gate: Arc<Semaphore>,
    /// Pending `flush()` promises, oldest first.
    flushes: VecDeque<(u64, sys::napi_deferred)>,
    next_flush_id: u64,
    /// The codec's JS object: held strongly only while work is pending.
    this: sys::napi_ref,
    /// `{output, error, ondequeue, target}`, tied to the JS object (see `anchor`).
    callbacks: sys::napi_ref,
    /// Counts the instance in `getCounters()` until it is closed or collected.
    live: Option<Live>,
    /// Decoders' `[[key chunk required]]`: set by configure and flush.
    key_chunk_required: bool,
}

impl<C: Codec> CodecQueue<C> {
    /// The constructor's work: validates `init` (`output` and `error` functions), starts
    /// the worker and its mailbox.
    pub fn new(env: &Env, this: napi_value, init: napi_value) -> Result<Self, EngineError> {
        let internal = |e: napi::Error| EngineError::type_error(format!("{}: {}", C::NAME, e.reason));
        let callbacks = js::callbacks_from_init(env, init)?;
        crate::anchor::tie(env, this, callbacks).map_err(internal)?;
        let this_ref = js::weak_ref(env, this).map_err(internal)?;
        let callbacks_ref = js::weak_ref(env, callbacks).map_err(internal)?;

        // Before the mailbox: the env's teardown then runs after the mailbox's own, and
        // finds it closing (see `per_env`).
        let per_env = PerEnv::of(env).ok_or_else(|| EngineError::type_error(format!("{}: no env state", C::NAME)))?;
        let slot: Rc<RefCell<Weak<RefCell<Core<C>>>>> = Rc::new(RefCell::new(Weak::new()));
        let handler_slot = slot.clone();
        let mailbox = Mailbox::new(env, C::NAME, move |env: &Env, event: Event<C>| {
            // Whatever the worker gave back comes home first, even for a codec that was
            // collected already.
            crate::anchor::release_held(env);
            let core = handler_slot.borrow().upgrade();
            if let Some(core) = core {
                Core::handle(&core, env, event);
            }
        })
        .map_err(internal)?;
        let mailbox = Arc::new(mailbox);
        let shared_generation = Arc::new(AtomicU64::new(0));
        let gate = Arc::new(Semaphore::new(PERMITS));
        let commands = Arc::new(Inbox::default());
        let worker = Worker::<C> {
            commands: commands.clone(),
            mailbox: mailbox.clone(),
            generation: shared_generation.clone(),
            gate: gate.clone(),
        };
        let thread = std::thread::Builder::new()
            .name(format!("webcodecs-{}", C::NAME))
            .spawn(move || worker.run())
            .map_err(|e| EngineError::QuotaExceeded(format!("cannot start a codec thread: {e}")))?;
        let (stop_commands, stop_gate, stop_generation) = (commands.clone(), gate.clone(), shared_generation.clone());
        let stop = move || {
            // Everything in flight becomes stale, so the worker emits nothing more and
            // drops what it holds as soon as its current FFmpeg call returns.
            stop_generation.fetch_add(1, Ordering::SeqCst);
            stop_commands.close();
            stop_gate.close();
        };
        per_env.track(Box::new(stop), thread);

        let core = Rc::new(RefCell::new(Core {
            env: env.raw(),
            state: CodecState::Unconfigured,
            queue_size: 0,
            outstanding: 0,
            alive: false,
            generation: 0,
            shared_generation,
            commands,
            mailbox,
            gate,
            flushes: VecDeque::new(),
            next_flush_id: 0,
            this: this_ref,
            callbacks: callbacks_ref,
            live: Some(Live::new(C::counter())),
            key_chunk_required: true,
        }));
        *slot.borrow_mut() = Rc::downgrade(&core);
        Ok(Self { core })
    }

    pub fn state(&self) -> CodecState {
        self.core.borrow().state
    }

    pub fn queue_size(&self) -> u32 {
        self.core.borrow().queue_size
    }

    /// The gate, for encoders to take a permit per input before `enqueue`.
    pub fn acquire_input_permit(&self) -> Result<Permit, EngineError> {
        let gate = self.core.borrow().gate.clone();
        let permit = match gate.clone().try_acquire_owned() {
            Ok(permit) => permit,
            // All out: wait for the worker, which needs nothing from this thread to
            // return them.
            Err(_) => block_on(gate.acquire_owned())
                .map_err(|_| EngineError::InvalidState(format!("{} is closed", C::NAME)))?,
        };
        Ok(Permit::new(permit))
    }

    /// `configure()` after the codec's own validation.
    pub fn configure(&self, env: &Env, config: C::Config) -> Result<(), EngineError> {
        let mut core = self.core.borrow_mut();
        core.check_open()?;
        core.state = CodecState::Configured;
        core.key_chunk_required = true;
        let generation = core.generation;
        core.send(env, Command::Configure { generation, config });
        Ok(())
    }

    /// `configure()` after the dictionary was found valid: `parsed` is the engine config,
    /// or why this build cannot honour it.
    pub fn configure_parsed(&self, env: &Env, parsed: Result<C::Config, EngineError>) -> Result<(), EngineError> {
        self.core.borrow().check_open()?;
        match parsed {
            Ok(config) => self.configure(env, config),
            Err(unsupported) => {
                self.configure_failed(env, unsupported);
                Ok(())
            }
        }
    }

    /// `configure()` with a valid but unsupported config: the codec is "configured"
    /// until the worker reaches the message, then closes with NotSupportedError.
    fn configure_failed(&self, env: &Env, error: EngineError) {
        let mut core = self.core.borrow_mut();
        core.state = CodecState::Configured;
        let generation = core.generation;
        core.send(env, Command::Fail { generation, error });
    }

    pub fn check_configured(&self) -> Result<(), EngineError> {
        self.core.borrow().check_configured()
    }

    /// Decoders: "configured", and a key chunk first after configure or flush
    /// (DataError otherwise).
    pub fn check_decodable(&self, key: bool) -> Result<(), EngineError> {
        let mut core = self.core.borrow_mut();
        core.check_configured()?;
        if core.key_chunk_required {
            if !key {
                return Err(EngineError::Data("a key chunk is required after configure() or flush()".into()));
            }
            core.key_chunk_required = false;
        }
        Ok(())
    }

    /// `encode()`/`decode()` after the codec's own validation.
    pub fn enqueue(&self, env: &Env, input: C::Input, permit: Option<Permit>) -> Result<(), EngineError> {
        let mut core = self.core.borrow_mut();
        core.check_configured()?;
        core.queue_size += 1;
        let generation = core.generation;
        core.send(env, Command::Input { generation, input, permit });
        Ok(())
    }

    /// `flush()`: a promise settled once every earlier input's outputs were delivered.
    pub fn flush(&self, env: &Env) -> napi::Result<napi_value> {
        let mut core = self.core.borrow_mut();
        if let Err(e) = core.check_configured() {
            drop(core);
            return js::settled_promise(env, Err(e));
        }
        let (deferred, promise) = js::deferred(env)?;
        core.key_chunk_required = true;
        let id = core.next_flush_id;
        core.next_flush_id += 1;
        core.flushes.push_back((id, deferred));
        let generation = core.generation;
        core.send(env, Command::Flush { generation, id });
        Ok(promise)
    }

    /// `reset()`: drops queued and in-flight work, rejects pending flushes with
    /// AbortError, back to "unconfigured".
    pub fn reset(&self, env: &Env) -> Result<(), EngineError> {
        self.core.borrow().check_open()?;
        Core::reset(&self.core, env, EngineError::Abort(format!("{} was reset", C::NAME)));
        Ok(())
    }

    /// `close()`: reset, then closed for good; the worker ends.
    pub fn close(&self, env: &Env) -> Result<(), EngineError> {
        self.core.borrow().check_open()?;
        Core::close(&self.core, env, EngineError::Abort(format!("{} was closed", C::NAME)));
        Ok(())
    }

    /// The `ondequeue` attribute.
    pub fn ondequeue(&self, env: &Env) -> napi::Result<napi_value> {
        let callbacks = self.core.borrow().callbacks_object(env)?;
        js::get_property(env, callbacks, c"ondequeue")
    }

    pub fn set_ondequeue(&self, env: &Env, handler: napi_value) -> napi::Result<()> {
        let callbacks = self.core.borrow().callbacks_object(env)?;
        let value = if js::is_function(env, handler)? { handler } else { js::null(env)? };
        js::set_property(env, callbacks, c"ondequeue", value)
    }

    /// `addEventListener`/`removeEventListener` (`method`) with the caller's arguments,
    /// forwarded to the codec's `EventTarget`: any event type, listener objects and options.
    pub fn listen(
        &self,
        env: &Env,
        method: &std::ffi::CStr,
        [kind, listener]: [napi_value; 2],
        options: Option<napi_value>,
    ) -> napi::Result<()> {
        let callbacks = self.core.borrow().callbacks_object(env)?;
        let target = js::get_property(env, callbacks, c"target")?;
        let options = options.map_or_else(|| js::undefined(env), Ok)?;
        js::call_method(env, target, method, &[kind, listener, options]).map(|_| ())
    }

    /// `dispatchEvent(event)`: whether no listener cancelled it.
    pub fn dispatch_event(&self, env: &Env, event: napi_value) -> napi::Result<napi_value> {
        let callbacks = self.core.borrow().callbacks_object(env)?;
        js::dispatch_event(env, callbacks, event)
    }
}

impl<C: Codec> Drop for CodecQueue<C> {
    fn drop(&mut self) {
        // Collected without close(): the worker ends when its channel closes. The codec
        // was idle (a busy codec keeps its JS object alive), so nothing is pending.
        let core = self.core.borrow_mut();
        core.commands.close();
        core.gate.close();
    }
}

impl<C: Codec> Drop for Core<C> {
    fn drop(&mut self) {
        // SAFETY: the core lives on its env's JS thread and is dropped with the codec's JS
        // object, by its finalizer, while the env is still alive (also at its teardown);
        // the two references were created in that env and are deleted only here.
        unsafe {
            sys::napi_delete_reference(self.env, self.this);
            sys::napi_delete_reference(self.env, self.callbacks);
        }
    }
}

impl<C: Codec> Core<C> {
    fn check_open(&self) -> Result<(), EngineError> {
        match self.state {
            CodecState::Closed => Err(EngineError::InvalidState(format!("{} is closed", C::NAME))),
            _ => Ok(()),
        }
    }

    fn check_configured(&self) -> Result<(), EngineError> {
        match self.state {
            CodecState::Configured => Ok(()),
            state => Err(EngineError::InvalidState(format!("{} is {}", C::NAME, state.as_str()))),
        }
    }

    fn callbacks_object(&self, env: &Env) -> napi::Result<napi_value> {
        js::ref_value(env, self.callbacks)?.ok_or_else(|| napi::Error::from_reason("codec callbacks are gone"))
    }

    fn send(&mut self, env: &Env, command: Command<C>) {
        if self.commands.push(command) {
            self.outstanding += 1;
            self.update_liveness(env);
        }
    }

    /// Keeps the event loop and the JS object alive exactly while work is pending.
    fn update_liveness(&mut self, env: &Env) {
        let busy = self.state != CodecState::Closed && (self.outstanding > 0 || !self.flushes.is_empty());
        if busy == self.alive {
            return;
        }
        self.alive = busy;
        self.mailbox.set_alive(env, busy);
        js::set_ref_strength(env, self.this, busy);
    }

    /// "Reset Codec" with `error` for pending flushes.
    fn reset(core: &Rc<RefCell<Self>>, env: &Env, error: EngineError) {
        let (flushes, dequeue) = {
            let mut c = core.borrow_mut();
            c.generation += 1;
            c.shared_generation.store(c.generation, Ordering::SeqCst);
            // Commands the worker has not taken are all stale now: drop them here, with
            // their permits, rather than wait for the worker to reach them.
            let dropped = c.commands.drain();
            c.outstanding = c.outstanding.saturating_sub(dropped);
            c.state = CodecState::Unconfigured;
            let dequeue = c.queue_size > 0;
            c.queue_size = 0;
            let flushes: Vec<_> = c.flushes.drain(..).collect();
            c.update_liveness(env);
            (flushes, dequeue)
        };
        for (_, deferred) in flushes {
            js::reject(env, deferred, &error);
        }
        if dequeue {
            Self::fire_dequeue(core, env);
        }
    }

    fn close(core: &Rc<RefCell<Self>>, env: &Env, error: EngineError) {
        Self::reset(core, env, error);
        let mut c = core.borrow_mut();
        c.state = CodecState::Closed;
        c.update_liveness(env);
        if c.alive {
            c.alive = false;
            c.mailbox.set_alive(env, false);
            js::set_ref_strength(env, c.this, false);
        }
        c.commands.close();
        c.gate.close();
        c.live = None;
    }

    /// "Close Codec" with an error from the worker: the error callback gets it.
    fn fail(core: &Rc<RefCell<Self>>, env: &Env, error: EngineError) {
        Self::close(core, env, error.clone());
        let callbacks = core.borrow().callbacks_object(env);
        if let Ok(callbacks) = callbacks {
            if let (Ok(callback), Ok(value)) = (js::get_property(env, callbacks, c"error"), js_error(env, &error)) {
                js::call_function(env, callback, &[value]);
            }
        }
    }

    fn fire_dequeue(core: &Rc<RefCell<Self>>, env: &Env) {
        let Ok(callbacks) = core.borrow().callbacks_object(env) else { return };
        js::dispatch_dequeue(env, callbacks);
    }

    /// One message from the worker, on the JS thread.
    fn handle(core: &Rc<RefCell<Self>>, env: &Env, event: Event<C>) {
        let current = {
            let c = core.borrow();
            c.generation
        };
        let closed = core.borrow().state == CodecState::Closed;
        match event {
            Event::Done => {
                let mut c = core.borrow_mut();
                c.outstanding = c.outstanding.saturating_sub(1);
                c.update_liveness(env);
            }
            Event::Dequeued { generation } if generation == current && !closed => {
                let fire = {
                    let mut c = core.borrow_mut();
                    let had = c.queue_size > 0;
                    c.queue_size = c.queue_size.saturating_sub(1);
                    had
                };
                if fire {
                    Self::fire_dequeue(core, env);
                }
            }
            Event::Output { generation, output, permit } if generation == current && !closed => {
                let callback = core.borrow().callbacks_object(env).and_then(|cb| js::get_property(env, cb, c"output"));
                match (callback, C::to_js(env, output)) {
                    (Ok(callback), Ok(args)) => js::call_function(env, callback, &args),
                    (_, Err(e)) => Self::fail(core, env, EngineError::encoding(e.reason)),
                    _ => {}
                }
                // The permit returns only now that the output callback has returned.
                drop(permit);
            }
            Event::Error { generation, error } if generation == current && !closed => Self::fail(core, env, error),
            Event::Flushed { generation, id } if generation == current => {
                let deferred = {
                    let mut c = core.borrow_mut();
                    let position = c.flushes.iter().position(|(pending, _)| *pending == id);
                    let deferred = position.and_then(|i| c.flushes.remove(i)).map(|(_, d)| d);
                    c.update_liveness(env);
                    deferred
                };
                if let Some(deferred) = deferred {
                    js::resolve_undefined(env, deferred);
                }
            }
            // Stale work from before a reset or close: dropped, permits included.
            _ => {}
        }
    }
}

/// An open engine session and the generation it was configured in.
struct Session<C: Codec> {
    generation: u64,
    inner: C::Session,
}

/// The control queue between the JS thread and the worker. Unlike a channel, the JS
/// thread can empty it at reset/close, so queued inputs give back their permits at once.
struct Inbox<C: Codec> {
    queue: Mutex<(VecDeque<Command<C>>, bool)>,
    ready: Condvar,
}

impl<C: Codec> Default for Inbox<C> {
    fn default() -> Self {
        Self { queue: Mutex::new((VecDeque::new(), false)), ready: Condvar::new() }
    }
}

impl<C: Codec> Inbox<C> {
    fn lock(&self) -> std::sync::MutexGuard<'_, (VecDeque<Command<C>>, bool)> {
        self.queue.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Queues a command; false once closed.
    fn push(&self, command: Command<C>) -> bool {
        let mut queue = self.lock();
        if queue.1 {
            return false;
        }
        queue.0.push_back(command);
        self.ready.notify_one();
        true
    }

    /// The next command, waiting for one; `None` once closed.
    fn pop(&self) -> Option<Command<C>> {
        let mut queue = self.lock();
        loop {
            if queue.1 {
                return None;
            }
            if let Some(command) = queue.0.pop_front() {
                return Some(command);
            }
            queue = self.ready.wait(queue).unwrap_or_else(|e| e.into_inner());
        }
    }

    /// Drops every queued command; returns how many there were.
    fn drain(&self) -> u32 {
        let drained: Vec<_> = self.lock().0.drain(..).collect();
        drained.len() as u32
    }

    fn close(&self) {
        let drained: Vec<_> = {
            let mut queue = self.lock();
            queue.1 = true;
            queue.0.drain(..).collect()
        };
        drop(drained);
        self.ready.notify_all();
    }
}

/// The worker thread's half: owns the engine session and runs commands in order.
struct Worker<C: Codec> {
    commands: Arc<Inbox<C>>,
    mailbox: Arc<Mailbox<Event<C>>>,
    generation: Arc<AtomicU64>,
    gate: Arc<Semaphore>,
}

impl<C: Codec> Worker<C> {
    fn run(self) {
        let mut session: Option<Session<C>> = None;
        while let Some(command) = self.commands.pop() {
            let outcome =
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.execute(&mut session, command)));
            if outcome.is_err() {
                session = None;
                let generation = self.generation.load(Ordering::SeqCst);
                let error = EngineError::encoding(format!("{} failed internally", C::NAME));
                self.mailbox.send(Event::Error { generation, error });
            }
            if !self.mailbox.send(Event::Done) {
                break;
            }
        }
        // An encoder's session may still reference input frames (lookahead, frames read
        // in place): drop it before saying so.
        drop(session);
        self.mailbox.send(Event::Finished);
        self.mailbox.release();
    }

    fn current(&self, generation: u64) -> bool {
        generation == self.generation.load(Ordering::SeqCst)
    }

    fn execute(&self, session: &mut Option<Session<C>>, command: Command<C>) {
        match command {
            Command::Configure { generation, config } if self.current(generation) => {
                // A reconfigure first delivers what the old session still holds; a session
                // from before a reset is dropped with whatever it holds.
                if let Some(mut old) = session.take().filter(|old| old.generation == generation) {
                    if let Err(error) = C::flush(&mut old.inner, &mut |output| self.emit(generation, output)) {
                        self.mailbox.send(Event::Error { generation, error });
                        return;
                    }
                }
                match C::open(config) {
                    Ok(inner) => *session = Some(Session { generation, inner }),
                    Err(error) => {
                        self.mailbox.send(Event::Error { generation, error });
                    }
                }
            }
            Command::Fail { generation, error } if self.current(generation) => {
                *session = None;
                self.mailbox.send(Event::Error { generation, error });
            }
            Command::Input { generation, input, permit } if self.current(generation) => {
                self.mailbox.send(Event::Dequeued { generation });
                let Some(open) = session.as_mut().filter(|open| open.generation == generation) else { return };
                let result = C::process(&mut open.inner, input, &mut |output| self.emit(generation, output));
                // The input is consumed: its permit (encoders) goes back now.
                drop(permit);
                if let Err(error) = result {
                    *session = None;
                    self.mailbox.send(Event::Error { generation, error });
                }
            }
            Command::Flush { generation, id } if self.current(generation) => {
                let result = match session.as_mut().filter(|open| open.generation == generation) {
                    Some(open) => C::flush(&mut open.inner, &mut |output| self.emit(generation, output)),
                    None => Ok(()),
                };
                match result {
                    Ok(()) => self.mailbox.send(Event::Flushed { generation, id }),
                    Err(error) => {
                        *session = None;
                        self.mailbox.send(Event::Error { generation, error })
                    }
                };
            }
            // From before a reset: dropped unprocessed.
            _ => {}
        }
    }

    fn emit(&self, generation: u64, output: C::Output) {
        if !self.current(generation) {
            return;
        }
        let permit = match C::GATE {
            Gate::Inputs => None,
            // Waits here, on the worker, while 16 decoded outputs await the JS thread.
            Gate::Outputs => match block_on(self.gate.clone().acquire_owned()) {
                Ok(permit) => Some(Permit::new(permit)),
                Err(_) => return,
            },
        };
        if self.current(generation) {
            self.mailbox.send(Event::Output { generation, output, permit });
        }
    }
}
