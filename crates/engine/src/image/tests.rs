//! The image session over small files built here with the `gif` and `png` encoders:
//! compositing, disposal, timestamps, loop counts, streaming and bad data.

use super::*;
use crate::video::PixelFormat;

const RED: [u8; 4] = [255, 0, 0, 255];
const GREEN: [u8; 4] = [0, 255, 0, 255];

/// A 2x1 GIF: frame 1 paints both pixels red (disposed per `dispose`), frame 2 paints
/// only the right pixel green. Delays 10 and 20 centiseconds; `repeat` loops.
fn gif(dispose: ::gif::DisposalMethod, repeat: Option<::gif::Repeat>) -> Vec<u8> {
    let palette = [255, 0, 0, 0, 255, 0];
    let mut out = Vec::new();
    {
        let mut encoder = ::gif::Encoder::new(&mut out, 2, 1, &palette).unwrap();
        if let Some(repeat) = repeat {
            encoder.set_repeat(repeat).unwrap();
        }
        let mut first = ::gif::Frame { width: 2, height: 1, delay: 10, dispose, ..Default::default() };
        first.buffer = vec![0, 0].into();
        encoder.write_frame(&first).unwrap();
        let mut second = ::gif::Frame { left: 1, width: 1, height: 1, delay: 20, ..Default::default() };
        second.buffer = vec![1].into();
        encoder.write_frame(&second).unwrap();
    }
    out
}

fn session(kind: ImageKind, data: &[u8]) -> ImageSession {
    let mut session = ImageSession::new(kind, None).unwrap();
    session.append(data.to_vec());
    session.finish();
    session
}

fn rgba(image: &DecodedImage) -> Vec<u8> {
    assert_eq!(image.frame.format, PixelFormat::RGBA);
    let (w, h) = (image.frame.coded_width as usize, image.frame.coded_height as usize);
    let stride = image.frame.stride(0);
    let plane = image.frame.plane_data(0);
    (0..h).flat_map(|y| plane[y * stride..y * stride + w * 4].to_vec()).collect()
}

#[test]
fn gif_frames_are_composited_with_timestamps_from_the_delays() {
    let mut s = session(ImageKind::Gif, &gif(::gif::DisposalMethod::Keep, Some(::gif::Repeat::Infinite)));
    let track = s.track().unwrap().unwrap();
    assert_eq!(track, TrackInfo { animated: true, frame_count: 2, repetition_count: f64::INFINITY });
    let first = s.decode(0).unwrap().unwrap();
    assert_eq!((first.timestamp_us, first.duration_us), (0, Some(100_000)));
    assert_eq!(rgba(&first), [RED, RED].concat());
    let second = s.decode(1).unwrap().unwrap();
    assert_eq!((second.timestamp_us, second.duration_us), (100_000, Some(200_000)));
    assert_eq!(rgba(&second), [RED, GREEN].concat());
}

#[test]
fn gif_background_disposal_clears_to_transparent() {
    let mut s = session(ImageKind::Gif, &gif(::gif::DisposalMethod::Background, None));
    assert_eq!(s.track().unwrap().unwrap().repetition_count, 0.0);
    assert_eq!(rgba(&s.decode(1).unwrap().unwrap()), [[0, 0, 0, 0], GREEN].concat());
}

#[test]
fn gif_finite_loop_count_is_the_repetition_count() {
    let mut s = session(ImageKind::Gif, &gif(::gif::DisposalMethod::Keep, Some(::gif::Repeat::Finite(3))));
    assert_eq!(s.track().unwrap().unwrap().repetition_count, 3.0);
}

#[test]
fn asking_for_an_earlier_frame_starts_over() {
    let mut s = session(ImageKind::Gif, &gif(::gif::DisposalMethod::Keep, None));
    s.decode(1).unwrap().unwrap();
    let first = s.decode(0).unwrap().unwrap();
    assert_eq!((first.timestamp_us, rgba(&first)), (0, [RED, RED].concat()));
}

#[test]
fn a_frame_index_past_the_end_is_a_range_error() {
    let mut s = session(ImageKind::Gif, &gif(::gif::DisposalMethod::Keep, None));
    assert_eq!(s.decode(2).err().map(|e| e.name()), Some("RangeError"));
}

#[test]
fn streamed_bytes_give_frames_as_they_arrive() {
    let data = gif(::gif::DisposalMethod::Keep, None);
    let mut s = ImageSession::new(ImageKind::Gif, None).unwrap();
    s.append(data[..6].to_vec());
    assert!(s.track().unwrap().is_none());
    s.append(data[6..data.len() - 4].to_vec());
    assert!(s.decode(0).unwrap().is_some());
    assert!(s.decode(1).unwrap().is_none());
    s.append(data[data.len() - 4..].to_vec());
    s.finish();
    assert_eq!(s.decode(1).unwrap().unwrap().timestamp_us, 100_000);
    assert_eq!(s.track().unwrap().unwrap().frame_count, 2);
}

#[test]
fn corrupt_complete_data_is_an_encoding_error() {
    for kind in [ImageKind::Gif, ImageKind::Png, ImageKind::Webp, ImageKind::Jpeg, ImageKind::Bmp] {
        let mut s = session(kind, b"not an image at all");
        assert_eq!(s.decode(0).err().map(|e| e.name()), Some("EncodingError"), "{kind:?}");
    }
}

/// A 2x1 APNG of two frames: a red full frame (disposed per `dispose`), then a green
/// right pixel blended over; delays 1/10 s and 3/100 s; played `plays` times.
fn apng(dispose: ::png::DisposeOp, plays: u32) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut encoder = ::png::Encoder::new(&mut out, 2, 1);
        encoder.set_color(::png::ColorType::Rgba);
        encoder.set_animated(2, plays).unwrap();
        let mut writer = encoder.write_header().unwrap();
        writer.set_frame_delay(1, 10).unwrap();
        writer.set_dispose_op(dispose).unwrap();
        writer.write_image_data(&[RED, RED].concat()).unwrap();
        writer.set_frame_delay(3, 100).unwrap();
        writer.set_dispose_op(::png::DisposeOp::None).unwrap();
        writer.set_blend_op(::png::BlendOp::Over).unwrap();
        writer.set_frame_dimension(1, 1).unwrap();
        writer.set_frame_position(1, 0).unwrap();
        writer.write_image_data(&GREEN).unwrap();
        writer.finish().unwrap();
    }
    out
}

#[test]
fn apng_frames_are_composited_with_their_delays() {
    let mut s = session(ImageKind::Png, &apng(::png::DisposeOp::None, 0));
    let track = s.track().unwrap().unwrap();
    assert_eq!(track, TrackInfo { animated: true, frame_count: 2, repetition_count: f64::INFINITY });
    let second = s.decode(1).unwrap().unwrap();
    assert_eq!((second.timestamp_us, second.duration_us), (100_000, Some(30_000)));
    assert_eq!(rgba(&second), [RED, GREEN].concat());
}

#[test]
fn apng_background_disposal_and_play_count() {
    let mut s = session(ImageKind::Png, &apng(::png::DisposeOp::Background, 2));
    assert_eq!(s.track().unwrap().unwrap().repetition_count, 1.0);
    assert_eq!(rgba(&s.decode(1).unwrap().unwrap()), [[0, 0, 0, 0], GREEN].concat());
}

#[test]
fn still_png_is_one_frame_without_duration() {
    let mut out = Vec::new();
    {
        let mut encoder = ::png::Encoder::new(&mut out, 1, 1);
        encoder.set_color(::png::ColorType::Rgb);
        encoder.write_header().unwrap().write_image_data(&[1, 2, 3]).unwrap();
    }
    let mut s = session(ImageKind::Png, &out);
    assert_eq!(s.track().unwrap().unwrap(), TrackInfo::still());
    let image = s.decode(0).unwrap().unwrap();
    assert_eq!((image.timestamp_us, image.duration_us), (0, None));
    assert_eq!(rgba(&image), [1, 2, 3, 255]);
    assert_eq!(image.color_space, ColorSpace::srgb());
}

#[test]
fn desired_size_scales_the_frame() {
    let data = gif(::gif::DisposalMethod::Keep, None);
    let mut s = ImageSession::new(ImageKind::Gif, Some((4, 2))).unwrap();
    s.append(data.clone());
    s.finish();
    let image = s.decode(0).unwrap().unwrap();
    assert_eq!((image.frame.coded_width, image.frame.coded_height), (4, 2));
}

#[test]
fn mime_types_name_their_formats() {
    assert_eq!(ImageKind::from_mime("Image/PNG"), Some(ImageKind::Png));
    assert_eq!(ImageKind::from_mime("image/jpeg; charset=x"), Some(ImageKind::Jpeg));
    assert_eq!(ImageKind::from_mime("image/tiff"), None);
    assert!(is_type_supported("image/gif"));
    assert!(!is_type_supported("video/mp4"));
}

/// An AVIF the ffmpeg CLI (which setup installs) encodes from its test pattern.
fn avif() -> Vec<u8> {
    let path = std::env::temp_dir().join(format!("engine-image-test-{}.avif", std::process::id()));
    let status = std::process::Command::new("ffmpeg")
        .args(["-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=64x48"])
        .args(["-frames:v", "1", "-c:v", "libaom-av1", "-still-picture", "1", "-cpu-used", "8"])
        .arg(&path)
        .status()
        .expect("the ffmpeg CLI runs");
    assert!(status.success());
    let data = std::fs::read(&path).unwrap();
    std::fs::remove_file(&path).unwrap();
    data
}

#[test]
fn avif_decodes_through_the_in_memory_demuxer_and_cut_files_fail_cleanly() {
    let data = avif();
    let mut s = session(ImageKind::Avif, &data);
    assert_eq!(s.track().unwrap().unwrap(), TrackInfo::still());
    let image = s.decode(0).unwrap().unwrap();
    assert_eq!((image.frame.format, image.frame.coded_width, image.frame.coded_height), (PixelFormat::I420, 64, 48));
    for cut in [0, 8, 40, data.len() / 2, data.len() - 1] {
        let mut s = session(ImageKind::Avif, &data[..cut]);
        assert!(s.decode(0).is_err(), "cut at {cut}");
    }
}
