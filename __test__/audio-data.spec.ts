import { afterAll, describe, expect, it } from 'vitest'

import { AudioData, type AudioDataInit, type AudioSampleFormat } from '../index.js'
import { expectThrowsNamed } from './helpers/errors.js'
import { assertNoLeaks } from './helpers/leak-check.js'

afterAll(() => assertNoLeaks())

const formats: AudioSampleFormat[] = ['u8', 's16', 's32', 'f32', 'u8-planar', 's16-planar', 's32-planar', 'f32-planar']

function stereoF32(frames: number[][]): AudioData {
  // Interleaved [L0, R0, L1, R1, ...].
  return new AudioData({
    format: 'f32',
    sampleRate: 48000,
    numberOfFrames: frames.length,
    numberOfChannels: 2,
    timestamp: 1000,
    data: new Float32Array(frames.flat()),
  })
}

function read(data: AudioData, options: Parameters<AudioData['copyTo']>[1]): ArrayBuffer {
  const out = new ArrayBuffer(data.allocationSize(options))
  data.copyTo(out, options)
  return out
}

describe('AudioData constructor', () => {
  it('reports the attributes of the init', () => {
    const data = new AudioData({
      format: 's16-planar',
      sampleRate: 44100,
      numberOfFrames: 441,
      numberOfChannels: 3,
      timestamp: -500,
      data: new Int16Array(441 * 3),
    })
    expect(data.format).toBe('s16-planar')
    expect(data.sampleRate).toBe(44100)
    expect(data.numberOfFrames).toBe(441)
    expect(data.numberOfChannels).toBe(3)
    expect(data.timestamp).toBe(-500)
    expect(data.duration).toBe(10_000)
    data.close()
  })

  describe('throws TypeError for an invalid init', () => {
    const good: AudioDataInit = { format: 'f32', sampleRate: 48000, numberOfFrames: 4, numberOfChannels: 2, timestamp: 0, data: new Float32Array(8) }
    const cases: [string, Partial<Record<keyof AudioDataInit, unknown>>][] = [
      ['an unknown format', { format: 'f64' }],
      ['sampleRate 0', { sampleRate: 0 }],
      ['a negative sampleRate', { sampleRate: -48000 }],
      ['numberOfFrames 0', { numberOfFrames: 0 }],
      ['numberOfChannels 0', { numberOfChannels: 0 }],
      ['a NaN numberOfFrames', { numberOfFrames: NaN }],
      ['data too small', { data: new Float32Array(7) }],
      ['data that is not a buffer', { data: [0, 0, 0, 0, 0, 0, 0, 0] }],
      ['no timestamp', { timestamp: undefined }],
      ['no data', { data: undefined }],
    ]
    for (const [what, patch] of cases) {
      it(`for ${what}`, () => {
        expectThrowsNamed(() => new AudioData({ ...good, ...patch } as AudioDataInit), 'TypeError')
      })
    }
  })

  it('copies the data, so later writes to the buffer do not show', () => {
    const samples = new Uint8Array([1, 2, 3, 4])
    const data = new AudioData({ format: 'u8', sampleRate: 8000, numberOfFrames: 4, numberOfChannels: 1, timestamp: 0, data: samples })
    samples.fill(0)
    expect(Array.from(new Uint8Array(read(data, { planeIndex: 0 })))).toEqual([1, 2, 3, 4])
    data.close()
  })

  it('takes a transferred buffer and detaches it', () => {
    const buffer = new Int16Array([5, -5, 7, -7]).buffer
    const data = new AudioData({ format: 's16', sampleRate: 8000, numberOfFrames: 2, numberOfChannels: 2, timestamp: 0, data: buffer, transfer: [buffer] })
    expect(buffer.byteLength).toBe(0)
    expect(Array.from(new Int16Array(read(data, { planeIndex: 0 })))).toEqual([5, -5, 7, -7])
    data.close()
  })
})

describe('AudioData.copyTo', () => {
  it('splits interleaved input into planes', () => {
    const data = stereoF32([[0.1, -0.1], [0.2, -0.2], [0.3, -0.3]])
    const right = new Float32Array(read(data, { planeIndex: 1, format: 'f32-planar' }))
    expect(Array.from(right)).toEqual(Array.from(new Float32Array([-0.1, -0.2, -0.3])))
    data.close()
  })

  it('copies a window of frames with frameOffset and frameCount', () => {
    const data = stereoF32([[1, 2], [3, 4], [5, 6], [7, 8]].map((f) => f.map((v) => v / 8)))
    const window = new Float32Array(read(data, { planeIndex: 0, frameOffset: 1, frameCount: 2 }))
    expect(Array.from(window)).toEqual([3 / 8, 4 / 8, 5 / 8, 6 / 8])
    expect(data.allocationSize({ planeIndex: 0, frameOffset: 3 })).toBe(8)
    data.close()
  })

  it('converts to known integer values', () => {
    const data = new AudioData({
      format: 'f32-planar',
      sampleRate: 48000,
      numberOfFrames: 4,
      numberOfChannels: 1,
      timestamp: 0,
      data: new Float32Array([1.5, -1, 0.25, -0.25]),
    })
    expect(Array.from(new Int16Array(read(data, { planeIndex: 0, format: 's16' })))).toEqual([32767, -32768, 8192, -8192])
    expect(Array.from(new Int32Array(read(data, { planeIndex: 0, format: 's32-planar' })))).toEqual([2147483647, -2147483648, 1 << 29, -(1 << 29)])
    expect(Array.from(new Uint8Array(read(data, { planeIndex: 0, format: 'u8' })))).toEqual([255, 0, 160, 96])
    data.close()
  })

  it('converts u8 to float with the 128 bias', () => {
    const data = new AudioData({ format: 'u8', sampleRate: 8000, numberOfFrames: 3, numberOfChannels: 1, timestamp: 0, data: new Uint8Array([0, 64, 128]) })
    expect(Array.from(new Float32Array(read(data, { planeIndex: 0, format: 'f32' })))).toEqual([-1, -0.5, 0])
    data.close()
  })

  it('round-trips exact values through every format', () => {
    const values = [-1, -0.5, 0, 0.5]
    const source = new AudioData({ format: 'f32', sampleRate: 48000, numberOfFrames: 4, numberOfChannels: 1, timestamp: 0, data: new Float32Array(values) })
    for (const format of formats) {
      const there = new AudioData({ format, sampleRate: 48000, numberOfFrames: 4, numberOfChannels: 1, timestamp: 0, data: read(source, { planeIndex: 0, format }) })
      expect(Array.from(new Float32Array(read(there, { planeIndex: 0, format: 'f32' }))), format).toEqual(values)
      there.close()
    }
    source.close()
  })

  it('throws RangeError for out-of-range options and a small destination', () => {
    const data = stereoF32([[0, 0], [0, 0]])
    expectThrowsNamed(() => data.allocationSize({ planeIndex: 1 }), 'RangeError')
    expectThrowsNamed(() => data.allocationSize({ planeIndex: 2, format: 'f32-planar' }), 'RangeError')
    expectThrowsNamed(() => data.allocationSize({ planeIndex: 0, frameOffset: 2 }), 'RangeError')
    expectThrowsNamed(() => data.allocationSize({ planeIndex: 0, frameCount: 3 }), 'RangeError')
    expectThrowsNamed(() => data.copyTo(new Float32Array(3), { planeIndex: 0 }), 'RangeError')
    data.close()
  })

  it('throws TypeError for a missing planeIndex', () => {
    const data = stereoF32([[0, 0]])
    expectThrowsNamed(() => data.allocationSize({} as { planeIndex: number }), 'TypeError')
    data.close()
  })
})

describe('AudioData.clone and close', () => {
  it('clone shares the samples and outlives the original', () => {
    const data = stereoF32([[0.5, -0.5]])
    const clone = data.clone()
    data.close()
    expect(clone.timestamp).toBe(1000)
    expect(Array.from(new Float32Array(read(clone, { planeIndex: 0 })))).toEqual([0.5, -0.5])
    clone.close()
  })

  it('close empties the attributes and later use throws InvalidStateError', () => {
    const data = stereoF32([[0, 0]])
    data.close()
    data.close()
    expect(data.format).toBeNull()
    expect(data.numberOfFrames).toBe(0)
    expect(data.sampleRate).toBe(0)
    expect(data.timestamp).toBe(1000)
    expectThrowsNamed(() => data.clone(), 'InvalidStateError')
    expectThrowsNamed(() => data.allocationSize({ planeIndex: 0 }), 'InvalidStateError')
    expectThrowsNamed(() => data.copyTo(new Float32Array(2), { planeIndex: 0 }), 'InvalidStateError')
  })
})
