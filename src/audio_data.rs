//! `AudioData` (https://w3c.github.io/webcodecs/#audiodata-interface).

use std::sync::Arc;

use engine::audio::{AudioBuffer, SampleFormat};
use engine::{EngineError, Memory};
use napi::bindgen_prelude::{JavaScriptClassExt, ObjectFinalize, This};
use napi::sys::napi_value;
use napi::{Env, JsValue};
use napi_derive::napi;

use crate::dict::frame::{AudioDataCopyToOptions, AudioDataInit};
use crate::dict::{self, webidl};
use crate::js::buffer::BufferSource;
use crate::js::error::{closed, OrThrow};
use crate::js::raw::JsHandle;
use crate::js::transfer;
use crate::memory::anchor::{self, V8Bytes};
use crate::memory::counters::{Live, AUDIO_DATA};
use crate::memory::external::{self, Media};

/// Sample memory shared by an AudioData and its clones.
pub type Samples = Media<AudioBuffer>;

/// What open audio data holds; dropped (and so uncounted) at close or collection.
pub struct AudioState {
    pub samples: Arc<Samples>,
    _live: Live,
}

impl AudioState {
    pub fn new(samples: Arc<Samples>) -> Self {
        Self { samples, _live: Live::new(&AUDIO_DATA) }
    }
}

/// A run of audio samples in native memory with its timing.
#[napi(custom_finalize)]
pub struct AudioData {
    state: Option<AudioState>,
    timestamp: i64,
    /// Whether the samples live in an ArrayBuffer tied to this object (`anchor`).
    anchored: bool,
}

impl AudioData {
    /// Audio over native sample memory (a decoder's output).
    pub fn from_state(state: AudioState, timestamp: i64) -> Self {
        Self { state: Some(state), timestamp, anchored: false }
    }

    pub fn open(&self) -> Result<&AudioState, EngineError> {
        self.state.as_ref().ok_or_else(|| closed("AudioData"))
    }

    fn buffer(&self) -> Option<&AudioBuffer> {
        self.state.as_ref().map(|s| &s.samples.buffer)
    }

    fn from_init(env: &Env, this: napi_value, init: AudioDataInit) -> Result<Self, EngineError> {
        let format = SampleFormat::parse(&init.format)?;
        let frames = webidl::enforce_u32(init.number_of_frames, "numberOfFrames")? as usize;
        let channels = webidl::enforce_u32(init.number_of_channels, "numberOfChannels")? as usize;
        let sample_rate = init.sample_rate.0 as f32;
        let timestamp = webidl::enforce_long_long(init.timestamp, "timestamp")?;
        let source = BufferSource::from_unshared(env, init.data.0)?;
        // Validate before the transfer step detaches anything.
        let needed = AudioBuffer::check(format, sample_rate, frames, channels, source.len)?;
        let transfer = transfer::transfer_list(env, init.transfer)?;
        let oom = |e: napi::Error| EngineError::QuotaExceeded(format!("cannot allocate audio memory: {}", e.reason));
        let bytes = match transfer::transfer(env, &source, &transfer)? {
            Some((moved, ptr)) => {
                anchor::tie(env, this, moved).map_err(oom)?;
                V8Bytes::new(ptr, source.len)
            }
            None => {
                let (array_buffer, mut bytes) = anchor::allocate(env, needed).map_err(oom)?;
                anchor::tie(env, this, array_buffer).map_err(oom)?;
                // SAFETY: no JS runs while the slice is alive.
                bytes.bytes_mut().copy_from_slice(&unsafe { source.as_slice() }[..needed]);
                bytes
            }
        };
        let samples = Media::in_v8(AudioBuffer::new(format, sample_rate, frames, channels, Box::new(bytes))?);
        let mut data = Self::from_state(AudioState::new(samples), timestamp);
        data.anchored = true;
        Ok(data)
    }

    fn plan(&self, options: &AudioDataCopyToOptions) -> Result<(engine::audio::CopyRequest, usize), EngineError> {
        let state = self.open()?;
        let plane = webidl::enforce_u32(options.plane_index, "planeIndex")? as usize;
        let offset = options.frame_offset.map(|v| webidl::enforce_u32(v, "frameOffset")).transpose()?;
        let count = options.frame_count.map(|v| webidl::enforce_u32(v, "frameCount")).transpose()?;
        let format = options.format.as_deref().map(SampleFormat::parse).transpose()?;
        state.samples.buffer.plan_copy(plane, offset.map(|v| v as usize), count.map(|v| v as usize), format)
    }
}

#[napi]
impl AudioData {
    #[napi(constructor)]
    pub fn new(env: Env, this: This, #[napi(ts_arg_type = "AudioDataInit")] init: JsHandle) -> napi::Result<Self> {
        crate::js::interface::constructing::<Self>(&env, &this)?;
        let init: AudioDataInit = dict::read(&env, init.0)?;
        Self::from_init(&env, this.object.raw(), init).or_throw(&env)
    }

    #[napi(getter, ts_return_type = "AudioSampleFormat | null")]
    pub fn format(&self) -> Option<&'static str> {
        self.buffer().map(|b| b.format.as_str())
    }

    #[napi(getter)]
    pub fn sample_rate(&self) -> f64 {
        self.buffer().map_or(0.0, |b| f64::from(b.sample_rate))
    }

    #[napi(getter)]
    pub fn number_of_frames(&self) -> u32 {
        self.buffer().map_or(0, |b| b.number_of_frames as u32)
    }

    #[napi(getter)]
    pub fn number_of_channels(&self) -> u32 {
        self.buffer().map_or(0, |b| b.number_of_channels as u32)
    }

    /// Duration in microseconds.
    #[napi(getter)]
    pub fn duration(&self) -> i64 {
        self.buffer().map_or(0, AudioBuffer::duration_us)
    }

    /// Presentation time in microseconds.
    #[napi(getter)]
    pub fn timestamp(&self) -> i64 {
        self.timestamp
    }

    /// Bytes `copyTo()` needs for these options.
    #[napi]
    pub fn allocation_size(
        &self,
        env: Env,
        #[napi(ts_arg_type = "AudioDataCopyToOptions")] options: JsHandle,
    ) -> napi::Result<u32> {
        let options: AudioDataCopyToOptions = dict::read(&env, options.0)?;
        self.plan(&options).map(|(_, size)| size as u32).or_throw(&env)
    }

    /// Copies one plane (planar formats) or all channels (interleaved) of a frame range,
    /// converting the sample format on the way if asked.
    #[napi]
    pub fn copy_to(
        &self,
        env: Env,
        #[napi(ts_arg_type = "AllowSharedBufferSource")] destination: JsHandle,
        #[napi(ts_arg_type = "AudioDataCopyToOptions")] options: JsHandle,
    ) -> napi::Result<()> {
        let options: AudioDataCopyToOptions = dict::read(&env, options.0)?;
        let result = self.plan(&options).and_then(|(request, size)| {
            let dest = BufferSource::from_value(&env, destination.0)?;
            if dest.len < size {
                return Err(EngineError::range_error(format!("destination is {} bytes, {size} needed", dest.len)));
            }
            // SAFETY: no JS runs while the slice is alive.
            let dest = unsafe { dest.as_mut_slice() };
            self.open()?.samples.buffer.copy_to(&request, dest);
            Ok(())
        });
        result.or_throw(&env)
    }

    /// New audio data sharing these samples (no copy).
    #[napi(ts_args_type = "", ts_return_type = "AudioData")]
    pub fn clone(&self, env: Env, this: This) -> napi::Result<napi_value> {
        let state = self.open().or_throw(&env)?;
        let clone = Self {
            anchored: self.anchored,
            ..Self::from_state(AudioState::new(state.samples.clone()), self.timestamp)
        };
        let instance = clone.into_instance(&env)?.value;
        if self.anchored {
            anchor::share(&env, this.object.raw(), instance)?;
        }
        Ok(instance)
    }

    /// Releases the samples now rather than at garbage collection. Idempotent.
    #[napi(ts_args_type = "")]
    pub fn close(&mut self, env: Env, this: This) -> napi::Result<()> {
        let share = self.state.take().map(|state| state.samples);
        anchor::close(&env, this.object.raw(), &mut self.anchored, share)
    }
}

impl ObjectFinalize for AudioData {
    fn finalize(mut self, env: Env) -> napi::Result<()> {
        self.state = None;
        external::settle(&env);
        Ok(())
    }
}
