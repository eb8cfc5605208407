// § 9.2 AudioData Interface (https://w3c.github.io/webcodecs/#audiodata-interface) and
// 9.3 Audio Sample Format, subsection by subsection; numbers as in the editor's draft of
// 2026-05.
import { describe, expect, it } from 'vitest'

import { AudioData, getCounters, type AudioDataCopyToOptions, type AudioDataInit, type AudioSampleFormat } from '../../index.js'
import { checkCountersReturn, detachedBuffer, expectReadonlyAttributes, transferAndSerializationSteps } from '../helpers/conformance.js'
import { expectThrowsNamed } from '../helpers/errors.js'

checkCountersReturn()

/** 3 frames of stereo s16, interleaved: L = 16384, 8192, 0; R = -16384, -8192, 32767. */
const samples = () => new Int16Array([16384, -16384, 8192, -8192, 0, 32767])
const init = (extra: Partial<AudioDataInit> = {}): AudioDataInit => ({ format: 's16', sampleRate: 8000, numberOfFrames: 3, numberOfChannels: 2, timestamp: 5, data: samples(), ...extra })

/** Runs `test` with a new AudioData, closed afterwards. */
function withAudio<T>(test: (data: AudioData) => T, extra: Partial<AudioDataInit> = {}): T {
  const data = new AudioData(init(extra))
  try {
    return test(data)
  } finally {
    data.close()
  }
}

/** An AudioData, closed. */
function closedAudio(): AudioData {
  const data = new AudioData(init())
  data.close()
  return data
}

const attributes = (data: AudioData) => [data.format, data.sampleRate, data.numberOfFrames, data.numberOfChannels, data.duration, data.timestamp]

/** The samples copyTo writes for `options`, read as `Array` of the destination format. */
function copied(data: AudioData, options: AudioDataCopyToOptions, View: Int16ArrayConstructor | Float32ArrayConstructor | Uint8ArrayConstructor = Int16Array) {
  const out = new ArrayBuffer(data.allocationSize(options))
  data.copyTo(out, options)
  return Array.from(new View(out))
}

describe('9.2 AudioData Interface', () => {
  describe('9.2.1 Internal Slots', () => {
    it('[[resource reference]]: clones share the samples, and the resource lives while any reference does', () => {
      const before = getCounters().audioData
      const data = new AudioData(init())
      const clone = data.clone()
      data.close()
      expect(copied(clone, { planeIndex: 0 })).toEqual(Array.from(samples()))
      expect(getCounters().audioData).toBe(before + 1)
      clone.close()
      expect(getCounters().audioData).toBe(before)
    })
  })

  describe('9.2.2 Constructors', () => {
    const invalid: [string, Partial<AudioDataInit>][] = [
      ['sampleRate 0', { sampleRate: 0 }],
      ['sampleRate negative', { sampleRate: -8000 }],
      ['numberOfFrames 0', { numberOfFrames: 0 }],
      ['numberOfChannels 0', { numberOfChannels: 0 }],
      ['data smaller than frames x channels x bytes per sample', { data: new Int16Array(5) }],
      ['data too small for the format (f32 needs 4 bytes a sample)', { format: 'f32' }],
    ]
    for (const [label, extra] of invalid) {
      it(`step 1: not a valid AudioDataInit (${label}) is a TypeError`, () => {
        expectThrowsNamed(() => new AudioData(init(extra)), 'TypeError')
      })
    }

    it('WebIDL: missing required members, a format outside AudioSampleFormat, a non-finite float sampleRate: TypeError', () => {
      for (const member of ['format', 'sampleRate', 'numberOfFrames', 'numberOfChannels', 'timestamp', 'data'] as const) {
        const partial: Partial<AudioDataInit> = init()
        delete partial[member]
        expectThrowsNamed(() => new AudioData(partial as AudioDataInit), 'TypeError')
      }
      expectThrowsNamed(() => new AudioData(init({ format: 'f64' as AudioSampleFormat })), 'TypeError')
      for (const sampleRate of [NaN, Infinity, 1e39]) expectThrowsNamed(() => new AudioData(init({ sampleRate })), 'TypeError')
    })

    it('step 1 comes before step 2: an invalid init with a duplicate transfer is a TypeError', () => {
      const buffer = samples().buffer
      expectThrowsNamed(() => new AudioData(init({ numberOfFrames: 0, data: buffer, transfer: [buffer, buffer] })), 'TypeError')
    })

    it('step 2: a transfer list naming one ArrayBuffer twice is a DataCloneError, and nothing is detached', () => {
      const buffer = samples().buffer
      expectThrowsNamed(() => new AudioData(init({ data: buffer, transfer: [buffer, buffer] })), 'DataCloneError')
      expect(buffer.byteLength).toBe(12)
    })

    it('step 3: a detached ArrayBuffer in transfer is a DataCloneError', () => {
      expectThrowsNamed(() => new AudioData(init({ transfer: [detachedBuffer()] })), 'DataCloneError')
    })

    it('step 4: the slots come from the init; float sampleRate is rounded to a float', () => {
      withAudio((data) => expect(attributes(data)).toEqual(['s16', 8000, 3, 2, 375, 5]))
      withAudio((data) => expect(data.sampleRate).toBe(Math.fround(8000.1)), { sampleRate: 8000.1 })
    })

    it('step 4.8: the samples are copied: later writes to init.data do not show', () => {
      const source = samples()
      const data = new AudioData(init({ data: source }))
      source.fill(0)
      expect(copied(data, { planeIndex: 0 })).toEqual(Array.from(samples()))
      data.close()
    })

    it('step 5: every ArrayBuffer in transfer is detached; the samples are kept', () => {
      const buffer = samples().buffer
      const other = new ArrayBuffer(2)
      const data = new AudioData(init({ data: buffer, transfer: [buffer, other] }))
      expect([buffer.byteLength, other.byteLength]).toEqual([0, 0])
      expect(copied(data, { planeIndex: 0 })).toEqual(Array.from(samples()))
      data.close()
    })

    it('WebIDL: data is a BufferSource, not AllowShared: a SharedArrayBuffer is a TypeError', () => {
      expectThrowsNamed(() => new AudioData(init({ data: new SharedArrayBuffer(12) as never })), 'TypeError')
    })
  })

  describe('9.2.3 Attributes', () => {
    it('format, sampleRate, numberOfFrames, numberOfChannels and timestamp return their slots', () => {
      withAudio((data) => expect(attributes(data)).toEqual(['f32-planar', 44100, 441, 1, 10_000, -20]), {
        format: 'f32-planar',
        sampleRate: 44100,
        numberOfFrames: 441,
        numberOfChannels: 1,
        timestamp: -20,
        data: new Float32Array(441),
      })
    })

    it('duration: frames / sampleRate in microseconds, truncated by the unsigned long long conversion', () => {
      withAudio((data) => expect(data.duration).toBe(22), { sampleRate: 44100, numberOfFrames: 1, numberOfChannels: 1, data: new Int16Array(1) })
      withAudio((data) => expect(data.duration).toBe(249), { sampleRate: 8000.1, numberOfFrames: 2, numberOfChannels: 1, data: new Int16Array(2) })
    })

    it('the attributes are read-only accessors on the prototype', () => {
      expectReadonlyAttributes(AudioData.prototype, ['format', 'sampleRate', 'numberOfFrames', 'numberOfChannels', 'duration', 'timestamp'])
    })
  })

  describe('9.2.4 Methods', () => {
    describe('allocationSize(options)', () => {
      it('step 1: [[Detached]] is an InvalidStateError', () => {
        const data = closedAudio()
        expectThrowsNamed(() => data.allocationSize({ planeIndex: 0 }), 'InvalidStateError')
      })

      it('steps 2-6: bytes per sample of the destination format times the element count', () => {
        withAudio((data) => {
          expect(data.allocationSize({ planeIndex: 0 })).toBe(12)
          expect(data.allocationSize({ planeIndex: 0, format: 'f32' })).toBe(24)
          expect(data.allocationSize({ planeIndex: 1, format: 'u8-planar' })).toBe(3)
          expect(data.allocationSize({ planeIndex: 1, format: 's32-planar', frameOffset: 1, frameCount: 1 })).toBe(4)
        })
      })

      it('WebIDL: planeIndex is required (TypeError)', () => {
        withAudio((data) => expectThrowsNamed(() => data.allocationSize({} as AudioDataCopyToOptions), 'TypeError'))
      })
    })

    describe('copyTo(destination, options)', () => {
      it('step 1: [[Detached]] is an InvalidStateError', () => {
        const data = closedAudio()
        expectThrowsNamed(() => data.copyTo(new ArrayBuffer(12), { planeIndex: 0 }), 'InvalidStateError')
      })

      it('step 6: a destination smaller than the copy is a RangeError (a detached one too)', () => {
        withAudio((data) => {
          expectThrowsNamed(() => data.copyTo(new ArrayBuffer(11), { planeIndex: 0 }), 'RangeError')
          expectThrowsNamed(() => data.copyTo(detachedBuffer(), { planeIndex: 0 }), 'RangeError')
        })
      })

      it('step 9: copies the plane from frameOffset for frameCount frames', () => {
        withAudio((data) => {
          expect(copied(data, { planeIndex: 0 })).toEqual([16384, -16384, 8192, -8192, 0, 32767])
          expect(copied(data, { planeIndex: 0, frameOffset: 1, frameCount: 1 })).toEqual([8192, -8192])
        })
      })

      it('step 9: converts to another format; f32-planar is always supported', () => {
        withAudio((data) => {
          expect(copied(data, { planeIndex: 1, format: 'f32-planar' }, Float32Array)).toEqual([-0.5, -0.25, 32767 / 32768])
          expect(copied(data, { planeIndex: 0, format: 'u8-planar' }, Uint8Array)).toEqual([192, 160, 128])
        })
      })

      it('takes any AllowSharedBufferSource: a view at an offset, a SharedArrayBuffer', () => {
        withAudio((data) => {
          const backing = new Int16Array(8)
          data.copyTo(backing.subarray(1, 7), { planeIndex: 0 })
          const shared = new SharedArrayBuffer(12)
          data.copyTo(shared, { planeIndex: 0 })
          expect([Array.from(backing), Array.from(new Int16Array(shared))]).toEqual([[0, ...samples(), 0], Array.from(samples())])
        })
      })
    })

    describe('clone()', () => {
      it('step 1: [[Detached]] is an InvalidStateError', () => {
        const data = closedAudio()
        expectThrowsNamed(() => data.clone(), 'InvalidStateError')
      })

      it('step 2 ("Clone AudioData"): a new AudioData with the same slots and samples', () => {
        withAudio((data) => {
          const clone = data.clone()
          expect(clone).not.toBe(data)
          expect(attributes(clone)).toEqual(attributes(data))
          expect(copied(clone, { planeIndex: 0 })).toEqual(copied(data, { planeIndex: 0 }))
          clone.close()
        })
      })
    })

    describe('close()', () => {
      it('runs "Close AudioData"; close is final and closing again does nothing', () => {
        const data = closedAudio()
        expect(() => data.close()).not.toThrow()
        expect(data.format).toBeNull()
      })
    })
  })

  describe('9.2.5 Algorithms', () => {
    describe('Compute Copy Element Count (with options)', () => {
      it('step 3: an interleaved destination format and planeIndex > 0: RangeError', () => {
        withAudio((data) => expectThrowsNamed(() => data.allocationSize({ planeIndex: 1 }), 'RangeError'))
      })

      it('step 4: a planar destination format and planeIndex >= [[number of channels]]: RangeError', () => {
        withAudio((data) => {
          expect(data.allocationSize({ planeIndex: 1, format: 's16-planar' })).toBe(6)
          expectThrowsNamed(() => data.allocationSize({ planeIndex: 2, format: 's16-planar' }), 'RangeError')
        })
      })

      it('step 7: frameOffset >= the frames of the plane: RangeError', () => {
        withAudio((data) => expectThrowsNamed(() => data.allocationSize({ planeIndex: 0, frameOffset: 3 }), 'RangeError'))
      })

      it('step 9.1: frameCount beyond the frames left after frameOffset: RangeError; up to them is fine', () => {
        withAudio((data) => {
          expectThrowsNamed(() => data.allocationSize({ planeIndex: 0, frameOffset: 1, frameCount: 3 }), 'RangeError')
          expect(data.allocationSize({ planeIndex: 0, frameOffset: 1, frameCount: 2 })).toBe(8)
          expect(data.allocationSize({ planeIndex: 0, frameCount: 0 })).toBe(0)
        })
      })

      it('step 11: an interleaved destination counts every channel of each frame', () => {
        withAudio((data) => expect([data.allocationSize({ planeIndex: 0, format: 'u8' }), data.allocationSize({ planeIndex: 0, format: 'u8-planar' })]).toEqual([6, 3]))
      })
    })

    describe('Close AudioData (with data)', () => {
      it('steps 1-6: [[Detached]]; sample rate, frames and channels 0, format null; the timestamp stays', () => {
        const data = closedAudio()
        expect(attributes(data)).toEqual([null, 0, 0, 0, 0, 5])
      })
    })

    describe('valid AudioDataInit', () => {
      it('step 4: exactly frames x channels x bytes per sample is enough, more is fine', () => {
        withAudio((data) => expect(data.numberOfFrames).toBe(3), { data: new Int16Array(6) })
        withAudio((data) => expect(data.numberOfFrames).toBe(3), { data: new Int16Array(7) })
      })
    })
  })

  describe('9.2.6 Transfer and Serialization', () => transferAndSerializationSteps(AudioData, () => new AudioData(init())))
})

describe('9.3 Audio Sample Format', () => {
  const formats: [AudioSampleFormat, number][] = [['u8', 1], ['s16', 2], ['s32', 4], ['f32', 4], ['u8-planar', 1], ['s16-planar', 2], ['s32-planar', 4], ['f32-planar', 4]]
  it('each format has its bytes per sample, and planar formats hold one channel per plane', () => {
    for (const [format, bytes] of formats) {
      const planar = format.endsWith('-planar')
      withAudio((data) => {
        expect(data.allocationSize({ planeIndex: 0 }), format).toBe(bytes * (planar ? 3 : 6))
        if (planar) expect(data.allocationSize({ planeIndex: 1 }), format).toBe(bytes * 3)
      }, { format, data: new Uint8Array(bytes * 6) })
    }
  })

  it('9.3.2 Magnitude: conversions map each format\'s full scale onto the others', () => {
    withAudio(
      (data) => expect(copied(data, { planeIndex: 0, format: 's16' })).toEqual([-32768, 0, 16384]),
      { format: 'f32', numberOfChannels: 1, data: new Float32Array([-1, 0, 0.5]) },
    )
    withAudio(
      (data) => expect(copied(data, { planeIndex: 0, format: 'f32' }, Float32Array)).toEqual([-1, 0, 0.5]),
      { format: 'u8', numberOfChannels: 1, data: new Uint8Array([0, 128, 192]) },
    )
  })
})
