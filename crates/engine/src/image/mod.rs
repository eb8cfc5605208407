//! Image decoding (https://w3c.github.io/webcodecs/#image-decoding): encoded image bytes,
//! whole or arriving in pieces, into fully decoded (composited) frames with the track's
//! animation, frame count and repetition count. One [`ImageSession`] per `ImageDecoder`,
//! driven by the binding's worker thread.

mod avif;
mod compose;
mod exif;
mod gif;
mod output;
mod png;
mod still;
mod webp;

use std::sync::Arc;

use crate::video::{ColorSpace, FrameBuffer, Orientation};
use crate::{EngineError, Result};

pub use compose::{Blend, Canvas, Dispose, Patch};

/// The largest image decoded (width x height): 64 megapixels (8192 x 8192, 256 MiB as
/// RGBA). Larger headers are corrupt data for us, not a reason to allocate gigabytes.
pub(crate) const MAX_PIXELS: u64 = 8192 * 8192;

/// An image format, from the `type` MIME type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageKind {
    Png,
    Gif,
    Jpeg,
    Webp,
    Bmp,
    Avif,
}

impl ImageKind {
    /// The format of a MIME type (parameters ignored, case-insensitive), if we know it.
    pub fn from_mime(mime: &str) -> Option<Self> {
        let essence = mime.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
        Some(match essence.as_str() {
            "image/png" | "image/apng" => Self::Png,
            "image/gif" => Self::Gif,
            "image/jpeg" | "image/jpg" | "image/pjpeg" => Self::Jpeg,
            "image/webp" => Self::Webp,
            "image/bmp" | "image/x-ms-bmp" => Self::Bmp,
            "image/avif" => Self::Avif,
            _ => return None,
        })
    }

    /// Whether this build decodes the format: the pure-Rust ones always, the others when
    /// the linked FFmpeg has their decoder.
    pub fn supported(self) -> bool {
        match self {
            Self::Png | Self::Gif => true,
            Self::Webp => still::available("webp"),
            Self::Jpeg => still::available("mjpeg"),
            Self::Bmp => still::available("bmp"),
            Self::Avif => avif::available(),
        }
    }

    /// Whether the bytes so far can start this format (its signature), which is all a
    /// still-only format needs for its track to be known; `None` while too short to say.
    fn signature_matches(self, data: &[u8]) -> Option<bool> {
        let (at, signature): (usize, &[u8]) = match self {
            Self::Jpeg => (0, &[0xff, 0xd8]),
            Self::Bmp => (0, b"BM"),
            // An ISO BMFF file starts with its `ftyp` box.
            Self::Avif => (4, b"ftyp"),
            _ => return None,
        };
        data.get(at..at + signature.len()).map(|found| found == signature)
    }

    fn open(self, data: Arc<[u8]>) -> Result<Box<dyn FrameSource>> {
        Ok(match self {
            Self::Png => Box::new(png::PngSource::open(data)?),
            Self::Gif => Box::new(gif::GifSource::open(data)?),
            // FFmpeg 5.1 decodes still WebP (as libwebp does) but no animation.
            Self::Webp if webp::is_animated(&data) => Box::new(webp::WebpSource::open(data)?),
            Self::Webp => Box::new(still::StillSource::open("webp", data, false)?),
            // JPEG keeps its YCbCr, as browsers hand it out.
            Self::Jpeg => Box::new(still::StillSource::open("mjpeg", data, true)?),
            Self::Bmp => Box::new(still::StillSource::open("bmp", data, false)?),
            // AV1 keeps its YUV and the colour space its headers give.
            Self::Avif => Box::new(avif::open(data)?),
        })
    }
}

/// `isTypeSupported()`: a MIME type we know whose decoder this build has.
pub fn is_type_supported(mime: &str) -> bool {
    ImageKind::from_mime(mime).is_some_and(ImageKind::supported)
}

/// What an `ImageTrack` shows (https://w3c.github.io/webcodecs/#imagetrack-interface).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrackInfo {
    pub animated: bool,
    pub frame_count: u32,
    /// Plays after the first; `f64::INFINITY` for a loop without end.
    pub repetition_count: f64,
}

impl TrackInfo {
    fn still() -> Self {
        Self { animated: false, frame_count: 1, repetition_count: 0.0 }
    }
}

/// One decoded image: the frame, its place in the animation, and its colour space.
pub struct DecodedImage {
    pub frame: FrameBuffer,
    pub timestamp_us: i64,
    pub duration_us: Option<i64>,
    pub color_space: ColorSpace,
    /// From a JPEG's EXIF orientation; upright otherwise.
    pub orientation: Orientation,
}

/// A format's frames in file order, each fully composited.
pub(crate) trait FrameSource: Send {
    fn track(&self) -> TrackInfo;
    /// The next frame; `None` after the last.
    fn next_frame(&mut self) -> Result<Option<RawFrame>>;
}

pub(crate) enum Pixels {
    /// Tightly packed RGBA rows.
    Rgba { width: u32, height: u32, data: Vec<u8> },
    /// A frame from an FFmpeg decoder; YUV stays YUV when `keep_yuv` (JPEG), else
    /// everything becomes RGBA.
    Av { frame: ffmpeg_next::frame::Video, keep_yuv: bool },
}

pub(crate) struct RawFrame {
    pixels: Pixels,
    duration_us: Option<i64>,
}

/// The frames read so far from one snapshot of the data.
struct Reading {
    source: Box<dyn FrameSource>,
    /// The data length the source was opened on.
    data_len: usize,
    /// Index of the next frame it gives, and that frame's timestamp.
    next: u32,
    timestamp_us: i64,
    /// It ran out of data before the end of the image.
    starved: bool,
}

/// The decoding side of one `ImageDecoder`: bytes in (all at once, or as a stream
/// delivers them), tracks and frames out. Frames are read in order; asking for an
/// earlier frame than the last starts over, as a decoder without random access must.
pub struct ImageSession {
    kind: ImageKind,
    desired_size: Option<(u32, u32)>,
    data: Vec<u8>,
    snapshot: Option<Arc<[u8]>>,
    complete: bool,
    reading: Option<Reading>,
}

impl ImageSession {
    /// `NotSupported` for a format this build does not decode.
    pub fn new(kind: ImageKind, desired_size: Option<(u32, u32)>) -> Result<Self> {
        if !kind.supported() {
            return Err(EngineError::not_supported(format!("{kind:?} images cannot be decoded by this build")));
        }
        Ok(Self { kind, desired_size, data: Vec::new(), snapshot: None, complete: false, reading: None })
    }

    /// More of the image. The first piece is taken as it is.
    pub fn append(&mut self, bytes: Vec<u8>) {
        if let Some(snapshot) = self.snapshot.take() {
            // Streaming on after a read: the bytes so far go back into a growable buffer.
            self.data = snapshot.to_vec();
        }
        if self.data.is_empty() {
            self.data = bytes;
        } else {
            self.data.extend_from_slice(&bytes);
        }
    }

    /// All the data is in ("complete" in the spec).
    pub fn finish(&mut self) {
        self.complete = true;
    }

    pub fn is_complete(&self) -> bool {
        self.complete
    }

    /// The bytes so far.
    fn bytes(&self) -> &[u8] {
        self.snapshot.as_deref().unwrap_or(&self.data)
    }

    /// The bytes so far as one shared buffer for the readers; the data is held once.
    fn snapshot(&mut self) -> Arc<[u8]> {
        if self.snapshot.is_none() {
            self.snapshot = Some(Arc::from(std::mem::take(&mut self.data)));
        }
        self.snapshot.clone().unwrap_or_else(|| Arc::from(Vec::new()))
    }

    /// Bytes that do not make an image yet: more may come, or it is corrupt.
    fn short(&self, error: EngineError) -> Result<Option<TrackInfo>> {
        if self.complete {
            Err(error)
        } else {
            Ok(None)
        }
    }

    /// The track as far as the data tells: `None` while the header is not in yet; an
    /// `EncodingError` when the complete data holds no image.
    pub fn track(&mut self) -> Result<Option<TrackInfo>> {
        if let Some(matches) = self.kind.signature_matches(self.bytes()) {
            if !matches {
                return Err(EngineError::encoding(format!("not a {:?} image", self.kind)));
            }
            return Ok(Some(TrackInfo::still()));
        }
        let snapshot = self.snapshot();
        match self.kind.open(snapshot) {
            Ok(source) => Ok(Some(source.track())),
            Err(e) => self.short(e),
        }
    }

    /// Starts reading from the first frame over the data as it is now.
    fn restart(&mut self) -> Result<bool> {
        let data_len = self.bytes().len();
        let snapshot = self.snapshot();
        match self.kind.open(snapshot) {
            Ok(source) => {
                self.reading = Some(Reading { source, data_len, next: 0, timestamp_us: 0, starved: false });
                Ok(true)
            }
            Err(e) if self.complete => Err(e),
            Err(_) => Ok(false),
        }
    }

    /// Frame `index`, composited; `None` while its bytes have not arrived. RangeError
    /// for an index past the end of complete data, EncodingError for corrupt data.
    pub fn decode(&mut self, index: u32) -> Result<Option<DecodedImage>> {
        // At most twice: a reading that ran out on an older snapshot starts over once on
        // all the data there is.
        for _ in 0..2 {
            let data_len = self.bytes().len();
            let stale = self.reading.as_ref().is_none_or(|r| r.next > index || (r.starved && r.data_len < data_len));
            if stale && !self.restart()? {
                return Ok(None);
            }
            let Some(reading) = self.reading.as_mut() else { return Ok(None) };
            match reading.advance(index, self.desired_size) {
                Ok(Some(mut image)) => {
                    if self.kind == ImageKind::Jpeg {
                        image.orientation = exif::jpeg_orientation(self.bytes()).unwrap_or_default();
                    }
                    return Ok(Some(image));
                }
                Ok(None) | Err(_) if reading.data_len < data_len => reading.starved = true,
                Ok(None) if !self.complete => {
                    reading.starved = true;
                    return Ok(None);
                }
                Err(_) if !self.complete => {
                    reading.starved = true;
                    return Ok(None);
                }
                Ok(None) => return Err(EngineError::range_error(format!("frame {index} is past the last frame"))),
                Err(e) => return Err(e),
            }
        }
        Ok(None)
    }
}

impl Reading {
    /// Reads up to frame `index`; `None` when the source ended first.
    fn advance(&mut self, index: u32, desired_size: Option<(u32, u32)>) -> Result<Option<DecodedImage>> {
        while self.next <= index {
            let Some(frame) = self.source.next_frame()? else { return Ok(None) };
            let timestamp_us = self.timestamp_us;
            self.timestamp_us += frame.duration_us.unwrap_or(0);
            self.next += 1;
            if self.next > index {
                let (buffer, color_space) = output::to_frame(frame.pixels, desired_size)?;
                let duration_us = frame.duration_us;
                let orientation = Orientation::default();
                return Ok(Some(DecodedImage { frame: buffer, timestamp_us, duration_us, color_space, orientation }));
            }
        }
        Ok(None)
    }
}

#[cfg(test)]
mod tests;
