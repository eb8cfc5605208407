// A worker_threads worker that loads the addon and codes video. workerData.mode:
// - 'round-trip': encodes `frames` frames of a moving pattern with `codec`, decodes them,
//   and posts { frames, psnr } (the lowest luma PSNR of any decoded frame against its
//   source), or { error }.
// - 'transcode': encodes `frames` 640x480 frames, decodes them and re-encodes every decoded
//   frame, closing it right after encode() so that the encoder's thread drops the last
//   reference to its memory; posts { growth, through }: how far this env's external
//   (ArrayBuffer) memory moved once everything was closed, and how many bytes of decoded
//   frames passed through.
// - 'endless': encodes and decodes video and audio (each encoder's output goes straight
//   into a decoder) until terminated, with some frames left unclosed and configuration
//   probes in flight; posts 'busy' once the first decoded frame arrived, so the parent
//   terminates it mid-encode and mid-decode.
import { createRequire } from 'node:module'
import { parentPort, workerData } from 'node:worker_threads'

const require = createRequire(import.meta.url)
const { AudioData, AudioDecoder, AudioEncoder, VideoDecoder, VideoEncoder, VideoFrame } = require('../../index.js')

let width = 128
let height = 96

function pattern(index) {
  const cw = width / 2
  const ch = height / 2
  const data = new Uint8Array(width * height + 2 * cw * ch)
  const box = 24
  const bx = (index * 3) % (width - box)
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const inBox = x >= bx && x < bx + box && y >= 36 && y < 36 + box
      data[y * width + x] = inBox ? 220 : 32 + Math.floor(((x + y) * 160) / (width + height))
    }
  }
  data.fill(100, width * height, width * height + cw * ch)
  data.fill(150, width * height + cw * ch)
  return data
}

function frameAt(index, data = pattern(index)) {
  return new VideoFrame(data, {
    format: 'I420',
    codedWidth: width,
    codedHeight: height,
    timestamp: index * 33_333,
    duration: 33_333,
  })
}

function psnr(a, b) {
  let sum = 0
  for (let i = 0; i < a.length; i++) sum += (a[i] - b[i]) ** 2
  return sum === 0 ? Infinity : 10 * Math.log10((255 * 255 * a.length) / sum)
}

const encoderConfig = (codec) => ({ codec, width, height, bitrate: 1_000_000, framerate: 30, latencyMode: 'realtime' })

async function roundTrip({ codec, frames }) {
  const chunks = []
  let decoderConfig
  let failure
  const encoder = new VideoEncoder({
    output: (chunk, metadata) => {
      chunks.push(chunk)
      decoderConfig ??= metadata?.decoderConfig
    },
    error: (e) => (failure = e),
  })
  encoder.configure(encoderConfig(codec))
  for (let i = 0; i < frames; i++) {
    const frame = frameAt(i)
    encoder.encode(frame, { keyFrame: i === 0 })
    frame.close()
  }
  await encoder.flush()
  encoder.close()
  if (failure) throw failure

  const copies = []
  const decoder = new VideoDecoder({
    output: (frame) => {
      const luma = new Uint8Array(frame.allocationSize())
      copies.push(
        frame.copyTo(luma).then(() => {
          frame.close()
          return [frame.timestamp, luma.subarray(0, width * height)]
        }),
      )
    },
    error: (e) => (failure = e),
  })
  decoder.configure(decoderConfig)
  for (const chunk of chunks) decoder.decode(chunk)
  await decoder.flush()
  decoder.close()
  const decoded = await Promise.all(copies)
  if (failure) throw failure
  let worst = Infinity
  for (const [timestamp, luma] of decoded) {
    worst = Math.min(worst, psnr(luma, pattern(Math.round(timestamp / 33_333)).subarray(0, width * height)))
  }
  return { frames: decoded.length, psnr: worst }
}

async function transcode({ frames }) {
  width = 640
  height = 480
  // Made up front: garbage ArrayBuffers would move the external-memory figure as the
  // collector frees them, concurrently and later.
  const sources = Array.from({ length: frames }, (_, i) => pattern(i))
  const external = () => {
    globalThis.gc?.()
    // A frame's constructor and close() report queued releases to this env's V8.
    new VideoFrame(new Uint8Array(4), { format: 'RGBA', codedWidth: 1, codedHeight: 1, timestamp: 0 }).close()
    return process.memoryUsage().external
  }
  const before = external()
  let failure
  const fail = (e) => (failure ??= e)
  const reencoder = new VideoEncoder({ output: () => {}, error: fail })
  reencoder.configure(encoderConfig('vp8'))
  let through = 0
  const decoder = new VideoDecoder({
    output: (frame) => {
      through += frame.allocationSize()
      reencoder.encode(frame)
      frame.close()
    },
    error: fail,
  })
  const encoder = new VideoEncoder({
    output: (chunk, metadata) => {
      if (metadata?.decoderConfig) decoder.configure(metadata.decoderConfig)
      decoder.decode(chunk)
    },
    error: fail,
  })
  encoder.configure(encoderConfig('vp8'))
  for (let i = 0; i < frames; i++) {
    const frame = frameAt(i, sources[i])
    encoder.encode(frame, { keyFrame: i === 0 })
    frame.close()
  }
  await encoder.flush()
  await decoder.flush()
  await reencoder.flush()
  for (const codec of [encoder, decoder, reencoder]) codec.close()
  if (failure) throw failure
  return { growth: external() - before, through }
}

async function endless({ codec }) {
  const unclosed = []
  let busy = false
  const decoder = new VideoDecoder({
    output: (frame) => {
      // Every tenth frame stays open: the environment's teardown must collect it.
      if (unclosed.length < 8 && frame.timestamp % 10 === 0) unclosed.push(frame)
      else frame.close()
      if (!busy) {
        busy = true
        parentPort.postMessage('busy')
      }
    },
    error: (e) => parentPort.postMessage({ error: String(e) }),
  })
  const encoder = new VideoEncoder({
    output: (chunk, metadata) => {
      if (metadata?.decoderConfig) decoder.configure(metadata.decoderConfig)
      decoder.decode(chunk)
    },
    error: (e) => parentPort.postMessage({ error: String(e) }),
  })
  encoder.configure(encoderConfig(codec))
  const audioDecoder = new AudioDecoder({ output: (data) => data.close(), error: (e) => parentPort.postMessage({ error: String(e) }) })
  const audioEncoder = new AudioEncoder({
    output: (chunk, metadata) => {
      if (metadata?.decoderConfig) audioDecoder.configure(metadata.decoderConfig)
      audioDecoder.decode(chunk)
    },
    error: (e) => parentPort.postMessage({ error: String(e) }),
  })
  audioEncoder.configure({ codec: 'mp4a.40.2', sampleRate: 48_000, numberOfChannels: 2, bitrate: 128_000 })
  const samples = new Float32Array(2 * 1024).map((_, i) => Math.sin(i / 9) / 4)
  for (let i = 0; ; i++) {
    const frame = frameAt(i % 60)
    if (i % 16 === 0) unclosed.push(frame.clone())
    encoder.encode(frame, { keyFrame: i % 60 === 0 })
    frame.close()
    const audio = new AudioData({ format: 'f32', sampleRate: 48_000, numberOfFrames: 1024, numberOfChannels: 2, timestamp: i * 21_333, data: samples })
    audioEncoder.encode(audio)
    audio.close()
    if (i % 25 === 0) void VideoEncoder.isConfigSupported(encoderConfig(codec))
    // Lets outputs reach the callbacks; a flush every so often keeps a promise pending.
    if (i % 8 === 7) await new Promise((resolve) => setImmediate(resolve))
    if (i % 50 === 49) void encoder.flush()
    if (unclosed.length > 64) unclosed.splice(0, 32).forEach((f) => f.close())
  }
}

const modes = { 'round-trip': roundTrip, transcode, endless }
modes[workerData.mode](workerData).then(
  (result) => parentPort.postMessage(result),
  (e) => parentPort.postMessage({ error: String(e?.stack ?? e) }),
)
