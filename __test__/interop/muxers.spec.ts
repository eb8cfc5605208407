// mp4-muxer and webm-muxer write files from our encoders' output, as they do in browsers;
// ffprobe must read back the codecs, every frame and the duration.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

// The muxers make EncodedVideoChunks of their own from the global scope, as in a browser.
import '../../polyfill.js'

import { ArrayBufferTarget as Mp4Target, Muxer as Mp4Muxer } from 'mp4-muxer'
import { afterAll, describe, expect, it } from 'vitest'
import { ArrayBufferTarget as WebmTarget, Muxer as WebmMuxer } from 'webm-muxer'

import { AudioData, AudioEncoder, VideoEncoder, type AudioEncoderConfig, type EncodedAudioChunk, type EncodedAudioChunkMetadata, type EncodedVideoChunk, type EncodedVideoChunkMetadata, type VideoEncoderConfig } from '../../index.js'
import { assertNoLeaks } from '../helpers/leak-check.js'
import { decodedSamples, decodeLuma, frameTimes, probe, stream } from '../helpers/media.js'
import { frameAt, lumaOf, psnr } from '../helpers/video.js'

const work = mkdtempSync(join(tmpdir(), 'webcodecs-muxers-'))
afterAll(async () => {
  rmSync(work, { recursive: true, force: true })
  await assertNoLeaks()
})

const width = 320
const height = 240
const fps = 30
const frames = 60
const sampleRate = 48_000
const seconds = frames / fps

type VideoSink = (chunk: EncodedVideoChunk, meta?: EncodedVideoChunkMetadata) => void
type AudioSink = (chunk: EncodedAudioChunk, meta?: EncodedAudioChunkMetadata) => void

async function encodeVideo(config: VideoEncoderConfig, sink: VideoSink): Promise<void> {
  let failure: DOMException | undefined
  const encoder = new VideoEncoder({ output: sink, error: (e) => (failure = e) })
  encoder.configure(config)
  for (let i = 0; i < frames; i++) {
    const frame = frameAt(width, height, i, fps)
    encoder.encode(frame, { keyFrame: i % fps === 0 })
    frame.close()
  }
  await encoder.flush()
  encoder.close()
  if (failure) throw failure
}

/** `seconds` of a 440 Hz stereo tone at half scale, in 20 ms AudioData. */
async function encodeAudio(config: AudioEncoderConfig, sink: AudioSink): Promise<void> {
  let failure: DOMException | undefined
  const encoder = new AudioEncoder({ output: sink, error: (e) => (failure = e) })
  encoder.configure(config)
  const block = sampleRate / 50
  for (let start = 0; start < seconds * sampleRate; start += block) {
    const samples = new Float32Array(block * 2)
    for (let i = 0; i < block; i++) samples[2 * i] = samples[2 * i + 1] = 0.5 * Math.sin((2 * Math.PI * 440 * (start + i)) / sampleRate)
    const data = new AudioData({ format: 'f32', sampleRate, numberOfChannels: 2, numberOfFrames: block, timestamp: (start * 1e6) / sampleRate, data: samples })
    encoder.encode(data)
    data.close()
  }
  await encoder.flush()
  encoder.close()
  if (failure) throw failure
}

/** Checks what ffmpeg decodes from `path`: every frame at its time, close to the pattern we encoded. */
function expectVideo(path: string): void {
  const times = frameTimes(path)
  expect(times).toHaveLength(frames)
  // WebM stores milliseconds.
  times.forEach((t, i) => expect(Math.abs(t - i / fps)).toBeLessThanOrEqual(0.001))
  const lumas = decodeLuma(path, width, height)
  expect(lumas).toHaveLength(frames)
  // Measured: the worst frame at 52.8 dB (H.264) and 54.4 dB (VP9) at 1 Mbps.
  const worst = Math.min(...lumas.map((luma, i) => psnr(luma, lumaOf(width, height, i))))
  expect(worst).toBeGreaterThanOrEqual(45)
}

describe('mp4-muxer', () => {
  it('writes an MP4 from our H.264 and AAC that ffprobe reads with its codecs, 60 frames and 2 s', async () => {
    const target = new Mp4Target()
    const muxer = new Mp4Muxer({
      target,
      video: { codec: 'avc', width, height, frameRate: fps },
      audio: { codec: 'aac', numberOfChannels: 2, sampleRate },
      fastStart: 'in-memory',
    })
    await encodeVideo({ codec: 'avc1.42001f', width, height, bitrate: 1_000_000, framerate: fps }, (chunk, meta) => muxer.addVideoChunk(chunk, meta))
    let audioChunks = 0
    await encodeAudio({ codec: 'mp4a.40.2', sampleRate, numberOfChannels: 2, bitrate: 128_000 }, (chunk, meta) => {
      audioChunks++
      muxer.addAudioChunk(chunk, meta)
    })
    muxer.finalize()
    const path = join(work, 'ours.mp4')
    writeFileSync(path, new Uint8Array(target.buffer))

    const probed = probe(path)
    expect(stream(probed, 'video')).toMatchObject({ codec_name: 'h264', width, height, nb_read_frames: frames })
    expect(stream(probed, 'audio')).toMatchObject({ codec_name: 'aac', sample_rate: sampleRate, channels: 2, nb_read_frames: audioChunks })
    // 2 s of video; the audio track ends within one AAC frame (1024 samples) of it.
    expect(Math.abs(probed.duration - seconds)).toBeLessThanOrEqual(1024 / sampleRate)
    // mp4-muxer writes no edit list, so ffmpeg also plays the encoder's 1024 samples of
    // priming and the padding of the last frame: every AAC frame whole.
    expect(audioChunks).toBe(Math.ceil((seconds * sampleRate + 1024) / 1024))
    expect(decodedSamples(path)).toBe(audioChunks * 1024)
    expectVideo(path)
  })
})

describe('webm-muxer', () => {
  it('writes a WebM from our VP9 and Opus that ffprobe reads with its codecs, 60 frames and 2 s', async () => {
    const target = new WebmTarget()
    const muxer = new WebmMuxer({
      target,
      video: { codec: 'V_VP9', width, height, frameRate: fps },
      audio: { codec: 'A_OPUS', numberOfChannels: 2, sampleRate },
    })
    await encodeVideo({ codec: 'vp09.00.10.08', width, height, bitrate: 1_000_000, framerate: fps }, (chunk, meta) => muxer.addVideoChunk(chunk, meta))
    let audioChunks = 0
    await encodeAudio({ codec: 'opus', sampleRate, numberOfChannels: 2, bitrate: 96_000 }, (chunk, meta) => {
      audioChunks++
      muxer.addAudioChunk(chunk, meta)
    })
    muxer.finalize()
    const path = join(work, 'ours.webm')
    writeFileSync(path, new Uint8Array(target.buffer))

    const probed = probe(path)
    expect(stream(probed, 'video')).toMatchObject({ codec_name: 'vp9', width, height, nb_read_frames: frames })
    // Opus is 20 ms packets: 2 s is 100 of them, plus the encoder's look-ahead.
    expect(stream(probed, 'audio')).toMatchObject({ codec_name: 'opus', sample_rate: sampleRate, channels: 2, nb_read_frames: audioChunks })
    expect(audioChunks).toBeGreaterThanOrEqual(100)
    expect(audioChunks).toBeLessThanOrEqual(101)
    expect(Math.abs(probed.duration - seconds)).toBeLessThanOrEqual(0.021)
    expectVideo(path)
  })
})
