//! An audio decoder session (https://w3c.github.io/webcodecs/#audiodecoder-interface):
//! chunks in, `AudioData` out in the sample format closest to FFmpeg's, with the codec's
//! priming trimmed from the start of each stream and the samples the decoder itself marks
//! for skipping left out.

use ffmpeg_next::format::Sample;
use ffmpeg_next::frame::side_data;
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
    /// Samples the decoder's skip side data still asks to drop from the next frame's start.
    codec_skip: i64,
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
        Ok(Self { decoder, output: AudioOutput::new(priming) })
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
        output.codec_skip = 0;
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

/// A decoder's `AV_FRAME_DATA_SKIP_SAMPLES`, which FFmpeg leaves to us (the context is
/// opened with `AV_CODEC_FLAG2_SKIP_MANUAL`): samples to drop from the start of the frame
/// (running on into the next frames when it is longer) and from its end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct SkipSamples {
    start: i64,
    end: i64,
}

impl SkipSamples {
    fn of(frame: &frame::Audio) -> Option<Self> {
        let side = frame.side_data(side_data::Type::SkipSamples)?;
        let data = side.data();
        // Negative counts mean nothing to drop, as FFmpeg's own skipping reads them.
        let field = |at: usize| -> Option<i64> {
            let bytes: [u8; 4] = data.get(at..at + 4)?.try_into().ok()?;
            Some(i64::from(i32::from_le_bytes(bytes)).max(0))
        };
        Some(Self { start: field(0)?, end: field(4)? })
    }
}

impl AudioOutput {
    fn new(priming: u32) -> Self {
        Self {
            timestamps: TimestampMap::default(),
            priming,
            to_skip: priming,
            codec_skip: 0,
            current: None,
            timeline: None,
            converter: None,
        }
    }

    fn output(&mut self, frame: frame::Audio) -> Result<Option<DecodedAudio>> {
        let skip = SkipSamples::of(&frame);
        self.output_with(frame, skip)
    }

    /// Stamps a frame with its chunk's timestamp (plus its offset in the chunk), drops the
    /// priming still due and what the decoder's `skip` asks, and shifts the rest back by
    /// the priming.
    ///
    /// The decoder's skip is the decoder's own delay (Vorbis's first block since FFmpeg
    /// 7.1, Opus's pre-skip), counted from the frame's first sample, so at the start of a
    /// stream it covers the same samples as the priming rather than adding to it. Skipped
    /// samples keep their place on the timeline, as FFmpeg's own skipping moves a frame's
    /// pts past them; only the priming moves the timeline back.
    fn output_with(&mut self, frame: frame::Audio, skip: Option<SkipSamples>) -> Result<Option<DecodedAudio>> {
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
        if let Some(skip) = skip {
            self.codec_skip = skip.start;
        }
        let codec_start = self.codec_skip.min(samples);
        self.codec_skip -= codec_start;
        // FFmpeg ignores an end to discard longer than the frame; so do we.
        let codec_end = skip.map_or(samples, |s| if s.end <= samples { samples - s.end } else { samples });
        // A chunk covers `duration` samples of the stream (its priming included): an
        // encoder's last chunk says so to drop the padding of its last frame.
        let samples = length.map_or(codec_end, |l| codec_end.min((l - offset).max(0)));
        if samples == 0 {
            return Ok(None);
        }
        let priming = i64::from(self.to_skip).min(samples);
        self.to_skip -= priming as u32;
        let skip = priming.max(codec_start);
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

#[cfg(test)]
mod tests {
    use ffmpeg_next::format::sample::Type::Planar;

    use super::*;
    use crate::ffi::frame::plane_mut;

    const RATE: u32 = 48_000;

    /// Feeds `out` a mono f32 frame of `n` samples counting up from `first`, as the decoder
    /// would give it for the chunk at `timestamp` (of `duration` µs, when known) with
    /// `skip` side data; returns the output's first sample, length and timestamp.
    fn step(
        out: &mut AudioOutput,
        (n, first): (usize, f32),
        (timestamp, duration): (i64, Option<i64>),
        skip: Option<(i64, i64)>,
    ) -> Option<(f32, usize, i64)> {
        let mut frame = frame::Audio::new(Sample::F32(Planar), n, default_layout(1).unwrap());
        frame.set_rate(RATE);
        frame.set_pts(Some(out.timestamps.push(timestamp, duration)));
        let plane = plane_mut(&mut frame, 0, n * 4).unwrap();
        for (i, sample) in plane.chunks_exact_mut(4).enumerate() {
            sample.copy_from_slice(&(first + i as f32).to_ne_bytes());
        }
        let skip = skip.map(|(start, end)| SkipSamples { start, end });
        out.output_with(frame, skip).unwrap().map(|d| {
            let first = f32::from_ne_bytes(d.buffer.samples()[..4].try_into().unwrap());
            (first, d.buffer.number_of_frames, d.timestamp_us)
        })
    }

    #[test]
    fn a_decoder_skip_on_the_first_frame_drops_it_and_leaves_the_timeline_alone() {
        // Vorbis from FFmpeg 7.1: the first packet's 128 samples, marked to skip; FFmpeg
        // 5.1 gave no frame for that packet, and the rest comes out as it did there.
        let mut out = AudioOutput::new(0);
        assert_eq!(step(&mut out, (128, 0.0), (0, None), Some((128, 0))), None);
        assert_eq!(step(&mut out, (1024, 128.0), (10_000, None), None), Some((128.0, 1024, 10_000)));
        assert_eq!(step(&mut out, (1024, 1152.0), (31_333, None), None), Some((1152.0, 1024, 31_333)));
    }

    #[test]
    fn a_decoder_skip_over_the_priming_drops_it_once() {
        // Opus: FFmpeg marks the pre-skip that the priming already drops.
        let mut out = AudioOutput::new(312);
        assert_eq!(step(&mut out, (960, 0.0), (1_000, Some(20_000)), Some((312, 0))), Some((312.0, 648, 1_000)));
        assert_eq!(step(&mut out, (960, 960.0), (21_000, Some(20_000)), None), Some((960.0, 960, 14_500)));
    }

    #[test]
    fn the_longer_of_the_priming_and_the_decoder_skip_is_dropped() {
        let mut out = AudioOutput::new(1024);
        assert_eq!(step(&mut out, (1024, 0.0), (0, None), Some((128, 0))), None);
        assert_eq!(step(&mut out, (1024, 1024.0), (21_333, None), None), Some((1024.0, 1024, 0)));
    }

    #[test]
    fn a_decoder_skip_runs_into_the_next_frame_and_an_end_discard_drops_the_tail() {
        let mut out = AudioOutput::new(0);
        let chunk = |timestamp| (timestamp, Some(10_000));
        assert_eq!(step(&mut out, (480, 0.0), chunk(0), Some((600, 0))), None);
        assert_eq!(step(&mut out, (480, 480.0), chunk(10_000), None), Some((600.0, 360, 12_500)));
        assert_eq!(step(&mut out, (480, 960.0), chunk(20_000), Some((0, 80))), Some((960.0, 400, 20_000)));
        // An end longer than the frame is ignored, as FFmpeg does.
        assert_eq!(step(&mut out, (480, 1440.0), chunk(30_000), Some((0, 481))), Some((1440.0, 480, 30_000)));
    }
}
