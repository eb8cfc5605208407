// What browser-written clients rely on from an encoder's latencyMode: in 'realtime' one
// frame in, its chunk out before the next frame is given (a live pipeline awaits each
// chunk); in 'quality' at most 4 frames held, before the first chunk and after it
// (libraries such as @remotion/webcodecs wait for the encoder to hold at most 10).
import { afterAll, describe, expect, it } from 'vitest'

import { VideoEncoder, type EncodedVideoChunk, type LatencyMode } from '../index.js'
import { assertNoLeaks } from './helpers/leak-check.js'
import { frameAt } from './helpers/video.js'

afterAll(() => assertNoLeaks())

const codecs = [
  ['H.264', 'avc1.42001f'],
  ['HEVC', 'hvc1.1.6.L93.B0'],
  ['VP8', 'vp8'],
  ['VP9', 'vp09.00.10.08'],
  ['AV1', 'av01.0.04M.08'],
] as const

const FRAMES = 12

/** An encoder whose chunks can be awaited by count. */
function encoderFor(codec: string, latencyMode: LatencyMode) {
  const chunks: EncodedVideoChunk[] = []
  let waiting: { count: number; resolve: () => void } | undefined
  const encoder = new VideoEncoder({
    output: (chunk) => {
      chunks.push(chunk)
      if (waiting && chunks.length >= waiting.count) waiting.resolve()
    },
    error: (e) => {
      throw e
    },
  })
  encoder.configure({ codec, width: 320, height: 240, bitrate: 400_000, framerate: 30, latencyMode })
  /** Resolves once `count` chunks arrived; rejects after a wide bound. */
  const until = (count: number) =>
    new Promise<void>((resolve, reject) => {
      if (chunks.length >= count) return resolve()
      const timer = setTimeout(() => reject(new Error(`${chunks.length} chunks, waited for ${count}`)), 10_000)
      waiting = {
        count,
        resolve: () => {
          clearTimeout(timer)
          resolve()
        },
      }
    })
  return { encoder, chunks, until }
}

describe("VideoEncoder latencyMode: 'realtime'", () => {
  for (const [name, codec] of codecs) {
    it(`${name}: the chunk of frame i arrives before frame i+1 is given`, async () => {
      const { encoder, chunks, until } = encoderFor(codec, 'realtime')
      for (let i = 0; i < FRAMES; i++) {
        const frame = frameAt(320, 240, i)
        encoder.encode(frame)
        frame.close()
        await until(i + 1)
        expect(chunks.length).toBe(i + 1)
        expect(chunks[i].timestamp).toBe(Math.round((i * 1e6) / 30))
      }
      await encoder.flush()
      expect(chunks.length).toBe(FRAMES)
      encoder.close()
    })
  }
})

describe("VideoEncoder latencyMode: 'quality'", () => {
  for (const [name, codec] of codecs) {
    it(`${name}: holds at most 4 frames, before its first chunk and after`, async () => {
      const { encoder, chunks, until } = encoderFor(codec, 'quality')
      for (let i = 0; i < FRAMES; i++) {
        const frame = frameAt(320, 240, i)
        encoder.encode(frame)
        frame.close()
        await until(i + 1 - 4)
      }
      await encoder.flush()
      expect(chunks.length).toBe(FRAMES)
      expect(chunks.map((c) => c.timestamp).sort((a, b) => a - b)).toEqual(Array.from({ length: FRAMES }, (_, i) => Math.round((i * 1e6) / 30)))
      encoder.close()
    })
  }
})
