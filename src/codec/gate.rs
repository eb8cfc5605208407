//! The backpressure gate: one `tokio::sync::Semaphore` of [`PERMITS`] per codec instance,
//! bounding what is held natively on its way through the codec.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use engine::EngineError;
use napi::bindgen_prelude::block_on;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::memory::counters::IN_FLIGHT;

/// Permits per codec instance.
pub const PERMITS: usize = 16;

/// Which side of a codec the gate bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gate {
    /// Encoders: `encode()` takes a permit per frame; the worker returns it once FFmpeg
    /// has consumed the frame.
    Inputs,
    /// Decoders: the worker takes a permit per decoded frame; it returns once the
    /// `output` callback for that frame has returned.
    Outputs,
}

/// A backpressure permit, counted in `getCounters().inFlight` while held.
pub struct Permit(#[allow(dead_code)] OwnedSemaphorePermit);

impl Permit {
    fn from_owned(permit: OwnedSemaphorePermit) -> Self {
        IN_FLIGHT.fetch_add(1, Ordering::Relaxed);
        Self(permit)
    }

    /// A permit, waiting for one while all are out. The JS thread may wait here only for
    /// a holder that needs nothing from the JS thread to give its permit back (the worker).
    /// `None` once the gate is closed.
    pub fn acquire(gate: &Arc<Semaphore>) -> Option<Self> {
        let permit = match gate.clone().try_acquire_owned() {
            Ok(permit) => permit,
            Err(_) => block_on(gate.clone().acquire_owned()).ok()?,
        };
        Some(Self::from_owned(permit))
    }

    /// As [`acquire`](Self::acquire), with `InvalidStateError` for a closed codec.
    pub fn acquire_for(gate: &Arc<Semaphore>, codec: &str) -> Result<Self, EngineError> {
        Self::acquire(gate).ok_or_else(|| EngineError::InvalidState(format!("{codec} is closed")))
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        IN_FLIGHT.fetch_sub(1, Ordering::Relaxed);
    }
}
