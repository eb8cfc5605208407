//! `AudioDecoder` (https://w3c.github.io/webcodecs/#audiodecoder-interface): chunks in,
//! `AudioData` out, over the shared `CodecQueue`.

use engine::audio::{AudioDecoder as DecoderSession, DecodedAudio};
use napi::bindgen_prelude::JavaScriptClassExt;
use napi::sys::napi_value;
use napi::{Env, JsValue};
use napi_derive::napi;

use crate::audio_data::{AudioData, AudioState, Samples};
use crate::codec::class::codec_class;
use crate::dict::audio::{self, AudioDecoderConfig, AudioDecoderSupport};
use crate::encoded_chunk::EncodedAudioChunk;

codec_class! {
    /// Decodes EncodedAudioChunks with FFmpeg (opus, aac, flac, mp3, vorbis, G.711, PCM).
    AudioDecoder(DecoderSession, Outputs, AUDIO_DECODERS, "AudioDecoderInit", decode_queue_size),
    configure(AudioDecoderConfig = "AudioDecoderConfig", audio::decoder_config),
    support(AudioDecoderSupport = "Promise<AudioDecoderSupport>"), decode(EncodedAudioChunk = "EncodedAudioChunk")
}

impl AudioDecoder {
    /// The `output` callback's argument: the AudioData, its samples reported to V8.
    fn output(env: &Env, DecodedAudio { buffer, timestamp_us }: DecodedAudio) -> napi::Result<Vec<napi_value>> {
        let bytes = buffer.byte_size();
        let state = AudioState::new(Samples::native(env, buffer, bytes));
        Ok(vec![AudioData::from_state(state, timestamp_us).into_instance(env)?.value])
    }
}
