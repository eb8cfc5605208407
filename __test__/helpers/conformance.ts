// What the conformance specs (__test__/conformance/) share: the baseline leak check,
// small tools, the steps of the two encoded chunk interfaces (which the draft defines
// alike) and image fixtures. The codec interfaces' shared steps are in codec-conformance.ts.
import { afterAll, expect, it } from 'vitest'

import { expectThrowsNamed } from './errors.js'
import { buildGif } from './image.js'
import { assertNoLeaks, snapshot } from './leak-check.js'

/** Checks, once the file is done, that getCounters() is back to what it was when the file started. */
export function checkCountersReturn(): void {
  const baseline = snapshot()
  afterAll(() => assertNoLeaks(baseline))
}

/** Resolves after a macrotask: tasks queued before it (codec messages already in) have run. */
export const nextTask = (ms = 0) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/** Settles `promise` to `['resolved', value]` or `['rejected', error]` without throwing. */
export function settle<T>(promise: Promise<T>): Promise<['resolved', T] | ['rejected', unknown]> {
  return promise.then(
    (value) => ['resolved', value] as ['resolved', T],
    (error: unknown) => ['rejected', error] as ['rejected', unknown],
  )
}

/** The name of an error (TypeError, or a DOMException's name). */
export const nameOf = (error: unknown) => (error as Error).name

/** A detached ArrayBuffer of `bytes` bytes. */
export function detachedBuffer(bytes = 8): ArrayBuffer {
  const buffer = new ArrayBuffer(bytes)
  structuredClone(buffer, { transfer: [buffer] })
  return buffer
}

/** What EncodedAudioChunk and EncodedVideoChunk share: the chunk as its specs use it. */
export interface Chunk {
  readonly type: 'key' | 'delta'
  readonly timestamp: number
  readonly duration: number | null
  readonly byteLength: number
  copyTo(destination: ArrayBuffer | SharedArrayBuffer | ArrayBufferView): void
}

export interface ChunkInit {
  type: 'key' | 'delta'
  timestamp: number
  duration?: number
  data: ArrayBuffer | SharedArrayBuffer | ArrayBufferView
  transfer?: ArrayBuffer[]
}

/** The chunk's bytes. */
function bytesOf(chunk: Chunk): number[] {
  const out = new Uint8Array(chunk.byteLength)
  chunk.copyTo(out)
  return Array.from(out)
}

/**
 * The steps of the two encoded chunk interfaces (8.1 EncodedAudioChunk, 8.2
 * EncodedVideoChunk), which the draft defines alike; `Chunk` is the interface object.
 */
export const chunkSteps = {
  internalSlots(Chunk: new (init: ChunkInit) => Chunk): void {
    it('[[internal data]] is a copy of init.data: later writes to data do not show', () => {
      const data = new Uint8Array([1, 2, 3])
      const chunk = new Chunk({ type: 'key', timestamp: 0, data })
      data.fill(9)
      expect(bytesOf(chunk)).toEqual([1, 2, 3])
    })

    it('[[byte length]] is the byte length of the data (a view counts its own bytes only)', () => {
      const view = new Uint8Array([0, 1, 2, 3, 4, 5]).subarray(2, 5)
      const chunk = new Chunk({ type: 'delta', timestamp: 0, data: view })
      expect([chunk.byteLength, bytesOf(chunk)]).toEqual([3, [2, 3, 4]])
    })
  },

  constructors(Chunk: new (init: ChunkInit) => Chunk): void {
    const data = new Uint8Array(4)
    const make = (init: unknown) => () => new Chunk(init as ChunkInit)

    it('WebIDL: type, timestamp and data are required; type must be an EncodedChunkType (TypeError)', () => {
      expectThrowsNamed(make({ timestamp: 0, data }), 'TypeError')
      expectThrowsNamed(make({ type: 'key', data }), 'TypeError')
      expectThrowsNamed(make({ type: 'key', timestamp: 0 }), 'TypeError')
      expectThrowsNamed(make({ type: 'Key', timestamp: 0, data }), 'TypeError')
      expectThrowsNamed(make({ type: 'key', timestamp: 0, data: 'bytes' }), 'TypeError')
    })

    it('WebIDL [EnforceRange]: timestamp and duration out of range or not finite are TypeErrors; fractions truncate', () => {
      for (const timestamp of [NaN, Infinity, 2 ** 53, -(2 ** 53)]) expectThrowsNamed(make({ type: 'key', timestamp, data }), 'TypeError')
      for (const duration of [-1, NaN, 2 ** 53]) expectThrowsNamed(make({ type: 'key', timestamp: 0, duration, data }), 'TypeError')
      const chunk = new Chunk({ type: 'key', timestamp: -7.9, duration: 2.9, data })
      expect([chunk.timestamp, chunk.duration]).toEqual([-7, 2])
    })

    it('step 1: a transfer list naming one ArrayBuffer twice is a DataCloneError, and nothing is detached', () => {
      const buffer = new ArrayBuffer(4)
      expectThrowsNamed(make({ type: 'key', timestamp: 0, data: buffer, transfer: [buffer, buffer] }), 'DataCloneError')
      expect(buffer.byteLength).toBe(4)
    })

    it('step 2: a detached ArrayBuffer in transfer is a DataCloneError', () => {
      expectThrowsNamed(make({ type: 'key', timestamp: 0, data, transfer: [detachedBuffer()] }), 'DataCloneError')
    })

    it('step 3: type, timestamp, duration (null when absent, 0 kept) and byte length from the init', () => {
      const a = new Chunk({ type: 'delta', timestamp: -42, duration: 0, data })
      const b = new Chunk({ type: 'key', timestamp: 5, data: new ArrayBuffer(0) })
      expect([a.type, a.timestamp, a.duration, a.byteLength]).toEqual(['delta', -42, 0, 4])
      expect([b.type, b.timestamp, b.duration, b.byteLength]).toEqual(['key', 5, null, 0])
    })

    it('step 3: data may be an ArrayBuffer, a view, a DataView or a SharedArrayBuffer (AllowSharedBufferSource)', () => {
      const shared = new SharedArrayBuffer(2)
      new Uint8Array(shared).set([7, 8])
      const sources = [new Uint8Array([7, 8]).buffer, new Uint16Array([0x0807]), new DataView(new Uint8Array([7, 8]).buffer), shared]
      for (const source of sources) expect(bytesOf(new Chunk({ type: 'key', timestamp: 0, data: source }))).toEqual([7, 8])
    })

    it('step 4: every ArrayBuffer in transfer is detached, the data\'s and any other', () => {
      const own = new Uint8Array([1, 2]).buffer
      const other = new ArrayBuffer(3)
      const chunk = new Chunk({ type: 'key', timestamp: 0, data: own, transfer: [own, other] })
      expect([own.byteLength, other.byteLength]).toEqual([0, 0])
      expect(bytesOf(chunk)).toEqual([1, 2])
    })
  },

  attributes(Chunk: new (init: ChunkInit) => Chunk): void {
    it('type, timestamp, duration and byteLength are read-only accessors on the prototype', () => {
      expectReadonlyAttributes(Chunk.prototype, ['type', 'timestamp', 'duration', 'byteLength'])
      const chunk = new Chunk({ type: 'key', timestamp: 1, data: new Uint8Array(1) })
      expect(() => ((chunk as unknown as { timestamp: number }).timestamp = 2)).toThrow(TypeError)
      expect(chunk.timestamp).toBe(1)
    })
  },

  methods(Chunk: new (init: ChunkInit) => Chunk): void {
    const chunk = () => new Chunk({ type: 'key', timestamp: 0, data: new Uint8Array([1, 2, 3]) })

    it('copyTo step 1: a destination smaller than [[byte length]] is a TypeError, and nothing is written', () => {
      const destination = new Uint8Array(2)
      expectThrowsNamed(() => chunk().copyTo(destination), 'TypeError')
      expect(Array.from(destination)).toEqual([0, 0])
      expectThrowsNamed(() => chunk().copyTo(detachedBuffer()), 'TypeError')
    })

    it('copyTo step 2: copies [[internal data]] to the start of the destination, the rest untouched', () => {
      const destination = new Uint8Array(5).fill(9)
      chunk().copyTo(destination)
      expect(Array.from(destination)).toEqual([1, 2, 3, 9, 9])
    })

    it('copyTo takes any AllowSharedBufferSource: ArrayBuffer, view at an offset, DataView, SharedArrayBuffer', () => {
      const buffer = new ArrayBuffer(3)
      chunk().copyTo(buffer)
      const backing = new Uint8Array(6)
      chunk().copyTo(backing.subarray(2))
      const view = new DataView(new ArrayBuffer(3))
      chunk().copyTo(view)
      const shared = new SharedArrayBuffer(3)
      chunk().copyTo(shared)
      expect([Array.from(new Uint8Array(buffer)), Array.from(backing), [view.getUint8(0), view.getUint8(2)], Array.from(new Uint8Array(shared))]).toEqual([
        [1, 2, 3],
        [0, 0, 1, 2, 3, 0],
        [1, 3],
        [1, 2, 3],
      ])
    })

    it('WebIDL: a destination that is not a buffer is a TypeError', () => {
      expectThrowsNamed(() => chunk().copyTo({} as never), 'TypeError')
    })
  },

  serialization(Chunk: new (init: ChunkInit) => Chunk): void {
    it.fails('[Serializable]: structuredClone() gives a chunk of the same interface, slots and bytes', () => {
      const chunk = new Chunk({ type: 'delta', timestamp: 3, duration: 4, data: new Uint8Array([5, 6]) })
      const copy = structuredClone(chunk)
      expect(copy instanceof Chunk).toBe(true)
      expect([copy.type, copy.timestamp, copy.duration, bytesOf(copy)]).toEqual(['delta', 3, 4, [5, 6]])
    })
  },
}

/** GIFs for the image specs: 2x2 frames of one palette colour each, 100 ms, 200 ms, 100 ms, ... */
export const gifs = {
  /** `frames` frames; a NETSCAPE2.0 loop count (0: for ever) unless `loops` is null. */
  animated(frames = 3, loops: number | null = 0): Uint8Array {
    const palette = [0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0, 255]
    const frame = (i: number) => ({ left: 0, top: 0, width: 2, height: 2, indices: Array(4).fill(1 + (i % 3)), delay: i % 2 ? 20 : 10, disposal: 1 })
    return buildGif(2, 2, palette, Array.from({ length: frames }, (_, i) => frame(i)), loops ?? undefined)
  },
  still(): Uint8Array {
    return gifs.animated(1, null)
  },
  /** An animation whose image data is garbage from within its first frame on (its header, loop count and first image descriptor stay intact). */
  corrupt(): Uint8Array {
    const bytes = gifs.animated()
    bytes.fill(0xff, 64)
    return bytes
  },
}

/** Expects each of `names` to be a WebIDL readonly attribute of `prototype`: a getter and no setter. */
export function expectReadonlyAttributes(prototype: object, names: readonly string[]): void {
  for (const name of names) {
    const descriptor = Object.getOwnPropertyDescriptor(prototype, name)
    expect(typeof descriptor?.get, name).toBe('function')
    expect(descriptor?.set, name).toBeUndefined()
  }
}

/**
 * 9.2.6 and 9.4.7: AudioData and VideoFrame are [Serializable, Transferable]. `make`
 * gives a new open instance of `Interface`.
 */
export function transferAndSerializationSteps(Interface: abstract new (...args: never[]) => unknown, make: () => { readonly format: unknown; close(): void }): void {
  it.fails(`[Serializable]: structuredClone() gives a new ${Interface.name} on the same media resource`, () => {
    const original = make()
    try {
      const copy = structuredClone(original)
      expect(copy).toBeInstanceOf(Interface)
      copy.close()
    } finally {
      original.close()
    }
  })

  it.fails(`[Transferable]: a transferred ${Interface.name} arrives, and the source is closed`, () => {
    const original = make()
    try {
      const moved = structuredClone(original, { transfer: [original as never] })
      expect([moved instanceof Interface, original.format]).toEqual([true, null])
      moved.close()
    } finally {
      original.close()
    }
  })
}
