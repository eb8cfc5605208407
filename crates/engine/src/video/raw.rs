//! The raw FFmpeg calls the video sessions need and ffmpeg-next does not wrap: codec
//! context fields, extradata, and swscale into an AVFrame from planes we own.

use ffmpeg_next::ffi as sys;
use ffmpeg_next::{codec, frame};

use crate::ffi::{Planes, Scaler};
use crate::pixel::{FrameBuffer, Rect};
use crate::{EngineError, Keepalive, Result};

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
    /// Signal BT.709 primaries and transfer in the bitstream (matrix and range have
    /// safe setters).
    pub bt709: bool,
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
        if fields.bt709 {
            (*raw).color_primaries = sys::AVColorPrimaries::AVCOL_PRI_BT709;
            (*raw).color_trc = sys::AVColorTransferCharacteristic::AVCOL_TRC_BT709;
        }
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

/// Scales `rect` of `src` into all of `dst` (allocated for the scaler's destination
/// geometry).
pub(crate) fn scale_into(scaler: &mut Scaler, src: &FrameBuffer, rect: Rect, dst: &mut frame::Video) {
    let format = src.format;
    let mut from = Planes { data: [std::ptr::null(); 4], strides: [0; 4] };
    for i in 0..format.num_planes().min(4) {
        let spec = format.plane(i);
        let stride = src.stride(i);
        let offset = (rect.y / spec.sub_y) as usize * stride + (rect.x / spec.sub_x * spec.sample_bytes) as usize;
        from.data[i] = src.plane_data(i)[offset..].as_ptr();
        from.strides[i] = stride as i32;
    }
    let mut to = Planes { data: [std::ptr::null_mut(); 4], strides: [0; 4] };
    for i in 0..dst.planes().min(4) {
        to.strides[i] = dst.stride(i) as i32;
        to.data[i] = dst.data_mut(i).as_mut_ptr();
    }
    // SAFETY: the source planes were validated when the FrameBuffer was built to hold
    // every row of the coded frame at their strides and `rect` lies inside it (checked by
    // the caller); `dst` was allocated by FFmpeg for the scaler's destination format and
    // size, so each of its planes holds all rows at its stride.
    unsafe { scaler.scale(&from, &to) };
}

/// An AVFrame over `src`'s planes, without a copy, in FFmpeg's `pixel` (which must have
/// `src`'s layout). Each plane's buffer owns a clone of `keepalive`, dropped when FFmpeg
/// releases the buffer; the buffers are read-only, so FFmpeg copies before any write.
pub(crate) fn wrap_planes(
    src: &FrameBuffer,
    pixel: ffmpeg_next::format::Pixel,
    keepalive: &Keepalive,
) -> Result<frame::Video> {
    let mut av = frame::Video::empty();
    // SAFETY: `av` is a fresh AVFrame we own. Each plane pointer stays valid while
    // `keepalive` lives, and every buffer holds its own clone of it, released exactly once
    // by `release_keepalive` when FFmpeg frees the buffer (or here if creation fails).
    unsafe {
        let raw = av.as_mut_ptr();
        (*raw).format = sys::AVPixelFormat::from(pixel) as i32;
        (*raw).width = src.coded_width as i32;
        (*raw).height = src.coded_height as i32;
        for i in 0..src.format.num_planes().min(4) {
            let data = src.plane_data(i);
            let opaque = Box::into_raw(Box::new(keepalive.clone()));
            let buffer = sys::av_buffer_create(
                data.as_ptr().cast_mut(),
                data.len(),
                Some(release_keepalive),
                opaque.cast(),
                sys::AV_BUFFER_FLAG_READONLY,
            );
            if buffer.is_null() {
                drop(Box::from_raw(opaque));
                return Err(EngineError::encoding("out of memory wrapping a frame"));
            }
            (*raw).buf[i] = buffer;
            (*raw).data[i] = data.as_ptr().cast_mut();
            (*raw).linesize[i] = src.stride(i) as i32;
        }
    }
    Ok(av)
}

unsafe extern "C" fn release_keepalive(opaque: *mut std::ffi::c_void, _data: *mut u8) {
    // SAFETY: `opaque` is the Box made in `wrap_planes`, released once per buffer.
    drop(unsafe { Box::from_raw(opaque.cast::<Keepalive>()) });
}
