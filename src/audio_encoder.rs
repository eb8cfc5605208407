//! `AudioEncoder` (https://w3c.github.io/webcodecs/#audioencoder-interface): AudioData in,
//! `EncodedAudioChunk`s and their metadata out, over the shared `CodecQueue`.

use std::sync::atomic::AtomicI64;
use std::sync::Arc;

use engine::audio_codec::{AudioEncoder as EncoderSession, AudioEncoderConfig as EngineConfig, EncodedAudioPacket};
use engine::EngineError;
use napi::bindgen_prelude::{ClassInstance, JavaScriptClassExt, This};
use napi::sys::napi_value;
use napi::{Env, JsValue};
use napi_derive::napi;

use crate::audio_data::{AudioData, Samples};
use crate::audio_options::{self, AudioEncoderConfig, AudioEncoderSupport, EncodedAudioChunkMetadata};
use crate::codec_class::codec_class_common;
use crate::codec_options;
use crate::codec_queue::{Codec, CodecQueue, Gate};
use crate::counters::AUDIO_ENCODERS;
use crate::encoded_chunk::{ChunkBytes, ChunkData, ChunkType, EncodedAudioChunk};
use crate::error::OrThrow;
use crate::js::{self, JsHandle};

/// One `encode()` call on its way to the worker: the samples (shared, not copied).
pub struct EncodeAudio {
    samples: Arc<Samples>,
    /// Keeps an AudioData's ArrayBuffer alive while the worker reads it (see `anchor`).
    _hold: Option<crate::anchor::Hold>,
    timestamp: i64,
}

struct AudioEncoding;

impl Codec for AudioEncoding {
    type Config = EngineConfig;
    type Input = EncodeAudio;
    type Output = EncodedAudioPacket;
    type Session = EncoderSession;

    const NAME: &'static str = "AudioEncoder";
    const GATE: Gate = Gate::Inputs;

    fn counter() -> &'static AtomicI64 {
        &AUDIO_ENCODERS
    }

    fn open(config: EngineConfig) -> Result<EncoderSession, EngineError> {
        EncoderSession::new(config)
    }

    fn process(
        session: &mut EncoderSession,
        input: EncodeAudio,
        emit: &mut dyn FnMut(EncodedAudioPacket),
    ) -> Result<(), EngineError> {
        session.encode(&input.samples.buffer, input.timestamp)?.into_iter().for_each(emit);
        Ok(())
    }

    fn flush(session: &mut EncoderSession, emit: &mut dyn FnMut(EncodedAudioPacket)) -> Result<(), EngineError> {
        session.flush()?.into_iter().for_each(emit);
        Ok(())
    }

    fn to_js(env: &Env, packet: EncodedAudioPacket) -> napi::Result<Vec<napi_value>> {
        let metadata = EncodedAudioChunkMetadata {
            decoder_config: packet
                .decoder_config
                .as_ref()
                .map(|c| audio_options::decoder_config_to_js(env, c))
                .transpose()?,
        };
        let chunk = EncodedAudioChunk {
            chunk: ChunkData {
                kind: ChunkType::Key,
                timestamp: packet.timestamp_us,
                duration: Some(packet.duration_us),
                data: ChunkBytes::owned(env, packet.data),
            },
        };
        Ok(vec![chunk.into_instance(env)?.value, codec_options::to_value(env, metadata)?])
    }
}

/// Encodes AudioData with FFmpeg (libopus, aac, flac, libmp3lame, G.711, PCM).
#[napi]
pub struct AudioEncoder {
    queue: CodecQueue<AudioEncoding>,
}

codec_class_common!(AudioEncoder, encode_queue_size);

#[napi]
impl AudioEncoder {
    #[napi(constructor)]
    pub fn new(env: Env, this: This, #[napi(ts_arg_type = "AudioEncoderInit")] init: JsHandle) -> napi::Result<Self> {
        let queue = CodecQueue::new(&env, this.object.raw(), init.0).or_throw(&env)?;
        Ok(Self { queue })
    }

    /// Configures the encoder. An invalid config throws TypeError; an unsupported one
    /// closes the encoder with NotSupportedError on the error callback.
    #[napi]
    pub fn configure(
        &self,
        env: Env,
        #[napi(ts_arg_type = "AudioEncoderConfig")] config: JsHandle,
    ) -> napi::Result<()> {
        let config: AudioEncoderConfig = js::dict(&env, config.0)?;
        let parsed = audio_options::encoder_config(&config).or_throw(&env)?;
        self.queue.configure_parsed(&env, parsed).or_throw(&env)
    }

    /// Queues `data` for encoding. It may be closed right after this returns.
    #[napi]
    pub fn encode(&self, env: Env, data: ClassInstance<AudioData>) -> napi::Result<()> {
        crate::anchor::release_held(&env);
        let request = Self::request(&env, &data, data.value).or_throw(&env)?;
        self.queue.check_configured().or_throw(&env)?;
        let permit = self.queue.acquire_input_permit().or_throw(&env)?;
        self.queue.enqueue(&env, request, Some(permit)).or_throw(&env)
    }

    /// Whether this build of FFmpeg can encode `config`.
    #[napi(ts_args_type = "config: AudioEncoderConfig", ts_return_type = "Promise<AudioEncoderSupport>")]
    pub fn is_config_supported(env: Env, config: JsHandle) -> napi::Result<napi_value> {
        let support = js::dict_value::<AudioEncoderConfig>(&env, config.0).and_then(|config| {
            let engine = audio_options::encoder_config(&config)?;
            let probe = move || engine.and_then(EncoderSession::new).is_ok();
            Ok((probe, move |supported| AudioEncoderSupport { supported, config }))
        });
        codec_options::probe_promise(&env, support)
    }
}

impl AudioEncoder {
    fn request(env: &Env, data: &AudioData, value: napi_value) -> Result<EncodeAudio, EngineError> {
        let state = data.open()?;
        let share: Arc<dyn Send + Sync> = state.samples.clone();
        let hold = crate::anchor::hold_for(env, value, share).map_err(|e| EngineError::type_error(e.reason))?;
        Ok(EncodeAudio { samples: state.samples.clone(), _hold: hold, timestamp: data.timestamp() })
    }
}
