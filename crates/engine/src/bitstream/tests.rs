//! Annex B and length-prefixed framing, SPS parsing and configuration records.

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
