//! Raw FFmpeg calls that ffmpeg-next does not wrap. Every `unsafe` block says why it holds.

use std::ptr;

use ffmpeg_next::ffi as sys;
use ffmpeg_next::format::Pixel;

use crate::{EngineError, Result};

/// A swscale context for one source/destination geometry, scaling between strided planes
/// we own (ffmpeg-next's wrapper only scales between AVFrames, which would cost a copy).
pub(crate) struct Scaler {
    ctx: *mut sys::SwsContext,
    src_height: i32,
}

/// One side of a scale: up to four plane pointers and their strides in bytes.
pub(crate) struct Planes<P> {
    pub data: [P; 4],
    pub strides: [i32; 4],
}

impl Scaler {
    pub fn new(src: (Pixel, u32, u32), dst: (Pixel, u32, u32), flags: i32) -> Result<Self> {
        let dims = |(_, w, h): (Pixel, u32, u32)| -> Result<(i32, i32)> {
            let w = i32::try_from(w).map_err(|_| EngineError::type_error("frame too wide"))?;
            let h = i32::try_from(h).map_err(|_| EngineError::type_error("frame too tall"))?;
            Ok((w, h))
        };
        let (sw, sh) = dims(src)?;
        let (dw, dh) = dims(dst)?;
        // SAFETY: plain constructor call with by-value arguments and null filters/params,
        // which swscale documents as "use defaults"; a null result is handled below.
        let ctx = unsafe {
            sys::sws_getContext(
                sw,
                sh,
                src.0.into(),
                dw,
                dh,
                dst.0.into(),
                flags,
                ptr::null_mut(),
                ptr::null_mut(),
                ptr::null(),
            )
        };
        if ctx.is_null() {
            return Err(EngineError::not_supported(format!("cannot convert {:?} to {:?}", src.0, dst.0)));
        }
        Ok(Self { ctx, src_height: sh })
    }

    /// Sets the YUV matrix (`SWS_CS_*`) and ranges used for YUV <-> RGB conversion.
    pub fn set_colorspace(&mut self, sws_cs: i32, src_full_range: bool, dst_full_range: bool) {
        // SAFETY: `ctx` is a live context owned by `self`; sws_getCoefficients returns a
        // pointer into a static table for any input (unknown values map to the default).
        unsafe {
            let table = sys::sws_getCoefficients(sws_cs);
            sys::sws_setColorspaceDetails(
                self.ctx,
                table,
                i32::from(src_full_range),
                table,
                i32::from(dst_full_range),
                0,
                1 << 16,
                1 << 16,
            );
        }
    }

    /// Converts the whole source picture into `dst`.
    ///
    /// # Safety
    /// Each source pointer must be readable, and each destination pointer writable, for
    /// every row of its plane at its stride, for the geometries given to [`Scaler::new`].
    pub unsafe fn scale(&mut self, src: &Planes<*const u8>, dst: &Planes<*mut u8>) {
        // SAFETY: the caller guarantees the plane memory; `ctx` is live and owned.
        unsafe {
            sys::sws_scale(
                self.ctx,
                src.data.as_ptr(),
                src.strides.as_ptr(),
                0,
                self.src_height,
                dst.data.as_ptr(),
                dst.strides.as_ptr(),
            );
        }
    }
}

impl Drop for Scaler {
    fn drop(&mut self) {
        // SAFETY: `ctx` came from sws_getContext and is freed exactly once, here.
        unsafe { sys::sws_freeContext(self.ctx) }
    }
}
