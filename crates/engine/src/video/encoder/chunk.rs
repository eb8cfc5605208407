//! FFmpeg packets into `EncodedVideoChunk`s: the configured bitstream format
//! (https://w3c.github.io/webcodecs/avc_codec_registration.html), the input's timestamp,
//! the temporal layer, and the decoder config whenever it changes.

use std::collections::BTreeMap;

use ffmpeg_next::packet::side_data::Type as SideDataType;
use ffmpeg_next::Packet;

use super::config::{AlphaOption, BitstreamFormat, EncodedPacket, ScalabilityMode, VideoEncoderConfig};
use crate::bitstream::{self, NalCodec, NalKind};
use crate::session::TimestampMap;
use crate::video::{ColorSpace, Orientation, VideoCodec, VideoDecoderConfig};
use crate::Result;

/// What an encoder's packets need to become chunks: the inputs still inside the encoder
/// and the decoder config last reported.
pub(super) struct Packager {
    pub config: VideoEncoderConfig,
    pub timestamps: TimestampMap,
    /// The temporal layer of each input still inside the encoder, by pts.
    pub layers: BTreeMap<i64, u32>,
    /// Two or three temporal layers (none for L1T1 or no scalabilityMode).
    pub scalability: Option<ScalabilityMode>,
    /// The next input's place in the layering pattern.
    place: u64,
    /// The frames' orientation, which `outputConfig` repeats.
    pub orientation: Orientation,
    /// The colour space the bitstream describes, which `outputConfig` repeats.
    pub color_space: ColorSpace,
    active_config: Option<VideoDecoderConfig>,
}

impl Packager {
    pub fn new(config: VideoEncoderConfig, scalability: Option<ScalabilityMode>) -> Self {
        Self {
            config,
            timestamps: TimestampMap::default(),
            layers: BTreeMap::new(),
            scalability,
            place: 0,
            orientation: Orientation::default(),
            color_space: ColorSpace::rec709(),
            active_config: None,
        }
    }

    /// Records an input frame; returns the pts FFmpeg gets for it. Its place in the
    /// layering pattern sets its temporal layer: a key frame starts the pattern again, as
    /// the encoders do (its frame must be in the base layer).
    pub fn input(&mut self, timestamp: i64, duration: Option<i64>, key: bool) -> i64 {
        let pts = self.timestamps.push(timestamp, duration);
        if let Some(mode) = self.scalability {
            let pattern = mode.pattern();
            if key {
                self.place = 0;
            }
            self.layers.insert(pts, pattern[(self.place % pattern.len() as u64) as usize]);
            self.place += 1;
        }
        pts
    }

    /// Forgets the inputs still inside the encoder (after a flush).
    pub fn clear(&mut self) {
        self.timestamps.clear();
        self.layers.clear();
    }

    /// Turns an FFmpeg packet into a chunk in the configured bitstream format, with the
    /// decoder config attached when it changed.
    pub fn chunk(&mut self, packet: &Packet) -> Result<EncodedPacket> {
        let data = packet.data().unwrap_or(&[]);
        let key = packet.is_key();
        let (timestamp_us, duration_us) = self.timestamps.take(packet.pts());
        let layer = packet.pts().and_then(|p| self.layers.remove(&p));
        // svc metadata only with more than one temporal layer (the draft's Output
        // EncodedVideoChunks, step 7): `scalability` is none for L1T1.
        let temporal_layer_id = self.scalability.map(|_| layer.unwrap_or(0));
        let nal_codec = match self.config.codec {
            VideoCodec::H264 { .. } => Some(NalCodec::H264),
            VideoCodec::Hevc { .. } => Some(NalCodec::Hevc),
            _ => None,
        };
        let (data, decoder_config) = match nal_codec {
            Some(nal) => self.nal_chunk(nal, data, key)?,
            None => {
                let config = key.then(|| self.decoder_config(self.config.codec.clone(), None));
                (data.to_vec(), config)
            }
        };
        let decoder_config = decoder_config.filter(|c| self.active_config.as_ref() != Some(c));
        if let Some(config) = &decoder_config {
            self.active_config = Some(config.clone());
        }
        let alpha_side_data = (self.config.alpha == AlphaOption::Keep).then(|| alpha_of(packet)).flatten();
        Ok(EncodedPacket { data, key, timestamp_us, duration_us, temporal_layer_id, decoder_config, alpha_side_data })
    }

    fn nal_chunk(&self, nal: NalCodec, data: &[u8], key: bool) -> Result<(Vec<u8>, Option<VideoDecoderConfig>)> {
        let nals = bitstream::split_annexb(data);
        let in_band = self.config.codec.parameter_sets_in_band();
        let length_prefixed = self.config.format == BitstreamFormat::LengthPrefixed;
        let has_sps = nals.iter().any(|n| nal.kind(n) == NalKind::Sps);
        let config = if key || has_sps {
            let description =
                if length_prefixed { bitstream::build_config_record(nal, &nals, !in_band)? } else { None };
            let codec = nals
                .iter()
                .find(|n| nal.kind(n) == NalKind::Sps)
                .and_then(|sps| self.codec_from_sps(sps))
                .unwrap_or_else(|| self.config.codec.clone());
            (has_sps || !length_prefixed).then(|| self.decoder_config(codec, description))
        } else {
            None
        };
        if !length_prefixed {
            return Ok((data.to_vec(), config));
        }
        let parameter_set = |n: &&[u8]| matches!(nal.kind(n), NalKind::Sps | NalKind::Pps | NalKind::Vps);
        let kept = nals.iter().copied().filter(|n| in_band || !parameter_set(n));
        Ok((bitstream::join_length_prefixed(kept), config))
    }

    /// The codec string the bitstream really has (the encoder may raise the level).
    fn codec_from_sps(&self, sps: &[u8]) -> Option<VideoCodec> {
        match &self.config.codec {
            VideoCodec::H264 { parameter_sets_in_band, .. } => {
                let info = bitstream::parse_avc_sps(sps).ok()?;
                Some(VideoCodec::H264 {
                    profile_idc: info.profile_idc,
                    constraint_flags: info.constraint_flags,
                    level_idc: info.level_idc,
                    parameter_sets_in_band: *parameter_sets_in_band,
                })
            }
            VideoCodec::Hevc { parameter_sets_in_band, .. } => {
                let info = bitstream::parse_hevc_sps(sps).ok()?;
                let count = info.constraint_bytes.iter().rposition(|b| *b != 0).map_or(0, |p| p + 1) as u8;
                Some(VideoCodec::Hevc {
                    profile_space: info.profile_space,
                    profile_idc: info.profile_idc,
                    compatibility_flags: info.compatibility_flags,
                    high_tier: info.high_tier,
                    level_idc: info.level_idc,
                    constraint_bytes: info.constraint_bytes,
                    constraint_count: count,
                    parameter_sets_in_band: *parameter_sets_in_band,
                })
            }
            _ => None,
        }
    }

    fn decoder_config(&self, codec: VideoCodec, description: Option<Vec<u8>>) -> VideoDecoderConfig {
        let c = &self.config;
        let mut config = VideoDecoderConfig::new(codec);
        config.description = description;
        config.coded_width = Some(c.width);
        config.coded_height = Some(c.height);
        config.display_aspect_width = Some(c.display_width.unwrap_or(c.width));
        config.display_aspect_height = Some(c.display_height.unwrap_or(c.height));
        config.color_space = Some(self.color_space.clone());
        config.orientation = self.orientation;
        config
    }
}

/// The encoded alpha frame FFmpeg's libvpx wrappers attach to a packet: Matroska
/// BlockAdditional data, after its 8-byte BlockAddID (1, "alpha").
fn alpha_of(packet: &Packet) -> Option<Vec<u8>> {
    packet
        .side_data()
        .find(|side| side.kind() == SideDataType::MatroskaBlockAdditional)
        .and_then(|side| side.data().get(8..).map(<[u8]>::to_vec))
}
