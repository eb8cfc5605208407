//! What belongs to one JavaScript environment: the main thread's, or one worker_threads
//! worker's. Each loads the addon on its own and must get back exactly what it gave:
//! external memory reported to its V8 is released to that V8, references created in it
//! are deleted in it, and its codec threads end with it.
//!
//! The state lives in the env's N-API instance data, so a JS thread finds it from its
//! `Env`; codec workers and buffers dropped on other threads carry an `Arc` to it. When
//! the env shuts down (a worker terminated, the process exiting) a cleanup hook stops
//! its codec threads, waits for them to put FFmpeg down, deletes the references they
//! gave back, and marks the state gone: whatever is released later, on any thread, is
//! dropped without touching the dead env.

use std::ffi::c_void;
use std::ptr;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;

use napi::sys::{self, napi_ref};
use napi::Env;

/// A reference given back off the JS thread, and the memory share that went with it.
pub type Released = (usize, Option<Arc<dyn Send + Sync>>);

/// A codec thread of this env: how to make it stop, and the thread to wait for.
struct Running {
    stop: Box<dyn Fn() + Send>,
    thread: JoinHandle<()>,
}

#[derive(Default)]
struct Shared {
    /// False once the env's cleanup hook ran.
    alive: bool,
    /// References whose owners were dropped off the JS thread (see `anchor::Hold`).
    released: Vec<Released>,
    /// The anchor `WeakMap`'s reference (see `anchor`), as an address.
    anchors: usize,
    running: Vec<Running>,
}

/// One environment's state.
pub struct PerEnv {
    /// The env's address, used only by its cleanup hook, on its JS thread.
    env: usize,
    /// External-memory adjustments not yet reported to this env's V8.
    pending_external: AtomicI64,
    shared: Mutex<Shared>,
}

impl PerEnv {
    /// This env's state, created on first use. JS thread only.
    pub fn of(env: &Env) -> Option<Arc<Self>> {
        if let Some(existing) = Self::existing(env) {
            return Some(existing);
        }
        let state = Arc::new(Self {
            env: env.raw() as usize,
            pending_external: AtomicI64::new(0),
            shared: Mutex::new(Shared { alive: true, ..Shared::default() }),
        });
        let data = Box::into_raw(Box::new(state.clone()));
        let hook = Arc::into_raw(state.clone()).cast_mut();
        // SAFETY: JS-thread calls with a valid env. `data` is freed by `drop_data` when the
        // env is deleted, `hook` by `teardown` when its cleanup hooks run (or here if
        // registration fails).
        unsafe {
            if sys::napi_set_instance_data(env.raw(), data.cast(), Some(drop_data), ptr::null_mut())
                != sys::Status::napi_ok
            {
                drop(Box::from_raw(data));
                drop(Arc::from_raw(hook));
                return None;
            }
            if sys::napi_add_env_cleanup_hook(env.raw(), Some(teardown), hook.cast()) != sys::Status::napi_ok {
                drop(Arc::from_raw(hook));
            }
        }
        Some(state)
    }

    /// This env's state if it was ever created. JS thread only.
    pub fn existing(env: &Env) -> Option<Arc<Self>> {
        let mut data: *mut c_void = ptr::null_mut();
        // SAFETY: JS-thread call with a valid env; out-pointer is a local.
        let status = unsafe { sys::napi_get_instance_data(env.raw(), &mut data) };
        if status != sys::Status::napi_ok || data.is_null() {
            return None;
        }
        // SAFETY: the only instance data this addon sets is a `Box<Arc<PerEnv>>` (`of`),
        // alive until the env is deleted.
        Some(unsafe { &*data.cast::<Arc<Self>>() }.clone())
    }

    fn lock(&self) -> MutexGuard<'_, Shared> {
        self.shared.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether the env has not shut down yet.
    pub fn alive(&self) -> bool {
        self.lock().alive
    }

    /// Queues an external-memory adjustment for [`settle`](Self::settle). Any thread.
    pub fn adjust_later(&self, bytes: i64) {
        self.pending_external.fetch_add(bytes, Ordering::Relaxed);
    }

    /// Reports queued adjustments to this env's V8. JS thread only.
    pub fn settle(&self, env: &Env) {
        if !self.alive() {
            return;
        }
        let delta = self.pending_external.swap(0, Ordering::Relaxed);
        if delta != 0 && env.adjust_external_memory(delta).is_err() {
            // Kept for the next settle rather than lost.
            self.pending_external.fetch_add(delta, Ordering::Relaxed);
        }
    }

    /// Queues a reference for deletion on the JS thread; once the env is gone the
    /// reference died with it and only the share is dropped. Any thread.
    pub fn give_back(&self, reference: napi_ref, share: Option<Arc<dyn Send + Sync>>) {
        let mut shared = self.lock();
        if shared.alive {
            shared.released.push((reference as usize, share));
        } else {
            drop(shared);
            drop(share);
        }
    }

    /// The references given back so far. JS thread only.
    pub fn take_released(&self) -> Vec<Released> {
        std::mem::take(&mut self.lock().released)
    }

    /// The anchor map's reference, if it was created.
    pub fn anchors(&self) -> Option<napi_ref> {
        let address = self.lock().anchors;
        (address != 0).then_some(address as napi_ref)
    }

    pub fn set_anchors(&self, reference: napi_ref) {
        self.lock().anchors = reference as usize;
    }

    /// Registers a codec thread: at teardown `stop` is called, then the thread is
    /// joined. `stop` must make the thread finish promptly without the JS thread's help.
    pub fn track(&self, stop: Box<dyn Fn() + Send>, thread: JoinHandle<()>) {
        let mut shared = self.lock();
        shared.running.retain(|running| !running.thread.is_finished());
        shared.running.push(Running { stop, thread });
    }
}

/// The env's cleanup hook: runs on its JS thread, before its objects are finalized.
unsafe extern "C" fn teardown(arg: *mut c_void) {
    // SAFETY: `arg` is the Arc that `PerEnv::of` leaked for this hook, taken back once.
    let state = unsafe { Arc::from_raw(arg.cast::<PerEnv>().cast_const()) };
    let running = std::mem::take(&mut state.lock().running);
    for running in &running {
        (running.stop)();
    }
    // The threads drop their queued work and sessions, and with them the references
    // and memory shares they held, which land in `released`.
    for running in running {
        let _ = running.thread.join();
    }
    let (released, anchors) = {
        let mut shared = state.lock();
        shared.alive = false;
        (std::mem::take(&mut shared.released), std::mem::take(&mut shared.anchors))
    };
    let env = state.env as sys::napi_env;
    for (reference, share) in released {
        drop(share);
        // SAFETY: each reference was created in this env, which is still alive during
        // its cleanup hooks, and is deleted exactly once.
        unsafe { sys::napi_delete_reference(env, reference as napi_ref) };
    }
    if anchors != 0 {
        // SAFETY: as above.
        unsafe { sys::napi_delete_reference(env, anchors as napi_ref) };
    }
}

unsafe extern "C" fn drop_data(_env: sys::napi_env, data: *mut c_void, _hint: *mut c_void) {
    // SAFETY: `data` is the Box<Arc<PerEnv>> set in `PerEnv::of`, finalized once.
    drop(unsafe { Box::from_raw(data.cast::<Arc<PerEnv>>()) });
}
