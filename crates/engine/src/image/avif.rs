//! AVIF: the primary image's AV1 data from FFmpeg's `mov` demuxer (which reads AVIF since
//! 5.1) over the bytes in memory, decoded by libdav1d (else libaom or FFmpeg's own).
//! Still images only: image sequences, grids and alpha planes are not read.

use std::sync::Arc;

use ffmpeg_next::{codec, decoder, media};

use super::still::StillSource;
use crate::ffi::avio::MemoryInput;
use crate::session::exchange;
use crate::{EngineError, Result};

const DECODERS: [&str; 3] = ["libdav1d", "libaom-av1", "av1"];

/// Packets read before giving up on finding the image.
const MAX_PACKETS: usize = 64;

/// Whether this FFmpeg can read AVIF: the `mov` demuxer and an AV1 decoder.
pub(super) fn available() -> bool {
    crate::ffi::avio::demuxer_exists(c"mov") && DECODERS.iter().any(|name| decoder::find_by_name(name).is_some())
}

pub(super) fn open(data: Arc<[u8]>) -> Result<StillSource> {
    let mut demuxer = MemoryInput::open(data, c"mov")?;
    let input = demuxer.input().ok_or_else(|| EngineError::encoding("AVIF: no demuxer"))?;
    let stream = input.streams().best(media::Type::Video).ok_or_else(|| EngineError::encoding("AVIF: no image"))?;
    let index = stream.index();
    let parameters = stream.parameters();
    let codec = DECODERS
        .iter()
        .find_map(|name| decoder::find_by_name(name))
        .ok_or_else(|| EngineError::not_supported("this FFmpeg has no AV1 decoder"))?;
    let mut ctx = codec::Context::from_parameters(parameters)?;
    // Built from `kind`: FFmpeg before 6.0 has a third field (`safe`), later ones do not.
    ctx.set_threading(codec::threading::Config {
        count: 1,
        ..codec::threading::Config::kind(codec::threading::Type::Frame)
    });
    let mut decoder = ctx.decoder().open_as(codec).and_then(|d| d.video())?;
    let mut decoded = None;
    // Read by hand: ffmpeg-next's packet iterator retries a failing read for ever, and a
    // still image is a handful of packets at most.
    for _ in 0..MAX_PACKETS {
        let mut packet = ffmpeg_next::Packet::empty();
        if packet.read(input).is_err() {
            break;
        }
        if packet.stream() != index {
            continue;
        }
        exchange(&mut decoder, Some(&packet), |f| {
            decoded.get_or_insert(f);
            Ok(())
        })?;
        if decoded.is_some() {
            break;
        }
    }
    if decoded.is_none() {
        exchange(&mut decoder, None, |f| {
            decoded.get_or_insert(f);
            Ok(())
        })?;
    }
    let frame = decoded.ok_or_else(|| EngineError::encoding("AVIF: no image in the data"))?;
    StillSource::from_frame("AVIF", frame, true)
}
