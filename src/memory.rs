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
pub struct Accounted {
    bytes: i64,
    env: Option<Arc<PerEnv>>,
}

impl Accounted {
    pub fn new(env: &Env, bytes: usize) -> Self {
        let bytes = i64::try_from(bytes).unwrap_or(i64::MAX);
        let owner = PerEnv::of(env);
        if let Some(owner) = &owner {
            owner.adjust_later(bytes);
            owner.settle(env);
        }
        Self { bytes, env: owner }
    }

    /// For memory V8 already knows about (a transferred ArrayBuffer).
    pub fn untracked() -> Self {
        Self { bytes: 0, env: None }
    }
}

impl std::fmt::Debug for Accounted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Accounted").field("bytes", &self.bytes).finish()
    }
}

impl Drop for Accounted {
    fn drop(&mut self) {
        if let Some(owner) = &self.env {
            owner.adjust_later(-self.bytes);
        }
    }
}

/// Applies this env's queued adjustments to its V8. Call on the JS thread.
pub fn settle(env: &Env) {
    if let Some(state) = PerEnv::existing(env) {
        state.settle(env);
    }
}
