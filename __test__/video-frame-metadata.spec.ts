// VideoFrame metadata (https://w3c.github.io/webcodecs/#dom-videoframe-metadata) and
// "Copy VideoFrame metadata" (StructuredSerialize, then StructuredDeserialize), with the
// members of the VideoFrame Metadata Registry
// (https://w3c.github.io/webcodecs/video_frame_metadata_registry.html), each converted
// by its IDL type in mediacapture-extensions.
import { afterAll, describe, expect, it } from 'vitest'

import { VideoFrame, getCounters, type VideoFrameBufferInit, type VideoFrameMetadata } from '../index.js'
import { expectThrowsNamed } from './helpers/errors.js'
import { assertNoLeaks, waitForGC } from './helpers/leak-check.js'

afterAll(() => assertNoLeaks())

/** A 4x2 RGBA frame whose bytes are their own index plus `offset`. */
function rgba4x2(extra: Partial<VideoFrameBufferInit> = {}, offset = 0): VideoFrame {
  const data = Uint8Array.from({ length: 32 }, (_, i) => i + offset)
  return new VideoFrame(data, { format: 'RGBA', codedWidth: 4, codedHeight: 2, timestamp: 1234, ...extra })
}

/** The metadata of a frame made with `metadata` (left unchecked by the typings). */
function roundTrip(metadata: unknown): VideoFrameMetadata {
  const frame = rgba4x2({ metadata: metadata as VideoFrameMetadata })
  const result = frame.metadata()
  frame.close()
  return result
}

function throwsWith(metadata: unknown, name: string) {
  expectThrowsNamed(() => rgba4x2({ metadata: metadata as VideoFrameMetadata }), name)
}

async function pixels(frame: VideoFrame): Promise<number[]> {
  const bytes = new Uint8Array(frame.allocationSize())
  await frame.copyTo(bytes)
  return Array.from(bytes)
}

const face = { type: 'human-face', id: 1, probability: 0.5 }

describe('VideoFrame metadata', () => {
  it('is empty by default', () => {
    expect(roundTrip(undefined)).toEqual({})
  })

  it('keeps every registry member with its converted value, in lexicographic order', () => {
    const metadata = roundTrip({
      segments: [{ type: 'left-eye', id: 2, partOf: 1, probability: 0.25, centerPoint: { x: 0.25, y: 0.5 }, boundingBox: { x: 0.125, y: 0.25, width: 0.5, height: 0.75 } }],
      rtpTimestamp: 90_000,
      receiveTime: 13.25,
      captureTime: 12.5,
      backgroundBlur: { enabled: true },
    })
    expect(metadata).toEqual({
      backgroundBlur: { enabled: true },
      captureTime: 12.5,
      receiveTime: 13.25,
      rtpTimestamp: 90_000,
      segments: [{ boundingBox: { x: 0.125, y: 0.25, width: 0.5, height: 0.75 }, centerPoint: { x: 0.25, y: 0.5 }, id: 2, partOf: 1, probability: 0.25, type: 'left-eye' }],
    })
    expect(Object.keys(metadata)).toEqual(['backgroundBlur', 'captureTime', 'receiveTime', 'rtpTimestamp', 'segments'])
    expect(Object.keys(metadata.segments![0]!)).toEqual(['boundingBox', 'centerPoint', 'id', 'partOf', 'probability', 'type'])
  })

  it('drops members the registry does not define, at every level', () => {
    const metadata = roundTrip({
      other: 1,
      rotation: 90,
      backgroundBlur: { enabled: false, strength: 3 },
      segments: [{ ...face, contour: [], boundingBox: { x: 1, top: 2 }, centerPoint: { x: 1, z: 2 } }],
    })
    expect(metadata).toEqual({
      backgroundBlur: { enabled: false },
      segments: [{ boundingBox: { x: 1, y: 0, width: 0, height: 0 }, centerPoint: { x: 1, y: 0 }, id: 1, probability: 0.5, type: 'human-face' }],
    })
  })

  it('returns a new copy each time: changing it does not change the frame', () => {
    const frame = rgba4x2({ metadata: { captureTime: 1, segments: [face] } as VideoFrameMetadata })
    const first = frame.metadata()
    first.captureTime = 99
    first.segments![0]!.id = 99
    first.segments!.push({ ...face, type: 'mouth' } as never)
    expect(frame.metadata()).toEqual({ captureTime: 1, segments: [{ id: 1, probability: 0.5, type: 'human-face' }] })
    expect(frame.metadata()).not.toBe(frame.metadata())
    expect(frame.metadata().segments).not.toBe(frame.metadata().segments)
    frame.close()
  })

  it('clones and frames made from frames carry it; an init metadata replaces it', () => {
    const frame = rgba4x2({ metadata: { captureTime: 1, segments: [face] } as VideoFrameMetadata })
    const clone = frame.clone()
    const wrapped = new VideoFrame(frame, { rotation: 90 })
    const replaced = new VideoFrame(frame, { metadata: { receiveTime: 2 } })
    const carried = { captureTime: 1, segments: [{ id: 1, probability: 0.5, type: 'human-face' }] }
    expect([clone.metadata(), wrapped.metadata(), replaced.metadata()]).toEqual([carried, carried, { receiveTime: 2 }])
    frame.close()
    expect(clone.metadata()).toEqual(carried)
    for (const f of [clone, wrapped, replaced]) f.close()
  })

  it('throws InvalidStateError once the frame is closed', () => {
    const frame = rgba4x2({ metadata: { captureTime: 1 } })
    frame.close()
    expectThrowsNamed(() => frame.metadata(), 'InvalidStateError')
  })
})

describe('VideoFrameMetadata conversion (WebIDL)', () => {
  it('captureTime and receiveTime are DOMHighResTimeStamps: ToNumber, then finite', () => {
    expect(roundTrip({ captureTime: '12.5', receiveTime: null })).toEqual({ captureTime: 12.5, receiveTime: 0 })
    expect(roundTrip({ captureTime: true, receiveTime: { valueOf: () => -3.75 } })).toEqual({ captureTime: 1, receiveTime: -3.75 })
    for (const bad of [NaN, Infinity, -Infinity, 'abc', {}]) {
      throwsWith({ captureTime: bad }, 'TypeError')
      throwsWith({ receiveTime: bad }, 'TypeError')
    }
  })

  it('rtpTimestamp is an unsigned long: truncated, modulo 2^32, NaN is 0', () => {
    const cases: [unknown, number][] = [[-1, 4294967295], [2 ** 32 + 5, 5], ['7', 7], [1.9, 1], [-1.5, 4294967295], [NaN, 0], [Infinity, 0]]
    expect(cases.map(([given]) => roundTrip({ rtpTimestamp: given }).rtpTimestamp)).toEqual(cases.map(([, want]) => want))
  })

  it('backgroundBlur is a dictionary with a required boolean', () => {
    expect(roundTrip({ backgroundBlur: { enabled: 'no' } })).toEqual({ backgroundBlur: { enabled: true } })
    expect(roundTrip({ backgroundBlur: { enabled: 0 } })).toEqual({ backgroundBlur: { enabled: false } })
    for (const bad of [{}, null, 5, 'enabled', { enabled: undefined }]) throwsWith({ backgroundBlur: bad }, 'TypeError')
  })

  it('segments is a sequence: any iterable object, nothing else', () => {
    function* generated() {
      yield face
      yield { ...face, id: 2, type: 'eye' }
    }
    const two = [{ id: 1, probability: 0.5, type: 'human-face' }, { id: 2, probability: 0.5, type: 'eye' }]
    expect(roundTrip({ segments: generated() }).segments).toEqual(two)
    expect(roundTrip({ segments: new Set([face]) }).segments).toEqual([two[0]])
    expect(roundTrip({ segments: [] })).toEqual({ segments: [] })
    for (const bad of [5, 'abc', {}, { length: 1, 0: face }, null]) throwsWith({ segments: bad }, 'TypeError')
    // What the iterator throws is rethrown as it is.
    function* failing(): Generator<never> {
      throw new RangeError('from the iterator')
    }
    expect(() => roundTrip({ segments: failing() })).toThrow(new RangeError('from the iterator'))
  })

  it('Segment.id and partOf are longs: truncated and wrapped into 32 signed bits', () => {
    const cases: [unknown, number][] = [[2 ** 31, -(2 ** 31)], [2 ** 32 + 3, 3], [-1.9, -1], ['7', 7], [NaN, 0], [-Infinity, 0]]
    const got = cases.map(([given]) => {
      const [segment] = roundTrip({ segments: [{ ...face, id: given, partOf: given }] }).segments!
      return [segment!.id, segment!.partOf]
    })
    expect(got).toEqual(cases.map(([, want]) => [want, want]))
  })

  it('Segment.probability is a float: the nearest single-precision value, finite', () => {
    const probability = (given: unknown) => roundTrip({ segments: [{ ...face, probability: given }] }).segments![0]!.probability
    expect(probability(0.1)).toBe(Math.fround(0.1))
    expect(probability('0.3')).toBe(Math.fround(0.3))
    expect(Object.is(probability(-0), -0)).toBe(true)
    // Just below the midpoint between the largest float and 2^128, then the midpoint,
    // whose tie goes to 2^128.
    const largest = 3.4028234663852886e38
    expect(probability(2 ** 128 - 2 ** 103 - 2 ** 75)).toBe(largest)
    for (const bad of [NaN, Infinity, 2 ** 128 - 2 ** 103, -(2 ** 128), 'x']) {
      throwsWith({ segments: [{ ...face, probability: bad }] }, 'TypeError')
    }
  })

  it('Segment.type is a SegmentType: any other string is a TypeError', () => {
    const types = ['human-face', 'left-eye', 'right-eye', 'eye', 'mouth']
    expect(types.map((type) => roundTrip({ segments: [{ ...face, type }] }).segments![0]!.type)).toEqual(types)
    for (const type of ['nose', 'Human-Face', '', ' eye', undefined]) throwsWith({ segments: [{ ...face, type }] }, 'TypeError')
  })

  it('Segment requires type, id and probability; each element must be a dictionary', () => {
    for (const missing of ['type', 'id', 'probability']) {
      const segment: Record<string, unknown> = { ...face }
      delete segment[missing]
      throwsWith({ segments: [segment] }, 'TypeError')
    }
    for (const bad of [null, undefined, 5, 'face']) throwsWith({ segments: [bad] }, 'TypeError')
  })

  it('boundingBox is a DOMRectInit: unrestricted doubles, each defaulting to 0', () => {
    const box = (given: unknown) => roundTrip({ segments: [{ ...face, boundingBox: given }] }).segments![0]!.boundingBox
    expect(box({})).toEqual({ x: 0, y: 0, width: 0, height: 0 })
    expect(box(null)).toEqual({ x: 0, y: 0, width: 0, height: 0 })
    expect(box({ x: NaN, y: -Infinity, width: '2', height: Infinity })).toEqual({ x: NaN, y: -Infinity, width: 2, height: Infinity })
    throwsWith({ segments: [{ ...face, boundingBox: 5 }] }, 'TypeError')
  })

  it('centerPoint is a Point2D: doubles defaulting to 0, finite', () => {
    const point = (given: unknown) => roundTrip({ segments: [{ ...face, centerPoint: given }] }).segments![0]!.centerPoint
    expect(point({ x: 0.75 })).toEqual({ x: 0.75, y: 0 })
    expect(point({ y: '0.5' })).toEqual({ x: 0, y: 0.5 })
    for (const bad of [{ x: NaN }, { y: Infinity }, 5]) throwsWith({ segments: [{ ...face, centerPoint: bad }] }, 'TypeError')
  })
})

describe('VideoFrameMetadata.backgroundSegmentationMask', () => {
  it('must be a VideoFrame', () => {
    for (const bad of [null, {}, new Uint8Array(32), 'mask', 1]) throwsWith({ backgroundSegmentationMask: bad }, 'TypeError')
  })

  it('is copied into the frame: closing the given mask leaves the copy whole', async () => {
    const mask = rgba4x2({ timestamp: 77, duration: 5, rotation: 90, flip: true, metadata: { captureTime: 3 } }, 100)
    const frame = rgba4x2({ metadata: { backgroundSegmentationMask: mask, captureTime: 1 } })
    mask.close()
    const metadata = frame.metadata()
    expect(Object.keys(metadata)).toEqual(['backgroundSegmentationMask', 'captureTime'])
    const copy = metadata.backgroundSegmentationMask!
    expect(copy).toBeInstanceOf(VideoFrame)
    expect([copy.format, copy.codedWidth, copy.codedHeight, copy.timestamp, copy.duration, copy.rotation, copy.flip]).toEqual(['RGBA', 4, 2, 77, 5, 90, true])
    expect(copy.metadata()).toEqual({ captureTime: 3 })
    expect(await pixels(copy)).toEqual(Array.from({ length: 32 }, (_, i) => i + 100))
    copy.close()
    frame.close()
  })

  it('is a new VideoFrame on each metadata() call, independent of the others', async () => {
    const mask = rgba4x2({}, 50)
    const frame = rgba4x2({ metadata: { backgroundSegmentationMask: mask } })
    const first = frame.metadata().backgroundSegmentationMask!
    const second = frame.metadata().backgroundSegmentationMask!
    expect(first).not.toBe(second)
    expect(first).not.toBe(mask)
    first.close()
    expect(second.format).toBe('RGBA')
    expect(await pixels(second)).toEqual(Array.from({ length: 32 }, (_, i) => i + 50))
    for (const f of [second, mask, frame]) f.close()
  })

  it('throws DataCloneError for a closed mask, after every other check', () => {
    const mask = rgba4x2()
    mask.close()
    throwsWith({ backgroundSegmentationMask: mask }, 'DataCloneError')
    const source = rgba4x2()
    expectThrowsNamed(() => new VideoFrame(source, { metadata: { backgroundSegmentationMask: mask } }), 'DataCloneError')
    expectThrowsNamed(() => rgba4x2({ codedWidth: 0, metadata: { backgroundSegmentationMask: mask } }), 'TypeError')
    // Before the transfer, not after it as in the draft: the caller keeps its buffer.
    const data = new Uint8Array(32)
    const init = { format: 'RGBA', codedWidth: 4, codedHeight: 2, timestamp: 0, transfer: [data.buffer], metadata: { backgroundSegmentationMask: mask } } as const
    expectThrowsNamed(() => new VideoFrame(data, init), 'DataCloneError')
    expect(data.byteLength).toBe(32)
    source.close()
    // The init's conversion comes before the constructor looks at its source.
    expectThrowsNamed(() => new VideoFrame(source, { metadata: { backgroundSegmentationMask: {} as VideoFrame } }), 'TypeError')
    const open = rgba4x2()
    expectThrowsNamed(() => new VideoFrame(source, { metadata: { backgroundSegmentationMask: open } }), 'InvalidStateError')
    open.close()
  })

  it('travels with clones and frames made from frames, and may hold a mask of its own', () => {
    const inner = rgba4x2({ timestamp: 1 })
    const mask = rgba4x2({ timestamp: 2, metadata: { backgroundSegmentationMask: inner } })
    const frame = rgba4x2({ metadata: { backgroundSegmentationMask: mask } })
    inner.close()
    mask.close()
    const clone = frame.clone()
    const wrapped = new VideoFrame(frame, { timestamp: 9 })
    const self = new VideoFrame(wrapped, { metadata: { backgroundSegmentationMask: wrapped } })
    const seen = [frame, clone, wrapped, self].map((f) => {
      const copy = f.metadata().backgroundSegmentationMask!
      const nested = copy.metadata().backgroundSegmentationMask
      const stamps = [copy.timestamp, nested?.timestamp ?? null]
      copy.close()
      nested?.close()
      return stamps
    })
    expect(seen).toEqual([[2, 1], [2, 1], [2, 1], [9, 2]])
    for (const f of [frame, clone, wrapped, self]) f.close()
  })

  it('counts as a live frame while a frame holds it, and goes with the last holder', () => {
    const before = getCounters().videoFrames
    const mask = rgba4x2()
    const frame = rgba4x2({ metadata: { backgroundSegmentationMask: mask } })
    mask.close()
    expect(getCounters().videoFrames - before).toBe(2)
    const clone = frame.clone()
    const returned = frame.metadata().backgroundSegmentationMask!
    expect(getCounters().videoFrames - before).toBe(4)
    frame.close()
    expect(getCounters().videoFrames - before).toBe(3)
    clone.close()
    expect(getCounters().videoFrames - before).toBe(1)
    returned.close()
    expect(getCounters().videoFrames - before).toBe(0)
  })

  it('is collected with frames that are never closed', async () => {
    const before = getCounters().videoFrames
    const made = () => {
      for (let i = 0; i < 20; i++) {
        const mask = rgba4x2()
        const frame = rgba4x2({ metadata: { backgroundSegmentationMask: mask } })
        frame.metadata()
        if (i % 2) mask.close()
      }
    }
    made()
    expect(getCounters().videoFrames - before).toBe(20 * 4 - 10)
    await waitForGC()
    expect(getCounters().videoFrames - before).toBe(0)
  })
})
