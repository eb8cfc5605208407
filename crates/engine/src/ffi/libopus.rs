//! Encoder controls that FFmpeg's libopus wrapper does not expose as options in every
//! FFmpeg version (DTX before FFmpeg 6, the signal hint in all of them), sent to the
//! libopus encoder that an opened `libopus` context owns.
//!
//! The wrapper's private context starts with its `AVClass` pointer followed by the
//! `OpusMSEncoder` pointer, in every FFmpeg from 4.0 to 7.1. That layout is checked
//! before use: the first field must be the codec's own class, and libopus must answer a
//! read of the sample rate with the context's rate. The control function is looked up in
//! the libopus that FFmpeg already loaded, so nothing here loads a library; a build with
//! FFmpeg linked statically links it by name.

use std::ffi::{c_char, c_int, c_void, CStr};

use ffmpeg_next::codec;

/// `opus_multistream_encoder_ctl(st, request, ...)`.
type EncoderCtl = unsafe extern "C" fn(*mut c_void, c_int, ...) -> c_int;

/// Request codes and values from libopus's `opus_defines.h` (stable ABI).
pub(crate) const SET_DTX: c_int = 4016;
#[cfg(test)]
pub(crate) const GET_DTX: c_int = 4017;
pub(crate) const SET_SIGNAL: c_int = 4024;
#[cfg(test)]
pub(crate) const GET_SIGNAL: c_int = 4025;
const GET_SAMPLE_RATE: c_int = 4029;
/// libopus's `OPUS_AUTO`, what a fresh encoder reports for its signal hint.
#[cfg(test)]
pub(crate) const AUTO: c_int = -1000;
pub(crate) const SIGNAL_VOICE: c_int = 3001;
pub(crate) const SIGNAL_MUSIC: c_int = 3002;
const OPUS_OK: c_int = 0;

/// Whether encoder controls can reach libopus in this process.
pub(crate) fn available() -> bool {
    encoder_ctl().is_some()
}

/// With FFmpeg linked statically, libopus is inside this library and linked by name.
#[cfg(feature = "static-ffmpeg")]
fn encoder_ctl() -> Option<EncoderCtl> {
    extern "C" {
        fn opus_multistream_encoder_ctl(st: *mut c_void, request: c_int, ...) -> c_int;
    }
    Some(opus_multistream_encoder_ctl)
}

#[cfg(not(feature = "static-ffmpeg"))]
fn encoder_ctl() -> Option<EncoderCtl> {
    static CTL: std::sync::OnceLock<Option<usize>> = std::sync::OnceLock::new();
    let address = *CTL.get_or_init(|| {
        // The library FFmpeg links; RTLD_NOLOAD only finds it when it is already loaded.
        const NAMES: [&CStr; 2] = [c"libopus.so.0", c"libopus.0.dylib"];
        NAMES.iter().find_map(|name| {
            // SAFETY: dlopen/dlsym get valid NUL-terminated strings; with RTLD_NOLOAD no
            // library is loaded or initialised, and the handle of a loaded library stays
            // valid while libavcodec (which depends on it) is loaded, i.e. for the process.
            unsafe {
                let handle = libc::dlopen(name.as_ptr(), libc::RTLD_LAZY | libc::RTLD_NOLOAD);
                if handle.is_null() {
                    return None;
                }
                let symbol = libc::dlsym(handle, c"opus_multistream_encoder_ctl".as_ptr());
                (!symbol.is_null()).then_some(symbol as usize)
            }
        })
    });
    // SAFETY: the address is libopus's `opus_multistream_encoder_ctl`, whose C signature is
    // `int (OpusMSEncoder *, int, ...)`.
    address.map(|a| unsafe { std::mem::transmute::<usize, EncoderCtl>(a) })
}

/// The `OpusMSEncoder` of an opened `libopus` context, once its layout checks out.
fn opus_encoder(ctx: &codec::Context) -> Option<(*mut c_void, EncoderCtl)> {
    let ctl = encoder_ctl()?;
    // SAFETY: `ctx` is a live, opened AVCodecContext. Its `codec` is a static AVCodec whose
    // name is a static C string; `priv_data` is allocated by FFmpeg with at least the
    // wrapper's context size, which begins with two pointers (see the module comment) —
    // read only once the codec is known to be libopus and the first one is its class.
    unsafe {
        let raw = ctx.as_ptr();
        let codec = (*raw).codec;
        if codec.is_null() || (*raw).priv_data.is_null() {
            return None;
        }
        if CStr::from_ptr((*codec).name as *const c_char) != c"libopus" {
            return None;
        }
        let fields = (*raw).priv_data as *const *mut c_void;
        if !std::ptr::eq(*fields as *const c_void, (*codec).priv_class as *const c_void) {
            return None;
        }
        let encoder = *fields.add(1);
        if encoder.is_null() {
            return None;
        }
        let mut rate: i32 = 0;
        let status = ctl(encoder, GET_SAMPLE_RATE, &mut rate as *mut i32);
        (status == OPUS_OK && rate == (*raw).sample_rate).then_some((encoder, ctl))
    }
}

/// Sends `OPUS_SET_*` `request` with `value` to an opened libopus encoder.
pub(crate) fn set(ctx: &codec::Context, request: c_int, value: c_int) -> Result<(), String> {
    let (encoder, ctl) = opus_encoder(ctx).ok_or("libopus's encoder controls are not reachable")?;
    // SAFETY: `encoder` is the live OpusMSEncoder of `ctx` (checked by `opus_encoder`);
    // SET requests take one `opus_int32` argument.
    let status = unsafe { ctl(encoder, request, value) };
    if status == OPUS_OK {
        Ok(())
    } else {
        Err(format!("libopus refused request {request} = {value} ({status})"))
    }
}

/// Reads `OPUS_GET_*` `request` from an opened libopus encoder.
#[cfg(test)]
pub(crate) fn get(ctx: &codec::Context, request: c_int) -> Option<c_int> {
    let (encoder, ctl) = opus_encoder(ctx)?;
    let mut value: i32 = 0;
    // SAFETY: as in `set`; GET requests take one `opus_int32 *` that libopus writes.
    let status = unsafe { ctl(encoder, request, &mut value as *mut i32) };
    (status == OPUS_OK).then_some(value)
}
