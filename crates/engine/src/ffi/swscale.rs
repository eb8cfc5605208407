//! swscale between strided planes we own, split into bands that convert in parallel.

use std::ptr;

use ffmpeg_next::ffi as sys;
use ffmpeg_next::format::Pixel;
use ffmpeg_next::frame;

use crate::video::{FrameBuffer, PlaneLayout, Rect};
use crate::{EngineError, Result};

/// A swscale conversion for one source/destination geometry, between strided planes we
/// own (ffmpeg-next's wrapper only scales between AVFrames, which would cost a copy).
///
/// swscale's own `sws_scale` runs on one thread. A conversion that keeps the picture size
/// (the common case: RGBA in, I420 for the encoder) is split into horizontal bands, one
/// context and one thread per band, so it uses every core.
pub(crate) struct Scaler {
    bands: Vec<Band>,
    /// Vertical sub-sampling (log2) of each source and destination plane.
    src_chroma_h: u8,
    dst_chroma_h: u8,
}

struct Band {
    ctx: *mut sys::SwsContext,
    /// First source (and destination) row of the band, and its height.
    top: u32,
    height: i32,
}

// SAFETY: each SwsContext is used by one thread at a time (bands are converted by
// distinct threads, each with its own context); the pointer itself is plain data.
unsafe impl Send for Band {}
// SAFETY: as above: a band is shared with exactly one converting thread at a time.
unsafe impl Sync for Band {}

/// One side of a scale: up to four plane pointers and their strides in bytes.
#[derive(Clone, Copy)]
struct Planes<P> {
    data: [P; 4],
    strides: [i32; 4],
}

/// Rows of a picture below which splitting it is not worth a thread.
const MIN_BAND_ROWS: u32 = 128;

fn new_context(src: (Pixel, i32, i32), dst: (Pixel, i32, i32), flags: i32) -> Result<*mut sys::SwsContext> {
    // SAFETY: plain constructor call with by-value arguments and null filters/params,
    // which swscale documents as "use defaults"; a null result is handled below.
    let ctx = unsafe {
        sys::sws_getContext(
            src.1,
            src.2,
            src.0.into(),
            dst.1,
            dst.2,
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
    Ok(ctx)
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
        let chroma_h = |p: Pixel| p.descriptor().map_or(0, |d| d.log2_chroma_h());
        let (src_chroma_h, dst_chroma_h) = (chroma_h(src.0), chroma_h(dst.0));
        // Bands start on rows that are whole chroma rows on both sides.
        let align = 1u32 << src_chroma_h.max(dst_chroma_h).max(1);
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get()) as u32;
        let same_size = (sw, sh) == (dw, dh);
        let count = if same_size { threads.min(src.2 / MIN_BAND_ROWS).max(1) } else { 1 };
        let step = (src.2 / count).div_ceil(align) * align;
        let mut bands = Vec::with_capacity(count as usize);
        let mut top = 0;
        while top < src.2 {
            let height = if count == 1 { src.2 } else { step.min(src.2 - top) };
            let (band_src_h, band_dst_h) = if same_size { (height as i32, height as i32) } else { (sh, dh) };
            let ctx = new_context((src.0, sw, band_src_h), (dst.0, dw, band_dst_h), flags);
            match ctx {
                Ok(ctx) => bands.push(Band { ctx, top, height: band_src_h }),
                Err(e) => {
                    // Dropping the partial scaler frees the contexts made so far.
                    drop(Self { bands, src_chroma_h, dst_chroma_h });
                    return Err(e);
                }
            }
            top += height;
        }
        Ok(Self { bands, src_chroma_h, dst_chroma_h })
    }

    /// Sets the YUV matrix (`SWS_CS_*`) and ranges used for YUV <-> RGB conversion.
    pub fn set_colorspace(&mut self, sws_cs: i32, src_full_range: bool, dst_full_range: bool) {
        for band in &self.bands {
            // SAFETY: `ctx` is a live context owned by `self`; sws_getCoefficients returns a
            // pointer into a static table for any input (unknown values map to the default).
            unsafe {
                let table = sys::sws_getCoefficients(sws_cs);
                sys::sws_setColorspaceDetails(
                    band.ctx,
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
    }

    /// Converts the whole source picture into `dst`, one thread per band.
    ///
    /// # Safety
    /// Each source pointer must be readable, and each destination pointer writable, for
    /// every row of its plane at its stride, for the geometries given to [`Scaler::new`].
    unsafe fn scale(&mut self, src: &Planes<*const u8>, dst: &Planes<*mut u8>) {
        let offset = |planes_stride: i32, plane: usize, top: u32, chroma_h: u8| -> isize {
            let rows = if plane == 1 || plane == 2 { top >> chroma_h } else { top };
            rows as isize * planes_stride as isize
        };
        let jobs: Vec<(Planes<SendPtr>, Planes<SendPtrMut>, &Band)> = self
            .bands
            .iter()
            .map(|band| {
                let mut from = Planes { data: [SendPtr(ptr::null()); 4], strides: src.strides };
                let mut to = Planes { data: [SendPtrMut(ptr::null_mut()); 4], strides: dst.strides };
                for i in 0..4 {
                    if !src.data[i].is_null() {
                        // SAFETY: the band's first row lies inside the plane (bands cover
                        // the picture), so the offset pointer stays in the same allocation.
                        from.data[i] = SendPtr(unsafe {
                            src.data[i].offset(offset(src.strides[i], i, band.top, self.src_chroma_h))
                        });
                    }
                    if !dst.data[i].is_null() {
                        // SAFETY: as above, for the destination plane.
                        to.data[i] = SendPtrMut(unsafe {
                            dst.data[i].offset(offset(dst.strides[i], i, band.top, self.dst_chroma_h))
                        });
                    }
                }
                (from, to, band)
            })
            .collect();
        let run = |(from, to, band): &(Planes<SendPtr>, Planes<SendPtrMut>, &Band)| {
            let src_data = from.data.map(|p| p.0);
            let dst_data = to.data.map(|p| p.0);
            // SAFETY: the caller guarantees the plane memory; each band reads and writes only
            // its own rows, and uses its own context.
            unsafe {
                sys::sws_scale(
                    band.ctx,
                    src_data.as_ptr(),
                    from.strides.as_ptr(),
                    0,
                    band.height,
                    dst_data.as_ptr(),
                    to.strides.as_ptr(),
                );
            }
        };
        match jobs.split_first() {
            Some((first, [])) => run(first),
            Some((first, rest)) => std::thread::scope(|scope| {
                for job in rest {
                    scope.spawn(move || run(job));
                }
                run(first);
            }),
            None => {}
        }
    }
}

/// The planes of `src` from the origin of `rect` (which the caller checked lies inside it
/// on whole chroma samples).
fn source_planes(src: &FrameBuffer, rect: Rect) -> Planes<*const u8> {
    let mut from = Planes { data: [ptr::null(); 4], strides: [0; 4] };
    for i in 0..src.format.num_planes().min(4) {
        let (plane, stride) = src.plane_at(i, rect);
        from.data[i] = plane.as_ptr();
        from.strides[i] = stride as i32;
    }
    from
}

/// Scales `rect` of `src` into all of `dst` (allocated for the scaler's destination
/// geometry).
pub(crate) fn scale_into(scaler: &mut Scaler, src: &FrameBuffer, rect: Rect, dst: &mut frame::Video) {
    let from = source_planes(src, rect);
    let mut to = Planes { data: [ptr::null_mut(); 4], strides: [0; 4] };
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

/// Scales `rect` of `src` into the one packed plane at `layout` in `dest`, `rect.height`
/// rows of the scaler's destination width; a `RangeError` when `dest` is too short.
pub(crate) fn scale_into_plane(
    scaler: &mut Scaler,
    src: &FrameBuffer,
    rect: Rect,
    layout: PlaneLayout,
    dest: &mut [u8],
) -> Result<()> {
    let from = source_planes(src, rect);
    let needed = layout.offset as usize + layout.stride as usize * rect.height as usize;
    if dest.len() < needed {
        return Err(EngineError::range_error(format!("destination holds {} bytes, {needed} needed", dest.len())));
    }
    let to = Planes {
        data: [dest[layout.offset as usize..].as_mut_ptr(), ptr::null_mut(), ptr::null_mut(), ptr::null_mut()],
        strides: [layout.stride as i32, 0, 0, 0],
    };
    // SAFETY: every source plane was validated at construction to hold all rows of the
    // coded frame at its stride, and `rect` lies inside the coded frame; the destination
    // holds `rect.height` rows at `layout.stride` from `layout.offset` (checked above).
    unsafe { scaler.scale(&from, &to) };
    Ok(())
}

/// A plane pointer handed to a band's thread (see `Scaler::scale`).
#[derive(Clone, Copy)]
struct SendPtr(*const u8);
// SAFETY: bands only read their own rows of the source.
unsafe impl Send for SendPtr {}
// SAFETY: as above.
unsafe impl Sync for SendPtr {}

#[derive(Clone, Copy)]
struct SendPtrMut(*mut u8);
// SAFETY: bands write disjoint rows of the destination.
unsafe impl Send for SendPtrMut {}
// SAFETY: as above.
unsafe impl Sync for SendPtrMut {}

impl Drop for Scaler {
    fn drop(&mut self) {
        for band in &self.bands {
            // SAFETY: each context came from sws_getContext and is freed exactly once, here.
            unsafe { sys::sws_freeContext(band.ctx) }
        }
    }
}
