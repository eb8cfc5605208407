//! External-memory accounting: V8 learns about native frame and sample buffers so that
//! garbage collection runs when they pile up, not only when the JS heap does.
//!
//! A buffer reports `+bytes` when it comes to exist and `-bytes` when its last owner
//! drops it. That drop can happen on a codec worker thread, where no `Env` exists, so
//! releases are queued and settled on the JS thread at the next opportunity (every
//! constructor, `close()` and finalizer settles). The queue belongs to the environment
//! the bytes were reported to ([`PerEnv`]): with several worker_threads, each V8 gets
//! back exactly what it was given, and a release after its env is gone goes nowhere.

use std::sync::Arc;

use napi::Env;

use crate::memory::per_env::PerEnv;

/// Owns the accounting of one native buffer: created with its size, it queues the
/// matching release when dropped (clones of a frame share one `Accounted` through `Arc`).
/// One pointer wide: memory in V8's own buffers (the common case) carries nothing.
pub struct Accounted(Option<Box<Tracked>>);

struct Tracked {
    bytes: i64,
    env: Arc<PerEnv>,
}

impl Accounted {
    pub fn new(env: &Env, bytes: usize) -> Self {
        let bytes = i64::try_from(bytes).unwrap_or(i64::MAX);
        let tracked = PerEnv::of(env).map(|env| Box::new(Tracked { bytes, env }));
        if let Some(tracked) = &tracked {
            tracked.env.adjust_later(bytes);
            tracked.env.settle(env);
        }
        Self(tracked)
    }

    /// For memory V8 already knows about (a transferred ArrayBuffer).
    pub fn untracked() -> Self {
        Self(None)
    }
}

impl std::fmt::Debug for Accounted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Accounted").field(&self.0.as_ref().map_or(0, |t| t.bytes)).finish()
    }
}

impl Drop for Accounted {
    fn drop(&mut self) {
        if let Some(tracked) = &self.0 {
            tracked.env.adjust_later(-tracked.bytes);
        }
    }
}

/// Applies this env's queued adjustments to its V8. Call on the JS thread.
pub fn settle(env: &Env) {
    if let Some(state) = PerEnv::existing(env) {
        state.settle(env);
    }
}

/// A frame's or an AudioData's memory, shared by the object and its clones (and codec
/// workers), with its accounting: native memory is reported to V8, memory inside a V8
/// ArrayBuffer (see `anchor`) is already counted there.
pub struct Media<T> {
    pub buffer: T,
    _accounted: Accounted,
}

impl<T> Media<T> {
    /// Native memory of `bytes` (a decoder's output): reported to V8 as external memory.
    pub fn native(env: &Env, buffer: T, bytes: usize) -> Arc<Self> {
        Arc::new(Self { buffer, _accounted: Accounted::new(env, bytes) })
    }

    /// Memory in an ArrayBuffer tied to the JS object: V8 counts it.
    pub fn in_v8(buffer: T) -> Arc<Self> {
        Arc::new(Self { buffer, _accounted: Accounted::untracked() })
    }
}

impl<T> AsRef<T> for Media<T> {
    fn as_ref(&self) -> &T {
        &self.buffer
    }
}
