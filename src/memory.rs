//! External-memory accounting: V8 learns about native frame and sample buffers so that
//! garbage collection runs when they pile up, not only when the JS heap does.
//!
//! A buffer reports `+bytes` when it comes to exist and `-bytes` when its last owner
//! drops it. That drop can happen on a codec worker thread, where no `Env` exists, so
//! releases are queued in `PENDING` and settled on the JS thread at the next
//! opportunity (every constructor, `close()` and finalizer settles).

use std::sync::atomic::{AtomicI64, Ordering};

use napi::Env;

static PENDING: AtomicI64 = AtomicI64::new(0);

/// Owns the accounting of one native buffer: created with its size, it queues the
/// matching release when dropped (clones of a frame share one `Accounted` through `Arc`).
#[derive(Debug)]
pub struct Accounted(i64);

impl Accounted {
    pub fn new(env: &Env, bytes: usize) -> Self {
        let bytes = bytes as i64;
        PENDING.fetch_add(bytes, Ordering::Relaxed);
        settle(env);
        Self(bytes)
    }

    /// For memory V8 already knows about (a transferred ArrayBuffer).
    pub fn untracked() -> Self {
        Self(0)
    }
}

impl Drop for Accounted {
    fn drop(&mut self) {
        PENDING.fetch_sub(self.0, Ordering::Relaxed);
    }
}

/// Applies queued adjustments to V8. Call on the JS thread.
pub fn settle(env: &Env) {
    let delta = PENDING.swap(0, Ordering::Relaxed);
    if delta != 0 && env.adjust_external_memory(delta).is_err() {
        // Keep it for the next settle rather than losing the count.
        PENDING.fetch_add(delta, Ordering::Relaxed);
    }
}
