// VideoEncoderConfig.alpha (https://w3c.github.io/webcodecs/#dom-videoencoderconfig-alpha)
// and EncodedVideoChunkMetadata.alphaSideData, checked by muxing our chunks into WebM with
// mediabunny and decoding the file with the ffmpeg CLI.
import '../../polyfill.js'

import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { EncodedPacket, EncodedVideoPacketSource, FilePathTarget, Output, WebMOutputFormat } from 'mediabunny'
import { afterAll, describe, expect, it } from 'vitest'

import {
  EncodedVideoChunk,
  VideoEncoder,
  VideoFrame,
  type EncodedVideoChunkMetadata,
  type VideoEncoderConfig,
} from '../../index.js'
import { assertNoLeaks } from '../helpers/leak-check.js'

const work = mkdtempSync(join(tmpdir(), 'alpha-'))
afterAll(async () => {
  rmSync(work, { recursive: true, force: true })
  await assertNoLeaks()
})

const W = 64
const H = 48
const FRAMES = 5

/** Whether a pixel is inside the transparent left half (the rest is opaque). */
const clear = (x: number) => x < W / 2

/** An RGBA or I420A frame: orange, its left half transparent. */
function translucent(format: 'RGBA' | 'I420A', index: number): VideoFrame {
  const timestamp = index * 40_000
  if (format === 'RGBA') {
    const data = new Uint8Array(W * H * 4)
    for (let i = 0; i < W * H; i++) data.set([230, 120, 20, clear(i % W) ? 0 : 255], i * 4)
    return new VideoFrame(data, { format, codedWidth: W, codedHeight: H, timestamp, duration: 40_000 })
  }
  const luma = W * H
  const chroma = (W / 2) * (H / 2)
  const data = new Uint8Array(luma * 2 + chroma * 2)
  data.fill(140, 0, luma)
  data.fill(60, luma, luma + chroma)
  data.fill(190, luma + chroma, luma + 2 * chroma)
  for (let i = 0; i < luma; i++) data[luma + 2 * chroma + i] = clear(i % W) ? 0 : 255
  return new VideoFrame(data, { format, codedWidth: W, codedHeight: H, timestamp, duration: 40_000 })
}

async function encode(config: VideoEncoderConfig, format: 'RGBA' | 'I420A' | 'I420') {
  const out: { chunk: EncodedVideoChunk; metadata?: EncodedVideoChunkMetadata }[] = []
  let failure: unknown
  const encoder = new VideoEncoder({ output: (chunk, metadata) => out.push({ chunk, metadata }), error: (e) => (failure = e) })
  encoder.configure(config)
  for (let i = 0; i < FRAMES; i++) {
    const frame = format === 'I420' ? opaqueI420(i) : translucent(format, i)
    encoder.encode(frame, { keyFrame: i === 0 })
    frame.close()
  }
  await encoder.flush()
  encoder.close()
  if (failure) throw failure
  return out
}

/** An I420 frame, which has no alpha plane. */
function opaqueI420(index: number): VideoFrame {
  const data = new Uint8Array(W * H * 1.5).fill(128)
  return new VideoFrame(data, { format: 'I420', codedWidth: W, codedHeight: H, timestamp: index * 40_000, duration: 40_000 })
}

/** Our chunks, with their alpha side data, in a WebM file written by mediabunny. */
async function webm(codec: 'vp8' | 'vp9', encoded: Awaited<ReturnType<typeof encode>>): Promise<string> {
  const path = join(work, `${codec}-${Math.random().toString(36).slice(2)}.webm`)
  const output = new Output({ format: new WebMOutputFormat(), target: new FilePathTarget(path) })
  const source = new EncodedVideoPacketSource(codec)
  output.addVideoTrack(source)
  await output.start()
  for (const { chunk, metadata } of encoded) {
    const alpha = metadata?.alphaSideData ? new Uint8Array(metadata.alphaSideData as ArrayBuffer) : undefined
    await source.add(EncodedPacket.fromEncodedChunk(chunk as never, alpha ? { alpha } : undefined), metadata as never)
  }
  await output.finalize()
  return path
}

/** The alpha plane of each frame as libvpx decodes the file (yuva420p: Y, U, V, then A). */
function decodedAlpha(path: string, decoder: string): Uint8Array[] {
  const raw = execFileSync('ffmpeg', ['-v', 'error', '-c:v', decoder, '-i', path, '-pix_fmt', 'yuva420p', '-f', 'rawvideo', '-'], { maxBuffer: 1 << 26 })
  const frameSize = W * H * 2 + (W / 2) * (H / 2) * 2
  const frames: Uint8Array[] = []
  for (let offset = 0; offset + frameSize <= raw.length; offset += frameSize) {
    frames.push(new Uint8Array(raw.subarray(offset + W * H + (W / 2) * (H / 2) * 2, offset + frameSize)))
  }
  return frames
}

/** Mean alpha over the transparent and the opaque halves. */
function halves(alpha: Uint8Array): [number, number] {
  let [clearSum, opaqueSum] = [0, 0]
  for (let i = 0; i < alpha.length; i++) clear(i % W) ? (clearSum += alpha[i]) : (opaqueSum += alpha[i])
  return [clearSum / (alpha.length / 2), opaqueSum / (alpha.length / 2)]
}

describe("VideoEncoderConfig.alpha: 'keep'", () => {
  const cases: ['vp8' | 'vp9', string, string, 'RGBA' | 'I420A'][] = [
    ['vp8', 'vp8', 'libvpx', 'I420A'],
    ['vp8', 'vp8', 'libvpx', 'RGBA'],
    ['vp9', 'vp09.00.10.08', 'libvpx-vp9', 'I420A'],
    ['vp9', 'vp09.00.10.08', 'libvpx-vp9', 'RGBA'],
  ]
  for (const [container, codec, decoder, format] of cases) {
    it(`puts each chunk's alpha in alphaSideData, which WebM keeps and libvpx decodes (${codec}, ${format})`, async () => {
      const encoded = await encode({ codec, width: W, height: H, alpha: 'keep', bitrate: 500_000 }, format)
      expect(encoded).toHaveLength(FRAMES)
      for (const { metadata } of encoded) {
        expect(metadata?.alphaSideData).toBeInstanceOf(ArrayBuffer)
        expect((metadata!.alphaSideData as ArrayBuffer).byteLength).toBeGreaterThan(0)
      }
      const path = await webm(container, encoded)
      const probed = JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'stream_tags=alpha_mode', '-of', 'json', path]).toString())
      expect(probed.streams[0].tags.alpha_mode).toBe('1')
      const alphas = decodedAlpha(path, decoder)
      expect(alphas).toHaveLength(FRAMES)
      for (const alpha of alphas) {
        const [transparent, opaque] = halves(alpha)
        expect(transparent).toBeLessThan(8)
        expect(opaque).toBeGreaterThan(247)
      }
    })
  }

  it("'discard' (the default) gives no alphaSideData and an opaque stream", async () => {
    const encoded = await encode({ codec: 'vp8', width: W, height: H, bitrate: 500_000 }, 'I420A')
    expect(encoded.map((e) => e.metadata?.alphaSideData)).toEqual(Array(FRAMES).fill(undefined))
    const path = await webm('vp8', encoded)
    for (const alpha of decodedAlpha(path, 'libvpx')) expect(halves(alpha)).toEqual([255, 255])
  })

  const unsupported: [string, Partial<VideoEncoderConfig>][] = [
    ['avc1.42001f', {}],
    ['hvc1.1.6.L93.B0', {}],
    ['av01.0.04M.08', {}],
    ['vp09.02.10.10', {}],
  ]
  for (const [codec, extra] of unsupported) {
    it(`isConfigSupported answers supported: false for ${codec}, and configure fails with NotSupportedError`, async () => {
      const config = { codec, width: W, height: H, alpha: 'keep' as const, ...extra }
      const support = await VideoEncoder.isConfigSupported(config)
      expect(support.supported).toBe(false)
      expect(support.config.alpha).toBe('keep')
      const error = await new Promise<DOMException>((resolve) => {
        const encoder = new VideoEncoder({ output: () => {}, error: (e) => resolve(e as DOMException) })
        encoder.configure(config)
      })
      expect(error.name).toBe('NotSupportedError')
    })
  }

  it('encodes frames without an alpha plane as opaque', async () => {
    const encoded = await encode({ codec: 'vp8', width: W, height: H, alpha: 'keep', bitrate: 500_000 }, 'I420')
    expect(encoded.every((e) => e.metadata?.alphaSideData instanceof ArrayBuffer)).toBe(true)
    const path = await webm('vp8', encoded)
    for (const alpha of decodedAlpha(path, 'libvpx')) expect(halves(alpha)).toEqual([255, 255])
  })
})
