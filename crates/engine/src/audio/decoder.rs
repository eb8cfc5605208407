//! An audio decoder session (https://w3c.github.io/webcodecs/#audiodecoder-interface):
//! chunks in, `AudioData` out in the sample format closest to FFmpeg's, with the codec's
//! priming trimmed from the start of each stream.

use ffmpeg_next::format::Sample;
use ffmpeg_next::software::resampling;
use ffmpeg_next::{codec, decoder, frame, Rational};

use super::fifo::buffer_from_frame;
use super::{default_layout, require_rate_and_channels, samples_to_us, AudioBuffer, AudioCodec, SampleFormat};
use crate::ffi::codec::{set_audio_params, set_extradata, set_skip_manual};
use crate::session::{chunk_packet, exchange, open_first, EncodedInput, Session, TimestampMap, TIME_BASE};
use crate::{EngineError, Result};

/// `AudioDecoderConfig` after the binding's validation; also the `decoderConfig` an
/// encoder reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AudioDecoderConfig {
    pub codec: AudioCodec,
    pub sample_rate: u32,
    pub number_of_channels: u32,
    pub description: Option<Vec<u8>>,
}

/// Decoded audio and the timestamp of its first sample.
pub struct DecodedAudio {
    pub buffer: AudioBuffer,
    pub timestamp_us: i64,
}

/// Priming of FFmpeg's AAC-LC encoder (one frame), which AudioSpecificConfig cannot carry.
pub const AAC_PRIMING: u32 = 1024;
/// LAME's encoder delay (576) plus the MP3 decoder's delay (529), the conventional
/// priming of an MP3 stream without a LAME tag.
pub const MP3_PRIMING: u32 = 576 + 529;

pub struct AudioDecoder {
    decoder: decoder::Audio,
    output: AudioOutput,
}

/// What turns the decoder's frames into outputs: timestamps, and the priming to trim.
struct AudioOutput {
    timestamps: TimestampMap,
    /// Samples of codec delay at the start of each stream, at the output rate.
    priming: u32,
    /// Priming samples still to drop in this stream.
    to_skip: u32,
    /// The pts, chunk timestamp, chunk duration in samples and samples already decoded
    /// (priming included) of the chunk being decoded.
    current: Option<(i64, i64, Option<i64>, i64)>,
    /// Where the stream's samples are on the timeline: the time of its first decoded
    /// sample and the samples decoded since (priming included). Rebased when a chunk's
    /// timestamp jumps; otherwise outputs follow it sample-exactly.
    timeline: Option<(i64, i64)>,
    converter: Option<((Sample, u16, u32), resampling::Context)>,
}

impl Session for AudioDecoder {
    type Config = AudioDecoderConfig;
    type Input = EncodedInput;
    type Output = DecodedAudio;

    fn open(config: AudioDecoderConfig) -> Result<Self> {
        let (extradata, priming) = setup(&config)?;
        let names = config.codec.decoder_names().iter().map(|&name| (name, name));
        let mut decoder = open_first("decode", &config.codec, names, decoder::find_by_name, |name, codec| {
            let mut ctx = codec::Context::new_with_codec(codec);
            set_audio_params(&mut ctx, config.sample_rate, config.number_of_channels);
            set_skip_manual(&mut ctx);
            if let Some(extradata) = &extradata {
                set_extradata(&mut ctx, extradata)?;
            }
            Ok(ctx.decoder().open_as(codec).and_then(|d| d.audio()).map_err(|e| format!("{name}: {e}"))?)
        })?;
        decoder.set_packet_time_base(Rational::new(TIME_BASE.0, TIME_BASE.1));
        let output = AudioOutput {
            timestamps: TimestampMap::default(),
            priming,
            to_skip: priming,
            current: None,
            timeline: None,
            converter: None,
        };
        Ok(Self { decoder, output })
    }

    /// Decodes one chunk and emits the audio that became ready.
    fn push(&mut self, chunk: EncodedInput, sink: &mut dyn FnMut(DecodedAudio)) -> Result<()> {
        let packet = chunk_packet(&mut self.output.timestamps, &chunk)?;
        let output = &mut self.output;
        exchange(&mut self.decoder, Some(&packet), |frame| {
            if let Some(decoded) = output.output(frame)? {
                sink(decoded);
            }
            Ok(())
        })
    }

    /// Emits everything pending, then readies the decoder for a new stream (whose priming
    /// is dropped again).
    fn flush(&mut self, sink: &mut dyn FnMut(DecodedAudio)) -> Result<()> {
        let output = &mut self.output;
        exchange(&mut self.decoder, None, |frame| {
            if let Some(decoded) = output.output(frame)? {
                sink(decoded);
            }
            Ok(())
        })?;
        self.decoder.flush();
        output.timestamps.clear();
        output.to_skip = output.priming;
        output.current = None;
        output.timeline = None;
        Ok(())
    }
}

impl AudioDecoder {
    /// Samples this decoder drops at the start of each stream.
    pub fn priming_samples(&self) -> u32 {
        self.output.priming
    }
}

impl AudioOutput {
    /// Stamps a frame with its chunk's timestamp (plus its offset in the chunk), drops the
    /// priming still due, and shifts the rest back by the priming.
    fn output(&mut self, frame: frame::Audio) -> Result<Option<DecodedAudio>> {
        let samples = frame.samples() as i64;
        let rate = frame.rate();
        if samples == 0 {
            return Ok(None);
        }
        if rate == 0 {
            return Err(EngineError::encoding("decoder produced audio without a sample rate"));
        }
        let pts = frame.pts().or(frame.timestamp());
        let (chunk_us, length, offset) = match (self.current, pts) {
            (Some((current, chunk_us, length, offset)), Some(pts)) if current == pts => (chunk_us, length, offset),
            _ => {
                let (chunk_us, duration_us) = self.timestamps.take(pts);
                let length = duration_us.map(|d| (i128::from(d) * i128::from(rate) + 500_000) / 1_000_000);
                (chunk_us, length.map(|l| i64::try_from(l).unwrap_or(i64::MAX)), 0)
            }
        };
        self.current = pts.map(|p| (p, chunk_us, length, offset + samples));
        // A chunk covers `duration` samples of the stream (its priming included): an
        // encoder's last chunk says so to drop the padding of its last frame.
        let samples = length.map_or(samples, |l| samples.min((l - offset).max(0)));
        if samples == 0 {
            return Ok(None);
        }
        let skip = i64::from(self.to_skip).min(samples);
        self.to_skip -= skip as u32;
        let decoded_us = chunk_us.saturating_add(samples_to_us(offset, rate));
        let (base_us, decoded) = match self.timeline {
            Some((base, n)) if (base.saturating_add(samples_to_us(n, rate)) - decoded_us).abs() <= 1 => (base, n),
            _ => (decoded_us, 0),
        };
        self.timeline = Some((base_us, decoded + samples));
        let frame = self.webcodecs_frame(frame)?;
        let Some(buffer) = buffer_from_frame(&frame, skip as usize, samples as usize)? else {
            return Ok(None);
        };
        let timestamp_us = base_us.saturating_add(samples_to_us(decoded + skip - i64::from(self.priming), rate));
        Ok(Some(DecodedAudio { buffer, timestamp_us }))
    }

    /// The frame itself when WebCodecs has its sample format; doubles become f32 and
    /// 64-bit integers s32, keeping planarity.
    fn webcodecs_frame(&mut self, frame: frame::Audio) -> Result<frame::Audio> {
        let format = frame.format();
        if SampleFormat::from_av(format).is_some() {
            return Ok(frame);
        }
        let target = match format {
            Sample::F64(kind) => Sample::F32(kind),
            Sample::I64(kind) => Sample::I32(kind),
            other => return Err(EngineError::encoding(format!("decoder produced {other:?} samples"))),
        };
        let key = (format, frame.channels(), frame.rate());
        let layout = default_layout(usize::from(key.1))?;
        if self.converter.as_ref().is_none_or(|(k, _)| *k != key) {
            let ctx = resampling::Context::get(format, layout, key.2, target, layout, key.2)
                .map_err(|e| EngineError::encoding(format!("cannot convert {format:?}: {e}")))?;
            self.converter = Some((key, ctx));
        }
        let Some((_, converter)) = self.converter.as_mut() else {
            return Err(EngineError::encoding("no converter"));
        };
        let mut input = frame;
        input.set_channel_layout(layout);
        let mut converted = frame::Audio::new(target, input.samples(), layout);
        converter.run(&input, &mut converted).map_err(|e| EngineError::encoding(format!("converting: {e}")))?;
        Ok(converted)
    }
}

/// The extradata FFmpeg gets and the priming to trim, from the config.
fn setup(config: &AudioDecoderConfig) -> Result<(Option<Vec<u8>>, u32)> {
    require_rate_and_channels(config.sample_rate, config.number_of_channels)?;
    let description = config.description.clone();
    match config.codec {
        AudioCodec::Opus => {
            let head = match description {
                Some(head) => head,
                None => default_opus_head(config)?,
            };
            if head.len() < 19 || !head.starts_with(b"OpusHead") {
                return Err(EngineError::not_supported("description is not an OpusHead"));
            }
            let pre_skip = u16::from_le_bytes([head[10], head[11]]);
            Ok((Some(head), u32::from(pre_skip)))
        }
        AudioCodec::Aac { object_type } => {
            // The description's object type wins over the codec string's.
            let object_type = description.as_ref().and_then(|d| d.first()).map_or(object_type, |b| b >> 3);
            Ok((description, if object_type == 2 { AAC_PRIMING } else { 0 }))
        }
        AudioCodec::Mp3 => Ok((description, MP3_PRIMING)),
        AudioCodec::Flac if !description.as_deref().is_some_and(is_flac_header) => {
            Err(EngineError::not_supported("a FLAC description must be \"fLaC\" followed by a STREAMINFO block"))
        }
        AudioCodec::Vorbis if description.is_none() => {
            Err(EngineError::not_supported("Vorbis needs a description: its three header packets, Xiph-laced"))
        }
        _ => Ok((description, 0)),
    }
}

/// What the FLAC registration requires of a description: "fLaC", then a metadata block
/// header of type 0 (STREAMINFO, the last-block flag either way) and its 34 bytes.
fn is_flac_header(description: &[u8]) -> bool {
    const STREAMINFO_LEN: usize = 34;
    match description {
        [b'f', b'L', b'a', b'C', kind, a, b, c, body @ ..] => {
            let length = (usize::from(*a) << 16) | (usize::from(*b) << 8) | usize::from(*c);
            kind & 0x7f == 0 && length == STREAMINFO_LEN && body.len() >= STREAMINFO_LEN
        }
        _ => false,
    }
}

/// The OpusHead a chunk stream without a description implies: mono or stereo, no
/// pre-skip, no gain (RFC 7845 5.1).
fn default_opus_head(config: &AudioDecoderConfig) -> Result<Vec<u8>> {
    if config.number_of_channels > 2 {
        return Err(EngineError::not_supported("Opus with more than 2 channels needs a description"));
    }
    let mut head = b"OpusHead".to_vec();
    head.push(1);
    head.push(config.number_of_channels as u8);
    head.extend_from_slice(&0u16.to_le_bytes());
    head.extend_from_slice(&config.sample_rate.to_le_bytes());
    head.extend_from_slice(&0i16.to_le_bytes());
    head.push(0);
    Ok(head)
}
