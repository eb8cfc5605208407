//! An audio encoder session (https://w3c.github.io/webcodecs/#audioencoder-interface):
//! `AudioData` of any format, rate and channel count in, converted with swresample and
//! re-chunked to the codec's frame size; encoded chunks out, stamped sample-exactly.

mod config;
mod description;
mod ffmpeg;

use ffmpeg_next::format::Sample;
use ffmpeg_next::software::resampling;
use ffmpeg_next::{codec, encoder, frame, Packet};

use self::description::{adts_frame, decoder_config};
use self::ffmpeg::{FfmpegAudioEncoder, Plan};
use super::fifo::{frame_from_buffer, SampleFifo};
use super::{default_layout, require_rate_and_channels, samples_to_us, AudioBuffer, AudioDecoderConfig};
use crate::ffi::codec::{extradata, initial_padding};
use crate::session::{exchange, open_first, Session};
use crate::{EngineError, Result};

pub use config::{
    AacFormat, AudioEncoderConfig, AudioInput, BitrateMode, EncodedAudioPacket, OpusApplication, OpusEncoderConfig,
    OpusFormat, OpusSignal,
};

/// One stream: from the first input after configure or flush to the next flush.
struct Stream {
    encoder: encoder::Audio,
    clock: Clock,
}

/// Where a stream is, in samples at the codec's rate.
#[derive(Default)]
struct Clock {
    /// The timestamp of the stream's first input.
    start_us: Option<i64>,
    /// Samples sent to FFmpeg (the next frame's pts) and covered by chunks so far.
    samples_in: i64,
    samples_out: i64,
    /// Real input samples (at the codec's rate, padding excluded) queued so far.
    samples_real: i64,
    /// Set by flush: priming plus every real sample, where the last chunk must end so
    /// that decoders trimming to chunk durations drop the last frame's padding.
    end: Option<i64>,
}

/// What the encoder's packets need to become chunks.
struct Packager {
    rate: u32,
    /// Samples per codec frame; 0 when the codec takes any number.
    frame_size: usize,
    whole_frames: bool,
    /// The AudioSpecificConfig that ADTS headers repeat, when chunks are ADTS.
    adts: Option<Vec<u8>>,
    decoder_config: AudioDecoderConfig,
    active_config: Option<AudioDecoderConfig>,
}

pub struct AudioEncoder {
    config: AudioEncoderConfig,
    plan: Plan,
    ffmpeg: FfmpegAudioEncoder,
    stream: Option<Stream>,
    /// Whether a short last frame must be padded to the frame size.
    pad_last: bool,
    priming: u32,
    fifo: SampleFifo,
    resampler: Option<((Sample, usize, u32), resampling::Context)>,
    packager: Packager,
}

impl Session for AudioEncoder {
    type Config = AudioEncoderConfig;
    type Input = AudioInput;
    type Output = EncodedAudioPacket;

    fn open(config: AudioEncoderConfig) -> Result<Self> {
        require_rate_and_channels(config.sample_rate, config.number_of_channels)?;
        let layout = default_layout(config.number_of_channels as usize)?;
        let candidates = FfmpegAudioEncoder::candidates(config.codec).iter().map(|&e| (e.name(), e));
        let (ffmpeg, plan, encoder) =
            open_first("encode", &config.codec, candidates, encoder::find_by_name, |ffmpeg, codec| {
                let plan = ffmpeg.plan(&config, codec, layout).map_err(|e| e.message().to_owned())?;
                let encoder = plan.open().map_err(|e| format!("{}: {e}", ffmpeg.name()))?;
                Ok((ffmpeg, plan, encoder))
            })?;
        Self::with_encoder(config, plan, ffmpeg, encoder)
    }

    /// Encodes the input and emits the chunks that are ready. Only the first input after
    /// configure or flush sets the timeline; later chunks follow it sample by sample.
    fn push(&mut self, input: AudioInput, sink: &mut dyn FnMut(EncodedAudioPacket)) -> Result<()> {
        let audio: &AudioBuffer = (*input.samples).as_ref();
        let rate = audio.sample_rate.round();
        if !(1.0..=f32::from(u16::MAX) * 64.0).contains(&rate) {
            return Err(EngineError::not_supported(format!("cannot encode audio at {} Hz", audio.sample_rate)));
        }
        let frame = frame_from_buffer(audio, rate as u32)?;
        let key = (frame.format(), audio.number_of_channels, rate as u32);
        if self.resampler.as_ref().is_none_or(|(k, _)| *k != key) {
            self.resampler = None;
            let plan = &self.plan;
            let ctx =
                resampling::Context::get(key.0, default_layout(key.1)?, key.2, plan.format, plan.layout, plan.rate)
                    .map_err(|e| EngineError::not_supported(format!("cannot convert the audio: {e}")))?;
            self.resampler = Some((key, ctx));
        }
        self.opened()?.0.clock.start_us.get_or_insert(input.timestamp);
        let capacity = audio.number_of_frames * self.plan.rate as usize / key.2 as usize + 256;
        let converted = self.resample(Some(&frame), capacity)?;
        self.fifo.push(&converted)?;
        self.opened()?.0.clock.samples_real += converted.samples() as i64;
        self.send_whole_frames(sink)
    }

    /// Encodes what is left (the last frame padded where the codec needs whole frames)
    /// and ends the stream; the next input starts a new one.
    fn flush(&mut self, sink: &mut dyn FnMut(EncodedAudioPacket)) -> Result<()> {
        let started = self.stream.as_ref().is_some_and(|s| s.clock.start_us.is_some());
        if !started {
            return Ok(());
        }
        loop {
            let tail = self.resample(None, 4096)?;
            if tail.samples() == 0 {
                break;
            }
            self.fifo.push(&tail)?;
            self.opened()?.0.clock.samples_real += tail.samples() as i64;
        }
        self.resampler = None;
        let priming = i64::from(self.priming);
        let clock = &mut self.opened()?.0.clock;
        clock.end = Some(priming + clock.samples_real);
        self.send_whole_frames(sink)?;
        if self.fifo.len() > 0 {
            let size = if self.pad_last { self.packager.frame_size } else { self.fifo.len() };
            let frame = self.fifo.pop(self.fifo.len(), size, self.plan.layout, self.plan.rate)?;
            self.send(Some(frame), sink)?;
        }
        self.send(None, sink)?;
        self.stream = None;
        Ok(())
    }
}

impl AudioEncoder {
    fn with_encoder(
        config: AudioEncoderConfig,
        plan: Plan,
        ffmpeg: FfmpegAudioEncoder,
        enc: encoder::Audio,
    ) -> Result<Self> {
        let frame_size = enc.frame_size() as usize;
        let caps = plan.codec().capabilities();
        let pad_last = frame_size > 0
            && !caps.intersects(codec::Capabilities::SMALL_LAST_FRAME | codec::Capabilities::VARIABLE_FRAME_SIZE);
        let priming = initial_padding(&enc);
        let extradata = extradata(&enc);
        let packager = Packager {
            rate: plan.rate,
            frame_size,
            whole_frames: ffmpeg.decodes_whole_frames(),
            adts: (ffmpeg == FfmpegAudioEncoder::Aac && config.aac_format == AacFormat::Adts)
                .then(|| extradata.clone()),
            decoder_config: decoder_config(&config, plan.rate, plan.channels, &extradata)?,
            active_config: None,
        };
        Ok(Self {
            fifo: SampleFifo::new(plan.format, plan.channels),
            stream: Some(Stream { encoder: enc, clock: Clock::default() }),
            config,
            plan,
            ffmpeg,
            pad_last,
            priming,
            resampler: None,
            packager,
        })
    }

    /// The FFmpeg encoder in use.
    pub fn encoder_name(&self) -> &'static str {
        self.ffmpeg.name()
    }

    pub fn config(&self) -> &AudioEncoderConfig {
        &self.config
    }

    /// Samples of codec delay at the start of each stream (FFmpeg's `initial_padding`).
    pub fn priming_samples(&self) -> u32 {
        self.priming
    }

    /// Samples per encoded frame (0: any number).
    pub fn frame_size(&self) -> usize {
        self.packager.frame_size
    }

    /// Reads a libopus setting of the open stream (None for other encoders).
    #[cfg(test)]
    pub(crate) fn opus_setting(&self, request: std::ffi::c_int) -> Option<std::ffi::c_int> {
        self.stream.as_ref().and_then(|s| crate::ffi::libopus::get(&s.encoder, request))
    }

    /// The config a decoder needs for this encoder's chunks.
    pub fn decoder_config(&self) -> &AudioDecoderConfig {
        &self.packager.decoder_config
    }

    /// Runs the resampler (`None`: drain it) into a frame of at most `capacity` samples.
    fn resample(&mut self, input: Option<&frame::Audio>, capacity: usize) -> Result<frame::Audio> {
        let mut converted = frame::Audio::new(self.plan.format, capacity, self.plan.layout);
        let Some((_, resampler)) = self.resampler.as_mut() else {
            converted.set_samples(0);
            return Ok(converted);
        };
        let result = match input {
            Some(input) => resampler.run(input, &mut converted),
            None => resampler.flush(&mut converted),
        };
        result.map_err(|e| EngineError::encoding(format!("converting audio: {e}")))?;
        Ok(converted)
    }

    fn send_whole_frames(&mut self, sink: &mut dyn FnMut(EncodedAudioPacket)) -> Result<()> {
        loop {
            let available = self.fifo.len();
            let count = if self.packager.frame_size == 0 { available } else { self.packager.frame_size };
            if available == 0 || available < count {
                return Ok(());
            }
            let frame = self.fifo.pop(count, count, self.plan.layout, self.plan.rate)?;
            self.send(Some(frame), sink)?;
        }
    }

    /// Sends a frame (`None`: the end of the stream) and emits the chunks that are ready.
    fn send(&mut self, frame: Option<frame::Audio>, sink: &mut dyn FnMut(EncodedAudioPacket)) -> Result<()> {
        let (stream, packager) = self.opened()?;
        let mut frame = frame;
        if let Some(frame) = frame.as_mut() {
            frame.set_pts(Some(stream.clock.samples_in));
            stream.clock.samples_in += frame.samples() as i64;
        }
        let Stream { encoder, clock } = stream;
        exchange(encoder, frame.as_ref(), |packet| {
            // FLAC ends with an empty packet carrying only its final STREAMINFO.
            if packet.size() > 0 {
                if let Some(chunk) = packager.chunk(clock, &packet)? {
                    sink(chunk);
                }
            }
            Ok(())
        })
    }

    /// The stream, opened again after a flush, and the packager for its packets.
    fn opened(&mut self) -> Result<(&mut Stream, &mut Packager)> {
        if self.stream.is_none() {
            let name = self.ffmpeg.name();
            let encoder = self.plan.open().map_err(|e| EngineError::encoding(format!("reopening {name}: {e}")))?;
            self.fifo.clear();
            self.stream = Some(Stream { encoder, clock: Clock::default() });
        }
        let stream = self.stream.as_mut().ok_or_else(|| EngineError::encoding("no encoder"))?;
        Ok((stream, &mut self.packager))
    }
}

impl Packager {
    /// A chunk stamped from the stream's first input onwards, by samples: timestamps and
    /// durations are exact and contiguous whatever the rate. Once flushing, chunks end at
    /// the stream's last real sample; `None` for a chunk that would hold only padding.
    fn chunk(&mut self, clock: &mut Clock, packet: &Packet) -> Result<Option<EncodedAudioPacket>> {
        let frame_size = self.frame_size.max(1) as i64;
        let mut samples = if packet.duration() > 0 && !self.whole_frames { packet.duration() } else { frame_size };
        if let Some(end) = clock.end {
            samples = samples.min(end - clock.samples_out);
            if samples <= 0 {
                return Ok(None);
            }
        }
        let start = clock.start_us.unwrap_or(0);
        let timestamp_us = start.saturating_add(samples_to_us(clock.samples_out, self.rate));
        clock.samples_out += samples;
        let duration_us = start.saturating_add(samples_to_us(clock.samples_out, self.rate)) - timestamp_us;
        let payload = packet.data().unwrap_or(&[]);
        let data = match &self.adts {
            Some(asc) => adts_frame(asc, payload)?,
            None => payload.to_vec(),
        };
        let decoder_config =
            (self.active_config.as_ref() != Some(&self.decoder_config)).then(|| self.decoder_config.clone());
        if decoder_config.is_some() {
            self.active_config = Some(self.decoder_config.clone());
        }
        Ok(Some(EncodedAudioPacket { data, timestamp_us, duration_us, decoder_config }))
    }
}
