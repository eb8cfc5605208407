//! An audio encoder session (https://w3c.github.io/webcodecs/#audioencoder-interface):
//! `AudioData` of any format, rate and channel count in, converted with swresample and
//! re-chunked to the codec's frame size; encoded chunks out, stamped sample-exactly.

use ffmpeg_next::format::Sample;
use ffmpeg_next::software::resampling;
use ffmpeg_next::{codec, encoder, ChannelLayout, Codec, Dictionary, Packet, Rational};

use std::ffi::c_int;

use super::{
    default_layout, frame_from_buffer, libopus, raw, samples_to_us, AudioCodec, AudioDecoderConfig, SampleFifo,
};
use crate::audio::AudioBuffer;
use crate::video::{step, Step};
use crate::{EngineError, Result};

/// `OpusBitstreamFormat`. Chunks are Opus packets in both: an Ogg stream's audio data
/// packets are exactly those (RFC 7845 section 3). `ogg` requires the identification
/// header as the description; `opus` needs none, and gets it too, as browsers give it,
/// because muxers (WebM CodecPrivate, MP4 dOps) and decoders need its pre-skip.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum OpusFormat {
    #[default]
    Opus,
    Ogg,
}

/// `AacBitstreamFormat`: raw frames plus an AudioSpecificConfig description, or ADTS.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum AacFormat {
    #[default]
    Aac,
    Adts,
}

/// `BitrateMode` for audio.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum BitrateMode {
    Constant,
    #[default]
    Variable,
}

/// `OpusEncoderConfig` (https://w3c.github.io/webcodecs/opus_codec_registration.html).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpusEncoderConfig {
    pub format: OpusFormat,
    pub frame_duration_us: u64,
    /// 0..=10; libopus's default (10) when absent.
    pub complexity: Option<u32>,
    pub packetlossperc: u32,
    pub useinbandfec: bool,
    /// FFmpeg's `dtx` option where it has one, else set on libopus directly.
    pub usedtx: bool,
    /// `auto`, `music` or `voice`: set on libopus directly (FFmpeg has no option for it).
    pub signal: Option<String>,
    /// `voip`, `audio` or `lowdelay`.
    pub application: Option<String>,
}

impl Default for OpusEncoderConfig {
    fn default() -> Self {
        Self {
            format: OpusFormat::Opus,
            frame_duration_us: 20_000,
            complexity: None,
            packetlossperc: 0,
            useinbandfec: false,
            usedtx: false,
            signal: None,
            application: None,
        }
    }
}

/// `AudioEncoderConfig` after the binding's validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AudioEncoderConfig {
    pub codec: AudioCodec,
    pub sample_rate: u32,
    pub number_of_channels: u32,
    /// Bits per second.
    pub bitrate: Option<u64>,
    pub bitrate_mode: BitrateMode,
    pub opus: OpusEncoderConfig,
    pub aac_format: AacFormat,
}

impl AudioEncoderConfig {
    pub fn new(codec: AudioCodec, sample_rate: u32, number_of_channels: u32) -> Self {
        Self {
            codec,
            sample_rate,
            number_of_channels,
            bitrate: None,
            bitrate_mode: BitrateMode::Variable,
            opus: OpusEncoderConfig::default(),
            aac_format: AacFormat::Aac,
        }
    }
}

/// One `EncodedAudioChunk` (always a key chunk) plus its metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncodedAudioPacket {
    pub data: Vec<u8>,
    pub timestamp_us: i64,
    pub duration_us: i64,
    /// `metadata.decoderConfig`: on the first chunk and whenever it changes.
    pub decoder_config: Option<AudioDecoderConfig>,
}

/// How the FFmpeg encoder is opened: fixed at configure, reused after each flush.
struct Plan {
    codec: Codec,
    format: Sample,
    rate: u32,
    channels: usize,
    layout: ChannelLayout,
    options: Vec<(&'static str, String)>,
    /// libopus requests (and values) FFmpeg has no option for, sent after each open.
    opus_requests: Vec<(c_int, c_int)>,
    bitrate: Option<usize>,
    compression: Option<usize>,
}

impl Plan {
    fn open(&self) -> std::result::Result<encoder::Audio, String> {
        let mut ctx = codec::Context::new_with_codec(self.codec);
        raw::set_audio_params(&mut ctx, self.rate, self.channels as u32);
        let mut enc = ctx.encoder().audio().map_err(|e| e.to_string())?;
        enc.set_format(self.format);
        enc.set_time_base(Rational::new(1, self.rate as i32));
        if let Some(bitrate) = self.bitrate {
            enc.set_bit_rate(bitrate);
        }
        enc.set_compression(self.compression);
        let mut options = Dictionary::new();
        for (key, value) in &self.options {
            options.set(key, value);
        }
        let enc = enc.open_with(options).map_err(|e| e.to_string())?;
        for &(request, value) in &self.opus_requests {
            libopus::set(&enc, request, value)?;
        }
        Ok(enc)
    }
}

/// One stream: from the first input after configure or flush to the next flush.
struct Stream {
    encoder: encoder::Audio,
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

pub struct AudioEncoder {
    config: AudioEncoderConfig,
    plan: Plan,
    name: &'static str,
    stream: Option<Stream>,
    /// Samples per codec frame; 0 when the codec takes any number.
    frame_size: usize,
    /// Whether a short last frame must be padded to `frame_size`.
    pad_last: bool,
    priming: u32,
    fifo: SampleFifo,
    resampler: Option<((Sample, usize, u32), resampling::Context)>,
    /// The encoder's extradata (an AudioSpecificConfig, which ADTS headers repeat, for AAC).
    extradata: Vec<u8>,
    decoder_config: AudioDecoderConfig,
    active_config: Option<AudioDecoderConfig>,
}

impl AudioEncoder {
    /// Configures an encoder; `NotSupported` when this FFmpeg has no encoder for the codec
    /// or it cannot honour the config.
    pub fn new(config: AudioEncoderConfig) -> Result<Self> {
        crate::init();
        if config.sample_rate == 0 || config.number_of_channels == 0 {
            return Err(EngineError::type_error("sampleRate and numberOfChannels must be non-zero"));
        }
        let channels = config.number_of_channels as usize;
        let layout = default_layout(channels)?;
        let mut reasons = Vec::new();
        for &name in config.codec.encoder_names() {
            let Some(codec) = encoder::find_by_name(name) else {
                reasons.push(format!("{name} is not in this FFmpeg"));
                continue;
            };
            let plan = match plan(&config, codec, name, layout) {
                Ok(plan) => plan,
                Err(e) => {
                    reasons.push(e.message().to_owned());
                    continue;
                }
            };
            match plan.open() {
                Ok(enc) => return Self::with_encoder(config, plan, name, enc),
                Err(e) => reasons.push(format!("{name}: {e}")),
            }
        }
        if reasons.is_empty() {
            reasons.push("no encoder".to_owned());
        }
        Err(EngineError::not_supported(format!("cannot encode {}: {}", config.codec, reasons.join("; "))))
    }

    fn with_encoder(config: AudioEncoderConfig, plan: Plan, name: &'static str, enc: encoder::Audio) -> Result<Self> {
        let frame_size = enc.frame_size() as usize;
        let caps = plan.codec.capabilities();
        let pad_last = frame_size > 0
            && !caps.intersects(codec::Capabilities::SMALL_LAST_FRAME | codec::Capabilities::VARIABLE_FRAME_SIZE);
        let priming = raw::initial_padding(&enc);
        let extradata = raw::extradata(&enc);
        let decoder_config = decoder_config(&config, &plan, &extradata)?;
        Ok(Self {
            fifo: SampleFifo::new(plan.format, plan.channels),
            stream: Some(Stream {
                encoder: enc,
                start_us: None,
                samples_in: 0,
                samples_out: 0,
                samples_real: 0,
                end: None,
            }),
            config,
            plan,
            name,
            frame_size,
            pad_last,
            priming,
            resampler: None,
            extradata,
            decoder_config,
            active_config: None,
        })
    }

    /// The FFmpeg encoder in use.
    pub fn encoder_name(&self) -> &'static str {
        self.name
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
        self.frame_size
    }

    /// Reads a libopus setting of the open stream (None for other encoders).
    #[cfg(test)]
    pub(crate) fn opus_setting(&self, request: c_int) -> Option<c_int> {
        self.stream.as_ref().and_then(|s| libopus::get(&s.encoder, request))
    }

    /// The config a decoder needs for this encoder's chunks.
    pub fn decoder_config(&self) -> &AudioDecoderConfig {
        &self.decoder_config
    }

    /// Encodes `audio` and returns the chunks that are ready. Only the first input after
    /// configure or flush sets the timeline; later chunks follow it sample by sample.
    pub fn encode(&mut self, audio: &AudioBuffer, timestamp_us: i64) -> Result<Vec<EncodedAudioPacket>> {
        let rate = audio.sample_rate.round();
        if !(1.0..=f32::from(u16::MAX) * 64.0).contains(&rate) {
            return Err(EngineError::not_supported(format!("cannot encode audio at {} Hz", audio.sample_rate)));
        }
        let input = frame_from_buffer(audio, rate as u32)?;
        let key = (input.format(), audio.number_of_channels, rate as u32);
        if self.resampler.as_ref().is_none_or(|(k, _)| *k != key) {
            self.resampler = None;
            let ctx = resampling::Context::get(
                key.0,
                default_layout(key.1)?,
                key.2,
                self.plan.format,
                self.plan.layout,
                self.plan.rate,
            )
            .map_err(|e| EngineError::not_supported(format!("cannot convert the audio: {e}")))?;
            self.resampler = Some((key, ctx));
        }
        let mut out = Vec::new();
        self.opened()?.start_us.get_or_insert(timestamp_us);
        let capacity = audio.number_of_frames * self.plan.rate as usize / key.2 as usize + 256;
        let converted = self.resample(Some(&input), capacity)?;
        self.fifo.push(&converted)?;
        self.opened()?.samples_real += converted.samples() as i64;
        self.send_whole_frames(&mut out)?;
        Ok(out)
    }

    /// Encodes what is left (the last frame padded where the codec needs whole frames)
    /// and ends the stream; the next `encode` starts a new one.
    pub fn flush(&mut self) -> Result<Vec<EncodedAudioPacket>> {
        let mut out = Vec::new();
        let started = self.stream.as_ref().is_some_and(|s| s.start_us.is_some());
        if !started {
            return Ok(out);
        }
        loop {
            let tail = self.resample(None, 4096)?;
            if tail.samples() == 0 {
                break;
            }
            self.fifo.push(&tail)?;
            self.opened()?.samples_real += tail.samples() as i64;
        }
        self.resampler = None;
        let priming = i64::from(self.priming);
        let stream = self.opened()?;
        stream.end = Some(priming + stream.samples_real);
        self.send_whole_frames(&mut out)?;
        if self.fifo.len() > 0 {
            let size = if self.pad_last { self.frame_size } else { self.fifo.len() };
            let frame = self.fifo.pop(self.fifo.len(), size, self.plan.layout, self.plan.rate)?;
            self.send(frame, &mut out)?;
        }
        if let Some(stream) = self.stream.as_mut() {
            step(stream.encoder.send_eof(), "flush")?;
        }
        self.drain(&mut out)?;
        self.stream = None;
        Ok(out)
    }

    /// Runs the resampler (`None`: drain it) into a frame of at most `capacity` samples.
    fn resample(
        &mut self,
        input: Option<&ffmpeg_next::frame::Audio>,
        capacity: usize,
    ) -> Result<ffmpeg_next::frame::Audio> {
        let mut converted = ffmpeg_next::frame::Audio::new(self.plan.format, capacity, self.plan.layout);
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

    fn send_whole_frames(&mut self, out: &mut Vec<EncodedAudioPacket>) -> Result<()> {
        loop {
            let available = self.fifo.len();
            let count = if self.frame_size == 0 { available } else { self.frame_size };
            if available == 0 || available < count {
                return Ok(());
            }
            let frame = self.fifo.pop(count, count, self.plan.layout, self.plan.rate)?;
            self.send(frame, out)?;
        }
    }

    fn send(&mut self, mut frame: ffmpeg_next::frame::Audio, out: &mut Vec<EncodedAudioPacket>) -> Result<()> {
        let stream = self.opened()?;
        frame.set_pts(Some(stream.samples_in));
        stream.samples_in += frame.samples() as i64;
        if let Step::Again = step(stream.encoder.send_frame(&frame), "encode")? {
            self.drain(out)?;
            let stream = self.opened()?;
            if let Step::Again = step(stream.encoder.send_frame(&frame), "encode")? {
                return Err(EngineError::encoding("encoder accepts no input"));
            }
        }
        self.drain(out)
    }

    fn opened(&mut self) -> Result<&mut Stream> {
        if self.stream.is_none() {
            let encoder =
                self.plan.open().map_err(|e| EngineError::encoding(format!("reopening {}: {e}", self.name)))?;
            self.fifo.clear();
            self.stream =
                Some(Stream { encoder, start_us: None, samples_in: 0, samples_out: 0, samples_real: 0, end: None });
        }
        self.stream.as_mut().ok_or_else(|| EngineError::encoding("no encoder"))
    }

    fn drain(&mut self, out: &mut Vec<EncodedAudioPacket>) -> Result<()> {
        loop {
            let mut packet = Packet::empty();
            let Some(stream) = self.stream.as_mut() else { return Ok(()) };
            match step(stream.encoder.receive_packet(&mut packet), "encode")? {
                // FLAC ends with an empty packet carrying only its final STREAMINFO.
                Step::Ready(()) if packet.size() == 0 => {}
                Step::Ready(()) => {
                    if let Some(chunk) = self.chunk(&packet)? {
                        out.push(chunk);
                    }
                }
                Step::Again | Step::Done => return Ok(()),
            }
        }
    }

    /// A chunk stamped from the stream's first input onwards, by samples: timestamps and
    /// durations are exact and contiguous whatever the rate. Once flushing, chunks end at
    /// the stream's last real sample; `None` for a chunk that would hold only padding.
    fn chunk(&mut self, packet: &Packet) -> Result<Option<EncodedAudioPacket>> {
        let rate = self.plan.rate;
        let frame_size = self.frame_size.max(1) as i64;
        // FFmpeg's frame queue gives the packets around the end the durations of the
        // input frames, not of what they decode to: these codecs decode whole frames.
        let whole_frames = matches!(self.config.codec, AudioCodec::Aac { .. } | AudioCodec::Mp3 | AudioCodec::Opus);
        let stream = self.stream.as_mut().ok_or_else(|| EngineError::encoding("no encoder"))?;
        let mut samples = if packet.duration() > 0 && !whole_frames { packet.duration() } else { frame_size };
        if let Some(end) = stream.end {
            samples = samples.min(end - stream.samples_out);
            if samples <= 0 {
                return Ok(None);
            }
        }
        let start = stream.start_us.unwrap_or(0);
        let timestamp_us = start.saturating_add(samples_to_us(stream.samples_out, rate));
        stream.samples_out += samples;
        let duration_us = start.saturating_add(samples_to_us(stream.samples_out, rate)) - timestamp_us;
        let payload = packet.data().unwrap_or(&[]);
        let data = match (self.config.codec, self.config.aac_format) {
            (AudioCodec::Aac { .. }, AacFormat::Adts) => adts_frame(&self.extradata, payload)?,
            _ => payload.to_vec(),
        };
        let decoder_config =
            (self.active_config.as_ref() != Some(&self.decoder_config)).then(|| self.decoder_config.clone());
        if decoder_config.is_some() {
            self.active_config = Some(self.decoder_config.clone());
        }
        Ok(Some(EncodedAudioPacket { data, timestamp_us, duration_us, decoder_config }))
    }
}

/// Sample format, rate and options for `codec`, or why it cannot honour `config`.
fn plan(config: &AudioEncoderConfig, codec: Codec, name: &str, layout: ChannelLayout) -> Result<Plan> {
    let audio = codec.audio().map_err(|e| EngineError::not_supported(format!("{name}: {e}")))?;
    let formats: Vec<Sample> = audio.formats().map(|f| f.collect()).unwrap_or_default();
    // Float where the codec takes it (Opus, AAC, MP3 work in float), else its first format.
    let format = formats
        .iter()
        .copied()
        .find(|f| matches!(f, Sample::F32(_)))
        .or(formats.first().copied())
        .ok_or_else(|| EngineError::not_supported(format!("{name} lists no sample format")))?;
    let rates: Option<Vec<i32>> = audio.rates().map(|r| r.collect());
    let wanted = i32::try_from(config.sample_rate).unwrap_or(i32::MAX);
    let rate = match rates {
        Some(rates) if !rates.contains(&wanted) => {
            // Opus runs at 48 kHz inside whatever the input rate: resample to it.
            if config.codec == AudioCodec::Opus && rates.contains(&48_000) {
                48_000
            } else {
                return Err(EngineError::not_supported(format!("{name} cannot encode at {} Hz", config.sample_rate)));
            }
        }
        _ => config.sample_rate,
    };
    let mut plan = Plan {
        codec,
        format,
        rate,
        channels: config.number_of_channels as usize,
        layout,
        options: Vec::new(),
        opus_requests: Vec::new(),
        bitrate: config.bitrate.map(|b| usize::try_from(b).unwrap_or(usize::MAX)),
        compression: None,
    };
    match config.codec {
        AudioCodec::Opus => opus_options(&config.opus, config.bitrate_mode, codec, &mut plan)?,
        AudioCodec::Mp3 if config.bitrate_mode == BitrateMode::Constant => {
            plan.bitrate.get_or_insert(128_000);
        }
        // FFmpeg's AAC encoder defaults to a rate too low for clean stereo.
        AudioCodec::Aac { .. } => {
            plan.bitrate.get_or_insert(64_000 * plan.channels.min(8));
        }
        _ => {}
    }
    Ok(plan)
}

/// libopus's options for `OpusEncoderConfig`.
fn opus_options(opus: &OpusEncoderConfig, mode: BitrateMode, codec: Codec, plan: &mut Plan) -> Result<()> {
    const DURATIONS: [u64; 9] = [2_500, 5_000, 10_000, 20_000, 40_000, 60_000, 80_000, 100_000, 120_000];
    if !DURATIONS.contains(&opus.frame_duration_us) {
        return Err(EngineError::not_supported(format!(
            "Opus frameDuration {} is not supported",
            opus.frame_duration_us
        )));
    }
    let ms = opus.frame_duration_us as f64 / 1000.0;
    plan.options.push(("frame_duration", format!("{ms}")));
    if let Some(complexity) = opus.complexity {
        if complexity > 10 {
            return Err(EngineError::not_supported(format!("Opus complexity {complexity} is not supported")));
        }
        plan.compression = Some(complexity as usize);
    }
    if opus.packetlossperc > 100 {
        return Err(EngineError::not_supported("Opus packetlossperc must be at most 100"));
    }
    plan.options.push(("packet_loss", opus.packetlossperc.to_string()));
    plan.options.push(("fec", u8::from(opus.useinbandfec).to_string()));
    if opus.usedtx {
        if raw::has_private_option(codec, "dtx") {
            plan.options.push(("dtx", "1".to_owned()));
        } else {
            opus_request(plan, libopus::SET_DTX, 1, "DTX")?;
        }
    }
    if let Some(application) = &opus.application {
        if !matches!(application.as_str(), "voip" | "audio" | "lowdelay") {
            return Err(EngineError::not_supported(format!("Opus application '{application}' is not supported")));
        }
        plan.options.push(("application", application.clone()));
    }
    if let Some(signal) = &opus.signal {
        let value = libopus::signal_value(signal)
            .ok_or_else(|| EngineError::not_supported(format!("Opus signal '{signal}' is not supported")))?;
        // `auto` is libopus's default: nothing to send.
        if value != libopus::AUTO {
            opus_request(plan, libopus::SET_SIGNAL, value, "the signal hint")?;
        }
    }
    let vbr = if mode == BitrateMode::Constant { "off" } else { "on" };
    plan.options.push(("vbr", vbr.to_owned()));
    Ok(())
}

/// Queues a libopus request for `plan`, or `NotSupported` where libopus is out of reach
/// (only FFmpeg's `libopus` encoder takes them).
fn opus_request(plan: &mut Plan, request: c_int, value: c_int, what: &str) -> Result<()> {
    if plan.codec.name() != "libopus" || !libopus::available() {
        return Err(EngineError::not_supported(format!("cannot set {what} on this FFmpeg's Opus encoder")));
    }
    plan.opus_requests.push((request, value));
    Ok(())
}

/// The `decoderConfig` for this encoder's chunks: the codec's description per its
/// registration (OpusHead, AudioSpecificConfig, "fLaC" + STREAMINFO, Vorbis headers).
fn decoder_config(config: &AudioEncoderConfig, plan: &Plan, extradata: &[u8]) -> Result<AudioDecoderConfig> {
    let description = match config.codec {
        AudioCodec::Opus | AudioCodec::Vorbis => Some(extradata.to_vec()),
        AudioCodec::Aac { .. } if config.aac_format == AacFormat::Aac => Some(core_asc(extradata).to_vec()),
        AudioCodec::Flac => Some(flac_description(extradata)?),
        _ => None,
    };
    if description.as_ref().is_some_and(Vec::is_empty) {
        return Err(EngineError::encoding(format!("{} encoder gave no extradata", config.codec)));
    }
    Ok(AudioDecoderConfig {
        codec: config.codec,
        sample_rate: plan.rate,
        number_of_channels: plan.channels as u32,
        description,
    })
}

/// An AAC-LC AudioSpecificConfig without the "no SBR" sync extension FFmpeg appends
/// (0x2b7, ISO/IEC 14496-3 1.6.5.1): the two bytes browsers produce, same meaning.
fn core_asc(asc: &[u8]) -> &[u8] {
    match asc {
        [b0, b1, b2, b3, ..] if b0 >> 3 == 2 && (b0 & 7) << 1 | b1 >> 7 != 15 && (b1 >> 3) & 0xf != 0 => {
            let sync = (u16::from(*b2) << 3) | (u16::from(*b3) >> 5);
            if sync == 0x2b7 {
                &asc[..2]
            } else {
                asc
            }
        }
        _ => asc,
    }
}

/// Length of a FLAC STREAMINFO block's body.
const STREAMINFO_LEN: usize = 34;

/// "fLaC", then STREAMINFO as the last metadata block (type 0, 34 bytes).
fn flac_description(extradata: &[u8]) -> Result<Vec<u8>> {
    let streaminfo = match extradata {
        [b'f', b'L', b'a', b'C', _, _, _, _, rest @ ..] => rest,
        other => other,
    };
    let streaminfo =
        streaminfo.get(..STREAMINFO_LEN).ok_or_else(|| EngineError::encoding("flac encoder gave no STREAMINFO"))?;
    let mut description = b"fLaC".to_vec();
    description.extend_from_slice(&[0x80, 0, 0, STREAMINFO_LEN as u8]);
    description.extend_from_slice(streaminfo);
    Ok(description)
}

/// `payload` behind an ADTS header (ISO/IEC 14496-3 1.A.2) built from the stream's
/// AudioSpecificConfig.
fn adts_frame(asc: &[u8], payload: &[u8]) -> Result<Vec<u8>> {
    const HEADER: usize = 7;
    let [b0, b1, ..] = *asc else {
        return Err(EngineError::encoding("no AudioSpecificConfig for ADTS"));
    };
    let object_type = b0 >> 3;
    let frequency_index = ((b0 & 0x07) << 1) | (b1 >> 7);
    let channel_config = (b1 >> 3) & 0x0f;
    let length = payload.len() + HEADER;
    if length >= 1 << 13 || !(1..=4).contains(&object_type) || frequency_index == 15 {
        return Err(EngineError::encoding("AAC frame cannot be written as ADTS"));
    }
    let mut frame = Vec::with_capacity(length);
    frame.extend_from_slice(&[
        0xff,
        0xf1, // MPEG-4, layer 0, no CRC
        ((object_type - 1) << 6) | (frequency_index << 2) | (channel_config >> 2),
        ((channel_config & 3) << 6) | (length >> 11) as u8,
        (length >> 3) as u8,
        (((length & 7) as u8) << 5) | 0x1f,
        0xfc, // buffer fullness 0x7ff (variable), one raw data block
    ]);
    frame.extend_from_slice(payload);
    Ok(frame)
}
