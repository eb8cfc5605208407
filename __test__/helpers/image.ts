// Image fixtures for the ImageDecoder specs: files the ffmpeg CLI makes in a temp dir,
// its own decode of them as the reference, and GIFs built byte by byte where the CLI
// cannot choose transparency, disposal or loop count.
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'

import type { VideoFrame } from '../../index.js'

/** Runs the ffmpeg CLI (quiet, overwriting); throws with its stderr on failure. */
export function ffmpeg(args: string[]): Buffer {
  const run = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args], { maxBuffer: 1 << 30 })
  if (run.status !== 0) throw new Error(`ffmpeg ${args.join(' ')}: ${run.stderr}`)
  return run.stdout
}

/** Makes `name` in `dir` from a lavfi source with the given output options; returns its bytes. */
export function makeImage(dir: string, name: string, source: string, output: string[]): Uint8Array {
  const path = join(dir, name)
  ffmpeg(['-f', 'lavfi', '-i', source, ...output, path])
  return new Uint8Array(readFileSync(path))
}

/** The CLI's own decode of `path`: every frame as raw `pixFmt`, concatenated. */
export function cliDecode(path: string, pixFmt = 'rgba', extra: string[] = []): Buffer {
  return ffmpeg(['-i', path, ...extra, '-fps_mode', 'passthrough', '-f', 'rawvideo', '-pix_fmt', pixFmt, '-'])
}

/** A frame's pixels as tightly packed RGBA. */
export async function rgbaOf(frame: VideoFrame): Promise<Uint8Array> {
  const out = new Uint8Array(frame.allocationSize({ format: 'RGBA' }))
  await frame.copyTo(out, { format: 'RGBA' })
  return out
}

/** A frame's planes as they are, tightly packed. */
export async function bytesOf(frame: VideoFrame): Promise<Uint8Array> {
  const out = new Uint8Array(frame.allocationSize())
  await frame.copyTo(out)
  return out
}

/** PSNR in dB of two byte arrays of equal length (Infinity when equal). */
export function psnrBytes(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) throw new Error(`sizes differ: ${a.length} vs ${b.length}`)
  let sum = 0
  for (let i = 0; i < a.length; i++) sum += (a[i] - b[i]) ** 2
  return sum === 0 ? Infinity : 10 * Math.log10((255 * 255) / (sum / a.length))
}

/** A stream that hands `bytes` out in `pieces` chunks, one per pull. */
export function streamOf(bytes: Uint8Array, pieces: number): ReadableStream<Uint8Array> {
  const size = Math.ceil(bytes.length / pieces)
  let at = 0
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.length) return controller.close()
      controller.enqueue(bytes.slice(at, at + size))
      at += size
    },
  })
}

export interface GifFrame {
  left: number
  top: number
  width: number
  height: number
  /** Palette indices, row by row. */
  indices: number[]
  /** Centiseconds. */
  delay: number
  /** 0-1 none, 2 background, 3 previous. */
  disposal: number
  transparent?: number
}

/**
 * A GIF89a with a 4-colour global palette (`palette`: 4 RGB triples), the frames given,
 * and a NETSCAPE2.0 loop count unless `loops` is undefined. Image data is LZW with a
 * clear code before every second pixel, so the code size stays 3 bits.
 */
export function buildGif(width: number, height: number, palette: number[], frames: GifFrame[], loops?: number): Uint8Array {
  const out: number[] = [...Buffer.from('GIF89a')]
  out.push(width & 255, width >> 8, height & 255, height >> 8, 0xf1, 0, 0, ...palette)
  if (loops !== undefined) out.push(0x21, 0xff, 11, ...Buffer.from('NETSCAPE2.0'), 3, 1, loops & 255, loops >> 8, 0)
  for (const f of frames) {
    const flags = (f.disposal << 2) | (f.transparent === undefined ? 0 : 1)
    out.push(0x21, 0xf9, 4, flags, f.delay & 255, f.delay >> 8, f.transparent ?? 0, 0)
    out.push(0x2c, f.left & 255, f.left >> 8, f.top & 255, f.top >> 8, f.width & 255, f.width >> 8)
    out.push(f.height & 255, f.height >> 8, 0)
    const data = lzw(f.indices)
    out.push(2)
    for (let i = 0; i < data.length; i += 255) {
      const block = data.slice(i, i + 255)
      out.push(block.length, ...block)
    }
    out.push(0)
  }
  out.push(0x3b)
  return new Uint8Array(out)
}

function lzw(indices: number[]): number[] {
  const codes: number[] = []
  indices.forEach((index, i) => {
    if (i % 2 === 0) codes.push(4)
    codes.push(index)
  })
  codes.push(5)
  const bytes: number[] = []
  let acc = 0
  let bits = 0
  for (const code of codes) {
    acc |= code << bits
    bits += 3
    while (bits >= 8) {
      bytes.push(acc & 255)
      acc >>= 8
      bits -= 8
    }
  }
  if (bits > 0) bytes.push(acc & 255)
  return bytes
}

/** `jpeg` with an EXIF APP1 segment saying `orientation` inserted after SOI. */
export function withExifOrientation(jpeg: Uint8Array, orientation: number): Uint8Array {
  // TIFF header (big-endian), one IFD entry: 0x0112 SHORT 1 = orientation.
  const tiff = [0x4d, 0x4d, 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, orientation, 0, 0, 0, 0, 0, 0]
  const payload = [...Buffer.from('Exif\0\0'), ...tiff]
  const length = payload.length + 2
  const app1 = [0xff, 0xe1, length >> 8, length & 255, ...payload]
  return new Uint8Array([...jpeg.subarray(0, 2), ...app1, ...jpeg.subarray(2)])
}
