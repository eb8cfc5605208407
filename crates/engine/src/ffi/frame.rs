//! FFmpeg frames over memory we own: video planes lent to an encoder without a copy, and
//! the planes of audio frames, which ffmpeg-next cannot reach past the eighth.

use ffmpeg_next::ffi as sys;
use ffmpeg_next::frame;

use crate::video::FrameBuffer;
use crate::{EngineError, Keepalive, Result};

/// A decoded FFmpeg frame that a `FrameBuffer` shares between threads, read-only.
pub struct SharedVideoFrame(frame::Video);

// SAFETY: an AVFrame's buffers are reference-counted with atomic counts; we only read
// them, and the frame is never mutated after it is wrapped here.
unsafe impl Send for SharedVideoFrame {}
// SAFETY: as above; shared references only read pixel memory.
unsafe impl Sync for SharedVideoFrame {}

impl SharedVideoFrame {
    pub(crate) fn new(frame: frame::Video) -> Self {
        Self(frame)
    }
}

impl std::ops::Deref for SharedVideoFrame {
    type Target = frame::Video;

    fn deref(&self) -> &frame::Video {
        &self.0
    }
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

/// Asks the encoder to code the whole of `frame` `offset` quantizer steps away from the
/// level its rate control picks: one region of interest (FFmpeg's x264 and x265 wrappers
/// turn it into per-macroblock offsets), whose offset is a fraction of `range` steps.
pub(crate) fn offset_quantizer(frame: &mut frame::Video, offset: i32, range: i32) -> Result<()> {
    let region = sys::AVRegionOfInterest {
        self_size: std::mem::size_of::<sys::AVRegionOfInterest>() as u32,
        top: 0,
        bottom: frame.height() as i32,
        left: 0,
        right: frame.width() as i32,
        qoffset: sys::AVRational { num: offset.clamp(-range, range), den: range.max(1) },
    };
    // SAFETY: `frame` is a live AVFrame we own; FFmpeg allocates the side data with the
    // size asked for (suitably aligned), and we write one whole struct into it.
    unsafe {
        let data = sys::av_frame_new_side_data(
            frame.as_mut_ptr(),
            sys::AVFrameSideDataType::AV_FRAME_DATA_REGIONS_OF_INTEREST,
            std::mem::size_of::<sys::AVRegionOfInterest>() as _,
        );
        if data.is_null() {
            return Err(EngineError::encoding("out of memory for a frame's quantizer"));
        }
        std::ptr::write((*data).data.cast::<sys::AVRegionOfInterest>(), region);
    }
    Ok(())
}
