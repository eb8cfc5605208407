//! Reading a WHATWG `ReadableStream` from Rust (https://streams.spec.whatwg.org/#default-reader-class):
//! `getReader()`, then `read()` after `read()`, each outcome handed to a Rust callback on
//! the JS thread. The reader is held by a strong reference until reading ends.

use std::cell::RefCell;
use std::ptr;
use std::rc::Rc;

use napi::bindgen_prelude::Function;
use napi::sys::{self, napi_value};
use napi::{Env, JsValue};

use crate::js::raw::{self, check, JsHandle};

/// One `read()` outcome.
pub enum Read {
    Chunk(napi_value),
    Done,
    /// The stream errored.
    Failed,
}

/// Called with each outcome; returns whether to read on.
pub type OnRead = Box<dyn FnMut(&Env, Read) -> bool>;

/// A stream being read; dropping it (JS thread only) lets the reader go.
pub struct StreamReader {
    env: sys::napi_env,
    reader: sys::napi_ref,
    on_read: RefCell<Option<OnRead>>,
}

impl Drop for StreamReader {
    fn drop(&mut self) {
        // SAFETY: created on this env's JS thread, dropped there (the reader lives in the
        // decoder's JS-thread state and in callbacks N-API runs on that thread).
        unsafe { sys::napi_delete_reference(self.env, self.reader) };
    }
}

/// Whether `value` is a `ReadableStream` (of this realm).
pub fn is_readable_stream(env: &Env, value: napi_value) -> bool {
    raw::global_property(env, "ReadableStream")
        .ok()
        .filter(|ctor| raw::type_of(env, *ctor).ok() == Some(sys::ValueType::napi_function))
        .and_then(|_| raw::is_instance_of_global(env, value, "ReadableStream").ok())
        .unwrap_or(false)
}

/// Whether the stream is locked to a reader already (the spec's IsReadableStreamLocked).
pub fn is_locked(env: &Env, stream: napi_value) -> bool {
    let locked = raw::get_property(env, stream, c"locked");
    locked.and_then(|v| raw::from_value::<bool>(env, v)).unwrap_or(true)
}

/// Whether the stream has been read from or cancelled (the spec's IsReadableStreamDisturbed),
/// through Node's `stream.isDisturbed`; false where this Node has no
/// `process.getBuiltinModule` to reach it. An exception it throws stays pending.
pub fn is_disturbed(env: &Env, stream: napi_value) -> napi::Result<bool> {
    let process = raw::global_property(env, "process")?;
    if !raw::is_function(env, raw::get_property(env, process, c"getBuiltinModule")?)? {
        return Ok(false);
    }
    let module = raw::call_method(env, process, c"getBuiltinModule", &[raw::string(env, "node:stream")?])?;
    let answer = raw::call_method(env, module, c"isDisturbed", &[stream])?;
    raw::from_value::<bool>(env, answer)
}

/// Locks `stream` to a reader and starts reading it.
pub fn read_all(env: &Env, stream: napi_value, on_read: OnRead) -> napi::Result<Rc<StreamReader>> {
    let reader = raw::call_method(env, stream, c"getReader", &[])?;
    let mut reference = ptr::null_mut();
    // SAFETY: see `raw`'s module comment.
    unsafe { check(sys::napi_create_reference(env.raw(), reader, 1, &mut reference), "reader reference")? };
    let reader = Rc::new(StreamReader { env: env.raw(), reader: reference, on_read: RefCell::new(Some(on_read)) });
    read_next(env, &reader)?;
    Ok(reader)
}

/// Cancels the stream (the decoder closed) and stops reading.
pub fn cancel(env: &Env, reader: &StreamReader) {
    reader.on_read.borrow_mut().take();
    if let Ok(Some(value)) = raw::ref_value(env, reader.reader) {
        if let Ok(promise) = raw::call_method(env, value, c"cancel", &[]) {
            // A rejected cancel has nothing left to tell anyone.
            let _ = then(env, promise, |_, _| Ok(()), |_, _| Ok(()));
        }
    }
}

fn read_next(env: &Env, reader: &Rc<StreamReader>) -> napi::Result<()> {
    let Some(value) = raw::ref_value(env, reader.reader)? else { return Ok(()) };
    let promise = raw::call_method(env, value, c"read", &[])?;
    let (on_value, on_error) = (reader.clone(), reader.clone());
    then(
        env,
        promise,
        move |env, result| {
            let done = raw::get_property(env, result, c"done")?;
            let done = raw::from_value::<bool>(env, done).unwrap_or(true);
            let outcome = if done { Read::Done } else { Read::Chunk(raw::get_property(env, result, c"value")?) };
            if deliver(env, &on_value, outcome) && !done {
                read_next(env, &on_value)?;
            }
            Ok(())
        },
        move |env, _reason| {
            deliver(env, &on_error, Read::Failed);
            Ok(())
        },
    )
}

fn deliver(env: &Env, reader: &StreamReader, outcome: Read) -> bool {
    // Taken out while it runs: a callback that closes the decoder cancels this reader.
    let Some(mut on_read) = reader.on_read.borrow_mut().take() else { return false };
    let again = on_read(env, outcome);
    let mut slot = reader.on_read.borrow_mut();
    if again && slot.is_none() {
        *slot = Some(on_read);
        return true;
    }
    false
}

/// `promise.then(fulfilled, rejected)` with Rust callbacks.
fn then(
    env: &Env,
    promise: napi_value,
    fulfilled: impl Fn(&Env, napi_value) -> napi::Result<()> + 'static,
    rejected: impl Fn(&Env, napi_value) -> napi::Result<()> + 'static,
) -> napi::Result<()> {
    let on_fulfilled: Function<JsHandle, ()> = env.create_function_from_closure("onRead", move |ctx| {
        let value: JsHandle = ctx.get(0)?;
        fulfilled(&Env::from_raw(ctx.env.raw()), value.0)
    })?;
    let on_rejected: Function<JsHandle, ()> = env.create_function_from_closure("onReadError", move |ctx| {
        let reason: JsHandle = ctx.get(0)?;
        rejected(&Env::from_raw(ctx.env.raw()), reason.0)
    })?;
    raw::call_method(env, promise, c"then", &[on_fulfilled.raw(), on_rejected.raw()]).map(|_| ())
}
