//! `isConfigSupported()`: the answer dictionaries' promises. An invalid configuration
//! rejects with its `TypeError`; a valid one is answered by opening the engine session
//! for real, so the answer is what the linked FFmpeg really does.

use engine::EngineError;
use engine::Session;
use napi::bindgen_prelude::{FromNapiValue, ToNapiValue, TypeName};
use napi::sys::napi_value;
use napi::{Env, JsValue, Task};

use crate::codec::protocol::{Codec, Config};
use crate::dict::{read_value, Checked};
use crate::js::promise;
use crate::js::raw::{to_value, JsHandle};

/// Encoders: the session is opened on libuv's thread pool, since opening an encoder takes
/// up to ~90 ms (SVT-AV1), too long for the event loop. The promise resolves with
/// `answer(env, supported, dict)`.
pub fn encoder_support<C, D, T>(
    env: &Env,
    dict: JsHandle,
    check: fn(&Env, &D) -> Checked<Config<C>>,
    answer: Answer<D, T>,
) -> napi::Result<napi_value>
where
    C: Codec,
    D: FromNapiValue + Send + 'static,
    T: ToNapiValue + TypeName + 'static,
{
    let dict = match read_value::<D>(env, dict.0) {
        Ok(dict) => dict,
        Err(invalid) => return promise::settled_promise(env, Err(invalid)),
    };
    let probe: Box<dyn FnOnce() -> bool + Send> = match check(env, &dict) {
        Checked::Invalid(invalid) => return promise::settled_promise(env, Err(invalid)),
        Checked::Unsupported(_) => Box::new(|| false),
        Checked::Supported(config) => Box::new(move || C::Session::open(config).is_ok()),
    };
    let task = SupportProbe { probe: Some(probe), dict: Some(dict), answer };
    Ok(env.spawn(task)?.promise_object().raw())
}

/// Decoders: opening one takes under 2 ms, so it is answered at once.
pub fn decoder_support<C, D, T>(
    env: &Env,
    dict: JsHandle,
    check: fn(&Env, &D) -> Checked<Config<C>>,
    answer: Answer<D, T>,
) -> napi::Result<napi_value>
where
    C: Codec,
    D: FromNapiValue,
    T: ToNapiValue,
{
    let answered = read_value::<D>(env, dict.0).and_then(|dict| {
        let supported = match check(env, &dict) {
            Checked::Invalid(invalid) => return Err(invalid),
            Checked::Unsupported(_) => false,
            Checked::Supported(config) => C::Session::open(config).is_ok(),
        };
        answer(env, supported, dict).map_err(|e| EngineError::type_error(e.reason))
    });
    let value = match answered {
        Ok(support) => Ok(to_value(env, support)?),
        Err(e) => Err(e),
    };
    promise::settled_promise(env, value)
}

/// Builds the support dictionary from the answer and the caller's config.
pub type Answer<D, T> = fn(&Env, bool, D) -> napi::Result<T>;

/// An encoder's answer, found on libuv's thread pool.
struct SupportProbe<D, T> {
    probe: Option<Box<dyn FnOnce() -> bool + Send>>,
    dict: Option<D>,
    answer: Answer<D, T>,
}

impl<D: Send, T: ToNapiValue + TypeName> Task for SupportProbe<D, T> {
    type Output = bool;
    type JsValue = T;

    fn compute(&mut self) -> napi::Result<bool> {
        Ok(self.probe.take().is_some_and(|probe| probe()))
    }

    fn resolve(&mut self, env: Env, supported: bool) -> napi::Result<T> {
        let dict = self.dict.take().ok_or_else(|| napi::Error::from_reason("support probe resolved twice"))?;
        (self.answer)(&env, supported, dict)
    }
}
