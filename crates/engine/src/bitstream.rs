//! H.264 and HEVC bitstream formats: Annex B (start codes) and length-prefixed NAL units,
//! and the decoder configuration records that describe the latter: `avcC`
//! (AVCDecoderConfigurationRecord, ISO/IEC 14496-15 5.3.3) and `hvcC`
//! (HEVCDecoderConfigurationRecord, 8.3.3). WebCodecs calls these the `avc`/`hevc` and
//! `annexb` formats (https://w3c.github.io/webcodecs/avc_codec_registration.html).

use crate::{EngineError, Result};

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

/// The H.264 SPS fields the `avcC` record and the codec string need (ITU-T H.264 7.3.2.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AvcSps {
    pub profile_idc: u8,
    pub constraint_flags: u8,
    pub level_idc: u8,
    pub chroma_format_idc: u32,
    pub bit_depth_luma: u32,
    pub bit_depth_chroma: u32,
    /// The cropped picture size.
    pub width: u32,
    pub height: u32,
}

/// Profiles whose SPS carries chroma format and bit depth (and whose avcC has the
/// extension fields).
fn avc_has_chroma_info(profile_idc: u8) -> bool {
    matches!(profile_idc, 100 | 110 | 122 | 244 | 44 | 83 | 86 | 118 | 128 | 138 | 139 | 134 | 135)
}

fn skip_scaling_list(r: &mut BitReader, size: usize) -> Result<()> {
    let (mut last, mut next) = (8i32, 8i32);
    for _ in 0..size {
        if next != 0 {
            next = (last + r.se()? + 256) % 256;
        }
        if next != 0 {
            last = next;
        }
    }
    Ok(())
}

/// Parses an H.264 SPS NAL unit (header byte included, emulation prevention allowed).
pub fn parse_avc_sps(nal: &[u8]) -> Result<AvcSps> {
    if NalCodec::H264.kind(nal) != NalKind::Sps {
        return Err(EngineError::encoding("not an H.264 SPS"));
    }
    let rbsp = unescape_rbsp(&nal[1..]);
    let mut r = BitReader::new(&rbsp);
    let profile_idc = r.bits(8)? as u8;
    let constraint_flags = r.bits(8)? as u8;
    let level_idc = r.bits(8)? as u8;
    r.ue()?; // seq_parameter_set_id
    let (mut chroma_format_idc, mut bit_depth_luma, mut bit_depth_chroma) = (1, 8, 8);
    let mut separate_colour_plane = false;
    if avc_has_chroma_info(profile_idc) {
        chroma_format_idc = r.ue()?;
        if chroma_format_idc == 3 {
            separate_colour_plane = r.bit()? == 1;
        }
        bit_depth_luma = 8 + r.ue()?;
        bit_depth_chroma = 8 + r.ue()?;
        r.bit()?; // qpprime_y_zero_transform_bypass_flag
        if r.bit()? == 1 {
            for i in 0..if chroma_format_idc == 3 { 12 } else { 8 } {
                if r.bit()? == 1 {
                    skip_scaling_list(&mut r, if i < 6 { 16 } else { 64 })?;
                }
            }
        }
    }
    r.ue()?; // log2_max_frame_num_minus4
    match r.ue()? {
        0 => {
            r.ue()?; // log2_max_pic_order_cnt_lsb_minus4
        }
        1 => {
            r.bit()?;
            r.se()?;
            r.se()?;
            for _ in 0..r.ue()?.min(255) {
                r.se()?;
            }
        }
        _ => {}
    }
    r.ue()?; // max_num_ref_frames
    r.bit()?; // gaps_in_frame_num_value_allowed_flag
    let width_mbs = r.ue()? + 1;
    let height_map_units = r.ue()? + 1;
    let frame_mbs_only = r.bit()?;
    if frame_mbs_only == 0 {
        r.bit()?; // mb_adaptive_frame_field_flag
    }
    r.bit()?; // direct_8x8_inference_flag
    let mut crop = [0u32; 4];
    if r.bit()? == 1 {
        for c in &mut crop {
            *c = r.ue()?;
        }
    }
    let chroma_array_type = if separate_colour_plane { 0 } else { chroma_format_idc };
    let (crop_x, crop_y) = match chroma_array_type {
        1 => (2, 2 * (2 - frame_mbs_only)),
        2 => (2, 2 - frame_mbs_only),
        _ => (1, 2 - frame_mbs_only),
    };
    let full_w = width_mbs * 16;
    let full_h = height_map_units * 16 * (2 - frame_mbs_only);
    let width = full_w.saturating_sub(crop_x * (crop[0] + crop[1]));
    let height = full_h.saturating_sub(crop_y * (crop[2] + crop[3]));
    Ok(AvcSps {
        profile_idc,
        constraint_flags,
        level_idc,
        chroma_format_idc,
        bit_depth_luma,
        bit_depth_chroma,
        width,
        height,
    })
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

/// Builds an `avcC` record (4-byte lengths) from SPS and PPS NAL units; profile and level
/// come from the first SPS.
pub fn build_avcc(sps: &[&[u8]], pps: &[&[u8]]) -> Result<Vec<u8>> {
    let first = sps.first().ok_or_else(|| EngineError::encoding("avcC needs an SPS"))?;
    let info = parse_avc_sps(first)?;
    if sps.len() > 31 || pps.len() > 255 {
        return Err(EngineError::encoding("too many parameter sets for avcC"));
    }
    let mut out = vec![1, info.profile_idc, info.constraint_flags, info.level_idc, 0xfc | (LENGTH_SIZE as u8 - 1)];
    out.push(0xe0 | sps.len() as u8);
    write_nals(&mut out, sps)?;
    out.push(pps.len() as u8);
    write_nals(&mut out, pps)?;
    if avc_has_chroma_info(info.profile_idc) {
        out.push(0xfc | (info.chroma_format_idc & 3) as u8);
        out.push(0xf8 | (info.bit_depth_luma.saturating_sub(8) & 7) as u8);
        out.push(0xf8 | (info.bit_depth_chroma.saturating_sub(8) & 7) as u8);
        out.push(0); // numOfSequenceParameterSetExt
    }
    Ok(out)
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

/// Parses an `avcC` record.
pub fn parse_avcc(data: &[u8]) -> Result<DecoderConfigRecord> {
    let mut c = Cursor { data };
    if c.u8()? != 1 {
        return Err(EngineError::encoding("avcC version is not 1"));
    }
    c.take(3)?;
    let length_size = usize::from(c.u8()? & 3) + 1;
    let mut parameter_sets = Vec::new();
    for _ in 0..c.u8()? & 0x1f {
        c.nal(&mut parameter_sets)?;
    }
    for _ in 0..c.u8()? {
        c.nal(&mut parameter_sets)?;
    }
    if length_size == 3 {
        return Err(EngineError::encoding("avcC NAL length size of 3 is invalid"));
    }
    Ok(DecoderConfigRecord { length_size, parameter_sets })
}

/// The HEVC SPS fields an `hvcC` record needs (ITU-T H.265 7.3.2.2, 7.3.3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HevcSps {
    pub profile_space: u8,
    pub high_tier: bool,
    pub profile_idc: u8,
    pub compatibility_flags: u32,
    pub constraint_bytes: [u8; 6],
    pub level_idc: u8,
    pub max_sub_layers: u8,
    pub temporal_id_nesting: bool,
    pub chroma_format_idc: u32,
    pub bit_depth_luma: u32,
    pub bit_depth_chroma: u32,
    pub width: u32,
    pub height: u32,
}

/// Parses an HEVC SPS NAL unit (2-byte header included, emulation prevention allowed).
pub fn parse_hevc_sps(nal: &[u8]) -> Result<HevcSps> {
    if NalCodec::Hevc.kind(nal) != NalKind::Sps || nal.len() < 3 {
        return Err(EngineError::encoding("not an HEVC SPS"));
    }
    let rbsp = unescape_rbsp(&nal[2..]);
    let mut r = BitReader::new(&rbsp);
    r.bits(4)?; // sps_video_parameter_set_id
    let max_sub_layers_minus1 = r.bits(3)? as u8;
    let temporal_id_nesting = r.bit()? == 1;
    let profile_space = r.bits(2)? as u8;
    let high_tier = r.bit()? == 1;
    let profile_idc = r.bits(5)? as u8;
    let compatibility_flags = r.bits(32)? as u32;
    let constraints = r.bits(48)?.to_be_bytes();
    let mut constraint_bytes = [0u8; 6];
    constraint_bytes.copy_from_slice(&constraints[2..]);
    let level_idc = r.bits(8)? as u8;
    let mut sub_layer_flags = Vec::new();
    for _ in 0..max_sub_layers_minus1 {
        sub_layer_flags.push((r.bit()? == 1, r.bit()? == 1));
    }
    if max_sub_layers_minus1 > 0 {
        r.skip(2 * (8 - usize::from(max_sub_layers_minus1)))?;
    }
    for (profile_present, level_present) in sub_layer_flags {
        r.skip(if profile_present { 88 } else { 0 } + if level_present { 8 } else { 0 })?;
    }
    r.ue()?; // sps_seq_parameter_set_id
    let chroma_format_idc = r.ue()?;
    if chroma_format_idc == 3 {
        r.bit()?; // separate_colour_plane_flag
    }
    let full_w = r.ue()?;
    let full_h = r.ue()?;
    let mut crop = [0u32; 4];
    if r.bit()? == 1 {
        for c in &mut crop {
            *c = r.ue()?;
        }
    }
    let (sub_w, sub_h) = match chroma_format_idc {
        1 => (2, 2),
        2 => (2, 1),
        _ => (1, 1),
    };
    let bit_depth_luma = 8 + r.ue()?;
    let bit_depth_chroma = 8 + r.ue()?;
    Ok(HevcSps {
        profile_space,
        high_tier,
        profile_idc,
        compatibility_flags,
        constraint_bytes,
        level_idc,
        max_sub_layers: max_sub_layers_minus1 + 1,
        temporal_id_nesting,
        chroma_format_idc,
        bit_depth_luma,
        bit_depth_chroma,
        width: full_w.saturating_sub(sub_w * (crop[0] + crop[1])),
        height: full_h.saturating_sub(sub_h * (crop[2] + crop[3])),
    })
}

/// Builds an `hvcC` record (4-byte lengths) from VPS, SPS and PPS NAL units; the profile,
/// tier, level and format fields come from the first SPS. `complete` sets
/// `array_completeness` (true when no parameter sets travel in band, as for `hvc1`).
pub fn build_hvcc(vps: &[&[u8]], sps: &[&[u8]], pps: &[&[u8]], complete: bool) -> Result<Vec<u8>> {
    let first = sps.first().ok_or_else(|| EngineError::encoding("hvcC needs an SPS"))?;
    let info = parse_hevc_sps(first)?;
    let mut out = vec![1, (info.profile_space << 6) | (u8::from(info.high_tier) << 5) | info.profile_idc];
    out.extend_from_slice(&info.compatibility_flags.to_be_bytes());
    out.extend_from_slice(&info.constraint_bytes);
    out.push(info.level_idc);
    out.extend_from_slice(&[0xf0, 0x00]); // min_spatial_segmentation_idc: unknown (0)
    out.push(0xfc); // parallelismType: unknown (0)
    out.push(0xfc | (info.chroma_format_idc & 3) as u8);
    out.push(0xf8 | (info.bit_depth_luma.saturating_sub(8) & 7) as u8);
    out.push(0xf8 | (info.bit_depth_chroma.saturating_sub(8) & 7) as u8);
    out.extend_from_slice(&[0, 0]); // avgFrameRate: unspecified
    out.push(((info.max_sub_layers & 7) << 3) | (u8::from(info.temporal_id_nesting) << 2) | (LENGTH_SIZE as u8 - 1));
    let arrays: Vec<(u8, &[&[u8]])> =
        [(32, vps), (33, sps), (34, pps)].into_iter().filter(|(_, nals)| !nals.is_empty()).collect();
    out.push(arrays.len() as u8);
    for (nal_type, nals) in arrays {
        out.push((u8::from(complete) << 7) | nal_type);
        let count = u16::try_from(nals.len()).map_err(|_| EngineError::encoding("too many parameter sets"))?;
        out.extend_from_slice(&count.to_be_bytes());
        write_nals(&mut out, nals)?;
    }
    Ok(out)
}

/// Parses an `hvcC` record.
pub fn parse_hvcc(data: &[u8]) -> Result<DecoderConfigRecord> {
    let mut c = Cursor { data };
    if c.u8()? != 1 {
        return Err(EngineError::encoding("hvcC version is not 1"));
    }
    c.take(20)?;
    let length_size = usize::from(c.u8()? & 3) + 1;
    if length_size == 3 {
        return Err(EngineError::encoding("hvcC NAL length size of 3 is invalid"));
    }
    let mut parameter_sets = Vec::new();
    for _ in 0..c.u8()? {
        c.u8()?; // array_completeness and NAL_unit_type: each NAL carries its own type
        for _ in 0..c.u16()? {
            c.nal(&mut parameter_sets)?;
        }
    }
    Ok(DecoderConfigRecord { length_size, parameter_sets })
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
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
    }

    // libx264 (High, 320x240) parameter sets; the SPS holds two emulation prevention bytes.
    const AVC_SPS: &str = "6764000dacd94141fb0110000003001000000303c0f1429960";
    const AVC_PPS: &str = "68ebe3cb22c0";
    // libx265 (Main, 320x240); its profile_tier_level holds emulation prevention bytes.
    const HEVC_VPS: &str = "40010c01ffff01600000030090000003000003003c959809";
    const HEVC_SPS: &str = "42010101600000030090000003000003003ca00a080f165959a4932bc05a020000030002000003003c10";
    const HEVC_PPS: &str = "4401c172b46240";

    #[test]
    fn splits_annexb_with_both_start_code_lengths() {
        let stream = [0, 0, 0, 1, 0x67, 1, 2, 0, 0, 1, 0x68, 3, 0, 0, 0, 0, 1, 0x65, 4, 0, 0, 3, 0];
        let nals = split_annexb(&stream);
        assert_eq!(nals, vec![&[0x67, 1, 2][..], &[0x68, 3], &[0x65, 4, 0, 0, 3]]);
        assert!(split_annexb(&[1, 2, 3]).is_empty());
        assert!(split_annexb(&[]).is_empty());
        assert!(is_annexb(&stream) && is_annexb(&stream[1..]) && !is_annexb(&[0, 0, 0, 4]));
    }

    #[test]
    fn annexb_and_length_prefixed_round_trip() {
        let stream = [0, 0, 1, 0x67, 1, 2, 0, 0, 0, 1, 0x65, 9];
        let prefixed = annexb_to_length_prefixed(&stream);
        assert_eq!(prefixed, vec![0, 0, 0, 3, 0x67, 1, 2, 0, 0, 0, 2, 0x65, 9]);
        assert_eq!(length_prefixed_to_annexb(&prefixed, 4).unwrap(), vec![0, 0, 0, 1, 0x67, 1, 2, 0, 0, 0, 1, 0x65, 9]);
        let two_byte = [0, 2, 0x65, 9, 0, 1, 0x41];
        assert_eq!(split_length_prefixed(&two_byte, 2).unwrap(), vec![&[0x65, 9][..], &[0x41]]);
        assert_eq!(split_length_prefixed(&[0, 0, 0, 5, 1], 4).unwrap_err().name(), "EncodingError");
        assert_eq!(split_length_prefixed(&[0, 0], 4).unwrap_err().name(), "EncodingError");
        assert_eq!(split_length_prefixed(&[0], 3).unwrap_err().name(), "EncodingError");
    }

    #[test]
    fn emulation_prevention_bytes_are_removed() {
        assert_eq!(unescape_rbsp(&[0, 0, 3, 1, 0, 0, 3, 0, 0, 3]), vec![0, 0, 1, 0, 0, 0, 0]);
        assert_eq!(unescape_rbsp(&[0, 3, 0, 0, 3]), vec![0, 3, 0, 0]);
        // A 3 after a removed one starts a fresh count.
        assert_eq!(unescape_rbsp(&[0, 0, 3, 3]), vec![0, 0, 3]);
    }

    #[test]
    fn exp_golomb() {
        // 1 | 010 | 011 | 00100 | 00101 -> ue 0, 1, 2, 3; se(4) = -2.
        let data = [0b1010_0110, 0b0100_0010, 0b1000_0000];
        let mut r = BitReader::new(&data);
        assert_eq!((r.ue().unwrap(), r.ue().unwrap(), r.ue().unwrap(), r.ue().unwrap()), (0, 1, 2, 3));
        assert_eq!(r.se().unwrap(), -2);
        assert!(BitReader::new(&[0, 0, 0, 0, 0]).ue().is_err());
    }

    #[test]
    fn parses_an_x264_sps() {
        let sps = parse_avc_sps(&hex(AVC_SPS)).unwrap();
        assert_eq!(
            sps,
            AvcSps {
                profile_idc: 100,
                constraint_flags: 0,
                level_idc: 13,
                chroma_format_idc: 1,
                bit_depth_luma: 8,
                bit_depth_chroma: 8,
                width: 320,
                height: 240,
            }
        );
        assert_eq!(parse_avc_sps(&hex(AVC_PPS)).unwrap_err().name(), "EncodingError");
        assert_eq!(parse_avc_sps(&hex(&AVC_SPS[..12])).unwrap_err().name(), "EncodingError");
    }

    #[test]
    fn builds_the_exact_avcc() {
        let (sps, pps) = (hex(AVC_SPS), hex(AVC_PPS));
        let avcc = build_avcc(&[&sps], &[&pps]).unwrap();
        let mut expected = vec![0x01, 0x64, 0x00, 0x0d, 0xff, 0xe1, 0x00, 0x19];
        expected.extend(&sps);
        expected.extend([0x01, 0x00, 0x06]);
        expected.extend(&pps);
        // High profile extension: chroma 4:2:0, 8-bit luma and chroma, no SPS extensions.
        expected.extend([0xfd, 0xf8, 0xf8, 0x00]);
        assert_eq!(avcc, expected);
        let parsed = parse_avcc(&avcc).unwrap();
        assert_eq!(parsed, DecoderConfigRecord { length_size: 4, parameter_sets: vec![sps.clone(), pps.clone()] });
        let mut annexb = vec![0, 0, 0, 1];
        annexb.extend(&sps);
        annexb.extend([0, 0, 0, 1]);
        annexb.extend(&pps);
        assert_eq!(parsed.to_annexb(), annexb);
    }

    #[test]
    fn baseline_avcc_has_no_extension() {
        // Baseline 3.0, sps id 0, log2_max_frame_num 4, poc type 2, 1 ref, 20x15 MBs.
        let sps = [0x67, 0x42, 0xc0, 0x1e, 0xda, 0x05, 0x07, 0xe4];
        let pps = [0x68, 0xce, 0x3c, 0x80];
        let avcc = build_avcc(&[&sps], &[&pps]).unwrap();
        let expected = [
            0x01, 0x42, 0xc0, 0x1e, 0xff, 0xe1, 0x00, 0x08, 0x67, 0x42, 0xc0, 0x1e, 0xda, 0x05, 0x07, 0xe4, 0x01, 0x00,
            0x04, 0x68, 0xce, 0x3c, 0x80,
        ];
        assert_eq!(avcc, expected);
        let info = parse_avc_sps(&sps).unwrap();
        assert_eq!((info.width, info.height), (320, 240));
    }

    #[test]
    fn malformed_avcc_is_an_encoding_error() {
        for bad in [&[][..], &[2, 0x42, 0, 0x1e, 0xff, 0xe1], &[1, 0x42, 0, 0x1e, 0xff, 0xe1, 0, 9, 0x67], &[1, 0x42]] {
            assert_eq!(parse_avcc(bad).unwrap_err().name(), "EncodingError", "{bad:?}");
        }
        assert!(build_avcc(&[], &[]).is_err());
    }

    #[test]
    fn parses_an_x265_sps() {
        let sps = parse_hevc_sps(&hex(HEVC_SPS)).unwrap();
        assert_eq!(sps.profile_idc, 1);
        assert_eq!(sps.compatibility_flags, 0x6000_0000);
        assert_eq!(sps.constraint_bytes, [0x90, 0, 0, 0, 0, 0]);
        assert_eq!(sps.level_idc, 60);
        assert_eq!((sps.max_sub_layers, sps.temporal_id_nesting), (1, true));
        assert_eq!((sps.chroma_format_idc, sps.bit_depth_luma, sps.bit_depth_chroma), (1, 8, 8));
        assert_eq!((sps.width, sps.height), (320, 240));
    }

    #[test]
    fn builds_the_hvcc_ffmpeg_writes() {
        let (vps, sps, pps) = (hex(HEVC_VPS), hex(HEVC_SPS), hex(HEVC_PPS));
        // FFmpeg's mp4 muxer output for the same stream (array_completeness 0).
        let expected = hex(&format!(
            "0101600000009000000000003cf000fcfdf8f800000f03\
             200001{:04x}{HEVC_VPS}210001{:04x}{HEVC_SPS}220001{:04x}{HEVC_PPS}",
            vps.len(),
            sps.len(),
            pps.len()
        ));
        assert_eq!(build_hvcc(&[&vps], &[&sps], &[&pps], false).unwrap(), expected);
        let complete = build_hvcc(&[&vps], &[&sps], &[&pps], true).unwrap();
        assert_eq!(complete[23], 0xa0);
        let parsed = parse_hvcc(&complete).unwrap();
        assert_eq!(parsed.length_size, 4);
        assert_eq!(parsed.parameter_sets, vec![vps.clone(), sps.clone(), pps.clone()]);
        assert_eq!(parse_hvcc(&complete[..30]).unwrap_err().name(), "EncodingError");
    }

    #[test]
    fn builds_records_from_an_access_unit() {
        let mut au = Vec::new();
        for nal in [HEVC_VPS, HEVC_SPS, HEVC_PPS, "2601af"] {
            au.extend([0, 0, 0, 1]);
            au.extend(hex(nal));
        }
        let nals = split_annexb(&au);
        assert_eq!(NalCodec::Hevc.kind(nals[3]), NalKind::KeySlice);
        let record = build_config_record(NalCodec::Hevc, &nals, true).unwrap().unwrap();
        assert_eq!(parse_config_record(NalCodec::Hevc, &record).unwrap().parameter_sets.len(), 3);
        assert_eq!(build_config_record(NalCodec::Hevc, &nals[3..], true).unwrap(), None);
        let avc = [hex(AVC_SPS), hex(AVC_PPS), vec![0x65, 0x88]];
        let avc: Vec<&[u8]> = avc.iter().map(Vec::as_slice).collect();
        let record = build_config_record(NalCodec::H264, &avc, true).unwrap().unwrap();
        assert_eq!(parse_config_record(NalCodec::H264, &record).unwrap().parameter_sets.len(), 2);
        assert_eq!(NalCodec::H264.kind(avc[2]), NalKind::KeySlice);
    }
}
