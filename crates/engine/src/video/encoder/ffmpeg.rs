//! The FFmpeg video encoders we drive, each with the options and rate control it needs
//! for a config's latency mode, bitrate mode and quantizer.

use ffmpeg_next::codec::{self, threading};
use ffmpeg_next::format::Pixel;
use ffmpeg_next::{color as av_color, encoder, Codec, Dictionary, Rational};

use super::backend::Backend;
use super::config::{AlphaOption, BitrateMode, LatencyMode, ScalabilityMode, VideoEncoderConfig};
use crate::ffi::aom::{AomEncoder, AomLayers, AomRate, AomSettings};
use crate::ffi::codec::{set_context_fields, ContextFields};
use crate::session::{thread_count, TIME_BASE};
use crate::video::color::color_space_to_av;
use crate::video::ColorSpace;

/// How an encoder in quantizer mode codes each frame at the quantizer it comes with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum QuantizerControl {
    /// FFmpeg's libvpx wrapper takes a new largest quantizer between frames: VP9's
    /// constant quality mode at the top of the range encodes every frame at the largest
    /// quantizer allowed, so the frame's quantizer is set as that.
    LargestQuantizer,
    /// x264 and x265 rate-control every frame to [`REGION_BASE_QUANTIZER`] (constant
    /// quality with no compression of the quantizer curve, no adaptive offsets of their
    /// own, I-frames at the P-frames' level) and each frame shifts all of its blocks by
    /// its quantizer's distance from it, as a region of interest that covers the frame.
    /// FFmpeg's wrappers read a quantizer only when they open, but they pass regions of
    /// interest on per frame.
    RegionOffset,
    /// FFmpeg's libaom wrapper reads a quantizer when it opens only, so in quantizer mode
    /// the engine drives libaom itself (`ffi::aom`), which takes a new quantizer range
    /// before any frame.
    Direct,
    /// The wrapper reads a quantizer when it opens only: the first frame's quantizer
    /// holds for the session (SVT-AV1, where libaom is missing).
    PerSession,
}

/// The level x264 and x265 rate-control to in quantizer mode; frames are offset from it.
pub(crate) const REGION_BASE_QUANTIZER: u32 = 26;

/// The x264 and x265 settings that pin every frame's level at [`REGION_BASE_QUANTIZER`]:
/// `qcomp=1` removes the complexity term from constant quality, `ipratio=1` and
/// `pbratio=1` keep I- and B-frames at that level. Adaptive quantization stays on, which
/// both libraries require before they apply offsets, at a strength too small to move any
/// block by a step (both turn it off at exactly 0).
fn pinned_level() -> String {
    format!("crf={REGION_BASE_QUANTIZER}:aq-mode=1:aq-strength=0.001:qcomp=1:ipratio=1:pbratio=1")
}

/// An FFmpeg video encoder, by what it is rather than by its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FfmpegEncoder {
    X264,
    X265,
    /// libvpx's VP8 encoder.
    Vp8,
    /// libvpx's VP9 encoder.
    Vp9,
    SvtAv1,
    Aom,
}

impl FfmpegEncoder {
    /// FFmpeg's name for the encoder.
    pub fn name(self) -> &'static str {
        match self {
            Self::X264 => "libx264",
            Self::X265 => "libx265",
            Self::Vp8 => "libvpx",
            Self::Vp9 => "libvpx-vp9",
            Self::SvtAv1 => "libsvtav1",
            Self::Aom => "libaom-av1",
        }
    }

    /// Whether it keeps frames back even in its low-delay configuration: SVT-AV1's
    /// pipeline holds two pictures with `pred-struct=1` and no lookahead.
    pub fn holds_frames_when_realtime(self) -> bool {
        self == Self::SvtAv1
    }

    /// Why this FFmpeg's wrapper of the encoder must not be opened for `config`, if it
    /// must not (libaom driven directly does not go through it).
    /// FFmpeg 7.1's libaom wrapper (libavcodec 61.19) keeps a pointer to the CPB
    /// properties it adds to the context, lets its Dolby Vision setup copy the codec
    /// parameters back (which frees and reallocates that side data), then writes the
    /// bitrates through the old pointer: a write to freed memory on every open, which
    /// glibc reports as a corrupt heap.
    pub fn unsafe_to_open(self, config: &VideoEncoderConfig) -> Option<&'static str> {
        const FIRST_AFFECTED: u32 = (61 << 16) | (19 << 8) | 100;
        let wrapped = !self.driven_directly(config);
        (self == Self::Aom && wrapped && ffmpeg_next::codec::version() >= FIRST_AFFECTED)
            .then_some("FFmpeg 7.1's libaom-av1 wrapper writes to freed memory when it opens")
    }

    /// Whether it can produce temporal layers whose base decodes alone: libvpx, and
    /// libaom driven directly (x264, x265 and SVT-AV1 layer B-frames only, or nothing).
    pub fn has_temporal_layers(self) -> bool {
        matches!(self, Self::Vp8 | Self::Vp9 | Self::Aom)
    }

    /// How a per-frame quantizer reaches the very frame it comes with, where it can.
    pub fn quantizer_control(self) -> QuantizerControl {
        match self {
            Self::Vp9 => QuantizerControl::LargestQuantizer,
            Self::X264 | Self::X265 => QuantizerControl::RegionOffset,
            Self::Aom => QuantizerControl::Direct,
            _ => QuantizerControl::PerSession,
        }
    }

    /// Whether the engine drives the library itself for `config` instead of FFmpeg: libaom
    /// for per-frame quantizers and for temporal layers, which FFmpeg's wrapper lacks.
    fn driven_directly(self, config: &VideoEncoderConfig) -> bool {
        self == Self::Aom && (config.bitrate_mode == BitrateMode::Quantizer || config.temporal_layers().is_some())
    }

    /// libvpx and libaom: a quantizer range instead of a qp option, CBR by rc_min_rate,
    /// and frame durations from ticks_per_frame.
    fn vpx_like(self) -> bool {
        matches!(self, Self::Vp8 | Self::Vp9 | Self::Aom)
    }

    /// A per-frame quantizer on its registration's scale as this library takes it. H.264
    /// and HEVC count 0-51 as x264 and x265 do. VP9 and AV1 give the quantizer index,
    /// 0-255, where libvpx, libaom and SVT-AV1 take 0-63, each step four indices (the last
    /// two 249 and 255): the smallest step that reaches the index. VP8 has no per-frame
    /// quantizer in its registration; libvpx's 0-63 is taken as it is.
    pub fn library_quantizer(self, quantizer: u32) -> u32 {
        match self {
            Self::X264 | Self::X265 => quantizer.min(51),
            Self::Vp8 => quantizer.min(63),
            Self::Vp9 | Self::Aom | Self::SvtAv1 => match quantizer.min(255) {
                index @ 0..=244 => index.div_ceil(4),
                245..=249 => 62,
                _ => 63,
            },
        }
    }

    /// The quantizer (the library's scale) it opens with in quantizer mode, before a
    /// frame brings one.
    pub fn default_quantizer(self) -> u32 {
        match self {
            Self::X264 | Self::X265 => 26,
            _ => 32,
        }
    }

    /// SVT-AV1 through FFmpeg 5.1 ignores requested key frames: the session ends there so
    /// that the next one starts with one.
    pub fn ignores_key_requests(self) -> bool {
        self == Self::SvtAv1
    }

    /// SVT-AV1's deinit waits forever for the end of a stream it was never sent: it must
    /// be given a picture and the end, and drained, before FFmpeg frees it.
    pub fn must_end_before_free(self) -> bool {
        self == Self::SvtAv1
    }

    /// Opens `codec` (this encoder) for `config`, describing its pictures as `color`; the
    /// error (FFmpeg's or libaom's) says why a config cannot be honoured.
    pub fn open(
        self,
        config: &VideoEncoderConfig,
        codec: Codec,
        (pixel, color): (Pixel, &ColorSpace),
        quantizer: Option<u32>,
    ) -> std::result::Result<Backend, String> {
        let tuning = Tuning { config, encoder: self, quantizer };
        let (primaries, transfer, matrix, range) = color_space_to_av(color);
        if self.driven_directly(config) {
            let rate = match (quantizer, tuning.bitrate()) {
                (Some(q), _) => AomRate::Quantizer(q),
                (None, Some(bits)) => AomRate::Bitrate { bits, constant: config.bitrate_mode == BitrateMode::Constant },
                (None, None) => AomRate::Quality(32),
            };
            let layers = tuning.temporal_layers().map(|mode| AomLayers {
                pattern: mode.pattern(),
                decimators: mode.rate_decimators(),
                bitrates: tuning.layer_bitrates(mode),
            });
            let settings = AomSettings {
                width: config.width,
                height: config.height,
                pixel,
                realtime: tuning.realtime(),
                threads: thread_count(),
                frame_duration: (1e6 / f64::from(config.frame_rate())).round() as u64,
                rate,
                layers,
                color: (primaries, transfer, matrix, range),
            };
            return AomEncoder::open(&settings).map(|aom| Backend::Aom(Box::new(aom)));
        }
        let mut ctx = codec::Context::new_with_codec(codec);
        // Built from `kind`: FFmpeg before 6.0 has a third field (`safe`), later ones do not.
        let threads = threading::Config { count: thread_count(), ..threading::Config::kind(tuning.thread_kind()) };
        ctx.set_threading(threads);
        let mut enc = ctx.encoder().video().map_err(|e| e.to_string())?;
        enc.set_width(config.width);
        enc.set_height(config.height);
        enc.set_format(pixel);
        enc.set_time_base(Rational::new(TIME_BASE.0, TIME_BASE.1));
        enc.set_frame_rate(Some(config.frame_rate()));
        enc.set_colorspace(matrix);
        enc.set_color_range(range);
        if tuning.realtime() {
            enc.set_max_b_frames(0);
        }
        let mut fields = tuning.rate_control(&mut enc);
        (fields.primaries, fields.transfer) = (primaries.into(), transfer.into());
        set_context_fields(&mut enc, &fields);
        enc.open_with(tuning.options()).map(Backend::Ffmpeg).map_err(|e| e.to_string())
    }
}

/// A config as one encoder reads it.
struct Tuning<'a> {
    config: &'a VideoEncoderConfig,
    encoder: FfmpegEncoder,
    quantizer: Option<u32>,
}

impl Tuning<'_> {
    fn realtime(&self) -> bool {
        self.config.latency_mode == LatencyMode::Realtime
    }

    /// x264 in realtime runs slice threads: each of its frame threads holds a frame, and
    /// FFmpeg's thread type overrides the one `tune=zerolatency` asks for. In quality mode
    /// its frame threads hold one frame fewer than there are of them, and they are faster.
    fn thread_kind(&self) -> threading::Type {
        if self.encoder == FfmpegEncoder::X264 && self.realtime() {
            threading::Type::Slice
        } else {
            threading::Type::Frame
        }
    }

    /// Two or three temporal layers (only libvpx and libaom are allowed to get here with them).
    fn temporal_layers(&self) -> Option<ScalabilityMode> {
        self.config.temporal_layers()
    }

    /// The bitrate the encoder gets; libvpx's VP8 and temporal layers need one.
    fn bitrate(&self) -> Option<u64> {
        match self.config.bitrate {
            Some(b) => Some(b),
            None if self.encoder == FfmpegEncoder::Vp8 || self.temporal_layers().is_some() => {
                Some(self.default_bitrate())
            }
            None => None,
        }
    }

    /// Bitrate when none was given but an encoder needs one: ~0.1 bit per pixel.
    fn default_bitrate(&self) -> u64 {
        let fps = f64::from(self.config.frame_rate());
        ((f64::from(self.config.width) * f64::from(self.config.height) * fps * 0.1) as u64).max(100_000)
    }

    /// Neither a bitrate nor a quantizer: the encoder's constant-quality mode.
    fn constant_quality(&self) -> bool {
        self.bitrate().is_none() && self.quantizer.is_none()
    }

    fn options(&self) -> Dictionary<'static> {
        match self.encoder {
            FfmpegEncoder::X264 => self.x264_options(),
            FfmpegEncoder::X265 => self.x265_options(),
            FfmpegEncoder::Vp8 | FfmpegEncoder::Vp9 => self.vpx_options(),
            FfmpegEncoder::Aom => self.aom_options(),
            FfmpegEncoder::SvtAv1 => self.svt_options(),
        }
    }

    /// Chosen by measurement (README, "Performance"): `superfast` with `tune=psnr` is as
    /// fast as `superfast` alone and 0.15-0.2 dB better at the same bitrate; B-frames and
    /// lookahead cost 20-35% more time for 0.05-0.1 dB. Neither mode reorders frames.
    fn x264_options(&self) -> Dictionary<'static> {
        let mut opts = Dictionary::new();
        opts.set("preset", "superfast");
        opts.set("tune", if self.realtime() { "zerolatency,psnr" } else { "psnr" });
        opts.set("rc-lookahead", "0");
        opts.set("bf", "0");
        if let Some(profile) = self.config.codec.profile_option() {
            opts.set("profile", profile);
        }
        if let Some(level) = self.config.codec.level_option() {
            opts.set("level", &level);
        }
        opts.set("forced-idr", "1");
        if self.quantizer.is_some() {
            opts.set("x264-params", &format!("{}:mbtree=0", pinned_level()));
        } else if self.constant_quality() {
            opts.set("crf", "23");
        }
        opts
    }

    fn x265_options(&self) -> Dictionary<'static> {
        let mut opts = Dictionary::new();
        let rt = self.realtime();
        opts.set("preset", if rt { "ultrafast" } else { "fast" });
        if rt {
            opts.set("tune", "zerolatency");
        }
        if let Some(profile) = self.config.codec.profile_option() {
            opts.set("profile", profile);
        }
        opts.set("forced-idr", "1");
        // One frame thread: x265's frame threads each hold a frame. Quality mode keeps a
        // one-frame lookahead and no B-frames, which holds 4 frames (measured; its
        // lookahead costs three more than its depth); realtime holds none.
        let mut params = String::from(if rt {
            "log-level=error:frame-threads=1"
        } else {
            "log-level=error:frame-threads=1:rc-lookahead=1:bframes=0"
        });
        if self.quantizer.is_some() {
            params.push_str(&format!(":{}:cutree=0", pinned_level()));
        } else if self.constant_quality() {
            params.push_str(":crf=28");
        }
        opts.set("x265-params", &params);
        opts
    }

    /// libvpx, VP8 and VP9.
    fn vpx_options(&self) -> Dictionary<'static> {
        let mut opts = Dictionary::new();
        let rt = self.realtime();
        // Chosen by measurement (README, "Performance"): libvpx's `good` deadline is 4-5x
        // slower than `realtime` at any cpu-used for 1.5 dB, so quality mode differs by
        // its lag, which saves 5-7% of the bitrate at the same PSNR.
        opts.set("deadline", "realtime");
        opts.set("cpu-used", "8");
        // libvpx's lag holds one frame fewer than its length: 5 holds 4 (measured).
        opts.set("lag-in-frames", if rt { "0" } else { "5" });
        // FFmpeg refuses VP8 alpha with alternate reference frames, which it turns on.
        if self.encoder == FfmpegEncoder::Vp8 && self.config.alpha == AlphaOption::Keep {
            opts.set("auto-alt-ref", "0");
        }
        if let Some(mode) = self.temporal_layers() {
            opts.set("ts-parameters", &self.ts_parameters(mode));
            // Beyond the reference buffers the layering pattern picks, libvpx frames share
            // state that a decoder of fewer layers would lack: the entropy contexts every
            // frame updates and (VP9) the previous frame's motion vectors. Error-resilient
            // frames use neither, so each layer decodes without the layers above it. Without
            // it the base layer drifted with libvpx 1.12 and fails to decode with 1.15.
            opts.set("error-resilient", "default");
        }
        if let Some(q) = self.quantizer {
            // VP9's constant quality mode at the top of the range: every frame is encoded
            // at the largest quantizer allowed, which the frame's quantizer sets.
            let level =
                if self.encoder.quantizer_control() == QuantizerControl::LargestQuantizer { 63 } else { q.min(63) };
            opts.set("crf", &level.to_string());
        }
        if self.encoder == FfmpegEncoder::Vp9 {
            opts.set("row-mt", "1");
            if self.constant_quality() {
                opts.set("crf", "32");
            }
        }
        opts
    }

    /// libvpx's `ts-parameters` for its predefined layering modes 2 (L1T2) and 3 (L1T3),
    /// whose frame patterns are [`ScalabilityMode::pattern`]; each layer's bitrate
    /// includes the layers below it.
    fn ts_parameters(&self, mode: ScalabilityMode) -> String {
        let list = |values: Vec<String>| values.join(",");
        let layers = mode.bitrate_shares().len();
        let rates = self.layer_bitrates(mode).iter().map(|b| (b / 1000).max(1).to_string()).collect();
        let decimators = mode.rate_decimators().iter().map(u32::to_string).collect();
        let pattern: Vec<String> = mode.pattern().iter().map(u32::to_string).collect();
        format!(
            "ts_number_layers={layers}:ts_target_bitrate={}:ts_rate_decimator={}:ts_periodicity={}:\
             ts_layer_id={}:ts_layering_mode={layers}",
            list(rates),
            list(decimators),
            pattern.len(),
            list(pattern)
        )
    }

    /// Each temporal layer's bitrate (bits a second), the layers below it included.
    fn layer_bitrates(&self, mode: ScalabilityMode) -> Vec<u64> {
        let bitrate = self.bitrate().unwrap_or(0);
        mode.bitrate_shares().iter().map(|share| bitrate * share / 100).collect()
    }

    fn aom_options(&self) -> Dictionary<'static> {
        let mut opts = Dictionary::new();
        let rt = self.realtime();
        opts.set("usage", if rt { "realtime" } else { "good" });
        opts.set("cpu-used", if rt { "8" } else { "6" });
        opts.set("row-mt", "1");
        opts.set("lag-in-frames", if rt { "0" } else { "3" });
        if let Some(q) = self.quantizer {
            opts.set("crf", &q.min(63).to_string());
        } else if self.constant_quality() {
            opts.set("crf", "32");
        }
        opts
    }

    fn svt_options(&self) -> Dictionary<'static> {
        let mut opts = Dictionary::new();
        opts.set("preset", if self.realtime() { "12" } else { "10" });
        // The low-delay prediction structure without lookahead holds 2 frames; the
        // random-access one holds a mini-GOP (8 or more). From SVT-AV1 2.0 on, low delay
        // rate-controls a bitrate in CBR only (rc=2; 1.x takes either), so a bitrate is
        // constant with SVT-AV1.
        let rate = if self.bitrate().is_some() && self.quantizer.is_none() { ":rc=2" } else { "" };
        opts.set("svtav1-params", &format!("pred-struct=1:lookahead=0{rate}"));
        if let Some(q) = self.quantizer {
            opts.set("qp", &q.min(63).to_string());
        } else if self.constant_quality() {
            opts.set("crf", "35");
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
            primaries: av_color::Primaries::Unspecified.into(),
            transfer: av_color::TransferCharacteristic::Unspecified.into(),
        };
        let vpx_like = self.encoder.vpx_like();
        if vpx_like {
            // FFmpeg 5.1's libvpx/libaom wrappers give each frame a duration of
            // ticks_per_frame time-base units; at 1 µs per unit their rate control would
            // otherwise budget for a million frames a second.
            let fps = f64::from(self.config.frame_rate());
            fields.ticks_per_frame = Some((1_000_000.0 / fps).round().clamp(1.0, 1e6) as i32);
        }
        if let Some(q) = self.quantizer {
            if vpx_like {
                let q = q.min(63) as i32;
                // Per frame: the whole range, each frame then sets the top of it.
                let per_frame = self.encoder.quantizer_control() == QuantizerControl::LargestQuantizer;
                enc.set_qmin(if per_frame { 0 } else { q });
                enc.set_qmax(if per_frame { 63 } else { q });
            }
            return fields;
        }
        if let Some(bitrate) = self.bitrate() {
            let bitrate = usize::try_from(bitrate).unwrap_or(usize::MAX);
            enc.set_bit_rate(bitrate);
            // SVT-AV1's constant bitrate is set in svt_options: FFmpeg's way (maxrate)
            // passes a maximum that SVT-AV1 2.x refuses outside CRF.
            if self.config.bitrate_mode == BitrateMode::Constant && self.encoder != FfmpegEncoder::SvtAv1 {
                enc.set_max_bit_rate(bitrate);
                // rc_min_rate == rc_max_rate == bit_rate is how FFmpeg's libvpx selects CBR.
                fields.rc_min_rate = vpx_like.then_some(bitrate as i64);
                fields.rc_buffer_size = Some(i32::try_from(bitrate).unwrap_or(i32::MAX));
            }
        }
        fields
    }
}
