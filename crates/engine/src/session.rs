//! What every codec session shares (https://w3c.github.io/webcodecs/#codec-processing-model-section):
//! the [`Session`] trait the four sessions implement, the one send/drain exchange with an
//! FFmpeg codec, the timestamp map, and chunk packets. A session owns its FFmpeg context
//! and starts no threads of its own; the binding runs each on its worker.

use std::collections::BTreeMap;
use std::sync::Arc;

use ffmpeg_next::util::error::EAGAIN;
use ffmpeg_next::{decoder, encoder, frame, Error as AvError, Packet};

use crate::{EngineError, Result};

/// A codec session: opened from a config, fed inputs, flushed; outputs go to the sink as
/// soon as the codec gives them.
pub trait Session: Sized + 'static {
    type Config: Send + 'static;
    type Input: Send + 'static;
    type Output: Send + 'static;

    /// Configures the session; `NotSupported` when this FFmpeg cannot honour the config.
    fn open(config: Self::Config) -> Result<Self>;

    /// Feeds one input and hands every output that became ready to `sink`.
    fn push(&mut self, input: Self::Input, sink: &mut dyn FnMut(Self::Output)) -> Result<()>;

    /// Emits everything pending and readies the session for a new stream.
    fn flush(&mut self, sink: &mut dyn FnMut(Self::Output)) -> Result<()>;
}

/// Why a candidate FFmpeg codec did not open: a reason, reported if no candidate opens,
/// or an error that ends the search.
pub(crate) enum Refused {
    Reason(String),
    Error(EngineError),
}

impl From<String> for Refused {
    fn from(reason: String) -> Self {
        Self::Reason(reason)
    }
}

impl From<EngineError> for Refused {
    fn from(error: EngineError) -> Self {
        Self::Error(error)
    }
}

/// Opens the first of `candidates` (FFmpeg codecs, best first) that this FFmpeg has and
/// that `open` accepts; otherwise `NotSupported`, saying why each one was refused. `find`
/// looks a codec up by name (encoder or decoder); `verb` ("encode", "decode") and `codec`
/// name what was asked for in the error.
pub(crate) fn open_first<C, T>(
    verb: &str,
    codec: &dyn std::fmt::Display,
    candidates: impl IntoIterator<Item = (&'static str, C)>,
    find: fn(&str) -> Option<ffmpeg_next::Codec>,
    mut open: impl FnMut(C, ffmpeg_next::Codec) -> std::result::Result<T, Refused>,
) -> Result<T> {
    crate::init();
    let mut reasons = Vec::new();
    for (name, candidate) in candidates {
        let Some(found) = find(name) else {
            reasons.push(format!("{name} is not in this FFmpeg"));
            continue;
        };
        match open(candidate, found) {
            Ok(opened) => return Ok(opened),
            Err(Refused::Reason(reason)) => reasons.push(reason),
            Err(Refused::Error(error)) => return Err(error),
        }
    }
    if reasons.is_empty() {
        reasons.push(format!("no {verb}r"));
    }
    Err(EngineError::not_supported(format!("cannot {verb} {codec}: {}", reasons.join("; "))))
}

/// One `EncodedVideoChunk` or `EncodedAudioChunk` for a decoder. The bytes are shared,
/// not copied: the binding lends the chunk's own buffer.
#[derive(Clone)]
pub struct EncodedInput {
    pub data: Arc<dyn AsRef<[u8]> + Send + Sync>,
    pub key: bool,
    pub timestamp: i64,
    pub duration: Option<i64>,
}

impl EncodedInput {
    /// The chunk's bytes.
    pub fn bytes(&self) -> &[u8] {
        (*self.data).as_ref()
    }
}

/// The microsecond time base every session gives FFmpeg: WebCodecs timestamps as they are.
pub(crate) const TIME_BASE: (i32, i32) = (1, 1_000_000);

/// The WebCodecs timestamp and duration of each input still inside a codec, keyed by the
/// pts FFmpeg was given. Pts are the input timestamps made strictly increasing, so
/// duplicate or backwards timestamps from JavaScript cannot confuse the codec or the map.
#[derive(Debug, Default)]
pub(crate) struct TimestampMap {
    last_pts: Option<i64>,
    pending: BTreeMap<i64, (i64, Option<i64>)>,
}

/// More entries than any codec delays: inputs the codec dropped are forgotten past this.
const MAX_PENDING: usize = 512;

impl TimestampMap {
    /// Records an input and returns the pts to give FFmpeg for it.
    pub fn push(&mut self, timestamp: i64, duration: Option<i64>) -> i64 {
        let pts = match self.last_pts {
            Some(last) if timestamp <= last => last.saturating_add(1),
            _ => timestamp,
        };
        self.last_pts = Some(pts);
        self.pending.insert(pts, (timestamp, duration));
        while self.pending.len() > MAX_PENDING {
            self.pending.pop_first();
        }
        pts
    }

    /// The timestamp and duration of the input FFmpeg output as `pts`; an unknown pts (a
    /// codec that invents timestamps) is passed through.
    pub fn take(&mut self, pts: Option<i64>) -> (i64, Option<i64>) {
        match pts {
            Some(pts) => self.pending.remove(&pts).unwrap_or((pts, None)),
            None => self.pending.pop_first().map_or((0, None), |(_, v)| v),
        }
    }

    pub fn clear(&mut self) {
        self.pending.clear();
    }
}

/// What a send/receive call on an FFmpeg codec came to.
enum Step<T> {
    Ready(T),
    /// `EAGAIN`: the codec wants the other direction first.
    Again,
    /// `EOF`: fully drained.
    Done,
}

/// Sorts an FFmpeg result into output, EAGAIN, EOF, or an `EncodingError`.
fn step<T>(result: std::result::Result<T, AvError>, what: &str) -> Result<Step<T>> {
    match result {
        Ok(value) => Ok(Step::Ready(value)),
        Err(AvError::Other { errno }) if errno == EAGAIN => Ok(Step::Again),
        Err(AvError::Eof) => Ok(Step::Done),
        Err(e) => Err(EngineError::encoding(format!("{what}: {e}"))),
    }
}

/// The FFmpeg packet for one chunk (video or audio): its bytes, the pts `timestamps`
/// assigns to it, its duration and key flag. An empty chunk is an `EncodingError`.
pub(crate) fn chunk_packet(timestamps: &mut TimestampMap, chunk: &EncodedInput) -> Result<Packet> {
    let data = chunk.bytes();
    if data.is_empty() {
        return Err(EngineError::encoding("empty chunk"));
    }
    let mut packet = Packet::copy(data);
    packet.set_pts(Some(timestamps.push(chunk.timestamp, chunk.duration)));
    packet.set_duration(chunk.duration.unwrap_or(0));
    if chunk.key {
        packet.set_flags(ffmpeg_next::packet::Flags::KEY);
    }
    Ok(packet)
}

/// FFmpeg's threads for one codec: one per core.
pub(crate) fn thread_count() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// The two directions of an FFmpeg codec: inputs sent (`None`: the end of the stream) and
/// outputs received, as FFmpeg's send/receive API has them for encoders and decoders alike.
pub(crate) trait CodecIo {
    /// "encode" or "decode", what errors say the codec was doing.
    const VERB: &'static str;
    /// "encoder" or "decoder".
    const ROLE: &'static str;
    type In;
    type Out;
    fn send(&mut self, input: Option<&Self::In>) -> std::result::Result<(), AvError>;
    fn receive(&mut self) -> std::result::Result<Self::Out, AvError>;
}

/// Sends `input` to `codec` (`None`: the end of the stream, after which the codec only
/// drains) and hands every output it has ready to `each`. An input refused with EAGAIN is
/// sent again once the codec has been drained (its output queue was full); EAGAIN or EOF
/// from receive ends the drain.
pub(crate) fn exchange<C: CodecIo>(
    codec: &mut C,
    input: Option<&C::In>,
    mut each: impl FnMut(C::Out) -> Result<()>,
) -> Result<()> {
    let sent = step(codec.send(input), if input.is_some() { C::VERB } else { "flush" })?;
    if let (Step::Again, Some(_)) = (sent, input) {
        drain(codec, &mut each)?;
        if let Step::Again = step(codec.send(input), C::VERB)? {
            return Err(EngineError::encoding(format!("{} accepts no input", C::ROLE)));
        }
    }
    drain(codec, &mut each)
}

fn drain<C: CodecIo>(codec: &mut C, each: &mut impl FnMut(C::Out) -> Result<()>) -> Result<()> {
    loop {
        match step(codec.receive(), C::VERB)? {
            Step::Ready(output) => each(output)?,
            Step::Again | Step::Done => return Ok(()),
        }
    }
}

macro_rules! encoder_io {
    ($codec:ty, $frame:ty) => {
        impl CodecIo for $codec {
            const VERB: &'static str = "encode";
            const ROLE: &'static str = "encoder";
            type In = $frame;
            type Out = Packet;

            fn send(&mut self, input: Option<&$frame>) -> std::result::Result<(), AvError> {
                match input {
                    Some(frame) => self.send_frame(frame),
                    None => self.send_eof(),
                }
            }

            fn receive(&mut self) -> std::result::Result<Packet, AvError> {
                let mut packet = Packet::empty();
                self.receive_packet(&mut packet).map(|()| packet)
            }
        }
    };
}

macro_rules! decoder_io {
    ($codec:ty, $frame:ty) => {
        impl CodecIo for $codec {
            const VERB: &'static str = "decode";
            const ROLE: &'static str = "decoder";
            type In = Packet;
            type Out = $frame;

            fn send(&mut self, input: Option<&Packet>) -> std::result::Result<(), AvError> {
                match input {
                    Some(packet) => self.send_packet(packet),
                    None => self.send_eof(),
                }
            }

            fn receive(&mut self) -> std::result::Result<$frame, AvError> {
                let mut frame = <$frame>::empty();
                self.receive_frame(&mut frame).map(|()| frame)
            }
        }
    };
}

encoder_io!(encoder::Video, frame::Video);
encoder_io!(encoder::Audio, frame::Audio);
decoder_io!(decoder::Video, frame::Video);
decoder_io!(decoder::Audio, frame::Audio);

/// The sessions' outputs as Vecs, for tests.
#[cfg(test)]
pub(crate) mod collect {
    use super::Session;
    use crate::Result;

    pub(crate) fn push<S: Session>(session: &mut S, input: S::Input) -> Result<Vec<S::Output>> {
        let mut out = Vec::new();
        session.push(input, &mut |o| out.push(o))?;
        Ok(out)
    }

    pub(crate) fn flush<S: Session>(session: &mut S) -> Result<Vec<S::Output>> {
        let mut out = Vec::new();
        session.flush(&mut |o| out.push(o))?;
        Ok(out)
    }

    /// Decodes a copy of `data` as one chunk.
    pub(crate) fn decode<S: Session<Input = super::EncodedInput>>(
        session: &mut S,
        data: &[u8],
        key: bool,
        timestamp: i64,
        duration: Option<i64>,
    ) -> Result<Vec<S::Output>> {
        let data = std::sync::Arc::new(data.to_vec());
        push(session, super::EncodedInput { data, key, timestamp, duration })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_made_strictly_increasing_and_restored() {
        let mut map = TimestampMap::default();
        assert_eq!(map.push(100, Some(10)), 100);
        assert_eq!(map.push(100, None), 101);
        assert_eq!(map.push(50, Some(5)), 102);
        assert_eq!(map.push(200, None), 200);
        assert_eq!(map.take(Some(102)), (50, Some(5)));
        assert_eq!(map.take(Some(100)), (100, Some(10)));
        assert_eq!(map.take(Some(101)), (100, None));
        assert_eq!(map.take(Some(999)), (999, None));
        assert_eq!(map.take(None), (200, None));
    }

    #[test]
    fn eagain_and_eof_are_not_failures() {
        assert!(matches!(step::<()>(Err(AvError::Other { errno: EAGAIN }), "x"), Ok(Step::Again)));
        assert!(matches!(step::<()>(Err(AvError::Eof), "x"), Ok(Step::Done)));
        assert_eq!(step::<()>(Err(AvError::InvalidData), "x").err().unwrap().name(), "EncodingError");
    }
}
