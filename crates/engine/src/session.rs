//! One trait for the four codec sessions (open, push an input into a sink, flush into a
//! sink), with inputs that own what they carry.
use std::sync::Arc;

use crate::audio::AudioBuffer;
use crate::audio_codec::{
    AudioDecoder, AudioDecoderConfig, AudioEncoder, AudioEncoderConfig, DecodedAudio, EncodedAudioPacket,
};
use crate::pixel::{FrameBuffer, Rect};
use crate::video::{DecodedFrame, EncodedPacket, VideoDecoder, VideoDecoderConfig, VideoEncoder, VideoEncoderConfig};
use crate::{Keepalive, Result};

pub trait Session: Sized + 'static {
    type Config: Send + 'static;
    type Input: Send + 'static;
    type Output: Send + 'static;
    fn open(config: Self::Config) -> Result<Self>;
    fn push(&mut self, input: Self::Input, sink: &mut dyn FnMut(Self::Output)) -> Result<()>;
    fn flush(&mut self, sink: &mut dyn FnMut(Self::Output)) -> Result<()>;
}

pub struct EncodedInput {
    pub data: Arc<dyn AsRef<[u8]> + Send + Sync>,
    pub key: bool,
    pub timestamp: i64,
    pub duration: Option<i64>,
}

pub struct VideoFrameInput {
    pub pixels: Arc<dyn AsRef<FrameBuffer> + Send + Sync>,
    pub rect: Rect,
    pub timestamp: i64,
    pub duration: Option<i64>,
    pub key_frame: bool,
    pub quantizer: Option<u32>,
}

pub struct AudioInput {
    pub samples: Arc<dyn AsRef<AudioBuffer> + Send + Sync>,
    pub timestamp: i64,
}

impl Session for VideoEncoder {
    type Config = VideoEncoderConfig;
    type Input = VideoFrameInput;
    type Output = EncodedPacket;
    fn open(config: Self::Config) -> Result<Self> {
        VideoEncoder::new(config)
    }
    fn push(&mut self, i: VideoFrameInput, sink: &mut dyn FnMut(EncodedPacket)) -> Result<()> {
        let keepalive: Keepalive = Arc::new(i.pixels.clone());
        let out = self.encode_rect(
            (*i.pixels).as_ref(),
            Some(&keepalive),
            i.rect,
            i.timestamp,
            i.duration,
            i.key_frame,
            i.quantizer,
        )?;
        out.into_iter().for_each(sink);
        Ok(())
    }
    fn flush(&mut self, sink: &mut dyn FnMut(EncodedPacket)) -> Result<()> {
        VideoEncoder::flush(self)?.into_iter().for_each(sink);
        Ok(())
    }
}

impl Session for VideoDecoder {
    type Config = VideoDecoderConfig;
    type Input = EncodedInput;
    type Output = DecodedFrame;
    fn open(config: Self::Config) -> Result<Self> {
        VideoDecoder::new(&config)
    }
    fn push(&mut self, i: EncodedInput, sink: &mut dyn FnMut(DecodedFrame)) -> Result<()> {
        self.decode((*i.data).as_ref(), i.key, i.timestamp, i.duration)?.into_iter().for_each(sink);
        Ok(())
    }
    fn flush(&mut self, sink: &mut dyn FnMut(DecodedFrame)) -> Result<()> {
        VideoDecoder::flush(self)?.into_iter().for_each(sink);
        Ok(())
    }
}

impl Session for AudioEncoder {
    type Config = AudioEncoderConfig;
    type Input = AudioInput;
    type Output = EncodedAudioPacket;
    fn open(config: Self::Config) -> Result<Self> {
        AudioEncoder::new(config)
    }
    fn push(&mut self, i: AudioInput, sink: &mut dyn FnMut(EncodedAudioPacket)) -> Result<()> {
        self.encode((*i.samples).as_ref(), i.timestamp)?.into_iter().for_each(sink);
        Ok(())
    }
    fn flush(&mut self, sink: &mut dyn FnMut(EncodedAudioPacket)) -> Result<()> {
        AudioEncoder::flush(self)?.into_iter().for_each(sink);
        Ok(())
    }
}

impl Session for AudioDecoder {
    type Config = AudioDecoderConfig;
    type Input = EncodedInput;
    type Output = DecodedAudio;
    fn open(config: Self::Config) -> Result<Self> {
        AudioDecoder::new(&config)
    }
    fn push(&mut self, i: EncodedInput, sink: &mut dyn FnMut(DecodedAudio)) -> Result<()> {
        self.decode((*i.data).as_ref(), i.key, i.timestamp, i.duration)?.into_iter().for_each(sink);
        Ok(())
    }
    fn flush(&mut self, sink: &mut dyn FnMut(DecodedAudio)) -> Result<()> {
        AudioDecoder::flush(self)?.into_iter().for_each(sink);
        Ok(())
    }
}
