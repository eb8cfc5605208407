//! A video decoder session (https://w3c.github.io/webcodecs/#videodecoder-interface):
//! chunks in, frames out in presentation order.

use ffmpeg_next::codec::{self, threading};
use ffmpeg_next::format::Pixel;
use ffmpeg_next::software::scaling;
use ffmpeg_next::{decoder, frame, Dictionary};

use super::color::color_space_from_av;
use super::{ColorSpace, FrameBuffer, HardwareAcceleration, Orientation, PixelFormat, Rect, VideoCodec};
use crate::bitstream::{self, NalCodec};
use crate::ffi::codec::set_extradata;
use crate::session::{
    chunk_packet, exchange, open_first, thread_count, EncodedInput, Session, TimestampMap, TIME_BASE,
};
use crate::{EngineError, Result};

/// `VideoDecoderConfig` after the binding's validation; also the `decoderConfig` an
/// encoder reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VideoDecoderConfig {
    pub codec: VideoCodec,
    /// `avcC`/`hvcC` (then chunks are length-prefixed), or `av1C`; absent for Annex B.
    pub description: Option<Vec<u8>>,
    pub coded_width: Option<u32>,
    pub coded_height: Option<u32>,
    pub display_aspect_width: Option<u32>,
    pub display_aspect_height: Option<u32>,
    pub color_space: Option<ColorSpace>,
    pub hardware_acceleration: HardwareAcceleration,
    pub optimize_for_latency: bool,
    /// `rotation` and `flip`, given to every decoded frame.
    pub orientation: Orientation,
}

impl VideoDecoderConfig {
    pub fn new(codec: VideoCodec) -> Self {
        Self {
            codec,
            description: None,
            coded_width: None,
            coded_height: None,
            display_aspect_width: None,
            display_aspect_height: None,
            color_space: None,
            hardware_acceleration: HardwareAcceleration::NoPreference,
            optimize_for_latency: false,
            orientation: Orientation::default(),
        }
    }
}

/// An FFmpeg video decoder, by what it is rather than by its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FfmpegDecoder {
    H264,
    Hevc,
    Vp8,
    /// libvpx's VP8 decoder.
    LibvpxVp8,
    Vp9,
    /// libvpx's VP9 decoder.
    LibvpxVp9,
    Dav1d,
    Aom,
    /// FFmpeg's AV1 decoder (hardware only in most builds).
    Av1,
}

impl FfmpegDecoder {
    /// FFmpeg's name for the decoder.
    pub fn name(self) -> &'static str {
        match self {
            Self::H264 => "h264",
            Self::Hevc => "hevc",
            Self::Vp8 => "vp8",
            Self::LibvpxVp8 => "libvpx",
            Self::Vp9 => "vp9",
            Self::LibvpxVp9 => "libvpx-vp9",
            Self::Dav1d => "libdav1d",
            Self::Aom => "libaom-av1",
            Self::Av1 => "av1",
        }
    }

    /// dav1d 1.0 (Debian 12) can deadlock in dav1d_send_data, its worker threads all
    /// waiting, on corrupt data decoded after dav1d_flush (found by the bitstream fuzzer).
    /// A decoder that was never flushed does not: after a flush it is opened again, and
    /// so it keeps its threads.
    fn reopens_after_flush(self) -> bool {
        self == Self::Dav1d
    }

    /// The decoder's own options.
    fn options(self) -> Dictionary<'static> {
        let mut options = Dictionary::new();
        // FFmpeg 5.1's HEVC decoder corrupts the heap now and then (glibc aborts in a
        // frame thread's av_frame_new_side_data_from_buf) when frame threads decode
        // corrupt data (the bitstream fuzzer: about once in 50,000 cases). Slice threads
        // do not share frames between threads that way.
        if self == Self::Hevc {
            options.set("thread_type", "slice");
        }
        options
    }
}

/// A decoded frame and what the bitstream said about it.
pub struct DecodedFrame {
    /// Wraps FFmpeg's frame by reference (converted first when its format has no
    /// WebCodecs equivalent).
    pub frame: FrameBuffer,
    pub timestamp_us: i64,
    pub duration_us: Option<i64>,
    pub color_space: ColorSpace,
    /// The visible rect inside the coded frame (FFmpeg has applied the bitstream's crop).
    pub visible_rect: Rect,
    /// The display size after the sample aspect ratio (or the config's aspect) and the
    /// rotation.
    pub display_width: u32,
    pub display_height: u32,
    pub orientation: Orientation,
}

pub struct VideoDecoder {
    ffmpeg: FfmpegDecoder,
    decoder: decoder::Video,
    /// Kept to open a fresh decoder after a flush where flushing the library is unsafe.
    config: VideoDecoderConfig,
    frames: FrameOutput,
    /// NAL codec and length size when chunks are length-prefixed (a description was given).
    length_prefixed: Option<(NalCodec, usize)>,
}

impl Session for VideoDecoder {
    type Config = VideoDecoderConfig;
    type Input = EncodedInput;
    type Output = DecodedFrame;

    fn open(config: VideoDecoderConfig) -> Result<Self> {
        config.hardware_acceleration.require_software("decoding")?;
        let length_prefixed = length_prefixed(&config)?;
        let (ffmpeg, decoder) = open_decoder(&config)?;
        let frames = FrameOutput { overrides: Overrides::from(&config), ..FrameOutput::default() };
        Ok(Self { ffmpeg, decoder, config, length_prefixed, frames })
    }

    /// Decodes one chunk and emits the frames that became ready.
    fn push(&mut self, chunk: EncodedInput, sink: &mut dyn FnMut(DecodedFrame)) -> Result<()> {
        if let Some((_, length_size)) = self.length_prefixed {
            bitstream::split_length_prefixed(chunk.bytes(), length_size)?;
        }
        let packet = chunk_packet(&mut self.frames.timestamps, &chunk)?;
        exchange(&mut self.decoder, Some(&packet), |frame| {
            sink(self.frames.output(frame)?);
            Ok(())
        })
    }

    /// Emits every pending frame, then readies the decoder for a new key chunk.
    fn flush(&mut self, sink: &mut dyn FnMut(DecodedFrame)) -> Result<()> {
        exchange(&mut self.decoder, None, |frame| {
            sink(self.frames.output(frame)?);
            Ok(())
        })?;
        if self.ffmpeg.reopens_after_flush() {
            (self.ffmpeg, self.decoder) = open_decoder(&self.config)?;
        } else {
            self.decoder.flush();
        }
        self.frames.timestamps.clear();
        Ok(())
    }
}

/// The first FFmpeg decoder for the config's codec that opens with it.
fn open_decoder(config: &VideoDecoderConfig) -> Result<(FfmpegDecoder, decoder::Video)> {
    let candidates = config.codec.ffmpeg_codecs().1.iter().map(|&d| (d.name(), d));
    let (ffmpeg, mut decoder) =
        open_first("decode", &config.codec, candidates, decoder::find_by_name, |ffmpeg, codec| {
            let mut ctx = codec::Context::new_with_codec(codec);
            let kind = if config.optimize_for_latency { threading::Type::Slice } else { threading::Type::Frame };
            // Built from `kind`: FFmpeg before 6.0 has a third field (`safe`), later ones do not.
            ctx.set_threading(threading::Config { count: thread_count(), ..threading::Config::kind(kind) });
            if let Some(description) = &config.description {
                set_extradata(&mut ctx, description)?;
            }
            let opened = ctx.decoder().open_as_with(codec, ffmpeg.options()).and_then(|d| d.video());
            Ok((ffmpeg, opened.map_err(|e| format!("{}: {e}", ffmpeg.name()))?))
        })?;
    decoder.set_packet_time_base(ffmpeg_next::Rational::new(TIME_BASE.0, TIME_BASE.1));
    Ok((ffmpeg, decoder))
}

/// The NAL codec and length size of chunks when a description says they are
/// length-prefixed; `NotSupported` for a description that is no configuration record.
fn length_prefixed(config: &VideoDecoderConfig) -> Result<Option<(NalCodec, usize)>> {
    let nal_codec = match config.codec {
        VideoCodec::H264 { .. } => Some(NalCodec::H264),
        VideoCodec::Hevc { .. } => Some(NalCodec::Hevc),
        _ => None,
    };
    match (nal_codec, &config.description) {
        (Some(nal), Some(description)) => {
            let record = bitstream::parse_config_record(nal, description)
                .map_err(|e| EngineError::not_supported(format!("invalid description: {}", e.message())))?;
            Ok(Some((nal, record.length_size)))
        }
        _ => Ok(None),
    }
}

/// What the active config says about every output frame ("output VideoFrames",
/// https://w3c.github.io/webcodecs/#output-videoframes, steps 3, 5 and 6).
#[derive(Default)]
struct Overrides {
    color_space: Option<ColorSpace>,
    /// What the codec string says of the colour, for the members a bitstream lacks (VP9
    /// frames carry no primaries or transfer).
    codec_color: ColorSpace,
    aspect: Option<(u32, u32)>,
    orientation: Orientation,
}

impl From<&VideoDecoderConfig> for Overrides {
    fn from(config: &VideoDecoderConfig) -> Self {
        let aspect = config.display_aspect_width.zip(config.display_aspect_height).filter(|(w, h)| *w > 0 && *h > 0);
        let codec_color = config.codec.described_color();
        Self { color_space: config.color_space.clone(), codec_color, aspect, orientation: config.orientation }
    }
}

impl Overrides {
    /// The config's colour space, else the bitstream's (completed from the codec
    /// string), else (nothing detected) the format's default ("Pick Color Space").
    fn color_space(&self, detected: ColorSpace, format: PixelFormat) -> ColorSpace {
        let detected = detected.or(&self.codec_color);
        match &self.color_space {
            Some(given) => given.clone(),
            None if detected == ColorSpace::default() => ColorSpace::pick(None, format),
            None => detected,
        }
    }

    /// "Create a VideoFrame" step 8: the display size grown in one dimension until it has
    /// the config's aspect ratio; then turned for the rotation.
    fn display_size(&self, (width, height): (u32, u32)) -> (u32, u32) {
        let (mut width, mut height) = (u64::from(width), u64::from(height));
        if let Some((aw, ah)) = self.aspect {
            let (aw, ah) = (u64::from(aw), u64::from(ah));
            if width * ah < height * aw {
                width = (height * aw).div_ceil(ah);
            } else if width * ah > height * aw {
                height = (width * ah).div_ceil(aw);
            }
        }
        let clamp = |v: u64| u32::try_from(v).unwrap_or(u32::MAX).max(1);
        self.orientation.oriented((clamp(width), clamp(height)))
    }
}

/// What turns the decoder's frames into outputs: the inputs still inside it, the
/// scaler for pixel formats WebCodecs does not have, and the config's overrides.
#[derive(Default)]
struct FrameOutput {
    timestamps: TimestampMap,
    scaler: Option<((Pixel, u32, u32), scaling::Context)>,
    overrides: Overrides,
}

impl FrameOutput {
    fn output(&mut self, frame: frame::Video) -> Result<DecodedFrame> {
        let (timestamp_us, duration_us) = self.timestamps.take(frame.pts().or(frame.timestamp()));
        let detected = color_space_from_av(
            frame.color_primaries(),
            frame.color_transfer_characteristic(),
            frame.color_space(),
            frame.color_range(),
        );
        let (width, height) = (frame.width(), frame.height());
        let sar = frame.aspect_ratio();
        let (display_width, display_height) = if sar.numerator() > 0 && sar.denominator() > 0 {
            let w = u64::from(width) * sar.numerator() as u64 / sar.denominator() as u64;
            (u32::try_from(w).unwrap_or(width).max(1), height)
        } else {
            (width, height)
        };
        let frame = self.webcodecs_frame(frame)?;
        let buffer = FrameBuffer::from_av(frame).ok_or_else(|| EngineError::encoding("unusable decoded frame"))?;
        let color_space = self.overrides.color_space(detected, buffer.format);
        let (display_width, display_height) = self.overrides.display_size((display_width, display_height));
        Ok(DecodedFrame {
            frame: buffer,
            timestamp_us,
            duration_us,
            color_space,
            visible_rect: Rect::of_size(width, height),
            display_width,
            display_height,
            orientation: self.overrides.orientation,
        })
    }

    /// The frame itself when WebCodecs has its pixel format, else converted to I420 (or
    /// I420P10 for deeper formats).
    fn webcodecs_frame(&mut self, frame: frame::Video) -> Result<frame::Video> {
        let format = frame.format();
        if PixelFormat::from_av(format).is_some() {
            return Ok(frame);
        }
        if frame.width() == 0 || frame.height() == 0 || format == Pixel::None {
            return Err(EngineError::encoding("decoder produced an empty frame"));
        }
        let deep = format.descriptor().is_some_and(|d| ["10", "12", "16"].iter().any(|n| d.name().contains(n)));
        let target = if deep { Pixel::YUV420P10LE } else { Pixel::YUV420P };
        let key = (format, frame.width(), frame.height());
        if self.scaler.as_ref().is_none_or(|(k, _)| *k != key) {
            let ctx = scaling::Context::get(key.0, key.1, key.2, target, key.1, key.2, scaling::Flags::BILINEAR)
                .map_err(|e| EngineError::encoding(format!("cannot convert {format:?}: {e}")))?;
            self.scaler = Some((key, ctx));
        }
        let Some((_, scaler)) = self.scaler.as_mut() else {
            return Err(EngineError::encoding("no scaler"));
        };
        let mut converted = frame::Video::empty();
        scaler.run(&frame, &mut converted).map_err(|e| EngineError::encoding(format!("converting: {e}")))?;
        converted.set_pts(frame.pts());
        converted.set_color_space(frame.color_space());
        converted.set_color_range(frame.color_range());
        Ok(converted)
    }
}
