//! The WebCodecs engine: everything that knows FFmpeg or pixel/sample layouts and nothing
//! that knows N-API. The addon in the repository root is a thin binding over this crate.

#![deny(unsafe_code)]

pub mod audio;
pub mod bitstream;
mod error;
#[allow(unsafe_code)]
mod ffi;
mod idl;
pub mod image;
mod session;
pub mod video;

pub use error::{EngineError, Result};
pub use idl::IdlEnum;
pub use session::{EncodedInput, Session};

/// Memory behind a frame or audio buffer: a `Vec<u8>`, or memory the caller allocated
/// elsewhere (the binding uses JavaScript ArrayBuffers, which the garbage collector can
/// free by itself). Written only while it is being filled, before it is shared.
pub trait Memory: Send + Sync {
    fn bytes(&self) -> &[u8];
    fn bytes_mut(&mut self) -> &mut [u8];
}

impl Memory for Vec<u8> {
    fn bytes(&self) -> &[u8] {
        self
    }

    fn bytes_mut(&mut self) -> &mut [u8] {
        self
    }
}

pub type Bytes = Box<dyn Memory>;

/// Keeps the memory of a frame alive while FFmpeg holds a reference to it (an encoder
/// reading input without a copy); dropped on whichever thread FFmpeg releases it.
pub(crate) type Keepalive = std::sync::Arc<dyn Send + Sync>;

/// Initialises FFmpeg once per process (idempotent) and keeps its log quiet: failures
/// reach users as `EngineError`s, not as text on stderr.
pub fn init() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // SVT-AV1 prints a banner and its whole config to stderr for every encoder it
        // opens unless told otherwise; errors only, unless the user chose a level. This
        // runs once, before any codec thread of ours exists.
        if std::env::var_os("SVT_LOG").is_none() {
            std::env::set_var("SVT_LOG", "1");
        }
        let _ = ffmpeg_next::init();
        ffmpeg_next::util::log::set_level(ffmpeg_next::util::log::Level::Fatal);
    });
}
