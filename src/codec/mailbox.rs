//! A codec worker's way back to the JS thread: a thread-safe function whose handler
//! runs Rust on the JS thread with each message, in the order they were sent.
//!
//! napi-rs's `ThreadsafeFunction` calls a JavaScript function; what we need is to run
//! Rust with access to the codec's JS-thread state, so this wraps the raw N-API call
//! with a `call_js` trampoline. Whether it keeps the event loop alive is switched by
//! the codec (`set_alive`) as work comes and goes.
//!
//! When the environment shuts down (process exit, a worker thread terminated), Node
//! finalizes and frees the function even while our worker still holds it. Every call
//! from the worker therefore runs under a lock that the finalizer takes to mark the
//! function gone, so no call can touch it after it is freed.

use std::ffi::c_void;
use std::marker::PhantomData;
use std::ptr;
use std::sync::{Arc, Mutex};

use napi::sys;
use napi::{Env, Status};

type Handler<T> = Box<dyn FnMut(&Env, T)>;

struct Context<T> {
    handler: Handler<T>,
    gone: Arc<Mutex<bool>>,
}

/// The sending side, shared by the JS thread (liveness) and one worker (messages).
pub struct Mailbox<T> {
    tsfn: sys::napi_threadsafe_function,
    /// Set by the finalizer: the function is freed and must not be called.
    gone: Arc<Mutex<bool>>,
    _message: PhantomData<fn(T)>,
}

// SAFETY: N-API documents napi_call_threadsafe_function and
// napi_release_threadsafe_function as callable from any thread; the JS-thread-only
// calls (ref/unref) are made only by the codec on the JS thread.
unsafe impl<T: Send> Send for Mailbox<T> {}
// SAFETY: as above.
unsafe impl<T: Send> Sync for Mailbox<T> {}

impl<T: Send + 'static> Mailbox<T> {
    /// Creates the mailbox; `handler` runs on the JS thread for every message. It starts
    /// not keeping the event loop alive.
    pub fn new(env: &Env, name: &str, handler: impl FnMut(&Env, T) + 'static) -> napi::Result<Self> {
        let gone = Arc::new(Mutex::new(false));
        let context: *mut Context<T> =
            Box::into_raw(Box::new(Context { handler: Box::new(handler), gone: gone.clone() }));
        let mut resource_name = ptr::null_mut();
        let mut tsfn = ptr::null_mut();
        // SAFETY: JS-thread calls with a valid env. `context` is freed exactly once, by
        // `finalize` when N-API tears the function down (or below if creation fails).
        let status = unsafe {
            sys::napi_create_string_utf8(env.raw(), name.as_ptr().cast(), name.len() as isize, &mut resource_name);
            sys::napi_create_threadsafe_function(
                env.raw(),
                ptr::null_mut(),
                ptr::null_mut(),
                resource_name,
                0,
                1,
                context.cast(),
                Some(finalize::<T>),
                context.cast(),
                Some(call_js::<T>),
                &mut tsfn,
            )
        };
        if status != sys::Status::napi_ok {
            // SAFETY: creation failed, so N-API never took ownership of `context`.
            drop(unsafe { Box::from_raw(context) });
            return Err(napi::Error::new(Status::from(status), "cannot create a codec mailbox"));
        }
        let mailbox = Self { tsfn, gone, _message: PhantomData };
        mailbox.set_alive(env, false);
        Ok(mailbox)
    }

    /// Queues `message` for the JS thread; false once the environment is shutting down.
    pub fn send(&self, message: T) -> bool {
        let gone = self.gone.lock().unwrap_or_else(|e| e.into_inner());
        if *gone {
            return false;
        }
        let data = Box::into_raw(Box::new(message));
        // SAFETY: callable from any thread, and not finalized (checked under the lock the
        // finalizer takes); on failure the data was not queued.
        let status = unsafe {
            sys::napi_call_threadsafe_function(self.tsfn, data.cast(), sys::ThreadsafeFunctionCallMode::nonblocking)
        };
        if status != sys::Status::napi_ok {
            // SAFETY: not queued, so still ours.
            drop(unsafe { Box::from_raw(data) });
            return false;
        }
        true
    }

    /// Whether pending messages keep Node's event loop running. JS thread only.
    pub fn set_alive(&self, env: &Env, alive: bool) {
        // SAFETY: JS-thread call on a function that is not released yet (the codec stops
        // calling this before its worker releases the function).
        unsafe {
            if alive {
                sys::napi_ref_threadsafe_function(env.raw(), self.tsfn);
            } else {
                sys::napi_unref_threadsafe_function(env.raw(), self.tsfn);
            }
        }
    }

    /// The worker's last act: no more messages from it.
    pub fn release(&self) {
        let gone = self.gone.lock().unwrap_or_else(|e| e.into_inner());
        if !*gone {
            // SAFETY: called once, by the one thread counted at creation, before the
            // function was finalized (checked under the finalizer's lock).
            unsafe { sys::napi_release_threadsafe_function(self.tsfn, sys::ThreadsafeFunctionReleaseMode::release) };
        }
    }
}

unsafe extern "C" fn call_js<T>(
    env: sys::napi_env,
    _js_callback: sys::napi_value,
    context: *mut c_void,
    data: *mut c_void,
) {
    // SAFETY: `data` came from Box::into_raw in `send`, and N-API hands each item to this
    // callback exactly once.
    let message = unsafe { Box::from_raw(data.cast::<T>()) };
    if env.is_null() {
        // The environment is going away: drop the message without running JS.
        return;
    }
    // SAFETY: `context` is the handler box, alive until `finalize`, which N-API runs
    // after the last call_js; this runs on the JS thread.
    let context = unsafe { &mut *context.cast::<Context<T>>() };
    let env = Env::from_raw(env);
    (context.handler)(&env, *message);
}

unsafe extern "C" fn finalize<T>(_env: sys::napi_env, data: *mut c_void, _hint: *mut c_void) {
    // SAFETY: `data` is the context box from `new`, finalized exactly once.
    let context = unsafe { Box::from_raw(data.cast::<Context<T>>()) };
    *context.gone.lock().unwrap_or_else(|e| e.into_inner()) = true;
}
