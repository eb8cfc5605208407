//! Encode a synthetic moving pattern with each codec, decode it back, compare.

use std::sync::Arc;

use super::*;
use crate::bitstream;
use crate::session::collect::{decode, flush, push};
use crate::video::encoder::FfmpegEncoder;
use crate::{Result, Session};

const W: u32 = 320;
const H: u32 = 240;
const FRAMES: usize = 30;
const FRAME_US: i64 = 33_333;

/// A smooth gradient with a bright square that moves 4 pixels per frame.
fn pattern(index: usize, w: u32, h: u32) -> Vec<u8> {
    let (w, h) = (w as usize, h as usize);
    let mut data = Vec::with_capacity(w * h * 3 / 2);
    for y in 0..h {
        for x in 0..w {
            let boxed = (x + 320 - index * 4) % 320 < 48 && (y + index * 2) % h < 48;
            data.push(if boxed { 220 } else { (32 + (x + y) * 150 / (w + h)) as u8 });
        }
    }
    for plane in 0..2 {
        for y in 0..h.div_ceil(2) {
            for x in 0..w.div_ceil(2) {
                data.push((64 + plane * 64 + (x + y) * 64 / (w / 2 + h / 2)) as u8);
            }
        }
    }
    data
}

fn source(index: usize) -> FrameBuffer {
    FrameBuffer::copy_from(PixelFormat::I420, W, H, &pattern(index, W, H), None, heap).unwrap()
}

/// The pattern with per-frame noise on luma: hard enough to compress that rate control
/// and quantizers make a visible difference.
fn noisy_source(index: usize) -> FrameBuffer {
    let mut data = pattern(index, W, H);
    let mut state = 0x9e37_79b9u32.wrapping_add(index as u32);
    for px in &mut data[..(W * H) as usize] {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        *px = px.saturating_add((state % 48) as u8);
    }
    FrameBuffer::copy_from(PixelFormat::I420, W, H, &data, None, heap).unwrap()
}

fn luma_psnr(decoded: &FrameBuffer, index: usize) -> f64 {
    let expected = pattern(index, W, H);
    let stride = decoded.stride(0);
    let plane = decoded.plane_data(0);
    let mut sum = 0.0;
    for y in 0..H as usize {
        for x in 0..W as usize {
            let d = f64::from(plane[y * stride + x]) - f64::from(expected[y * W as usize + x]);
            sum += d * d;
        }
    }
    let mse = sum / f64::from(W * H);
    if mse == 0.0 {
        99.0
    } else {
        10.0 * (255.0 * 255.0 / mse).log10()
    }
}

/// Encodes the whole of `frame`.
fn encode(
    enc: &mut VideoEncoder,
    frame: FrameBuffer,
    timestamp: i64,
    duration: Option<i64>,
    key_frame: bool,
    quantizer: Option<u32>,
) -> Result<Vec<EncodedPacket>> {
    let rect = Rect::of_size(frame.coded_width, frame.coded_height);
    encode_rect(enc, Arc::new(frame), rect, timestamp, duration, key_frame, quantizer)
}

/// Encodes `rect` of `pixels`.
fn encode_rect(
    enc: &mut VideoEncoder,
    pixels: Arc<FrameBuffer>,
    rect: Rect,
    timestamp: i64,
    duration: Option<i64>,
    key_frame: bool,
    quantizer: Option<u32>,
) -> Result<Vec<EncodedPacket>> {
    push(
        enc,
        VideoFrameInput {
            pixels,
            rect,
            timestamp,
            duration,
            key_frame,
            quantizer,
            orientation: Default::default(),
            color_space: ColorSpace::rec709(),
        },
    )
}

fn encoder(codec: &str, latency: LatencyMode, format: BitstreamFormat) -> VideoEncoder {
    let mut config = VideoEncoderConfig::new(parse_video_codec(codec).unwrap(), W, H);
    config.latency_mode = latency;
    config.format = format;
    config.framerate = Some(30.0);
    VideoEncoder::open(config).unwrap_or_else(|e| panic!("{codec}: {e}"))
}

/// Encodes FRAMES frames, forcing a key frame at frame 15.
fn encode_all(enc: &mut VideoEncoder) -> Vec<EncodedPacket> {
    let mut packets = Vec::new();
    for i in 0..FRAMES {
        let out = encode(enc, source(i), i as i64 * FRAME_US, Some(FRAME_US), i == 15, None).unwrap();
        packets.extend(out);
    }
    packets.extend(flush(enc).unwrap());
    packets
}

fn decode_all(config: &VideoDecoderConfig, packets: &[EncodedPacket]) -> Vec<DecodedFrame> {
    let mut dec = VideoDecoder::open(config.clone()).unwrap_or_else(|e| panic!("{}: {e}", config.codec));
    let mut frames = Vec::new();
    for p in packets {
        frames.extend(decode(&mut dec, &p.data, p.key, p.timestamp_us, p.duration_us).unwrap());
    }
    frames.extend(flush(&mut dec).unwrap());
    frames
}

/// The whole round trip; returns the packets for format-specific checks.
fn round_trip(codec: &str, latency: LatencyMode, format: BitstreamFormat) -> Vec<EncodedPacket> {
    let mut enc = encoder(codec, latency, format);
    let packets = encode_all(&mut enc);
    assert_eq!(packets.len(), FRAMES, "{codec}: one chunk per frame");
    assert!(packets[0].key, "{codec}: starts with a key chunk");
    let forced = packets.iter().find(|p| p.timestamp_us == 15 * FRAME_US).unwrap();
    assert!(forced.key, "{codec}: forced key frame");
    let mut timestamps: Vec<i64> = packets.iter().map(|p| p.timestamp_us).collect();
    timestamps.sort();
    assert_eq!(timestamps, (0..FRAMES as i64).map(|i| i * FRAME_US).collect::<Vec<_>>());
    assert!(packets.iter().all(|p| p.duration_us == Some(FRAME_US)));
    let config = packets[0].decoder_config.clone().unwrap_or_else(|| panic!("{codec}: first chunk has a config"));
    assert_eq!((config.coded_width, config.coded_height), (Some(W), Some(H)));

    let frames = decode_all(&config, &packets);
    assert_eq!(frames.len(), FRAMES, "{codec}: one frame per chunk");
    for (i, frame) in frames.iter().enumerate() {
        assert_eq!(frame.timestamp_us, i as i64 * FRAME_US, "{codec}: presentation order");
        assert_eq!(frame.duration_us, Some(FRAME_US));
        assert_eq!((frame.frame.coded_width, frame.frame.coded_height), (W, H));
        assert_eq!(frame.frame.format, PixelFormat::I420);
        let psnr = luma_psnr(&frame.frame, i);
        assert!(psnr >= 30.0, "{codec}: frame {i} PSNR {psnr:.1} dB");
    }
    packets
}

/// Every chunk parses as 4-byte length-prefixed NAL units with valid headers.
fn assert_length_prefixed(packets: &[EncodedPacket]) {
    for p in packets {
        let nals = bitstream::split_length_prefixed(&p.data, 4).unwrap();
        assert!(!nals.is_empty());
        assert!(nals.iter().all(|n| !n.is_empty() && n[0] & 0x80 == 0), "forbidden_zero_bit");
        assert_eq!(nals.iter().map(|n| n.len() + 4).sum::<usize>(), p.data.len());
    }
}

#[test]
fn h264_avc_format_round_trips() {
    let packets = round_trip("avc1.42001f", LatencyMode::Realtime, BitstreamFormat::LengthPrefixed);
    let config = packets[0].decoder_config.as_ref().unwrap();
    let avcc = bitstream::parse_avcc(config.description.as_ref().unwrap()).unwrap();
    assert_eq!(avcc.length_size, 4);
    assert_eq!(avcc.parameter_sets.len(), 2);
    assert!(config.codec.to_string().starts_with("avc1.42"), "{}", config.codec);
    assert_length_prefixed(&packets);
    // Parameter sets live in the description, not in the chunks.
    for p in &packets {
        for nal in bitstream::split_length_prefixed(&p.data, 4).unwrap() {
            assert!(!matches!(bitstream::NalCodec::H264.kind(nal), bitstream::NalKind::Sps | bitstream::NalKind::Pps));
        }
    }
}

#[test]
fn h264_annexb_in_quality_mode_round_trips_in_presentation_order() {
    let packets = round_trip("avc1.64001f", LatencyMode::Quality, BitstreamFormat::AnnexB);
    assert!(packets[0].decoder_config.as_ref().unwrap().description.is_none());
    assert!(packets.iter().all(|p| bitstream::is_annexb(&p.data)));
    let first = bitstream::split_annexb(&packets[0].data);
    assert!(first.iter().any(|n| bitstream::NalCodec::H264.kind(n) == bitstream::NalKind::Sps));
    // No B-frames in quality mode either: browser-written muxers take each chunk's
    // timestamp as its decoding time.
    let order: Vec<i64> = packets.iter().map(|p| p.timestamp_us).collect();
    assert!(order.windows(2).all(|w| w[1] > w[0]), "{order:?}");
}

#[test]
fn hevc_round_trips() {
    let packets = round_trip("hvc1.1.6.L93.B0", LatencyMode::Realtime, BitstreamFormat::LengthPrefixed);
    let config = packets[0].decoder_config.as_ref().unwrap();
    let hvcc = bitstream::parse_hvcc(config.description.as_ref().unwrap()).unwrap();
    assert_eq!(hvcc.parameter_sets.len(), 3);
    assert!(config.codec.to_string().starts_with("hvc1.1.6.L"), "{}", config.codec);
    assert_length_prefixed(&packets);
    round_trip("hev1.1.6.L93.B0", LatencyMode::Realtime, BitstreamFormat::AnnexB);
}

#[test]
fn vp8_round_trips() {
    let packets = round_trip("vp8", LatencyMode::Realtime, BitstreamFormat::LengthPrefixed);
    assert_eq!(packets[0].decoder_config.as_ref().unwrap().description, None);
}

#[test]
fn vp9_round_trips() {
    round_trip("vp09.00.10.08", LatencyMode::Realtime, BitstreamFormat::LengthPrefixed);
}

#[test]
fn av1_round_trips() {
    round_trip("av01.0.04M.08", LatencyMode::Realtime, BitstreamFormat::LengthPrefixed);
}

fn config(codec: &str) -> VideoEncoderConfig {
    let mut config = VideoEncoderConfig::new(parse_video_codec(codec).unwrap(), W, H);
    config.latency_mode = LatencyMode::Realtime;
    config
}

/// The visible luma rows of a decoded frame, without the padding past each row.
fn luma_rows(frame: &FrameBuffer) -> Vec<u8> {
    let (stride, plane) = (frame.stride(0), frame.plane_data(0));
    (0..H as usize).flat_map(|y| &plane[y * stride..y * stride + W as usize]).copied().collect()
}

#[test]
fn temporal_layers_follow_the_scalability_mode() {
    for codec in ["vp8", "vp09.00.10.08", "av01.0.04M.08"] {
        for (mode, pattern) in [("L1T2", vec![0, 1]), ("L1T3", vec![0, 2, 1, 2])] {
            let mut cfg = config(codec);
            cfg.scalability_mode = Some(mode.to_owned());
            cfg.bitrate = Some(1_000_000);
            let mut enc = VideoEncoder::open(cfg).unwrap_or_else(|e| panic!("{codec} {mode}: {e}"));
            let mut packets = Vec::new();
            // A key frame asked for at frame 5 starts the pattern again, in the base layer.
            for i in 0..12 {
                packets.extend(encode(&mut enc, noisy_source(i), i as i64 * FRAME_US, None, i == 5, None).unwrap());
            }
            packets.extend(flush(&mut enc).unwrap());
            let ids: Vec<u32> = packets.iter().map(|p| p.temporal_layer_id.unwrap()).collect();
            let place = |i: usize| if i < 5 { i } else { i - 5 };
            let expected: Vec<u32> = (0..12).map(|i| pattern[place(i) % pattern.len()]).collect();
            assert_eq!(ids, expected, "{codec} {mode}");
            assert!(packets[5].key, "{codec} {mode}");
            // Each layer with those below it decodes alone, to the very pictures the whole
            // stream decodes to: nothing in it depends on a frame of a higher layer.
            let config = packets[0].decoder_config.clone().unwrap();
            let whole: Vec<Vec<u8>> = decode_all(&config, &packets).iter().map(|f| luma_rows(&f.frame)).collect();
            assert_eq!(whole.len(), packets.len(), "{codec} {mode}");
            for top in 0..*pattern.iter().max().unwrap() {
                let (kept, layers): (Vec<usize>, Vec<EncodedPacket>) = packets
                    .iter()
                    .enumerate()
                    .filter(|(_, p)| p.temporal_layer_id <= Some(top))
                    .map(|(i, p)| (i, p.clone()))
                    .unzip();
                let alone: Vec<Vec<u8>> = decode_all(&config, &layers).iter().map(|f| luma_rows(&f.frame)).collect();
                assert_eq!(alone.len(), kept.len(), "{codec} {mode} up to layer {top}");
                for (frame, &i) in alone.iter().zip(&kept) {
                    assert!(*frame == whole[i], "{codec} {mode} up to layer {top}: frame {i} differs");
                }
            }
        }
    }
    let mut cfg = config("avc1.42001f");
    cfg.scalability_mode = Some("L1T2".to_owned());
    assert_eq!(VideoEncoder::open(cfg).err().unwrap().name(), "NotSupportedError");
    let mut cfg = config("vp8");
    cfg.scalability_mode = Some("L2T2".to_owned());
    assert_eq!(VideoEncoder::open(cfg).err().unwrap().name(), "NotSupportedError");
}

#[test]
fn bitrate_modes_are_honoured() {
    for codec in ["avc1.4d001f", "vp8", "vp09.00.10.08"] {
        let mut low = config(codec);
        low.bitrate = Some(100_000);
        low.bitrate_mode = BitrateMode::Constant;
        let mut high = low.clone();
        high.bitrate = Some(2_000_000);
        let size = |cfg: VideoEncoderConfig| {
            let mut enc = VideoEncoder::open(cfg).unwrap();
            let mut bytes = 0;
            for i in 0..10 {
                let out = encode(&mut enc, noisy_source(i), i as i64 * FRAME_US, None, false, None).unwrap();
                bytes += out.iter().map(|p| p.data.len()).sum::<usize>();
            }
            bytes + flush(&mut enc).unwrap().iter().map(|p| p.data.len()).sum::<usize>()
        };
        let (low, high) = (size(low), size(high));
        assert!(high > low * 3, "{codec}: {high} bytes at 2 Mb/s vs {low} at 100 kb/s");
    }
}

#[test]
fn quantizer_mode_uses_the_frame_quantizer() {
    // VP8 (no per-frame quantizer in its registration) reopens for the first frame's;
    // AV1's quantizers are indices, four to a step of libaom's.
    for (codec, scale) in [("avc1.42001f", 1), ("vp8", 1), ("av01.0.04M.08", 4)] {
        let size = |q: u32| {
            let mut cfg = config(codec);
            cfg.bitrate_mode = BitrateMode::Quantizer;
            let mut enc = VideoEncoder::open(cfg).unwrap();
            let mut bytes = 0;
            for i in 0..5 {
                let out = encode(&mut enc, noisy_source(i), i as i64 * FRAME_US, None, false, Some(q)).unwrap();
                bytes += out.iter().map(|p| p.data.len()).sum::<usize>();
            }
            bytes + flush(&mut enc).unwrap().iter().map(|p| p.data.len()).sum::<usize>()
        };
        let (fine, coarse) = (size(10 * scale), size(50 * scale));
        assert!(fine > coarse * 2, "{codec}: fine {fine} bytes, coarse {coarse} bytes");
    }
}

#[test]
fn a_quantizer_reaches_the_frame_it_comes_with() {
    // Realtime: chunk i is frame i. Fine and coarse frames alternate, and so do their
    // sizes; the last two are key frames asked for, at their own quantizers too. The
    // steps are the registrations' scales: 0-51 (H.264, HEVC), the index 0-255 (VP9, AV1).
    for (codec, scale) in [("vp09.00.10.08", 4), ("avc1.42001f", 1), ("hvc1.1.6.L93.B0", 1), ("av01.0.04M.08", 4)] {
        let quantizers = [20, 20, 4, 50, 4, 50, 4, 50].map(|q| q * scale);
        let mut cfg = config(codec);
        cfg.bitrate_mode = BitrateMode::Quantizer;
        let mut enc = VideoEncoder::open(cfg).unwrap();
        let mut sizes = Vec::new();
        for (i, q) in quantizers.into_iter().enumerate() {
            let out = encode(&mut enc, noisy_source(i), i as i64 * FRAME_US, None, i >= 6, Some(q)).unwrap();
            assert_eq!(out.len(), 1, "{codec} frame {i}");
            assert_eq!(out[0].key, i == 0 || i >= 6, "{codec} frame {i}");
            sizes.push(out[0].data.len());
        }
        for i in (2..quantizers.len()).step_by(2) {
            assert!(
                sizes[i] > 3 * sizes[i + 1],
                "{codec}: fine frame {i} against the coarse frame after it: {sizes:?}"
            );
            // Against the middle delta frame: each frame's own quantizer, not its neighbour's.
            assert!(2 * sizes[i] > 3 * sizes[1] && 3 * sizes[i + 1] < sizes[1], "{codec}: {sizes:?}");
        }
    }
}

#[test]
fn vp9_and_av1_quantizers_are_quantizer_indices() {
    // libvpx's and libaom's 0-63 steps reach indices 0, 4, ... 244, 249, 255.
    for (index, step) in
        [(0, 0), (1, 1), (4, 1), (5, 2), (128, 32), (244, 61), (245, 62), (249, 62), (250, 63), (255, 63), (999, 63)]
    {
        assert_eq!(FfmpegEncoder::Vp9.library_quantizer(index), step, "index {index}");
        assert_eq!(FfmpegEncoder::Aom.library_quantizer(index), step, "index {index}");
    }
    assert_eq!(FfmpegEncoder::X264.library_quantizer(60), 51);
}

#[test]
fn rgba_frames_of_another_size_are_converted() {
    let mut enc = VideoEncoder::open(config("vp8")).unwrap();
    let (w, h) = (160, 120);
    let rgba: Vec<u8> = (0..w * h).flat_map(|i| [(i % 256) as u8, 128, 64, 255]).collect();
    let frame = FrameBuffer::copy_from(PixelFormat::RGBA, w, h, &rgba, None, heap).unwrap();
    let mut packets = encode(&mut enc, frame, 0, None, false, None).unwrap();
    packets.extend(flush(&mut enc).unwrap());
    assert_eq!(packets.len(), 1);
    let frames = decode_all(packets[0].decoder_config.as_ref().unwrap(), &packets);
    assert_eq!((frames[0].frame.coded_width, frames[0].frame.coded_height), (W, H));
    // A cropped I420 source works too, and so does encoding again after a flush.
    let rect = Rect { x: 16, y: 16, width: 160, height: 120 };
    let out = encode_rect(&mut enc, Arc::new(source(0)), rect, 1, None, false, None).unwrap();
    let mut after = out;
    after.extend(flush(&mut enc).unwrap());
    assert_eq!(after.len(), 1);
    assert!(after[0].key, "the first chunk after flush is a key chunk");
    assert!(after[0].decoder_config.is_none(), "unchanged config is not repeated");
    let outside = Rect { x: 300, y: 0, width: 40, height: 10 };
    assert_eq!(
        encode_rect(&mut enc, Arc::new(source(0)), outside, 2, None, false, None).err().unwrap().name(),
        "TypeError"
    );
}

#[test]
fn unsupported_configs_are_not_supported() {
    let mut cfg = config("vp8");
    cfg.hardware_acceleration = HardwareAcceleration::PreferHardware;
    assert_eq!(VideoEncoder::open(cfg).err().unwrap().name(), "NotSupportedError");
    // Extended profile: no encoder for it.
    assert_eq!(VideoEncoder::open(config("avc1.58001f")).err().unwrap().name(), "NotSupportedError");
    let mut dec = VideoDecoderConfig::new(parse_video_codec("avc1.42001f").unwrap());
    dec.description = Some(vec![1, 2, 3]);
    assert_eq!(VideoDecoder::open(dec.clone()).err().unwrap().name(), "NotSupportedError");
    dec.description = None;
    dec.hardware_acceleration = HardwareAcceleration::PreferHardware;
    assert_eq!(VideoDecoder::open(dec.clone()).err().unwrap().name(), "NotSupportedError");
}

/// Decodes `chunks` and flushes; the first error, if any.
fn decode_error(config: &VideoDecoderConfig, chunks: &[(Vec<u8>, bool)]) -> Option<crate::EngineError> {
    let mut dec = VideoDecoder::open(config.clone()).unwrap();
    for (i, (data, key)) in chunks.iter().enumerate() {
        if let Err(e) = decode(&mut dec, data, *key, i as i64, None) {
            return Some(e);
        }
    }
    flush(&mut dec).err()
}

#[test]
fn garbage_and_delta_only_input_never_panics() {
    let mut enc = VideoEncoder::open(config("avc1.42001f")).unwrap();
    let packets = encode_all(&mut enc);
    let avc = packets[0].decoder_config.clone().unwrap();
    // A truncated length prefix is an EncodingError before FFmpeg sees it.
    let truncated = vec![(vec![0, 0, 0, 200, 0x65, 1, 2], true)];
    assert_eq!(decode_error(&avc, &truncated).unwrap().name(), "EncodingError");
    let garbage: Vec<(Vec<u8>, bool)> = (0..5u8).map(|i| ((0..200).map(|j| j ^ i).collect(), true)).collect();
    for codec in ["avc1.42001f", "hvc1.1.6.L93.B0", "vp8", "vp09.00.10.08", "av01.0.04M.08"] {
        let config = VideoDecoderConfig::new(parse_video_codec(codec).unwrap());
        if let Some(e) = decode_error(&config, &garbage) {
            assert_eq!(e.name(), "EncodingError", "{codec}");
        }
    }
    // Delta chunks without their key chunk: errors or no frames, never a panic.
    let deltas: Vec<(Vec<u8>, bool)> = packets[1..5].iter().map(|p| (p.data.clone(), false)).collect();
    if let Some(e) = decode_error(&avc, &deltas) {
        assert_eq!(e.name(), "EncodingError");
    }
    assert_eq!(decode_error(&avc, &[(Vec::new(), true)]).unwrap().name(), "EncodingError");
}

/// Runs `f` on a thread and fails if it does not return within `secs`.
fn within(secs: u64, what: &str, f: impl FnOnce() + Send + 'static) {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        f();
        let _ = tx.send(());
    });
    assert!(rx.recv_timeout(std::time::Duration::from_secs(secs)).is_ok(), "{what} did not return");
}

#[test]
fn encoders_drop_promptly_unused_or_mid_stream() {
    for codec in ["avc1.42001f", "hvc1.1.6.L93.B0", "vp8", "vp09.00.10.08", "av01.0.04M.08"] {
        within(20, &format!("dropping an unused {codec} encoder"), move || {
            drop(encoder(codec, LatencyMode::Quality, BitstreamFormat::AnnexB))
        });
        within(20, &format!("dropping a {codec} encoder mid-stream"), move || {
            let mut enc = encoder(codec, LatencyMode::Quality, BitstreamFormat::AnnexB);
            for i in 0..5 {
                encode(&mut enc, source(i), i as i64 * FRAME_US, Some(FRAME_US), i == 0, None).unwrap();
            }
            drop(enc);
        });
    }
}

#[test]
fn frames_in_the_encoders_format_are_read_in_place_and_released() {
    for codec in ["avc1.42001f", "vp8", "av01.0.04M.08"] {
        let mut enc = encoder(codec, LatencyMode::Quality, BitstreamFormat::AnnexB);
        let frames: Vec<std::sync::Arc<FrameBuffer>> = (0..FRAMES).map(|i| std::sync::Arc::new(source(i))).collect();
        let mut packets = Vec::new();
        for (i, frame) in frames.iter().enumerate() {
            let rect = Rect::of_size(W, H);
            packets.extend(
                encode_rect(&mut enc, frame.clone(), rect, i as i64 * FRAME_US, Some(FRAME_US), i == 0, None).unwrap(),
            );
        }
        packets.extend(flush(&mut enc).unwrap());
        drop(enc);
        // FFmpeg released every plane buffer it was lent.
        assert!(frames.iter().all(|f| std::sync::Arc::strong_count(f) == 1), "{codec}");
        let config = VideoDecoderConfig::new(parse_video_codec(codec).unwrap());
        let decoded = decode_all(&config, &packets);
        assert_eq!(decoded.len(), FRAMES, "{codec}");
        for (i, frame) in decoded.iter().enumerate() {
            assert!(luma_psnr(&frame.frame, i) >= 30.0, "{codec} frame {i}");
        }
    }
}
