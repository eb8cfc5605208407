//! The sessions as a binding drives them, from outside the crate: opened through the
//! `Session` trait, fed shared inputs (buffers the caller owns), outputs taken by a sink.

use std::sync::Arc;

use engine::audio::{parse_audio_codec, AudioBuffer, AudioDecoder, AudioEncoder, AudioEncoderConfig, AudioInput};
use engine::video::{
    heap, parse_video_codec, ColorSpace, FrameBuffer, Orientation, PixelFormat, Rect, VideoDecoder, VideoEncoder,
    VideoEncoderConfig, VideoFrameInput,
};
use engine::{EncodedInput, Session};

/// Bytes owned elsewhere, as a binding's JavaScript buffers are.
struct Lent(Vec<u8>);

impl AsRef<[u8]> for Lent {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

/// A pixel holder of the caller's own, as a binding's frame is.
struct Frame(FrameBuffer);

impl AsRef<FrameBuffer> for Frame {
    fn as_ref(&self) -> &FrameBuffer {
        &self.0
    }
}

fn run<S: Session>(session: &mut S, inputs: Vec<S::Input>) -> Vec<S::Output> {
    let mut out = Vec::new();
    for input in inputs {
        session.push(input, &mut |o| out.push(o)).unwrap();
    }
    session.flush(&mut |o| out.push(o)).unwrap();
    out
}

#[test]
fn video_frames_encode_and_decode_through_the_trait() {
    let (w, h) = (64, 48);
    let config = VideoEncoderConfig::new(parse_video_codec("vp8").unwrap(), w, h);
    let mut encoder = VideoEncoder::open(config).unwrap();
    let frames = (0..3)
        .map(|i| {
            let data = vec![16 + i as u8 * 40; (w * h * 3 / 2) as usize];
            let pixels = FrameBuffer::copy_from(PixelFormat::I420, w, h, &data, None, heap).unwrap();
            VideoFrameInput {
                pixels: Arc::new(Frame(pixels)),
                rect: Rect::of_size(w, h),
                timestamp: i * 1000,
                duration: Some(1000),
                key_frame: i == 0,
                quantizer: None,
                orientation: Orientation { rotation: 90, flip: true },
                color_space: ColorSpace::rec709(),
            }
        })
        .collect();
    let packets = run(&mut encoder, frames);
    assert_eq!(packets.len(), 3);
    let config = packets[0].decoder_config.clone().unwrap();
    // The frames' orientation travels in the decoder config, and from it to every frame.
    assert_eq!(config.orientation, Orientation { rotation: 90, flip: true });
    let mut decoder = VideoDecoder::open(config).unwrap();
    let chunks = packets
        .into_iter()
        .map(|p| EncodedInput {
            data: Arc::new(Lent(p.data)),
            key: p.key,
            timestamp: p.timestamp_us,
            duration: p.duration_us,
        })
        .collect();
    let decoded = run(&mut decoder, chunks);
    let timestamps: Vec<i64> = decoded.iter().map(|f| f.timestamp_us).collect();
    assert_eq!(timestamps, [0, 1000, 2000]);
    assert!(decoded.iter().all(|f| f.orientation == Orientation { rotation: 90, flip: true }));
    assert_eq!((decoded[0].display_width, decoded[0].display_height), (h, w));
}

#[test]
fn audio_encodes_and_decodes_through_the_trait() {
    let config = AudioEncoderConfig::new(parse_audio_codec("pcm-s16").unwrap(), 48_000, 1);
    let mut encoder = AudioEncoder::open(config).unwrap();
    let samples = AudioBuffer::new(engine::audio::SampleFormat::S16, 48_000.0, 480, 1, Box::new(vec![0u8; 960]));
    let input = AudioInput { samples: Arc::new(samples.unwrap()), timestamp: 0 };
    let packets = run(&mut encoder, vec![input]);
    let config = packets[0].decoder_config.clone().unwrap();
    let mut decoder = AudioDecoder::open(config).unwrap();
    let chunks = packets
        .into_iter()
        .map(|p| EncodedInput {
            data: Arc::new(Lent(p.data)),
            key: true,
            timestamp: p.timestamp_us,
            duration: Some(p.duration_us),
        })
        .collect();
    let decoded = run(&mut decoder, chunks);
    assert_eq!(decoded.iter().map(|d| d.buffer.number_of_frames).sum::<usize>(), 480);
}
