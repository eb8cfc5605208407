//! `isConfigSupported()`: an invalid configuration rejects with its `TypeError`; a valid
//! one is answered by opening the engine session for real, on libuv's thread pool (an
//! encoder takes up to ~90 ms to open, SVT-AV1 at 720p), so the answer is what the linked
//! FFmpeg really does and the event loop keeps turning meanwhile.

use engine::{EngineError, Session};
use napi::bindgen_prelude::{FromNapiValue, ToNapiValue};
use napi::sys::{self, napi_value};
use napi::{Env, JsValue, Task};

use crate::codec::protocol::{Codec, Config};
use crate::dict::{read_value, Checked};
use crate::js::promise;
use crate::js::raw::{self, to_value, JsHandle};

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
    let mut reference = std::ptr::null_mut();
    // SAFETY: a JS-thread call with a live handle; deleted in `finally`.
    raw::check(unsafe { sys::napi_create_reference(env.raw(), answer, 1, &mut reference) }, "napi_create_reference")?;
    let task = SupportProbe::<C> { config, answer: AnswerRef(reference) };
    Ok(env.spawn(task)?.promise_object().raw())
}

/// The answer object, held by a strong reference made, read and deleted on the JS thread
/// only (`probe`, `resolve`, `finally`).
struct AnswerRef(sys::napi_ref);

// SAFETY: the pool thread only carries the reference; see the type's comment.
unsafe impl Send for AnswerRef {}

/// One probe on libuv's pool: opens the session (`None`: known unsupported already).
struct SupportProbe<C: Codec> {
    config: Option<Config<C>>,
    answer: AnswerRef,
}

impl<C: Codec> Task for SupportProbe<C> {
    type Output = bool;
    type JsValue = JsHandle;

    fn compute(&mut self) -> napi::Result<bool> {
        Ok(self.config.take().is_some_and(|config| C::Session::open(config).is_ok()))
    }

    fn resolve(&mut self, env: Env, supported: bool) -> napi::Result<JsHandle> {
        let answer = raw::ref_value(&env, self.answer.0)?.ok_or_else(|| napi::Error::from_reason("answer is gone"))?;
        raw::set_property(&env, answer, c"supported", to_value(&env, supported)?)?;
        Ok(JsHandle(answer))
    }

    fn finally(self, env: Env) -> napi::Result<()> {
        // SAFETY: the reference was created in this env and is deleted once, here.
        unsafe { sys::napi_delete_reference(env.raw(), self.answer.0) };
        Ok(())
    }
}
