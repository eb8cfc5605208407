//! Every raw FFmpeg, libaom, libopus and libc call of the engine, split by what it wraps; each
//! `unsafe` block says why it holds. Everything above this module is safe code.

pub(crate) mod aom;
pub(crate) mod avio;
pub(crate) mod codec;
pub(crate) mod frame;
pub(crate) mod libopus;
pub(crate) mod swscale;
