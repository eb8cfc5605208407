//! RGB from one colour space into a `PredefinedColorSpace` ("Convert to RGB frame",
//! https://w3c.github.io/webcodecs/#videoframe-convert-to-rgb-frame): undo the source's
//! transfer function, change primaries through CIE XYZ, apply the sRGB transfer. All the
//! primaries here share the D65 white point, so no chromatic adaptation is needed.

use super::{ColorSpace, PixelFormat, PlaneLayout, PredefinedColorSpace, Primaries, Transfer};

/// Display-referred luminance, in nits, that SDR white maps to (ITU-R BT.2408's HDR
/// reference white); brighter HDR highlights clip.
const REFERENCE_WHITE_NITS: f64 = 203.0;

type Matrix3 = [[f64; 3]; 3];

/// Whether RGB of `source` must be converted to be in `target`.
pub fn needs_conversion(source: &ColorSpace, target: PredefinedColorSpace) -> bool {
    RgbConversion::between(source, target).is_some()
}

/// The conversion of 16-bit RGB samples into a target colour space.
pub(crate) struct RgbConversion {
    /// Linear light (1.0 = SDR white) for each 16-bit sample value.
    decode: Vec<f32>,
    /// Linear source RGB to linear target RGB.
    matrix: [[f32; 3]; 3],
}

impl RgbConversion {
    /// `None` when nothing needs converting: the source has the target's primaries and
    /// an SDR transfer, which the sRGB curve stands for (as in browsers' compositors).
    pub fn between(source: &ColorSpace, target: PredefinedColorSpace) -> Option<Self> {
        // Unknown members are the spec's defaults: BT.709 primaries, an SDR transfer.
        let from = source.primaries.unwrap_or(Primaries::Bt709);
        let to = match target {
            PredefinedColorSpace::Srgb => Primaries::Bt709,
            PredefinedColorSpace::DisplayP3 => Primaries::Smpte432,
        };
        let hdr = matches!(source.transfer, Some(Transfer::Pq | Transfer::Hlg | Transfer::Linear));
        if chromaticities(from) == chromaticities(to) && !hdr {
            return None;
        }
        let m = multiply(&invert(&rgb_to_xyz(to)), &rgb_to_xyz(from));
        let matrix = m.map(|row| row.map(|v| v as f32));
        let transfer = source.transfer;
        let decode = (0..=u16::MAX).map(|v| to_linear(transfer, f64::from(v) / 65535.0) as f32).collect();
        Some(Self { decode, matrix })
    }

    /// Converts `rgba64` (RGBA, 16 bits a sample, `width` x `height`, packed) into
    /// `format` (RGBA, RGBX, BGRA or BGRX) at `layout` in `dest`.
    pub fn apply(
        &self,
        rgba64: &[u8],
        (width, height): (u32, u32),
        format: PixelFormat,
        layout: PlaneLayout,
        dest: &mut [u8],
    ) {
        let encode: Vec<u8> =
            (0..4096).map(|i| (from_linear_srgb(f64::from(i) / 4095.0) * 255.0).round() as u8).collect();
        let bgr = matches!(format, PixelFormat::BGRA | PixelFormat::BGRX);
        let opaque = matches!(format, PixelFormat::RGBX | PixelFormat::BGRX);
        let sample = |row: &[u8], i: usize| u16::from_le_bytes([row[i * 2], row[i * 2 + 1]]);
        for y in 0..height as usize {
            let src = &rgba64[y * width as usize * 8..(y + 1) * width as usize * 8];
            let start = layout.offset as usize + y * layout.stride as usize;
            let out = &mut dest[start..start + width as usize * 4];
            for x in 0..width as usize {
                let rgb = [0, 1, 2].map(|c| self.decode[usize::from(sample(src, x * 4 + c))]);
                let mapped = self.matrix.map(|row| row[0] * rgb[0] + row[1] * rgb[1] + row[2] * rgb[2]);
                let [r, g, b] = mapped.map(|v| encode[(v.clamp(0.0, 1.0) * 4095.0).round() as usize]);
                let alpha = if opaque { 255 } else { (sample(src, x * 4 + 3) >> 8) as u8 };
                let px = &mut out[x * 4..x * 4 + 4];
                px.copy_from_slice(&if bgr { [b, g, r, alpha] } else { [r, g, b, alpha] });
            }
        }
    }
}

/// Linear light, 1.0 being SDR white, for a non-linear sample in [0, 1].
fn to_linear(transfer: Option<Transfer>, v: f64) -> f64 {
    match transfer {
        Some(Transfer::Linear) => v,
        Some(Transfer::Pq) => pq_to_nits(v) / REFERENCE_WHITE_NITS,
        Some(Transfer::Hlg) => hlg_to_nits(v) / REFERENCE_WHITE_NITS,
        // BT.709, SMPTE 170M, sRGB and unknown: SDR, shown through the sRGB curve.
        _ => to_linear_srgb(v),
    }
}

fn to_linear_srgb(v: f64) -> f64 {
    if v <= 0.04045 {
        v / 12.92
    } else {
        ((v + 0.055) / 1.055).powf(2.4)
    }
}

fn from_linear_srgb(v: f64) -> f64 {
    if v <= 0.0031308 {
        v * 12.92
    } else {
        1.055 * v.powf(1.0 / 2.4) - 0.055
    }
}

/// SMPTE ST 2084's EOTF.
fn pq_to_nits(v: f64) -> f64 {
    let (m1, m2) = (2610.0 / 16384.0, 2523.0 / 4096.0 * 128.0);
    let (c1, c2, c3) = (3424.0 / 4096.0, 2413.0 / 4096.0 * 32.0, 2392.0 / 4096.0 * 32.0);
    let p = v.powf(1.0 / m2);
    10_000.0 * ((p - c1).max(0.0) / (c2 - c3 * p)).powf(1.0 / m1)
}

/// ITU-R BT.2100's HLG inverse OETF and OOTF for a 1000-nit display (system gamma 1.2),
/// per channel (the OOTF's luminance term taken from the channel itself).
fn hlg_to_nits(v: f64) -> f64 {
    let (a, b, c) = (0.178_832_77, 0.284_668_92, 0.559_910_73);
    let scene = if v <= 0.5 { v * v / 3.0 } else { (((v - c) / a).exp() + b) / 12.0 };
    1000.0 * scene.powf(1.2)
}

/// The red, green and blue chromaticities (x, y) of a set of primaries.
fn chromaticities(primaries: Primaries) -> [(f64, f64); 3] {
    match primaries {
        Primaries::Bt709 => [(0.640, 0.330), (0.300, 0.600), (0.150, 0.060)],
        Primaries::Bt470bg => [(0.64, 0.33), (0.29, 0.60), (0.15, 0.06)],
        Primaries::Smpte170m => [(0.630, 0.340), (0.310, 0.595), (0.155, 0.070)],
        Primaries::Bt2020 => [(0.708, 0.292), (0.170, 0.797), (0.131, 0.046)],
        Primaries::Smpte432 => [(0.680, 0.320), (0.265, 0.690), (0.150, 0.060)],
    }
}

/// Linear RGB to CIE XYZ for primaries with a D65 white.
fn rgb_to_xyz(primaries: Primaries) -> Matrix3 {
    let xyz = |(x, y): (f64, f64)| [x / y, 1.0, (1.0 - x - y) / y];
    let [r, g, b] = chromaticities(primaries).map(xyz);
    let m = [[r[0], g[0], b[0]], [r[1], g[1], b[1]], [r[2], g[2], b[2]]];
    let white = xyz((0.3127, 0.3290));
    let inv = invert(&m);
    let s = [0, 1, 2].map(|i| inv[i][0] * white[0] + inv[i][1] * white[1] + inv[i][2] * white[2]);
    m.map(|row| [row[0] * s[0], row[1] * s[1], row[2] * s[2]])
}

fn multiply(a: &Matrix3, b: &Matrix3) -> Matrix3 {
    let mut out = [[0.0; 3]; 3];
    for (i, row) in out.iter_mut().enumerate() {
        for (j, cell) in row.iter_mut().enumerate() {
            *cell = (0..3).map(|k| a[i][k] * b[k][j]).sum();
        }
    }
    out
}

fn invert(m: &Matrix3) -> Matrix3 {
    let cofactor = |r: usize, c: usize| {
        let (r0, r1, c0, c1) = ((r + 1) % 3, (r + 2) % 3, (c + 1) % 3, (c + 2) % 3);
        m[r0][c0] * m[r1][c1] - m[r0][c1] * m[r1][c0]
    };
    let det: f64 = (0..3).map(|c| m[0][c] * cofactor(0, c)).sum();
    let mut out = [[0.0; 3]; 3];
    for (r, row) in out.iter_mut().enumerate() {
        for (c, cell) in row.iter_mut().enumerate() {
            *cell = cofactor(c, r) / det;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn srgb_red_in_display_p3() {
        // The CSS Color 4 value of sRGB red in Display P3: (0.9175, 0.2003, 0.1386).
        let m = multiply(&invert(&rgb_to_xyz(Primaries::Smpte432)), &rgb_to_xyz(Primaries::Bt709));
        let p3 = [m[0][0], m[1][0], m[2][0]].map(from_linear_srgb);
        for (got, want) in p3.iter().zip([0.9175, 0.2003, 0.1386]) {
            assert!((got - want).abs() < 0.002, "{p3:?}");
        }
    }

    #[test]
    fn pq_and_hlg_reference_levels() {
        // PQ 0.5081 is 100 nits, 0.5807 is 203; HLG 0.75 is BT.2408's 203-nit white.
        assert!((pq_to_nits(0.5081) - 100.0).abs() < 0.5);
        assert!((pq_to_nits(0.5807) - 203.0).abs() < 1.0);
        assert!((hlg_to_nits(0.75) - 203.0).abs() < 3.0, "{}", hlg_to_nits(0.75));
    }
}
