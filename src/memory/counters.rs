//! Live-instance counters behind `getCounters()`: one static `AtomicI64` per class,
//! incremented when a native instance comes to life and decremented exactly once when
//! it is closed or collected.

use std::sync::atomic::{AtomicI64, Ordering};

use napi_derive::napi;

pub static VIDEO_FRAMES: AtomicI64 = AtomicI64::new(0);
pub static AUDIO_DATA: AtomicI64 = AtomicI64::new(0);
pub static VIDEO_ENCODERS: AtomicI64 = AtomicI64::new(0);
pub static VIDEO_DECODERS: AtomicI64 = AtomicI64::new(0);
pub static AUDIO_ENCODERS: AtomicI64 = AtomicI64::new(0);
pub static AUDIO_DECODERS: AtomicI64 = AtomicI64::new(0);
pub static IMAGE_DECODERS: AtomicI64 = AtomicI64::new(0);
/// Backpressure permits taken across all codec instances.
pub static IN_FLIGHT: AtomicI64 = AtomicI64::new(0);

/// Counts one live instance for as long as it exists: the count goes up on `new` and
/// down on drop, so "exactly once" follows from Rust ownership.
#[derive(Debug)]
pub struct Live(&'static AtomicI64);

impl Live {
    pub fn new(counter: &'static AtomicI64) -> Self {
        counter.fetch_add(1, Ordering::Relaxed);
        Self(counter)
    }
}

impl Drop for Live {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Live native instances per class, for leak detection in tests and production.
#[napi(object)]
pub struct Counters {
    pub video_frames: i64,
    pub audio_data: i64,
    pub video_encoders: i64,
    pub video_decoders: i64,
    pub audio_encoders: i64,
    pub audio_decoders: i64,
    /// Open `ImageDecoder`s (not closed, not collected).
    pub image_decoders: i64,
    /// Frames or audio held natively on their way through a codec (backpressure permits).
    pub in_flight: i64,
}

/// Returns the number of live native instances of each class.
#[napi]
pub fn get_counters() -> Counters {
    let read = |c: &AtomicI64| c.load(Ordering::Relaxed);
    Counters {
        video_frames: read(&VIDEO_FRAMES),
        audio_data: read(&AUDIO_DATA),
        video_encoders: read(&VIDEO_ENCODERS),
        video_decoders: read(&VIDEO_DECODERS),
        audio_encoders: read(&AUDIO_ENCODERS),
        audio_decoders: read(&AUDIO_DECODERS),
        image_decoders: read(&IMAGE_DECODERS),
        in_flight: read(&IN_FLIGHT),
    }
}
