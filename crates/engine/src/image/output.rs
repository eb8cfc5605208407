//! Decoded pixels into the frame a `VideoFrame` holds: RGBA for images with RGB data, the
//! decoder's own YUV for JPEG (as browsers hand JPEG out), scaled to `desiredWidth` x
//! `desiredHeight` when asked.

use ffmpeg_next::format::Pixel;
use ffmpeg_next::frame;
use ffmpeg_next::software::scaling;

use super::Pixels;
use crate::video::color::color_space_from_av;
use crate::video::{ColorSpace, FrameBuffer, Matrix, PixelFormat};
use crate::{EngineError, Result};

/// The frame and its colour space.
pub(super) fn to_frame(pixels: Pixels, desired: Option<(u32, u32)>) -> Result<(FrameBuffer, ColorSpace)> {
    let (frame, color_space) = match pixels {
        // At its own size, RGBA is the frame's memory as it is.
        Pixels::Rgba { width, height, data } if desired.is_none_or(|size| size == (width, height)) => {
            let buffer = FrameBuffer::from_bytes(PixelFormat::RGBA, width, height, Box::new(data), None)?;
            return Ok((buffer, ColorSpace::srgb()));
        }
        Pixels::Rgba { width, height, data } => (rgba_frame(width, height, &data)?, ColorSpace::srgb()),
        Pixels::Av { frame, keep_yuv } => decoded(frame, keep_yuv)?,
    };
    let frame = match desired {
        Some((w, h)) if (w, h) != (frame.width(), frame.height()) => scale(&frame, frame.format(), w, h)?,
        _ => frame,
    };
    let frame = relabel_full_range(frame);
    let buffer = FrameBuffer::from_av(frame).ok_or_else(|| EngineError::encoding("unusable decoded image"))?;
    Ok((buffer, color_space))
}

fn rgba_frame(width: u32, height: u32, data: &[u8]) -> Result<frame::Video> {
    let row = width as usize * 4;
    if data.len() < row * height as usize {
        return Err(EngineError::encoding("image data shorter than its size"));
    }
    let mut frame = frame::Video::new(Pixel::RGBA, width, height);
    let stride = frame.stride(0);
    let plane = frame.data_mut(0);
    for (y, src) in data.chunks_exact(row).take(height as usize).enumerate() {
        plane[y * stride..y * stride + row].copy_from_slice(src);
    }
    Ok(frame)
}

/// An FFmpeg decoder's frame: YUV kept as it is when asked (JPEG's YCbCr is BT.601 full
/// range over sRGB), anything else converted to RGBA.
fn decoded(frame: frame::Video, keep_yuv: bool) -> Result<(frame::Video, ColorSpace)> {
    let format = frame.format();
    let yuv = keep_yuv
        && matches!(
            format,
            Pixel::YUVJ420P | Pixel::YUVJ422P | Pixel::YUVJ444P | Pixel::YUV420P | Pixel::YUV422P | Pixel::YUV444P
        );
    let jpeg = matches!(format, Pixel::YUVJ420P | Pixel::YUVJ422P | Pixel::YUVJ444P);
    if yuv && jpeg {
        let color_space = ColorSpace { matrix: Some(Matrix::Smpte170m), full_range: Some(true), ..ColorSpace::srgb() };
        return Ok((frame, color_space));
    }
    if keep_yuv && PixelFormat::from_av(format).is_some_and(|f| !f.is_rgb()) {
        let color_space = color_space_from_av(
            frame.color_primaries(),
            frame.color_transfer_characteristic(),
            frame.color_space(),
            frame.color_range(),
        );
        return Ok((frame, color_space));
    }
    let converted = scale(&frame, Pixel::RGBA, frame.width(), frame.height())?;
    Ok((converted, ColorSpace::srgb()))
}

fn scale(frame: &frame::Video, target: Pixel, width: u32, height: u32) -> Result<frame::Video> {
    let mut ctx = scaling::Context::get(
        frame.format(),
        frame.width(),
        frame.height(),
        target,
        width,
        height,
        // The CLI's default, so that our decode and its decode agree.
        scaling::Flags::BICUBIC,
    )
    .map_err(|e| EngineError::encoding(format!("cannot convert the image: {e}")))?;
    let mut out = frame::Video::empty();
    ctx.run(frame, &mut out).map_err(|e| EngineError::encoding(format!("converting the image: {e}")))?;
    Ok(out)
}

/// FFmpeg's deprecated full-range "J" formats become the plain ones: the range is in the
/// colour space we report, and swscale must not convert it again downstream.
fn relabel_full_range(mut frame: frame::Video) -> frame::Video {
    let plain = match frame.format() {
        Pixel::YUVJ420P => Pixel::YUV420P,
        Pixel::YUVJ422P => Pixel::YUV422P,
        Pixel::YUVJ444P => Pixel::YUV444P,
        _ => return frame,
    };
    frame.set_format(plain);
    frame.set_color_range(ffmpeg_next::color::Range::JPEG);
    frame
}
