import { afterAll, describe, expect, it } from 'vitest'

import { EncodedAudioChunk, EncodedVideoChunk, VideoColorSpace } from '../index.js'
import { expectThrowsNamed } from './helpers/errors.js'
import { assertNoLeaks } from './helpers/leak-check.js'

afterAll(() => assertNoLeaks())

for (const Chunk of [EncodedVideoChunk, EncodedAudioChunk]) {
  describe(Chunk.name, () => {
    it('reports type, timing and size, and copies its bytes out', () => {
      const chunk = new Chunk({ type: 'key', timestamp: 42, duration: 10, data: new Uint8Array([1, 2, 3]) })
      expect(chunk.type).toBe('key')
      expect(chunk.timestamp).toBe(42)
      expect(chunk.duration).toBe(10)
      expect(chunk.byteLength).toBe(3)
      const out = new Uint8Array(5)
      chunk.copyTo(out)
      expect(Array.from(out)).toEqual([1, 2, 3, 0, 0])
    })

    it('has a null duration when none is given', () => {
      const chunk = new Chunk({ type: 'delta', timestamp: 0, data: new ArrayBuffer(0) })
      expect(chunk.type).toBe('delta')
      expect(chunk.duration).toBeNull()
      expect(chunk.byteLength).toBe(0)
    })

    it('copies the data at construction', () => {
      const data = new Uint8Array([7, 7])
      const chunk = new Chunk({ type: 'key', timestamp: 0, data })
      data.fill(0)
      const out = new Uint8Array(2)
      chunk.copyTo(out)
      expect(Array.from(out)).toEqual([7, 7])
    })

    it('takes a transferred buffer and detaches it', () => {
      const buffer = new Uint8Array([9, 8, 7]).buffer
      const chunk = new Chunk({ type: 'key', timestamp: 0, data: buffer, transfer: [buffer] })
      expect(buffer.byteLength).toBe(0)
      const out = new Uint8Array(3)
      chunk.copyTo(out)
      expect(Array.from(out)).toEqual([9, 8, 7])
    })

    it('throws TypeError for a bad init or a small destination', () => {
      const data = new Uint8Array(4)
      expectThrowsNamed(() => new Chunk({ type: 'intra' as 'key', timestamp: 0, data }), 'TypeError')
      expectThrowsNamed(() => new Chunk({ timestamp: 0, data } as never), 'TypeError')
      expectThrowsNamed(() => new Chunk({ type: 'key', data } as never), 'TypeError')
      expectThrowsNamed(() => new Chunk({ type: 'key', timestamp: 0 } as never), 'TypeError')
      expectThrowsNamed(() => new Chunk({ type: 'key', timestamp: 0, duration: -1, data }), 'TypeError')
      const chunk = new Chunk({ type: 'key', timestamp: 0, data })
      expectThrowsNamed(() => chunk.copyTo(new Uint8Array(3)), 'TypeError')
    })
  })
}

describe('VideoColorSpace', () => {
  it('holds the init members and serialises them with toJSON', () => {
    const cs = new VideoColorSpace({ primaries: 'bt2020', transfer: 'pq', matrix: 'bt2020-ncl', fullRange: false })
    expect([cs.primaries, cs.transfer, cs.matrix, cs.fullRange]).toEqual(['bt2020', 'pq', 'bt2020-ncl', false])
    expect(JSON.parse(JSON.stringify(cs))).toEqual({ primaries: 'bt2020', transfer: 'pq', matrix: 'bt2020-ncl', fullRange: false })
  })

  it('has null members when constructed empty', () => {
    const cs = new VideoColorSpace()
    expect([cs.primaries, cs.transfer, cs.matrix, cs.fullRange]).toEqual([null, null, null, null])
    expect(cs.toJSON()).toEqual({ primaries: null, transfer: null, matrix: null, fullRange: null })
  })

  it('throws TypeError for values outside the enums', () => {
    expectThrowsNamed(() => new VideoColorSpace({ primaries: 'p3' as 'bt709' }), 'TypeError')
    expectThrowsNamed(() => new VideoColorSpace({ transfer: 'gamma22' as 'bt709' }), 'TypeError')
  })
})
