//! H.264 and HEVC bitstream formats: Annex B (start codes) and length-prefixed NAL units,
//! and the decoder configuration records that describe the latter: `avcC`
//! (AVCDecoderConfigurationRecord, ISO/IEC 14496-15 5.3.3) and `hvcC`
//! (HEVCDecoderConfigurationRecord, 8.3.3). WebCodecs calls these the `avc`/`hevc` and
//! `annexb` formats (https://w3c.github.io/webcodecs/avc_codec_registration.html).

use crate::{EngineError, Result};

mod avc;
mod hevc;

pub use avc::{build_avcc, parse_avc_sps, parse_avcc, AvcSps};
pub use hevc::{build_hvcc, parse_hevc_sps, parse_hvcc, HevcSps};

/// The length field size we write: 4 bytes, as every muxer and browser does.
pub const LENGTH_SIZE: usize = 4;

/// Which NAL syntax a stream uses: the header layout and the parameter set types differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NalCodec {
    H264,
    Hevc,
}

/// What a NAL unit is, as far as format conversion cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NalKind {
    Vps,
    Sps,
    Pps,
    AccessUnitDelimiter,
    /// An IDR (H.264) or IRAP (HEVC) slice: a random access point.
    KeySlice,
    Other,
}

impl NalCodec {
    pub fn nal_type(self, nal: &[u8]) -> Option<u8> {
        let first = *nal.first()?;
        Some(match self {
            Self::H264 => first & 0x1f,
            Self::Hevc => (first >> 1) & 0x3f,
        })
    }

    pub fn kind(self, nal: &[u8]) -> NalKind {
        match (self, self.nal_type(nal)) {
            (Self::H264, Some(7)) | (Self::Hevc, Some(33)) => NalKind::Sps,
            (Self::H264, Some(8)) | (Self::Hevc, Some(34)) => NalKind::Pps,
            (Self::Hevc, Some(32)) => NalKind::Vps,
            (Self::H264, Some(9)) | (Self::Hevc, Some(35)) => NalKind::AccessUnitDelimiter,
            (Self::H264, Some(5)) => NalKind::KeySlice,
            (Self::Hevc, Some(16..=23)) => NalKind::KeySlice,
            _ => NalKind::Other,
        }
    }
}

/// Splits an Annex B byte stream into NAL units (without start codes or the zero bytes
/// that pad between them). Bytes before the first start code are ignored.
pub fn split_annexb(data: &[u8]) -> Vec<&[u8]> {
    let mut nals = Vec::new();
    let mut start: Option<usize> = None;
    let mut i = 0;
    while i + 3 <= data.len() {
        if data[i] == 0 && data[i + 1] == 0 && data[i + 2] == 1 {
            if let Some(s) = start {
                push_trimmed(&mut nals, &data[s..i]);
            }
            i += 3;
            start = Some(i);
        } else {
            i += 1;
        }
    }
    if let Some(s) = start {
        push_trimmed(&mut nals, &data[s..]);
    }
    nals
}

/// Adds a NAL without its trailing zero bytes (they belong to the next start code).
fn push_trimmed<'a>(nals: &mut Vec<&'a [u8]>, nal: &'a [u8]) {
    let end = nal.iter().rposition(|b| *b != 0).map_or(0, |p| p + 1);
    if end > 0 {
        nals.push(&nal[..end]);
    }
}

/// Whether `data` starts with an Annex B start code.
pub fn is_annexb(data: &[u8]) -> bool {
    data.starts_with(&[0, 0, 1]) || data.starts_with(&[0, 0, 0, 1])
}

/// Splits length-prefixed NAL units (`length_size` of 1, 2 or 4 bytes, big-endian).
pub fn split_length_prefixed(data: &[u8], length_size: usize) -> Result<Vec<&[u8]>> {
    if !matches!(length_size, 1 | 2 | 4) {
        return Err(EngineError::encoding(format!("invalid NAL length size {length_size}")));
    }
    let mut nals = Vec::new();
    let mut rest = data;
    while !rest.is_empty() {
        if rest.len() < length_size {
            return Err(EngineError::encoding("truncated NAL length"));
        }
        let len = rest[..length_size].iter().fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
        rest = &rest[length_size..];
        if len > rest.len() {
            return Err(EngineError::encoding(format!("NAL of {len} bytes overruns its chunk")));
        }
        nals.push(&rest[..len]);
        rest = &rest[len..];
    }
    Ok(nals)
}

/// Writes NAL units with 4-byte big-endian length prefixes.
pub fn join_length_prefixed<'a>(nals: impl IntoIterator<Item = &'a [u8]>) -> Vec<u8> {
    let mut out = Vec::new();
    for nal in nals {
        out.extend_from_slice(&(nal.len() as u32).to_be_bytes());
        out.extend_from_slice(nal);
    }
    out
}

/// Writes NAL units with 4-byte start codes.
pub fn join_annexb<'a>(nals: impl IntoIterator<Item = &'a [u8]>) -> Vec<u8> {
    let mut out = Vec::new();
    for nal in nals {
        out.extend_from_slice(&[0, 0, 0, 1]);
        out.extend_from_slice(nal);
    }
    out
}

/// Annex B -> 4-byte length-prefixed, keeping every NAL unit.
pub fn annexb_to_length_prefixed(data: &[u8]) -> Vec<u8> {
    join_length_prefixed(split_annexb(data))
}

/// Length-prefixed -> Annex B.
pub fn length_prefixed_to_annexb(data: &[u8], length_size: usize) -> Result<Vec<u8>> {
    Ok(join_annexb(split_length_prefixed(data, length_size)?))
}

/// Removes emulation prevention bytes (the 3 in `00 00 03`): NAL payload -> RBSP.
pub fn unescape_rbsp(nal: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(nal.len());
    let mut zeros = 0;
    for &b in nal {
        if zeros >= 2 && b == 3 {
            zeros = 0;
            continue;
        }
        zeros = if b == 0 { zeros + 1 } else { 0 };
        out.push(b);
    }
    out
}

/// An MSB-first bit reader over an RBSP, with Exp-Golomb codes.
struct BitReader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> BitReader<'a> {
    fn new(data: &'a [u8]) -> Self {
        Self { data, pos: 0 }
    }

    fn bit(&mut self) -> Result<u32> {
        let byte = self.data.get(self.pos / 8).ok_or_else(|| EngineError::encoding("parameter set is truncated"))?;
        let bit = (byte >> (7 - self.pos % 8)) & 1;
        self.pos += 1;
        Ok(u32::from(bit))
    }

    fn bits(&mut self, n: u32) -> Result<u64> {
        (0..n).try_fold(0u64, |acc, _| Ok((acc << 1) | u64::from(self.bit()?)))
    }

    fn skip(&mut self, n: usize) -> Result<()> {
        if self.pos + n > self.data.len() * 8 {
            return Err(EngineError::encoding("parameter set is truncated"));
        }
        self.pos += n;
        Ok(())
    }

    /// `ue(v)`.
    fn ue(&mut self) -> Result<u32> {
        let mut zeros = 0;
        while self.bit()? == 0 {
            zeros += 1;
            if zeros > 31 {
                return Err(EngineError::encoding("invalid Exp-Golomb code"));
            }
        }
        Ok(((1u64 << zeros) - 1 + self.bits(zeros)?) as u32)
    }

    /// `se(v)`.
    fn se(&mut self) -> Result<i32> {
        let k = i64::from(self.ue()?);
        Ok(if k % 2 == 1 { (k + 1) / 2 } else { -(k / 2) } as i32)
    }
}

/// A parsed `avcC` or `hvcC`: what a decoder needs and what Annex B conversion emits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecoderConfigRecord {
    pub length_size: usize,
    /// Parameter set NAL units in decoding order (VPS, SPS, PPS, then any others).
    pub parameter_sets: Vec<Vec<u8>>,
}

impl DecoderConfigRecord {
    /// The parameter sets as an Annex B prefix for a key frame.
    pub fn to_annexb(&self) -> Vec<u8> {
        join_annexb(self.parameter_sets.iter().map(Vec::as_slice))
    }
}

/// Writes each NAL unit with a 16-bit length (the caller writes the count).
fn write_nals(out: &mut Vec<u8>, nals: &[&[u8]]) -> Result<()> {
    for nal in nals {
        let len = u16::try_from(nal.len()).map_err(|_| EngineError::encoding("parameter set over 64 KiB"))?;
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(nal);
    }
    Ok(())
}

/// A byte cursor over a configuration record.
struct Cursor<'a> {
    data: &'a [u8],
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        if n > self.data.len() {
            return Err(EngineError::encoding("decoder configuration record is truncated"));
        }
        let (head, tail) = self.data.split_at(n);
        self.data = tail;
        Ok(head)
    }

    fn u8(&mut self) -> Result<u8> {
        Ok(self.take(1)?[0])
    }

    fn u16(&mut self) -> Result<u16> {
        let b = self.take(2)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }

    fn nal(&mut self, into: &mut Vec<Vec<u8>>) -> Result<()> {
        let len = usize::from(self.u16()?);
        into.push(self.take(len)?.to_vec());
        Ok(())
    }
}

/// Parses an `avcC` or `hvcC` record for `codec`.
pub fn parse_config_record(codec: NalCodec, data: &[u8]) -> Result<DecoderConfigRecord> {
    match codec {
        NalCodec::H264 => parse_avcc(data),
        NalCodec::Hevc => parse_hvcc(data),
    }
}

/// Builds the configuration record for `codec` from the parameter sets among `nals`;
/// `None` when they hold no SPS.
pub fn build_config_record(codec: NalCodec, nals: &[&[u8]], complete: bool) -> Result<Option<Vec<u8>>> {
    let of = |kind: NalKind| nals.iter().copied().filter(|n| codec.kind(n) == kind).collect::<Vec<_>>();
    let (vps, sps, pps) = (of(NalKind::Vps), of(NalKind::Sps), of(NalKind::Pps));
    if sps.is_empty() {
        return Ok(None);
    }
    Ok(Some(match codec {
        NalCodec::H264 => build_avcc(&sps, &pps)?,
        NalCodec::Hevc => build_hvcc(&vps, &sps, &pps, complete)?,
    }))
}

#[cfg(test)]
mod tests;
