import { afterAll, describe, expect, it } from 'vitest'

import { DOMRectReadOnly, VideoFrame, type VideoFrameBufferInit, type VideoPixelFormat } from '../index.js'
import { expectRejectsNamed, expectThrowsNamed } from './helpers/errors.js'
import { assertNoLeaks } from './helpers/leak-check.js'

afterAll(() => assertNoLeaks())

function init(format: VideoPixelFormat, codedWidth: number, codedHeight: number, extra: Partial<VideoFrameBufferInit> = {}): VideoFrameBufferInit {
  return { format, codedWidth, codedHeight, timestamp: 0, ...extra }
}

/** A solid I420 frame of one YUV colour. */
function solidI420(w: number, h: number, y: number, u: number, v: number, extra: Partial<VideoFrameBufferInit> = {}): VideoFrame {
  const luma = w * h
  const chroma = Math.ceil(w / 2) * Math.ceil(h / 2)
  const data = new Uint8Array(luma + 2 * chroma)
  data.fill(y, 0, luma)
  data.fill(u, luma, luma + chroma)
  data.fill(v, luma + chroma)
  return new VideoFrame(data, init('I420', w, h, extra))
}

async function copy(frame: VideoFrame, options?: Parameters<VideoFrame['copyTo']>[1]) {
  const out = new Uint8Array(frame.allocationSize(options))
  const layout = await frame.copyTo(out, options)
  return { out, layout }
}

describe('VideoFrame constructor from a buffer', () => {
  // Sizes for a 4x2 frame, per the spec's plane definitions.
  const sizes: [VideoPixelFormat, number, number[][]][] = [
    ['I420', 12, [[0, 4], [8, 2], [10, 2]]],
    ['I420P10', 24, [[0, 8], [16, 4], [20, 4]]],
    ['I420P12', 24, [[0, 8], [16, 4], [20, 4]]],
    ['I420A', 20, [[0, 4], [8, 2], [10, 2], [12, 4]]],
    ['I420AP10', 40, [[0, 8], [16, 4], [20, 4], [24, 8]]],
    ['I422', 16, [[0, 4], [8, 2], [12, 2]]],
    ['I422P10', 32, [[0, 8], [16, 4], [24, 4]]],
    ['I422A', 24, [[0, 4], [8, 2], [12, 2], [16, 4]]],
    ['I444', 24, [[0, 4], [8, 4], [16, 4]]],
    ['I444P12', 48, [[0, 8], [16, 8], [32, 8]]],
    ['I444A', 32, [[0, 4], [8, 4], [16, 4], [24, 4]]],
    ['NV12', 12, [[0, 4], [8, 4]]],
    ['RGBA', 32, [[0, 16]]],
    ['RGBX', 32, [[0, 16]]],
    ['BGRA', 32, [[0, 16]]],
    ['BGRX', 32, [[0, 16]]],
  ]

  for (const [format, size, layout] of sizes) {
    it(`lays out ${format} planes tightly and copies them back byte for byte`, async () => {
      const data = new Uint8Array(size).map((_, i) => (i * 7 + 3) & 0xff)
      const frame = new VideoFrame(data, init(format, 4, 2, { timestamp: 33 }))
      expect(frame.format).toBe(format)
      expect(frame.allocationSize()).toBe(size)
      const { out, layout: got } = await copy(frame)
      expect(got.map((p) => [p.offset, p.stride])).toEqual(layout)
      expect(Array.from(out)).toEqual(Array.from(data))
      frame.close()
    })
  }

  it('reports the attributes of the init', () => {
    const frame = new VideoFrame(new Uint8Array(64 * 48 * 4), {
      format: 'RGBA',
      codedWidth: 64,
      codedHeight: 48,
      timestamp: -1000,
      duration: 33_333,
      visibleRect: { x: 8, y: 4, width: 32, height: 24 },
      displayWidth: 64,
      displayHeight: 24,
    })
    expect(frame.codedWidth).toBe(64)
    expect(frame.codedHeight).toBe(48)
    expect(frame.codedRect).toMatchObject({ x: 0, y: 0, width: 64, height: 48 })
    expect(frame.visibleRect).toBeInstanceOf(DOMRectReadOnly)
    expect(frame.visibleRect!.toJSON()).toEqual({ x: 8, y: 4, width: 32, height: 24, top: 4, left: 8, right: 40, bottom: 28 })
    expect(frame.displayWidth).toBe(64)
    expect(frame.displayHeight).toBe(24)
    expect(frame.timestamp).toBe(-1000)
    expect(frame.duration).toBe(33_333)
    frame.close()
  })

  it('defaults display size to the visible rect and duration to null', () => {
    const frame = solidI420(8, 8, 16, 128, 128, { visibleRect: { x: 2, y: 2, width: 4, height: 6 } })
    expect(frame.displayWidth).toBe(4)
    expect(frame.displayHeight).toBe(6)
    expect(frame.duration).toBeNull()
    frame.close()
  })

  it('picks REC709 for YUV and sRGB for RGB when no colour space is given', () => {
    const yuv = solidI420(2, 2, 0, 0, 0)
    expect(yuv.colorSpace.toJSON()).toEqual({ primaries: 'bt709', transfer: 'bt709', matrix: 'bt709', fullRange: false })
    const rgb = new VideoFrame(new Uint8Array(16), init('RGBX', 2, 2))
    expect(rgb.colorSpace.toJSON()).toEqual({ primaries: 'bt709', transfer: 'iec61966-2-1', matrix: 'rgb', fullRange: true })
    const custom = solidI420(2, 2, 0, 0, 0, { colorSpace: { primaries: 'bt2020', matrix: 'bt2020-ncl', fullRange: true } })
    expect(custom.colorSpace.primaries).toBe('bt2020')
    expect(custom.colorSpace.transfer).toBeNull()
    expect(custom.colorSpace.matrix).toBe('bt2020-ncl')
    expect(custom.colorSpace.fullRange).toBe(true)
    for (const f of [yuv, rgb, custom]) f.close()
  })

  it('reads planes at the offsets and strides of init.layout', async () => {
    // 2x2 I420 with padded rows and planes stored V, U, Y.
    const data = new Uint8Array(40).fill(0xee)
    data.set([1, 2], 20)
    data.set([3, 4], 28) // Y rows at offset 20, stride 8
    data[10] = 5 // U at offset 10
    data[0] = 6 // V at offset 0
    const frame = new VideoFrame(
      data,
      init('I420', 2, 2, {
        layout: [
          { offset: 20, stride: 8 },
          { offset: 10, stride: 4 },
          { offset: 0, stride: 4 },
        ],
      }),
    )
    const { out } = await copy(frame)
    expect(Array.from(out)).toEqual([1, 2, 3, 4, 5, 6])
    frame.close()
  })

  it('accepts every kind of BufferSource', async () => {
    const bytes = [1, 2, 3, 4, 5, 6, 7, 8]
    const backing = new ArrayBuffer(12)
    new Uint8Array(backing).set(bytes, 4)
    const shared = new SharedArrayBuffer(8)
    new Uint8Array(shared).set(bytes)
    const sources = [new Uint8Array(bytes).buffer, new Uint8Array(backing, 4, 8), new DataView(backing, 4, 8), shared]
    for (const source of sources) {
      const frame = new VideoFrame(source, init('RGBA', 2, 1))
      expect(Array.from((await copy(frame)).out)).toEqual(bytes)
      frame.close()
    }
  })

  it('copies the data, so later writes to the buffer do not show', async () => {
    const data = new Uint8Array(4).fill(9)
    const frame = new VideoFrame(data, init('RGBA', 1, 1))
    data.fill(0)
    expect(Array.from((await copy(frame)).out)).toEqual([9, 9, 9, 9])
    frame.close()
  })

  it('takes a transferred buffer without a copy and detaches it', async () => {
    const buffer = new ArrayBuffer(16)
    new Uint8Array(buffer).set([1, 2, 3, 4], 4)
    const frame = new VideoFrame(new Uint8Array(buffer, 4, 4), { ...init('RGBA', 1, 1), transfer: [buffer] })
    expect(buffer.byteLength).toBe(0)
    expect(Array.from((await copy(frame)).out)).toEqual([1, 2, 3, 4])
    frame.close()
  })

  it('throws DataCloneError for a transfer list with duplicates or detached buffers', () => {
    const buffer = new ArrayBuffer(4)
    expectThrowsNamed(() => new VideoFrame(buffer, { ...init('RGBA', 1, 1), transfer: [buffer, buffer] }), 'DataCloneError')
    expect(buffer.byteLength).toBe(4)
    const detached = new ArrayBuffer(4)
    structuredClone(detached, { transfer: [detached] })
    expectThrowsNamed(() => new VideoFrame(buffer, { ...init('RGBA', 1, 1), transfer: [detached] }), 'DataCloneError')
  })

  describe('throws TypeError for an invalid init', () => {
    const data = new Uint8Array(1024)
    const cases: [string, unknown][] = [
      ['no init', undefined],
      ['no format', { codedWidth: 4, codedHeight: 4, timestamp: 0 }],
      ['an unknown format', init('YUY2' as VideoPixelFormat, 4, 4)],
      ['no codedWidth', { format: 'I420', codedHeight: 4, timestamp: 0 }],
      ['no timestamp', { format: 'I420', codedWidth: 4, codedHeight: 4 }],
      ['codedWidth 0', init('I420', 0, 4)],
      ['a negative codedHeight', init('I420', 4, -4)],
      ['a NaN codedWidth', init('I420', NaN, 4)],
      ['data too small', init('RGBA', 32, 32)],
      ['a visibleRect outside the frame', init('I420', 4, 4, { visibleRect: { x: 2, y: 0, width: 4, height: 4 } })],
      ['a zero-sized visibleRect', init('I420', 4, 4, { visibleRect: { x: 0, y: 0, width: 0, height: 4 } })],
      ['a visibleRect on an odd chroma sample', init('I420', 4, 4, { visibleRect: { x: 1, y: 0, width: 2, height: 2 } })],
      ['displayWidth without displayHeight', init('I420', 4, 4, { displayWidth: 4 })],
      ['displayHeight 0', init('I420', 4, 4, { displayWidth: 4, displayHeight: 0 })],
      ['a layout with the wrong plane count', init('I420', 4, 4, { layout: [{ offset: 0, stride: 4 }] })],
      ['a stride shorter than a row', init('RGBA', 4, 4, { layout: [{ offset: 0, stride: 15 }] })],
      [
        'overlapping planes',
        init('I420', 4, 4, {
          layout: [
            { offset: 0, stride: 4 },
            { offset: 8, stride: 2 },
            { offset: 20, stride: 2 },
          ],
        }),
      ],
      ['a layout that overruns the buffer', init('RGBA', 4, 4, { layout: [{ offset: 1000, stride: 16 }] })],
      ['an unknown colour matrix', init('I420', 4, 4, { colorSpace: { matrix: 'bt601' as 'bt709' } })],
    ]
    for (const [what, bad] of cases) {
      it(`for ${what}`, () => {
        expectThrowsNamed(() => new VideoFrame(data, bad as VideoFrameBufferInit), 'TypeError')
      })
    }

    it('for a source that is neither a frame nor a buffer', () => {
      expectThrowsNamed(() => new VideoFrame({} as ArrayBuffer, init('RGBA', 1, 1)), 'TypeError')
      expectThrowsNamed(() => new VideoFrame('pixels' as unknown as ArrayBuffer, init('RGBA', 1, 1)), 'TypeError')
    })
  })
})

describe('VideoFrame constructor from a VideoFrame', () => {
  it('shares the pixels and applies overrides', async () => {
    const source = new VideoFrame(new Uint8Array(64).map((_, i) => i), {
      ...init('RGBA', 4, 4, { timestamp: 10, duration: 20 }),
      displayWidth: 8,
      displayHeight: 4,
    })
    const same = new VideoFrame(source)
    expect([same.timestamp, same.duration, same.displayWidth, same.displayHeight]).toEqual([10, 20, 8, 4])
    const moved = new VideoFrame(source, { timestamp: 99, duration: 1, visibleRect: { x: 2, y: 2, width: 2, height: 2 } })
    expect(moved.timestamp).toBe(99)
    expect(moved.duration).toBe(1)
    expect(moved.visibleRect).toMatchObject({ x: 2, y: 2, width: 2, height: 2 })
    // The source's 2:1 pixel aspect ratio carries over to the new visible size.
    expect([moved.displayWidth, moved.displayHeight]).toEqual([4, 2])
    const { out } = await copy(moved)
    expect(Array.from(out.slice(0, 4))).toEqual([40, 41, 42, 43])
    source.close()
    // Still readable after the source is closed.
    expect((await copy(same)).out.length).toBe(64)
    same.close()
    moved.close()
  })

  it('drops the alpha plane with alpha: discard', () => {
    const source = new VideoFrame(new Uint8Array(20), init('I420A', 4, 2))
    const opaque = new VideoFrame(source, { alpha: 'discard' })
    expect(opaque.format).toBe('I420')
    expect(opaque.allocationSize()).toBe(12)
    source.close()
    opaque.close()
  })

  it('throws InvalidStateError for a closed source', () => {
    const source = solidI420(2, 2, 0, 0, 0)
    source.close()
    expectThrowsNamed(() => new VideoFrame(source), 'InvalidStateError')
  })
})

describe('VideoFrame.copyTo', () => {
  it('crops to options.rect in every plane', async () => {
    // 4x4 I420: Y counts 0..15, U 100..103, V 200..203.
    const data = new Uint8Array([...Array(16).keys(), 100, 101, 102, 103, 200, 201, 202, 203])
    const frame = new VideoFrame(data, init('I420', 4, 4))
    const rect = { x: 2, y: 2, width: 2, height: 2 }
    const { out, layout } = await copy(frame, { rect })
    expect(Array.from(out)).toEqual([10, 11, 14, 15, 103, 203])
    expect(layout).toEqual([
      { offset: 0, stride: 2 },
      { offset: 4, stride: 1 },
      { offset: 5, stride: 1 },
    ])
    frame.close()
  })

  it('copies the visible rect by default', async () => {
    const data = new Uint8Array(16).map((_, i) => i)
    const frame = new VideoFrame(data, init('RGBA', 2, 2, { visibleRect: { x: 1, y: 1, width: 1, height: 1 } }))
    expect(Array.from((await copy(frame)).out)).toEqual([12, 13, 14, 15])
    frame.close()
  })

  it('writes to the offsets and strides of options.layout', async () => {
    const frame = new VideoFrame(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]), init('RGBA', 1, 2))
    const options = { layout: [{ offset: 2, stride: 6 }] }
    expect(frame.allocationSize(options)).toBe(14)
    const out = new Uint8Array(14)
    const layout = await frame.copyTo(out, options)
    expect(layout).toEqual([{ offset: 2, stride: 6 }])
    expect(Array.from(out)).toEqual([0, 0, 1, 2, 3, 4, 0, 0, 5, 6, 7, 8, 0, 0])
    frame.close()
  })

  // Expected values from the BT.709 / BT.601 equations, not from our own output.
  const colours: [string, [number, number, number], 'bt709' | 'smpte170m', boolean, [number, number, number]][] = [
    ['BT.709 limited red', [63, 102, 240], 'bt709', false, [255, 0, 0]],
    ['BT.709 limited 75% green', [133, 63, 52], 'bt709', false, [0, 191, 0]],
    ['BT.709 limited blue', [32, 240, 118], 'bt709', false, [0, 0, 255]],
    ['BT.709 limited white', [235, 128, 128], 'bt709', false, [255, 255, 255]],
    ['BT.601 limited red', [81, 90, 240], 'smpte170m', false, [255, 0, 0]],
    ['BT.601 limited green', [145, 54, 34], 'smpte170m', false, [0, 255, 0]],
    ['BT.709 full-range mid grey', [128, 128, 128], 'bt709', true, [128, 128, 128]],
    ['BT.709 full-range black', [0, 128, 128], 'bt709', true, [0, 0, 0]],
  ]
  for (const [name, [y, u, v], matrix, fullRange, [r, g, b]] of colours) {
    it(`converts ${name} to RGBA and BGRX`, async () => {
      const frame = solidI420(4, 4, y, u, v, { colorSpace: { matrix, fullRange } })
      const rgba = (await copy(frame, { format: 'RGBA' })).out
      expect(rgba.length).toBe(64)
      for (let i = 0; i < 64; i += 4) {
        expect(Math.abs(rgba[i] - r)).toBeLessThanOrEqual(2)
        expect(Math.abs(rgba[i + 1] - g)).toBeLessThanOrEqual(2)
        expect(Math.abs(rgba[i + 2] - b)).toBeLessThanOrEqual(2)
        expect(rgba[i + 3]).toBe(255)
      }
      const bgrx = (await copy(frame, { format: 'BGRX' })).out
      expect(Math.abs(bgrx[0] - b)).toBeLessThanOrEqual(2)
      expect(Math.abs(bgrx[2] - r)).toBeLessThanOrEqual(2)
      frame.close()
    })
  }

  it('converts a cropped rect of NV12 and 10-bit frames', async () => {
    // 4x2 NV12, left half black and right half white.
    const nv12 = new VideoFrame(new Uint8Array([16, 16, 235, 235, 16, 16, 235, 235, 128, 128, 128, 128]), init('NV12', 4, 2))
    const right = (await copy(nv12, { format: 'RGBA', rect: { x: 2, y: 0, width: 2, height: 2 } })).out
    expect(Array.from(right).every((c) => c >= 254)).toBe(true)
    const p10 = new VideoFrame(new Uint16Array([940, 940, 940, 940, 512, 512]), init('I420P10', 2, 2))
    const white = (await copy(p10, { format: 'RGBA' })).out
    expect(Array.from(white).every((c) => c >= 254)).toBe(true)
    nv12.close()
    p10.close()
  })

  it('rejects with TypeError when the destination is too small', async () => {
    const frame = solidI420(4, 4, 0, 0, 0)
    await expectRejectsNamed(frame.copyTo(new Uint8Array(23)), 'TypeError')
    await expectRejectsNamed(frame.copyTo(new Uint8Array(24), { rect: { x: 0, y: 0, width: 8, height: 8 } }), 'TypeError')
    frame.close()
  })

  it('rejects with NotSupportedError for conversion to a YUV format', async () => {
    const frame = new VideoFrame(new Uint8Array(16), init('RGBA', 2, 2))
    await expectRejectsNamed(frame.copyTo(new Uint8Array(64), { format: 'I420' }), 'NotSupportedError')
    frame.close()
  })
})

describe('VideoFrame.copyTo with a conversion', () => {
  const w = 1920
  const h = 1080
  const i420 = () => new VideoFrame(new Uint8Array((w * h * 3) / 2).fill(128), { format: 'I420', codedWidth: w, codedHeight: h, timestamp: 0 })

  it('converts off the JS thread: the event loop turns before the promise settles', async () => {
    const frame = i420()
    const dest = new Uint8Array(w * h * 4)
    let done = false
    let turns = 0
    const spin = () => {
      if (done) return
      turns++
      setImmediate(spin)
    }
    const copied = frame.copyTo(dest, { format: 'RGBA' }).then((layout) => {
      done = true
      return layout
    })
    setImmediate(spin)
    expect(await copied).toEqual([{ offset: 0, stride: w * 4 }])
    expect(turns).toBeGreaterThan(0)
    // Mid-grey (Y=U=V=128, BT.709 limited range) is about 130 in every channel.
    expect(Math.abs(dest[0] - 130)).toBeLessThanOrEqual(3)
    expect(dest[3]).toBe(255)
    frame.close()
  })

  it('writes only the rows of its layout; the bytes between them stay as they were', async () => {
    const frame = new VideoFrame(new Uint8Array(16 * 8 * 3 / 2).fill(128), { format: 'I420', codedWidth: 16, codedHeight: 8, timestamp: 0 })
    const stride = 16 * 4 + 8
    const dest = new Uint8Array(stride * 8).fill(0xab)
    await frame.copyTo(dest, { format: 'RGBA', layout: [{ offset: 0, stride }] })
    for (let y = 0; y < 8; y++) {
      expect(dest[y * stride + 63]).toBe(255)
      expect([...dest.subarray(y * stride + 64, (y + 1) * stride)]).toEqual(new Array(8).fill(0xab))
    }
    frame.close()
  })

  it('keeps the pixels while it converts, even when the frame is closed at once', async () => {
    const frame = i420()
    const dest = new Uint8Array(w * h * 4)
    const copied = frame.copyTo(dest, { format: 'BGRA' })
    frame.close()
    await copied
    expect(Math.abs(dest[w * h * 2] - 130)).toBeLessThanOrEqual(3)
  })
})

describe('VideoFrame.clone and close', () => {
  it('clone shares the pixels and outlives the original', async () => {
    const frame = solidI420(2, 2, 50, 60, 70, { timestamp: 5, duration: 6 })
    const clone = frame.clone()
    frame.close()
    expect(clone.timestamp).toBe(5)
    expect(clone.duration).toBe(6)
    expect(Array.from((await copy(clone)).out)).toEqual([50, 50, 50, 50, 60, 70])
    clone.close()
  })

  it('close empties the attributes but keeps timing', () => {
    const frame = solidI420(2, 2, 0, 0, 0, { timestamp: 7 })
    frame.close()
    frame.close()
    expect(frame.format).toBeNull()
    expect(frame.codedWidth).toBe(0)
    expect(frame.codedHeight).toBe(0)
    expect(frame.codedRect).toBeNull()
    expect(frame.visibleRect).toBeNull()
    expect(frame.displayWidth).toBe(0)
    expect(frame.timestamp).toBe(7)
  })

  it('throws InvalidStateError when used after close', async () => {
    const frame = solidI420(2, 2, 0, 0, 0)
    frame.close()
    expectThrowsNamed(() => frame.clone(), 'InvalidStateError')
    expectThrowsNamed(() => frame.allocationSize(), 'InvalidStateError')
    await expectRejectsNamed(frame.copyTo(new Uint8Array(6)), 'InvalidStateError')
  })
})
