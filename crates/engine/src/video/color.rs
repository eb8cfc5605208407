//! `VideoColorSpace` values (https://w3c.github.io/webcodecs/#videocolorspace) and the
//! spec's default colour spaces.

use ffmpeg_next::color as av_color;

use super::format::PixelFormat;

/// A colour space as the spec models it: every member may be unknown (`None`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ColorSpace {
    pub primaries: Option<Primaries>,
    pub transfer: Option<Transfer>,
    pub matrix: Option<Matrix>,
    pub full_range: Option<bool>,
}

crate::idl_enum!(
    /// `VideoColorPrimaries`.
    pub enum Primaries = "VideoColorPrimaries" {
        Bt709 = "bt709",
        Bt470bg = "bt470bg",
        Smpte170m = "smpte170m",
        Bt2020 = "bt2020",
        Smpte432 = "smpte432",
    }
);
crate::idl_enum!(
    /// `VideoTransferCharacteristics`.
    pub enum Transfer = "VideoTransferCharacteristics" {
        Bt709 = "bt709",
        Smpte170m = "smpte170m",
        Iec61966_2_1 = "iec61966-2-1",
        Linear = "linear",
        Pq = "pq",
        Hlg = "hlg",
    }
);
crate::idl_enum!(
    /// `VideoMatrixCoefficients`.
    pub enum Matrix = "VideoMatrixCoefficients" {
        Rgb = "rgb",
        Bt709 = "bt709",
        Bt470bg = "bt470bg",
        Smpte170m = "smpte170m",
        Bt2020Ncl = "bt2020-ncl",
    }
);

crate::idl_enum!(
    /// `PredefinedColorSpace`: the RGB colour space `copyTo()` converts into.
    #[derive(Default)]
    pub enum PredefinedColorSpace = "PredefinedColorSpace" {
        #[default]
        Srgb = "srgb",
        DisplayP3 = "display-p3",
    }
);

impl ColorSpace {
    /// The spec's REC709 colour space: what YUV frames get when none is given.
    pub fn rec709() -> Self {
        Self {
            primaries: Some(Primaries::Bt709),
            transfer: Some(Transfer::Bt709),
            matrix: Some(Matrix::Bt709),
            full_range: Some(false),
        }
    }

    /// The spec's sRGB colour space: what RGB frames get when none is given.
    pub fn srgb() -> Self {
        Self {
            primaries: Some(Primaries::Bt709),
            transfer: Some(Transfer::Iec61966_2_1),
            matrix: Some(Matrix::Rgb),
            full_range: Some(true),
        }
    }

    /// What an encoder writes for frames in this colour space and `format`: YUV frames'
    /// own description; for RGB frames, which the encoder turns into YUV, their primaries
    /// and transfer with the matrix that goes with the primaries, in limited range.
    pub fn encoded_for(&self, format: PixelFormat) -> Self {
        if !format.is_rgb() && self.matrix != Some(Matrix::Rgb) {
            return self.clone();
        }
        let matrix = match self.primaries {
            Some(Primaries::Bt2020) => Matrix::Bt2020Ncl,
            Some(Primaries::Bt470bg | Primaries::Smpte170m) => Matrix::Smpte170m,
            _ => Matrix::Bt709,
        };
        Self { matrix: Some(matrix), full_range: Some(false), ..self.clone() }
    }

    /// "Pick Color Space": the given one, else the default for `format`.
    pub fn pick(given: Option<ColorSpace>, format: PixelFormat) -> Self {
        given.unwrap_or_else(|| if format.is_rgb() { Self::srgb() } else { Self::rec709() })
    }
}

impl ColorSpace {
    /// A colour space from ISO/IEC 23091-2 code points (a `vp09` or `av01` codec string's
    /// optional fields); codes WebCodecs has no name for stay unknown.
    pub fn from_code_points(
        primaries: Option<u8>,
        transfer: Option<u8>,
        matrix: Option<u8>,
        full: Option<bool>,
    ) -> Self {
        Self {
            primaries: primaries.and_then(|code| match code {
                1 => Some(Primaries::Bt709),
                5 => Some(Primaries::Bt470bg),
                6 => Some(Primaries::Smpte170m),
                9 => Some(Primaries::Bt2020),
                12 => Some(Primaries::Smpte432),
                _ => None,
            }),
            transfer: transfer.and_then(|code| match code {
                1 => Some(Transfer::Bt709),
                6 => Some(Transfer::Smpte170m),
                8 => Some(Transfer::Linear),
                13 => Some(Transfer::Iec61966_2_1),
                16 => Some(Transfer::Pq),
                18 => Some(Transfer::Hlg),
                _ => None,
            }),
            matrix: matrix.and_then(|code| match code {
                0 => Some(Matrix::Rgb),
                1 => Some(Matrix::Bt709),
                5 => Some(Matrix::Bt470bg),
                6 => Some(Matrix::Smpte170m),
                9 => Some(Matrix::Bt2020Ncl),
                _ => None,
            }),
            full_range: full,
        }
    }

    /// This colour space with its unknown members taken from `other`.
    pub fn or(self, other: &ColorSpace) -> Self {
        Self {
            primaries: self.primaries.or(other.primaries),
            transfer: self.transfer.or(other.transfer),
            matrix: self.matrix.or(other.matrix),
            full_range: self.full_range.or(other.full_range),
        }
    }
}

/// FFmpeg's colour properties for a colour space (unknown members are unspecified).
pub(crate) fn color_space_to_av(
    cs: &ColorSpace,
) -> (av_color::Primaries, av_color::TransferCharacteristic, av_color::Space, av_color::Range) {
    use av_color::{Primaries as P, Range as R, Space as S, TransferCharacteristic as T};
    let primaries = match cs.primaries {
        Some(Primaries::Bt709) => P::BT709,
        Some(Primaries::Bt470bg) => P::BT470BG,
        Some(Primaries::Smpte170m) => P::SMPTE170M,
        Some(Primaries::Bt2020) => P::BT2020,
        Some(Primaries::Smpte432) => P::SMPTE432,
        None => P::Unspecified,
    };
    let transfer = match cs.transfer {
        Some(Transfer::Bt709) => T::BT709,
        Some(Transfer::Smpte170m) => T::SMPTE170M,
        Some(Transfer::Iec61966_2_1) => T::IEC61966_2_1,
        Some(Transfer::Linear) => T::Linear,
        Some(Transfer::Pq) => T::SMPTE2084,
        Some(Transfer::Hlg) => T::ARIB_STD_B67,
        None => T::Unspecified,
    };
    let matrix = match cs.matrix {
        Some(Matrix::Rgb) => S::RGB,
        Some(Matrix::Bt709) => S::BT709,
        Some(Matrix::Bt470bg) => S::BT470BG,
        Some(Matrix::Smpte170m) => S::SMPTE170M,
        Some(Matrix::Bt2020Ncl) => S::BT2020NCL,
        None => S::Unspecified,
    };
    let range = match cs.full_range {
        Some(true) => R::JPEG,
        Some(false) => R::MPEG,
        None => R::Unspecified,
    };
    (primaries, transfer, matrix, range)
}

/// The spec's colour space for FFmpeg's colour properties (unknown values stay unknown).
pub(crate) fn color_space_from_av(
    primaries: av_color::Primaries,
    transfer: av_color::TransferCharacteristic,
    matrix: av_color::Space,
    range: av_color::Range,
) -> ColorSpace {
    use av_color::{Primaries as P, Range as R, Space as S, TransferCharacteristic as T};
    ColorSpace {
        primaries: match primaries {
            P::BT709 => Some(Primaries::Bt709),
            P::BT470BG => Some(Primaries::Bt470bg),
            P::SMPTE170M => Some(Primaries::Smpte170m),
            P::BT2020 => Some(Primaries::Bt2020),
            P::SMPTE432 => Some(Primaries::Smpte432),
            _ => None,
        },
        transfer: match transfer {
            T::BT709 => Some(Transfer::Bt709),
            T::SMPTE170M => Some(Transfer::Smpte170m),
            T::IEC61966_2_1 => Some(Transfer::Iec61966_2_1),
            T::Linear => Some(Transfer::Linear),
            T::SMPTE2084 => Some(Transfer::Pq),
            T::ARIB_STD_B67 => Some(Transfer::Hlg),
            _ => None,
        },
        matrix: match matrix {
            S::RGB => Some(Matrix::Rgb),
            S::BT709 => Some(Matrix::Bt709),
            S::BT470BG => Some(Matrix::Bt470bg),
            S::SMPTE170M => Some(Matrix::Smpte170m),
            S::BT2020NCL => Some(Matrix::Bt2020Ncl),
            _ => None,
        },
        full_range: match range {
            R::JPEG => Some(true),
            R::MPEG => Some(false),
            _ => None,
        },
    }
}
