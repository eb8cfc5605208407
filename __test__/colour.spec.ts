// Colour truth both ways: decoded frames follow "output VideoFrames"
// (https://w3c.github.io/webcodecs/#output-videoframes), and encoders describe in the
// bitstream and in decoderConfig.colorSpace the colour their input frames declare.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { afterAll, describe, expect, it } from 'vitest'

import {
  EncodedVideoChunk,
  VideoDecoder,
  VideoEncoder,
  VideoFrame,
  type VideoColorSpaceInit,
  type VideoDecoderConfig,
  type VideoEncoderConfig,
} from '../index.js'
import { assertNoLeaks } from './helpers/leak-check.js'
import { concatChunks, ivf, parseIvf } from './helpers/video.js'

const work = mkdtempSync(join(tmpdir(), 'colour-'))
afterAll(async () => {
  rmSync(work, { recursive: true, force: true })
  await assertNoLeaks()
})

interface Seen {
  colorSpace: VideoColorSpaceInit
  display: number[]
  format: string | null
  planes: Uint8Array
}

/** Decodes `chunks` and reads each frame's colour space, display size and pixels. */
async function decodeAll(config: VideoDecoderConfig, chunks: EncodedVideoChunk[]): Promise<Seen[]> {
  const seen: Promise<Seen>[] = []
  let failure: unknown
  const decoder = new VideoDecoder({
    output: (frame) => {
      const planes = new Uint8Array(frame.allocationSize())
      const entry = { colorSpace: frame.colorSpace.toJSON(), display: [frame.displayWidth, frame.displayHeight], format: frame.format, planes }
      seen.push(frame.copyTo(planes).then(() => (frame.close(), entry)))
    },
    error: (e) => (failure = e),
  })
  decoder.configure(config)
  for (const chunk of chunks) decoder.decode(chunk)
  await decoder.flush()
  decoder.close()
  if (failure) throw failure
  return Promise.all(seen)
}

/**
 * One frame the ffmpeg CLI encodes from testsrc2 with the given colour tags, as the
 * encoder's options and on the frames themselves (setparams): FFmpeg 7.1's CLI gives an
 * encoder the primaries and transfer of the frames it is fed over what the options say,
 * and 5.1 lets the options win over the frames (whose range its scaler resets when it
 * makes 10-bit YUV).
 */
function theirs(encoder: string, pixFmt: string, tags: string[], ext: string): EncodedVideoChunk {
  const file = join(work, `theirs-${encoder}-${pixFmt}-${tags.join('-')}.${ext}`)
  const speed = encoder === 'libaom-av1' ? ['-cpu-used', '8', '-usage', 'realtime'] : encoder === 'libx265' ? ['-x265-params', 'log-level=error'] : []
  const [primaries, trc, matrix, range] = tags
  const tagged = `setparams=color_primaries=${primaries}:color_trc=${trc}:colorspace=${matrix}:range=${range}`
  execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=64x48:rate=30', '-frames:v', '1', '-vf', tagged, '-pix_fmt', pixFmt, '-c:v', encoder, ...speed,
    '-color_primaries', primaries, '-color_trc', trc, '-colorspace', matrix, '-color_range', range, '-y', file])
  const bytes = new Uint8Array(readFileSync(file))
  const data = ext === 'ivf' ? parseIvf(bytes)[0][1] : bytes
  return new EncodedVideoChunk({ type: 'key', timestamp: 0, data })
}

const bt709: VideoColorSpaceInit = { primaries: 'bt709', transfer: 'bt709', matrix: 'bt709', fullRange: false }
const hdr10: VideoColorSpaceInit = { primaries: 'bt2020', transfer: 'pq', matrix: 'bt2020-ncl', fullRange: false }

describe('VideoDecoder output VideoFrames: colour space and display size', () => {
  const cases: [string, string, string, string[], string, string, VideoColorSpaceInit][] = [
    ['H.264 8-bit BT.709', 'libx264', 'yuv420p', ['bt709', 'bt709', 'bt709', 'tv'], 'h264', 'avc1.64000d', bt709],
    ['H.264 8-bit BT.601 full range', 'libx264', 'yuv420p', ['smpte170m', 'smpte170m', 'smpte170m', 'pc'], 'h264', 'avc1.64000d',
      { primaries: 'smpte170m', transfer: 'smpte170m', matrix: 'smpte170m', fullRange: true }],
    ['H.264 10-bit BT.2020 PQ', 'libx264', 'yuv420p10le', ['bt2020', 'smpte2084', 'bt2020nc', 'tv'], 'h264', 'avc1.6e000d', hdr10],
    ['HEVC 10-bit BT.2020 HLG', 'libx265', 'yuv420p10le', ['bt2020', 'arib-std-b67', 'bt2020nc', 'tv'], 'hevc', 'hev1.2.4.L93.B0',
      { primaries: 'bt2020', transfer: 'hlg', matrix: 'bt2020-ncl', fullRange: false }],
    ['HEVC 8-bit BT.709 full range', 'libx265', 'yuv420p', ['bt709', 'bt709', 'bt709', 'pc'], 'hevc', 'hev1.1.6.L93.B0',
      { ...bt709, fullRange: true }],
    ['AV1 8-bit BT.709', 'libaom-av1', 'yuv420p', ['bt709', 'bt709', 'bt709', 'tv'], 'ivf', 'av01.0.04M.08', bt709],
    // VP9 frames carry only their matrix and range; primaries and transfer live in containers.
    ['VP9 8-bit BT.601 full range', 'libvpx-vp9', 'yuv420p', ['smpte170m', 'smpte170m', 'smpte170m', 'pc'], 'ivf', 'vp09.00.10.08',
      { primaries: null, transfer: null, matrix: 'smpte170m', fullRange: true }],
    ['VP9 10-bit BT.2020', 'libvpx-vp9', 'yuv420p10le', ['bt2020', 'smpte2084', 'bt2020nc', 'tv'], 'ivf', 'vp09.02.10.10',
      { primaries: null, transfer: null, matrix: 'bt2020-ncl', fullRange: false }],
    ['AV1 10-bit BT.2020 HLG full range', 'libaom-av1', 'yuv420p10le', ['bt2020', 'arib-std-b67', 'bt2020nc', 'pc'], 'ivf', 'av01.0.04M.10',
      { primaries: 'bt2020', transfer: 'hlg', matrix: 'bt2020-ncl', fullRange: true }],
    // VP8 is BT.601 by definition, which FFmpeg reports as its matrix alone.
    ['VP8', 'libvpx', 'yuv420p', ['bt709', 'bt709', 'bt709', 'tv'], 'ivf', 'vp8', { primaries: null, transfer: null, matrix: 'bt470bg', fullRange: false }],
  ]
  for (const [name, encoder, pixFmt, tags, ext, codec, expected] of cases) {
    it(`step 4: reports the colour the bitstream describes (${name})`, async () => {
      const [frame] = await decodeAll({ codec }, [theirs(encoder, pixFmt, tags, ext)])
      expect(frame.colorSpace).toEqual(expected)
      expect(frame.format).toBe(pixFmt === 'yuv420p' ? 'I420' : 'I420P10')
    })
  }

  it('step 4: a vp09 codec string completes what VP9 frames leave unknown', async () => {
    const chunk = theirs('libvpx-vp9', 'yuv420p10le', ['bt2020', 'smpte2084', 'bt2020nc', 'tv'], 'ivf')
    const [frame] = await decodeAll({ codec: 'vp09.02.10.10.01.09.16.09.00' }, [chunk])
    expect(frame.colorSpace).toEqual(hdr10)
  })

  it('step 5: a config colorSpace replaces what the bitstream says', async () => {
    const override: VideoColorSpaceInit = { primaries: 'bt470bg', transfer: 'iec61966-2-1', matrix: 'bt470bg', fullRange: true }
    const [frame] = await decodeAll({ codec: 'avc1.64000d', colorSpace: override }, [theirs('libx264', 'yuv420p', ['bt709', 'bt709', 'bt709', 'tv'], 'h264')])
    expect(frame.colorSpace).toEqual(override)
  })

  it('step 5: a config colorSpace with null members keeps them null', async () => {
    const [frame] = await decodeAll({ codec: 'avc1.64000d', colorSpace: { matrix: 'smpte170m' } }, [theirs('libx264', 'yuv420p', ['bt709', 'bt709', 'bt709', 'tv'], 'h264')])
    expect(frame.colorSpace).toEqual({ primaries: null, transfer: null, matrix: 'smpte170m', fullRange: null })
  })

  it('Create a VideoFrame step 8: displayAspectWidth/Height grow one dimension to their ratio', async () => {
    const chunk = theirs('libx264', 'yuv420p', ['bt709', 'bt709', 'bt709', 'tv'], 'h264')
    const wide = await decodeAll({ codec: 'avc1.64000d', displayAspectWidth: 2, displayAspectHeight: 1 }, [chunk])
    const square = await decodeAll({ codec: 'avc1.64000d', displayAspectWidth: 1, displayAspectHeight: 1 }, [chunk])
    const sixteenNine = await decodeAll({ codec: 'avc1.64000d', displayAspectWidth: 16, displayAspectHeight: 9 }, [chunk])
    expect([wide[0].display, square[0].display, sixteenNine[0].display]).toEqual([[96, 48], [64, 64], [86, 48]])
  })
})

const W = 128
const H = 96

/** A 10-bit I420 frame: a luma ramp and flat chroma, as 16-bit little-endian samples. */
function i420p10(index: number, colorSpace: VideoColorSpaceInit): { frame: VideoFrame; luma: Uint16Array } {
  const samples = new Uint16Array(W * H + 2 * (W / 2) * (H / 2))
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) samples[y * W + x] = 64 + Math.floor(((x + y + index) * 860) / (W + H + 4))
  samples.fill(400, W * H, W * H + (W / 2) * (H / 2))
  samples.fill(600, W * H + (W / 2) * (H / 2))
  const frame = new VideoFrame(new Uint8Array(samples.buffer), { format: 'I420P10', codedWidth: W, codedHeight: H, timestamp: index * 33_333, colorSpace })
  return { frame, luma: samples.subarray(0, W * H) }
}

function psnr10(a: Uint16Array, b: Uint16Array): number {
  let sum = 0
  for (let i = 0; i < a.length; i++) sum += (a[i] - b[i]) ** 2
  return 10 * Math.log10((1023 * 1023) / (sum / a.length))
}

async function encodeFrames(config: VideoEncoderConfig, frames: VideoFrame[]) {
  const chunks: EncodedVideoChunk[] = []
  let decoderConfig: VideoDecoderConfig | undefined
  let failure: unknown
  const encoder = new VideoEncoder({ output: (c, m) => (chunks.push(c), m?.decoderConfig && (decoderConfig = m.decoderConfig)), error: (e) => (failure = e) })
  encoder.configure(config)
  frames.forEach((f, i) => encoder.encode(f, { keyFrame: i === 0 }))
  await encoder.flush()
  encoder.close()
  if (failure) throw failure
  return { chunks, decoderConfig: decoderConfig! }
}

function ffprobeColour(file: string) {
  const out = execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=pix_fmt,color_range,color_space,color_transfer,color_primaries', '-of', 'json', file])
  return JSON.parse(out.toString()).streams[0]
}

describe('VideoEncoder: the bitstream and decoderConfig describe the frames colour', () => {
  const hdrCases: [string, Partial<VideoEncoderConfig>, string, Record<string, string>][] = [
    ['vp09.02.10.10', {}, 'ivf', { pix_fmt: 'yuv420p10le', color_range: 'tv', color_space: 'bt2020nc' }],
    ['av01.0.04M.10', {}, 'ivf', { pix_fmt: 'yuv420p10le', color_range: 'tv', color_space: 'bt2020nc', color_transfer: 'smpte2084', color_primaries: 'bt2020' }],
    ['hvc1.2.4.L93.B0', { hevc: { format: 'annexb' } }, 'hevc', { pix_fmt: 'yuv420p10le', color_range: 'tv', color_space: 'bt2020nc', color_transfer: 'smpte2084', color_primaries: 'bt2020' }],
  ]
  for (const [codec, extra, ext, probed] of hdrCases) {
    it(`keeps HDR10 (BT.2020, PQ) end to end: ${codec}`, async () => {
      const inputs = [0, 1, 2].map((i) => i420p10(i, hdr10))
      const { chunks, decoderConfig } = await encodeFrames({ codec, width: W, height: H, bitrate: 2_000_000, ...extra }, inputs.map((i) => i.frame))
      for (const { frame } of inputs) frame.close()
      expect(decoderConfig.colorSpace).toEqual(hdr10)

      const file = join(work, `ours-${codec}.${ext}`)
      writeFileSync(file, ext === 'ivf' ? ivf(codec.startsWith('vp09') ? 'VP90' : 'AV01', W, H, chunks) : concatChunks(chunks))
      expect(ffprobeColour(file)).toMatchObject(probed)

      const decoded = await decodeAll(decoderConfig, chunks)
      expect(decoded.map((d) => d.colorSpace)).toEqual([hdr10, hdr10, hdr10])
      const luma = new Uint16Array(decoded[0].planes.buffer, 0, W * H)
      expect(psnr10(luma, inputs[0].luma)).toBeGreaterThan(40)
    })
  }

  it('writes BT.601 full range when the frames say so (H.264)', async () => {
    const bt601: VideoColorSpaceInit = { primaries: 'smpte170m', transfer: 'smpte170m', matrix: 'smpte170m', fullRange: true }
    const data = new Uint8Array(W * H * 1.5).fill(128)
    const frame = new VideoFrame(data, { format: 'I420', codedWidth: W, codedHeight: H, timestamp: 0, colorSpace: bt601 })
    const { chunks, decoderConfig } = await encodeFrames({ codec: 'avc1.42001f', width: W, height: H, avc: { format: 'annexb' } }, [frame])
    frame.close()
    expect(decoderConfig.colorSpace).toEqual(bt601)
    const file = join(work, 'ours-bt601.h264')
    writeFileSync(file, concatChunks(chunks))
    expect(ffprobeColour(file)).toMatchObject({ color_range: 'pc', color_space: 'smpte170m', color_transfer: 'smpte170m', color_primaries: 'smpte170m' })
  })

  it('turns RGB frames into BT.709 limited-range YUV and says so', async () => {
    // Pure red; BT.709 limited range makes it Y 63, Cb 102, Cr 240 (BT.601 would give Y 81).
    const rgba = new Uint8Array(W * H * 4)
    for (let i = 0; i < W * H; i++) rgba.set([255, 0, 0, 255], i * 4)
    const frame = new VideoFrame(rgba, { format: 'RGBA', codedWidth: W, codedHeight: H, timestamp: 0 })
    const { chunks, decoderConfig } = await encodeFrames({ codec: 'vp8', width: W, height: H, bitrate: 1_000_000 }, [frame])
    frame.close()
    expect(decoderConfig.colorSpace).toEqual({ primaries: 'bt709', transfer: 'iec61966-2-1', matrix: 'bt709', fullRange: false })
    const [decoded] = await decodeAll(decoderConfig, chunks)
    const centre = (plane: number, w: number, h: number) => decoded.planes[plane + (h / 2) * w + w / 2]
    const [y, u, v] = [centre(0, W, H), centre(W * H, W / 2, H / 2), centre(W * H * 1.25, W / 2, H / 2)]
    expect(Math.abs(y - 63)).toBeLessThanOrEqual(2)
    expect(Math.abs(u - 102)).toBeLessThanOrEqual(3)
    expect(Math.abs(v - 240)).toBeLessThanOrEqual(3)
  })

  it('turns BT.2020 RGB frames into YUV with the BT.2020 matrix (10-bit VP9)', async () => {
    // Pure red through BT.2020's matrix: Y 0.2627, Cr 0.5, in 10-bit limited range Y 294, Cr 960.
    const rgba = new Uint8Array(W * H * 4)
    for (let i = 0; i < W * H; i++) rgba.set([255, 0, 0, 255], i * 4)
    const colorSpace: VideoColorSpaceInit = { primaries: 'bt2020', transfer: 'pq', matrix: 'rgb', fullRange: true }
    const frame = new VideoFrame(rgba, { format: 'RGBA', codedWidth: W, codedHeight: H, timestamp: 0, colorSpace })
    const { chunks, decoderConfig } = await encodeFrames({ codec: 'vp09.02.10.10', width: W, height: H, bitrate: 2_000_000 }, [frame])
    frame.close()
    expect(decoderConfig.colorSpace).toEqual(hdr10)
    const [decoded] = await decodeAll(decoderConfig, chunks)
    const samples = new Uint16Array(decoded.planes.buffer)
    const centre = (plane: number, w: number, h: number) => samples[plane + (h / 2) * w + w / 2]
    expect(Math.abs(centre(0, W, H) - 294)).toBeLessThanOrEqual(4)
    expect(Math.abs(centre(W * H * 1.25, W / 2, H / 2) - 960)).toBeLessThanOrEqual(6)
  })

  it('a new colour after flush starts a stream that describes it', async () => {
    const configs: VideoDecoderConfig[] = []
    const encoder = new VideoEncoder({ output: (_, m) => m?.decoderConfig && configs.push(m.decoderConfig), error: (e) => { throw e } })
    encoder.configure({ codec: 'vp09.00.10.08', width: W, height: H })
    const data = new Uint8Array(W * H * 1.5).fill(100)
    const bt601: VideoColorSpaceInit = { primaries: 'bt470bg', transfer: 'smpte170m', matrix: 'bt470bg', fullRange: false }
    const a = new VideoFrame(data, { format: 'I420', codedWidth: W, codedHeight: H, timestamp: 0 })
    const b = new VideoFrame(data, { format: 'I420', codedWidth: W, codedHeight: H, timestamp: 1, colorSpace: bt601 })
    encoder.encode(a)
    await encoder.flush()
    encoder.encode(b)
    await encoder.flush()
    encoder.close()
    a.close()
    b.close()
    expect(configs.map((c) => c.colorSpace)).toEqual([bt709, bt601])
  })
})

/** A 2x2 10-bit I420 frame of one luma value and neutral chroma. */
function grey10(luma: number, colorSpace: VideoColorSpaceInit): VideoFrame {
  const samples = new Uint16Array(6).fill(512)
  samples.fill(luma, 0, 4)
  return new VideoFrame(new Uint8Array(samples.buffer), { format: 'I420P10', codedWidth: 2, codedHeight: 2, timestamp: 0, colorSpace })
}

async function rgbOf(frame: VideoFrame, format: 'RGBA' | 'BGRX', colorSpace?: 'srgb' | 'display-p3'): Promise<number[]> {
  const out = new Uint8Array(frame.allocationSize({ format }))
  await frame.copyTo(out, { format, colorSpace })
  frame.close()
  return Array.from(out)
}

function expectNear(actual: number[], expected: number[], tolerance: number) {
  expect(actual).toHaveLength(expected.length)
  actual.forEach((v, i) => expect(Math.abs(v - expected[i]), `byte ${i}: ${actual} vs ${expected}`).toBeLessThanOrEqual(tolerance))
}

describe('VideoFrame.copyTo colorSpace (Convert to RGB frame)', () => {
  const swatches = () => new VideoFrame(new Uint8Array([255, 0, 0, 255, 0, 255, 0, 128, 0, 0, 255, 255, 255, 255, 255, 255]), { format: 'RGBA', codedWidth: 2, codedHeight: 2, timestamp: 0 })

  it("'srgb' (and no colorSpace) leaves sRGB pixels exactly as they are", async () => {
    const expected = [255, 0, 0, 255, 0, 255, 0, 128, 0, 0, 255, 255, 255, 255, 255, 255]
    expect(await rgbOf(swatches(), 'RGBA')).toEqual(expected)
    expect(await rgbOf(swatches(), 'RGBA', 'srgb')).toEqual(expected)
  })

  it("'display-p3' converts primaries: sRGB red, green and blue as CSS Color 4 gives them in Display P3", async () => {
    // CSS Color 4: red (0.9175, 0.2003, 0.1386), green (0.4584, 0.9853, 0.2983), blue (0, 0, 0.9596).
    expectNear(await rgbOf(swatches(), 'RGBA', 'display-p3'), [234, 51, 35, 255, 117, 251, 76, 128, 0, 0, 245, 255, 255, 255, 255, 255], 1)
  })

  it("'srgb' maps BT.2020 PQ: 203 nits is white, 100 nits is sRGB 186", async () => {
    // PQ 0.5807 (203 nits) and 0.5081 (100 nits) as 10-bit limited-range luma.
    expectNear(await rgbOf(grey10(573, hdr10), 'BGRX'), Array(4).fill([255, 255, 255, 255]).flat(), 3)
    expectNear(await rgbOf(grey10(509, hdr10), 'BGRX'), Array(4).fill([186, 186, 186, 255]).flat(), 3)
  })

  it("'srgb' maps BT.2020 HLG: signal 0.75 is BT.2408 reference white", async () => {
    const hlg: VideoColorSpaceInit = { ...hdr10, transfer: 'hlg' }
    expectNear(await rgbOf(grey10(721, hlg), 'RGBA'), Array(4).fill([255, 255, 255, 255]).flat(), 3)
    // Half the HLG signal (0.375) is about 26 nits: sRGB 100.
    expectNear(await rgbOf(grey10(64 + Math.round(876 * 0.375), hlg), 'RGBA'), Array(4).fill([100, 100, 100, 255]).flat(), 4)
  })
})
