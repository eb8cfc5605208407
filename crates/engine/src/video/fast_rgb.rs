//! `copyTo()`'s common conversions on SIMD kernels: 8-bit I420, I444 and NV12 (and I420A
//! and I444A, their alpha copied through) in BT.601 or BT.709, either range, to RGBA, RGBX,
//! BGRA or BGRX, through dcv-color-primitives (AVX2, SSE2 or NEON, chosen at run time),
//! one band of rows per core: about a tenth of the time of swscale's exact path at 1080p.
//!
//! swscale is exact only on its C paths (`SWS_ACCURATE_RND | SWS_FULL_CHR_H_INT`); its
//! SIMD paths write past the rows they are given. These kernels agree with the exact path
//! to within 2 on flat colours and 3 on smooth ramps (the tests below). They take each
//! pixel's chroma from its own sample rather than interpolating between samples, as
//! libyuv (and so Chrome) does, so where chroma changes sharply from one sample to the
//! next the two paths differ by more.

use dcv_color_primitives as dcp;

use super::{FrameBuffer, Matrix, PixelFormat, PlaneLayout, Rect};
use crate::{EngineError, Result};

/// Rows below which a band is not worth a thread.
const MIN_BAND_ROWS: u32 = 128;

/// One conversion dcv-color-primitives has a kernel for.
pub(super) struct FastRgb {
    source: dcp::ImageFormat,
    destination: dcp::ImageFormat,
    /// Planes dcv reads: the colour planes (an alpha plane, if any, follows them).
    colour_planes: usize,
    /// Whether the frame's alpha plane goes into every pixel's fourth byte.
    copy_alpha: bool,
}

impl FastRgb {
    /// `None` when no kernel converts `format` in this colour space to `dest_format`.
    /// Matrices read as swscale's path reads them: unknown (and `rgb`) as BT.709.
    pub fn new(
        format: PixelFormat,
        matrix: Option<Matrix>,
        full_range: bool,
        dest_format: PixelFormat,
    ) -> Option<Self> {
        let (pixel_format, colour_planes) = match format.without_alpha() {
            PixelFormat::I420 => (dcp::PixelFormat::I420, 3),
            PixelFormat::I444 => (dcp::PixelFormat::I444, 3),
            PixelFormat::NV12 => (dcp::PixelFormat::Nv12, 2),
            _ => return None,
        };
        let color_space = match (matrix, full_range) {
            (Some(Matrix::Bt2020Ncl), _) => return None,
            (Some(Matrix::Bt470bg | Matrix::Smpte170m), false) => dcp::ColorSpace::Bt601,
            (Some(Matrix::Bt470bg | Matrix::Smpte170m), true) => dcp::ColorSpace::Bt601FR,
            (Some(Matrix::Bt709 | Matrix::Rgb) | None, false) => dcp::ColorSpace::Bt709,
            (Some(Matrix::Bt709 | Matrix::Rgb) | None, true) => dcp::ColorSpace::Bt709FR,
        };
        let (rgb, copy_alpha) = match dest_format {
            PixelFormat::RGBA => (dcp::PixelFormat::Rgba, format.has_alpha()),
            PixelFormat::BGRA => (dcp::PixelFormat::Bgra, format.has_alpha()),
            // The kernels write an opaque fourth byte, what RGBX and BGRX carry.
            PixelFormat::RGBX => (dcp::PixelFormat::Rgba, false),
            PixelFormat::BGRX => (dcp::PixelFormat::Bgra, false),
            _ => return None,
        };
        Some(Self {
            source: dcp::ImageFormat { pixel_format, color_space, num_planes: colour_planes as u32 },
            destination: dcp::ImageFormat { pixel_format: rgb, color_space: dcp::ColorSpace::Rgb, num_planes: 1 },
            colour_planes,
            copy_alpha,
        })
    }

    /// Converts `rect` of `frame` into the packed plane at `layout` in `dest`, writing
    /// only each row's pixels; a `RangeError` when `dest` is too short.
    pub fn convert(&self, frame: &FrameBuffer, rect: Rect, layout: PlaneLayout, dest: &mut [u8]) -> Result<()> {
        let stride = layout.stride as usize;
        let row_bytes = rect.width as usize * 4;
        let needed = layout.offset as usize + stride * (rect.height as usize).saturating_sub(1) + row_bytes;
        if dest.len() < needed || stride < row_bytes {
            return Err(EngineError::range_error(format!("destination holds {} bytes, {needed} needed", dest.len())));
        }
        let planes: Vec<(&[u8], usize)> = (0..frame.format.num_planes()).map(|i| frame.plane_at(i, rect)).collect();
        let band_rows = band_rows(rect.height) as usize;
        let mut bands = Vec::new();
        let mut rest = &mut dest[layout.offset as usize..];
        for top in (0..rect.height as usize).step_by(band_rows) {
            let rows = band_rows.min(rect.height as usize - top);
            let len = (rows * stride).min(rest.len());
            let (band, below) = std::mem::take(&mut rest).split_at_mut(len);
            rest = below;
            bands.push((top, rows, band));
        }
        let (format, planes) = (frame.format, &planes);
        let convert_band = |(top, rows, band): (usize, usize, &mut [u8])| {
            self.convert_band(format, planes, (top, rows), (rect.width, stride), band)
        };
        let mut bands = bands.into_iter();
        let first = bands.next();
        std::thread::scope(|scope| {
            let others: Vec<_> = bands.map(|band| scope.spawn(move || convert_band(band))).collect();
            let mine = first.map_or(Ok(()), convert_band);
            others
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
                .fold(mine, Result::and)
        })
    }

    /// Converts `rows` rows from row `top` of `planes` (each from the rect's origin) into
    /// `band`, whose rows are `stride` bytes apart.
    fn convert_band(
        &self,
        format: PixelFormat,
        planes: &[(&[u8], usize)],
        (top, rows): (usize, usize),
        (width, stride): (u32, usize),
        band: &mut [u8],
    ) -> Result<()> {
        let from_top = |i: usize| {
            let (plane, plane_stride) = planes[i];
            &plane[top / format.plane(i).sub_y as usize * plane_stride..]
        };
        let buffers: Vec<&[u8]> = (0..self.colour_planes).map(from_top).collect();
        let strides: Vec<usize> = planes[..self.colour_planes].iter().map(|&(_, s)| s).collect();
        dcp::convert_image(
            width,
            rows as u32,
            &self.source,
            Some(&strides),
            &buffers,
            &self.destination,
            Some(&[stride]),
            &mut [&mut *band],
        )
        .map_err(|e| EngineError::range_error(format!("RGB conversion failed: {e:?}")))?;
        if self.copy_alpha {
            let (alpha, alpha_stride) = (from_top(self.colour_planes), planes[self.colour_planes].1);
            for (out, alpha) in band.chunks_mut(stride).zip(alpha.chunks(alpha_stride)).take(rows) {
                for (pixel, &a) in out.chunks_exact_mut(4).zip(&alpha[..width as usize]) {
                    pixel[3] = a;
                }
            }
        }
        Ok(())
    }
}

/// Rows per band: the picture split between the cores, each band starting on a whole
/// chroma row.
fn band_rows(height: u32) -> u32 {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as u32;
    let bands = cores.min(height / MIN_BAND_ROWS).max(1);
    height.div_ceil(bands).next_multiple_of(2)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::video::convert::exact_rgb;
    use crate::video::rgb_conversion;
    use crate::video::{compute_layout, heap};
    use crate::IdlEnum;

    /// A `format` frame of smooth ramps: luma along both axes, Cb along x, Cr along the
    /// diagonal (each chroma sample takes the value at its top-left pixel), alpha a
    /// pattern of its own; within the nominal range of `full_range`.
    fn ramp(format: PixelFormat, (w, h): (u32, u32), full_range: bool) -> FrameBuffer {
        let ((y_lo, y_span), (c_lo, c_span)) = if full_range { ((0, 255), (0, 255)) } else { ((16, 219), (16, 224)) };
        let value = |lo: u32, span: u32, along: u32, of: u32| (lo + span * along / of) as u8;
        let (planes, size) = compute_layout(format, Rect::of_size(w, h), None).unwrap();
        let mut data = vec![0u8; size as usize];
        for (i, plane) in planes.iter().enumerate() {
            let spec = format.plane(i);
            for row in 0..plane.source_height {
                for col in 0..plane.source_width_bytes {
                    let (x, y) = (col / spec.sample_bytes * spec.sub_x, row * spec.sub_y);
                    // NV12's second plane interleaves Cb (even bytes) and Cr (odd bytes).
                    let cr = i == 2 || (format == PixelFormat::NV12 && i == 1 && col % 2 == 1);
                    data[(plane.destination.offset + row * plane.destination.stride + col) as usize] = match i {
                        0 => value(y_lo, y_span, x + y, w + h),
                        3 => ((x * 7 + y * 3) % 256) as u8,
                        _ if cr => value(c_lo, c_span, x + y, w + h),
                        _ => value(c_lo, c_span, x, w),
                    };
                }
            }
        }
        FrameBuffer::copy_from(format, w, h, &data, None, heap).unwrap()
    }

    #[test]
    fn matches_swscale_exact_path_on_ramps_for_every_matrix_and_range() {
        // Odd rows from an offset origin, into a layout with bytes between rows.
        let rect = Rect { x: 2, y: 2, width: 636, height: 355 };
        let layout = PlaneLayout { offset: 12, stride: 636 * 4 + 20 };
        let size = (layout.offset + layout.stride * rect.height) as usize;
        let matrices = [Some(Matrix::Bt709), Some(Matrix::Smpte170m), Some(Matrix::Bt470bg), None];
        let rgb: Vec<PixelFormat> = PixelFormat::all().filter(|f| f.is_rgb()).collect();
        let formats = [PixelFormat::I420, PixelFormat::I420A, PixelFormat::I444, PixelFormat::I444A, PixelFormat::NV12];
        for (f, format) in formats.into_iter().enumerate() {
            for full_range in [false, true] {
                let frame = ramp(format, (640, 360), full_range);
                // Each source format meets every destination format, over the matrices.
                for (m, matrix) in matrices.into_iter().enumerate() {
                    let to = rgb[(f + m) % rgb.len()];
                    let case = format!("{} {matrix:?} full range {full_range} to {}", format.as_str(), to.as_str());
                    let mut exact = vec![0xab; size];
                    let av = rgb_conversion(format, rect, to).unwrap();
                    exact_rgb(&frame, av, (matrix, full_range), rect, layout, &mut exact).unwrap();
                    let mut fast = vec![0xab; size];
                    FastRgb::new(format, matrix, full_range, to)
                        .unwrap()
                        .convert(&frame, rect, layout, &mut fast)
                        .unwrap();
                    let max_diff = fast.iter().zip(&exact).map(|(f, e)| f.abs_diff(*e)).max().unwrap();
                    assert!(max_diff <= 3, "{case}: differs by {max_diff}");
                    for (y, row) in fast[layout.offset as usize..].chunks(layout.stride as usize).enumerate() {
                        let (pixels, between) = row.split_at(rect.width as usize * 4);
                        // Alpha is copied, not converted: exactly the exact path's.
                        let alpha = |px: &[u8]| px.chunks(4).map(|p| p[3]).collect::<Vec<_>>();
                        let start = layout.offset as usize + y * layout.stride as usize;
                        assert_eq!(
                            alpha(pixels),
                            alpha(&exact[start..start + pixels.len()]),
                            "{case}: alpha of row {y}"
                        );
                        assert!(between.iter().all(|&b| b == 0xab), "{case}: wrote between rows");
                    }
                }
            }
        }
    }

    #[test]
    fn declines_what_it_has_no_kernel_for() {
        assert!(FastRgb::new(PixelFormat::I420, Some(Matrix::Bt2020Ncl), false, PixelFormat::RGBA).is_none());
        assert!(FastRgb::new(PixelFormat::I422, Some(Matrix::Bt709), false, PixelFormat::RGBA).is_none());
        assert!(FastRgb::new(PixelFormat::I420P10, Some(Matrix::Bt709), false, PixelFormat::RGBA).is_none());
        assert!(FastRgb::new(PixelFormat::RGBA, None, true, PixelFormat::BGRA).is_none());
        assert!(FastRgb::new(PixelFormat::I420, Some(Matrix::Bt709), false, PixelFormat::I420).is_none());
    }

    #[test]
    fn rejects_a_destination_too_short_with_range_error() {
        let frame = ramp(PixelFormat::I420, (256, 256), false);
        let fast = FastRgb::new(PixelFormat::I420, None, false, PixelFormat::RGBA).unwrap();
        let layout = PlaneLayout { offset: 0, stride: 256 * 4 };
        let err = fast.convert(&frame, Rect::of_size(256, 256), layout, &mut [0; 256 * 256 * 4 - 1]).unwrap_err();
        assert_eq!(err.name(), "RangeError");
    }

    /// `cargo test -p engine --release -- --ignored --nocapture times_1080p`: the median of
    /// 50 conversions of a 1080p I420 frame (BT.709, limited range) to RGBA on each path.
    #[test]
    #[ignore]
    fn times_1080p_i420_to_rgba_on_both_paths() {
        let rect = Rect::of_size(1920, 1080);
        let frame = ramp(PixelFormat::I420, (1920, 1080), false);
        let layout = PlaneLayout { offset: 0, stride: 1920 * 4 };
        let mut out = vec![0; 1920 * 1080 * 4];
        let mut median_ms = |convert: &mut dyn FnMut(&mut [u8])| {
            let mut times: Vec<f64> = (0..50)
                .map(|_| {
                    let start = std::time::Instant::now();
                    convert(&mut out);
                    start.elapsed().as_secs_f64() * 1e3
                })
                .collect();
            times.sort_by(f64::total_cmp);
            times[times.len() / 2]
        };
        let av = rgb_conversion(PixelFormat::I420, rect, PixelFormat::RGBA).unwrap();
        let exact =
            median_ms(&mut |out| exact_rgb(&frame, av, (Some(Matrix::Bt709), false), rect, layout, out).unwrap());
        let fast = FastRgb::new(PixelFormat::I420, Some(Matrix::Bt709), false, PixelFormat::RGBA).unwrap();
        let fast = median_ms(&mut |out| fast.convert(&frame, rect, layout, out).unwrap());
        println!("1080p I420 to RGBA, median of 50: swscale exact {exact:.2} ms, fast {fast:.2} ms");
    }
}
