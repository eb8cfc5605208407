//! `AudioDecoder` (https://w3c.github.io/webcodecs/#audiodecoder-interface): chunks in,
//! `AudioData` out, over the shared `CodecQueue`.

use std::sync::atomic::AtomicI64;

use engine::audio_codec::{AudioDecoder as DecoderSession, AudioDecoderConfig as EngineConfig, DecodedAudio};
use engine::EngineError;
use napi::bindgen_prelude::{ClassInstance, JavaScriptClassExt, This};
use napi::sys::napi_value;
use napi::{Env, JsValue};
use napi_derive::napi;

use crate::audio_data::{AudioData, AudioState, Samples};
use crate::audio_options::{self, AudioDecoderConfig, AudioDecoderSupport};
use crate::codec_class::codec_class_common;
use crate::codec_options;
use crate::codec_queue::{Codec, CodecQueue, Gate};
use crate::counters::AUDIO_DECODERS;
use crate::encoded_chunk::{ChunkData, ChunkType, EncodedAudioChunk};
use crate::error::OrThrow;
use crate::js::{self, JsHandle};

struct AudioDecoding;

impl Codec for AudioDecoding {
    type Config = EngineConfig;
    type Input = ChunkData;
    type Output = DecodedAudio;
    type Session = DecoderSession;

    const NAME: &'static str = "AudioDecoder";
    const GATE: Gate = Gate::Outputs;

    fn counter() -> &'static AtomicI64 {
        &AUDIO_DECODERS
    }

    fn open(config: EngineConfig) -> Result<DecoderSession, EngineError> {
        DecoderSession::new(&config)
    }

    fn process(
        session: &mut DecoderSession,
        chunk: ChunkData,
        emit: &mut dyn FnMut(DecodedAudio),
    ) -> Result<(), EngineError> {
        let decoded = session.decode(chunk.bytes(), chunk.kind == ChunkType::Key, chunk.timestamp, chunk.duration)?;
        decoded.into_iter().for_each(emit);
        Ok(())
    }

    fn flush(session: &mut DecoderSession, emit: &mut dyn FnMut(DecodedAudio)) -> Result<(), EngineError> {
        session.flush()?.into_iter().for_each(emit);
        Ok(())
    }

    fn to_js(env: &Env, decoded: DecodedAudio) -> napi::Result<Vec<napi_value>> {
        let state = AudioState::new(Samples::native(env, decoded.buffer));
        Ok(vec![AudioData::from_state(state, decoded.timestamp_us).into_instance(env)?.value])
    }
}

/// Decodes EncodedAudioChunks with FFmpeg (opus, aac, flac, mp3, vorbis, G.711, PCM).
#[napi]
pub struct AudioDecoder {
    queue: CodecQueue<AudioDecoding>,
}

codec_class_common!(AudioDecoder, decode_queue_size);

#[napi]
impl AudioDecoder {
    #[napi(constructor)]
    pub fn new(env: Env, this: This, #[napi(ts_arg_type = "AudioDecoderInit")] init: JsHandle) -> napi::Result<Self> {
        let queue = CodecQueue::new(&env, this.object.raw(), init.0).or_throw(&env)?;
        Ok(Self { queue })
    }

    /// Configures the decoder. An invalid config throws TypeError; an unsupported one
    /// closes the decoder with NotSupportedError on the error callback.
    #[napi]
    pub fn configure(
        &self,
        env: Env,
        #[napi(ts_arg_type = "AudioDecoderConfig")] config: JsHandle,
    ) -> napi::Result<()> {
        let config: AudioDecoderConfig = js::dict(&env, config.0)?;
        let parsed = audio_options::decoder_config(&env, &config).or_throw(&env)?;
        self.queue.configure_parsed(&env, parsed).or_throw(&env)
    }

    /// Queues `chunk` for decoding. The first chunk after configure or flush must be a key chunk.
    #[napi]
    pub fn decode(&self, env: Env, chunk: ClassInstance<EncodedAudioChunk>) -> napi::Result<()> {
        self.queue.check_decodable(chunk.chunk.kind == ChunkType::Key).or_throw(&env)?;
        self.queue.enqueue(&env, chunk.chunk.clone(), None).or_throw(&env)
    }

    /// Whether this build of FFmpeg can decode `config`.
    #[napi(ts_args_type = "config: AudioDecoderConfig", ts_return_type = "Promise<AudioDecoderSupport>")]
    pub fn is_config_supported(env: Env, config: JsHandle) -> napi::Result<napi_value> {
        let support = js::dict_value::<AudioDecoderConfig>(&env, config.0).and_then(|config| {
            let supported =
                audio_options::decoder_config(&env, &config)?.and_then(|engine| DecoderSession::new(&engine)).is_ok();
            let config =
                audio_options::clone_decoder_config(&env, &config).map_err(|e| EngineError::type_error(e.reason))?;
            Ok(AudioDecoderSupport { supported, config })
        });
        codec_options::support_promise(&env, support)
    }
}
