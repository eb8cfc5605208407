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

use crate::per_env::PerEnv;

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
