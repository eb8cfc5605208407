// Soak test: encode -> decode -> close, video and audio, in a loop for a long time, and
// check that the process's memory stays flat once warmed up. Not part of CI.
//
//   npm run soak                      # 10 minutes
//   npm run soak -- --minutes 3 --max-growth-mb 4
//   npm run soak -- --gc-every 0      # collections only when V8 decides
//
// Prints RSS at the start (after warm-up), the middle and the end, and exits non-zero
// when RSS grew by more than --max-growth-mb (default 8) from the middle to the end,
// when any codec reported an error, or when getCounters() is not back to zero.
//
// Why the second half: every codec runs on a thread of its own, and glibc spreads those
// threads over more malloc arenas (more so on a machine busy with other work) and caches
// their stacks. That adds a one-time step of up to tens of MB in the first minutes, reused
// afterwards; a leak keeps growing through both halves. MALLOC_ARENA_MAX=2 takes most of
// the step out of the figure.
//
// By default a full collection runs every 50 rounds and before each sample. Left to
// itself, V8 collects when its heap or the external memory reported to it grows enough
// (external memory alone may grow by 64 MB between collections), so RSS would rise and
// fall by ~100 MB with garbage waiting to be collected, not with leaks: what is left
// after a collection is what a leak would leave. `--gc-every 0` shows V8's own cadence.
import { parseArgs } from 'node:util'

import {
  AudioData,
  AudioDecoder,
  AudioEncoder,
  EncodedAudioChunk,
  EncodedVideoChunk,
  getCounters,
  VideoDecoder,
  VideoEncoder,
  VideoFrame,
  type AudioDecoderConfig,
  type VideoDecoderConfig,
} from '../index.js'

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    'max-growth-mb': { type: 'string', default: '8' },
    'gc-every': { type: 'string', default: '50' },
  },
})
const durationMs = Number(values.minutes) * 60_000
const maxGrowthMb = Number(values['max-growth-mb'])
const gcEvery = Number(values['gc-every'])
const gc = (globalThis as { gc?: () => void }).gc
if (gcEvery > 0 && !gc) throw new Error('--gc-every needs node --expose-gc')
// The allocator and V8's heap settle into their working sizes during the first rounds:
// a minute, and at least 200 rounds on a loaded machine (every codec is a new thread,
// and glibc hands out its per-thread arenas as threads contend for them).
const warmUpMs = Math.min(60_000, durationMs / 5)
const warmUpRounds = 200

const width = 320
const height = 240
const frames = 30
const sampleRate = 48_000
const channels = 2
const audioChunk = 960

const videoCodecs = ['vp8', 'avc1.42001e', 'vp09.00.10.08']

/** A moving diagonal ramp; one buffer per frame index, made once. */
const pixels = Array.from({ length: frames }, (_, index) => {
  const data = new Uint8Array(width * height * 1.5)
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) data[y * width + x] = (x + y + index * 4) & 0xff
  }
  data.fill(128, width * height)
  return data
})
const samples = new Float32Array(audioChunk * channels).map((_, i) => 0.25 * Math.sin((i >> 1) / 7))

let failures = 0
const fail = (e: unknown) => {
  failures++
  console.error(String(e))
}

async function videoRound(codec: string): Promise<number> {
  const chunks: EncodedVideoChunk[] = []
  let decoderConfig: VideoDecoderConfig | undefined
  const encoder = new VideoEncoder({
    output: (chunk, metadata) => {
      chunks.push(chunk)
      decoderConfig ??= metadata?.decoderConfig
    },
    error: fail,
  })
  encoder.configure({ codec, width, height, bitrate: 500_000, framerate: 30, latencyMode: 'realtime' })
  for (let i = 0; i < frames; i++) {
    const frame = new VideoFrame(pixels[i], { format: 'I420', codedWidth: width, codedHeight: height, timestamp: i * 33_333 })
    encoder.encode(frame, { keyFrame: i === 0 })
    frame.close()
  }
  await encoder.flush()
  encoder.close()

  let decoded = 0
  const decoder = new VideoDecoder({
    output: (frame) => {
      decoded++
      const copy = frame.clone()
      frame.close()
      copy.close()
    },
    error: fail,
  })
  decoder.configure(decoderConfig!)
  for (const chunk of chunks) decoder.decode(chunk)
  await decoder.flush()
  decoder.close()
  if (decoded !== frames) fail(`${codec}: ${decoded} of ${frames} frames decoded`)
  return decoded
}

async function audioRound(): Promise<number> {
  const chunks: EncodedAudioChunk[] = []
  let decoderConfig: AudioDecoderConfig | undefined
  const encoder = new AudioEncoder({
    output: (chunk, metadata) => {
      chunks.push(chunk)
      decoderConfig ??= metadata?.decoderConfig
    },
    error: fail,
  })
  encoder.configure({ codec: 'mp4a.40.2', sampleRate, numberOfChannels: channels, bitrate: 128_000 })
  for (let i = 0; i < 25; i++) {
    const data = new AudioData({
      format: 'f32',
      sampleRate,
      numberOfFrames: audioChunk,
      numberOfChannels: channels,
      timestamp: Math.round((i * audioChunk * 1e6) / sampleRate),
      data: samples,
    })
    encoder.encode(data)
    data.close()
  }
  await encoder.flush()
  encoder.close()

  let decoded = 0
  const decoder = new AudioDecoder({
    output: (data) => {
      decoded += data.numberOfFrames
      data.close()
    },
    error: fail,
  })
  decoder.configure(decoderConfig!)
  for (const chunk of chunks) decoder.decode(chunk)
  await decoder.flush()
  decoder.close()
  if (decoded !== 25 * audioChunk) fail(`audio: ${decoded} of ${25 * audioChunk} samples decoded`)
  return decoded
}

const mb = (bytes: number) => bytes / 2 ** 20
/** RSS, right after a collection when collections are forced, so samples compare alike. */
const rss = () => {
  if (gcEvery > 0) gc!()
  return process.memoryUsage().rss
}
/** The JS side of the figure, to tell native growth from V8's heap growing. */
const heap = () => {
  const { heapTotal, external } = process.memoryUsage()
  return `V8 heap ${mb(heapTotal).toFixed(1)} MB, external ${mb(external).toFixed(1)} MB`
}

async function main(): Promise<void> {
  const began = Date.now()
  let rounds = 0
  let start: number | undefined
  let middle: number | undefined
  let startedAt = 0
  let elapsedAtStart = 0
  for (let elapsed = 0; elapsed < durationMs; elapsed = Date.now() - began) {
    await videoRound(videoCodecs[rounds % videoCodecs.length])
    await audioRound()
    rounds++
    if (gcEvery > 0 && rounds % gcEvery === 0) gc!()
    if (start === undefined && elapsed >= warmUpMs && rounds >= warmUpRounds) {
      start = rss()
      startedAt = rounds
      elapsedAtStart = elapsed
      console.log(`start  (after ${(elapsed / 1000).toFixed(0)} s warm-up, ${rounds} rounds): RSS ${mb(start).toFixed(1)} MB (${heap()})`)
    } else if (start !== undefined && middle === undefined && elapsed >= (elapsedAtStart + durationMs) / 2) {
      middle = rss()
      console.log(`middle (${(elapsed / 1000).toFixed(0)} s, ${rounds} rounds): RSS ${mb(middle).toFixed(1)} MB (${heap()})`)
    }
  }
  const end = rss()
  if (start === undefined || middle === undefined) {
    console.error(`the run ended during warm-up (${rounds} rounds): nothing measured; give it more --minutes`)
    process.exit(1)
  }
  const growth = mb(end - start)
  const secondHalf = mb(end - middle)
  console.log(`end    (${((Date.now() - began) / 1000).toFixed(0)} s, ${rounds} rounds): RSS ${mb(end).toFixed(1)} MB (${heap()})`)
  console.log(
    `growth after warm-up: ${growth.toFixed(1)} MB over ${rounds - startedAt} rounds, ` +
      `${secondHalf.toFixed(1)} MB of it in the second half (bound ${maxGrowthMb} MB); ` +
      `each round: ${frames} frames of ${width}x${height} and ${25 * audioChunk} samples, encoded and decoded`,
  )
  const counters = getCounters()
  const live = Object.entries(counters).filter(([, n]) => n !== 0)
  if (live.length > 0) console.error(`still live: ${JSON.stringify(counters)}`)
  if (failures > 0 || live.length > 0 || secondHalf > maxGrowthMb) process.exit(1)
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
