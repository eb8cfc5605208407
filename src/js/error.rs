//! The N-API boundary for errors: engine errors become `TypeError`, `RangeError` or a
//! `DOMException` with the spec's name, created once here.

use engine::EngineError;
use napi::{Env, Status};

use crate::js::raw;

/// Builds the JavaScript error object for `e`.
pub fn js_error(env: &Env, e: &EngineError) -> napi::Result<napi::sys::napi_value> {
    match e {
        EngineError::Type(m) => raw::construct_global(env, "TypeError", &[m]),
        EngineError::Range(m) => raw::construct_global(env, "RangeError", &[m]),
        other => raw::construct_global(env, "DOMException", &[other.message(), other.name()]),
    }
}

/// Throws `e` as its JavaScript error and returns the `napi::Error` that tells napi-rs
/// an exception is already pending.
pub fn throw(env: &Env, e: EngineError) -> napi::Error {
    match js_error(env, &e).and_then(|value| raw::throw(env, value)) {
        Ok(()) => napi::Error::new(Status::PendingException, e.to_string()),
        Err(failed) => failed,
    }
}

/// The one exception of a "Reset/Close ... with exception" algorithm: its JS object is
/// made on first use, and every promise it rejects and the error callback get that same
/// object.
pub struct Exception<'a> {
    error: &'a EngineError,
    value: Option<napi::sys::napi_value>,
}

impl<'a> Exception<'a> {
    pub fn new(error: &'a EngineError) -> Self {
        Self { error, value: None }
    }

    /// The JS object (valid for the current call).
    pub fn value(&mut self, env: &Env) -> napi::Result<napi::sys::napi_value> {
        match self.value {
            Some(value) => Ok(value),
            None => {
                let value = js_error(env, self.error)?;
                self.value = Some(value);
                Ok(value)
            }
        }
    }
}

/// `result.or_throw(&env)?` at the end of every binding method that can fail.
pub trait OrThrow<T> {
    fn or_throw(self, env: &Env) -> napi::Result<T>;
}

impl<T> OrThrow<T> for Result<T, EngineError> {
    fn or_throw(self, env: &Env) -> napi::Result<T> {
        self.map_err(|e| throw(env, e))
    }
}

/// The spec's `InvalidStateError` for an object used after `close()`.
pub fn closed(what: &str) -> EngineError {
    EngineError::InvalidState(format!("{what} is closed"))
}
