//! The raw FFmpeg calls the audio sessions need and ffmpeg-next does not wrap (in a form
//! that works across FFmpeg's channel-layout API change): context fields and extradata.

use std::ffi::CString;

use ffmpeg_next::ffi as sys;
use ffmpeg_next::{codec, frame, Codec};

/// Gives a context (not yet opened) its sample rate and the default layout for `channels`.
pub(crate) fn set_audio_params(ctx: &mut codec::Context, sample_rate: u32, channels: u32) {
    let rate = i32::try_from(sample_rate).unwrap_or(i32::MAX);
    let channels = i32::try_from(channels).unwrap_or(i32::MAX);
    // SAFETY: `ctx` wraps a live AVCodecContext we own exclusively and that is not open;
    // `ch_layout` is uninitialised (freeing any custom map) before it is set again.
    unsafe {
        let raw = ctx.as_mut_ptr();
        (*raw).sample_rate = rate;
        sys::av_channel_layout_uninit(std::ptr::addr_of_mut!((*raw).ch_layout));
        sys::av_channel_layout_default(std::ptr::addr_of_mut!((*raw).ch_layout), channels);
    }
}

/// Makes a decoder report samples to skip (side data) instead of dropping them itself: the
/// session trims codec delay on its own, once.
pub(crate) fn set_skip_manual(ctx: &mut codec::Context) {
    // SAFETY: a plain integer field of a live, not yet opened context that we own.
    unsafe { (*ctx.as_mut_ptr()).flags2 |= sys::AV_CODEC_FLAG2_SKIP_MANUAL }
}

/// `initial_padding` of an opened encoder: samples of codec delay before the first input
/// sample, at the encoder's rate.
pub(crate) fn initial_padding(ctx: &codec::Context) -> u32 {
    // SAFETY: reads an integer field of a live context.
    let padding = unsafe { (*ctx.as_ptr()).initial_padding };
    u32::try_from(padding).unwrap_or(0)
}

/// A copy of an opened encoder's extradata (empty when it has none).
pub(crate) fn extradata(ctx: &codec::Context) -> Vec<u8> {
    // SAFETY: FFmpeg keeps `extradata` valid for `extradata_size` bytes (or null) for the
    // life of the context; we copy it out while we hold a shared borrow.
    unsafe {
        let raw = ctx.as_ptr();
        let size = usize::try_from((*raw).extradata_size).unwrap_or(0);
        if (*raw).extradata.is_null() || size == 0 {
            return Vec::new();
        }
        std::slice::from_raw_parts((*raw).extradata, size).to_vec()
    }
}

/// Whether `codec`'s private options include `name` (options differ between FFmpeg
/// versions, and an unknown option would be silently ignored).
pub(crate) fn has_private_option(codec: Codec, name: &str) -> bool {
    let Ok(name) = CString::new(name) else { return false };
    // SAFETY: `priv_class` is null or a static AVClass; av_opt_find with
    // AV_OPT_SEARCH_FAKE_OBJ only reads the class's option table through the pointer to it.
    unsafe {
        let class = (*codec.as_ptr()).priv_class;
        if class.is_null() {
            return false;
        }
        let fake_obj = std::ptr::addr_of!(class) as *mut std::ffi::c_void;
        !sys::av_opt_find(fake_obj, name.as_ptr(), std::ptr::null(), 0, sys::AV_OPT_SEARCH_FAKE_OBJ).is_null()
    }
}

/// The bytes of plane `index` of an audio frame (for packed formats, plane 0 holds every
/// channel), `len` bytes long. ffmpeg-next's `data(i)` reads `linesize[i]`, which FFmpeg
/// sets only for plane 0 of audio, and cannot reach planes past the eighth.
pub(crate) fn plane(frame: &frame::Audio, index: usize, len: usize) -> Option<&[u8]> {
    // SAFETY: for audio every plane is `linesize[0]` bytes long and `extended_data` holds
    // one pointer per plane (channels for planar formats, else one); `index` and `len` are
    // checked against those before the slice is made, and it borrows `frame`.
    unsafe {
        let raw = frame.as_ptr();
        let planes = if frame.is_planar() { frame.channels() as usize } else { 1 };
        let size = usize::try_from((*raw).linesize[0]).ok()?;
        if index >= planes || len > size || (*raw).extended_data.is_null() {
            return None;
        }
        let data = *(*raw).extended_data.add(index);
        (!data.is_null()).then(|| std::slice::from_raw_parts(data, len))
    }
}

/// [`plane`], writable.
pub(crate) fn plane_mut(frame: &mut frame::Audio, index: usize, len: usize) -> Option<&mut [u8]> {
    // SAFETY: as in `plane`; the slice borrows `frame` mutably, and the frame's buffers
    // were allocated by us (av_frame_get_buffer) and are not shared yet.
    unsafe {
        let planes = if frame.is_planar() { frame.channels() as usize } else { 1 };
        let raw = frame.as_mut_ptr();
        let size = usize::try_from((*raw).linesize[0]).ok()?;
        if index >= planes || len > size || (*raw).extended_data.is_null() {
            return None;
        }
        let data = *(*raw).extended_data.add(index);
        (!data.is_null()).then(|| std::slice::from_raw_parts_mut(data, len))
    }
}
