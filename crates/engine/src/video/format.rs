//! Video pixel formats and the geometry of their planes
//! (https://w3c.github.io/webcodecs/#pixel-format).

use crate::IdlEnum;

crate::idl_enum!(
    /// `VideoPixelFormat` (https://w3c.github.io/webcodecs/#enumdef-videopixelformat).
    pub enum PixelFormat = "VideoPixelFormat" {
        I420 = "I420",
        I420P10 = "I420P10",
        I420P12 = "I420P12",
        I420A = "I420A",
        I420AP10 = "I420AP10",
        I420AP12 = "I420AP12",
        I422 = "I422",
        I422P10 = "I422P10",
        I422P12 = "I422P12",
        I422A = "I422A",
        I422AP10 = "I422AP10",
        I422AP12 = "I422AP12",
        I444 = "I444",
        I444P10 = "I444P10",
        I444P12 = "I444P12",
        I444A = "I444A",
        I444AP10 = "I444AP10",
        I444AP12 = "I444AP12",
        NV12 = "NV12",
        RGBA = "RGBA",
        RGBX = "RGBX",
        BGRA = "BGRA",
        BGRX = "BGRX",
    }
);

/// How chroma is sub-sampled: horizontal and vertical factors of planes 1 and 2.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Chroma {
    S420,
    S422,
    S444,
}

impl Chroma {
    fn factors(self) -> (u32, u32) {
        match self {
            Self::S420 => (2, 2),
            Self::S422 => (2, 1),
            Self::S444 => (1, 1),
        }
    }
}

/// One plane's geometry relative to the frame: bytes per sample and sub-sampling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlaneSpec {
    /// Bytes one sample (one pixel of this plane) occupies.
    pub sample_bytes: u32,
    pub sub_x: u32,
    pub sub_y: u32,
}

impl PixelFormat {
    /// `None` for the packed RGB formats and NV12, which are not planar YUV.
    fn chroma(self) -> Option<Chroma> {
        use PixelFormat::*;
        match self {
            I420 | I420P10 | I420P12 | I420A | I420AP10 | I420AP12 => Some(Chroma::S420),
            I422 | I422P10 | I422P12 | I422A | I422AP10 | I422AP12 => Some(Chroma::S422),
            I444 | I444P10 | I444P12 | I444A | I444AP10 | I444AP12 => Some(Chroma::S444),
            NV12 | RGBA | RGBX | BGRA | BGRX => None,
        }
    }

    /// Bits per component: 8, 10 or 12.
    pub fn bit_depth(self) -> u32 {
        use PixelFormat::*;
        match self {
            I420P10 | I420AP10 | I422P10 | I422AP10 | I444P10 | I444AP10 => 10,
            I420P12 | I420AP12 | I422P12 | I422AP12 | I444P12 | I444AP12 => 12,
            _ => 8,
        }
    }

    pub fn has_alpha(self) -> bool {
        use PixelFormat::*;
        matches!(
            self,
            I420A | I420AP10 | I420AP12 | I422A | I422AP10 | I422AP12 | I444A | I444AP10 | I444AP12 | RGBA | BGRA
        )
    }

    pub fn is_rgb(self) -> bool {
        matches!(self, Self::RGBA | Self::RGBX | Self::BGRA | Self::BGRX)
    }

    pub fn num_planes(self) -> usize {
        match self {
            Self::RGBA | Self::RGBX | Self::BGRA | Self::BGRX => 1,
            Self::NV12 => 2,
            f if f.has_alpha() => 4,
            _ => 3,
        }
    }

    /// The geometry of plane `index` (which must be `< num_planes()`).
    pub fn plane(self, index: usize) -> PlaneSpec {
        let depth_bytes = if self.bit_depth() > 8 { 2 } else { 1 };
        match self {
            Self::RGBA | Self::RGBX | Self::BGRA | Self::BGRX => PlaneSpec { sample_bytes: 4, sub_x: 1, sub_y: 1 },
            Self::NV12 => match index {
                0 => PlaneSpec { sample_bytes: 1, sub_x: 1, sub_y: 1 },
                // Interleaved U and V: one "sample" is the 2-byte pair.
                _ => PlaneSpec { sample_bytes: 2, sub_x: 2, sub_y: 2 },
            },
            planar => {
                let (sub_x, sub_y) = match index {
                    1 | 2 => planar.chroma().map_or((1, 1), Chroma::factors),
                    _ => (1, 1),
                };
                PlaneSpec { sample_bytes: depth_bytes, sub_x, sub_y }
            }
        }
    }

    /// The largest sub-sampling over all planes: a rect's origin must be a multiple of it.
    pub fn alignment(self) -> (u32, u32) {
        (0..self.num_planes()).fold((1, 1), |(ax, ay), i| {
            let p = self.plane(i);
            (ax.max(p.sub_x), ay.max(p.sub_y))
        })
    }

    /// The same layout without its alpha plane (`I420A` -> `I420`); the opaque RGB twin.
    pub fn without_alpha(self) -> Self {
        use PixelFormat::*;
        match self {
            I420A => I420,
            I420AP10 => I420P10,
            I420AP12 => I420P12,
            I422A => I422,
            I422AP10 => I422P10,
            I422AP12 => I422P12,
            I444A => I444,
            I444AP10 => I444P10,
            I444AP12 => I444P12,
            RGBA => RGBX,
            BGRA => BGRX,
            other => other,
        }
    }

    /// The FFmpeg pixel format with the same memory layout. FFmpeg has no 4:2:0 12-bit
    /// format with alpha, so `I420AP12` has none.
    pub fn to_av(self) -> Option<ffmpeg_next::format::Pixel> {
        use ffmpeg_next::format::Pixel as P;
        use PixelFormat::*;
        Some(match self {
            I420 => P::YUV420P,
            I420P10 => P::YUV420P10LE,
            I420P12 => P::YUV420P12LE,
            I420A => P::YUVA420P,
            I420AP10 => P::YUVA420P10LE,
            I420AP12 => return None,
            I422 => P::YUV422P,
            I422P10 => P::YUV422P10LE,
            I422P12 => P::YUV422P12LE,
            I422A => P::YUVA422P,
            I422AP10 => P::YUVA422P10LE,
            I422AP12 => P::YUVA422P12LE,
            I444 => P::YUV444P,
            I444P10 => P::YUV444P10LE,
            I444P12 => P::YUV444P12LE,
            I444A => P::YUVA444P,
            I444AP10 => P::YUVA444P10LE,
            I444AP12 => P::YUVA444P12LE,
            NV12 => P::NV12,
            RGBA => P::RGBA,
            RGBX => P::RGBZ,
            BGRA => P::BGRA,
            BGRX => P::BGRZ,
        })
    }

    /// The WebCodecs format for an FFmpeg pixel format, when one has the same layout.
    pub fn from_av(pixel: ffmpeg_next::format::Pixel) -> Option<Self> {
        use ffmpeg_next::format::Pixel as P;
        let found = match pixel {
            // Full-range "J" variants share the layout; the range lives in the colour space.
            P::YUVJ420P => Self::I420,
            P::YUVJ422P => Self::I422,
            P::YUVJ444P => Self::I444,
            other => return Self::all().find(|f| f.to_av() == Some(other)),
        };
        Some(found)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_format_round_trips_through_its_name_and_ffmpeg() {
        for f in PixelFormat::all() {
            assert_eq!(PixelFormat::parse(f.as_str()).unwrap(), f);
            if let Some(av) = f.to_av() {
                assert_eq!(PixelFormat::from_av(av), Some(f));
            }
        }
        assert_eq!(PixelFormat::parse("i420").unwrap_err().name(), "TypeError");
    }
}
