//! What WebIDL asks of every interface (https://webidl.spec.whatwg.org/#es-interfaces)
//! that napi-rs's classes do not do by themselves: a TypeError, not napi-rs's plain
//! `Error`, for an argument or a receiver of another type; constructors that refuse to
//! run as plain functions; and `Symbol.toStringTag` on each interface prototype object.
//!
//! Methods need nothing here: Node defines them with a signature, so V8 itself throws
//! "Illegal invocation" (a TypeError) for a wrong receiver. Accessors have no signature,
//! so [`install`] puts a receiver check in front of each getter and setter.

use std::ffi::c_void;
use std::ops::Deref;
use std::ptr;

use engine::EngineError;
use napi::bindgen_prelude::{ClassInstance, FromNapiValue, JavaScriptClassExt, This, TypeTag};
use napi::sys::{self, napi_value};
use napi::{Env, JsValue};

use crate::js::error::throw;
use crate::js::raw::{self, check};

/// An argument of interface type `T` ("convert a JavaScript value to an IDL interface
/// type"): anything that is not a `T` is a TypeError.
pub struct Instance<'env, T: 'env>(ClassInstance<'env, T>);

impl<'env, T: 'env> Deref for Instance<'env, T> {
    type Target = ClassInstance<'env, T>;

    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl<'env, T: 'env> FromNapiValue for Instance<'env, T>
where
    ClassInstance<'env, T>: FromNapiValue,
{
    unsafe fn from_napi_value(env: sys::napi_env, value: napi_value) -> napi::Result<Self> {
        // SAFETY: forwarded from the caller; napi-rs checks the wrap and the type tag.
        match unsafe { ClassInstance::<T>::from_napi_value(env, value) } {
            Ok(instance) => Ok(Self(instance)),
            Err(_) => {
                let message = format!("the argument is not of type '{}'", interface_name::<T>());
                Err(throw(&Env::from_raw(env), EngineError::type_error(message)))
            }
        }
    }
}

/// The JavaScript name of the class `T` (napi-rs names each class after its struct).
fn interface_name<T>() -> &'static str {
    let path = std::any::type_name::<T>();
    path.rsplit("::").next().unwrap_or(path)
}

/// The constructor steps' precondition: WebIDL throws a TypeError when NewTarget is
/// undefined. napi-rs gives a constructor no NewTarget, so this takes its sign: a call
/// with `new` gets a fresh object, not yet wrapped, from `T`'s (or a subclass's)
/// prototype; a plain call gets `globalThis`, the exports or the caller's `this`.
pub fn constructing<T: JavaScriptClassExt>(env: &Env, this: &This) -> napi::Result<()> {
    let mut wrapped = ptr::null_mut();
    // SAFETY: `this` is the receiver of the current call.
    let fresh = unsafe { sys::napi_unwrap(env.raw(), this.object.raw(), &mut wrapped) } != sys::Status::napi_ok;
    if fresh && T::instance_of(env, &this.object)? {
        return Ok(());
    }
    let message = format!("Failed to construct '{}': use the 'new' operator", interface_name::<T>());
    Err(throw(env, EngineError::type_error(message)))
}

/// The constructor of an interface the IDL gives none (`ImageTrack`, `ImageTrackList`):
/// its objects come from the decoder (napi-rs's own instances skip this), and `new` is a
/// TypeError.
pub fn illegal_constructor<T>(env: &Env) -> napi::Error {
    throw(env, EngineError::type_error(format!("Illegal constructor: {} has none", interface_name::<T>())))
}

/// Finishes the interface object `name` of `exports`, whose instances carry `T`'s type
/// tag: `Symbol.toStringTag` on its prototype, and a receiver check on its attributes.
pub fn install<T: TypeTag>(env: &Env, exports: napi_value, interface: &'static str) -> napi::Result<()> {
    let class = raw::get_keyed(env, exports, raw::string(env, interface)?)?;
    let prototype = raw::get_property(env, class, c"prototype")?;
    let object_ctor = raw::global_property(env, "Object")?;

    let to_string_tag = raw::get_property(env, raw::global_property(env, "Symbol")?, c"toStringTag")?;
    let descriptor = raw::object(env)?;
    raw::set_property(env, descriptor, c"value", raw::string(env, interface)?)?;
    raw::set_property(env, descriptor, c"configurable", raw::to_value(env, true)?)?;
    raw::call_method(env, object_ctor, c"defineProperty", &[prototype, to_string_tag, descriptor])?;

    let keys = raw::call_method(env, object_ctor, c"getOwnPropertyNames", &[prototype])?;
    for key in raw::array_elements(env, keys)? {
        let descriptor = raw::call_method(env, object_ctor, c"getOwnPropertyDescriptor", &[prototype, key])?;
        let mut accessor = false;
        for part in [c"get", c"set"] {
            let function = raw::get_property(env, descriptor, part)?;
            if raw::is_function(env, function)? {
                let guarded = guard(env, function, T::type_tag(), interface)?;
                raw::set_property(env, descriptor, part, guarded)?;
                accessor = true;
            }
        }
        if accessor {
            raw::call_method(env, object_ctor, c"defineProperty", &[prototype, key, descriptor])?;
        }
    }
    Ok(())
}

/// What a guarded accessor needs: the tag its receiver must carry and the accessor.
struct Guard {
    tag: sys::napi_type_tag,
    accessor: sys::napi_ref,
    interface: &'static str,
}

/// A function of the same name as `accessor` that calls it only on a `T` (by tag).
fn guard(
    env: &Env,
    accessor: napi_value,
    tag: sys::napi_type_tag,
    interface: &'static str,
) -> napi::Result<napi_value> {
    let name: String = raw::from_value(env, raw::get_property(env, accessor, c"name")?)?;
    let mut reference = ptr::null_mut();
    // SAFETY: see `raw`'s module comment.
    unsafe { check(sys::napi_create_reference(env.raw(), accessor, 1, &mut reference), "accessor reference")? };
    let data = Box::into_raw(Box::new(Guard { tag, accessor: reference, interface }));
    let mut function = ptr::null_mut();
    // SAFETY: as above; `data` lives until the finalizer below frees it with the function.
    let made = unsafe {
        check(
            sys::napi_create_function(
                env.raw(),
                name.as_ptr().cast(),
                name.len() as isize,
                Some(call_guarded),
                data.cast(),
                &mut function,
            ),
            "napi_create_function",
        )
        .and_then(|()| {
            check(
                sys::napi_add_finalizer(
                    env.raw(),
                    function,
                    data.cast(),
                    Some(drop_guard),
                    ptr::null_mut(),
                    ptr::null_mut(),
                ),
                "napi_add_finalizer",
            )
        })
    };
    if let Err(e) = made {
        // SAFETY: nothing else holds `data` or the reference once the function failed.
        unsafe {
            sys::napi_delete_reference(env.raw(), reference);
            drop(Box::from_raw(data));
        }
        return Err(e);
    }
    Ok(function)
}

unsafe extern "C" fn call_guarded(env: sys::napi_env, info: sys::napi_callback_info) -> napi_value {
    let mut argc = 1usize;
    let mut argv = [ptr::null_mut(); 1];
    let mut this = ptr::null_mut();
    let mut data = ptr::null_mut();
    // SAFETY: N-API passes the info of the current call; `argv` has room for `argc`.
    let status = unsafe { sys::napi_get_cb_info(env, info, &mut argc, argv.as_mut_ptr(), &mut this, &mut data) };
    if status != sys::Status::napi_ok || data.is_null() {
        return ptr::null_mut();
    }
    // SAFETY: `data` is the `Guard` this function was made with, alive while it is.
    let guard = unsafe { &*data.cast::<Guard>() };
    let mut tagged = false;
    // SAFETY: as above; a receiver that is no object fails the call and stays untagged.
    let checked = unsafe { sys::napi_check_object_type_tag(env, this, &guard.tag, &mut tagged) };
    if checked != sys::Status::napi_ok || !tagged {
        let message = format!("Illegal invocation: the receiver is not of type '{}'\0", guard.interface);
        // SAFETY: as above; `message` is NUL-terminated.
        unsafe { sys::napi_throw_type_error(env, ptr::null(), message.as_ptr().cast()) };
        return ptr::null_mut();
    }
    let mut accessor = ptr::null_mut();
    let mut result = ptr::null_mut();
    // SAFETY: as above; an exception the accessor throws stays pending for the caller.
    unsafe {
        sys::napi_get_reference_value(env, guard.accessor, &mut accessor);
        sys::napi_call_function(env, this, accessor, argc.min(1), argv.as_ptr(), &mut result);
    }
    result
}

unsafe extern "C" fn drop_guard(env: sys::napi_env, data: *mut c_void, _hint: *mut c_void) {
    // SAFETY: `data` is the `Guard` `guard` leaked for this function, freed once here.
    let guard = unsafe { Box::from_raw(data.cast::<Guard>()) };
    // SAFETY: the reference was made in `guard` and is deleted only here.
    unsafe { sys::napi_delete_reference(env, guard.accessor) };
}
