//! The codec as an `EventTarget` (https://w3c.github.io/webcodecs/#eventdef-videoencoder-dequeue):
//! every codec instance is a real Node `EventTarget`, so listeners run with the codec as
//! `this`, `target` and `currentTarget`; `ondequeue` is an event handler attribute; and
//! the callbacks holder keeps `output` and `error` from the init dictionary.
//!
//! napi-rs classes cannot extend a JS class, so when the addon loads each codec class
//! gets `EventTarget.prototype` under its prototype (and `EventTarget` under the class,
//! for the statics Node checks), and each instance gets the listener state a `new
//! EventTarget()` has: Node keeps it in the instance's own symbol-keyed properties. A
//! subclass of a codec inherits both, as it would from a class that extends EventTarget.

use std::ffi::CStr;

use engine::EngineError;
use napi::sys::{self, napi_value};
use napi::Env;

use crate::js::raw::{
    array_elements, call_function, call_method, call_with, construct_global, function, get_keyed, get_property,
    global_property, is_function, null, object, set_keyed, set_property, this_and_first_arg, type_of, undefined,
};

/// The holder of a codec's callbacks, from its init dictionary: `{output, error,
/// ondequeue}`. `output` and `error` must be functions (TypeError).
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
        Ok(holder)
    };
    build().map_err(internal)
}

/// Makes the codec class `class` inherit from `EventTarget` (once, as the addon loads).
pub fn inherit_event_target(env: &Env, class: napi_value) -> napi::Result<()> {
    let event_target = global_property(env, "EventTarget")?;
    let target_prototype = get_property(env, event_target, c"prototype")?;
    let prototype = get_property(env, class, c"prototype")?;
    let object_ctor = global_property(env, "Object")?;
    call_method(env, object_ctor, c"setPrototypeOf", &[prototype, target_prototype])?;
    call_method(env, object_ctor, c"setPrototypeOf", &[class, event_target])?;
    Ok(())
}

/// Gives the codec being constructed (`this`) the listener state of an `EventTarget`.
pub fn init_event_target(env: &Env, this: napi_value) -> napi::Result<()> {
    let fresh = construct_global(env, "EventTarget", &[])?;
    let object_ctor = global_property(env, "Object")?;
    let keys = call_method(env, object_ctor, c"getOwnPropertySymbols", &[fresh])?;
    for key in array_elements(env, keys)? {
        set_keyed(env, this, key, get_keyed(env, fresh, key)?)?;
    }
    Ok(())
}

/// The `ondequeue` attribute's value.
pub fn ondequeue(env: &Env, callbacks: napi_value) -> napi::Result<napi_value> {
    get_property(env, callbacks, c"ondequeue")
}

/// Sets `ondequeue` as an event handler IDL attribute does: a non-function stores null;
/// the first handler adds a listener that calls whatever handler is current, at that
/// point in the listener order, and null removes it.
pub fn set_ondequeue(env: &Env, this: napi_value, callbacks: napi_value, handler: napi_value) -> napi::Result<()> {
    let handler = if is_function(env, handler)? { handler } else { null(env)? };
    set_property(env, callbacks, c"ondequeue", handler)?;
    let listener = get_property(env, callbacks, c"handlerListener")?;
    let registered = is_function(env, listener)?;
    let kind = crate::js::raw::string(env, "dequeue")?;
    match (is_function(env, handler)?, registered) {
        (true, false) => {
            let listener = function(env, "ondequeue", Some(call_ondequeue))?;
            set_property(env, callbacks, c"handlerListener", listener)?;
            listen(env, this, c"addEventListener", [kind, listener], None)
        }
        (false, true) => {
            set_property(env, callbacks, c"handlerListener", undefined(env)?)?;
            listen(env, this, c"removeEventListener", [kind, listener], None)
        }
        _ => Ok(()),
    }
}

/// The listener behind `ondequeue`: calls the codec's current handler with the event.
unsafe extern "C" fn call_ondequeue(raw_env: sys::napi_env, info: sys::napi_callback_info) -> napi_value {
    // SAFETY: N-API calls this with the info of the current call.
    if let Some((this, event)) = unsafe { this_and_first_arg(raw_env, info) } {
        // A JS-thread callback with a valid env.
        let env = Env::from_raw(raw_env);
        if let Ok(handler) = get_property(&env, this, c"ondequeue") {
            if is_function(&env, handler).unwrap_or(false) {
                // An exception stays pending and so reaches EventTarget's own reporting.
                let _ = call_with(&env, handler, this, &[event]);
            }
        }
    }
    std::ptr::null_mut()
}

/// `EventTarget.prototype[method].call(this, kind, listener, options)`: the codec's own
/// `addEventListener`/`removeEventListener` (declared in Rust for the typings).
pub fn listen(
    env: &Env,
    this: napi_value,
    method: &CStr,
    [kind, listener]: [napi_value; 2],
    options: Option<napi_value>,
) -> napi::Result<()> {
    let options = options.map_or_else(|| undefined(env), Ok)?;
    call_with(env, event_target_method(env, method)?, this, &[kind, listener, options]).map(|_| ())
}

/// `dispatchEvent(event)` on the codec: whether no listener cancelled it.
pub fn dispatch_event(env: &Env, this: napi_value, event: napi_value) -> napi::Result<napi_value> {
    call_with(env, event_target_method(env, c"dispatchEvent")?, this, &[event])
}

/// Fires the spec's `dequeue` event at the codec.
pub fn dispatch_dequeue(env: &Env, this: napi_value) {
    if let Ok(event) = construct_global(env, "Event", &["dequeue"]) {
        let _ = dispatch_event(env, this, event);
    }
}

fn event_target_method(env: &Env, method: &CStr) -> napi::Result<napi_value> {
    let prototype = get_property(env, global_property(env, "EventTarget")?, c"prototype")?;
    get_property(env, prototype, method)
}

/// Calls the init's `output` or `error` callback (`name`) with `args`.
pub fn call_callback(env: &Env, callbacks: napi_value, name: &CStr, args: &[napi_value]) -> napi::Result<()> {
    let callback = get_property(env, callbacks, name)?;
    call_function(env, callback, args);
    Ok(())
}
