//! A video encoder session (https://w3c.github.io/webcodecs/#videoencoder-interface):
//! frames in, encoded chunks out, with the decoder config each chunk needs.

use ffmpeg_next::codec::{self, threading};
use ffmpeg_next::format::Pixel;
use ffmpeg_next::{color as av_color, encoder, frame, picture, Codec, Dictionary, Packet, Rational};

use super::raw::{self, ContextFields};
use super::{step, thread_count, HardwareAcceleration, Step, TimestampMap, VideoDecoderConfig, TIME_BASE};
use crate::bitstream::{self, NalCodec, NalKind};
use crate::codec_string::VideoCodec;
use crate::color::ColorSpace;
use crate::ffi::Scaler;
use crate::pixel::{FrameBuffer, Rect};
use crate::{EngineError, Keepalive, Result};

/// `VideoEncoderBitrateMode`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum BitrateMode {
    Constant,
    #[default]
    Variable,
    /// The quantizer comes with each frame (`encode(frame, {avc: {quantizer}})`).
    Quantizer,
}

/// `LatencyMode`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum LatencyMode {
    #[default]
    Quality,
    Realtime,
}

/// `AvcBitstreamFormat` / `HevcBitstreamFormat`: `avc`/`hevc` (length-prefixed NAL units
/// plus a description) or `annexb` (start codes, parameter sets in band).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum BitstreamFormat {
    #[default]
    LengthPrefixed,
    AnnexB,
}

/// The scalability modes we produce: one spatial layer, one to three temporal layers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScalabilityMode {
    L1T1,
    L1T2,
    L1T3,
}

impl ScalabilityMode {
    /// Any other mode (a valid string we cannot produce) is `NotSupported`.
    pub fn parse(mode: &str) -> Result<Self> {
        match mode {
            "L1T1" => Ok(Self::L1T1),
            "L1T2" => Ok(Self::L1T2),
            "L1T3" => Ok(Self::L1T3),
            other => Err(EngineError::not_supported(format!("scalabilityMode '{other}' is not supported"))),
        }
    }

    /// The temporal layer of each frame in one period of the layering pattern.
    fn pattern(self) -> &'static [u32] {
        match self {
            Self::L1T1 => &[0],
            Self::L1T2 => &[0, 1],
            Self::L1T3 => &[0, 2, 1, 2],
        }
    }
}

/// `VideoEncoderConfig` after the binding's validation.
#[derive(Debug, Clone, PartialEq)]
pub struct VideoEncoderConfig {
    pub codec: VideoCodec,
    pub width: u32,
    pub height: u32,
    pub display_width: Option<u32>,
    pub display_height: Option<u32>,
    /// Bits per second.
    pub bitrate: Option<u64>,
    /// Frames per second.
    pub framerate: Option<f64>,
    pub hardware_acceleration: HardwareAcceleration,
    pub scalability_mode: Option<String>,
    pub bitrate_mode: BitrateMode,
    pub latency_mode: LatencyMode,
    /// For `avc1`/`avc3`/`hvc1`/`hev1` only.
    pub format: BitstreamFormat,
    /// `contentHint`: accepted, not used to tune the encoder.
    pub content_hint: Option<String>,
}

impl VideoEncoderConfig {
    pub fn new(codec: VideoCodec, width: u32, height: u32) -> Self {
        Self {
            codec,
            width,
            height,
            display_width: None,
            display_height: None,
            bitrate: None,
            framerate: None,
            hardware_acceleration: HardwareAcceleration::NoPreference,
            scalability_mode: None,
            bitrate_mode: BitrateMode::Variable,
            latency_mode: LatencyMode::Quality,
            format: BitstreamFormat::LengthPrefixed,
            content_hint: None,
        }
    }

    fn frame_rate(&self) -> Rational {
        match self.framerate {
            Some(fps) if fps.is_finite() && fps > 0.0 && fps.fract() == 0.0 && fps <= 1e6 => {
                Rational::new(fps as i32, 1)
            }
            Some(fps) if fps.is_finite() && fps > 0.0 && fps <= 1e6 => {
                Rational::new((fps * 1000.0).round() as i32, 1000)
            }
            _ => Rational::new(30, 1),
        }
    }
}

/// One `EncodedVideoChunk` plus its metadata.
#[derive(Debug, Clone, PartialEq)]
pub struct EncodedPacket {
    pub data: Vec<u8>,
    pub key: bool,
    pub timestamp_us: i64,
    pub duration_us: Option<i64>,
    /// `metadata.svc.temporalLayerId`, when a scalability mode was configured.
    pub temporal_layer_id: Option<u32>,
    /// `metadata.decoderConfig`: on the first chunk and whenever it changes.
    pub decoder_config: Option<VideoDecoderConfig>,
}

/// Encoder settings that the FFmpeg encoders spell differently.
struct Tuning<'a> {
    config: &'a VideoEncoderConfig,
    name: &'static str,
    quantizer: Option<u32>,
}

impl Tuning<'_> {
    fn realtime(&self) -> bool {
        self.config.latency_mode == LatencyMode::Realtime
    }

    /// Two or three temporal layers (only libvpx is allowed to get here with them).
    fn temporal_layers(&self) -> Option<ScalabilityMode> {
        let mode = self.config.scalability_mode.as_deref().and_then(|m| ScalabilityMode::parse(m).ok());
        mode.filter(|m| *m != ScalabilityMode::L1T1)
    }

    /// The bitrate the encoder gets; libvpx's VP8 and temporal layers need one.
    fn bitrate(&self) -> Option<u64> {
        match self.config.bitrate {
            Some(b) => Some(b),
            None if self.name == "libvpx" || self.temporal_layers().is_some() => Some(self.default_bitrate()),
            None => None,
        }
    }

    /// libvpx's `ts-parameters` for its predefined layering modes 2 (L1T2) and 3 (L1T3),
    /// whose frame patterns are [`ScalabilityMode::pattern`]; each layer's bitrate
    /// includes the layers below it.
    fn ts_parameters(&self, mode: ScalabilityMode) -> String {
        let kbps = self.bitrate().unwrap_or(0) / 1000;
        let (layers, shares, decimators) = match mode {
            ScalabilityMode::L1T3 => (3, vec![40, 60, 100], "4,2,1"),
            _ => (2, vec![60, 100], "2,1"),
        };
        let rates: Vec<String> = shares.iter().map(|s| (kbps * s / 100).max(1).to_string()).collect();
        let pattern: Vec<String> = mode.pattern().iter().map(u32::to_string).collect();
        format!(
            "ts_number_layers={layers}:ts_target_bitrate={}:ts_rate_decimator={decimators}:ts_periodicity={}:\
             ts_layer_id={}:ts_layering_mode={layers}",
            rates.join(","),
            pattern.len(),
            pattern.join(",")
        )
    }

    /// Bitrate when none was given but an encoder needs one: ~0.1 bit per pixel.
    fn default_bitrate(&self) -> u64 {
        let fps = f64::from(self.config.frame_rate());
        ((f64::from(self.config.width) * f64::from(self.config.height) * fps * 0.1) as u64).max(100_000)
    }

    fn options(&self) -> Dictionary<'static> {
        let mut opts = Dictionary::new();
        let codec = &self.config.codec;
        let rt = self.realtime();
        let constant_quality = self.bitrate().is_none() && self.quantizer.is_none();
        match self.name {
            "libx264" => {
                opts.set("preset", if rt { "veryfast" } else { "medium" });
                if rt {
                    opts.set("tune", "zerolatency");
                } else {
                    // medium's 40-frame lookahead holds ~250 MB more at 1080p than 8
                    // frames do, for a few percent of bitrate: memory per encoder matters
                    // more on a server running many of them.
                    opts.set("rc-lookahead", "8");
                }
                if let Some(profile) = codec.profile_option() {
                    opts.set("profile", profile);
                }
                if let Some(level) = codec.level_option() {
                    opts.set("level", &level);
                }
                opts.set("forced-idr", "1");
                if let Some(q) = self.quantizer {
                    opts.set("qp", &q.min(51).to_string());
                } else if constant_quality {
                    opts.set("crf", "23");
                }
            }
            "libx265" => {
                opts.set("preset", if rt { "ultrafast" } else { "fast" });
                if rt {
                    opts.set("tune", "zerolatency");
                }
                if let Some(profile) = codec.profile_option() {
                    opts.set("profile", profile);
                }
                opts.set("forced-idr", "1");
                let mut params = String::from("log-level=error");
                if let Some(q) = self.quantizer {
                    params.push_str(&format!(":qp={}", q.min(51)));
                } else if constant_quality {
                    params.push_str(":crf=28");
                }
                opts.set("x265-params", &params);
            }
            "libvpx" | "libvpx-vp9" => {
                opts.set("deadline", if rt { "realtime" } else { "good" });
                opts.set("cpu-used", if rt { "8" } else { "4" });
                if rt {
                    opts.set("lag-in-frames", "0");
                }
                if let Some(mode) = self.temporal_layers() {
                    opts.set("ts-parameters", &self.ts_parameters(mode));
                }
                if let Some(q) = self.quantizer {
                    opts.set("crf", &q.min(63).to_string());
                }
                if self.name == "libvpx-vp9" {
                    opts.set("row-mt", "1");
                    if constant_quality {
                        opts.set("crf", "32");
                    }
                }
            }
            "libaom-av1" => {
                opts.set("usage", if rt { "realtime" } else { "good" });
                opts.set("cpu-used", if rt { "8" } else { "6" });
                opts.set("row-mt", "1");
                if rt {
                    opts.set("lag-in-frames", "0");
                }
                if let Some(q) = self.quantizer {
                    opts.set("crf", &q.min(63).to_string());
                } else if constant_quality {
                    opts.set("crf", "32");
                }
            }
            "libsvtav1" => {
                opts.set("preset", if rt { "12" } else { "10" });
                if let Some(q) = self.quantizer {
                    opts.set("qp", &q.min(63).to_string());
                } else if constant_quality {
                    opts.set("crf", "35");
                }
            }
            _ => {}
        }
        opts
    }

    /// Rate control on the context: bitrate (and the VBV for constant bitrate), or the
    /// quantizer range pinned for per-frame quantizers.
    fn rate_control(&self, enc: &mut encoder::video::Video) -> ContextFields {
        let mut fields = ContextFields {
            profile: self.config.codec.numeric_profile(),
            rc_buffer_size: None,
            rc_min_rate: None,
            ticks_per_frame: None,
            bt709: true,
        };
        if vpx_like_frame_durations(self.name) {
            // FFmpeg 5.1's libvpx/libaom wrappers give each frame a duration of
            // ticks_per_frame time-base units; at 1 µs per unit their rate control would
            // otherwise budget for a million frames a second.
            let fps = f64::from(self.config.frame_rate());
            fields.ticks_per_frame = Some((1_000_000.0 / fps).round().clamp(1.0, 1e6) as i32);
        }
        let vpx_like = matches!(self.name, "libvpx" | "libvpx-vp9" | "libaom-av1");
        if let Some(q) = self.quantizer {
            if vpx_like {
                let q = q.min(63) as i32;
                enc.set_qmin(q);
                enc.set_qmax(q);
            }
            return fields;
        }
        if let Some(bitrate) = self.bitrate() {
            let bitrate = usize::try_from(bitrate).unwrap_or(usize::MAX);
            enc.set_bit_rate(bitrate);
            // SVT-AV1's constant bitrate needs its low-delay structure; it stays variable.
            if self.config.bitrate_mode == BitrateMode::Constant && self.name != "libsvtav1" {
                enc.set_max_bit_rate(bitrate);
                // rc_min_rate == rc_max_rate == bit_rate is how FFmpeg's libvpx selects CBR.
                fields.rc_min_rate = vpx_like.then_some(bitrate as i64);
                fields.rc_buffer_size = Some(i32::try_from(bitrate).unwrap_or(i32::MAX));
            }
        }
        fields
    }
}

fn vpx_like_frame_durations(name: &str) -> bool {
    matches!(name, "libvpx" | "libvpx-vp9" | "libaom-av1")
}

/// Opens `codec` for `config`; the FFmpeg error says why a config cannot be honoured.
fn open_encoder(
    config: &VideoEncoderConfig,
    codec: Codec,
    name: &'static str,
    pixel: Pixel,
    quantizer: Option<u32>,
) -> std::result::Result<encoder::Video, ffmpeg_next::Error> {
    let tuning = Tuning { config, name, quantizer };
    let mut ctx = codec::Context::new_with_codec(codec);
    ctx.set_threading(threading::Config { kind: threading::Type::Frame, count: thread_count(), ..Default::default() });
    let mut enc = ctx.encoder().video()?;
    enc.set_width(config.width);
    enc.set_height(config.height);
    enc.set_format(pixel);
    enc.set_time_base(Rational::new(TIME_BASE.0, TIME_BASE.1));
    enc.set_frame_rate(Some(config.frame_rate()));
    enc.set_colorspace(av_color::Space::BT709);
    enc.set_color_range(av_color::Range::MPEG);
    if tuning.realtime() {
        enc.set_max_b_frames(0);
    }
    let fields = tuning.rate_control(&mut enc);
    raw::set_context_fields(&mut enc, &fields);
    enc.open_with(tuning.options())
}

/// A running encoder. After `flush()` the FFmpeg encoder is closed; the next frame opens a
/// fresh one (which starts with a key frame, as the spec requires after a flush).
pub struct VideoEncoder {
    config: VideoEncoderConfig,
    codec: Codec,
    name: &'static str,
    pixel: Pixel,
    encoder: Option<encoder::Video>,
    quantizer: Option<u32>,
    frames_in: u64,
    timestamps: TimestampMap,
    /// The temporal layer of each input still inside the encoder, by pts.
    layers: std::collections::BTreeMap<i64, u32>,
    scalability: Option<ScalabilityMode>,
    scaler: Option<((Pixel, u32, u32), Scaler)>,
    active_config: Option<VideoDecoderConfig>,
}

impl Drop for VideoEncoder {
    fn drop(&mut self) {
        self.close_encoder();
    }
}

impl VideoEncoder {
    /// Configures an encoder; `NotSupported` when this FFmpeg has no encoder for the codec
    /// or none accepts the config.
    pub fn new(config: VideoEncoderConfig) -> Result<Self> {
        crate::init();
        if config.hardware_acceleration == HardwareAcceleration::PreferHardware {
            return Err(EngineError::not_supported("hardware encoding is not available"));
        }
        if config.width == 0 || config.height == 0 {
            return Err(EngineError::type_error("width and height must be non-zero"));
        }
        let scalability = config.scalability_mode.as_deref().map(ScalabilityMode::parse).transpose()?;
        let pixel = config.codec.encoder_pixel_format()?;
        let mut reasons = Vec::new();
        for &name in config.codec.encoder_names() {
            let Some(codec) = encoder::find_by_name(name) else {
                reasons.push(format!("{name} is not in this FFmpeg"));
                continue;
            };
            if let Some(mode) = scalability.filter(|m| *m != ScalabilityMode::L1T1) {
                if !matches!(name, "libvpx" | "libvpx-vp9") {
                    reasons.push(format!("{name} cannot produce {mode:?}"));
                    continue;
                }
            }
            let accepts = codec.video().ok().and_then(|v| v.formats()).is_none_or(|mut f| f.any(|p| p == pixel));
            if !accepts {
                reasons.push(format!("{name} does not take {pixel:?}"));
                continue;
            }
            let quantizer = (config.bitrate_mode == BitrateMode::Quantizer).then_some(default_quantizer(name));
            match open_encoder(&config, codec, name, pixel, quantizer) {
                Ok(enc) => {
                    return Ok(Self {
                        config,
                        codec,
                        name,
                        pixel,
                        encoder: Some(enc),
                        quantizer,
                        frames_in: 0,
                        timestamps: TimestampMap::default(),
                        layers: Default::default(),
                        scalability,
                        scaler: None,
                        active_config: None,
                    })
                }
                Err(e) => reasons.push(format!("{name}: {e}")),
            }
        }
        Err(EngineError::not_supported(format!("cannot encode {}: {}", config.codec, reasons.join("; "))))
    }

    /// The FFmpeg encoder in use.
    pub fn encoder_name(&self) -> &'static str {
        self.name
    }

    pub fn config(&self) -> &VideoEncoderConfig {
        &self.config
    }

    /// Encodes a whole frame. See [`VideoEncoder::encode_rect`].
    pub fn encode(
        &mut self,
        frame: &FrameBuffer,
        timestamp_us: i64,
        duration_us: Option<i64>,
        key_frame: bool,
        quantizer: Option<u32>,
    ) -> Result<Vec<EncodedPacket>> {
        let rect = Rect::of_size(frame.coded_width, frame.coded_height);
        self.encode_rect(frame, None, rect, timestamp_us, duration_us, key_frame, quantizer)
    }

    /// Encodes the `rect` (a frame's visible rect) of `frame`, scaled to the configured
    /// size, and returns the chunks the encoder has ready.
    #[allow(clippy::too_many_arguments)]
    pub fn encode_rect(
        &mut self,
        frame: &FrameBuffer,
        keepalive: Option<&Keepalive>,
        rect: Rect,
        timestamp_us: i64,
        duration_us: Option<i64>,
        key_frame: bool,
        quantizer: Option<u32>,
    ) -> Result<Vec<EncodedPacket>> {
        if u64::from(rect.x) + u64::from(rect.width) > u64::from(frame.coded_width)
            || u64::from(rect.y) + u64::from(rect.height) > u64::from(frame.coded_height)
            || rect.width == 0
            || rect.height == 0
        {
            return Err(EngineError::type_error("visible rect lies outside the frame"));
        }
        rect.check_alignment(frame.format)?;
        let quantizer = quantizer.filter(|_| self.config.bitrate_mode == BitrateMode::Quantizer);
        // A per-frame quantizer is honoured from the first frame of each encoder; the
        // FFmpeg wrappers take one quantizer per session.
        if quantizer.is_some() && quantizer != self.quantizer && self.frames_in == 0 {
            self.quantizer = quantizer;
            self.close_encoder();
        }
        let mut out = Vec::new();
        // SVT-AV1 through FFmpeg 5.1 ignores requested key frames: end the session there
        // so that the next one starts with one.
        if key_frame && self.frames_in > 0 && self.name == "libsvtav1" {
            self.finish(&mut out)?;
        }
        let mut av = self.convert(frame, keepalive, rect)?;
        let pts = self.timestamps.push(timestamp_us, duration_us);
        if let Some(mode) = self.scalability {
            let pattern = mode.pattern();
            self.layers.insert(pts, pattern[(self.frames_in % pattern.len() as u64) as usize]);
        }
        av.set_pts(Some(pts));
        av.set_kind(if key_frame || self.frames_in == 0 { picture::Type::I } else { picture::Type::None });
        self.frames_in += 1;
        let enc = self.opened()?;
        match step(enc.send_frame(&av), "encode")? {
            Step::Ready(()) | Step::Done => {}
            Step::Again => {
                self.drain(&mut out)?;
                let enc = self.opened()?;
                if let Step::Again = step(enc.send_frame(&av), "encode")? {
                    return Err(EngineError::encoding("encoder accepts no input"));
                }
            }
        }
        self.drain(&mut out)?;
        Ok(out)
    }

    /// Drains every pending chunk; the next frame starts a new encoder (a key frame).
    pub fn flush(&mut self) -> Result<Vec<EncodedPacket>> {
        let mut out = Vec::new();
        self.finish(&mut out)?;
        self.timestamps.clear();
        self.layers.clear();
        Ok(out)
    }

    /// Drains the FFmpeg encoder to its end and drops it (an encoder takes no frames after
    /// EOF), unless it has had no frames.
    fn finish(&mut self, out: &mut Vec<EncodedPacket>) -> Result<()> {
        if self.frames_in == 0 {
            return Ok(());
        }
        if let Some(enc) = self.encoder.as_mut() {
            step(enc.send_eof(), "flush")?;
            self.drain(out)?;
        }
        self.encoder = None;
        self.frames_in = 0;
        Ok(())
    }

    /// Drops the FFmpeg encoder. SVT-AV1's deinit waits forever for the end of a stream
    /// that it was never sent, and an end-of-stream with no picture before it waits too:
    /// give it a picture if it had none, the end, and drain before FFmpeg frees the
    /// context. Other encoders free promptly as they are.
    fn close_encoder(&mut self) {
        let Some(mut enc) = self.encoder.take() else { return };
        if self.name != "libsvtav1" {
            return;
        }
        if self.frames_in == 0 {
            let mut blank = frame::Video::new(self.pixel, self.config.width, self.config.height);
            blank.set_pts(Some(0));
            let _ = enc.send_frame(&blank);
        }
        if enc.send_eof().is_ok() {
            let mut packet = Packet::empty();
            while enc.receive_packet(&mut packet).is_ok() {}
        }
    }

    fn opened(&mut self) -> Result<&mut encoder::Video> {
        if self.encoder.is_none() {
            let enc = open_encoder(&self.config, self.codec, self.name, self.pixel, self.quantizer)
                .map_err(|e| EngineError::encoding(format!("reopening {}: {e}", self.name)))?;
            self.encoder = Some(enc);
        }
        self.encoder.as_mut().ok_or_else(|| EngineError::encoding("no encoder"))
    }

    fn drain(&mut self, out: &mut Vec<EncodedPacket>) -> Result<()> {
        loop {
            let mut packet = Packet::empty();
            let enc = self.opened()?;
            match step(enc.receive_packet(&mut packet), "encode")? {
                Step::Ready(()) => {
                    let chunk = self.chunk(&packet)?;
                    out.push(chunk);
                }
                Step::Again | Step::Done => return Ok(()),
            }
        }
    }

    /// The input frame in the encoder's pixel format and size.
    fn convert(&mut self, frame: &FrameBuffer, keepalive: Option<&Keepalive>, rect: Rect) -> Result<frame::Video> {
        let (w, h) = (self.config.width, self.config.height);
        let whole = rect == Rect::of_size(frame.coded_width, frame.coded_height);
        let same_layout =
            whole && frame.format.to_av() == Some(self.pixel) && (frame.coded_width, frame.coded_height) == (w, h);
        if let (true, Some(keepalive)) = (same_layout, keepalive) {
            // Already in the encoder's format and size: FFmpeg reads our planes in place.
            return raw::wrap_planes(frame, self.pixel, keepalive);
        }
        let mut av = frame::Video::new(self.pixel, w, h);
        if same_layout {
            for i in 0..frame.format.num_planes() {
                let spec = frame.format.plane(i);
                let row = (w.div_ceil(spec.sub_x) * spec.sample_bytes) as usize;
                let rows = h.div_ceil(spec.sub_y) as usize;
                let (src_stride, dst_stride) = (frame.stride(i), av.stride(i));
                let src = frame.plane_data(i);
                let dst = av.data_mut(i);
                for y in 0..rows {
                    dst[y * dst_stride..y * dst_stride + row]
                        .copy_from_slice(&src[y * src_stride..y * src_stride + row]);
                }
            }
            return Ok(av);
        }
        // FFmpeg has no 4:2:0 12-bit layout with alpha: read the colour planes alone.
        let format = frame.format;
        let src_av = format
            .to_av()
            .or_else(|| format.without_alpha().to_av())
            .ok_or_else(|| EngineError::not_supported(format!("cannot encode {} frames", format.as_str())))?;
        let key = (src_av, rect.width, rect.height);
        if self.scaler.as_ref().is_none_or(|(k, _)| *k != key) {
            let flags = ffmpeg_next::ffi::SWS_BILINEAR;
            let mut scaler = Scaler::new(key, (self.pixel, w, h), flags)?;
            if format.is_rgb() {
                scaler.set_colorspace(ffmpeg_next::ffi::SWS_CS_ITU709, true, false);
            }
            self.scaler = Some((key, scaler));
        }
        let Some((_, scaler)) = self.scaler.as_mut() else {
            return Err(EngineError::encoding("no scaler"));
        };
        raw::scale_into(scaler, frame, rect, &mut av);
        Ok(av)
    }

    /// Turns an FFmpeg packet into a chunk in the configured bitstream format, with the
    /// decoder config attached when it changed.
    fn chunk(&mut self, packet: &Packet) -> Result<EncodedPacket> {
        let data = packet.data().unwrap_or(&[]);
        let key = packet.is_key();
        let (timestamp_us, duration_us) = self.timestamps.take(packet.pts());
        let layer = packet.pts().and_then(|p| self.layers.remove(&p));
        let temporal_layer_id = self.scalability.map(|_| layer.unwrap_or(0));
        let nal_codec = match self.config.codec {
            VideoCodec::H264 { .. } => Some(NalCodec::H264),
            VideoCodec::Hevc { .. } => Some(NalCodec::Hevc),
            _ => None,
        };
        let (data, decoder_config) = match nal_codec {
            Some(nal) => self.nal_chunk(nal, data, key)?,
            None => {
                let config = key.then(|| self.decoder_config(self.config.codec.clone(), None));
                (data.to_vec(), config)
            }
        };
        let decoder_config = decoder_config.filter(|c| self.active_config.as_ref() != Some(c));
        if let Some(config) = &decoder_config {
            self.active_config = Some(config.clone());
        }
        Ok(EncodedPacket { data, key, timestamp_us, duration_us, temporal_layer_id, decoder_config })
    }

    fn nal_chunk(&self, nal: NalCodec, data: &[u8], key: bool) -> Result<(Vec<u8>, Option<VideoDecoderConfig>)> {
        let nals = bitstream::split_annexb(data);
        let in_band = self.config.codec.parameter_sets_in_band();
        let length_prefixed = self.config.format == BitstreamFormat::LengthPrefixed;
        let has_sps = nals.iter().any(|n| nal.kind(n) == NalKind::Sps);
        let config = if key || has_sps {
            let description =
                if length_prefixed { bitstream::build_config_record(nal, &nals, !in_band)? } else { None };
            let codec = nals
                .iter()
                .find(|n| nal.kind(n) == NalKind::Sps)
                .and_then(|sps| self.codec_from_sps(sps))
                .unwrap_or_else(|| self.config.codec.clone());
            (has_sps || !length_prefixed).then(|| self.decoder_config(codec, description))
        } else {
            None
        };
        if !length_prefixed {
            return Ok((data.to_vec(), config));
        }
        let parameter_set = |n: &&[u8]| matches!(nal.kind(n), NalKind::Sps | NalKind::Pps | NalKind::Vps);
        let kept = nals.iter().copied().filter(|n| in_band || !parameter_set(n));
        Ok((bitstream::join_length_prefixed(kept), config))
    }

    /// The codec string the bitstream really has (the encoder may raise the level).
    fn codec_from_sps(&self, sps: &[u8]) -> Option<VideoCodec> {
        match &self.config.codec {
            VideoCodec::H264 { parameter_sets_in_band, .. } => {
                let info = bitstream::parse_avc_sps(sps).ok()?;
                Some(VideoCodec::H264 {
                    profile_idc: info.profile_idc,
                    constraint_flags: info.constraint_flags,
                    level_idc: info.level_idc,
                    parameter_sets_in_band: *parameter_sets_in_band,
                })
            }
            VideoCodec::Hevc { parameter_sets_in_band, .. } => {
                let info = bitstream::parse_hevc_sps(sps).ok()?;
                let count = info.constraint_bytes.iter().rposition(|b| *b != 0).map_or(0, |p| p + 1) as u8;
                Some(VideoCodec::Hevc {
                    profile_space: info.profile_space,
                    profile_idc: info.profile_idc,
                    compatibility_flags: info.compatibility_flags,
                    high_tier: info.high_tier,
                    level_idc: info.level_idc,
                    constraint_bytes: info.constraint_bytes,
                    constraint_count: count,
                    parameter_sets_in_band: *parameter_sets_in_band,
                })
            }
            _ => None,
        }
    }

    fn decoder_config(&self, codec: VideoCodec, description: Option<Vec<u8>>) -> VideoDecoderConfig {
        let c = &self.config;
        let mut config = VideoDecoderConfig::new(codec);
        config.description = description;
        config.coded_width = Some(c.width);
        config.coded_height = Some(c.height);
        config.display_aspect_width = Some(c.display_width.unwrap_or(c.width));
        config.display_aspect_height = Some(c.display_height.unwrap_or(c.height));
        config.color_space = Some(ColorSpace::rec709());
        config
    }
}

/// The quantizer an encoder opens with in quantizer mode, before a frame brings one.
fn default_quantizer(name: &str) -> u32 {
    match name {
        "libx264" | "libx265" => 26,
        _ => 32,
    }
}
