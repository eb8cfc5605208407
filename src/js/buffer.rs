//! `AllowSharedBufferSource` arguments: the bytes of an ArrayBuffer, SharedArrayBuffer,
//! typed array or DataView, and views made over buffers we hold.

use std::ptr;

use engine::EngineError;
use napi::bindgen_prelude::{FromNapiValue, Uint8Array};
use napi::sys::{self, napi_value};
use napi::Env;

use crate::js::raw::{check, global_property, is_instance_of_global};

/// Bytes of an `AllowSharedBufferSource`, with the `ArrayBuffer` behind them.
pub struct BufferSource {
    pub ptr: *mut u8,
    pub len: usize,
    /// The underlying `ArrayBuffer` (or `SharedArrayBuffer`) and the view's offset in it.
    pub buffer: napi_value,
    pub byte_offset: usize,
}

impl BufferSource {
    /// Reads an ArrayBuffer, SharedArrayBuffer, typed array or DataView; anything else
    /// is a `TypeError`.
    pub fn from_value(env: &Env, value: napi_value) -> Result<Self, EngineError> {
        Self::inspect(env, value)
            .ok()
            .flatten()
            .ok_or_else(|| EngineError::type_error("expected an ArrayBuffer, SharedArrayBuffer or ArrayBufferView"))
    }

    /// A `BufferSource` (no `[AllowShared]`): as [`BufferSource::from_value`], and a
    /// `SharedArrayBuffer` or a view on one is a `TypeError`.
    pub fn from_unshared(env: &Env, value: napi_value) -> Result<Self, EngineError> {
        let source = Self::from_value(env, value)?;
        if is_instance_of_global(env, source.buffer, "SharedArrayBuffer").unwrap_or(true) {
            return Err(EngineError::type_error("expected an ArrayBuffer or ArrayBufferView, not a shared one"));
        }
        Ok(source)
    }

    fn inspect(env: &Env, value: napi_value) -> napi::Result<Option<Self>> {
        let raw = env.raw();
        let mut yes = false;
        let mut data: *mut std::ffi::c_void = ptr::null_mut();
        let mut len = 0usize;
        let mut buffer = ptr::null_mut();
        let mut byte_offset = 0usize;
        // SAFETY: see the module comment; each info call is made only on a value that
        // the matching `napi_is_*` accepted.
        unsafe {
            check(sys::napi_is_arraybuffer(raw, value, &mut yes), "napi_is_arraybuffer")?;
            if yes {
                check(sys::napi_get_arraybuffer_info(raw, value, &mut data, &mut len), "arraybuffer info")?;
                return Ok(Some(Self { ptr: data.cast(), len, buffer: value, byte_offset: 0 }));
            }
            check(sys::napi_is_typedarray(raw, value, &mut yes), "napi_is_typedarray")?;
            if yes {
                let mut kind = 0;
                let mut elements = 0usize;
                check(
                    sys::napi_get_typedarray_info(
                        raw,
                        value,
                        &mut kind,
                        &mut elements,
                        &mut data,
                        &mut buffer,
                        &mut byte_offset,
                    ),
                    "typedarray info",
                )?;
                let bytes = elements * typed_array_element_size(kind);
                return Ok(Some(Self { ptr: data.cast(), len: bytes, buffer, byte_offset }));
            }
            check(sys::napi_is_dataview(raw, value, &mut yes), "napi_is_dataview")?;
            if yes {
                check(
                    sys::napi_get_dataview_info(raw, value, &mut len, &mut data, &mut buffer, &mut byte_offset),
                    "dataview",
                )?;
                return Ok(Some(Self { ptr: data.cast(), len, buffer, byte_offset }));
            }
        }
        // N-API has no SharedArrayBuffer accessors on Node 20: view it through a Uint8Array.
        if is_instance_of_global(env, value, "SharedArrayBuffer")? {
            let ctor = global_property(env, "Uint8Array")?;
            let mut view = ptr::null_mut();
            // SAFETY: see the module comment.
            unsafe { check(sys::napi_new_instance(raw, ctor, 1, &value, &mut view), "new Uint8Array")? };
            return Ok(Self::inspect(env, view)?.map(|s| Self { buffer: value, ..s }));
        }
        Ok(None)
    }

    /// The bytes, valid while the JS value is alive and untouched (the current call).
    ///
    /// # Safety
    /// The caller must not let JS run (and so resize or detach the buffer) while the
    /// slice is alive.
    pub unsafe fn as_slice<'a>(&self) -> &'a [u8] {
        if self.len == 0 {
            return &[];
        }
        // SAFETY: N-API reported `len` readable bytes at `ptr`; the caller keeps JS out.
        unsafe { std::slice::from_raw_parts(self.ptr, self.len) }
    }

    /// # Safety
    /// As for [`BufferSource::as_slice`]; JS may share the memory but does not run.
    pub unsafe fn as_mut_slice<'a>(&self) -> &'a mut [u8] {
        if self.len == 0 {
            return &mut [];
        }
        // SAFETY: as above; writes race with nothing because JS is not running.
        unsafe { std::slice::from_raw_parts_mut(self.ptr, self.len) }
    }
}

fn typed_array_element_size(kind: sys::napi_typedarray_type) -> usize {
    use sys::TypedarrayType as T;
    match kind {
        T::int8_array | T::uint8_array | T::uint8_clamped_array => 1,
        // 11 is Float16Array, which napi-sys does not name yet.
        T::int16_array | T::uint16_array | 11 => 2,
        T::int32_array | T::uint32_array | T::float32_array => 4,
        _ => 8,
    }
}

/// A `Uint8Array` over `len` bytes of `buffer` from `offset`, held by a reference that
/// keeps it alive from any thread (napi-rs routes its release to the JS thread).
pub fn uint8_array(env: &Env, buffer: napi_value, offset: usize, len: usize) -> napi::Result<Uint8Array> {
    let mut view = ptr::null_mut();
    // SAFETY: see the module comment; `buffer` is a live ArrayBuffer holding the range.
    unsafe {
        check(
            sys::napi_create_typedarray(env.raw(), sys::TypedarrayType::uint8_array, len, buffer, offset, &mut view),
            "view",
        )?;
        Uint8Array::from_napi_value(env.raw(), view)
    }
}

/// Whether `buffer` is a detached `ArrayBuffer` (false for anything else).
pub fn is_detached(env: &Env, buffer: napi_value) -> bool {
    let mut detached = false;
    // SAFETY: see the module comment; N-API answers false for a value that is not an ArrayBuffer.
    let status = unsafe { sys::napi_is_detached_arraybuffer(env.raw(), buffer, &mut detached) };
    status == sys::Status::napi_ok && detached
}
