// § 9.4 VideoFrame Interface (https://w3c.github.io/webcodecs/#videoframe-interface) with
// 9.5 VideoFrame CopyTo() Options, 9.6 DOMRects in VideoFrame and 9.7 Plane Layout,
// subsection by subsection; numbers as in the editor's draft of 2026-05.
import { describe, expect, it } from 'vitest'

import { DOMRectReadOnly, getCounters, VideoFrame, type VideoFrameBufferInit, type VideoFrameCopyToOptions, type VideoPixelFormat } from '../../index.js'
import { checkCountersReturn, detachedBuffer, expectReadonlyAttributes, nameOf, settle, transferAndSerializationSteps } from '../helpers/conformance.js'
import { expectRejectsNamed, expectThrowsNamed } from '../helpers/errors.js'

checkCountersReturn()

/** 4x4 I420: 16 luma bytes 0..15, then 4 U (100..103) and 4 V (200..203). */
const i420Bytes = () => new Uint8Array([...Array.from({ length: 16 }, (_, i) => i), 100, 101, 102, 103, 200, 201, 202, 203])
const i420 = (extra: Partial<VideoFrameBufferInit> = {}): VideoFrameBufferInit => ({ format: 'I420', codedWidth: 4, codedHeight: 4, timestamp: 10, duration: 5, ...extra })
const rgba = (extra: Partial<VideoFrameBufferInit> = {}): VideoFrameBufferInit => ({ format: 'RGBA', codedWidth: 4, codedHeight: 4, timestamp: 0, ...extra })
const rgbaBytes = () => new Uint8Array(64).map((_, i) => i)

/** Runs `test` with the frames made from `inits`, all closed once it is done (settled, if it returns a promise). */
function withFrames<T>(inits: [Uint8Array, VideoFrameBufferInit][], test: (...frames: VideoFrame[]) => T): T {
  const frames = inits.map(([data, init]) => new VideoFrame(data, init))
  const close = () => frames.forEach((frame) => frame.close())
  let result: T
  try {
    result = test(...frames)
  } catch (error) {
    close()
    throw error
  }
  if (result instanceof Promise) return result.finally(close) as T
  close()
  return result
}

/** A frame, closed. */
function closedFrame(extra: Partial<VideoFrameBufferInit> = {}): VideoFrame {
  const frame = new VideoFrame(i420Bytes(), i420(extra))
  frame.close()
  return frame
}

const withI420 = <T>(test: (frame: VideoFrame) => T, extra: Partial<VideoFrameBufferInit> = {}) => withFrames([[i420Bytes(), i420(extra)]], test)
const withRgba = <T>(test: (frame: VideoFrame) => T, extra: Partial<VideoFrameBufferInit> = {}) => withFrames([[rgbaBytes(), rgba(extra)]], test)

/** `new VideoFrame(source, init)`, its attributes, the new frame closed. */
function derived(source: VideoFrame, init: ConstructorParameters<typeof VideoFrame>[1] = {}) {
  const frame = new VideoFrame(source, init)
  try {
    return attributes(frame)
  } finally {
    frame.close()
  }
}

const rect = (r: DOMRectReadOnly | null) => r && [r.x, r.y, r.width, r.height]
function attributes(frame: VideoFrame) {
  return {
    format: frame.format,
    coded: [frame.codedWidth, frame.codedHeight],
    codedRect: rect(frame.codedRect),
    visibleRect: rect(frame.visibleRect),
    rotation: frame.rotation,
    flip: frame.flip,
    display: [frame.displayWidth, frame.displayHeight],
    timestamp: frame.timestamp,
    duration: frame.duration,
    colorSpace: frame.colorSpace.toJSON(),
  }
}

async function copy(frame: VideoFrame, options?: VideoFrameCopyToOptions) {
  const out = new Uint8Array(frame.allocationSize(options))
  const layout = await frame.copyTo(out, options)
  return { bytes: Array.from(out), layout: layout.map((p) => [p.offset, p.stride]) }
}

const REC709 = { primaries: 'bt709', transfer: 'bt709', matrix: 'bt709', fullRange: false }
const SRGB = { primaries: 'bt709', transfer: 'iec61966-2-1', matrix: 'rgb', fullRange: true }

describe('9.4 VideoFrame Interface', () => {
  describe('9.4.1 Internal Slots', () => {
    it('[[resource reference]]: clones share the pixels; the resource lives while any frame refers to it', async () => {
      const before = getCounters().videoFrames
      const frame = new VideoFrame(i420Bytes(), i420())
      const clone = frame.clone()
      frame.close()
      expect((await copy(clone)).bytes).toEqual(Array.from(i420Bytes()))
      expect(getCounters().videoFrames).toBe(before + 1)
      clone.close()
      expect(getCounters().videoFrames).toBe(before)
    })

    it('[[metadata]]: what the init gave, of the registry\'s members only', () => {
      withRgba((frame) => expect(frame.metadata()).toEqual({ rtpTimestamp: 7 }), { metadata: { rtpTimestamp: 7, notAMember: 1 } as never })
    })
  })

  describe('9.4.2 Constructors', () => {
    describe('VideoFrame(image, init)', () => {
      it('step 1: an image that is not usable (a closed VideoFrame) is an InvalidStateError', () => {
        const closed = new VideoFrame(i420Bytes(), i420())
        closed.close()
        expectThrowsNamed(() => new VideoFrame(closed), 'InvalidStateError')
      })

      it('WebIDL overloads: what is neither a CanvasImageSource nor a BufferSource is a TypeError', () => {
        for (const source of [{}, 'frame', 42, null, undefined]) expectThrowsNamed(() => new VideoFrame(source as never, {} as never), 'TypeError')
      })

      it('step 5 (a VideoFrame): "Initialize Frame From Other Frame" with an empty init copies every attribute', () => {
        withI420((source) => expect(derived(source)).toEqual(attributes(source)), { visibleRect: { x: 2, y: 0, width: 2, height: 4 }, displayWidth: 8, displayHeight: 6, rotation: 90, flip: true })
      })

      it('the new frame holds its own reference: closing the source leaves it readable', async () => {
        const source = new VideoFrame(i420Bytes(), i420())
        const frame = new VideoFrame(source)
        source.close()
        expect((await copy(frame)).bytes).toEqual(Array.from(i420Bytes()))
        frame.close()
      })
    })

    describe('VideoFrame(data, init)', () => {
      const invalid: [string, Partial<VideoFrameBufferInit>][] = [
        ['codedWidth 0', { codedWidth: 0 }],
        ['codedHeight 0', { codedHeight: 0 }],
        ['visibleRect negative', { visibleRect: { x: -2, y: 0, width: 2, height: 2 } }],
        ['visibleRect not finite', { visibleRect: { x: 0, y: 0, width: Infinity, height: 2 } }],
        ['visibleRect past codedHeight', { visibleRect: { x: 0, y: 2, width: 2, height: 4 } }],
        ['visibleRect past codedWidth', { visibleRect: { x: 2, y: 0, width: 4, height: 2 } }],
        ['displayWidth without displayHeight', { displayWidth: 4 }],
        ['displayHeight 0', { displayWidth: 4, displayHeight: 0 }],
      ]
      for (const [label, extra] of invalid) {
        it(`step 1: not a valid VideoFrameBufferInit (${label}) is a TypeError`, () => {
          expectThrowsNamed(() => new VideoFrame(i420Bytes(), i420(extra)), 'TypeError')
        })
      }

      it('WebIDL: format, codedWidth, codedHeight and timestamp are required; format must be a VideoPixelFormat', () => {
        for (const member of ['format', 'codedWidth', 'codedHeight', 'timestamp'] as const) {
          const partial: Partial<VideoFrameBufferInit> = i420()
          delete partial[member]
          expectThrowsNamed(() => new VideoFrame(i420Bytes(), partial as VideoFrameBufferInit), 'TypeError')
        }
        expectThrowsNamed(() => new VideoFrame(i420Bytes(), i420({ format: 'YUY2' as VideoPixelFormat })), 'TypeError')
      })

      it('step 5 ("Parse Visible Rect"): a zero-sized or misaligned visibleRect is a TypeError', () => {
        expectThrowsNamed(() => new VideoFrame(i420Bytes(), i420({ visibleRect: { x: 0, y: 0, width: 0, height: 2 } })), 'TypeError')
        expectThrowsNamed(() => new VideoFrame(i420Bytes(), i420({ visibleRect: { x: 1, y: 0, width: 2, height: 2 } })), 'TypeError')
      })

      it('steps 9-10 ("Compute Layout and Allocation Size"): a layout of the wrong length, a short stride or overlapping planes: TypeError', () => {
        const layouts = [
          [{ offset: 0, stride: 4 }],
          [{ offset: 0, stride: 3 }, { offset: 16, stride: 2 }, { offset: 20, stride: 2 }],
          [{ offset: 0, stride: 4 }, { offset: 8, stride: 2 }, { offset: 20, stride: 2 }],
        ]
        for (const layout of layouts) expectThrowsNamed(() => new VideoFrame(new Uint8Array(64), i420({ layout })), 'TypeError')
      })

      it('step 11: data shorter than the allocation size is a TypeError', () => {
        expectThrowsNamed(() => new VideoFrame(new Uint8Array(23), i420()), 'TypeError')
        expectThrowsNamed(() => new VideoFrame(new Uint8Array(39), i420({ layout: [{ offset: 0, stride: 8 }, { offset: 32, stride: 2 }, { offset: 36, stride: 2 }] })), 'TypeError')
      })

      it('step 1 comes before step 12: an invalid init with a duplicate transfer is a TypeError', () => {
        const buffer = i420Bytes().buffer
        expectThrowsNamed(() => new VideoFrame(buffer, i420({ codedWidth: 0, transfer: [buffer, buffer] })), 'TypeError')
      })

      it('step 12: a transfer list naming one ArrayBuffer twice is a DataCloneError, and nothing is detached', () => {
        const buffer = i420Bytes().buffer
        expectThrowsNamed(() => new VideoFrame(buffer, i420({ transfer: [buffer, buffer] })), 'DataCloneError')
        expect(buffer.byteLength).toBe(24)
      })

      it('step 13: a detached ArrayBuffer in transfer is a DataCloneError', () => {
        expectThrowsNamed(() => new VideoFrame(i420Bytes(), i420({ transfer: [detachedBuffer()] })), 'DataCloneError')
      })

      it('step 15: the pixels are copied as the layout places them; later writes to data do not show', async () => {
        // 2x2 RGBA rows of 8 bytes at stride 12, from offset 4.
        const data = new Uint8Array(28).map((_, i) => i)
        const frame = new VideoFrame(data, rgba({ codedWidth: 2, codedHeight: 2, layout: [{ offset: 4, stride: 12 }] }))
        data.fill(0)
        expect((await copy(frame)).bytes).toEqual([4, 5, 6, 7, 8, 9, 10, 11, 16, 17, 18, 19, 20, 21, 22, 23])
        frame.close()
      })

      it('step 16: every ArrayBuffer in transfer is detached; the frame keeps the pixels', async () => {
        const buffer = i420Bytes().buffer
        const other = new ArrayBuffer(4)
        const frame = new VideoFrame(buffer, i420({ transfer: [buffer, other] }))
        expect([buffer.byteLength, other.byteLength]).toEqual([0, 0])
        expect((await copy(frame)).bytes).toEqual(Array.from(i420Bytes()))
        frame.close()
      })

      it('step 21.2-21.3: visibleRect is the init\'s, or the coded size at (0, 0)', () => {
        withI420((frame) => expect([frame.visibleRect!.toJSON(), rect(frame.codedRect)]).toEqual([{ x: 2, y: 2, width: 2, height: 2, top: 2, right: 4, bottom: 4, left: 2 }, [0, 0, 4, 4]]), {
          visibleRect: { x: 2, y: 2, width: 2, height: 2 },
        })
        withI420((frame) => expect(rect(frame.visibleRect)).toEqual([0, 0, 4, 4]))
      })

      it('step 21.2 and 9.6: a fractional visibleRect width and height are truncated', () => {
        withRgba((frame) => expect(rect(frame.visibleRect)).toEqual([0, 0, 2, 2]), { visibleRect: { x: 0, y: 0, width: 2.9, height: 2.5 } })
      })

      it('step 21.4 ("Parse Rotation"): the nearest quarter turn, ties towards +Infinity, in [0, 360)', () => {
        const cases = [[0, 0], [44.9, 0], [45, 90], [-45, 0], [135, 180], [225, 270], [315, 0], [360, 0], [405, 90], [-90, 270], [-315, 90]]
        expect(cases.map(([rotation]) => withRgba((frame) => frame.rotation, { rotation }))).toEqual(cases.map(([, parsed]) => parsed))
      })

      it('steps 21.5-21.7: flip from the init; display size the visible size, turned for 90 and 270, unless given', () => {
        withI420((frame) => expect([frame.flip, frame.displayWidth, frame.displayHeight]).toEqual([true, 4, 2]), { flip: true, visibleRect: { x: 0, y: 0, width: 4, height: 2 } })
        withI420((frame) => expect([frame.displayWidth, frame.displayHeight]).toEqual([2, 4]), { rotation: 90, visibleRect: { x: 0, y: 0, width: 4, height: 2 } })
        withI420((frame) => expect([frame.displayWidth, frame.displayHeight]).toEqual([7, 3]), { rotation: 270, displayWidth: 7, displayHeight: 3 })
      })

      it('step 21.8: timestamp and duration from the init (duration null when absent)', () => {
        withI420((frame) => expect([frame.timestamp, frame.duration]).toEqual([-3, null]), { timestamp: -3, duration: undefined })
      })

      it('step 21.12 ("Pick Color Space"): the init\'s colorSpace, else sRGB for RGB formats and REC709 for the others', () => {
        withI420((frame) => expect(frame.colorSpace.toJSON()).toEqual(REC709))
        withRgba((frame) => expect(frame.colorSpace.toJSON()).toEqual(SRGB))
        withI420((frame) => expect(frame.colorSpace.toJSON()).toEqual({ primaries: 'bt470bg', transfer: null, matrix: null, fullRange: true }), { colorSpace: { primaries: 'bt470bg', fullRange: true } })
      })

      it('step 21.13 ("Copy VideoFrame metadata"): a copy: later changes to init.metadata do not show', () => {
        const metadata = { captureTime: 5 }
        withRgba((frame) => {
          metadata.captureTime = 9
          expect(frame.metadata()).toEqual({ captureTime: 5 })
        }, { metadata })
      })
    })
  })

  describe('9.4.3 Attributes', () => {
    it('each returns its slot; codedRect and visibleRect are DOMRectReadOnly', () => {
      withI420((frame) => {
        expect(attributes(frame)).toEqual({
          format: 'I420',
          coded: [4, 4],
          codedRect: [0, 0, 4, 4],
          visibleRect: [0, 0, 4, 4],
          rotation: 0,
          flip: false,
          display: [4, 4],
          timestamp: 10,
          duration: 5,
          colorSpace: REC709,
        })
        expect(frame.codedRect).toBeInstanceOf(DOMRectReadOnly)
        expect(frame.visibleRect).toBeInstanceOf(DOMRectReadOnly)
      })
    })

    it('codedRect and visibleRect: [[Detached]] gives null', () => {
      const frame = new VideoFrame(i420Bytes(), i420())
      frame.close()
      expect([frame.codedRect, frame.visibleRect]).toEqual([null, null])
    })

    it('the attributes are read-only accessors on the prototype', () => {
      const names = ['format', 'codedWidth', 'codedHeight', 'codedRect', 'visibleRect', 'rotation', 'flip', 'displayWidth', 'displayHeight', 'duration', 'timestamp', 'colorSpace']
      expectReadonlyAttributes(VideoFrame.prototype, names)
    })
  })

  describe('9.4.5 Methods', () => {
    describe('allocationSize(options)', () => {
      it('step 1: [[Detached]] is an InvalidStateError', () => {
        const frame = closedFrame()
        expectThrowsNamed(() => frame.allocationSize(), 'InvalidStateError')
      })

      it('steps 3-5: the combined layout\'s allocationSize: tight planes, a rect, RGB formats, an explicit layout', () => {
        withI420((frame) => {
          expect(frame.allocationSize()).toBe(24)
          expect(frame.allocationSize({ rect: { x: 2, y: 2, width: 2, height: 2 } })).toBe(6)
          expect(frame.allocationSize({ format: 'RGBA' })).toBe(64)
          expect(frame.allocationSize({ layout: [{ offset: 100, stride: 8 }, { offset: 0, stride: 2 }, { offset: 4, stride: 2 }] })).toBe(132)
        })
      })

      it('step 4: an exception of "Parse VideoFrameCopyToOptions" is thrown (TypeError, NotSupportedError)', () => {
        withI420((frame) => {
          expectThrowsNamed(() => frame.allocationSize({ rect: { x: 1, y: 0, width: 2, height: 2 } }), 'TypeError')
          expectThrowsNamed(() => frame.allocationSize({ layout: [{ offset: 0, stride: 4 }] }), 'TypeError')
          expectThrowsNamed(() => frame.allocationSize({ format: 'I444' }), 'NotSupportedError')
        })
      })
    })

    describe('copyTo(destination, options)', () => {
      it('step 1: [[Detached]] returns a promise rejected with InvalidStateError', async () => {
        const frame = closedFrame()
        await expectRejectsNamed(frame.copyTo(new Uint8Array(24)), 'InvalidStateError')
      })

      it('step 4: an exception of "Parse VideoFrameCopyToOptions" rejects the promise (it does not throw)', async () => {
        const frame = new VideoFrame(i420Bytes(), i420())
        const outcomes = await Promise.all([
          settle(frame.copyTo(new Uint8Array(64), { rect: { x: 1, y: 0, width: 2, height: 2 } })),
          settle(frame.copyTo(new Uint8Array(64), { format: 'NV12' })),
        ])
        frame.close()
        expect(outcomes.map(([outcome, error]) => [outcome, nameOf(error)])).toEqual([['rejected', 'TypeError'], ['rejected', 'NotSupportedError']])
      })

      it('step 5: a destination smaller than the allocation size rejects with TypeError', async () => {
        await withI420((frame) => expectRejectsNamed(frame.copyTo(new Uint8Array(23)), 'TypeError'))
      })

      it('step 10: copies each plane row by row and resolves with its PlaneLayouts', async () => {
        const { bytes, layout } = await withI420((frame) => copy(frame))
        expect([bytes, layout]).toEqual([Array.from(i420Bytes()), [[0, 4], [16, 2], [20, 2]]])
      })

      it('step 10 with a rect: the rows and bytes of the rect in each plane (chroma halved)', async () => {
        const { bytes, layout } = await withI420((frame) => copy(frame, { rect: { x: 2, y: 2, width: 2, height: 2 } }))
        expect([bytes, layout]).toEqual([[10, 11, 14, 15, 103, 203], [[0, 2], [4, 1], [5, 1]]])
      })

      // The draft's step 10.4.7 gives each PlaneLayout the plane's row bytes as its stride;
      // we give the destination's stride, as the web-platform-tests' videoFrame-copyTo
      // ("Test stride and offset with padding") and Chromium do.
      it('step 10 with a layout: planes at the given offsets and strides, which the PlaneLayouts report; the gaps untouched', async () => {
        const out = new Uint8Array(40).fill(0xee)
        const layout = [{ offset: 8, stride: 6 }, { offset: 0, stride: 3 }, { offset: 34, stride: 3 }]
        const planes = await withI420((frame) => frame.copyTo(out, { layout }))
        expect(planes.map((p) => [p.offset, p.stride])).toEqual([[8, 6], [0, 3], [34, 3]])
        expect(Array.from(out.subarray(8, 14))).toEqual([0, 1, 2, 3, 0xee, 0xee])
        expect(Array.from(out.subarray(0, 6))).toEqual([100, 101, 0xee, 102, 103, 0xee])
      })

      it('step 6: an RGB format converts first ("Convert to RGB frame"), in srgb or display-p3', async () => {
        for (const colorSpace of [undefined, 'srgb', 'display-p3'] as const) {
          const { bytes, layout } = await withRgba((frame) => copy(frame, { format: 'RGBA', colorSpace }))
          expect(layout, String(colorSpace)).toEqual([[0, 16]])
          expect(bytes.length).toBe(64)
        }
        const { bytes } = await withRgba((frame) => copy(frame, { format: 'BGRA' }))
        expect(bytes.slice(0, 8)).toEqual([2, 1, 0, 3, 6, 5, 4, 7])
      })

      it('copyTo takes any AllowSharedBufferSource: a view at an offset, a SharedArrayBuffer', async () => {
        const shared = new SharedArrayBuffer(24)
        const backing = new Uint8Array(26)
        await withI420(async (frame) => {
          await frame.copyTo(shared)
          await frame.copyTo(backing.subarray(1, 25))
        })
        expect([Array.from(new Uint8Array(shared)), Array.from(backing.subarray(1, 25))]).toEqual([Array.from(i420Bytes()), Array.from(i420Bytes())])
      })
    })

    describe('clone()', () => {
      it('step 1: [[Detached]] is an InvalidStateError', () => {
        const frame = closedFrame()
        expectThrowsNamed(() => frame.clone(), 'InvalidStateError')
      })

      it('step 2 ("Clone VideoFrame"): every slot but the reference is copied, metadata included', () => {
        withI420((frame) => {
          const clone = frame.clone()
          expect([attributes(clone), clone.metadata()]).toEqual([attributes(frame), frame.metadata()])
          clone.close()
        }, { visibleRect: { x: 2, y: 0, width: 2, height: 4 }, rotation: 180, flip: true, displayWidth: 9, displayHeight: 3, metadata: { captureTime: 1 } })
      })
    })

    describe('close()', () => {
      it('runs "Close VideoFrame"; closing again does nothing', () => {
        const frame = closedFrame()
        expect(() => frame.close()).not.toThrow()
        expect(frame.format).toBeNull()
      })
    })

    describe('metadata()', () => {
      it('step 1: [[Detached]] is an InvalidStateError', () => {
        const frame = new VideoFrame(i420Bytes(), i420({ metadata: { captureTime: 1 } }))
        frame.close()
        expectThrowsNamed(() => frame.metadata(), 'InvalidStateError')
      })

      it('step 2: a copy each call: changing what it returned changes nothing', () => {
        withRgba((frame) => {
          const first = frame.metadata()
          first.captureTime = 99
          expect(frame.metadata()).not.toBe(first)
          expect(frame.metadata()).toEqual({ captureTime: 1 })
        }, { metadata: { captureTime: 1 } })
      })
    })
  })

  describe('9.4.6 Algorithms', () => {
    describe('Initialize Frame From Other Frame (with init, frame, and otherFrame)', () => {
      it('step 2: alpha "discard" takes the equivalent opaque format; "keep" (the default) keeps it', () => {
        withFrames(
          [
            [rgbaBytes(), rgba()],
            [rgbaBytes(), rgba({ format: 'BGRA' })],
            [new Uint8Array(40), i420({ format: 'I420A' })],
            [i420Bytes(), i420()],
          ],
          (...sources) => {
            expect(sources.map((s) => derived(s, { alpha: 'discard' }).format)).toEqual(['RGBX', 'BGRX', 'I420', 'I420'])
            expect(sources.map((s) => derived(s).format)).toEqual(['RGBA', 'BGRA', 'I420A', 'I420'])
          },
        )
      })

      it('steps 3-4 ("Validate VideoFrameInit"): a misaligned, negative, empty or oversized visibleRect, or half a display size: TypeError', () => {
        withI420((source) => {
          const inits = [
            { visibleRect: { x: 1, y: 0, width: 2, height: 2 } },
            { visibleRect: { x: -2, y: 0, width: 2, height: 2 } },
            { visibleRect: { x: 0, y: 0, width: 2, height: 0 } },
            { visibleRect: { x: 2, y: 2, width: 4, height: 2 } },
            { displayWidth: 3 },
            { displayWidth: 0, displayHeight: 3 },
          ]
          for (const init of inits) expectThrowsNamed(() => new VideoFrame(source, init), 'TypeError')
        })
      })

      it('step 7: codedWidth, codedHeight and colorSpace are the other frame\'s', () => {
        withI420((source) => {
          const frame = derived(source, { visibleRect: { x: 0, y: 0, width: 2, height: 2 } })
          expect([frame.coded, frame.colorSpace]).toEqual([[4, 4], { primaries: 'smpte432', transfer: 'pq', matrix: null, fullRange: null }])
        }, { colorSpace: { primaries: 'smpte432', transfer: 'pq' } })
      })

      it('steps 12-13: duration and timestamp from the init where given, else the other frame\'s', () => {
        withI420((source) => {
          expect([derived(source, { timestamp: 99 }), derived(source, { duration: 1 })].map((f) => [f.timestamp, f.duration])).toEqual([[99, 5], [10, 1]])
        })
      })

      it('step 15: the init\'s metadata is copied to the new frame', () => {
        withRgba((source) => {
          const frame = new VideoFrame(source, { metadata: { rtpTimestamp: 3 } })
          expect(frame.metadata()).toEqual({ rtpTimestamp: 3 })
          frame.close()
        })
      })
    })

    describe('Initialize Visible Rect, Orientation, and Display Size', () => {
      it('steps 2-3: the init\'s visibleRect; step 8: the display size keeps the source\'s scale', () => {
        withI420((source) => {
          const frame = derived(source, { visibleRect: { x: 0, y: 0, width: 4, height: 2 } })
          expect([frame.visibleRect, frame.display]).toEqual([[0, 0, 4, 2], [16, 6]])
        }, { visibleRect: { x: 2, y: 2, width: 2, height: 2 }, displayWidth: 8, displayHeight: 6 })
      })

      it('step 5 ("Add Rotations"): rotations add, and subtract from a flipped source; step 6: flips combine', () => {
        withFrames(
          [
            [rgbaBytes(), rgba({ rotation: 90 })],
            [rgbaBytes(), rgba({ rotation: 90, flip: true })],
          ],
          (plain, flipped) => {
            expect([derived(plain, { rotation: 180 }), derived(plain, { rotation: 270, flip: true })].map((f) => [f.rotation, f.flip])).toEqual([[270, false], [0, true]])
            expect([derived(flipped, { rotation: 180 }), derived(flipped, { rotation: 90, flip: true })].map((f) => [f.rotation, f.flip])).toEqual([[270, true], [0, false]])
          },
        )
      })

      it('step 7: an explicit displayWidth and displayHeight are taken as they are', () => {
        withRgba((source) => expect(derived(source, { rotation: 90, displayWidth: 10, displayHeight: 20 }).display).toEqual([10, 20]))
      })

      it('step 8.5-8.6: an upright source turned by 90 swaps the display size', () => {
        withRgba((source) => expect(derived(source, { rotation: 90, visibleRect: { x: 0, y: 0, width: 4, height: 2 } }).display).toEqual([2, 4]))
      })
    })

    describe('Close VideoFrame (with frame)', () => {
      it('steps 1-6: [[Detached]], format null, sizes, rotation and flip reset, metadata emptied; timestamp and duration stay', () => {
        const frame = new VideoFrame(i420Bytes(), i420({ rotation: 90, flip: true, metadata: { captureTime: 3 } }))
        frame.close()
        const { colorSpace: _, ...rest } = attributes(frame)
        expect(rest).toEqual({ format: null, coded: [0, 0], codedRect: null, visibleRect: null, rotation: 0, flip: false, display: [0, 0], timestamp: 10, duration: 5 })
      })

      it('[[color space]] is not among the slots Close VideoFrame clears: colorSpace stays', () => {
        const frame = closedFrame()
        expect(frame.colorSpace.toJSON()).toEqual(REC709)
      })
    })

    describe('Verify Rect Offset Alignment (with format and rect)', () => {
      it('x and y must be multiples of each plane\'s sub-sampling: I420 and NV12 both, I422 x only, I444 and RGB none', () => {
        const ok = (format: VideoPixelFormat, size: number, x: number, y: number) => {
          try {
            new VideoFrame(new Uint8Array(size), { format, codedWidth: 4, codedHeight: 4, timestamp: 0, visibleRect: { x, y, width: 2, height: 2 } }).close()
            return true
          } catch (e) {
            expect(nameOf(e)).toBe('TypeError')
            return false
          }
        }
        const formats: [VideoPixelFormat, number][] = [['I420', 24], ['NV12', 24], ['I422', 32], ['I444', 48], ['RGBA', 64]]
        expect(formats.map(([format, size]) => [ok(format, size, 1, 0), ok(format, size, 0, 1)])).toEqual([
          [false, false],
          [false, false],
          [false, true],
          [true, true],
          [true, true],
        ])
      })
    })

    describe('Compute Layout and Allocation Size (with parsedRect, format, and layout)', () => {
      it('steps 7.6-7.9: odd sizes round chroma rows up; tightly packed planes follow each other', async () => {
        // 3x3 I420: luma 9 bytes, chroma 2x2 each.
        const data = new Uint8Array(17).map((_, i) => i)
        const frame = new VideoFrame(data, { format: 'I420', codedWidth: 3, codedHeight: 3, timestamp: 0 })
        expect(frame.allocationSize()).toBe(17)
        expect((await copy(frame)).layout).toEqual([[0, 3], [9, 2], [13, 2]])
        frame.close()
      })

      it('9.6 DOMRects in VideoFrame: fractional rect members are truncated (allocationSize of a 2.9 x 2.5 rect)', () => {
        withRgba((frame) => expect(frame.allocationSize({ rect: { x: 0, y: 0, width: 2.9, height: 2.5 } })).toBe(16))
      })
    })
  })

  describe('9.4.7 Transfer and Serialization', () => transferAndSerializationSteps(VideoFrame, () => new VideoFrame(rgbaBytes(), rgba())))
})

describe('9.7 Plane Layout', () => {
  it('WebIDL [EnforceRange]: offset and stride are required unsigned longs (TypeError otherwise)', () => {
    for (const layout of [[{ offset: -1, stride: 16 }], [{ offset: 0 }], [{ stride: 16 }], [{ offset: 0, stride: 2 ** 32 }]]) {
      expectThrowsNamed(() => new VideoFrame(rgbaBytes(), rgba({ layout: layout as never })), 'TypeError')
    }
  })
})
