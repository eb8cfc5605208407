//! `EncodedVideoChunk` and `EncodedAudioChunk`
//! (https://w3c.github.io/webcodecs/#encodedvideochunk-interface): immutable encoded
//! bytes with a type and timing. Both classes share one implementation, `ChunkData`.

use std::sync::Arc;

use engine::EngineError;
use napi::bindgen_prelude::Uint8Array;
use napi::Env;
use napi_derive::napi;

use crate::error::OrThrow;
use crate::js::{self, BufferSource, JsHandle};
use crate::memory::Accounted;
use crate::options::{self, EncodedChunkInit};

/// `EncodedVideoChunkType` / `EncodedAudioChunkType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChunkType {
    Key,
    Delta,
}

impl ChunkType {
    pub fn parse(s: &str) -> Result<Self, EngineError> {
        match s {
            "key" => Ok(Self::Key),
            "delta" => Ok(Self::Delta),
            other => Err(EngineError::type_error(format!("'{other}' is not a valid chunk type"))),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Key => "key",
            Self::Delta => "delta",
        }
    }
}

/// A chunk's bytes: a copy (reported to V8 as external memory, so that a stream of
/// chunks nobody closes still prompts collections), or a transferred buffer held by a
/// reference that any thread may drop (codec workers read chunks).
pub enum ChunkBytes {
    Owned { bytes: Vec<u8>, _accounted: Accounted },
    Lent(Uint8Array),
}

impl ChunkBytes {
    /// Bytes this addon allocated (a copy, or an encoder's output). JS thread.
    pub fn owned(env: &Env, bytes: Vec<u8>) -> Arc<Self> {
        let accounted = Accounted::new(env, bytes.capacity());
        Arc::new(Self::Owned { bytes, _accounted: accounted })
    }
}

/// The state both chunk classes wrap; codecs read `data` without copying it.
#[derive(Clone)]
pub struct ChunkData {
    pub kind: ChunkType,
    pub timestamp: i64,
    pub duration: Option<i64>,
    pub data: Arc<ChunkBytes>,
}

impl ChunkData {
    pub fn bytes(&self) -> &[u8] {
        match &*self.data {
            ChunkBytes::Owned { bytes, .. } => bytes,
            ChunkBytes::Lent(a) => a,
        }
    }

    fn from_init(env: &Env, init: EncodedChunkInit) -> Result<Self, EngineError> {
        let kind = ChunkType::parse(&init.kind)?;
        let duration = options::duration(init.duration)?;
        let source = BufferSource::from_value(env, init.data.0)?;
        let transfer = js::transfer_list(env, init.transfer)?;
        let data = match js::transfer(env, &source, &transfer)? {
            Some((moved, _)) => Arc::new(ChunkBytes::Lent(
                js::uint8_array(env, moved, source.byte_offset, source.len)
                    .map_err(|e| EngineError::type_error(e.reason))?,
            )),
            // SAFETY: no JS runs while the slice is alive.
            None => ChunkBytes::owned(env, unsafe { source.as_slice() }.to_vec()),
        };
        Ok(Self { kind, timestamp: options::enforce_long_long(init.timestamp, "timestamp")?, duration, data })
    }

    fn copy_to(&self, env: &Env, destination: JsHandle) -> Result<(), EngineError> {
        let dest = BufferSource::from_value(env, destination.0)?;
        let bytes = self.bytes();
        if dest.len < bytes.len() {
            return Err(EngineError::type_error(format!("destination is {} bytes, {} needed", dest.len, bytes.len())));
        }
        // SAFETY: no JS runs while the slice is alive.
        let dest = unsafe { dest.as_mut_slice() };
        dest[..bytes.len()].copy_from_slice(bytes);
        Ok(())
    }
}

/// Declares one chunk class over `ChunkData`; the two differ only in name and typings.
macro_rules! chunk_class {
    ($name:ident, $init:literal, $kind:literal) => {
        #[napi]
        pub struct $name {
            pub(crate) chunk: ChunkData,
        }

        #[napi]
        impl $name {
            #[napi(constructor)]
            pub fn new(env: Env, #[napi(ts_arg_type = $init)] init: JsHandle) -> napi::Result<Self> {
                let init: EncodedChunkInit = js::dict(&env, init.0)?;
                ChunkData::from_init(&env, init).map(|chunk| Self { chunk }).or_throw(&env)
            }

            #[napi(getter, js_name = "type", ts_return_type = $kind)]
            pub fn kind(&self) -> &'static str {
                self.chunk.kind.as_str()
            }

            /// Presentation time in microseconds.
            #[napi(getter)]
            pub fn timestamp(&self) -> i64 {
                self.chunk.timestamp
            }

            /// Duration in microseconds, or null.
            #[napi(getter)]
            pub fn duration(&self) -> Option<i64> {
                self.chunk.duration
            }

            #[napi(getter)]
            pub fn byte_length(&self) -> u32 {
                self.chunk.bytes().len() as u32
            }

            /// Copies the encoded bytes into `destination`.
            #[napi]
            pub fn copy_to(
                &self,
                env: Env,
                #[napi(ts_arg_type = "AllowSharedBufferSource")] destination: JsHandle,
            ) -> napi::Result<()> {
                self.chunk.copy_to(&env, destination).or_throw(&env)
            }
        }
    };
}

chunk_class!(EncodedVideoChunk, "EncodedVideoChunkInit", "EncodedVideoChunkType");
chunk_class!(EncodedAudioChunk, "EncodedAudioChunkInit", "EncodedAudioChunkType");
