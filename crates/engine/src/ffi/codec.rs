//! Codec context fields, extradata and private options that ffmpeg-next does not wrap
//! (in a form that works across FFmpeg's channel-layout API change).

use std::ffi::CString;

use ffmpeg_next::ffi as sys;
use ffmpeg_next::{codec, Codec};

use crate::{EngineError, Result};

/// Encoder context fields without a safe setter.
pub(crate) struct ContextFields {
    /// `AVCodecContext.profile` (libvpx/libaom take numeric profiles).
    pub profile: Option<i32>,
    /// `rc_buffer_size` in bits, for constant bitrate.
    pub rc_buffer_size: Option<i32>,
    /// `rc_min_rate` in bits per second.
    pub rc_min_rate: Option<i64>,
    /// `ticks_per_frame`: the frame duration in time-base units for encoders that read it.
    pub ticks_per_frame: Option<i32>,
    /// The primaries and transfer to signal in the bitstream (matrix and range have
    /// safe setters).
    pub primaries: sys::AVColorPrimaries,
    pub transfer: sys::AVColorTransferCharacteristic,
}

pub(crate) fn set_context_fields(ctx: &mut codec::Context, fields: &ContextFields) {
    // SAFETY: `ctx` wraps a live, not yet opened AVCodecContext that we own exclusively;
    // these are plain integer/enum fields that avcodec_open2 reads.
    unsafe {
        let raw = ctx.as_mut_ptr();
        if let Some(profile) = fields.profile {
            (*raw).profile = profile;
        }
        if let Some(size) = fields.rc_buffer_size {
            (*raw).rc_buffer_size = size;
        }
        if let Some(rate) = fields.rc_min_rate {
            (*raw).rc_min_rate = rate;
        }
        if let Some(ticks) = fields.ticks_per_frame {
            (*raw).ticks_per_frame = ticks;
        }
        (*raw).color_primaries = fields.primaries;
        (*raw).color_trc = fields.transfer;
    }
}

/// Gives a decoder context its extradata (an avcC/hvcC/av1C record), before it is opened.
pub(crate) fn set_extradata(ctx: &mut codec::Context, data: &[u8]) -> Result<()> {
    let padding = sys::AV_INPUT_BUFFER_PADDING_SIZE as usize;
    let size = i32::try_from(data.len()).map_err(|_| EngineError::type_error("description is too large"))?;
    // SAFETY: av_mallocz returns null or a zeroed buffer of the asked size, into which we
    // copy `data.len()` bytes (the padding stays zero, as FFmpeg requires). The context owns
    // and frees extradata (avcodec_free_context); any earlier buffer is freed first.
    unsafe {
        let buffer = sys::av_mallocz(data.len() + padding) as *mut u8;
        if buffer.is_null() {
            return Err(EngineError::encoding("out of memory for extradata"));
        }
        std::ptr::copy_nonoverlapping(data.as_ptr(), buffer, data.len());
        let raw = ctx.as_mut_ptr();
        sys::av_freep(std::ptr::addr_of_mut!((*raw).extradata).cast());
        (*raw).extradata = buffer;
        (*raw).extradata_size = size;
    }
    Ok(())
}

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

/// Sets an opened encoder's largest quantizer, which FFmpeg's libvpx wrapper hands to
/// libvpx before the next frame when it changed (`vpx_codec_enc_config_set`).
pub(crate) fn set_max_quantizer(ctx: &mut codec::Context, q: i32) {
    // SAFETY: a plain int field of a live context, read by the encoder on this thread.
    unsafe { (*ctx.as_mut_ptr()).qmax = q }
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
