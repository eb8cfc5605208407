//! The codec's callbacks and its `EventTarget` side: the `{output, error, ondequeue,
//! target}` holder made from the init dictionary, `ondequeue`, listener forwarding and
//! event dispatch (https://w3c.github.io/webcodecs/#eventdef-videoencoder-dequeue).

use std::ffi::CStr;

use engine::EngineError;
use napi::sys::{self, napi_value};
use napi::Env;

use crate::js::raw::{
    call_function, call_method, construct_global, get_property, is_function, is_instance_of_global, null, object,
    set_property, strict_equals, string, type_of, undefined,
};

/// The holder of a codec's callbacks, from its init dictionary: `{output, error,
/// ondequeue, target}`, `target` being the `EventTarget` that keeps its event listeners.
/// `output` and `error` must be functions (TypeError).
pub fn callbacks_from_init(env: &Env, init: napi_value) -> Result<napi_value, EngineError> {
    let internal = |e: napi::Error| EngineError::type_error(e.reason);
    if type_of(env, init).map_err(internal)? != sys::ValueType::napi_object {
        return Err(EngineError::type_error("init must be an object with output and error callbacks"));
    }
    let output = get_property(env, init, c"output").map_err(internal)?;
    let error = get_property(env, init, c"error").map_err(internal)?;
    if !is_function(env, output).map_err(internal)? || !is_function(env, error).map_err(internal)? {
        return Err(EngineError::type_error("init.output and init.error must be functions"));
    }
    let build = || -> napi::Result<napi_value> {
        let holder = object(env)?;
        set_property(env, holder, c"output", output)?;
        set_property(env, holder, c"error", error)?;
        set_property(env, holder, c"ondequeue", null(env)?)?;
        set_property(env, holder, c"target", construct_global(env, "EventTarget", &[])?)?;
        Ok(holder)
    };
    build().map_err(internal)
}

/// The `ondequeue` attribute's value.
pub fn ondequeue(env: &Env, callbacks: napi_value) -> napi::Result<napi_value> {
    get_property(env, callbacks, c"ondequeue")
}

/// Sets `ondequeue`; anything but a function stores null, as for an event handler IDL
/// attribute.
pub fn set_ondequeue(env: &Env, callbacks: napi_value, handler: napi_value) -> napi::Result<()> {
    let value = if is_function(env, handler)? { handler } else { null(env)? };
    set_property(env, callbacks, c"ondequeue", value)
}

/// `addEventListener`/`removeEventListener` (`method`) with the caller's arguments,
/// forwarded to the codec's `EventTarget`: any event type, listener objects and options.
pub fn listen(
    env: &Env,
    callbacks: napi_value,
    method: &CStr,
    [kind, listener]: [napi_value; 2],
    options: Option<napi_value>,
) -> napi::Result<()> {
    let target = get_property(env, callbacks, c"target")?;
    let options = options.map_or_else(|| undefined(env), Ok)?;
    call_method(env, target, method, &[kind, listener, options]).map(|_| ())
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

/// Calls the `output` callback with `args`.
pub fn call_output(env: &Env, callbacks: napi_value, args: &[napi_value]) -> napi::Result<()> {
    let callback = get_property(env, callbacks, c"output")?;
    call_function(env, callback, args);
    Ok(())
}

/// Calls the `error` callback with `error`.
pub fn call_error(env: &Env, callbacks: napi_value, error: napi_value) -> napi::Result<()> {
    let callback = get_property(env, callbacks, c"error")?;
    call_function(env, callback, &[error]);
    Ok(())
}
