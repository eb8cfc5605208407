//! Small raw N-API helpers that napi-rs does not offer in the shape we need: buffer
//! sources of every kind, transfer of ArrayBuffers, error objects built from global
//! constructors, dictionaries whose conversion failures are `TypeError`s, and settled
//! promises. Every `unsafe` block here relies on the same invariant: it runs on the JS
//! thread inside a callback whose `env` and handles are valid for the call.

use std::ffi::CString;
use std::ptr;

use engine::EngineError;
use napi::bindgen_prelude::{FromNapiValue, ToNapiValue, TypeName, Uint8Array};
use napi::sys::{self, napi_value};
use napi::{Env, Status, ValueType};

use crate::error;

/// A JavaScript value held as a raw handle, valid for the current call only: the type
/// of dictionary members that accept any value (`data`, `transfer`).
#[derive(Clone, Copy)]
pub struct JsHandle(pub napi_value);

impl FromNapiValue for JsHandle {
    unsafe fn from_napi_value(_env: sys::napi_env, value: napi_value) -> napi::Result<Self> {
        Ok(Self(value))
    }
}

impl ToNapiValue for JsHandle {
    unsafe fn to_napi_value(_env: sys::napi_env, value: Self) -> napi::Result<napi_value> {
        Ok(value.0)
    }
}

impl TypeName for JsHandle {
    fn type_name() -> &'static str {
        "unknown"
    }

    fn value_type() -> ValueType {
        ValueType::Unknown
    }
}

fn check(status: sys::napi_status, what: &str) -> napi::Result<()> {
    if status == sys::Status::napi_ok {
        Ok(())
    } else {
        Err(napi::Error::new(Status::from(status), format!("{what} failed")))
    }
}

fn global_property(env: &Env, name: &str) -> napi::Result<napi_value> {
    let name = CString::new(name).map_err(|_| napi::Error::from_reason("bad property name"))?;
    let mut global = ptr::null_mut();
    let mut value = ptr::null_mut();
    // SAFETY: see the module comment; `name` outlives the call.
    unsafe {
        check(sys::napi_get_global(env.raw(), &mut global), "napi_get_global")?;
        check(sys::napi_get_named_property(env.raw(), global, name.as_ptr(), &mut value), "get global")?;
    }
    Ok(value)
}

fn string(env: &Env, s: &str) -> napi::Result<napi_value> {
    let mut value = ptr::null_mut();
    // SAFETY: see the module comment; the pointer and length describe `s`.
    unsafe {
        check(sys::napi_create_string_utf8(env.raw(), s.as_ptr().cast(), s.len() as isize, &mut value), "string")?
    };
    Ok(value)
}

/// `new globalThis[name](...args)` with string arguments.
pub fn construct_global(env: &Env, name: &str, args: &[&str]) -> napi::Result<napi_value> {
    let ctor = global_property(env, name)?;
    let args = args.iter().map(|a| string(env, a)).collect::<napi::Result<Vec<_>>>()?;
    let mut value = ptr::null_mut();
    // SAFETY: see the module comment; `args` holds `args.len()` valid handles.
    unsafe { check(sys::napi_new_instance(env.raw(), ctor, args.len(), args.as_ptr(), &mut value), name)? };
    Ok(value)
}

pub fn throw(env: &Env, value: napi_value) -> napi::Result<()> {
    // SAFETY: see the module comment.
    unsafe { check(sys::napi_throw(env.raw(), value), "napi_throw") }
}

/// Converts a dictionary argument, turning napi-rs's conversion failure (a missing
/// member, a wrong type) into the `TypeError` WebIDL requires.
pub fn dict<T: FromNapiValue>(env: &Env, value: napi_value) -> napi::Result<T> {
    dict_value(env, value).map_err(|e| error::throw(env, e))
}

/// As [`dict`], returning the `TypeError` instead of throwing it.
pub fn dict_value<T: FromNapiValue>(env: &Env, value: napi_value) -> Result<T, EngineError> {
    // SAFETY: see the module comment.
    unsafe { T::from_napi_value(env.raw(), value) }.map_err(|e| EngineError::type_error(e.reason))
}

/// A promise already settled with `result`: `copyTo()` reports every failure as a
/// rejection, never as a synchronous throw.
pub fn settled_promise(env: &Env, result: Result<napi_value, EngineError>) -> napi::Result<napi_value> {
    let mut deferred = ptr::null_mut();
    let mut promise = ptr::null_mut();
    // SAFETY: see the module comment; `deferred` is settled exactly once below.
    unsafe {
        check(sys::napi_create_promise(env.raw(), &mut deferred, &mut promise), "napi_create_promise")?;
        match result {
            Ok(value) => check(sys::napi_resolve_deferred(env.raw(), deferred, value), "resolve")?,
            Err(e) => check(sys::napi_reject_deferred(env.raw(), deferred, error::js_error(env, &e)?), "reject")?,
        }
    }
    Ok(promise)
}

/// Bytes of an `AllowSharedBufferSource`, with the `ArrayBuffer` behind them.
pub struct BufferSource {
    pub ptr: *mut u8,
    pub len: usize,
    /// The underlying `ArrayBuffer` (or `SharedArrayBuffer`) and the view's offset in it.
    pub buffer: napi_value,
    pub byte_offset: usize,
}

impl BufferSource {
    /// Reads an ArrayBuffer, SharedArrayBuffer, typed array or DataView; anything else
    /// is a `TypeError`.
    pub fn from_value(env: &Env, value: napi_value) -> Result<Self, EngineError> {
        Self::inspect(env, value)
            .ok()
            .flatten()
            .ok_or_else(|| EngineError::type_error("expected an ArrayBuffer, SharedArrayBuffer or ArrayBufferView"))
    }

    fn inspect(env: &Env, value: napi_value) -> napi::Result<Option<Self>> {
        let raw = env.raw();
        let mut yes = false;
        let mut data: *mut std::ffi::c_void = ptr::null_mut();
        let mut len = 0usize;
        let mut buffer = ptr::null_mut();
        let mut byte_offset = 0usize;
        // SAFETY: see the module comment; each info call is made only on a value that
        // the matching `napi_is_*` accepted.
        unsafe {
            check(sys::napi_is_arraybuffer(raw, value, &mut yes), "napi_is_arraybuffer")?;
            if yes {
                check(sys::napi_get_arraybuffer_info(raw, value, &mut data, &mut len), "arraybuffer info")?;
                return Ok(Some(Self { ptr: data.cast(), len, buffer: value, byte_offset: 0 }));
            }
            check(sys::napi_is_typedarray(raw, value, &mut yes), "napi_is_typedarray")?;
            if yes {
                let mut kind = 0;
                let mut elements = 0usize;
                check(
                    sys::napi_get_typedarray_info(
                        raw,
                        value,
                        &mut kind,
                        &mut elements,
                        &mut data,
                        &mut buffer,
                        &mut byte_offset,
                    ),
                    "typedarray info",
                )?;
                let bytes = elements * typed_array_element_size(kind);
                return Ok(Some(Self { ptr: data.cast(), len: bytes, buffer, byte_offset }));
            }
            check(sys::napi_is_dataview(raw, value, &mut yes), "napi_is_dataview")?;
            if yes {
                check(
                    sys::napi_get_dataview_info(raw, value, &mut len, &mut data, &mut buffer, &mut byte_offset),
                    "dataview",
                )?;
                return Ok(Some(Self { ptr: data.cast(), len, buffer, byte_offset }));
            }
        }
        // N-API has no SharedArrayBuffer accessors on Node 20: view it through a Uint8Array.
        if is_instance_of_global(env, value, "SharedArrayBuffer")? {
            let ctor = global_property(env, "Uint8Array")?;
            let mut view = ptr::null_mut();
            // SAFETY: see the module comment.
            unsafe { check(sys::napi_new_instance(raw, ctor, 1, &value, &mut view), "new Uint8Array")? };
            return Ok(Self::inspect(env, view)?.map(|s| Self { buffer: value, ..s }));
        }
        Ok(None)
    }

    /// The bytes, valid while the JS value is alive and untouched (the current call).
    ///
    /// # Safety
    /// The caller must not let JS run (and so resize or detach the buffer) while the
    /// slice is alive.
    pub unsafe fn as_slice<'a>(&self) -> &'a [u8] {
        if self.len == 0 {
            return &[];
        }
        // SAFETY: N-API reported `len` readable bytes at `ptr`; the caller keeps JS out.
        unsafe { std::slice::from_raw_parts(self.ptr, self.len) }
    }

    /// # Safety
    /// As for [`BufferSource::as_slice`]; JS may share the memory but does not run.
    pub unsafe fn as_mut_slice<'a>(&self) -> &'a mut [u8] {
        if self.len == 0 {
            return &mut [];
        }
        // SAFETY: as above; writes race with nothing because JS is not running.
        unsafe { std::slice::from_raw_parts_mut(self.ptr, self.len) }
    }
}

fn typed_array_element_size(kind: sys::napi_typedarray_type) -> usize {
    use sys::TypedarrayType as T;
    match kind {
        T::int8_array | T::uint8_array | T::uint8_clamped_array => 1,
        // 11 is Float16Array, which napi-sys does not name yet.
        T::int16_array | T::uint16_array | 11 => 2,
        T::int32_array | T::uint32_array | T::float32_array => 4,
        _ => 8,
    }
}

fn is_instance_of_global(env: &Env, value: napi_value, ctor: &str) -> napi::Result<bool> {
    let ctor = global_property(env, ctor)?;
    let mut yes = false;
    // SAFETY: see the module comment.
    unsafe { check(sys::napi_instanceof(env.raw(), value, ctor, &mut yes), "napi_instanceof")? };
    Ok(yes)
}

fn strict_equals(env: &Env, a: napi_value, b: napi_value) -> napi::Result<bool> {
    let mut yes = false;
    // SAFETY: see the module comment.
    unsafe { check(sys::napi_strict_equals(env.raw(), a, b, &mut yes), "napi_strict_equals")? };
    Ok(yes)
}

/// The elements of a JS array (`init.transfer`).
pub fn array_elements(env: &Env, array: napi_value) -> napi::Result<Vec<napi_value>> {
    let mut len = 0u32;
    // SAFETY: see the module comment.
    unsafe { check(sys::napi_get_array_length(env.raw(), array, &mut len), "array length")? };
    (0..len)
        .map(|i| {
            let mut element = ptr::null_mut();
            // SAFETY: see the module comment.
            unsafe { check(sys::napi_get_element(env.raw(), array, i, &mut element), "array element")? };
            Ok(element)
        })
        .collect()
}

/// The ArrayBuffers of an init dictionary's optional `transfer` member.
pub fn transfer_list(env: &Env, transfer: Option<JsHandle>) -> Result<Vec<napi_value>, EngineError> {
    match transfer {
        Some(list) => array_elements(env, list.0).map_err(|_| EngineError::type_error("transfer must be an array")),
        None => Ok(Vec::new()),
    }
}

/// The spec's transfer step of the `VideoFrame`/`AudioData`/chunk constructors: checks
/// `transfer` (no duplicates, nothing detached, only ArrayBuffers) and detaches every
/// buffer in it. When `data` lies in one of them, its backing store is first moved, not
/// copied, into a new ArrayBuffer, which is returned with a pointer to `data`'s bytes in
/// it. Validation errors are `DataCloneError`s.
pub fn transfer(
    env: &Env,
    data: &BufferSource,
    list: &[napi_value],
) -> Result<Option<(napi_value, *mut u8)>, EngineError> {
    let data_clone = |m: &str| EngineError::DataClone(m.to_string());
    let fail = |_: napi::Error| data_clone("transfer failed");
    for (i, &item) in list.iter().enumerate() {
        for &earlier in &list[..i] {
            if strict_equals(env, item, earlier).map_err(fail)? {
                return Err(data_clone("transfer lists the same ArrayBuffer twice"));
            }
        }
        let mut is_ab = false;
        // SAFETY: see the module comment.
        unsafe { check(sys::napi_is_arraybuffer(env.raw(), item, &mut is_ab), "napi_is_arraybuffer").map_err(fail)? };
        if !is_ab {
            return Err(data_clone("transfer may only list ArrayBuffers"));
        }
        let mut detached = false;
        // SAFETY: see the module comment; `item` is an ArrayBuffer.
        unsafe { check(sys::napi_is_detached_arraybuffer(env.raw(), item, &mut detached), "detached").map_err(fail)? };
        if detached {
            return Err(data_clone("transfer lists a detached ArrayBuffer"));
        }
    }
    let mut taken = None;
    for &item in list {
        if taken.is_none() && strict_equals(env, item, data.buffer).map_err(fail)? {
            let moved = move_out(env, item).map_err(fail)?;
            let mut base: *mut std::ffi::c_void = ptr::null_mut();
            let mut len = 0usize;
            // SAFETY: see the module comment; `moved` is a fresh ArrayBuffer.
            unsafe {
                check(sys::napi_get_arraybuffer_info(env.raw(), moved, &mut base, &mut len), "info").map_err(fail)?
            };
            // SAFETY: the moved store is the one `data` viewed, so its offset is in range.
            taken = Some((moved, unsafe { base.cast::<u8>().add(data.byte_offset) }));
        } else {
            // SAFETY: see the module comment; `item` is a live, attached ArrayBuffer.
            unsafe { check(sys::napi_detach_arraybuffer(env.raw(), item), "detach").map_err(fail)? };
        }
    }
    Ok(taken)
}

/// Moves `buffer`'s backing store into a new ArrayBuffer with `structuredClone(buffer,
/// {transfer: [buffer]})` (V8 moves the store; nothing is copied), detaching `buffer`.
fn move_out(env: &Env, buffer: napi_value) -> napi::Result<napi_value> {
    let clone = global_property(env, "structuredClone")?;
    let raw = env.raw();
    let mut options = ptr::null_mut();
    let mut list = ptr::null_mut();
    let mut moved = ptr::null_mut();
    let mut global = ptr::null_mut();
    // SAFETY: see the module comment; every handle passed was created above or is a
    // live argument of the current call.
    unsafe {
        check(sys::napi_create_object(raw, &mut options), "object")?;
        check(sys::napi_create_array_with_length(raw, 1, &mut list), "array")?;
        check(sys::napi_set_element(raw, list, 0, buffer), "set element")?;
        check(sys::napi_set_named_property(raw, options, c"transfer".as_ptr(), list), "set transfer")?;
        check(sys::napi_get_global(raw, &mut global), "global")?;
        let args = [buffer, options];
        check(sys::napi_call_function(raw, global, clone, 2, args.as_ptr(), &mut moved), "structuredClone")?;
    }
    Ok(moved)
}

/// A `Uint8Array` over `len` bytes of `buffer` from `offset`, held by a reference that
/// keeps it alive from any thread (napi-rs routes its release to the JS thread).
pub fn uint8_array(env: &Env, buffer: napi_value, offset: usize, len: usize) -> napi::Result<Uint8Array> {
    let mut view = ptr::null_mut();
    // SAFETY: see the module comment; `buffer` is a live ArrayBuffer holding the range.
    unsafe {
        check(
            sys::napi_create_typedarray(env.raw(), sys::TypedarrayType::uint8_array, len, buffer, offset, &mut view),
            "view",
        )?;
        Uint8Array::from_napi_value(env.raw(), view)
    }
}

/// A reference that does not keep `value` alive (count 0) until strengthened.
pub fn weak_ref(env: &Env, value: napi_value) -> napi::Result<sys::napi_ref> {
    let mut reference = ptr::null_mut();
    // SAFETY: see the module comment.
    unsafe { check(sys::napi_create_reference(env.raw(), value, 0, &mut reference), "napi_create_reference")? };
    Ok(reference)
}

/// The referenced value, or `None` once it was collected.
pub fn ref_value(env: &Env, reference: sys::napi_ref) -> napi::Result<Option<napi_value>> {
    let mut value = ptr::null_mut();
    // SAFETY: see the module comment; `reference` is live (owned by the caller).
    unsafe { check(sys::napi_get_reference_value(env.raw(), reference, &mut value), "reference value")? };
    Ok((!value.is_null()).then_some(value))
}

/// Makes `reference` strong (count 1) or weak (count 0).
pub fn set_ref_strength(env: &Env, reference: sys::napi_ref, strong: bool) {
    let mut count = 0;
    // SAFETY: see the module comment; callers alternate, so the count stays 0 or 1.
    unsafe {
        if strong {
            sys::napi_reference_ref(env.raw(), reference, &mut count);
        } else {
            sys::napi_reference_unref(env.raw(), reference, &mut count);
        }
    }
}

pub fn get_property(env: &Env, object: napi_value, name: &std::ffi::CStr) -> napi::Result<napi_value> {
    let mut value = ptr::null_mut();
    // SAFETY: see the module comment.
    unsafe { check(sys::napi_get_named_property(env.raw(), object, name.as_ptr(), &mut value), "get property")? };
    Ok(value)
}

pub fn set_property(env: &Env, object: napi_value, name: &std::ffi::CStr, value: napi_value) -> napi::Result<()> {
    // SAFETY: see the module comment.
    unsafe { check(sys::napi_set_named_property(env.raw(), object, name.as_ptr(), value), "set property") }
}

pub fn is_function(env: &Env, value: napi_value) -> napi::Result<bool> {
    let mut kind = 0;
    // SAFETY: see the module comment.
    unsafe { check(sys::napi_typeof(env.raw(), value, &mut kind), "napi_typeof")? };
    Ok(kind == sys::ValueType::napi_function)
}

pub fn null(env: &Env) -> napi::Result<napi_value> {
    let mut value = ptr::null_mut();
    // SAFETY: see the module comment.
    unsafe { check(sys::napi_get_null(env.raw(), &mut value), "null")? };
    Ok(value)
}

pub fn undefined(env: &Env) -> napi::Result<napi_value> {
    let mut value = ptr::null_mut();
    // SAFETY: see the module comment.
    unsafe { check(sys::napi_get_undefined(env.raw(), &mut value), "undefined")? };
    Ok(value)
}

/// Calls `function` with `args`. An exception it throws is reported as uncaught, the way
/// a browser reports an exception from a codec callback, rather than thrown into
/// whichever codec method happened to trigger the callback.
pub fn call_function(env: &Env, function: napi_value, args: &[napi_value]) {
    let Ok(receiver) = undefined(env) else { return };
    let mut result = ptr::null_mut();
    // SAFETY: see the module comment; `args` are live handles.
    let status =
        unsafe { sys::napi_call_function(env.raw(), receiver, function, args.len(), args.as_ptr(), &mut result) };
    if status == sys::Status::napi_pending_exception {
        let mut exception = ptr::null_mut();
        // SAFETY: an exception is pending; taking it and re-raising it as uncaught.
        unsafe {
            sys::napi_get_and_clear_last_exception(env.raw(), &mut exception);
            sys::napi_fatal_exception(env.raw(), exception);
        }
    }
}

/// The holder of a codec's callbacks, from its init dictionary: `{output, error,
/// ondequeue, target}`, `target` being the `EventTarget` that keeps its event listeners.
/// `output` and `error` must be functions (TypeError).
pub fn callbacks_from_init(env: &Env, init: napi_value) -> Result<napi_value, EngineError> {
    let internal = |e: napi::Error| EngineError::type_error(e.reason);
    let mut kind = 0;
    // SAFETY: see the module comment.
    unsafe { check(sys::napi_typeof(env.raw(), init, &mut kind), "napi_typeof").map_err(internal)? };
    if kind != sys::ValueType::napi_object {
        return Err(EngineError::type_error("init must be an object with output and error callbacks"));
    }
    let output = get_property(env, init, c"output").map_err(internal)?;
    let error = get_property(env, init, c"error").map_err(internal)?;
    if !is_function(env, output).map_err(internal)? || !is_function(env, error).map_err(internal)? {
        return Err(EngineError::type_error("init.output and init.error must be functions"));
    }
    let build = || -> napi::Result<napi_value> {
        let mut holder = ptr::null_mut();
        // SAFETY: see the module comment.
        unsafe { check(sys::napi_create_object(env.raw(), &mut holder), "object")? };
        set_property(env, holder, c"output", output)?;
        set_property(env, holder, c"error", error)?;
        set_property(env, holder, c"ondequeue", null(env)?)?;
        set_property(env, holder, c"target", construct_global(env, "EventTarget", &[])?)?;
        Ok(holder)
    };
    build().map_err(internal)
}

/// `object[name](...args)`. An exception it throws stays pending, so that it reaches the
/// JS caller of the method being implemented.
pub fn call_method(
    env: &Env,
    object: napi_value,
    name: &std::ffi::CStr,
    args: &[napi_value],
) -> napi::Result<napi_value> {
    let method = get_property(env, object, name)?;
    let mut result = ptr::null_mut();
    // SAFETY: see the module comment; `args` are live handles.
    unsafe {
        check(sys::napi_call_function(env.raw(), object, method, args.len(), args.as_ptr(), &mut result), "call")?
    };
    Ok(result)
}

/// The codec's `dispatchEvent(event)`: `ondequeue` first for a "dequeue" event (the
/// event handler was the first listener), then the listeners added to the target.
pub fn dispatch_event(env: &Env, callbacks: napi_value, event: napi_value) -> napi::Result<napi_value> {
    // Anything but an Event goes straight to the target, which throws the TypeError.
    if is_instance_of_global(env, event, "Event")?
        && strict_equals(env, get_property(env, event, c"type")?, string(env, "dequeue")?)?
    {
        let handler = get_property(env, callbacks, c"ondequeue")?;
        if is_function(env, handler)? {
            call_function(env, handler, &[event]);
        }
    }
    let target = get_property(env, callbacks, c"target")?;
    call_method(env, target, c"dispatchEvent", &[event])
}

/// Fires the spec's `dequeue` event at a codec.
pub fn dispatch_dequeue(env: &Env, callbacks: napi_value) {
    if let Ok(event) = construct_global(env, "Event", &["dequeue"]) {
        let _ = dispatch_event(env, callbacks, event);
    }
}

/// A pending promise and the deferred that settles it.
pub fn deferred(env: &Env) -> napi::Result<(sys::napi_deferred, napi_value)> {
    let mut deferred = ptr::null_mut();
    let mut promise = ptr::null_mut();
    // SAFETY: see the module comment.
    unsafe { check(sys::napi_create_promise(env.raw(), &mut deferred, &mut promise), "napi_create_promise")? };
    Ok((deferred, promise))
}

pub fn resolve_undefined(env: &Env, deferred: sys::napi_deferred) {
    if let Ok(value) = undefined(env) {
        // SAFETY: see the module comment; each deferred is settled exactly once.
        unsafe { sys::napi_resolve_deferred(env.raw(), deferred, value) };
    }
}

pub fn reject(env: &Env, deferred: sys::napi_deferred, error: &EngineError) {
    if let Ok(value) = error::js_error(env, error) {
        // SAFETY: see the module comment; each deferred is settled exactly once.
        unsafe { sys::napi_reject_deferred(env.raw(), deferred, value) };
    }
}

/// Whether `buffer` is a detached `ArrayBuffer` (false for anything else).
pub fn is_detached(env: &Env, buffer: napi_value) -> bool {
    let mut detached = false;
    // SAFETY: see the module comment; N-API answers false for a value that is not an ArrayBuffer.
    let status = unsafe { sys::napi_is_detached_arraybuffer(env.raw(), buffer, &mut detached) };
    status == sys::Status::napi_ok && detached
}
