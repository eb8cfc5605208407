import { afterAll, describe, expect, it } from 'vitest'

import { AudioData, getCounters, VideoFrame } from '../index.js'
import { assertNoLeaks, waitForGC } from './helpers/leak-check.js'

afterAll(() => assertNoLeaks())

const frame = () => new VideoFrame(new Uint8Array(16), { format: 'RGBA', codedWidth: 2, codedHeight: 2, timestamp: 0 })
const audio = () => new AudioData({ format: 's16', sampleRate: 8000, numberOfFrames: 4, numberOfChannels: 1, timestamp: 0, data: new Int16Array(4) })

describe('getCounters', () => {
  it('returns every counter as a number, all zero at rest', async () => {
    await waitForGC()
    expect(getCounters()).toEqual({ videoFrames: 0, audioData: 0, videoEncoders: 0, videoDecoders: 0, audioEncoders: 0, audioDecoders: 0, imageDecoders: 0, inFlight: 0 })
  })

  for (const [key, make] of [['videoFrames', frame], ['audioData', audio]] as const) {
    it(`${key} goes up on construct and clone, down once per close`, () => {
      const start = getCounters()[key]
      const a = make()
      expect(getCounters()[key]).toBe(start + 1)
      const b = a.clone()
      expect(getCounters()[key]).toBe(start + 2)
      a.close()
      expect(getCounters()[key]).toBe(start + 1)
      a.close()
      expect(getCounters()[key]).toBe(start + 1)
      b.close()
      expect(getCounters()[key]).toBe(start)
    })

    it(`${key} goes down when an unclosed instance is collected`, async () => {
      await waitForGC()
      const start = getCounters()[key]
      ;(() => {
        make()
        make().clone()
      })()
      expect(getCounters()[key]).toBe(start + 3)
      await waitForGC()
      expect(getCounters()[key]).toBe(start)
    })
  }

  it('does not count a frame made from a closed frame', () => {
    const a = frame()
    a.close()
    expect(() => new VideoFrame(a)).toThrow()
    expect(getCounters().videoFrames).toBe(0)
  })
})
