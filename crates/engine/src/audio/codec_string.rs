//! Audio codec strings from the WebCodecs codec registry
//! (https://w3c.github.io/webcodecs/codec_registry.html#audio-codec-registry) and what
//! each codec is to FFmpeg.

use std::fmt;

use crate::{EngineError, Result};

/// The sample layout of a `pcm-*` codec string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PcmFormat {
    U8,
    S16,
    S24,
    S32,
    F32,
}

/// A parsed audio codec string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AudioCodec {
    Opus,
    /// `mp4a.40.<object_type>` (2: AAC-LC, 5: HE-AAC, 29: HE-AACv2); `mp4a.67` is AAC-LC.
    Aac {
        object_type: u8,
    },
    Flac,
    Mp3,
    Vorbis,
    Ulaw,
    Alaw,
    Pcm(PcmFormat),
}

/// Parses an audio codec string. Empty (or blank) is a `TypeError`, as the spec's "valid
/// codec string" check requires; anything else unknown or malformed is `NotSupported`.
pub fn parse_audio_codec(codec: &str) -> Result<AudioCodec> {
    if codec.trim().is_empty() {
        return Err(EngineError::type_error("codec must not be empty"));
    }
    let parsed = match codec {
        "opus" => AudioCodec::Opus,
        "flac" => AudioCodec::Flac,
        "mp3" | "mp4a.69" | "mp4a.6B" | "mp4a.6b" => AudioCodec::Mp3,
        "vorbis" => AudioCodec::Vorbis,
        "ulaw" => AudioCodec::Ulaw,
        "alaw" => AudioCodec::Alaw,
        "pcm-u8" => AudioCodec::Pcm(PcmFormat::U8),
        "pcm-s16" => AudioCodec::Pcm(PcmFormat::S16),
        "pcm-s24" => AudioCodec::Pcm(PcmFormat::S24),
        "pcm-s32" => AudioCodec::Pcm(PcmFormat::S32),
        "pcm-f32" => AudioCodec::Pcm(PcmFormat::F32),
        "mp4a.67" => AudioCodec::Aac { object_type: 2 },
        _ => match codec.strip_prefix("mp4a.40.") {
            Some("2" | "02") => AudioCodec::Aac { object_type: 2 },
            Some("5" | "05") => AudioCodec::Aac { object_type: 5 },
            Some("29") => AudioCodec::Aac { object_type: 29 },
            _ => return Err(EngineError::not_supported(format!("unsupported codec '{codec}'"))),
        },
    };
    Ok(parsed)
}

impl AudioCodec {
    /// The canonical codec string (`mp4a.67` comes back as `mp4a.40.2`, `mp4a.69` as `mp3`).
    pub fn as_codec_string(&self) -> String {
        self.to_string()
    }

    /// FFmpeg decoders for this codec, best first.
    pub(crate) fn decoder_names(&self) -> &'static [&'static str] {
        match self {
            Self::Opus => &["opus", "libopus"],
            Self::Aac { .. } => &["aac", "aac_fixed"],
            Self::Flac => &["flac"],
            Self::Mp3 => &["mp3float", "mp3"],
            Self::Vorbis => &["vorbis", "libvorbis"],
            Self::Ulaw => &["pcm_mulaw"],
            Self::Alaw => &["pcm_alaw"],
            Self::Pcm(format) => std::slice::from_ref(pcm_codec_name(*format)),
        }
    }
}

pub(crate) fn pcm_codec_name(format: PcmFormat) -> &'static &'static str {
    match format {
        PcmFormat::U8 => &"pcm_u8",
        PcmFormat::S16 => &"pcm_s16le",
        PcmFormat::S24 => &"pcm_s24le",
        PcmFormat::S32 => &"pcm_s32le",
        PcmFormat::F32 => &"pcm_f32le",
    }
}

impl fmt::Display for AudioCodec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Opus => f.write_str("opus"),
            Self::Aac { object_type } => write!(f, "mp4a.40.{object_type}"),
            Self::Flac => f.write_str("flac"),
            Self::Mp3 => f.write_str("mp3"),
            Self::Vorbis => f.write_str("vorbis"),
            Self::Ulaw => f.write_str("ulaw"),
            Self::Alaw => f.write_str("alaw"),
            Self::Pcm(format) => f.write_str(match format {
                PcmFormat::U8 => "pcm-u8",
                PcmFormat::S16 => "pcm-s16",
                PcmFormat::S24 => "pcm-s24",
                PcmFormat::S32 => "pcm-s32",
                PcmFormat::F32 => "pcm-f32",
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_strings_parse_and_print() {
        for s in ["opus", "flac", "mp3", "vorbis", "ulaw", "alaw", "mp4a.40.2", "mp4a.40.5", "mp4a.40.29"] {
            assert_eq!(parse_audio_codec(s).unwrap().as_codec_string(), s);
        }
        for pcm in ["pcm-u8", "pcm-s16", "pcm-s24", "pcm-s32", "pcm-f32"] {
            assert_eq!(parse_audio_codec(pcm).unwrap().to_string(), pcm);
        }
        assert_eq!(parse_audio_codec("mp4a.67").unwrap(), AudioCodec::Aac { object_type: 2 });
        assert_eq!(parse_audio_codec("mp4a.40.02").unwrap(), AudioCodec::Aac { object_type: 2 });
        assert_eq!(parse_audio_codec("mp4a.69").unwrap(), AudioCodec::Mp3);
        assert_eq!(parse_audio_codec("mp4a.6B").unwrap(), AudioCodec::Mp3);
    }

    #[test]
    fn empty_is_a_type_error_and_unknown_is_not_supported() {
        assert_eq!(parse_audio_codec("").unwrap_err().name(), "TypeError");
        assert_eq!(parse_audio_codec("  ").unwrap_err().name(), "TypeError");
        for bad in
            ["aac", "mp4a", "mp4a.40", "mp4a.40.", "mp4a.40.3", "Opus", "opus ", "pcm-s8", "pcm-f64", "mp4a.40.2.1"]
        {
            assert_eq!(parse_audio_codec(bad).unwrap_err().name(), "NotSupportedError", "{bad}");
        }
    }
}
