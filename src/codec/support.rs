//! `isConfigSupported()`: an invalid configuration rejects with its `TypeError`; a valid
//! one is answered by opening the engine session for real, on libuv's thread pool (an
//! encoder takes up to ~90 ms to open, SVT-AV1 at 720p), so the answer is what the linked
//! FFmpeg really does and the event loop keeps turning meanwhile.

use engine::{EngineError, Session};
use napi::bindgen_prelude::{FromNapiValue, ToNapiValue};
use napi::sys::napi_value;
use napi::{Env, JsValue, Task};

use crate::codec::protocol::{Codec, Config};
use crate::dict::{read_value, Checked};
use crate::js::promise;
use crate::js::raw::{self, to_value, JsHandle, StrongRef};

/// Builds the support dictionary from the caller's config (converted, with copies of its
/// buffers); `supported` is filled in once the probe is done.
pub type Answer<D, T> = fn(&Env, bool, D) -> napi::Result<T>;

/// The promise `isConfigSupported(dict)` returns, for any codec class `C`.
pub fn probe<C, D, T>(
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
    let dict = match read_value::<D>(env, dict.0) {
        Ok(dict) => dict,
        Err(invalid) => return promise::settled_promise(env, Err(invalid)),
    };
    let config = match check(env, &dict) {
        Checked::Invalid(invalid) => return promise::settled_promise(env, Err(invalid)),
        Checked::Unsupported(_) => None,
        Checked::Supported(config) => Some(config),
    };
    let answer = match answer(env, false, dict) {
        Ok(answer) => to_value(env, answer)?,
        Err(e) => return promise::settled_promise(env, Err(EngineError::type_error(e.reason))),
    };
    let task = SupportProbe::<C> { config, answer: StrongRef::new(env, answer)? };
    Ok(env.spawn(task)?.promise_object().raw())
}

/// One probe on libuv's pool: opens the session (`None`: known unsupported already).
struct SupportProbe<C: Codec> {
    config: Option<Config<C>>,
    /// The answer object, its `supported` filled in at `resolve`.
    answer: StrongRef,
}

impl<C: Codec> Task for SupportProbe<C> {
    type Output = bool;
    type JsValue = JsHandle;

    fn compute(&mut self) -> napi::Result<bool> {
        Ok(self.config.take().is_some_and(|config| C::Session::open(config).is_ok()))
    }

    fn resolve(&mut self, env: Env, supported: bool) -> napi::Result<JsHandle> {
        let answer = self.answer.value(&env)?;
        raw::set_property(&env, answer, c"supported", to_value(&env, supported)?)?;
        Ok(JsHandle(answer))
    }

    fn finally(self, env: Env) -> napi::Result<()> {
        self.answer.delete(&env);
        Ok(())
    }
}
