// VideoFrame orientation (https://w3c.github.io/webcodecs/#dom-videoframe-rotation),
// through the constructors, clone, and a codec round trip. Metadata has its own spec,
// video-frame-metadata.spec.ts.
import { afterAll, describe, expect, it } from 'vitest'

import {
  EncodedVideoChunk,
  VideoDecoder,
  VideoEncoder,
  VideoFrame,
  type EncodedVideoChunkMetadata,
  type VideoDecoderConfig,
  type VideoFrameBufferInit,
} from '../index.js'
import { expectThrowsNamed } from './helpers/errors.js'
import { assertNoLeaks } from './helpers/leak-check.js'
import { decodeClip, lumaOf, patternI420, psnr } from './helpers/video.js'

afterAll(() => assertNoLeaks())

/** A 4x2 RGBA frame whose bytes are their own index. */
function rgba4x2(extra: Partial<VideoFrameBufferInit> = {}): VideoFrame {
  const data = Uint8Array.from({ length: 32 }, (_, i) => i)
  return new VideoFrame(data, { format: 'RGBA', codedWidth: 4, codedHeight: 2, timestamp: 1234, ...extra })
}

function orientation(frame: VideoFrame) {
  return { rotation: frame.rotation, flip: frame.flip, display: [frame.displayWidth, frame.displayHeight] }
}

describe('VideoFrame rotation', () => {
  it('is 0 and unflipped by default', () => {
    const frame = rgba4x2()
    expect(orientation(frame)).toEqual({ rotation: 0, flip: false, display: [4, 2] })
    frame.close()
  })

  it('Parse Rotation: the nearest multiple of 90, ties towards positive infinity, less full turns', () => {
    const cases: [number, number][] = [
      [0, 0], [90, 90], [180, 180], [270, 270], [360, 0], [45, 90], [44.9, 0], [-45, 0], [-45.1, 270],
      [135, 180], [-90, 270], [450, 90], [-810, 270], [1e300, 0],
    ]
    const got = cases.map(([given]) => {
      const frame = rgba4x2({ rotation: given })
      const rotation = frame.rotation
      frame.close()
      return [given, rotation]
    })
    expect(got).toEqual(cases)
  })

  it('throws TypeError for a rotation that is not a finite number', () => {
    for (const rotation of [NaN, Infinity, -Infinity]) {
      expectThrowsNamed(() => rgba4x2({ rotation }), 'TypeError')
    }
  })

  it('swaps the default display size for 90 and 270, not the visible rect', () => {
    const sizes = [0, 90, 180, 270].map((rotation) => {
      const frame = rgba4x2({ rotation })
      const size = [frame.displayWidth, frame.displayHeight, frame.visibleRect!.width, frame.visibleRect!.height]
      frame.close()
      return size
    })
    expect(sizes).toEqual([[4, 2, 4, 2], [2, 4, 4, 2], [4, 2, 4, 2], [2, 4, 4, 2]])
  })

  it('keeps an explicit displayWidth and displayHeight as given', () => {
    const frame = rgba4x2({ rotation: 90, displayWidth: 8, displayHeight: 2 })
    expect(orientation(frame)).toEqual({ rotation: 90, flip: false, display: [8, 2] })
    frame.close()
  })

  it('takes flip from the buffer init', () => {
    const frame = rgba4x2({ rotation: 270, flip: true })
    expect(orientation(frame)).toEqual({ rotation: 270, flip: true, display: [2, 4] })
    frame.close()
  })

  it('Add Rotations: a frame from a frame adds the init rotation to the base rotation', () => {
    const got: number[][] = []
    for (const base of [0, 90, 180, 270]) {
      for (const added of [0, 90, 180, 270]) {
        const source = rgba4x2({ rotation: base })
        const frame = new VideoFrame(source, { rotation: added })
        got.push([base, added, frame.rotation, frame.displayWidth, frame.displayHeight])
        frame.close()
        source.close()
      }
    }
    const expected = got.map(([base, added]) => {
      const rotation = (base + added) % 360
      return [base, added, rotation, ...(rotation % 180 ? [2, 4] : [4, 2])]
    })
    expect(got).toEqual(expected)
  })

  it('Add Rotations: against a flipped base, the init rotation turns the other way', () => {
    const source = rgba4x2({ rotation: 90, flip: true })
    const frame = new VideoFrame(source, { rotation: 180 })
    expect(orientation(frame)).toEqual({ rotation: 270, flip: true, display: [2, 4] })
    frame.close()
    source.close()
  })

  it('rounds an init rotation that is no multiple of 90 before adding it', () => {
    const source = rgba4x2({ rotation: 90 })
    const frame = new VideoFrame(source, { rotation: 134 })
    expect(frame.rotation).toBe(180)
    frame.close()
    source.close()
  })

  it('combines flips: the same flip as the base cancels it', () => {
    const flipped = rgba4x2({ flip: true })
    const a = new VideoFrame(flipped, { flip: true })
    const b = new VideoFrame(flipped, { flip: false })
    const upright = rgba4x2()
    const c = new VideoFrame(upright, { flip: true })
    expect([a.flip, b.flip, c.flip]).toEqual([false, true, true])
    for (const f of [a, b, c, flipped, upright]) f.close()
  })

  it('derives the display size from the base frame scale along its visible axes', () => {
    // 4x2 coded, shown 8x2 (wide pixels), rotated: 2x8.
    const source = rgba4x2({ rotation: 90, displayWidth: 2, displayHeight: 8 })
    const cropped = new VideoFrame(source, { visibleRect: { x: 0, y: 0, width: 2, height: 2 } })
    expect(orientation(cropped)).toEqual({ rotation: 90, flip: false, display: [2, 4] })
    const turned = new VideoFrame(source, { rotation: 90, visibleRect: { x: 0, y: 0, width: 2, height: 2 } })
    expect(orientation(turned)).toEqual({ rotation: 180, flip: false, display: [4, 2] })
    for (const f of [cropped, turned, source]) f.close()
  })

  it('clone() keeps rotation and flip', () => {
    const frame = rgba4x2({ rotation: 180, flip: true })
    const clone = frame.clone()
    expect(orientation(clone)).toEqual({ rotation: 180, flip: true, display: [4, 2] })
    frame.close()
    clone.close()
  })

  it('close() resets rotation to 0 and flip to false', () => {
    const frame = rgba4x2({ rotation: 90, flip: true })
    frame.close()
    expect(orientation(frame)).toEqual({ rotation: 0, flip: false, display: [0, 0] })
  })

  it('is metadata: copyTo gives the unrotated pixels', async () => {
    const frame = rgba4x2({ rotation: 90, flip: true })
    const out = new Uint8Array(frame.allocationSize())
    const layout = await frame.copyTo(out)
    expect(layout).toEqual([{ offset: 0, stride: 16 }])
    expect(Array.from(out)).toEqual(Array.from({ length: 32 }, (_, i) => i))
    frame.close()
  })
})

function i420(width: number, height: number, index: number, extra: Partial<VideoFrameBufferInit> = {}): VideoFrame {
  return new VideoFrame(patternI420(width, height, index), {
    format: 'I420',
    codedWidth: width,
    codedHeight: height,
    timestamp: index * 33_333,
    ...extra,
  })
}

async function encodeOriented(rotation: number, flip: boolean) {
  const chunks: EncodedVideoChunk[] = []
  const metadata: (EncodedVideoChunkMetadata | undefined)[] = []
  const encoder = new VideoEncoder({ output: (c, m) => (chunks.push(c), metadata.push(m)), error: (e) => { throw e } })
  encoder.configure({ codec: 'vp8', width: 64, height: 48 })
  for (let i = 0; i < 3; i++) {
    const frame = i420(64, 48, i, { rotation, flip })
    encoder.encode(frame, { keyFrame: i === 0 })
    frame.close()
  }
  await encoder.flush()
  encoder.close()
  return { chunks, config: metadata[0]!.decoderConfig! }
}

async function decodeOrientations(config: VideoDecoderConfig, chunks: EncodedVideoChunk[]) {
  const seen: { rotation: number; flip: boolean; display: number[]; visible: number[] }[] = []
  const decoder = new VideoDecoder({
    output: (frame) => {
      seen.push({ ...orientation(frame), visible: [frame.visibleRect!.width, frame.visibleRect!.height] })
      frame.close()
    },
    error: (e) => { throw e },
  })
  decoder.configure(config)
  for (const chunk of chunks) decoder.decode(chunk)
  await decoder.flush()
  decoder.close()
  return seen
}

describe('VideoDecoderConfig rotation and flip', () => {
  it('are given to every output frame, its display size turned', async () => {
    const { chunks, config } = await encodeOriented(0, false)
    const seen = await decodeOrientations({ ...config, rotation: 270, flip: true }, chunks)
    expect(seen).toEqual(Array(3).fill({ rotation: 270, flip: true, display: [48, 64], visible: [64, 48] }))
  })

  it('come back from isConfigSupported as given', async () => {
    const support = await VideoDecoder.isConfigSupported({ codec: 'vp8', rotation: 180, flip: true })
    expect([support.supported, support.config.rotation, support.config.flip]).toEqual([true, 180, true])
  })

  it('throw TypeError from configure when rotation is not finite', () => {
    const decoder = new VideoDecoder({ output: () => {}, error: () => {} })
    expectThrowsNamed(() => decoder.configure({ codec: 'vp8', rotation: NaN }), 'TypeError')
    decoder.close()
  })

  it('are parsed like a frame init (rounded to a quarter turn)', async () => {
    const { chunks, config } = await encodeOriented(0, false)
    const seen = await decodeOrientations({ ...config, rotation: -100 }, chunks)
    expect(seen.map((s) => s.rotation)).toEqual([270, 270, 270])
  })
})

describe('VideoEncoder [[active orientation]]', () => {
  it('puts the first frame orientation into decoderConfig.rotation and flip', async () => {
    const { chunks, config } = await encodeOriented(90, true)
    expect([config.rotation, config.flip]).toEqual([90, true])
    const seen = await decodeOrientations(config, chunks)
    expect(seen).toEqual(Array(3).fill({ rotation: 90, flip: true, display: [48, 64], visible: [64, 48] }))
  })

  it('leaves the pixels unturned: the decoded pictures match the upright input', async () => {
    const { chunks, config } = await encodeOriented(270, true)
    const decoded = await decodeClip(config, chunks)
    expect(decoded.sizes).toEqual([[48, 64], [48, 64], [48, 64]])
    const quality = decoded.luma.map((luma, i) => psnr(luma, lumaOf(64, 48, i)))
    for (const db of quality) expect(db).toBeGreaterThan(30)
  })

  it('reports rotation 0 and no flip for upright frames', async () => {
    const { config } = await encodeOriented(0, false)
    expect([config.rotation, config.flip]).toEqual([0, false])
  })

  it('throws DataError for a frame oriented otherwise, and configure() resets it', async () => {
    const configs: VideoDecoderConfig[] = []
    const encoder = new VideoEncoder({ output: (_, m) => m?.decoderConfig && configs.push(m.decoderConfig), error: (e) => { throw e } })
    encoder.configure({ codec: 'vp8', width: 64, height: 48 })
    const upright = i420(64, 48, 0)
    const turned = i420(64, 48, 1, { rotation: 90 })
    const flipped = i420(64, 48, 2, { flip: true })
    encoder.encode(upright)
    expectThrowsNamed(() => encoder.encode(turned), 'DataError')
    expectThrowsNamed(() => encoder.encode(flipped), 'DataError')
    expect(encoder.state).toBe('configured')
    await encoder.flush()
    encoder.configure({ codec: 'vp8', width: 64, height: 48 })
    encoder.encode(turned, { keyFrame: true })
    await encoder.flush()
    encoder.close()
    for (const f of [upright, turned, flipped]) f.close()
    expect(configs.map((c) => [c.rotation, c.flip])).toEqual([[0, false], [90, false]])
  })
})
