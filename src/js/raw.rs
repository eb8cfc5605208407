//! Raw N-API primitives that napi-rs does not offer in the shape we need: the one
//! status `check`, values, properties, globals, references and calls. Every `unsafe`
//! block in `napi/` relies on the same invariant: it runs on the JS thread inside a
//! callback whose `env` and handles are valid for the call.

use std::ffi::CString;
use std::ptr;

use napi::bindgen_prelude::{FromNapiValue, ToNapiValue, TypeName};
use napi::sys::{self, napi_value};
use napi::{Env, Status, ValueType};

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

/// Turns an N-API status into a `napi::Error` naming the call that failed.
pub fn check(status: sys::napi_status, what: &str) -> napi::Result<()> {
    if status == sys::Status::napi_ok {
        Ok(())
    } else {
        Err(napi::Error::new(Status::from(status), format!("{what} failed")))
    }
}

pub fn global_property(env: &Env, name: &str) -> napi::Result<napi_value> {
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

pub fn string(env: &Env, s: &str) -> napi::Result<napi_value> {
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

pub fn is_instance_of_global(env: &Env, value: napi_value, ctor: &str) -> napi::Result<bool> {
    let ctor = global_property(env, ctor)?;
    let mut yes = false;
    // SAFETY: see the module comment.
    unsafe { check(sys::napi_instanceof(env.raw(), value, ctor, &mut yes), "napi_instanceof")? };
    Ok(yes)
}

pub fn strict_equals(env: &Env, a: napi_value, b: napi_value) -> napi::Result<bool> {
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

/// A reference that does not keep `value` alive (count 0) until strengthened.
pub fn weak_ref(env: &Env, value: napi_value) -> napi::Result<sys::napi_ref> {
    let mut reference = ptr::null_mut();
    // SAFETY: see the module comment.
    unsafe { check(sys::napi_create_reference(env.raw(), value, 0, &mut reference), "napi_create_reference")? };
    Ok(reference)
}

/// A strong reference that a task on libuv's pool carries to its settling: made, read
/// and deleted on the JS thread only (N-API calls `resolve` and `finally` there).
pub struct StrongRef(sys::napi_ref);

// SAFETY: the pool thread only carries the reference; see the type's comment.
unsafe impl Send for StrongRef {}

impl StrongRef {
    pub fn new(env: &Env, value: napi_value) -> napi::Result<Self> {
        let mut reference = ptr::null_mut();
        // SAFETY: see the module comment.
        unsafe { check(sys::napi_create_reference(env.raw(), value, 1, &mut reference), "napi_create_reference")? };
        Ok(Self(reference))
    }

    /// The value; it cannot have been collected while the reference holds it.
    pub fn value(&self, env: &Env) -> napi::Result<napi_value> {
        ref_value(env, self.0)?.ok_or_else(|| napi::Error::from_reason("a referenced value is gone"))
    }

    /// Deletes the reference, once, in the env it was made in.
    pub fn delete(self, env: &Env) {
        // SAFETY: see the module comment; `self` is consumed, so this runs once.
        unsafe { sys::napi_delete_reference(env.raw(), self.0) };
    }
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

/// A new empty object.
pub fn object(env: &Env) -> napi::Result<napi_value> {
    let mut value = ptr::null_mut();
    // SAFETY: see the module comment.
    unsafe { check(sys::napi_create_object(env.raw(), &mut value), "object")? };
    Ok(value)
}

pub fn type_of(env: &Env, value: napi_value) -> napi::Result<sys::napi_valuetype> {
    let mut kind = 0;
    // SAFETY: see the module comment.
    unsafe { check(sys::napi_typeof(env.raw(), value, &mut kind), "napi_typeof")? };
    Ok(kind)
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

/// `object[name](...args)`. An exception it throws stays pending, so that it reaches the
/// JS caller of the method being implemented.
pub fn call_method(
    env: &Env,
    object: napi_value,
    name: &std::ffi::CStr,
    args: &[napi_value],
) -> napi::Result<napi_value> {
    call_with(env, get_property(env, object, name)?, object, args)
}

/// Converts a Rust value for JS (objects built here, on the JS thread).
pub fn to_value<T: ToNapiValue>(env: &Env, value: T) -> napi::Result<napi_value> {
    // SAFETY: converting an owned value on the JS thread.
    unsafe { T::to_napi_value(env.raw(), value) }
}

/// Converts a JS value of a call into a Rust one (a string, a boolean).
pub fn from_value<T: FromNapiValue>(env: &Env, value: napi_value) -> napi::Result<T> {
    // SAFETY: see the module comment.
    unsafe { T::from_napi_value(env.raw(), value) }
}

/// `object[key]` for any key value (a symbol, say).
pub fn get_keyed(env: &Env, object: napi_value, key: napi_value) -> napi::Result<napi_value> {
    let mut value = ptr::null_mut();
    // SAFETY: see the module comment.
    unsafe { check(sys::napi_get_property(env.raw(), object, key, &mut value), "get property")? };
    Ok(value)
}

/// `object[key] = value` for any key value.
pub fn set_keyed(env: &Env, object: napi_value, key: napi_value, value: napi_value) -> napi::Result<()> {
    // SAFETY: see the module comment.
    unsafe { check(sys::napi_set_property(env.raw(), object, key, value), "set property") }
}

/// `function.call(receiver, ...args)`; an exception stays pending for the JS caller.
pub fn call_with(
    env: &Env,
    function: napi_value,
    receiver: napi_value,
    args: &[napi_value],
) -> napi::Result<napi_value> {
    let mut result = ptr::null_mut();
    // SAFETY: see the module comment; `args` are live handles.
    unsafe {
        check(sys::napi_call_function(env.raw(), receiver, function, args.len(), args.as_ptr(), &mut result), "call")?
    };
    Ok(result)
}

/// A JS function named `name` that runs `callback`.
pub fn function(env: &Env, name: &str, callback: sys::napi_callback) -> napi::Result<napi_value> {
    let mut value = ptr::null_mut();
    // SAFETY: see the module comment; the name is copied by N-API.
    unsafe {
        check(
            sys::napi_create_function(
                env.raw(),
                name.as_ptr().cast(),
                name.len() as isize,
                callback,
                ptr::null_mut(),
                &mut value,
            ),
            "napi_create_function",
        )?
    };
    Ok(value)
}

/// The receiver and first argument of a call into a function made by [`function`].
///
/// # Safety
/// `info` must be the callback info N-API passed to that function's callback.
pub unsafe fn this_and_first_arg(
    env: sys::napi_env,
    info: sys::napi_callback_info,
) -> Option<(napi_value, napi_value)> {
    let mut argc = 1usize;
    let mut argv = [ptr::null_mut(); 1];
    let mut this = ptr::null_mut();
    // SAFETY: the caller passes the info of the current call; `argv` has room for `argc`.
    let status = unsafe { sys::napi_get_cb_info(env, info, &mut argc, argv.as_mut_ptr(), &mut this, ptr::null_mut()) };
    (status == sys::Status::napi_ok).then_some((this, argv[0]))
}
