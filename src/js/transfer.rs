//! The spec's transfer lists: ArrayBuffers named in an init's `transfer` member are
//! detached, and the one holding the data is moved, not copied.

use std::ptr;

use engine::EngineError;
use napi::sys::{self, napi_value};
use napi::Env;

use crate::js::buffer::BufferSource;
use crate::js::raw::{array_elements, check, global_property, strict_equals, JsHandle};

/// The ArrayBuffers of an init dictionary's optional `transfer` member.
pub fn transfer_list(env: &Env, transfer: Option<JsHandle>) -> Result<Vec<napi_value>, EngineError> {
    match transfer {
        Some(list) => array_elements(env, list.0).map_err(|_| EngineError::type_error("transfer must be an array")),
        None => Ok(Vec::new()),
    }
}

/// The spec's transfer step of the `VideoFrame`/`AudioData`/chunk constructors: checks
/// `transfer` (no duplicates, nothing detached, only ArrayBuffers) and detaches every
/// buffer in it. When `data` lies in one of them, its backing store is first moved, not
/// copied, into a new ArrayBuffer, which is returned with a pointer to `data`'s bytes in
/// it. Validation errors are `DataCloneError`s.
pub fn transfer(
    env: &Env,
    data: &BufferSource,
    list: &[napi_value],
) -> Result<Option<(napi_value, *mut u8)>, EngineError> {
    let data_clone = |m: &str| EngineError::DataClone(m.to_string());
    let fail = |_: napi::Error| data_clone("transfer failed");
    for (i, &item) in list.iter().enumerate() {
        for &earlier in &list[..i] {
            if strict_equals(env, item, earlier).map_err(fail)? {
                return Err(data_clone("transfer lists the same ArrayBuffer twice"));
            }
        }
        let mut is_ab = false;
        // SAFETY: see the module comment.
        unsafe { check(sys::napi_is_arraybuffer(env.raw(), item, &mut is_ab), "napi_is_arraybuffer").map_err(fail)? };
        if !is_ab {
            return Err(data_clone("transfer may only list ArrayBuffers"));
        }
        let mut detached = false;
        // SAFETY: see the module comment; `item` is an ArrayBuffer.
        unsafe { check(sys::napi_is_detached_arraybuffer(env.raw(), item, &mut detached), "detached").map_err(fail)? };
        if detached {
            return Err(data_clone("transfer lists a detached ArrayBuffer"));
        }
    }
    let mut taken = None;
    for &item in list {
        if taken.is_none() && strict_equals(env, item, data.buffer).map_err(fail)? {
            let moved = move_out(env, item).map_err(fail)?;
            let mut base: *mut std::ffi::c_void = ptr::null_mut();
            let mut len = 0usize;
            // SAFETY: see the module comment; `moved` is a fresh ArrayBuffer.
            unsafe {
                check(sys::napi_get_arraybuffer_info(env.raw(), moved, &mut base, &mut len), "info").map_err(fail)?
            };
            // SAFETY: the moved store is the one `data` viewed, so its offset is in range.
            taken = Some((moved, unsafe { base.cast::<u8>().add(data.byte_offset) }));
        } else {
            // SAFETY: see the module comment; `item` is a live, attached ArrayBuffer.
            unsafe { check(sys::napi_detach_arraybuffer(env.raw(), item), "detach").map_err(fail)? };
        }
    }
    Ok(taken)
}

/// Moves `buffer`'s backing store into a new ArrayBuffer with `structuredClone(buffer,
/// {transfer: [buffer]})` (V8 moves the store; nothing is copied), detaching `buffer`.
fn move_out(env: &Env, buffer: napi_value) -> napi::Result<napi_value> {
    let clone = global_property(env, "structuredClone")?;
    let raw = env.raw();
    let mut options = ptr::null_mut();
    let mut list = ptr::null_mut();
    let mut moved = ptr::null_mut();
    let mut global = ptr::null_mut();
    // SAFETY: see the module comment; every handle passed was created above or is a
    // live argument of the current call.
    unsafe {
        check(sys::napi_create_object(raw, &mut options), "object")?;
        check(sys::napi_create_array_with_length(raw, 1, &mut list), "array")?;
        check(sys::napi_set_element(raw, list, 0, buffer), "set element")?;
        check(sys::napi_set_named_property(raw, options, c"transfer".as_ptr(), list), "set transfer")?;
        check(sys::napi_get_global(raw, &mut global), "global")?;
        let args = [buffer, options];
        check(sys::napi_call_function(raw, global, clone, 2, args.as_ptr(), &mut moved), "structuredClone")?;
    }
    Ok(moved)
}
