//! Video codec strings: parsing, canonical form, and what each means to an encoder.

use super::*;
use crate::video::{Matrix, Primaries, Transfer};

/// The FFmpeg encoders tried for `codec`, by name.
fn encoder_names(codec: &VideoCodec) -> Vec<&'static str> {
    codec.ffmpeg_codecs().0.iter().map(|e| e.name()).collect()
}

/// The FFmpeg decoders tried for `codec`, by name.
fn decoder_names(codec: &VideoCodec) -> Vec<&'static str> {
    codec.ffmpeg_codecs().1.iter().map(|d| d.name()).collect()
}

fn parse(s: &str) -> VideoCodec {
    parse_video_codec(s).unwrap_or_else(|e| panic!("{s}: {e}"))
}

fn rejected(s: &str) -> &'static str {
    parse_video_codec(s).expect_err(s).name()
}

#[test]
fn empty_strings_are_type_errors() {
    assert_eq!(rejected(""), "TypeError");
    assert_eq!(rejected("   "), "TypeError");
}

#[test]
fn avc_fields_are_hex() {
    let codec = parse("avc1.42001f");
    assert_eq!(
        codec,
        VideoCodec::H264 { profile_idc: 66, constraint_flags: 0, level_idc: 31, parameter_sets_in_band: false }
    );
    assert_eq!(codec.profile_option(), Some("baseline"));
    assert_eq!(codec.level_option().as_deref(), Some("3.1"));
    assert_eq!(parse("avc1.4D401E").profile_option(), Some("main"));
    assert_eq!(parse("avc1.64002a").level_option().as_deref(), Some("4.2"));
    assert_eq!(parse("avc1.640028").profile_option(), Some("high"));
    assert_eq!(parse("avc1.42E01E").to_string(), "avc1.42e01e");
    assert!(parse("avc3.42001f").parameter_sets_in_band());
    assert_eq!(parse("avc1.42100b").level_option().as_deref(), Some("1b"));
}

#[test]
fn malformed_avc_is_not_supported() {
    for s in ["avc1", "avc1.", "avc1.42", "avc1.42001", "avc1.42001f0", "avc1.zz001f", "avc1.42001F.1", "avc2.42001f"] {
        assert_eq!(rejected(s), "NotSupportedError", "{s}");
    }
    // Unknown profile, unknown level, reserved constraint bits.
    for s in ["avc1.01001f", "avc1.4200ff", "avc1.42011f"] {
        assert_eq!(rejected(s), "NotSupportedError", "{s}");
    }
}

#[test]
fn hevc_follows_annex_e() {
    let codec = parse("hvc1.1.6.L93.B0");
    let VideoCodec::Hevc {
        profile_space,
        profile_idc,
        compatibility_flags,
        high_tier,
        level_idc,
        constraint_bytes,
        constraint_count,
        parameter_sets_in_band,
    } = codec.clone()
    else {
        panic!("{codec:?}")
    };
    assert_eq!((profile_space, profile_idc, high_tier, level_idc), (0, 1, false, 93));
    // "6" sets flags 1 and 2, i.e. bits 30 and 29 of the bitstream field.
    assert_eq!(compatibility_flags, 0x6000_0000);
    assert_eq!(constraint_bytes, [0xB0, 0, 0, 0, 0, 0]);
    assert_eq!(constraint_count, 1);
    assert!(!parameter_sets_in_band);
    assert_eq!(codec.to_string(), "hvc1.1.6.L93.B0");
    assert_eq!(codec.profile_option(), Some("main"));
    let main10 = parse("hev1.A2.4.H120.B0.0.0.0.0.0");
    assert_eq!(main10.to_string(), "hev1.A2.4.H120.B0.0.0.0.0.0");
    assert!(main10.parameter_sets_in_band());
    assert_eq!(main10.encoder_pixel_format().unwrap(), Pixel::YUV420P10LE);
    assert!(parse("hvc1.1.6.L93").is_nal_based());
}

#[test]
fn malformed_hevc_is_not_supported() {
    for s in [
        "hvc1",
        "hvc1.1",
        "hvc1.1.6",
        "hvc1.1.6.X93",
        "hvc1.1.6.L",
        "hvc1.D1.6.L93",
        "hvc1.1.G.L93",
        "hvc1.1.6.L93.B0.0.0.0.0.0.0",
        "hvc1.1.6.L93.B00",
        "hvc1.99.6.L93",
    ] {
        assert_eq!(rejected(s), "NotSupportedError", "{s}");
    }
}

#[test]
fn vp8_and_vp9() {
    assert_eq!(parse("vp8"), VideoCodec::Vp8);
    let vp9 = parse("vp09.00.10.08");
    assert_eq!(vp9, VideoCodec::Vp9 { profile: 0, level: 10, bit_depth: 8, optional: Vp9Optional::default() });
    assert_eq!(vp9.to_string(), "vp09.00.10.08");
    let full = parse("vp09.02.10.10.01.09.16.09.01");
    assert_eq!(full.to_string(), "vp09.02.10.10.01.09.16.09.01");
    assert_eq!(full.encoder_pixel_format().unwrap(), Pixel::YUV420P10LE);
    assert_eq!(parse("vp09.00.41.08.01").to_string(), "vp09.00.41.08.01");
    for s in [
        "vp8.0",
        "VP8",
        "vp9",
        "vp09",
        "vp09.00.10",
        "vp09.0.10.08",
        "vp09.00.12.08",
        "vp09.00.10.10",
        "vp09.02.10.08",
        "vp09.01.10.08.01",
        "vp09.00.10.08.04",
        "vp09.00.10.08.01.01.01.01.02",
        "vp09.00.10.08.01.01.01.01.00.00",
    ] {
        assert_eq!(rejected(s), "NotSupportedError", "{s}");
    }
}

#[test]
fn av1() {
    let av1 = parse("av01.0.04M.08");
    assert_eq!(
        av1,
        VideoCodec::Av1 { profile: 0, level: 4, high_tier: false, bit_depth: 8, optional: Av1Optional::default() }
    );
    assert_eq!(av1.to_string(), "av01.0.04M.08");
    assert_eq!(encoder_names(&av1), &["libsvtav1", "libaom-av1"]);
    let full = parse("av01.0.15H.10.0.110.09.16.09.1");
    assert_eq!(full.to_string(), "av01.0.15H.10.0.110.09.16.09.1");
    assert_eq!(full.encoder_pixel_format().unwrap(), Pixel::YUV420P10LE);
    for s in [
        "av01",
        "av01.0",
        "av01.0.04M",
        "av01.3.04M.08",
        "av01.0.04X.08",
        "av01.0.4M.08",
        "av01.0.32M.08",
        "av01.0.04M.12",
        "av01.0.04M.08.2",
        "av01.0.04M.08.0.010",
        "av01.0.04M.08.0.110.09.16.09.1.0",
    ] {
        assert_eq!(rejected(s), "NotSupportedError", "{s}");
    }
}

#[test]
fn unknown_codecs_are_not_supported() {
    for s in ["bogus", "theora", "opus", "mp4a.40.2", "avc1.42001f ", " vp8"] {
        assert_eq!(rejected(s), "NotSupportedError", "{s}");
    }
}

#[test]
fn ffmpeg_names() {
    assert_eq!(decoder_names(&parse("vp8")), &["vp8", "libvpx"]);
    assert_eq!(decoder_names(&parse("av01.0.04M.08")), &["libdav1d", "libaom-av1", "av1"]);
    assert_eq!(encoder_names(&parse("vp09.00.10.08")), &["libvpx-vp9"]);
    assert_eq!(parse("vp09.02.10.10").numeric_profile(), Some(2));
    assert_eq!(parse("avc1.58001f").encoder_pixel_format().unwrap_err().name(), "NotSupportedError");
}

#[test]
fn vp9_and_av1_strings_describe_their_colour() {
    let hdr10 = ColorSpace {
        primaries: Some(Primaries::Bt2020),
        transfer: Some(Transfer::Pq),
        matrix: Some(Matrix::Bt2020Ncl),
        full_range: Some(false),
    };
    assert_eq!(parse_video_codec("vp09.02.10.10.01.09.16.09.00").unwrap().described_color(), hdr10);
    assert_eq!(parse_video_codec("av01.0.04M.10.0.110.09.16.09.0").unwrap().described_color(), hdr10);
    assert_eq!(parse_video_codec("vp09.00.10.08").unwrap().described_color(), ColorSpace::default());
    assert_eq!(parse_video_codec("avc1.42001f").unwrap().described_color(), ColorSpace::default());
}
