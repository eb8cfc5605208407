//! `VideoDecoder` (https://w3c.github.io/webcodecs/#videodecoder-interface): chunks in,
//! `VideoFrame`s out in presentation order, over the shared `CodecQueue`.

use engine::video::{DecodedFrame, VideoDecoder as DecoderSession};
use napi::bindgen_prelude::JavaScriptClassExt;
use napi::sys::napi_value;
use napi::{Env, JsValue};
use napi_derive::napi;

use crate::codec::class::codec_class;
use crate::dict::video::{self, VideoDecoderConfig, VideoDecoderSupport};
use crate::encoded_chunk::EncodedVideoChunk;
use crate::video_frame::{FrameState, Pixels, VideoFrame};

codec_class! {
    /// Decodes EncodedVideoChunks with FFmpeg (h264, hevc, vp8, vp9, dav1d/libaom).
    VideoDecoder(DecoderSession, Outputs, VIDEO_DECODERS, "VideoDecoderInit", decode_queue_size),
    configure(VideoDecoderConfig = "VideoDecoderConfig", video::decoder_config),
    support(VideoDecoderSupport = "Promise<VideoDecoderSupport>"), decode(EncodedVideoChunk = "EncodedVideoChunk")
}

impl VideoDecoder {
    /// The `output` callback's argument: the frame, its pixels reported to V8.
    fn output(env: &Env, decoded: DecodedFrame) -> napi::Result<Vec<napi_value>> {
        let display = (decoded.display_width, decoded.display_height);
        let bytes = decoded.frame.byte_size();
        let pixels = Pixels::native(env, decoded.frame, bytes);
        let mut state = FrameState::new(pixels, decoded.visible_rect, display, decoded.color_space);
        state.orientation = decoded.orientation;
        let frame = VideoFrame::from_state(state, decoded.timestamp_us, decoded.duration_us);
        Ok(vec![frame.into_instance(env)?.value])
    }
}
