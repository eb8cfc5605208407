//! Promises: pending ones with their deferred, already settled ones, and settling.

use std::ptr;

use engine::EngineError;
use napi::sys::{self, napi_value};
use napi::Env;

use crate::js::error::{js_error, Exception};
use crate::js::raw::{check, undefined};

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
            Err(e) => check(sys::napi_reject_deferred(env.raw(), deferred, js_error(env, &e)?), "reject")?,
        }
    }
    Ok(promise)
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
    reject_with(env, deferred, &mut Exception::new(error));
}

/// Rejects with `exception`'s object, the same for every promise it rejects.
pub fn reject_with(env: &Env, deferred: sys::napi_deferred, exception: &mut Exception) {
    if let Ok(value) = exception.value(env) {
        // SAFETY: see the module comment; each deferred is settled exactly once.
        unsafe { sys::napi_reject_deferred(env.raw(), deferred, value) };
    }
}
