// The README demo: a real transcode. Generates a 3-second 1280x720 clip, encodes it to
// H.264, then decodes that H.264 and re-encodes every frame to VP9, writing an IVF file;
// and 3 seconds of stereo audio to AAC, then AAC to Opus. Prints frames, fps and sizes
// at each step, and what ffprobe says of the video.
import { execFileSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

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
} from '../index.js'

const width = 1280
const height = 720
const fps = 30
const frameCount = 90

/** A moving I420 pattern: a scrolling luma ramp with a bright square and tinted chroma. */
function syntheticFrame(index: number): VideoFrame {
  const luma = width * height
  const chroma = (width / 2) * (height / 2)
  const data = new Uint8Array(luma + 2 * chroma)
  const box = 160
  const bx = (index * 8) % (width - box)
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const inBox = x >= bx && x < bx + box && y >= 280 && y < 280 + box
      data[y * width + x] = inBox ? 230 : 16 + ((x + index * 4) % 200)
    }
  }
  data.fill(110, luma, luma + chroma)
  data.fill(150, luma + chroma)
  return new VideoFrame(data, { format: 'I420', codedWidth: width, codedHeight: height, timestamp: Math.round((index * 1e6) / fps), duration: Math.round(1e6 / fps) })
}

function ivfFile(chunks: EncodedVideoChunk[]): Buffer {
  const header = Buffer.alloc(32)
  header.write('DKIF', 0)
  header.writeUInt16LE(32, 6)
  header.write('VP90', 8)
  header.writeUInt16LE(width, 12)
  header.writeUInt16LE(height, 14)
  header.writeUInt32LE(1_000_000, 16)
  header.writeUInt32LE(1, 20)
  header.writeUInt32LE(chunks.length, 24)
  const parts = [header]
  for (const chunk of chunks) {
    const frameHeader = Buffer.alloc(12)
    frameHeader.writeUInt32LE(chunk.byteLength, 0)
    frameHeader.writeBigUInt64LE(BigInt(chunk.timestamp), 4)
    const data = Buffer.alloc(chunk.byteLength)
    chunk.copyTo(data)
    parts.push(frameHeader, data)
  }
  return Buffer.concat(parts)
}

const bytes = (chunks: EncodedVideoChunk[]) => chunks.reduce((n, c) => n + c.byteLength, 0)
const rate = (frames: number, ms: number) => `${((frames * 1000) / ms).toFixed(0)} fps`

async function makeH264Clip() {
  const chunks: EncodedVideoChunk[] = []
  let description: ArrayBuffer | undefined
  const encoder = new VideoEncoder({
    output: (chunk, metadata) => {
      chunks.push(chunk)
      description ??= metadata?.decoderConfig?.description as ArrayBuffer | undefined
    },
    error: (e) => console.error('H.264 encoder:', e.message),
  })
  encoder.configure({ codec: 'avc1.640028', width, height, bitrate: 4_000_000, framerate: fps })
  for (let i = 0; i < frameCount; i++) {
    const frame = syntheticFrame(i)
    encoder.encode(frame, { keyFrame: i % 60 === 0 })
    frame.close()
  }
  await encoder.flush()
  encoder.close()
  return { chunks, description }
}

async function transcodeToVp9(input: EncodedVideoChunk[], description: ArrayBuffer | undefined) {
  const output: EncodedVideoChunk[] = []
  const encoder = new VideoEncoder({ output: (chunk) => output.push(chunk), error: (e) => console.error('VP9 encoder:', e.message) })
  encoder.configure({ codec: 'vp09.00.31.08', width, height, bitrate: 2_000_000, framerate: fps })
  let decoded = 0
  const decoder = new VideoDecoder({
    output: (frame) => {
      decoded++
      encoder.encode(frame)
      frame.close()
    },
    error: (e) => console.error('H.264 decoder:', e.message),
  })
  decoder.configure({ codec: 'avc1.640028', description })
  for (const chunk of input) decoder.decode(chunk)
  await decoder.flush()
  await encoder.flush()
  decoder.close()
  encoder.close()
  return { output, decoded }
}

/** 3 s of a 1 kHz + 3 kHz stereo mix -> AAC -> decode -> Opus. */
async function transcodeAudio(): Promise<string> {
  const sampleRate = 48_000
  const aac: EncodedAudioChunk[] = []
  let aacConfig: AudioDecoderConfig | undefined
  const aacEncoder = new AudioEncoder({
    output: (chunk, metadata) => {
      aac.push(chunk)
      aacConfig ??= metadata?.decoderConfig
    },
    error: (e) => console.error('AAC encoder:', e.message),
  })
  aacEncoder.configure({ codec: 'mp4a.40.2', sampleRate, numberOfChannels: 2, bitrate: 128_000 })
  for (let start = 0; start < sampleRate * 3; start += 4800) {
    const samples = new Float32Array(4800 * 2)
    for (let i = 0; i < 4800; i++) {
      const t = (start + i) / sampleRate
      samples[2 * i] = samples[2 * i + 1] = 0.4 * Math.sin(2 * Math.PI * 1000 * t) + 0.2 * Math.sin(2 * Math.PI * 3000 * t)
    }
    const data = new AudioData({ format: 'f32', sampleRate, numberOfFrames: 4800, numberOfChannels: 2, timestamp: Math.round((start * 1e6) / sampleRate), data: samples })
    aacEncoder.encode(data)
    data.close()
  }
  await aacEncoder.flush()
  aacEncoder.close()

  const opus: EncodedAudioChunk[] = []
  const opusEncoder = new AudioEncoder({ output: (chunk) => opus.push(chunk), error: (e) => console.error('Opus encoder:', e.message) })
  opusEncoder.configure({ codec: 'opus', sampleRate, numberOfChannels: 2, bitrate: 96_000 })
  let decodedFrames = 0
  const decoder = new AudioDecoder({
    output: (data) => {
      decodedFrames += data.numberOfFrames
      opusEncoder.encode(data)
      data.close()
    },
    error: (e) => console.error('AAC decoder:', e.message),
  })
  decoder.configure(aacConfig!)
  for (const chunk of aac) decoder.decode(chunk)
  await decoder.flush()
  await opusEncoder.flush()
  decoder.close()
  opusEncoder.close()
  const bytes = (chunks: EncodedAudioChunk[]) => chunks.reduce((n, c) => n + c.byteLength, 0)
  return `audio: 3 s stereo -> AAC ${aac.length} chunks (${bytes(aac)} bytes) -> ${decodedFrames} decoded frames -> Opus ${opus.length} chunks (${bytes(opus)} bytes)`
}

async function main(): Promise<void> {
  const t0 = performance.now()
  const clip = await makeH264Clip()
  const t1 = performance.now()
  console.log(`generate + encode H.264: ${frameCount} frames ${width}x${height} in ${(t1 - t0).toFixed(0)} ms (${rate(frameCount, t1 - t0)}), ${bytes(clip.chunks)} bytes`)

  const { output, decoded } = await transcodeToVp9(clip.chunks, clip.description)
  const t2 = performance.now()
  console.log(`transcode H.264 -> VP9: ${decoded} frames decoded, ${output.length} encoded in ${(t2 - t1).toFixed(0)} ms (${rate(output.length, t2 - t1)}), ${bytes(output)} bytes`)

  const file = join(tmpdir(), 'webcodecs-rs-demo.ivf')
  writeFileSync(file, ivfFile(output))
  try {
    const probe = execFileSync('ffprobe', ['-v', 'error', '-count_frames', '-show_entries', 'stream=codec_name,width,height,nb_read_frames', '-of', 'csv=p=0', file], { encoding: 'utf8' })
    console.log(`wrote ${file}; ffprobe: ${probe.trim()}`)
  } catch {
    console.log(`wrote ${file}`)
  }
  console.log(await transcodeAudio())
  console.log('live instances after close:', JSON.stringify(getCounters()))
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
