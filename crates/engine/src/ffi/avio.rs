//! A demuxer reading bytes in memory through a custom AVIO context: libavformat's `mov`
//! demuxer (AVIF) reads the image an `ImageDecoder` holds, not a file. The context, its
//! buffer and the reader behind the callbacks are freed together, after the demuxer.

use std::ffi::{c_int, c_void, CStr};
use std::ptr;
use std::sync::Arc;

use ffmpeg_next::ffi as sys;
use ffmpeg_next::format::context::Input;

use crate::{EngineError, Result};

const BUFFER_SIZE: usize = 16 * 1024;

/// What the read and seek callbacks see: the bytes and the position in them.
struct Reader {
    data: Arc<[u8]>,
    pos: usize,
}

unsafe extern "C" fn read(opaque: *mut c_void, buf: *mut u8, size: c_int) -> c_int {
    // SAFETY: `opaque` is the `Reader` box of the `MemoryInput` whose context calls this,
    // alive until that context is freed; libavformat calls it from one thread at a time.
    let reader = unsafe { &mut *opaque.cast::<Reader>() };
    let left = reader.data.len().saturating_sub(reader.pos);
    if left == 0 {
        return sys::AVERROR_EOF;
    }
    let n = left.min(usize::try_from(size).unwrap_or(0));
    // SAFETY: `buf` has room for `size` >= `n` bytes (libavformat's contract), and the
    // source range lies inside `data`.
    unsafe { ptr::copy_nonoverlapping(reader.data.as_ptr().add(reader.pos), buf, n) };
    reader.pos += n;
    n as c_int
}

unsafe extern "C" fn seek(opaque: *mut c_void, offset: i64, whence: c_int) -> i64 {
    // SAFETY: as in `read`.
    let reader = unsafe { &mut *opaque.cast::<Reader>() };
    let len = reader.data.len() as i64;
    if whence & sys::AVSEEK_SIZE as c_int != 0 {
        return len;
    }
    let base = match whence & !(sys::AVSEEK_FORCE as c_int) {
        0 => 0,
        1 => reader.pos as i64,
        2 => len,
        _ => return -1,
    };
    match base.checked_add(offset) {
        Some(to) if (0..=len).contains(&to) => {
            reader.pos = to as usize;
            to
        }
        _ => -1,
    }
}

/// An opened demuxer over `data`.
pub(crate) struct MemoryInput {
    input: Option<Input>,
    avio: *mut sys::AVIOContext,
    reader: *mut Reader,
}

// SAFETY: the demuxer, its context and the reader are owned by this value alone and
// used by one thread at a time (the image decoder's worker).
unsafe impl Send for MemoryInput {}

impl MemoryInput {
    /// Opens `data` with the demuxer named `format` (e.g. "mov") and reads its stream info.
    pub fn open(data: Arc<[u8]>, format: &CStr) -> Result<Self> {
        let failed = |what: &str| EngineError::encoding(format!("{}: {what}", format.to_string_lossy()));
        let reader = Box::into_raw(Box::new(Reader { data, pos: 0 }));
        // SAFETY: plain allocations; every pointer is checked before use and owned by
        // `this`, whose Drop frees what was made, in order, if a later step fails.
        unsafe {
            let mut this = Self { input: None, avio: ptr::null_mut(), reader };
            let buffer = sys::av_malloc(BUFFER_SIZE).cast::<u8>();
            if buffer.is_null() {
                return Err(failed("out of memory"));
            }
            this.avio =
                sys::avio_alloc_context(buffer, BUFFER_SIZE as c_int, 0, reader.cast(), Some(read), None, Some(seek));
            if this.avio.is_null() {
                sys::av_free(buffer.cast());
                return Err(failed("out of memory"));
            }
            let mut ctx = sys::avformat_alloc_context();
            if ctx.is_null() {
                return Err(failed("out of memory"));
            }
            (*ctx).pb = this.avio;
            (*ctx).flags |= sys::AVFMT_FLAG_CUSTOM_IO as c_int;
            let demuxer = sys::av_find_input_format(format.as_ptr());
            // On failure avformat_open_input frees `ctx` (not our custom context).
            if demuxer.is_null() || sys::avformat_open_input(&mut ctx, ptr::null(), demuxer, ptr::null_mut()) < 0 {
                return Err(failed("not a valid file"));
            }
            this.input = Some(Input::wrap(ctx));
            if sys::avformat_find_stream_info(ctx, ptr::null_mut()) < 0 {
                return Err(failed("no stream"));
            }
            Ok(this)
        }
    }

    pub fn input(&mut self) -> Option<&mut Input> {
        self.input.as_mut()
    }
}

impl Drop for MemoryInput {
    fn drop(&mut self) {
        // The demuxer first: it may still read through the context while closing.
        drop(self.input.take());
        // SAFETY: the context and reader were allocated in `open` and are freed once,
        // here; the context's buffer may have been replaced by libavformat, so it is
        // freed through the context.
        unsafe {
            if !self.avio.is_null() {
                sys::av_freep(ptr::addr_of_mut!((*self.avio).buffer).cast());
                sys::avio_context_free(&mut self.avio);
            }
            drop(Box::from_raw(self.reader));
        }
    }
}

/// Whether this FFmpeg has the demuxer named `name`.
pub(crate) fn demuxer_exists(name: &CStr) -> bool {
    // SAFETY: a lookup by a NUL-terminated name; the result is only compared to null.
    !unsafe { sys::av_find_input_format(name.as_ptr()) }.is_null()
}
