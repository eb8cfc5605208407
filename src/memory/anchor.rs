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

use std::ptr;

use std::sync::Arc;

use engine::Memory;
use napi::sys::{self, napi_ref, napi_value};
use napi::Env;

use crate::js::raw::{self, check};
use crate::memory::per_env::PerEnv;

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

/// This env's `WeakMap<frame object, ArrayBuffer>`, held by a strong reference that
/// the env's teardown deletes (see `per_env`).
fn anchors(env: &Env) -> napi::Result<napi_value> {
    let raw = env.raw();
    let state = PerEnv::of(env).ok_or_else(|| napi::Error::from_reason("no per-environment state"))?;
    let mut map = ptr::null_mut();
    if let Some(reference) = state.anchors() {
        // SAFETY: the reference was created in this env and lives until its teardown.
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
    state.set_anchors(reference);
    Ok(map)
}

/// Detaches `buffer` so that V8 frees its memory now, unless the env is terminating.
///
/// Node's `napi_detach_arraybuffer` aborts the process when V8 refuses the detach,
/// which it does once a terminated worker's execution is being torn down. Any V8 call
/// that enters the engine fails in that state instead, and the state only begins while
/// JavaScript runs on this thread, so a property read just before tells us safely. The
/// memory is then freed with the env.
fn detach(env: &Env, buffer: napi_value) {
    let mut length = ptr::null_mut();
    // SAFETY: JS-thread calls with a valid env and a live ArrayBuffer handle that no
    // Rust code reads any more (the callers' contract).
    unsafe {
        if sys::napi_get_named_property(env.raw(), buffer, c"byteLength".as_ptr(), &mut length) == sys::Status::napi_ok
        {
            sys::napi_detach_arraybuffer(env.raw(), buffer);
        }
    }
}

/// Keeps `buffer` alive exactly as long as the JS object `owner` is.
pub fn tie(env: &Env, owner: napi_value, buffer: napi_value) -> napi::Result<()> {
    let map = anchors(env)?;
    raw::call_method(env, map, c"set", &[owner, buffer]).map(|_| ())
}

/// The buffer tied to `owner`, if any.
pub fn buffer_of(env: &Env, owner: napi_value) -> napi::Result<Option<napi_value>> {
    let map = anchors(env)?;
    let value = raw::call_method(env, map, c"get", &[owner])?;
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
    raw::call_method(env, map, c"delete", &[owner])?;
    if release {
        // The caller dropped the last reference to the memory: no Rust code reads it.
        detach(env, buffer);
    }
    Ok(())
}

/// Drops one object's share of anchored memory: unties `owner`, and detaches the buffer
/// when that share was the last Rust reference to the memory.
pub fn release<T>(env: &Env, owner: napi_value, share: Option<Arc<T>>) -> napi::Result<()> {
    let last = share.as_ref().is_some_and(|s| Arc::strong_count(s) == 1);
    drop(share);
    untie(env, owner, last)
}

/// `close()` of a frame or audio data: gives up its `share` of the memory (untying the
/// object when `anchored`, detaching the buffer if that was the last share) and settles
/// external memory.
pub fn close<T>(env: &Env, owner: napi_value, anchored: &mut bool, share: Option<Arc<T>>) -> napi::Result<()> {
    if std::mem::take(anchored) {
        release(env, owner, share)?;
    } else {
        drop(share);
    }
    crate::memory::external::settle(env);
    Ok(())
}

/// Ties the ArrayBuffer behind `from` to `to` as well (a clone sharing the memory).
pub fn share(env: &Env, from: napi_value, to: napi_value) -> napi::Result<()> {
    match buffer_of(env, from)? {
        Some(buffer) => tie(env, to, buffer),
        None => Ok(()),
    }
}

/// A strong reference to an anchored ArrayBuffer, for code that keeps pixels beyond a
/// method call (an encoder's worker). It may be dropped on any thread, but N-API
/// references may only be deleted on their JS thread, so a drop only queues the
/// reference with its env (see `per_env`); [`release_held`] deletes the queued ones,
/// and every encode and every message from a worker calls it. Releasing through
/// napi-rs's own thread-safe route would wait for the event loop, which a synchronous
/// encode loop never yields to.
pub struct Hold {
    reference: napi_ref,
    env: Arc<PerEnv>,
    /// The memory's owner; when this is its last reference at release, the buffer is
    /// detached at once instead of waiting for a collection.
    share: Option<Arc<dyn Send + Sync>>,
}

// SAFETY: the reference is only dereferenced on its env's JS thread (`release_held`,
// the env's teardown).
unsafe impl Send for Hold {}
// SAFETY: as above.
unsafe impl Sync for Hold {}

impl Hold {
    pub fn new(env: &Env, buffer: napi_value, share: Arc<dyn Send + Sync>) -> napi::Result<Self> {
        let state = PerEnv::of(env).ok_or_else(|| napi::Error::from_reason("no per-environment state"))?;
        let mut reference = ptr::null_mut();
        // SAFETY: JS-thread call with a valid env and a live handle.
        unsafe { check(sys::napi_create_reference(env.raw(), buffer, 1, &mut reference), "napi_create_reference")? };
        Ok(Self { reference, env: state, share: Some(share) })
    }

    /// The held ArrayBuffer, to tie to a new frame over the same memory. JS thread only.
    pub fn buffer(&self, env: &Env) -> napi::Result<napi_value> {
        raw::ref_value(env, self.reference)?.ok_or_else(|| napi::Error::from_reason("a held buffer is gone"))
    }
}

impl Drop for Hold {
    fn drop(&mut self) {
        self.env.give_back(self.reference, self.share.take());
    }
}

/// Deletes the references that [`Hold`]s of this env gave back, detaching each buffer
/// whose memory nothing else uses any more. JS thread only.
pub fn release_held(env: &Env) {
    let Some(state) = PerEnv::existing(env) else { return };
    for (reference, share) in state.take_released() {
        let reference = reference as napi_ref;
        let unused = share.is_some_and(|share| Arc::strong_count(&share) == 1);
        if unused {
            let mut buffer = ptr::null_mut();
            // SAFETY: the reference is strong, so the buffer is alive.
            unsafe { sys::napi_get_reference_value(env.raw(), reference, &mut buffer) };
            if !buffer.is_null() {
                // No frame and no worker holds the memory (the share was the last
                // reference), so nothing reads it again.
                detach(env, buffer);
            }
        }
        // SAFETY: each queued reference was created in this env, is deleted once, and
        // the env is alive (we are running on its thread, before its teardown).
        unsafe { sys::napi_delete_reference(env.raw(), reference) };
    }
}

/// A [`Hold`] on the ArrayBuffer tied to `owner`, if it has one (frames and audio made
/// from JavaScript data do; decoder outputs do not).
pub fn hold_for(env: &Env, owner: napi_value, share: Arc<dyn Send + Sync>) -> napi::Result<Option<Hold>> {
    match buffer_of(env, owner)? {
        Some(buffer) => Hold::new(env, buffer, share).map(Some),
        None => Ok(None),
    }
}

/// Memory shared with a codec worker: `value`, and a [`Hold`] on the ArrayBuffer behind
/// it when it has one, so that neither goes away while the worker or FFmpeg reads it.
pub struct Held<T> {
    pub value: Arc<T>,
    _hold: Option<Hold>,
}

impl<T: Send + Sync + 'static> Held<T> {
    /// `value` as read by the JS object `owner` (a frame or an AudioData).
    pub fn new(env: &Env, owner: napi_value, value: &Arc<T>) -> napi::Result<Self> {
        let share: Arc<dyn Send + Sync> = value.clone();
        Ok(Self { value: value.clone(), _hold: hold_for(env, owner, share)? })
    }
}

impl<T: AsRef<U>, U> AsRef<U> for Held<T> {
    fn as_ref(&self) -> &U {
        (*self.value).as_ref()
    }
}
