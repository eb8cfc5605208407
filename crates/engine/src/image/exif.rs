//! A JPEG's EXIF orientation (TIFF tag 0x0112 in the APP1 "Exif" segment), as the
//! frame's rotation and flip: a browser shows such a photo upright, and Chrome's
//! ImageDecoder gives its frames the orientation the tag asks for.

use crate::video::Orientation;

/// The orientation the first EXIF segment of `jpeg` asks for; `None` without one, or
/// for a value outside 1..=8. Every read is bounds-checked: the bytes are the caller's.
pub fn jpeg_orientation(jpeg: &[u8]) -> Option<Orientation> {
    let tiff = exif_segment(jpeg)?;
    orientation_tag(tiff).and_then(from_exif)
}

/// EXIF's orientation values: how the stored picture turns to be displayed, as WebCodecs'
/// clockwise rotation followed by a horizontal flip.
fn from_exif(value: u16) -> Option<Orientation> {
    let (rotation, flip) = match value {
        1 => (0, false),
        2 => (0, true),
        3 => (180, false),
        4 => (180, true),
        // Transpose: a quarter turn clockwise, then the mirror.
        5 => (90, true),
        6 => (90, false),
        // Transverse: three quarter turns, then the mirror.
        7 => (270, true),
        8 => (270, false),
        _ => return None,
    };
    Some(Orientation { rotation, flip })
}

/// The TIFF data of the first APP1 segment that starts with "Exif\0\0", searched among
/// the segments before the first scan.
fn exif_segment(jpeg: &[u8]) -> Option<&[u8]> {
    if jpeg.get(..2)? != [0xFF, 0xD8] {
        return None;
    }
    let mut at = 2;
    loop {
        let marker = *jpeg.get(at + 1)?;
        if *jpeg.get(at)? != 0xFF || marker == 0xDA || marker == 0xD9 {
            return None;
        }
        let length = usize::from(u16::from_be_bytes([*jpeg.get(at + 2)?, *jpeg.get(at + 3)?]));
        let body = jpeg.get(at + 4..at + 2 + length.max(2))?;
        if marker == 0xE1 && body.starts_with(b"Exif\0\0") {
            return body.get(6..);
        }
        at += 2 + length;
    }
}

/// The value of tag 0x0112 in IFD0 of TIFF data, in either byte order.
fn orientation_tag(tiff: &[u8]) -> Option<u16> {
    let big = match tiff.get(..4)? {
        [b'M', b'M', 0, 42] => true,
        [b'I', b'I', 42, 0] => false,
        _ => return None,
    };
    let u16_at = |at: usize| -> Option<u16> {
        let bytes = [*tiff.get(at)?, *tiff.get(at + 1)?];
        Some(if big { u16::from_be_bytes(bytes) } else { u16::from_le_bytes(bytes) })
    };
    let u32_at = |at: usize| -> Option<u32> {
        let bytes = [*tiff.get(at)?, *tiff.get(at + 1)?, *tiff.get(at + 2)?, *tiff.get(at + 3)?];
        Some(if big { u32::from_be_bytes(bytes) } else { u32::from_le_bytes(bytes) })
    };
    let ifd = usize::try_from(u32_at(4)?).ok()?;
    let entries = usize::from(u16_at(ifd)?);
    (0..entries).find_map(|i| {
        let entry = ifd.checked_add(2 + 12 * i)?;
        // Tag 0x0112, type SHORT (3): the value sits in the entry itself.
        (u16_at(entry)? == 0x0112 && u16_at(entry + 2)? == 3).then(|| u16_at(entry + 8)).flatten()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// SOI, an APP1 Exif segment holding IFD0 with one orientation entry, then SOS.
    fn jpeg_with(orientation: u16, big_endian: bool) -> Vec<u8> {
        let mut tiff = Vec::new();
        let (w16, w32): (fn(u16) -> [u8; 2], fn(u32) -> [u8; 4]) =
            if big_endian { (u16::to_be_bytes, u32::to_be_bytes) } else { (u16::to_le_bytes, u32::to_le_bytes) };
        tiff.extend_from_slice(if big_endian { b"MM" } else { b"II" });
        tiff.extend_from_slice(&w16(42));
        tiff.extend_from_slice(&w32(8));
        tiff.extend_from_slice(&w16(1));
        tiff.extend_from_slice(&w16(0x0112));
        tiff.extend_from_slice(&w16(3));
        tiff.extend_from_slice(&w32(1));
        tiff.extend_from_slice(&w16(orientation));
        tiff.extend_from_slice(&[0, 0, 0, 0, 0, 0]);
        let mut jpeg = vec![0xFF, 0xD8, 0xFF, 0xE1];
        jpeg.extend_from_slice(&((tiff.len() + 8) as u16).to_be_bytes());
        jpeg.extend_from_slice(b"Exif\0\0");
        jpeg.extend_from_slice(&tiff);
        jpeg.extend_from_slice(&[0xFF, 0xDA, 0, 2]);
        jpeg
    }

    #[test]
    fn reads_every_orientation_in_both_byte_orders() {
        let expected =
            [(0, false), (0, true), (180, false), (180, true), (90, true), (90, false), (270, true), (270, false)];
        for (value, (rotation, flip)) in (1..=8).zip(expected) {
            for big in [true, false] {
                assert_eq!(jpeg_orientation(&jpeg_with(value, big)), Some(Orientation { rotation, flip }), "{value}");
            }
        }
        assert_eq!(jpeg_orientation(&jpeg_with(9, true)), None);
    }

    #[test]
    fn survives_any_truncation_and_bytes_without_exif() {
        let jpeg = jpeg_with(6, false);
        for end in 0..jpeg.len() {
            let _ = jpeg_orientation(&jpeg[..end]);
        }
        assert_eq!(jpeg_orientation(&[0xFF, 0xD8, 0xFF, 0xDA, 0, 2]), None);
        assert_eq!(jpeg_orientation(b"not a jpeg"), None);
    }
}
