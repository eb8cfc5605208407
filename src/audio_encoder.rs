//! `AudioEncoder` (https://w3c.github.io/webcodecs/#audioencoder-interface): AudioData in,
//! `EncodedAudioChunk`s and their metadata out, over the shared `CodecQueue`.

use std::sync::Arc;

use engine::audio::AudioInput;
use engine::audio::{AudioEncoder as EncoderSession, EncodedAudioPacket};
use engine::EngineError;
use napi::bindgen_prelude::JavaScriptClassExt;
use napi::sys::napi_value;
use napi::{Env, JsValue};
use napi_derive::napi;

use crate::audio_data::AudioData;
use crate::codec::class::codec_class;
use crate::dict::audio::{self, AudioEncoderConfig, AudioEncoderSupport, EncodedAudioChunkMetadata};
use crate::encoded_chunk::{ChunkData, EncodedAudioChunk};
use crate::js::error::OrThrow;
use crate::js::interface::Instance;
use crate::js::raw::to_value;
use crate::memory::anchor::Held;

codec_class! {
    /// Encodes AudioData with FFmpeg (libopus, aac, flac, libmp3lame, G.711, PCM).
    AudioEncoder(EncoderSession, Inputs, AUDIO_ENCODERS, "AudioEncoderInit", encode_queue_size),
    configure(AudioEncoderConfig = "AudioEncoderConfig", |_, config| audio::encoder_config(config)),
    support(AudioEncoderSupport = "Promise<AudioEncoderSupport>"),
}

impl AudioEncoder {
    fn request(env: &Env, data: &AudioData, value: napi_value) -> Result<AudioInput, EngineError> {
        // encode() step 1, before the state check: closed AudioData is a TypeError.
        let state = data.open().map_err(|_| EngineError::type_error("the AudioData is closed"))?;
        let samples = Held::new(env, value, &state.samples).map_err(|e| EngineError::type_error(e.reason))?;
        Ok(AudioInput { samples: Arc::new(samples), timestamp: data.timestamp() })
    }

    /// The `output` callback's arguments: the chunk and its metadata.
    fn output(env: &Env, packet: EncodedAudioPacket) -> napi::Result<Vec<napi_value>> {
        let metadata = EncodedAudioChunkMetadata {
            decoder_config: packet.decoder_config.as_ref().map(|c| audio::decoder_config_to_js(env, c)).transpose()?,
        };
        let chunk = ChunkData::output(env, true, packet.timestamp_us, Some(packet.duration_us), packet.data);
        let chunk = EncodedAudioChunk { chunk };
        Ok(vec![chunk.into_instance(env)?.value, to_value(env, metadata)?])
    }
}

#[napi]
impl AudioEncoder {
    /// Queues `data` for encoding. It may be closed right after this returns.
    #[napi]
    pub fn encode(&self, env: Env, #[napi(ts_arg_type = "AudioData")] data: Instance<AudioData>) -> napi::Result<()> {
        crate::memory::anchor::release_held(&env);
        let request = Self::request(&env, &data, data.value).or_throw(&env)?;
        self.queue.check_configured().or_throw(&env)?;
        let permit = self.queue.acquire_input_permit().or_throw(&env)?;
        self.queue.enqueue(&env, request, Some(permit)).or_throw(&env)
    }
}
