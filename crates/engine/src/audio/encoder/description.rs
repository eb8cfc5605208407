//! What an audio encoder's chunks carry besides the codec's packets: the `decoderConfig`
//! description each codec registration defines, and ADTS headers.

use super::config::{AacFormat, AudioEncoderConfig};
use crate::audio::{AudioCodec, AudioDecoderConfig};
use crate::{EngineError, Result};

/// The `decoderConfig` for this encoder's chunks: the codec's description per its
/// registration (OpusHead, AudioSpecificConfig, "fLaC" + STREAMINFO, Vorbis headers).
/// `rate` and `channels` are what the encoder was opened with.
pub(super) fn decoder_config(
    config: &AudioEncoderConfig,
    rate: u32,
    channels: usize,
    extradata: &[u8],
) -> Result<AudioDecoderConfig> {
    let description = match config.codec {
        AudioCodec::Opus | AudioCodec::Vorbis => Some(extradata.to_vec()),
        AudioCodec::Aac { .. } if config.aac_format == AacFormat::Aac => Some(core_asc(extradata).to_vec()),
        AudioCodec::Flac => Some(flac_description(extradata)?),
        _ => None,
    };
    if description.as_ref().is_some_and(Vec::is_empty) {
        return Err(EngineError::encoding(format!("{} encoder gave no extradata", config.codec)));
    }
    Ok(AudioDecoderConfig { codec: config.codec, sample_rate: rate, number_of_channels: channels as u32, description })
}

/// An AAC-LC AudioSpecificConfig without the "no SBR" sync extension FFmpeg appends
/// (0x2b7, ISO/IEC 14496-3 1.6.5.1): the two bytes browsers produce, same meaning.
fn core_asc(asc: &[u8]) -> &[u8] {
    match asc {
        [b0, b1, b2, b3, ..] if b0 >> 3 == 2 && (b0 & 7) << 1 | b1 >> 7 != 15 && (b1 >> 3) & 0xf != 0 => {
            let sync = (u16::from(*b2) << 3) | (u16::from(*b3) >> 5);
            if sync == 0x2b7 {
                &asc[..2]
            } else {
                asc
            }
        }
        _ => asc,
    }
}

/// Length of a FLAC STREAMINFO block's body.
const STREAMINFO_LEN: usize = 34;

/// "fLaC", then STREAMINFO as the last metadata block (type 0, 34 bytes).
fn flac_description(extradata: &[u8]) -> Result<Vec<u8>> {
    let streaminfo = match extradata {
        [b'f', b'L', b'a', b'C', _, _, _, _, rest @ ..] => rest,
        other => other,
    };
    let streaminfo =
        streaminfo.get(..STREAMINFO_LEN).ok_or_else(|| EngineError::encoding("flac encoder gave no STREAMINFO"))?;
    let mut description = b"fLaC".to_vec();
    description.extend_from_slice(&[0x80, 0, 0, STREAMINFO_LEN as u8]);
    description.extend_from_slice(streaminfo);
    Ok(description)
}

/// `payload` behind an ADTS header (ISO/IEC 14496-3 1.A.2) built from the stream's
/// AudioSpecificConfig.
pub(super) fn adts_frame(asc: &[u8], payload: &[u8]) -> Result<Vec<u8>> {
    const HEADER: usize = 7;
    let [b0, b1, ..] = *asc else {
        return Err(EngineError::encoding("no AudioSpecificConfig for ADTS"));
    };
    let object_type = b0 >> 3;
    let frequency_index = ((b0 & 0x07) << 1) | (b1 >> 7);
    let channel_config = (b1 >> 3) & 0x0f;
    let length = payload.len() + HEADER;
    if length >= 1 << 13 || !(1..=4).contains(&object_type) || frequency_index == 15 {
        return Err(EngineError::encoding("AAC frame cannot be written as ADTS"));
    }
    let mut frame = Vec::with_capacity(length);
    frame.extend_from_slice(&[
        0xff,
        0xf1, // MPEG-4, layer 0, no CRC
        ((object_type - 1) << 6) | (frequency_index << 2) | (channel_config >> 2),
        ((channel_config & 3) << 6) | (length >> 11) as u8,
        (length >> 3) as u8,
        (((length & 7) as u8) << 5) | 0x1f,
        0xfc, // buffer fullness 0x7ff (variable), one raw data block
    ]);
    frame.extend_from_slice(payload);
    Ok(frame)
}
