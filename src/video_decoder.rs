//! `VideoDecoder` (https://w3c.github.io/webcodecs/#videodecoder-interface): chunks in,
//! `VideoFrame`s out in presentation order, over the shared `CodecQueue`.

use std::sync::atomic::AtomicI64;

use engine::video::{DecodedFrame, VideoDecoder as DecoderSession, VideoDecoderConfig as EngineConfig};
use engine::EngineError;
use napi::bindgen_prelude::{ClassInstance, JavaScriptClassExt, This};
use napi::sys::napi_value;
use napi::{Env, JsValue};
use napi_derive::napi;

use crate::codec_class::codec_class_common;
use crate::codec_options::{self, VideoDecoderConfig, VideoDecoderSupport};
use crate::codec_queue::{Codec, CodecQueue, Gate};
use crate::counters::VIDEO_DECODERS;
use crate::encoded_chunk::{ChunkData, ChunkType, EncodedVideoChunk};
use crate::error::OrThrow;
use crate::js::{self, JsHandle};
use crate::video_frame::{FrameState, Pixels, VideoFrame};

struct VideoDecoding;

impl Codec for VideoDecoding {
    type Config = EngineConfig;
    type Input = ChunkData;
    type Output = DecodedFrame;
    type Session = DecoderSession;

    const NAME: &'static str = "VideoDecoder";
    const GATE: Gate = Gate::Outputs;

    fn counter() -> &'static AtomicI64 {
        &VIDEO_DECODERS
    }

    fn open(config: EngineConfig) -> Result<DecoderSession, EngineError> {
        DecoderSession::new(&config)
    }

    fn process(
        session: &mut DecoderSession,
        chunk: ChunkData,
        emit: &mut dyn FnMut(DecodedFrame),
    ) -> Result<(), EngineError> {
        let frames = session.decode(chunk.bytes(), chunk.kind == ChunkType::Key, chunk.timestamp, chunk.duration)?;
        frames.into_iter().for_each(emit);
        Ok(())
    }

    fn flush(session: &mut DecoderSession, emit: &mut dyn FnMut(DecodedFrame)) -> Result<(), EngineError> {
        session.flush()?.into_iter().for_each(emit);
        Ok(())
    }

    fn to_js(env: &Env, decoded: DecodedFrame) -> napi::Result<Vec<napi_value>> {
        let display = (decoded.display_width, decoded.display_height);
        let pixels = Pixels::native(env, decoded.frame);
        let state = FrameState::new(pixels, decoded.visible_rect, display, decoded.color_space);
        let frame = VideoFrame::from_state(state, decoded.timestamp_us, decoded.duration_us);
        Ok(vec![frame.into_instance(env)?.value])
    }
}

/// Decodes EncodedVideoChunks with FFmpeg (h264, hevc, vp8, vp9, dav1d/libaom).
#[napi]
pub struct VideoDecoder {
    queue: CodecQueue<VideoDecoding>,
}

codec_class_common!(VideoDecoder, decode_queue_size);

#[napi]
impl VideoDecoder {
    #[napi(constructor)]
    pub fn new(env: Env, this: This, #[napi(ts_arg_type = "VideoDecoderInit")] init: JsHandle) -> napi::Result<Self> {
        let queue = CodecQueue::new(&env, this.object.raw(), init.0).or_throw(&env)?;
        Ok(Self { queue })
    }

    /// Configures the decoder. An invalid config throws TypeError; an unsupported one
    /// closes the decoder with NotSupportedError on the error callback.
    #[napi]
    pub fn configure(
        &mut self,
        env: Env,
        #[napi(ts_arg_type = "VideoDecoderConfig")] config: JsHandle,
    ) -> napi::Result<()> {
        let config: VideoDecoderConfig = js::dict(&env, config.0)?;
        let parsed = codec_options::decoder_config(&env, &config).or_throw(&env)?;
        self.queue.configure_parsed(&env, parsed).or_throw(&env)
    }

    /// Queues `chunk` for decoding. The first chunk after configure or flush must be a key chunk.
    #[napi]
    pub fn decode(&self, env: Env, chunk: ClassInstance<EncodedVideoChunk>) -> napi::Result<()> {
        self.queue.check_decodable(chunk.chunk.kind == ChunkType::Key).or_throw(&env)?;
        self.queue.enqueue(&env, chunk.chunk.clone(), None).or_throw(&env)
    }

    /// Whether this build of FFmpeg can decode `config`.
    #[napi(ts_args_type = "config: VideoDecoderConfig", ts_return_type = "Promise<VideoDecoderSupport>")]
    pub fn is_config_supported(env: Env, config: JsHandle) -> napi::Result<napi_value> {
        let support = js::dict_value::<VideoDecoderConfig>(&env, config.0).and_then(|config| {
            let supported =
                codec_options::decoder_config(&env, &config)?.and_then(|engine| DecoderSession::new(&engine)).is_ok();
            let config =
                codec_options::clone_decoder_config(&env, &config).map_err(|e| EngineError::type_error(e.reason))?;
            Ok(VideoDecoderSupport { supported, config })
        });
        codec_options::support_promise(&env, support)
    }
}
