//! H.264: the SPS fields WebCodecs needs (ITU-T H.264 7.3.2.1) and the `avcC` record
//! (AVCDecoderConfigurationRecord, ISO/IEC 14496-15 5.3.3).

use super::{unescape_rbsp, write_nals, BitReader, Cursor, DecoderConfigRecord, NalCodec, NalKind, LENGTH_SIZE};
use crate::{EngineError, Result};

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

/// The chroma format and bit depths of an SPS, as the profiles without them imply
/// (4:2:0, 8 bits) unless it says otherwise.
struct ChromaInfo {
    chroma_format_idc: u32,
    bit_depth_luma: u32,
    bit_depth_chroma: u32,
    separate_colour_plane: bool,
}

impl Default for ChromaInfo {
    fn default() -> Self {
        Self { chroma_format_idc: 1, bit_depth_luma: 8, bit_depth_chroma: 8, separate_colour_plane: false }
    }
}

/// Reads `chroma_format_idc` up to the scaling lists, which are skipped.
fn read_chroma_info(r: &mut BitReader) -> Result<ChromaInfo> {
    let chroma_format_idc = r.ue()?;
    let separate_colour_plane = chroma_format_idc == 3 && r.bit()? == 1;
    let bit_depth_luma = 8 + r.ue()?;
    let bit_depth_chroma = 8 + r.ue()?;
    r.bit()?; // qpprime_y_zero_transform_bypass_flag
    if r.bit()? == 1 {
        for i in 0..if chroma_format_idc == 3 { 12 } else { 8 } {
            if r.bit()? == 1 {
                skip_scaling_list(r, if i < 6 { 16 } else { 64 })?;
            }
        }
    }
    Ok(ChromaInfo { chroma_format_idc, bit_depth_luma, bit_depth_chroma, separate_colour_plane })
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
    let ChromaInfo { chroma_format_idc, bit_depth_luma, bit_depth_chroma, separate_colour_plane } =
        if avc_has_chroma_info(profile_idc) { read_chroma_info(&mut r)? } else { ChromaInfo::default() };
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
