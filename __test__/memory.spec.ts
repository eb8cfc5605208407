import { spawnSync } from 'node:child_process'
import { join } from 'node:path'

import { afterAll, describe, expect, it } from 'vitest'

import { AudioData, VideoFrame } from '../index.js'
import { assertNoLeaks, waitForGC } from './helpers/leak-check.js'

afterAll(() => assertNoLeaks())

const external = () => process.memoryUsage().external

const FRAME_BYTES = 1920 * 1080 * 4
const AUDIO_BYTES = 48_000 * 2 * 4

// The source buffers live for the whole file so that only our native copies move
// the external-memory figure.
const pixels = new Uint8Array(FRAME_BYTES)
const samples = new Float32Array(AUDIO_BYTES / 4)

const makeFrame = () => new VideoFrame(pixels, { format: 'RGBA', codedWidth: 1920, codedHeight: 1080, timestamp: 0 })
const makeAudio = () =>
  new AudioData({ format: 'f32', sampleRate: 48_000, numberOfFrames: 48_000, numberOfChannels: 2, timestamp: 0, data: samples })

const cases = [
  { name: 'a 1920x1080 RGBA VideoFrame', make: makeFrame, bytes: FRAME_BYTES },
  { name: 'a 1 s stereo f32 AudioData', make: makeAudio, bytes: AUDIO_BYTES },
] as const

for (const { name, make, bytes } of cases) {
  describe(`external memory of ${name}`, () => {
    it('rises by the buffer size on construction and falls back at close()', async () => {
      await waitForGC()
      const before = external()
      const item = make()
      expect(external() - before).toBeGreaterThanOrEqual(0.9 * bytes)
      item.close()
      expect(external() - before).toBeLessThan(0.5 * bytes)
    })

    it('falls back when an unclosed instance is collected', async () => {
      await waitForGC()
      const before = external()
      ;(() => {
        const item = make()
        expect(external() - before).toBeGreaterThanOrEqual(0.9 * bytes)
      })()
      await waitForGC()
      expect(external() - before).toBeLessThan(0.5 * bytes)
    })

    it('counts a clone once, releasing only when the last one closes', async () => {
      await waitForGC()
      const before = external()
      const item = make()
      const clone = item.clone()
      expect(external() - before).toBeLessThan(1.5 * bytes)
      item.close()
      expect(external() - before).toBeGreaterThanOrEqual(0.9 * bytes)
      clone.close()
      expect(external() - before).toBeLessThan(0.5 * bytes)
    })
  })
}

describe('garbage collection under a small heap', () => {
  it('survives 1000 unclosed 1080p frames with --max-old-space-size=128', () => {
    const script = join(__dirname, 'scripts', 'drop-unclosed-frames.cjs')
    const run = spawnSync(process.execPath, ['--max-old-space-size=128', script, '1000'], { encoding: 'utf8', timeout: 120_000 })
    expect(run.stderr).toBe('')
    expect(run.status).toBe(0)
    const result = JSON.parse(run.stdout)
    expect(result.frames).toBe(1000)
    // 1000 frames are 8 GB if nothing is collected; the machine would not survive it.
    expect(result.peakRssMb).toBeLessThan(4096)
    console.log(`1000 dropped 1080p frames: peak RSS ${result.peakRssMb} MB`)
  })
})
