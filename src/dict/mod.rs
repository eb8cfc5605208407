//! Dictionary conversion: WebIDL dictionaries from JS values into engine types, with the
//! spec's split between invalid (TypeError) and valid but unsupported.

pub mod audio;
pub mod config;
pub mod frame;
pub mod image;
pub mod video;
pub mod webidl;

use engine::EngineError;
use napi::bindgen_prelude::FromNapiValue;
use napi::sys::napi_value;
use napi::Env;

use crate::js::error;

/// Converts a dictionary argument (undefined and null are `{}`, any other value that is
/// no object a TypeError), turning napi-rs's conversion failure (a missing member, a
/// wrong type) into the `TypeError` WebIDL requires.
pub fn read<T: FromNapiValue>(env: &Env, value: napi_value) -> napi::Result<T> {
    read_value(env, value).map_err(|e| error::throw(env, e))
}

/// As [`read`], returning the `TypeError` instead of throwing it.
pub fn read_value<T: FromNapiValue>(env: &Env, value: napi_value) -> Result<T, EngineError> {
    // SAFETY: a JS-thread call with a live handle of the current call.
    unsafe { webidl::Dictionary::<T>::from_napi_value(env.raw(), value) }
        .map(|dictionary| dictionary.0)
        .map_err(|e| EngineError::type_error(e.reason))
}

/// What a codec configuration comes to, in the spec's order of checks.
pub enum Checked<T> {
    /// Not a valid configuration: `configure()` throws the `TypeError`,
    /// `isConfigSupported()` rejects with it.
    Invalid(EngineError),
    /// Valid, but this build cannot honour it: `configure()` closes the codec with
    /// `NotSupportedError`, `isConfigSupported()` answers `{supported: false}`.
    Unsupported(EngineError),
    /// The engine configuration to open.
    Supported(T),
}

impl<T> Checked<T> {
    /// From the two stages: validation (`Err` is a `TypeError`), then `support`, which
    /// turns a valid dictionary into an engine configuration or says why it cannot.
    pub fn new<F: FnOnce() -> Result<T, EngineError>>(valid: Result<F, EngineError>) -> Self {
        match valid.map(|support| support()) {
            Err(invalid) => Self::Invalid(invalid),
            Ok(Err(unsupported)) => Self::Unsupported(unsupported),
            Ok(Ok(config)) => Self::Supported(config),
        }
    }
}
