//! Pixel and sample memory that the garbage collector can free by itself.
//!
//! Node runs N-API finalizers from the event loop, after a collection, not during it. A
//! synchronous loop that drops unclosed frames therefore never gets their native memory
//! back until it yields: measured, 1000 dropped 1080p frames peaked above 7 GB of RSS.
//! So frames and audio made from JavaScript data keep their bytes in an `ArrayBuffer`
//! that V8 allocated. A module-wide `WeakMap` ties that buffer to the JS object of each
//! frame sharing it: when every such object is unreachable, the same collection frees
//! the buffer, with no finalizer involved, and V8 counts it in
//! `process.memoryUsage().external` for its GC heuristics. `close()` of the last open
//! frame detaches the buffer so that the memory goes back at once.
//!
//! Rust reads the buffer through a raw pointer ([`V8Bytes`]). That is sound because the
//! pointer is only read while a frame object that maps to the buffer is alive (its own
//! methods run with it as `this`, which keeps it alive), and the buffer is detached only
//! by `close()` after the last Rust reference is gone. Code that keeps pixels beyond a
//! method call (a codec worker) must hold a strong reference to the buffer as well.

use std::cell::RefCell;
use std::ptr;

use engine::Memory;
use napi::sys::{self, napi_ref, napi_value};
use napi::{Env, Status};

fn check(status: sys::napi_status, what: &str) -> napi::Result<()> {
    if status == sys::Status::napi_ok {
        Ok(())
    } else {
        Err(napi::Error::new(Status::from(status), format!("{what} failed")))
    }
}

/// Bytes inside a V8 `ArrayBuffer`, read through a raw pointer (see the module comment
/// for why the pointer stays valid).
pub struct V8Bytes {
    ptr: *mut u8,
    len: usize,
}

// SAFETY: the memory is plain bytes; it is written only before the frame that owns it
// is shared, and the module comment explains its lifetime.
unsafe impl Send for V8Bytes {}
// SAFETY: as above; shared access only reads.
unsafe impl Sync for V8Bytes {}

impl Memory for V8Bytes {
    fn bytes(&self) -> &[u8] {
        if self.len == 0 {
            return &[];
        }
        // SAFETY: `ptr` points at `len` bytes of a live, attached ArrayBuffer.
        unsafe { std::slice::from_raw_parts(self.ptr, self.len) }
    }

    fn bytes_mut(&mut self) -> &mut [u8] {
        if self.len == 0 {
            return &mut [];
        }
        // SAFETY: as above, and the buffer is not shared yet when it is written.
        unsafe { std::slice::from_raw_parts_mut(self.ptr, self.len) }
    }
}

impl V8Bytes {
    /// Views `len` bytes at `ptr` inside an ArrayBuffer that the caller anchors.
    pub fn new(ptr: *mut u8, len: usize) -> Self {
        Self { ptr, len }
    }
}

/// A new, uninitialised ArrayBuffer of `len` bytes and a view of its memory.
pub fn allocate(env: &Env, len: usize) -> napi::Result<(napi_value, V8Bytes)> {
    let mut data: *mut std::ffi::c_void = ptr::null_mut();
    let mut buffer = ptr::null_mut();
    let mut array_buffer = ptr::null_mut();
    let mut kind = 0;
    let mut length = 0usize;
    let mut offset = 0usize;
    // SAFETY: JS-thread calls with a valid env; out-pointers are locals. A Node Buffer
    // is used rather than napi_create_arraybuffer because Node allocates it without
    // zero-filling memory we overwrite anyway.
    unsafe {
        check(sys::napi_create_buffer(env.raw(), len, &mut data, &mut buffer), "napi_create_buffer")?;
        check(
            sys::napi_get_typedarray_info(
                env.raw(),
                buffer,
                &mut kind,
                &mut length,
                &mut data,
                &mut array_buffer,
                &mut offset,
            ),
            "buffer info",
        )?;
    }
    Ok((array_buffer, V8Bytes::new(data.cast(), len)))
}

thread_local! {
    /// This JS thread's `WeakMap<frame object, ArrayBuffer>`, held by a strong reference.
    static ANCHORS: RefCell<Option<napi_ref>> = const { RefCell::new(None) };
}

fn anchors(env: &Env) -> napi::Result<napi_value> {
    let raw = env.raw();
    let existing = ANCHORS.with(|a| *a.borrow());
    let mut map = ptr::null_mut();
    if let Some(reference) = existing {
        // SAFETY: the reference was created on this thread's env and is never deleted.
        unsafe { check(sys::napi_get_reference_value(raw, reference, &mut map), "anchor map")? };
        return Ok(map);
    }
    let mut global = ptr::null_mut();
    let mut ctor = ptr::null_mut();
    let mut reference = ptr::null_mut();
    // SAFETY: JS-thread calls with a valid env; out-pointers are locals.
    unsafe {
        check(sys::napi_get_global(raw, &mut global), "global")?;
        check(sys::napi_get_named_property(raw, global, c"WeakMap".as_ptr(), &mut ctor), "WeakMap")?;
        check(sys::napi_new_instance(raw, ctor, 0, ptr::null(), &mut map), "new WeakMap")?;
        check(sys::napi_create_reference(raw, map, 1, &mut reference), "anchor map ref")?;
    }
    ANCHORS.with(|a| *a.borrow_mut() = Some(reference));
    Ok(map)
}

fn call_method(env: &Env, target: napi_value, name: &std::ffi::CStr, args: &[napi_value]) -> napi::Result<napi_value> {
    let mut method = ptr::null_mut();
    let mut result = ptr::null_mut();
    // SAFETY: JS-thread calls with a valid env; `args` are live handles.
    unsafe {
        check(sys::napi_get_named_property(env.raw(), target, name.as_ptr(), &mut method), "method")?;
        check(sys::napi_call_function(env.raw(), target, method, args.len(), args.as_ptr(), &mut result), "call")?;
    }
    Ok(result)
}

/// Keeps `buffer` alive exactly as long as the JS object `owner` is.
pub fn tie(env: &Env, owner: napi_value, buffer: napi_value) -> napi::Result<()> {
    let map = anchors(env)?;
    call_method(env, map, c"set", &[owner, buffer]).map(|_| ())
}

/// The buffer tied to `owner`, if any.
pub fn buffer_of(env: &Env, owner: napi_value) -> napi::Result<Option<napi_value>> {
    let map = anchors(env)?;
    let value = call_method(env, map, c"get", &[owner])?;
    let mut is_buffer = false;
    // SAFETY: JS-thread call with a valid env and a live handle.
    unsafe { check(sys::napi_is_arraybuffer(env.raw(), value, &mut is_buffer), "napi_is_arraybuffer")? };
    Ok(is_buffer.then_some(value))
}

/// Unties `owner` from its buffer and, when `release` is set (the last open frame over
/// it is closing), detaches the buffer so V8 frees the memory now.
pub fn untie(env: &Env, owner: napi_value, release: bool) -> napi::Result<()> {
    let Some(buffer) = buffer_of(env, owner)? else { return Ok(()) };
    let map = anchors(env)?;
    call_method(env, map, c"delete", &[owner])?;
    if release {
        // SAFETY: JS-thread call; `buffer` is a live ArrayBuffer that no Rust code reads
        // any more (the caller dropped the last reference to the memory).
        unsafe { check(sys::napi_detach_arraybuffer(env.raw(), buffer), "napi_detach_arraybuffer")? };
    }
    Ok(())
}

/// Drops one object's share of anchored memory: unties `owner`, and detaches the buffer
/// when that share was the last Rust reference to the memory.
pub fn release<T>(env: &Env, owner: napi_value, share: Option<std::sync::Arc<T>>) -> napi::Result<()> {
    let last = share.as_ref().is_some_and(|s| std::sync::Arc::strong_count(s) == 1);
    drop(share);
    untie(env, owner, last)
}

/// Ties the ArrayBuffer behind `from` to `to` as well (a clone sharing the memory).
pub fn share(env: &Env, from: napi_value, to: napi_value) -> napi::Result<()> {
    match buffer_of(env, from)? {
        Some(buffer) => tie(env, to, buffer),
        None => Ok(()),
    }
}
