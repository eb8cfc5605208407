//! The WebCodecs engine: everything that knows FFmpeg or pixel/sample layouts and nothing
//! that knows N-API. The addon in the repository root is a thin binding over this crate.

pub mod audio;
pub mod color;
pub mod convert;
pub mod error;
mod ffi;
pub mod pixel;

pub use error::{EngineError, Result};

/// Memory a frame or audio buffer reads: bytes we own (`Box<[u8]>`, `Vec<u8>`) or an
/// owner of memory lent to us (a transferred JavaScript ArrayBuffer). Never written.
pub type Bytes = Box<dyn AsRef<[u8]> + Send + Sync>;

/// Initialises FFmpeg once per process (idempotent) and keeps its log quiet: failures
/// reach users as `EngineError`s, not as text on stderr.
pub fn init() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let _ = ffmpeg_next::init();
        ffmpeg_next::util::log::set_level(ffmpeg_next::util::log::Level::Error);
    });
}
