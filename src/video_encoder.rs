//! `VideoEncoder` (https://w3c.github.io/webcodecs/#videoencoder-interface): frames in,
//! `EncodedVideoChunk`s and their metadata out, over the shared `CodecQueue`.

use std::sync::atomic::AtomicI64;
use std::sync::Arc;

use engine::pixel::Rect;
use engine::video::{EncodedPacket, VideoEncoder as EncoderSession, VideoEncoderConfig as EngineConfig};
use engine::EngineError;
use napi::bindgen_prelude::{ClassInstance, JavaScriptClassExt, This};
use napi::sys::napi_value;
use napi::{Env, JsValue};
use napi_derive::napi;

use crate::codec_class::codec_class_common;
use crate::codec_options::{
    self, EncodedVideoChunkMetadata, SvcOutputMetadata, VideoEncoderConfig, VideoEncoderEncodeOptions,
    VideoEncoderSupport,
};
use crate::codec_queue::{Codec, CodecQueue, Gate};
use crate::counters::VIDEO_ENCODERS;
use crate::encoded_chunk::{ChunkBytes, ChunkData, ChunkType, EncodedVideoChunk};
use crate::error::OrThrow;
use crate::js::{self, JsHandle};
use crate::video_frame::{Pixels, VideoFrame};

/// A frame's pixels on their way through the encoder, kept alive for as long as the
/// worker or FFmpeg (which reads frames in the encoder's format in place) uses them.
struct EncodeSource {
    pixels: Arc<Pixels>,
    /// Keeps a frame's ArrayBuffer alive too (see `anchor`).
    _hold: Option<crate::anchor::Hold>,
}

/// One `encode()` call on its way to the worker: the frame's pixels (shared, not
/// copied) and what to do with them.
pub struct EncodeRequest {
    source: Arc<EncodeSource>,
    rect: Rect,
    timestamp: i64,
    duration: Option<i64>,
    key_frame: bool,
    quantizer: Option<u32>,
}

struct VideoEncoding;

impl Codec for VideoEncoding {
    type Config = EngineConfig;
    type Input = EncodeRequest;
    type Output = EncodedPacket;
    type Session = EncoderSession;

    const NAME: &'static str = "VideoEncoder";
    const GATE: Gate = Gate::Inputs;

    fn counter() -> &'static AtomicI64 {
        &VIDEO_ENCODERS
    }

    fn open(config: EngineConfig) -> Result<EncoderSession, EngineError> {
        EncoderSession::new(config)
    }

    fn process(
        session: &mut EncoderSession,
        input: EncodeRequest,
        emit: &mut dyn FnMut(EncodedPacket),
    ) -> Result<(), EngineError> {
        let keepalive: engine::Keepalive = input.source.clone();
        let packets = session.encode_rect(
            &input.source.pixels.buffer,
            Some(&keepalive),
            input.rect,
            input.timestamp,
            input.duration,
            input.key_frame,
            input.quantizer,
        )?;
        packets.into_iter().for_each(emit);
        Ok(())
    }

    fn flush(session: &mut EncoderSession, emit: &mut dyn FnMut(EncodedPacket)) -> Result<(), EngineError> {
        session.flush()?.into_iter().for_each(emit);
        Ok(())
    }

    fn to_js(env: &Env, packet: EncodedPacket) -> napi::Result<Vec<napi_value>> {
        let metadata = EncodedVideoChunkMetadata {
            decoder_config: packet
                .decoder_config
                .as_ref()
                .map(|c| codec_options::decoder_config_to_js(env, c))
                .transpose()?,
            svc: packet.temporal_layer_id.map(|temporal_layer_id| SvcOutputMetadata { temporal_layer_id }),
        };
        let chunk = EncodedVideoChunk {
            chunk: ChunkData {
                kind: if packet.key { ChunkType::Key } else { ChunkType::Delta },
                timestamp: packet.timestamp_us,
                duration: packet.duration_us,
                data: ChunkBytes::owned(env, packet.data),
            },
        };
        Ok(vec![chunk.into_instance(env)?.value, codec_options::to_value(env, metadata)?])
    }
}

/// Encodes VideoFrames with FFmpeg (libx264, libx265, libvpx, SVT-AV1/libaom).
#[napi]
pub struct VideoEncoder {
    queue: CodecQueue<VideoEncoding>,
    /// Bitrate mode of the active configuration: per-frame quantizers apply in "quantizer".
    quantizer_mode: bool,
}

codec_class_common!(VideoEncoder, encode_queue_size);

#[napi]
impl VideoEncoder {
    #[napi(constructor)]
    pub fn new(env: Env, this: This, #[napi(ts_arg_type = "VideoEncoderInit")] init: JsHandle) -> napi::Result<Self> {
        let queue = CodecQueue::new(&env, this.object.raw(), init.0).or_throw(&env)?;
        Ok(Self { queue, quantizer_mode: false })
    }

    /// Configures (or reconfigures) the encoder. An invalid config throws TypeError; an
    /// unsupported one closes the encoder with NotSupportedError on the error callback.
    #[napi]
    pub fn configure(
        &mut self,
        env: Env,
        #[napi(ts_arg_type = "VideoEncoderConfig")] config: JsHandle,
    ) -> napi::Result<()> {
        let config: VideoEncoderConfig = js::dict(&env, config.0)?;
        let parsed = codec_options::encoder_config(&config).or_throw(&env)?;
        let quantizer_mode = matches!(&parsed, Ok(c) if c.bitrate_mode == engine::video::BitrateMode::Quantizer);
        self.queue.configure_parsed(&env, parsed).or_throw(&env)?;
        self.quantizer_mode = quantizer_mode;
        Ok(())
    }

    /// Queues `frame` for encoding. The frame may be closed right after this returns.
    #[napi]
    pub fn encode(
        &self,
        env: Env,
        frame: ClassInstance<VideoFrame>,
        #[napi(ts_arg_type = "VideoEncoderEncodeOptions")] options: Option<JsHandle>,
    ) -> napi::Result<()> {
        let options: VideoEncoderEncodeOptions = match options {
            Some(options) => js::dict(&env, options.0)?,
            None => VideoEncoderEncodeOptions::default(),
        };
        crate::anchor::release_held(&env);
        let request = self.request(&env, &frame, frame.value, &options).or_throw(&env)?;
        let permit = self.queue.acquire_input_permit().or_throw(&env)?;
        self.queue.enqueue(&env, request, Some(permit)).or_throw(&env)
    }

    /// Whether this build of FFmpeg can encode `config`.
    #[napi(ts_args_type = "config: VideoEncoderConfig", ts_return_type = "Promise<VideoEncoderSupport>")]
    pub fn is_config_supported(env: Env, config: JsHandle) -> napi::Result<napi_value> {
        let support = js::dict_value::<VideoEncoderConfig>(&env, config.0).and_then(|config| {
            let engine = codec_options::encoder_config(&config)?;
            let probe = move || engine.and_then(EncoderSession::new).is_ok();
            Ok((probe, move |supported| VideoEncoderSupport { supported, config }))
        });
        codec_options::probe_promise(&env, support)
    }
}

impl VideoEncoder {
    fn request(
        &self,
        env: &Env,
        frame: &VideoFrame,
        frame_value: napi_value,
        options: &VideoEncoderEncodeOptions,
    ) -> Result<EncodeRequest, EngineError> {
        self.queue.check_configured()?;
        let state = frame.open()?;
        let share: Arc<dyn Send + Sync> = state.pixels.clone();
        let keepalive =
            crate::anchor::hold_for(env, frame_value, share).map_err(|e| EngineError::type_error(e.reason))?;
        let quantizer = [&options.avc, &options.hevc, &options.vp9, &options.av1]
            .into_iter()
            .flatten()
            .find_map(|q| q.quantizer)
            .filter(|_| self.quantizer_mode)
            .map(|q| crate::options::enforce_u32(q, "quantizer"))
            .transpose()?;
        Ok(EncodeRequest {
            source: Arc::new(EncodeSource { pixels: state.pixels.clone(), _hold: keepalive }),
            rect: state.visible_rect,
            timestamp: frame.timestamp(),
            duration: frame.duration(),
            key_frame: options.key_frame.unwrap_or(false),
            quantizer,
        })
    }
}
