//! HEVC: the SPS fields WebCodecs needs (ITU-T H.265 7.3.2.2) and the `hvcC` record
//! (HEVCDecoderConfigurationRecord, ISO/IEC 14496-15 8.3.3).

use super::{unescape_rbsp, write_nals, BitReader, Cursor, DecoderConfigRecord, NalCodec, NalKind, LENGTH_SIZE};
use crate::{EngineError, Result};

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
