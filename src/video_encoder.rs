//! `VideoEncoder` (https://w3c.github.io/webcodecs/#videoencoder-interface): frames in,
//! `EncodedVideoChunk`s and their metadata out, over the shared `CodecQueue`.

use std::cell::Cell;
use std::sync::Arc;

use engine::video::{EncodedPacket, VideoEncoder as EncoderSession};
use engine::video::{Orientation, VideoFrameInput};
use engine::EngineError;
use napi::bindgen_prelude::JavaScriptClassExt;
use napi::sys::napi_value;
use napi::{Env, JsValue};
use napi_derive::napi;

use crate::codec::class::{codec_class, ConfigureHook};
use crate::dict::config::array_buffer;
use crate::dict::video::{
    self, EncodedVideoChunkMetadata, SvcOutputMetadata, VideoEncoderConfig, VideoEncoderEncodeOptions,
    VideoEncoderSupport,
};
use crate::dict::{self, webidl};
use crate::encoded_chunk::{ChunkData, EncodedVideoChunk};
use crate::js::error::OrThrow;
use crate::js::interface::Instance;
use crate::js::raw::{to_value, JsHandle};
use crate::memory::anchor::Held;
use crate::video_frame::VideoFrame;

codec_class! {
    /// Encodes VideoFrames with FFmpeg (libx264, libx265, libvpx, SVT-AV1/libaom).
    VideoEncoder(EncoderSession, Inputs, VIDEO_ENCODERS, "VideoEncoderInit", encode_queue_size),
    configure(VideoEncoderConfig = "VideoEncoderConfig", |_, config| video::encoder_config(config)),
    support(VideoEncoderSupport = "Promise<VideoEncoderSupport>"),
    state(ActiveOrientation),
}

/// `[[active orientation]]`: the orientation of the first frame encoded since
/// `configure()`, which every later frame must share.
#[derive(Default)]
pub struct ActiveOrientation(Cell<Option<Orientation>>);

impl ConfigureHook for ActiveOrientation {
    fn configured(&self) {
        self.0.set(None);
    }
}

impl ActiveOrientation {
    /// `encode()` steps 3 and 4: a DataError for a frame oriented otherwise.
    fn check(&self, frame: Orientation) -> Result<(), EngineError> {
        match self.0.get() {
            Some(active) if active != frame => Err(EngineError::Data(format!(
                "frame has rotation {} and flip {}, but this configure's frames have rotation {} and flip {}",
                frame.rotation, frame.flip, active.rotation, active.flip
            ))),
            Some(_) => Ok(()),
            None => {
                self.0.set(Some(frame));
                Ok(())
            }
        }
    }
}

impl VideoEncoder {
    fn request(
        &self,
        env: &Env,
        frame: &VideoFrame,
        frame_value: napi_value,
        options: &VideoEncoderEncodeOptions,
    ) -> Result<VideoFrameInput, EngineError> {
        // encode() step 1, before the state check: a closed frame is a TypeError.
        let state = frame.open().map_err(|_| EngineError::type_error("the VideoFrame is closed"))?;
        self.queue.check_configured()?;
        self.state.check(state.orientation)?;
        // Kept alive for as long as the worker or FFmpeg (which reads frames in the
        // encoder's format in place) uses them.
        let pixels = Held::new(env, frame_value, &state.pixels).map_err(|e| EngineError::type_error(e.reason))?;
        let quantizer = [&options.avc, &options.hevc, &options.vp9, &options.av1]
            .into_iter()
            .flatten()
            .find_map(|q| q.quantizer)
            .map(|q| u32::from(webidl::unsigned_short(q)));
        Ok(VideoFrameInput {
            pixels: Arc::new(pixels),
            rect: state.visible_rect,
            timestamp: frame.timestamp(),
            duration: frame.duration(),
            key_frame: options.key_frame.is_some_and(|b| b.0),
            quantizer,
            orientation: state.orientation,
            color_space: state.color_space.clone(),
        })
    }

    /// The `output` callback's arguments: the chunk and its metadata.
    fn output(env: &Env, packet: EncodedPacket) -> napi::Result<Vec<napi_value>> {
        let metadata = EncodedVideoChunkMetadata {
            decoder_config: packet.decoder_config.as_ref().map(|c| video::decoder_config_to_js(env, c)).transpose()?,
            svc: packet.temporal_layer_id.map(|temporal_layer_id| SvcOutputMetadata { temporal_layer_id }),
            alpha_side_data: packet.alpha_side_data.as_deref().map(|a| array_buffer(env, a)).transpose()?,
        };
        let chunk = ChunkData::output(env, packet.key, packet.timestamp_us, packet.duration_us, packet.data);
        let chunk = EncodedVideoChunk { chunk };
        Ok(vec![chunk.into_instance(env)?.value, to_value(env, metadata)?])
    }
}

#[napi]
impl VideoEncoder {
    /// Queues `frame` for encoding. The frame may be closed right after this returns.
    #[napi]
    pub fn encode(
        &self,
        env: Env,
        #[napi(ts_arg_type = "VideoFrame")] frame: Instance<VideoFrame>,
        #[napi(ts_arg_type = "VideoEncoderEncodeOptions")] options: Option<JsHandle>,
    ) -> napi::Result<()> {
        let options: VideoEncoderEncodeOptions = match options {
            Some(options) => dict::read(&env, options.0)?,
            None => VideoEncoderEncodeOptions::default(),
        };
        crate::memory::anchor::release_held(&env);
        let request = self.request(&env, &frame, frame.value, &options).or_throw(&env)?;
        let permit = self.queue.acquire_input_permit().or_throw(&env)?;
        self.queue.enqueue(&env, request, Some(permit)).or_throw(&env)
    }
}
