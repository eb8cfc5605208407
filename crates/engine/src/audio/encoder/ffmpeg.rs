//! The FFmpeg audio encoders we drive, and how each is opened for a config: sample format,
//! rate, bitrate and its own options (libopus's from `OpusEncoderConfig`).

use std::ffi::c_int;

use ffmpeg_next::format::Sample;
use ffmpeg_next::{codec, encoder, ChannelLayout, Codec, Dictionary, Rational};

use super::config::{AudioEncoderConfig, BitrateMode, OpusEncoderConfig, OpusSignal};
use crate::audio::codec_string::pcm_codec_name;
use crate::audio::{AudioCodec, PcmFormat};
use crate::ffi::codec::{has_private_option, set_audio_params};
use crate::ffi::libopus;
use crate::{EngineError, Result};

/// An FFmpeg audio encoder, by what it is rather than by its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FfmpegAudioEncoder {
    Opus,
    /// FFmpeg's native AAC-LC encoder.
    Aac,
    Flac,
    /// LAME, for MP3.
    Lame,
    Vorbis,
    Mulaw,
    Alaw,
    Pcm(PcmFormat),
}

impl FfmpegAudioEncoder {
    /// The encoders to try for `codec`, best first (none for HE-AAC).
    pub fn candidates(codec: AudioCodec) -> &'static [Self] {
        match codec {
            AudioCodec::Opus => &[Self::Opus],
            AudioCodec::Aac { object_type: 2 } => &[Self::Aac],
            AudioCodec::Aac { .. } => &[],
            AudioCodec::Flac => &[Self::Flac],
            AudioCodec::Mp3 => &[Self::Lame],
            AudioCodec::Vorbis => &[Self::Vorbis],
            AudioCodec::Ulaw => &[Self::Mulaw],
            AudioCodec::Alaw => &[Self::Alaw],
            AudioCodec::Pcm(PcmFormat::U8) => &[Self::Pcm(PcmFormat::U8)],
            AudioCodec::Pcm(PcmFormat::S16) => &[Self::Pcm(PcmFormat::S16)],
            AudioCodec::Pcm(PcmFormat::S24) => &[Self::Pcm(PcmFormat::S24)],
            AudioCodec::Pcm(PcmFormat::S32) => &[Self::Pcm(PcmFormat::S32)],
            AudioCodec::Pcm(PcmFormat::F32) => &[Self::Pcm(PcmFormat::F32)],
        }
    }

    /// FFmpeg's name for the encoder.
    pub fn name(self) -> &'static str {
        match self {
            Self::Opus => "libopus",
            Self::Aac => "aac",
            Self::Flac => "flac",
            Self::Lame => "libmp3lame",
            Self::Vorbis => "libvorbis",
            Self::Mulaw => "pcm_mulaw",
            Self::Alaw => "pcm_alaw",
            Self::Pcm(format) => pcm_codec_name(format),
        }
    }

    /// Whether its packets decode to whole frames, whatever durations FFmpeg's frame queue
    /// gives the packets around the end (which are those of the input frames).
    pub fn decodes_whole_frames(self) -> bool {
        matches!(self, Self::Aac | Self::Lame | Self::Opus)
    }

    /// Sample format, rate and options for `codec` (this encoder), or why it cannot honour
    /// `config`.
    pub fn plan(self, config: &AudioEncoderConfig, codec: Codec, layout: ChannelLayout) -> Result<Plan> {
        let name = self.name();
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
                if self == Self::Opus && rates.contains(&48_000) {
                    48_000
                } else {
                    let rate = config.sample_rate;
                    return Err(EngineError::not_supported(format!("{name} cannot encode at {rate} Hz")));
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
        match self {
            Self::Opus => opus_options(&config.opus, config.bitrate_mode, codec, &mut plan)?,
            Self::Lame if config.bitrate_mode == BitrateMode::Constant => {
                plan.bitrate.get_or_insert(128_000);
            }
            // FFmpeg's AAC encoder defaults to a rate too low for clean stereo.
            Self::Aac => {
                plan.bitrate.get_or_insert(64_000 * plan.channels.min(8));
            }
            _ => {}
        }
        Ok(plan)
    }
}

/// How the FFmpeg encoder is opened: fixed at configure, reused after each flush.
pub(crate) struct Plan {
    codec: Codec,
    pub format: Sample,
    pub rate: u32,
    pub channels: usize,
    pub layout: ChannelLayout,
    options: Vec<(&'static str, String)>,
    /// libopus requests (and values) FFmpeg has no option for, sent after each open.
    opus_requests: Vec<(c_int, c_int)>,
    bitrate: Option<usize>,
    compression: Option<usize>,
}

impl Plan {
    pub fn codec(&self) -> Codec {
        self.codec
    }

    pub fn open(&self) -> std::result::Result<encoder::Audio, String> {
        let mut ctx = codec::Context::new_with_codec(self.codec);
        set_audio_params(&mut ctx, self.rate, self.channels as u32);
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

/// libopus's options for `OpusEncoderConfig`
/// (https://w3c.github.io/webcodecs/opus_codec_registration.html).
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
    // "If no value is specified, ... a default of 9" off mobile platforms (libopus's own
    // default is 10).
    let complexity = opus.complexity.unwrap_or(9);
    if complexity > 10 {
        return Err(EngineError::not_supported(format!("Opus complexity {complexity} is not supported")));
    }
    plan.compression = Some(complexity as usize);
    if opus.packetlossperc > 100 {
        return Err(EngineError::not_supported("Opus packetlossperc must be at most 100"));
    }
    plan.options.push(("packet_loss", opus.packetlossperc.to_string()));
    plan.options.push(("fec", u8::from(opus.useinbandfec).to_string()));
    if opus.usedtx {
        if has_private_option(codec, "dtx") {
            plan.options.push(("dtx", "1".to_owned()));
        } else {
            opus_request(plan, libopus::SET_DTX, 1, "DTX")?;
        }
    }
    if let Some(application) = opus.application {
        // FFmpeg's libopus wrapper names its modes as the registration does.
        plan.options.push(("application", application.as_str().to_owned()));
    }
    let signal = match opus.signal {
        // `auto` is libopus's default: nothing to send.
        None | Some(OpusSignal::Auto) => None,
        Some(OpusSignal::Voice) => Some(libopus::SIGNAL_VOICE),
        Some(OpusSignal::Music) => Some(libopus::SIGNAL_MUSIC),
    };
    if let Some(value) = signal {
        opus_request(plan, libopus::SET_SIGNAL, value, "the signal hint")?;
    }
    let vbr = if mode == BitrateMode::Constant { "off" } else { "on" };
    plan.options.push(("vbr", vbr.to_owned()));
    Ok(())
}

/// Queues a libopus request for `plan`, or `NotSupported` where libopus is out of reach
/// (only FFmpeg's `libopus` encoder takes them).
fn opus_request(plan: &mut Plan, request: c_int, value: c_int, what: &str) -> Result<()> {
    if plan.codec.name() != FfmpegAudioEncoder::Opus.name() || !libopus::available() {
        return Err(EngineError::not_supported(format!("cannot set {what} on this FFmpeg's Opus encoder")));
    }
    plan.opus_requests.push((request, value));
    Ok(())
}
