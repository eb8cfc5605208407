//! Pixel format conversion for `VideoFrame.copyTo({format, colorSpace})`: any frame
//! format to RGBA/RGBX/BGRA/BGRX with the frame's YUV matrix and range, then into the
//! requested `PredefinedColorSpace` when the frame is in another. 8-bit I420, I444 and
//! NV12 in BT.601 or BT.709 go through SIMD kernels (`fast_rgb.rs`); everything else, and
//! every frame that needs a colour space conversion, through swscale's exact paths.

use ffmpeg_next::ffi as sys;
use ffmpeg_next::format::Pixel;

use super::fast_rgb::FastRgb;
use super::gamut::RgbConversion;
use super::{ColorSpace, ComputedPlane, FrameBuffer, Matrix, PixelFormat, PlaneLayout, PredefinedColorSpace, Rect};
use crate::ffi::swscale::{scale_into_plane, Scaler};
use crate::{EngineError, Result};

/// Without these two flags swscale takes SIMD paths that write past the end of rows into
/// the caller's memory (seen as heap corruption in the engine's tests).
const EXACT: i32 = sys::SWS_BILINEAR | sys::SWS_ACCURATE_RND | sys::SWS_FULL_CHR_H_INT;

/// Frames with fewer pixels keep swscale's exact path even where `FastRgb` applies: at
/// that size either takes well under a millisecond, and small frames (thumbnails, the
/// test suite's images) then match `ffmpeg -sws_flags bilinear+accurate_rnd+full_chroma_int`
/// byte for byte.
const MIN_FAST_PIXELS: u64 = 256 * 256;

/// swscale's coefficient table for a matrix; unknown YUV matrices read as BT.709, the
/// spec's default colour space for YUV frames.
pub(crate) fn sws_matrix(matrix: Option<Matrix>) -> i32 {
    match matrix {
        Some(Matrix::Bt470bg | Matrix::Smpte170m) => sys::SWS_CS_ITU601,
        Some(Matrix::Bt2020Ncl) => sys::SWS_CS_BT2020,
        Some(Matrix::Bt709 | Matrix::Rgb) | None => sys::SWS_CS_ITU709,
    }
}

/// Whether `rect` of a `src_format` frame converts to `dest_format` (an RGB format): the
/// checks `copyTo()` makes before it converts, and FFmpeg's formats for the two sides.
pub fn rgb_conversion(src_format: PixelFormat, rect: Rect, dest_format: PixelFormat) -> Result<(Pixel, Pixel)> {
    if !dest_format.is_rgb() {
        return Err(EngineError::not_supported(format!("conversion to {} is not supported", dest_format.as_str())));
    }
    rect.check_alignment(src_format)?;
    // RGBX and BGRX are opaque: their fourth byte is 255, not the frame's alpha. FFmpeg
    // has no 4:2:0 12-bit layout with alpha: read the colour planes alone.
    let opaque = !dest_format.has_alpha();
    let src_av = if opaque { None } else { src_format.to_av() }.or_else(|| src_format.without_alpha().to_av());
    match (src_av, dest_format.to_av()) {
        (Some(src), Some(dst)) => Ok((src, dst)),
        _ => Err(EngineError::not_supported(format!("cannot convert {}", src_format.as_str()))),
    }
}

/// Converts `rect` of `frame` (in colour space `color`) into `dest_format` (an RGB
/// format) in the `target` colour space at `dest`, whose single plane is described by
/// `dest_plane` (from [`super::compute_layout`]).
pub fn copy_rect_as_rgb(
    frame: &FrameBuffer,
    (color, target): (&ColorSpace, PredefinedColorSpace),
    rect: Rect,
    dest_format: PixelFormat,
    dest_plane: &ComputedPlane,
    dest: &mut [u8],
) -> Result<()> {
    let src_format = frame.format;
    let (src_av, dst_av) = rgb_conversion(src_format, rect, dest_format)?;
    let full_range = color.full_range.unwrap_or(src_format.is_rgb());
    let Some(conversion) = RgbConversion::between(color, target) else {
        let fast = FastRgb::new(src_format, color.matrix, full_range, dest_format)
            .filter(|_| u64::from(rect.width) * u64::from(rect.height) >= MIN_FAST_PIXELS);
        if let Some(fast) = fast {
            return fast.convert(frame, rect, dest_plane.destination, dest);
        }
        return exact_rgb(frame, (src_av, dst_av), (color.matrix, full_range), rect, dest_plane.destination, dest);
    };
    // 16 bits a sample keep HDR and wide-gamut sources' precision for the transfer maths.
    let wide_layout = PlaneLayout { offset: 0, stride: rect.width * 8 };
    let mut wide = vec![0u8; rect.width as usize * rect.height as usize * 8];
    exact_rgb(frame, (src_av, Pixel::RGBA64LE), (color.matrix, full_range), rect, wide_layout, &mut wide)?;
    let needed = dest_plane.destination.offset as usize
        + dest_plane.destination.stride as usize * (rect.height as usize - 1)
        + rect.width as usize * 4;
    if dest.len() < needed {
        return Err(EngineError::range_error(format!("destination holds {} bytes, {needed} needed", dest.len())));
    }
    conversion.apply(&wide, (rect.width, rect.height), dest_format, dest_plane.destination, dest);
    Ok(())
}

/// `rect` of `frame` through swscale's exact path into the packed `dst_av` plane at
/// `layout` in `dest`.
pub(super) fn exact_rgb(
    frame: &FrameBuffer,
    (src_av, dst_av): (Pixel, Pixel),
    (matrix, full_range): (Option<Matrix>, bool),
    rect: Rect,
    layout: PlaneLayout,
    dest: &mut [u8],
) -> Result<()> {
    let mut scaler = Scaler::new((src_av, rect.width, rect.height), (dst_av, rect.width, rect.height), EXACT)?;
    scaler.set_colorspace(sws_matrix(matrix), full_range, true);
    scale_into_plane(&mut scaler, frame, rect, layout, dest)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::video::{compute_layout, heap};

    fn convert(format: PixelFormat, data: &[u8], w: u32, h: u32, color: &ColorSpace, to: PixelFormat) -> Vec<u8> {
        let frame = FrameBuffer::copy_from(format, w, h, data, None, heap).unwrap();
        let rect = Rect::of_size(w, h);
        let (planes, size) = compute_layout(to, rect, None).unwrap();
        let mut out = vec![0; size as usize];
        copy_rect_as_rgb(&frame, (color, PredefinedColorSpace::Srgb), rect, to, &planes[0], &mut out).unwrap();
        out
    }

    fn solid_i420(w: u32, h: u32, y: u8, u: u8, v: u8) -> Vec<u8> {
        let luma = (w * h) as usize;
        let chroma = (w.div_ceil(2) * h.div_ceil(2)) as usize;
        let mut data = vec![y; luma];
        data.extend(std::iter::repeat_n(u, chroma));
        data.extend(std::iter::repeat_n(v, chroma));
        data
    }

    fn assert_near(actual: &[u8], expected: &[u8], tolerance: u8) {
        for (a, e) in actual.iter().zip(expected) {
            assert!(a.abs_diff(*e) <= tolerance, "got {actual:?}, expected {expected:?}");
        }
    }

    // Reference values: the BT.709 and BT.601 limited-range equations
    // (R = 1.164(Y-16) + 1.793(V-128) etc.), evaluated by hand for each test colour.
    #[test]
    fn bt709_limited_range_primaries() {
        let bt709 = ColorSpace::rec709();
        // Red in BT.709 limited range: Y=63, U=102, V=240.
        let out = convert(PixelFormat::I420, &solid_i420(4, 4, 63, 102, 240), 4, 4, &bt709, PixelFormat::RGBA);
        assert_near(&out[..4], &[255, 0, 0, 255], 2);
        // 75% red: Y=51, U=109, V=212 -> (191, 0, 0).
        let out = convert(PixelFormat::I420, &solid_i420(4, 4, 51, 109, 212), 4, 4, &bt709, PixelFormat::RGBA);
        assert_near(&out[..4], &[191, 0, 0, 255], 2);
        // 75% green: Y=133, U=63, V=52 -> (0, 191, 0).
        let out = convert(PixelFormat::I420, &solid_i420(4, 4, 133, 63, 52), 4, 4, &bt709, PixelFormat::RGBA);
        assert_near(&out[..4], &[0, 191, 0, 255], 2);
        // Limited-range white and black.
        let out = convert(PixelFormat::I420, &solid_i420(4, 4, 235, 128, 128), 4, 4, &bt709, PixelFormat::RGBA);
        assert_near(&out[..4], &[255, 255, 255, 255], 1);
        let out = convert(PixelFormat::I420, &solid_i420(4, 4, 16, 128, 128), 4, 4, &bt709, PixelFormat::BGRX);
        assert_near(&out[..3], &[0, 0, 0], 1);
    }

    #[test]
    fn bt601_matrix_differs_from_bt709() {
        let bt601 = ColorSpace { matrix: Some(Matrix::Smpte170m), full_range: Some(false), ..ColorSpace::default() };
        // BT.601 limited: Y=81, U=90, V=240 is pure red (255, 0, 0).
        let out = convert(PixelFormat::I420, &solid_i420(4, 4, 81, 90, 240), 4, 4, &bt601, PixelFormat::RGBA);
        assert_near(&out[..4], &[255, 0, 0, 255], 2);
        // The same bytes read as BT.709 give a visibly different colour.
        let out709 =
            convert(PixelFormat::I420, &solid_i420(4, 4, 81, 90, 240), 4, 4, &ColorSpace::rec709(), PixelFormat::RGBA);
        assert!(out709[1].abs_diff(out[1]) > 20 || out709[2].abs_diff(out[2]) > 20, "{out709:?} vs {out:?}");
    }

    #[test]
    fn full_range_is_honoured() {
        let full = ColorSpace { matrix: Some(Matrix::Bt709), full_range: Some(true), ..ColorSpace::default() };
        let out = convert(PixelFormat::I420, &solid_i420(2, 2, 0, 128, 128), 2, 2, &full, PixelFormat::RGBA);
        assert_near(&out[..3], &[0, 0, 0], 1);
        let out = convert(PixelFormat::I420, &solid_i420(2, 2, 255, 128, 128), 2, 2, &full, PixelFormat::RGBA);
        assert_near(&out[..3], &[255, 255, 255], 1);
        // Full-range mid grey stays mid grey; limited-range would stretch it.
        let out = convert(PixelFormat::I420, &solid_i420(2, 2, 128, 128, 128), 2, 2, &full, PixelFormat::RGBA);
        assert_near(&out[..3], &[128, 128, 128], 1);
    }

    #[test]
    fn rgb_swizzles_exactly() {
        let rgba = [10u8, 20, 30, 40, 50, 60, 70, 80];
        let out = convert(PixelFormat::RGBA, &rgba, 2, 1, &ColorSpace::srgb(), PixelFormat::BGRA);
        assert_eq!(out, vec![30, 20, 10, 40, 70, 60, 50, 80]);
    }

    #[test]
    fn nv12_and_high_bit_depth_convert() {
        let bt709 = ColorSpace::rec709();
        // NV12 red: Y plane then interleaved UV.
        let nv12 = [63, 63, 63, 63, 102, 240];
        let out = convert(PixelFormat::NV12, &nv12, 2, 2, &bt709, PixelFormat::RGBX);
        assert_near(&out[..3], &[255, 0, 0], 2);
        // 10-bit white: Y=940, U=V=512 little-endian.
        let mut p10 = Vec::new();
        for v in [940u16, 940, 940, 940, 512, 512] {
            p10.extend(v.to_le_bytes());
        }
        let out = convert(PixelFormat::I420P10, &p10, 2, 2, &bt709, PixelFormat::RGBA);
        assert_near(&out[..3], &[255, 255, 255], 1);
    }

    #[test]
    fn large_frames_convert_in_bands_without_seams() {
        // 640x720 I420, red above row 200 and 75% green below: conversion runs in bands
        // (one per core), whose edges must not shift or repeat rows.
        let (w, h) = (640usize, 720usize);
        let mut data = vec![0u8; w * h * 3 / 2];
        let (luma, chroma) = data.split_at_mut(w * h);
        let (u, v) = chroma.split_at_mut(w * h / 4);
        for y in 0..h {
            luma[y * w..(y + 1) * w].fill(if y < 200 { 63 } else { 133 });
        }
        for y in 0..h / 2 {
            u[y * w / 2..(y + 1) * w / 2].fill(if y < 100 { 102 } else { 63 });
            v[y * w / 2..(y + 1) * w / 2].fill(if y < 100 { 240 } else { 52 });
        }
        let out = convert(PixelFormat::I420, &data, w as u32, h as u32, &ColorSpace::rec709(), PixelFormat::RGBA);
        for y in [0, 199, 202, 359, 360, 361, 500, 719] {
            let px = &out[(y * w + w / 2) * 4..(y * w + w / 2) * 4 + 4];
            let expected: &[u8] = if y < 200 { &[255, 0, 0, 255] } else { &[0, 191, 0, 255] };
            assert_near(px, expected, 2);
        }
    }

    #[test]
    fn cropped_rect_reads_from_its_origin() {
        // Left half black, right half white, 4x2 I420.
        let data = [16, 16, 235, 235, 16, 16, 235, 235, 128, 128, 128, 128];
        let frame = FrameBuffer::copy_from(PixelFormat::I420, 4, 2, &data, None, heap).unwrap();
        let rect = Rect { x: 2, y: 0, width: 2, height: 2 };
        let (planes, size) = compute_layout(PixelFormat::RGBA, rect, None).unwrap();
        let mut out = vec![0; size as usize];
        copy_rect_as_rgb(
            &frame,
            (&ColorSpace::rec709(), PredefinedColorSpace::Srgb),
            rect,
            PixelFormat::RGBA,
            &planes[0],
            &mut out,
        )
        .unwrap();
        assert_near(&out, &[255; 16], 1);
    }
}
