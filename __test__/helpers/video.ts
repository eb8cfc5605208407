// Synthetic video, codec round trips and quality measures for the codec specs.
import { execFileSync } from 'node:child_process'

import {
  EncodedVideoChunk,
  VideoDecoder,
  VideoEncoder,
  VideoFrame,
  type EncodedVideoChunkMetadata,
  type VideoDecoderConfig,
  type VideoEncoderConfig,
  type VideoEncoderEncodeOptions,
} from '../../index.js'
import { ivfFile } from './containers.js'

export { parseIvf, splitAtAud } from './containers.js'

/** An I420 frame of a moving pattern: diagonal luma ramp, a bright square sliding right, flat chroma tints. */
export function patternI420(width: number, height: number, index: number): Uint8Array {
  const cw = Math.ceil(width / 2)
  const ch = Math.ceil(height / 2)
  const data = new Uint8Array(width * height + 2 * cw * ch)
  const box = Math.floor(Math.min(width, height) / 4)
  const bx = (index * 4) % Math.max(1, width - box)
  const by = Math.floor(height / 3)
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const inBox = x >= bx && x < bx + box && y >= by && y < by + box
      data[y * width + x] = inBox ? 220 : 32 + Math.floor(((x + y) * 160) / (width + height))
    }
  }
  data.fill(100, width * height, width * height + cw * ch)
  data.fill(150, width * height + cw * ch)
  return data
}

export function frameAt(width: number, height: number, index: number, fps = 30): VideoFrame {
  return new VideoFrame(patternI420(width, height, index), {
    format: 'I420',
    codedWidth: width,
    codedHeight: height,
    timestamp: Math.round((index * 1e6) / fps),
    duration: Math.round(1e6 / fps),
  })
}

/** Luma PSNR in dB between two planes of the same size. */
export function psnr(a: Uint8Array, b: Uint8Array): number {
  let sum = 0
  for (let i = 0; i < a.length; i++) {
    const d = a[i] - b[i]
    sum += d * d
  }
  const mse = sum / a.length
  return mse === 0 ? Infinity : 10 * Math.log10((255 * 255) / mse)
}

export interface Encoded {
  chunks: EncodedVideoChunk[]
  metadata: (EncodedVideoChunkMetadata | undefined)[]
}

export async function encodeClip(config: VideoEncoderConfig, count: number, keyEvery = 0): Promise<Encoded> {
  return encodeFrames(config, count, (i) => frameAt(config.width, config.height, i), (i) => ({ keyFrame: i === 0 || (keyEvery > 0 && i % keyEvery === 0) }))
}

/** Encodes `count` frames made by `frame(i)`, each with `options(i)`, and collects every output. */
export async function encodeFrames(config: VideoEncoderConfig, count: number, frame: (i: number) => VideoFrame, options: (i: number) => VideoEncoderEncodeOptions = () => ({})): Promise<Encoded> {
  const out: Encoded = { chunks: [], metadata: [] }
  let failure: unknown
  const encoder = new VideoEncoder({
    output: (chunk, metadata) => {
      out.chunks.push(chunk)
      out.metadata.push(metadata)
    },
    error: (e) => (failure = e),
  })
  encoder.configure(config)
  for (let i = 0; i < count; i++) {
    const input = frame(i)
    encoder.encode(input, options(i))
    input.close()
  }
  await encoder.flush()
  encoder.close()
  if (failure) throw failure
  return out
}

export interface Decoded {
  timestamps: number[]
  luma: Uint8Array[]
  formats: string[]
  sizes: [number, number][]
}

/** Decodes `chunks`, reading each frame's visible luma (as I420/first plane) and closing it. */
export async function decodeClip(config: VideoDecoderConfig, chunks: EncodedVideoChunk[]): Promise<Decoded> {
  const out: Decoded = { timestamps: [], luma: [], formats: [], sizes: [] }
  const pending: Promise<void>[] = []
  let failure: unknown
  const decoder = new VideoDecoder({
    output: (frame) => {
      out.timestamps.push(frame.timestamp)
      out.formats.push(frame.format ?? 'closed')
      out.sizes.push([frame.displayWidth, frame.displayHeight])
      const size = frame.allocationSize()
      const copy = new Uint8Array(size)
      const lumaBytes = frame.visibleRect!.width * frame.visibleRect!.height
      pending.push(
        frame.copyTo(copy).then(() => {
          out.luma.push(copy.subarray(0, lumaBytes))
          frame.close()
        }),
      )
    },
    error: (e) => (failure = e),
  })
  decoder.configure(config)
  for (const chunk of chunks) decoder.decode(chunk)
  await decoder.flush()
  decoder.close()
  await Promise.all(pending)
  if (failure) throw failure
  return out
}

export function lumaOf(width: number, height: number, index: number): Uint8Array {
  return patternI420(width, height, index).subarray(0, width * height)
}

export function hasTool(name: string): boolean {
  try {
    execFileSync(name, ['-version'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

/** Concatenates chunk bytes (an Annex B elementary stream when the chunks are Annex B). */
export function concatChunks(chunks: EncodedVideoChunk[]): Uint8Array {
  const total = chunks.reduce((n, c) => n + c.byteLength, 0)
  const out = new Uint8Array(total)
  let offset = 0
  for (const chunk of chunks) {
    chunk.copyTo(out.subarray(offset))
    offset += chunk.byteLength
  }
  return out
}

/** An IVF file (VP8/VP9/AV1) from chunks, at their timestamps. */
export function ivf(fourcc: string, width: number, height: number, chunks: EncodedVideoChunk[]): Uint8Array {
  const frames = chunks.map((chunk): [number, Uint8Array] => {
    const data = new Uint8Array(chunk.byteLength)
    chunk.copyTo(data)
    return [chunk.timestamp, data]
  })
  return ivfFile(fourcc, width, height, frames, 1_000_000)
}
