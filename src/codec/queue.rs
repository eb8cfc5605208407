//! The JS thread's half of a codec (https://w3c.github.io/webcodecs/#codec-processing-model-section):
//! the state machine, the control queue and its size, `dequeue` events, flush promises,
//! reset and close. Each codec class supplies a [`Codec`] and stays a thin layer of
//! argument conversion.
//!
//! Threads: the JS thread owns [`CodecQueue`]; one [`Worker`] thread per instance owns
//! the engine session. Commands go to the worker through an [`Inbox`]; results come back
//! through a [`Mailbox`]. Work from before a `reset()`/`close()` is recognised by its
//! generation and dropped on both sides, so no stale output is ever delivered.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::{Rc, Weak};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use engine::EngineError;
use napi::sys::{self, napi_value};
use napi::Env;
use tokio::sync::Semaphore;

use crate::codec::events;
use crate::codec::gate::{Permit, PERMITS};
use crate::codec::inbox::Inbox;
use crate::codec::mailbox::Mailbox;
use crate::codec::protocol::{Codec, CodecState, Command, Config, Event, Input};
use crate::codec::worker::Worker;
use crate::dict::Checked;
use crate::js::error::Exception;
use crate::js::promise;
use crate::js::raw;
use crate::memory::anchor;
use crate::memory::counters::Live;
use crate::memory::per_env::PerEnv;

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
    commands: Arc<Inbox<Command<C>>>,
    mailbox: Arc<Mailbox<Event<C>>>,
    gate: Arc<Semaphore>,
    /// Pending `flush()` promises, oldest first.
    flushes: VecDeque<(u64, sys::napi_deferred)>,
    next_flush_id: u64,
    /// The codec's JS object: held strongly only while work is pending.
    this: sys::napi_ref,
    /// `{output, error, ondequeue}`, tied to the JS object (see `anchor`).
    callbacks: sys::napi_ref,
    /// Counts the instance in `getCounters()` until it is closed or collected.
    live: Option<Live>,
    /// Decoders' `[[key chunk required]]`: set by configure and flush.
    key_chunk_required: bool,
    /// `[[dequeue event scheduled]]`: a `dequeue` event is on its way as a task.
    dequeue_scheduled: bool,
}

impl<C: Codec> CodecQueue<C> {
    /// The constructor's work: validates `init` (`output` and `error` functions), starts
    /// the worker and its mailbox.
    pub fn new(env: &Env, this: napi_value, init: napi_value) -> Result<Self, EngineError> {
        let internal = |e: napi::Error| EngineError::type_error(format!("{}: {}", C::NAME, e.reason));
        let callbacks = events::callbacks_from_init(env, init)?;
        events::init_event_target(env, this).map_err(internal)?;
        anchor::tie(env, this, callbacks).map_err(internal)?;
        let this_ref = raw::weak_ref(env, this).map_err(internal)?;
        let callbacks_ref = raw::weak_ref(env, callbacks).map_err(internal)?;

        // Before the mailbox: the env's teardown then runs after the mailbox's own, and
        // finds it closing (see `per_env`).
        let per_env = PerEnv::of(env).ok_or_else(|| EngineError::type_error(format!("{}: no env state", C::NAME)))?;
        let slot: Rc<RefCell<Weak<RefCell<Core<C>>>>> = Rc::new(RefCell::new(Weak::new()));
        let handler_slot = slot.clone();
        let mailbox = Mailbox::new(env, C::NAME, move |env: &Env, event: Event<C>| {
            // Whatever the worker gave back comes home first, even for a codec that was
            // collected already.
            anchor::release_held(env);
            let core = handler_slot.borrow().upgrade();
            if let Some(core) = core {
                Core::handle(&core, env, event);
            }
        })
        .map_err(internal)?;
        let worker = Worker::<C> {
            commands: Arc::new(Inbox::default()),
            mailbox: Arc::new(mailbox),
            generation: Arc::new(AtomicU64::new(0)),
            gate: Arc::new(Semaphore::new(PERMITS)),
        };
        let core = Rc::new(RefCell::new(Core {
            env: env.raw(),
            state: CodecState::Unconfigured,
            queue_size: 0,
            outstanding: 0,
            alive: false,
            generation: 0,
            shared_generation: worker.generation.clone(),
            commands: worker.commands.clone(),
            mailbox: worker.mailbox.clone(),
            gate: worker.gate.clone(),
            flushes: VecDeque::new(),
            next_flush_id: 0,
            this: this_ref,
            callbacks: callbacks_ref,
            live: Some(Live::new(C::counter())),
            key_chunk_required: true,
            dequeue_scheduled: false,
        }));
        spawn(&per_env, worker)?;
        *slot.borrow_mut() = Rc::downgrade(&core);
        Ok(Self { core })
    }

    pub fn state(&self) -> CodecState {
        self.core.borrow().state
    }

    pub fn queue_size(&self) -> u32 {
        self.core.borrow().queue_size
    }

    /// The gate, for encoders to take a permit per input before `enqueue`: with all
    /// out, waits for the worker, which needs nothing from this thread to return them.
    pub fn acquire_input_permit(&self) -> Result<Permit, EngineError> {
        let gate = self.core.borrow().gate.clone();
        Permit::acquire_for(&gate, C::NAME)
    }

    /// `configure()` with the checked dictionary: an invalid one throws (before the
    /// state check, as the spec orders them); an unsupported one leaves the codec
    /// "configured" until the worker reaches it in queue order, then closes it with
    /// NotSupportedError.
    pub fn configure(&self, env: &Env, config: Checked<Config<C>>) -> Result<(), EngineError> {
        let command = |generation| match config {
            Checked::Supported(config) => Ok(Command::Configure { generation, config }),
            Checked::Unsupported(error) => Ok(Command::Fail { generation, error }),
            Checked::Invalid(error) => Err(error),
        };
        let mut core = self.core.borrow_mut();
        let command = command(core.generation)?;
        core.check_open()?;
        core.state = CodecState::Configured;
        core.key_chunk_required = true;
        core.send(env, command);
        Ok(())
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
    pub fn enqueue(&self, env: &Env, input: Input<C>, permit: Option<Permit>) -> Result<(), EngineError> {
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
            return promise::settled_promise(env, Err(e));
        }
        let (deferred, promise) = promise::deferred(env)?;
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
        let error = EngineError::Abort(format!("{} was reset", C::NAME));
        Core::reset(&self.core, env, &mut Exception::new(&error));
        Ok(())
    }

    /// `close()`: reset, then closed for good; the worker ends.
    pub fn close(&self, env: &Env) -> Result<(), EngineError> {
        self.core.borrow().check_open()?;
        let error = EngineError::Abort(format!("{} was closed", C::NAME));
        Core::close(&self.core, env, &mut Exception::new(&error));
        Ok(())
    }

    /// The `ondequeue` attribute.
    pub fn ondequeue(&self, env: &Env) -> napi::Result<napi_value> {
        events::ondequeue(env, self.callbacks(env)?)
    }

    pub fn set_ondequeue(&self, env: &Env, this: napi_value, handler: napi_value) -> napi::Result<()> {
        events::set_ondequeue(env, this, self.callbacks(env)?, handler)
    }

    fn callbacks(&self, env: &Env) -> napi::Result<napi_value> {
        self.core.borrow().callbacks_object(env)
    }
}

/// Starts the worker thread, registered with the env so that its teardown can stop it.
fn spawn<C: Codec>(per_env: &PerEnv, worker: Worker<C>) -> Result<(), EngineError> {
    let (commands, gate, generation) = (worker.commands.clone(), worker.gate.clone(), worker.generation.clone());
    let thread = std::thread::Builder::new()
        .name(format!("webcodecs-{}", C::NAME))
        .spawn(move || worker.run())
        .map_err(|e| EngineError::QuotaExceeded(format!("cannot start a codec thread: {e}")))?;
    let stop = move || {
        // Everything in flight becomes stale, so the worker emits nothing more and
        // drops what it holds as soon as its current FFmpeg call returns.
        generation.fetch_add(1, Ordering::SeqCst);
        commands.close();
        gate.close();
    };
    per_env.track(Box::new(stop), thread);
    Ok(())
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
        raw::ref_value(env, self.callbacks)?.ok_or_else(|| napi::Error::from_reason("codec callbacks are gone"))
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
        raw::set_ref_strength(env, self.this, busy);
    }

    /// "Reset Codec" with `exception` for pending flushes.
    fn reset(core: &Rc<RefCell<Self>>, env: &Env, exception: &mut Exception) {
        let flushes = {
            let mut c = core.borrow_mut();
            c.generation += 1;
            c.shared_generation.store(c.generation, Ordering::SeqCst);
            // Commands the worker has not taken are all stale now: drop them here, with
            // their permits, rather than wait for the worker to reach them.
            let dropped = c.commands.drain();
            c.outstanding = c.outstanding.saturating_sub(dropped);
            c.state = CodecState::Unconfigured;
            if c.queue_size > 0 {
                c.queue_size = 0;
                c.schedule_dequeue();
            }
            let flushes: Vec<_> = c.flushes.drain(..).collect();
            c.update_liveness(env);
            flushes
        };
        for (_, deferred) in flushes {
            promise::reject_with(env, deferred, exception);
        }
    }

    fn close(core: &Rc<RefCell<Self>>, env: &Env, exception: &mut Exception) {
        Self::reset(core, env, exception);
        let mut c = core.borrow_mut();
        c.state = CodecState::Closed;
        c.update_liveness(env);
        if c.alive {
            c.alive = false;
            c.mailbox.set_alive(env, false);
            raw::set_ref_strength(env, c.this, false);
        }
        c.commands.close();
        c.gate.close();
        c.live = None;
    }

    /// "Close Codec" with an error from the worker: the error callback gets the exception
    /// the pending flushes rejected with.
    fn fail(core: &Rc<RefCell<Self>>, env: &Env, error: EngineError) {
        let mut exception = Exception::new(&error);
        Self::close(core, env, &mut exception);
        let callbacks = core.borrow().callbacks_object(env);
        if let (Ok(callbacks), Ok(value)) = (callbacks, exception.value(env)) {
            let _ = events::call_callback(env, callbacks, c"error", &[value]);
        }
    }

    /// "Schedule Dequeue Event": at most one `dequeue` event on its way, fired from a
    /// task of its own, never inside the method that shrank the queue.
    fn schedule_dequeue(&mut self) {
        if !self.dequeue_scheduled {
            self.dequeue_scheduled = self.mailbox.send(Event::DequeueTask);
        }
    }

    fn fire_dequeue(core: &Rc<RefCell<Self>>, env: &Env) {
        let this = {
            let mut c = core.borrow_mut();
            c.dequeue_scheduled = false;
            raw::ref_value(env, c.this)
        };
        if let Ok(Some(this)) = this {
            events::dispatch_dequeue(env, this);
        }
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
            // The worker's message is a task of its own: its decrement fires the event
            // from here, unless one is scheduled already.
            Event::Dequeued { generation } if generation == current && !closed => {
                let fire = {
                    let mut c = core.borrow_mut();
                    let had = c.queue_size > 0;
                    c.queue_size = c.queue_size.saturating_sub(1);
                    had && !c.dequeue_scheduled
                };
                if fire {
                    Self::fire_dequeue(core, env);
                }
            }
            Event::DequeueTask => Self::fire_dequeue(core, env),
            Event::Output { generation, output, permit } if generation == current && !closed => {
                Self::deliver(core, env, output);
                // The permit returns only now that the output callback has returned.
                drop(permit);
            }
            Event::Error { generation, error } if generation == current && !closed => Self::fail(core, env, error),
            Event::Flushed { generation, id } if generation == current => Self::resolve_flush(core, env, id),
            // Stale work from before a reset or close: dropped, permits included.
            _ => {}
        }
    }

    /// Calls `output` with one result; one that cannot become JS values closes the
    /// codec with EncodingError.
    fn deliver(core: &Rc<RefCell<Self>>, env: &Env, output: crate::codec::protocol::Output<C>) {
        let callbacks = core.borrow().callbacks_object(env);
        match (callbacks, C::to_js(env, output)) {
            (Ok(callbacks), Ok(args)) => {
                let _ = events::call_callback(env, callbacks, c"output", &args);
            }
            (_, Err(e)) => Self::fail(core, env, EngineError::encoding(e.reason)),
            _ => {}
        }
    }

    /// Resolves the `flush()` promise `id`.
    fn resolve_flush(core: &Rc<RefCell<Self>>, env: &Env, id: u64) {
        let deferred = {
            let mut c = core.borrow_mut();
            let position = c.flushes.iter().position(|(pending, _)| *pending == id);
            let deferred = position.and_then(|i| c.flushes.remove(i)).map(|(_, d)| d);
            c.update_liveness(env);
            deferred
        };
        if let Some(deferred) = deferred {
            promise::resolve_undefined(env, deferred);
        }
    }
}
