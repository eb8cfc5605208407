//! `EncodedVideoChunk` and `EncodedAudioChunk`
//! (https://w3c.github.io/webcodecs/#encodedvideochunk-interface): immutable encoded
//! bytes with a type and timing. Both classes share one implementation, `ChunkData`.

use std::sync::Arc;

use engine::EncodedInput;
use engine::EngineError;
use napi::bindgen_prelude::Uint8Array;
use napi::Env;
use napi_derive::napi;

use crate::dict::frame::EncodedChunkInit;
use crate::dict::{self, webidl};
use crate::js::buffer::{self, BufferSource};
use crate::js::error::OrThrow;
use crate::js::raw::JsHandle;
use crate::js::transfer;
use crate::memory::external::Accounted;

engine::idl_enum!(
    /// `EncodedVideoChunkType` / `EncodedAudioChunkType`: the same two values.
    pub enum ChunkType = "chunk type" {
        Key = "key",
        Delta = "delta",
    }
);

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

impl AsRef<[u8]> for ChunkBytes {
    fn as_ref(&self) -> &[u8] {
        match self {
            Self::Owned { bytes, .. } => bytes,
            Self::Lent(a) => a,
        }
    }
}

impl ChunkData {
    pub fn bytes(&self) -> &[u8] {
        (*self.data).as_ref()
    }

    /// An encoder's output chunk: its bytes are this addon's, reported to V8.
    pub fn output(env: &Env, key: bool, timestamp: i64, duration: Option<i64>, data: Vec<u8>) -> Self {
        let kind = if key { ChunkType::Key } else { ChunkType::Delta };
        Self { kind, timestamp, duration, data: ChunkBytes::owned(env, data) }
    }

    /// The chunk as a decoder's input: the bytes are shared, not copied.
    pub fn input(&self) -> EncodedInput {
        let data: Arc<dyn AsRef<[u8]> + Send + Sync> = self.data.clone();
        EncodedInput { data, key: self.kind == ChunkType::Key, timestamp: self.timestamp, duration: self.duration }
    }

    fn from_init(env: &Env, init: EncodedChunkInit) -> Result<Self, EngineError> {
        let kind = ChunkType::parse(&init.kind)?;
        let duration = webidl::duration(init.duration)?;
        let source = BufferSource::from_value(env, init.data.0)?;
        let transfer = transfer::transfer_list(env, init.transfer)?;
        let data = match transfer::transfer(env, &source, &transfer)? {
            Some((moved, _)) => Arc::new(ChunkBytes::Lent(
                buffer::uint8_array(env, moved, source.byte_offset, source.len)
                    .map_err(|e| EngineError::type_error(e.reason))?,
            )),
            // SAFETY: no JS runs while the slice is alive.
            None => ChunkBytes::owned(env, unsafe { source.as_slice() }.to_vec()),
        };
        Ok(Self { kind, timestamp: webidl::enforce_long_long(init.timestamp, "timestamp")?, duration, data })
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
            pub fn new(
                env: Env,
                this: napi::bindgen_prelude::This,
                #[napi(ts_arg_type = $init)] init: JsHandle,
            ) -> napi::Result<Self> {
                crate::js::interface::constructing::<Self>(&env, &this)?;
                let init: EncodedChunkInit = dict::read(&env, init.0)?;
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
