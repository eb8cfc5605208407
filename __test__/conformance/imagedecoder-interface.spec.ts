// § 10.2 ImageDecoder Interface (https://w3c.github.io/webcodecs/#imagedecoder-interface)
// with 10.3 ImageDecoderInit, 10.4 ImageDecodeOptions and 10.5 ImageDecodeResult,
// subsection by subsection; numbers as in the editor's draft of 2026-05. ImageTrackList
// and ImageTrack have specs of their own.
import { describe, expect, it } from 'vitest'

import { ImageDecoder, VideoFrame, type ImageDecodeResult, type ImageDecoderInit } from '../../index.js'
import { checkCountersReturn, detachedBuffer, expectReadonlyAttributes, gifs, nameOf, nextTask, settle } from '../helpers/conformance.js'
import { expectRejectsNamed, expectThrowsNamed } from '../helpers/errors.js'
import { streamOf } from '../helpers/image.js'

checkCountersReturn()

const init = (extra: Partial<ImageDecoderInit> = {}): ImageDecoderInit => ({ type: 'image/gif', data: gifs.animated(), ...extra })

/** Runs `test` with a new decoder, closed once the test is done. */
async function withDecoder<T>(test: (decoder: ImageDecoder) => Promise<T> | T, extra: Partial<ImageDecoderInit> = {}): Promise<T> {
  const decoder = new ImageDecoder(init(extra))
  try {
    return await test(decoder)
  } finally {
    decoder.close()
  }
}

/** A decode's frame as a record; the frame is closed. */
async function decoded(result: Promise<ImageDecodeResult>) {
  const { image, complete } = await result
  const record = { complete, timestamp: image.timestamp, duration: image.duration, size: [image.codedWidth, image.codedHeight], isFrame: image instanceof VideoFrame }
  image.close()
  return record
}

/** A stream that hands out `bytes` and then never ends (until cancelled). */
const openStream = (bytes: Uint8Array) => new ReadableStream<Uint8Array>({ start: (controller) => controller.enqueue(bytes) })

describe('10.2 ImageDecoder Interface', () => {
  describe('10.2.1 Internal Slots', () => {
    it('[[type]], [[ImageTrackList]] and [[completed promise]] are each one value for the decoder\'s life', () =>
      withDecoder((decoder) => {
        expect(decoder.type).toBe('image/gif')
        expect(decoder.tracks).toBe(decoder.tracks)
        expect(decoder.completed).toBe(decoder.completed)
      }))

    it('[[closed]]: once closed, decode() rejects with InvalidStateError', async () => {
      const decoder = new ImageDecoder(init())
      decoder.close()
      await expectRejectsNamed(decoder.decode(), 'InvalidStateError')
    })
  })

  describe('10.2.2 Constructor', () => {
    const invalid: [string, Partial<ImageDecoderInit>][] = [
      ['type not an image MIME type', { type: 'video/mp4' }],
      ['type not a MIME type string', { type: 'gif' }],
      ['type empty', { type: '' }],
      ['data empty', { data: new Uint8Array(0) }],
      ['data detached', { data: detachedBuffer() }],
      ['desiredWidth without desiredHeight', { desiredWidth: 4 }],
      ['desiredHeight without desiredWidth', { desiredHeight: 4 }],
    ]
    for (const [label, extra] of invalid) {
      it(`step 1: not a valid ImageDecoderInit (${label}) is a TypeError`, () => {
        expectThrowsNamed(() => new ImageDecoder(init(extra)), 'TypeError')
      })
    }

    it('step 1: a locked ReadableStream is not valid (TypeError)', () => {
      const stream = streamOf(gifs.animated(), 2)
      const reader = stream.getReader()
      expectThrowsNamed(() => new ImageDecoder(init({ data: stream })), 'TypeError')
      reader.releaseLock()
    })

    it('step 1: a disturbed ReadableStream is not valid (TypeError)', async () => {
      const stream = streamOf(gifs.animated(), 2)
      const reader = stream.getReader()
      await reader.read()
      reader.releaseLock()
      let decoder: ImageDecoder | undefined
      try {
        expectThrowsNamed(() => (decoder = new ImageDecoder(init({ data: stream }))), 'TypeError')
      } finally {
        decoder?.close()
      }
    })

    it('WebIDL: type and data are required, colorSpaceConversion must be a ColorSpaceConversion (TypeError)', () => {
      expectThrowsNamed(() => new ImageDecoder({ data: gifs.still() } as unknown as ImageDecoderInit), 'TypeError')
      expectThrowsNamed(() => new ImageDecoder({ type: 'image/gif' } as ImageDecoderInit), 'TypeError')
      expectThrowsNamed(() => new ImageDecoder(init({ colorSpaceConversion: 'srgb' as never })), 'TypeError')
    })

    it('step 2: a transfer list naming one ArrayBuffer twice is a DataCloneError', () => {
      const buffer = gifs.animated().buffer as ArrayBuffer
      expectThrowsNamed(() => new ImageDecoder(init({ data: buffer, transfer: [buffer, buffer] })), 'DataCloneError')
      expect(buffer.byteLength).toBeGreaterThan(0)
    })

    it('step 3: a detached ArrayBuffer in transfer is a DataCloneError', () => {
      expectThrowsNamed(() => new ImageDecoder(init({ transfer: [detachedBuffer()] })), 'DataCloneError')
    })

    it('step 9: [[type]] is the type as given, parameters included', () =>
      withDecoder((decoder) => expect(decoder.type).toBe('image/gif; x=1'), { type: 'image/gif; x=1' }))

    it('step 18.3: a buffer is copied: later writes to it do not change the image', async () => {
      const data = gifs.animated()
      const decoder = new ImageDecoder(init({ data }))
      data.fill(0)
      expect(await decoded(decoder.decode({ frameIndex: 2 }))).toMatchObject({ timestamp: 300_000 })
      decoder.close()
    })

    it('steps 18.4-18.5: with a buffer, [[complete]] is true and completed resolved when the constructor returns', async () => {
      await withDecoder(async (decoder) => {
        const complete = decoder.complete
        await decoder.completed
        expect(complete).toBe(true)
      })
    })

    it('steps 18.4-18.5: with a buffer, completed resolves and complete is true', () =>
      withDecoder(async (decoder) => {
        await decoder.completed
        expect(decoder.complete).toBe(true)
      }))

    it('step 17: with a stream, complete is false until the stream ends, then completed resolves', async () => {
      const decoder = new ImageDecoder(init({ data: streamOf(gifs.animated(), 4) }))
      expect(decoder.complete).toBe(false)
      await decoder.completed
      expect(decoder.complete).toBe(true)
      decoder.close()
    })

    it('step 19: every ArrayBuffer in transfer is detached; the decoder keeps the image', async () => {
      const buffer = gifs.animated().buffer as ArrayBuffer
      const other = new ArrayBuffer(4)
      const decoder = new ImageDecoder(init({ data: buffer, transfer: [buffer, other] }))
      expect([buffer.byteLength, other.byteLength]).toEqual([0, 0])
      expect((await decoded(decoder.decode())).complete).toBe(true)
      decoder.close()
    })

    it('"configure the image decoder" step 2: an unsupported type closes the decoder with NotSupportedError', async () => {
      const decoder = new ImageDecoder(init({ type: 'image/x-unknown' }))
      await expectRejectsNamed(decoder.tracks.ready, 'NotSupportedError')
      await expectRejectsNamed(decoder.decode(), 'InvalidStateError')
      expect(() => decoder.close()).not.toThrow()
    })

    it('"Close ImageDecoder" step 4 after steps 18.4-18.5: an unsupported type with a buffer leaves completed resolved', async () => {
      const decoder = new ImageDecoder(init({ type: 'image/x-unknown' }))
      const [outcome] = await settle(decoder.completed)
      decoder.close()
      expect(outcome).toBe('resolved')
    })
  })

  describe('10.2.3 Attributes', () => {
    it('type, complete, completed and tracks are read-only accessors on the prototype', () => {
      expectReadonlyAttributes(ImageDecoder.prototype, ['type', 'complete', 'completed', 'tracks'])
    })

    it('tracks is live: the same list, filled in once the tracks are established', () =>
      withDecoder(async (decoder) => {
        const tracks = decoder.tracks
        await tracks.ready
        expect(decoder.tracks).toBe(tracks)
        expect(tracks.length).toBe(1)
      }))
  })

  describe('10.2.4 Methods', () => {
    describe('decode(options)', () => {
      it('step 1: [[closed]] returns a promise rejected with InvalidStateError', async () => {
        const decoder = new ImageDecoder(init())
        await decoder.tracks.ready
        decoder.close()
        await expectRejectsNamed(decoder.decode(), 'InvalidStateError')
      })

      it('step 2: no selected track returns a promise rejected with InvalidStateError', () =>
        withDecoder(async (decoder) => {
          await decoder.tracks.ready
          decoder.tracks.selectedTrack!.selected = false
          await expectRejectsNamed(decoder.decode(), 'InvalidStateError')
        }))

      it('step 3: without options, frame 0; the result is an ImageDecodeResult whose image is a VideoFrame', () =>
        withDecoder(async (decoder) => {
          expect(await decoded(decoder.decode())).toEqual({ complete: true, timestamp: 0, duration: 100_000, size: [2, 2], isFrame: true })
        }))

      // Step 2 reads the track list's selected index, which is -1 until the tracks are
      // established; its control message then waits for them (step 1.1), which is what
      // we (and Chromium) do for a decode() called that early.
      it('the control message step 1.1: a decode() before tracks.ready waits for the tracks', () =>
        withDecoder(async (decoder) => {
          expect(decoder.tracks.selectedIndex).toBe(-1)
          expect((await decoded(decoder.decode({ frameIndex: 1 }))).timestamp).toBe(100_000)
        }))
    })

    describe('reset()', () => {
      it('runs "Reset ImageDecoder" with AbortError: pending decodes reject; the decoder stays usable', () =>
        withDecoder(async (decoder) => {
          await decoder.tracks.ready
          const pending = [settle(decoder.decode({ frameIndex: 1 })), settle(decoder.decode({ frameIndex: 2 }))]
          decoder.reset()
          const outcomes = await Promise.all(pending)
          expect(outcomes.map(([outcome, error]) => [outcome, nameOf(error)])).toEqual([['rejected', 'AbortError'], ['rejected', 'AbortError']])
          expect((await decoded(decoder.decode({ frameIndex: 2 }))).timestamp).toBe(300_000)
        }))
    })

    describe('close()', () => {
      it('runs "Close ImageDecoder" with AbortError: pending decodes reject, the track list empties', async () => {
        const decoder = new ImageDecoder(init())
        await decoder.tracks.ready
        const pending = settle(decoder.decode({ frameIndex: 2 }))
        decoder.close()
        const [outcome, error] = await pending
        expect([outcome, nameOf(error)]).toEqual(['rejected', 'AbortError'])
        expect([decoder.tracks.length, decoder.tracks.selectedIndex, decoder.tracks.selectedTrack]).toEqual([0, -1, null])
      })

      it('close is final; closing again or resetting a closed decoder does nothing', () => {
        const decoder = new ImageDecoder(init())
        decoder.close()
        expect(() => decoder.close()).not.toThrow()
        expect(() => decoder.reset()).not.toThrow()
      })
    })

    describe('isTypeSupported(type)', () => {
      it('steps 3.1-3.2: resolves with whether a codec decodes the type', async () => {
        const answers = await Promise.all(['image/gif', 'image/png', 'image/jpeg', 'image/webp', 'image/bmp', 'image/avif', 'image/x-unknown'].map((t) => ImageDecoder.isTypeSupported(t)))
        expect(answers).toEqual([true, true, true, true, true, true, false])
      })

      it('step 1: a type that is not a valid image MIME type returns a promise rejected with TypeError', async () => {
        for (const type of ['video/mp4', 'not a mime type', '']) await expectRejectsNamed(ImageDecoder.isTypeSupported(type), 'TypeError')
      })
    })
  })

  describe('10.2.5 Algorithms', () => {
    describe('Fetch Stream Data Loop (with reader)', () => {
      it('chunk steps 2: a chunk that is not a Uint8Array closes the decoder with DataError', async () => {
        const stream = new ReadableStream({ start: (controller) => (controller.enqueue('GIF89a'), controller.close()) })
        const decoder = new ImageDecoder(init({ data: stream as ReadableStream<Uint8Array> }))
        await expectRejectsNamed(decoder.tracks.ready, 'DataError')
        await expectRejectsNamed(decoder.completed, 'DataError')
      })

      it('error steps: a stream that errors closes the decoder with NotReadableError', async () => {
        const stream = new ReadableStream<Uint8Array>({ start: (controller) => (controller.enqueue(gifs.animated().slice(0, 20)), controller.error(new Error('gone'))) })
        const decoder = new ImageDecoder(init({ data: stream }))
        await expectRejectsNamed(decoder.completed, 'NotReadableError')
      })
    })

    describe('Establish Tracks', () => {
      it('steps 5-10: one track per image, animated or not, its frame and repetition counts; ready resolves', async () => {
        const tracks = async (data: Uint8Array) =>
          withDecoder(async (decoder) => {
            await decoder.tracks.ready
            const t = decoder.tracks.selectedTrack!
            return [decoder.tracks.length, decoder.tracks.selectedIndex, t.animated, t.frameCount, t.repetitionCount]
          }, { data })
        expect(await tracks(gifs.animated(3, 0))).toEqual([1, 0, true, 3, Infinity])
        expect(await tracks(gifs.animated(2, 4))).toEqual([1, 0, true, 2, 4])
        expect(await tracks(gifs.still())).toEqual([1, 0, false, 1, 0])
      })

      it('step 2.1: data that is complete but too short to find the tracks closes the decoder with InvalidStateError', async () => {
        const decoder = new ImageDecoder(init({ data: gifs.animated().slice(0, 5) }))
        const pending = decoder.decode()
        await expectRejectsNamed(decoder.tracks.ready, 'InvalidStateError')
        // "Close ImageDecoder" with that exception: pending decodes reject with it too.
        await expectRejectsNamed(pending, 'InvalidStateError')
        await decoder.completed
      })
    })

    describe('Update Tracks', () => {
      it('while a stream delivers, frameCount grows to the final count once the data is complete', () =>
        withDecoder(async (decoder) => {
          await decoder.tracks.ready
          const early = decoder.tracks.selectedTrack!.frameCount
          await decoder.completed
          expect(early).toBeLessThanOrEqual(5)
          expect(decoder.tracks.selectedTrack!.frameCount).toBe(5)
        }, { data: streamOf(gifs.animated(5), 6) }))
    })

    describe('Decode Complete Frame (with frameIndex and promise)', () => {
      it('step 11: complete true, the duration and timestamp the file describes', () =>
        withDecoder(async (decoder) => {
          const frames = await Promise.all([0, 1, 2].map((frameIndex) => decoded(decoder.decode({ frameIndex }))))
          expect(frames.map((f) => [f.complete, f.timestamp, f.duration])).toEqual([[true, 0, 100_000], [true, 100_000, 200_000], [true, 300_000, 100_000]])
        }))

      it('step 11.3.1: a still image has timestamp 0', () => withDecoder(async (decoder) => expect((await decoded(decoder.decode())).timestamp).toBe(0), { data: gifs.still() }))

      it('steps 4 and 7: a decode of a frame still arriving resolves once its bytes are in', async () => {
        const bytes = gifs.animated()
        let controller!: ReadableStreamDefaultController<Uint8Array>
        const stream = new ReadableStream<Uint8Array>({ start: (c) => void (controller = c) })
        const decoder = new ImageDecoder(init({ data: stream }))
        controller.enqueue(bytes.slice(0, 40))
        const pending = decoded(decoder.decode({ frameIndex: 2 }))
        await nextTask(10)
        controller.enqueue(bytes.slice(40))
        controller.close()
        expect((await pending).timestamp).toBe(300_000)
        decoder.close()
      })

      it('step 5 ("Fatally Reject Bad Data"): malformed data closes the decoder with EncodingError', async () => {
        const decoder = new ImageDecoder(init({ data: gifs.corrupt() }))
        const [outcome, error] = await settle(decoder.decode({ frameIndex: 1 }))
        expect([outcome, nameOf(error)]).toEqual(['rejected', 'EncodingError'])
        await expectRejectsNamed(decoder.decode(), 'InvalidStateError')
      })
    })

    describe('Reject Infeasible Decode (with promise)', () => {
      it('step 2: with the data complete, a frame index past the end rejects with RangeError', () =>
        withDecoder(async (decoder) => {
          await decoder.completed
          await expectRejectsNamed(decoder.decode({ frameIndex: 3 }), 'RangeError')
          // The decoder is not closed by it.
          expect((await decoded(decoder.decode({ frameIndex: 0 }))).complete).toBe(true)
        }))
    })

    describe('Close ImageDecoder (with exception)', () => {
      it('step 3: no tracks yet: ready rejects with the exception; step 4: not complete: completed rejects with it', async () => {
        const decoder = new ImageDecoder(init({ data: openStream(gifs.animated().slice(0, 8)) }))
        const ready = settle(decoder.tracks.ready)
        const completed = settle(decoder.completed)
        await nextTask(10)
        decoder.close()
        expect((await Promise.all([ready, completed])).map(([outcome, error]) => [outcome, nameOf(error)])).toEqual([['rejected', 'AbortError'], ['rejected', 'AbortError']])
      })

      it('step 4: complete data: completed stays resolved', async () => {
        const decoder = new ImageDecoder(init())
        await decoder.completed
        decoder.close()
        expect((await settle(decoder.completed))[0]).toBe('resolved')
      })
    })
  })
})

describe('10.3 ImageDecoderInit Interface', () => {
  it('desiredWidth and desiredHeight: decoded frames at that size (best effort; we scale)', () =>
    withDecoder(async (decoder) => expect((await decoded(decoder.decode())).size).toEqual([4, 6]), { desiredWidth: 4, desiredHeight: 6 }))

  it('colorSpaceConversion "none" and preferAnimation are accepted', () =>
    withDecoder(async (decoder) => {
      await decoder.tracks.ready
      expect(decoder.tracks.selectedTrack!.animated).toBe(true)
    }, { colorSpaceConversion: 'none', preferAnimation: false }))
})

describe('10.4 ImageDecodeOptions Interface', () => {
  it('WebIDL [EnforceRange] frameIndex: negative or NaN is a TypeError, as a rejected promise', () =>
    withDecoder(async (decoder) => {
      for (const frameIndex of [-1, NaN]) await expectRejectsNamed(decoder.decode({ frameIndex }), 'TypeError')
    }))

  it('completeFramesOnly false: a GIF is no Progressive Image, so the whole frame (complete: true)', () =>
    withDecoder(async (decoder) => expect((await decoded(decoder.decode({ frameIndex: 1, completeFramesOnly: false }))).complete).toBe(true)))
})

describe('10.5 ImageDecodeResult Interface', () => {
  it('image is a VideoFrame the caller owns; complete is a boolean', () =>
    withDecoder(async (decoder) => {
      const result = await decoder.decode()
      expect(Object.keys(result).sort()).toEqual(['complete', 'image'])
      expect(result.image).toBeInstanceOf(VideoFrame)
      decoder.close()
      // The frame outlives the decoder.
      expect(result.image.format).toBe('RGBA')
      result.image.close()
    }))
})
