//! Video codec strings from the WebCodecs codec registry
//! (https://w3c.github.io/webcodecs/codec_registry.html): parsing, canonical formatting
//! and what each codec means to FFmpeg (encoder/decoder names, profiles, levels).

use std::fmt;

use ffmpeg_next::format::Pixel;

use super::decoder::FfmpegDecoder;
use super::encoder::FfmpegEncoder;
use super::ColorSpace;
use crate::{EngineError, Result};

/// A parsed video codec string. Optional trailing fields keep whether they were given, so
/// `to_string()` gives back an equivalent string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VideoCodec {
    /// `avc1.PPCCLL` / `avc3.PPCCLL` (https://w3c.github.io/webcodecs/avc_codec_registration.html).
    H264 {
        profile_idc: u8,
        /// `constraint_set0_flag` .. `constraint_set5_flag` in the high bits, as in the SPS.
        constraint_flags: u8,
        level_idc: u8,
        /// `avc3`: parameter sets travel in the bitstream, not only in the description.
        parameter_sets_in_band: bool,
    },
    /// `hvc1.*` / `hev1.*` (ISO/IEC 14496-15 annex E).
    Hevc {
        /// `general_profile_space` (0 = none, 1..3 = A..C).
        profile_space: u8,
        profile_idc: u8,
        /// `general_profile_compatibility_flag[j]` at bit `31 - j`, the bitstream's order.
        compatibility_flags: u32,
        /// `general_tier_flag`: `H` in the string.
        high_tier: bool,
        level_idc: u8,
        /// The 48 bits of general constraint flags, first byte first.
        constraint_bytes: [u8; 6],
        /// How many constraint bytes the string gave (trailing zero bytes may be omitted).
        constraint_count: u8,
        /// `hev1`: parameter sets may travel in the bitstream.
        parameter_sets_in_band: bool,
    },
    Vp8,
    /// `vp09.PP.LL.DD[.CC.cp.tc.mc.FF]` (https://www.webmproject.org/vp9/mp4/).
    Vp9 {
        profile: u8,
        level: u8,
        bit_depth: u8,
        optional: Vp9Optional,
    },
    /// `av01.P.LLT.DD[.M.CCC.cp.tc.mc.F]` (https://aomediacodec.github.io/av1-isobmff/#codecsparam).
    Av1 {
        profile: u8,
        level: u8,
        high_tier: bool,
        bit_depth: u8,
        optional: Av1Optional,
    },
}

/// The optional fields of a `vp09` string, each present only if all before it are.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Vp9Optional {
    pub chroma_subsampling: Option<u8>,
    pub color_primaries: Option<u8>,
    pub transfer_characteristics: Option<u8>,
    pub matrix_coefficients: Option<u8>,
    pub full_range: Option<bool>,
}

/// The optional fields of an `av01` string, each present only if all before it are.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Av1Optional {
    pub monochrome: Option<bool>,
    /// `subsampling_x`, `subsampling_y`, `chroma_sample_position`.
    pub chroma_subsampling: Option<(u8, u8, u8)>,
    pub color_primaries: Option<u8>,
    pub transfer_characteristics: Option<u8>,
    pub matrix_coefficients: Option<u8>,
    pub full_range: Option<bool>,
}

const H264_PROFILES: [u8; 16] = [66, 77, 88, 100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135];
const H264_LEVELS: [u8; 20] = [9, 10, 11, 12, 13, 20, 21, 22, 30, 31, 32, 40, 41, 42, 50, 51, 52, 60, 61, 62];
const VP9_LEVELS: [u8; 14] = [10, 11, 20, 21, 30, 31, 40, 41, 50, 51, 52, 60, 61, 62];

fn unsupported(codec: &str) -> EngineError {
    EngineError::not_supported(format!("unsupported or malformed codec string '{codec}'"))
}

/// Parses a video codec string. Empty (or blank) is a `TypeError`, as the spec's "valid
/// codec string" check requires; anything else unknown or malformed is `NotSupported`.
pub fn parse_video_codec(codec: &str) -> Result<VideoCodec> {
    if codec.trim().is_empty() {
        return Err(EngineError::type_error("codec must not be empty"));
    }
    let parsed = match codec.split_once('.').map_or(codec, |(prefix, _)| prefix) {
        "avc1" | "avc3" => parse_avc(codec),
        "hvc1" | "hev1" => parse_hevc(codec),
        "vp8" if codec == "vp8" => Some(VideoCodec::Vp8),
        "vp09" => parse_vp9(codec),
        "av01" => parse_av1(codec),
        _ => None,
    };
    parsed.ok_or_else(|| unsupported(codec))
}

fn hex_u8(s: &str) -> Option<u8> {
    (s.len() == 2 && s.bytes().all(|b| b.is_ascii_hexdigit())).then(|| u8::from_str_radix(s, 16).ok())?
}

/// A decimal field of exactly `digits` digits.
fn dec_field(s: &str, digits: usize) -> Option<u8> {
    (s.len() == digits && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse().ok())?
}

fn parse_avc(codec: &str) -> Option<VideoCodec> {
    let (prefix, rest) = codec.split_once('.')?;
    if rest.len() != 6 || !rest.is_ascii() {
        return None;
    }
    let profile_idc = hex_u8(&rest[0..2])?;
    let constraint_flags = hex_u8(&rest[2..4])?;
    let level_idc = hex_u8(&rest[4..6])?;
    // constraint_set flags occupy the top 6 bits; the two low bits are reserved zero.
    if !H264_PROFILES.contains(&profile_idc) || !H264_LEVELS.contains(&level_idc) || constraint_flags & 3 != 0 {
        return None;
    }
    Some(VideoCodec::H264 { profile_idc, constraint_flags, level_idc, parameter_sets_in_band: prefix == "avc3" })
}

fn parse_hevc(codec: &str) -> Option<VideoCodec> {
    let mut parts = codec.split('.');
    let prefix = parts.next()?;
    let profile = parts.next()?;
    let compat = parts.next()?;
    let tier_level = parts.next()?;
    let (profile_space, idc) = match profile.as_bytes().first()? {
        b'A' => (1, &profile[1..]),
        b'B' => (2, &profile[1..]),
        b'C' => (3, &profile[1..]),
        _ => (0, profile),
    };
    if idc.is_empty() || idc.len() > 2 || !idc.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let profile_idc: u8 = idc.parse().ok()?;
    if profile_idc > 31 {
        return None;
    }
    if compat.is_empty() || compat.len() > 8 || !compat.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    // The string writes flag j as bit j; the bitstream field has flag j at bit 31 - j.
    let compatibility_flags = u32::from_str_radix(compat, 16).ok()?.reverse_bits();
    let high_tier = match tier_level.as_bytes().first()? {
        b'L' => false,
        b'H' => true,
        _ => return None,
    };
    let level = &tier_level[1..];
    if level.is_empty() || level.len() > 3 || !level.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let level_idc: u8 = level.parse().ok()?;
    let mut constraint_bytes = [0u8; 6];
    let mut constraint_count = 0u8;
    for part in parts {
        let slot = constraint_bytes.get_mut(usize::from(constraint_count))?;
        if part.is_empty() || part.len() > 2 || !part.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        *slot = u8::from_str_radix(part, 16).ok()?;
        constraint_count += 1;
    }
    Some(VideoCodec::Hevc {
        profile_space,
        profile_idc,
        compatibility_flags,
        high_tier,
        level_idc,
        constraint_bytes,
        constraint_count,
        parameter_sets_in_band: prefix == "hev1",
    })
}

fn parse_vp9(codec: &str) -> Option<VideoCodec> {
    let fields: Vec<&str> = codec.split('.').skip(1).collect();
    if !(3..=8).contains(&fields.len()) {
        return None;
    }
    let num = |i: usize| fields.get(i).map(|f| dec_field(f, 2));
    let profile = num(0)??;
    let level = num(1)??;
    let bit_depth = num(2)??;
    let optional = Vp9Optional {
        chroma_subsampling: num(3).map_or(Some(None), |v| v.filter(|c| *c <= 3).map(Some))?,
        color_primaries: num(4).map_or(Some(None), |v| v.map(Some))?,
        transfer_characteristics: num(5).map_or(Some(None), |v| v.map(Some))?,
        matrix_coefficients: num(6).map_or(Some(None), |v| v.map(Some))?,
        full_range: num(7).map_or(Some(None), |v| v.filter(|f| *f <= 1).map(|f| Some(f == 1)))?,
    };
    if !VP9_LEVELS.contains(&level) {
        return None;
    }
    // 4:2:0 is subsampling 0 or 1; profiles 0 and 2 are 4:2:0 only, 1 and 3 never are.
    let is_420 = optional.chroma_subsampling.is_none_or(|c| c <= 1);
    let valid = match profile {
        0 => bit_depth == 8 && is_420,
        1 => bit_depth == 8 && !is_420,
        2 => matches!(bit_depth, 10 | 12) && is_420,
        3 => matches!(bit_depth, 10 | 12) && optional.chroma_subsampling.is_none_or(|c| c > 1),
        _ => false,
    };
    // Matrix 0 (identity/RGB) needs 4:4:4.
    if optional.matrix_coefficients == Some(0) && optional.chroma_subsampling != Some(3) {
        return None;
    }
    valid.then_some(VideoCodec::Vp9 { profile, level, bit_depth, optional })
}

fn parse_av1(codec: &str) -> Option<VideoCodec> {
    let fields: Vec<&str> = codec.split('.').skip(1).collect();
    if !(3..=9).contains(&fields.len()) {
        return None;
    }
    let profile = dec_field(fields[0], 1).filter(|p| *p <= 2)?;
    let level_tier = fields[1];
    if level_tier.len() != 3 || !level_tier.is_ascii() {
        return None;
    }
    let level = dec_field(&level_tier[..2], 2).filter(|l| *l <= 31)?;
    let high_tier = match &level_tier[2..] {
        "M" => false,
        "H" => true,
        _ => return None,
    };
    let bit_depth = dec_field(fields[2], 2).filter(|d| matches!(d, 8 | 10 | 12))?;
    if bit_depth == 12 && profile != 2 {
        return None;
    }
    let field = |i: usize, digits: usize| fields.get(i).map(|f| dec_field(f, digits));
    let flag = |i: usize| field(i, 1).map_or(Some(None), |v| v.filter(|f| *f <= 1).map(|f| Some(f == 1)));
    let chroma = match fields.get(4) {
        None => None,
        Some(ccc) => {
            let digits = dec_field(ccc, 3).map(|_| ccc.as_bytes())?;
            let (x, y, pos) = (digits[0] - b'0', digits[1] - b'0', digits[2] - b'0');
            if x > 1 || y > 1 || pos > 3 || (y == 1 && x == 0) {
                return None;
            }
            Some((x, y, pos))
        }
    };
    let optional = Av1Optional {
        monochrome: flag(3)?,
        chroma_subsampling: chroma,
        color_primaries: field(5, 2).map_or(Some(None), |v| v.map(Some))?,
        transfer_characteristics: field(6, 2).map_or(Some(None), |v| v.map(Some))?,
        matrix_coefficients: field(7, 2).map_or(Some(None), |v| v.map(Some))?,
        full_range: flag(8)?,
    };
    Some(VideoCodec::Av1 { profile, level, high_tier, bit_depth, optional })
}

impl fmt::Display for VideoCodec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::H264 { profile_idc, constraint_flags, level_idc, parameter_sets_in_band } => {
                let prefix = if *parameter_sets_in_band { "avc3" } else { "avc1" };
                write!(f, "{prefix}.{profile_idc:02x}{constraint_flags:02x}{level_idc:02x}")
            }
            Self::Hevc {
                profile_space,
                profile_idc,
                compatibility_flags,
                high_tier,
                level_idc,
                constraint_bytes,
                constraint_count,
                parameter_sets_in_band,
            } => {
                let prefix = if *parameter_sets_in_band { "hev1" } else { "hvc1" };
                let space = ["", "A", "B", "C"][usize::from(*profile_space & 3)];
                let tier = if *high_tier { 'H' } else { 'L' };
                write!(f, "{prefix}.{space}{profile_idc}.{:X}.{tier}{level_idc}", compatibility_flags.reverse_bits())?;
                for byte in &constraint_bytes[..usize::from(*constraint_count).min(6)] {
                    write!(f, ".{byte:X}")?;
                }
                Ok(())
            }
            Self::Vp8 => f.write_str("vp8"),
            Self::Vp9 { profile, level, bit_depth, optional: o } => {
                write!(f, "vp09.{profile:02}.{level:02}.{bit_depth:02}")?;
                let fields = [
                    o.chroma_subsampling,
                    o.color_primaries,
                    o.transfer_characteristics,
                    o.matrix_coefficients,
                    o.full_range.map(u8::from),
                ];
                for value in fields.into_iter().map_while(|v| v) {
                    write!(f, ".{value:02}")?;
                }
                Ok(())
            }
            Self::Av1 { profile, level, high_tier, bit_depth, optional: o } => {
                let tier = if *high_tier { 'H' } else { 'M' };
                write!(f, "av01.{profile}.{level:02}{tier}.{bit_depth:02}")?;
                let Some(mono) = o.monochrome else { return Ok(()) };
                write!(f, ".{}", u8::from(mono))?;
                let Some((x, y, pos)) = o.chroma_subsampling else { return Ok(()) };
                write!(f, ".{x}{y}{pos}")?;
                let rest = [o.color_primaries, o.transfer_characteristics, o.matrix_coefficients];
                for value in rest.into_iter().map_while(|v| v) {
                    write!(f, ".{value:02}")?;
                }
                if let (Some(_), Some(full)) = (o.matrix_coefficients, o.full_range) {
                    write!(f, ".{}", u8::from(full))?;
                }
                Ok(())
            }
        }
    }
}

impl VideoCodec {
    /// The FFmpeg encoders and decoders for this codec, each best first.
    pub(crate) fn ffmpeg_codecs(&self) -> (&'static [FfmpegEncoder], &'static [FfmpegDecoder]) {
        use FfmpegDecoder as D;
        use FfmpegEncoder as E;
        match self {
            Self::H264 { .. } => (&[E::X264], &[D::H264]),
            Self::Hevc { .. } => (&[E::X265], &[D::Hevc]),
            Self::Vp8 => (&[E::Vp8], &[D::Vp8, D::LibvpxVp8]),
            Self::Vp9 { .. } => (&[E::Vp9], &[D::Vp9, D::LibvpxVp9]),
            Self::Av1 { .. } => (&[E::SvtAv1, E::Aom], &[D::Dav1d, D::Aom, D::Av1]),
        }
    }

    /// Whether chunks are H.264/HEVC NAL units (which have the `avc`/`annexb` formats).
    pub fn is_nal_based(&self) -> bool {
        matches!(self, Self::H264 { .. } | Self::Hevc { .. })
    }

    /// Whether parameter sets are expected in band (`avc3`, `hev1`).
    pub fn parameter_sets_in_band(&self) -> bool {
        match self {
            Self::H264 { parameter_sets_in_band, .. } | Self::Hevc { parameter_sets_in_band, .. } => {
                *parameter_sets_in_band
            }
            _ => false,
        }
    }

    /// The colour description a `vp09` or `av01` string's optional fields give
    /// (unknown members where it has none).
    pub fn described_color(&self) -> ColorSpace {
        match self {
            Self::Vp9 { optional: o, .. } => ColorSpace::from_code_points(
                o.color_primaries,
                o.transfer_characteristics,
                o.matrix_coefficients,
                o.full_range,
            ),
            Self::Av1 { optional: o, .. } => ColorSpace::from_code_points(
                o.color_primaries,
                o.transfer_characteristics,
                o.matrix_coefficients,
                o.full_range,
            ),
            _ => ColorSpace::default(),
        }
    }

    /// The pixel format an encoder of this profile takes, or `NotSupported` for profiles
    /// we cannot encode.
    pub fn encoder_pixel_format(&self) -> Result<Pixel> {
        let format = match self {
            Self::H264 { profile_idc, .. } => match profile_idc {
                66 | 77 | 100 => Some(Pixel::YUV420P),
                110 => Some(Pixel::YUV420P10LE),
                122 => Some(Pixel::YUV422P),
                244 => Some(Pixel::YUV444P),
                _ => None,
            },
            Self::Hevc { profile_idc, compatibility_flags, .. } => {
                let compatible = |j: u32| compatibility_flags & (1 << (31 - j)) != 0;
                match profile_idc {
                    1 => Some(Pixel::YUV420P),
                    2 => Some(Pixel::YUV420P10LE),
                    0 if compatible(1) => Some(Pixel::YUV420P),
                    0 if compatible(2) => Some(Pixel::YUV420P10LE),
                    _ => None,
                }
            }
            Self::Vp8 => Some(Pixel::YUV420P),
            Self::Vp9 { profile, bit_depth, optional, .. } => match (profile, bit_depth) {
                (0, 8) => Some(Pixel::YUV420P),
                (2, 10) => Some(Pixel::YUV420P10LE),
                (2, 12) => Some(Pixel::YUV420P12LE),
                (1, 8) => match optional.chroma_subsampling {
                    Some(2) => Some(Pixel::YUV422P),
                    _ => Some(Pixel::YUV444P),
                },
                _ => None,
            },
            Self::Av1 { profile, bit_depth, optional, .. } => {
                if optional.monochrome == Some(true) {
                    None
                } else {
                    match (profile, bit_depth) {
                        (0, 8) => Some(Pixel::YUV420P),
                        (0, 10) => Some(Pixel::YUV420P10LE),
                        (1, 8) => Some(Pixel::YUV444P),
                        (1, 10) => Some(Pixel::YUV444P10LE),
                        _ => None,
                    }
                }
            }
        };
        format.ok_or_else(|| EngineError::not_supported(format!("encoding {self} is not supported")))
    }

    /// The encoder's `profile` option value (x264/x265 names), when it has one.
    pub fn profile_option(&self) -> Option<&'static str> {
        match self {
            Self::H264 { profile_idc, .. } => match profile_idc {
                66 => Some("baseline"),
                77 => Some("main"),
                100 => Some("high"),
                110 => Some("high10"),
                122 => Some("high422"),
                244 => Some("high444"),
                _ => None,
            },
            Self::Hevc { .. } => match self.encoder_pixel_format().ok()? {
                Pixel::YUV420P10LE => Some("main10"),
                _ => Some("main"),
            },
            _ => None,
        }
    }

    /// The numeric `AVCodecContext.profile` for libvpx/libaom, which take no named profile.
    pub fn numeric_profile(&self) -> Option<i32> {
        match self {
            Self::Vp9 { profile, .. } | Self::Av1 { profile, .. } => Some(i32::from(*profile)),
            _ => None,
        }
    }

    /// The H.264 `level` option value: `level_idc` 31 is "3.1"; level 1b (`level_idc` 11
    /// with constraint_set3, or 9) is "1b".
    pub fn level_option(&self) -> Option<String> {
        match self {
            Self::H264 { profile_idc, constraint_flags, level_idc, .. } => {
                let one_b = *level_idc == 9 || (*level_idc == 11 && constraint_flags & 0x10 != 0 && *profile_idc == 66);
                Some(if one_b { "1b".to_owned() } else { format!("{}.{}", level_idc / 10, level_idc % 10) })
            }
            _ => None,
        }
    }
}

#[cfg(test)]
#[path = "codec_string_tests.rs"]
mod tests;
