// The 16-permit gate under load: encoders bound inputs, decoders bound outputs, and
// reset/close never wait on a saturated gate.
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'

import { afterAll, describe, expect, it } from 'vitest'

import { EncodedVideoChunk, getCounters, VideoDecoder, VideoEncoder, VideoFrame, type VideoDecoderConfig } from '../../index.js'
import { expectRejectsNamed } from '../helpers/errors.js'
import { assertNoLeaks, waitForGC } from '../helpers/leak-check.js'
import { encodeClip, frameAt } from '../helpers/video.js'

afterAll(() => assertNoLeaks())

const W = 1920
const H = 1080
const rgba = new Uint8Array(W * H * 4).map((_, i) => (i * 13) & 0xff)
const rgbaFrame = (i: number) => new VideoFrame(rgba, { format: 'RGBA', codedWidth: W, codedHeight: H, timestamp: i * 33_333, duration: 33_333 })
const noop = () => {}

describe('encoder gate (inputs)', () => {
  it('holds at most 16 frames in flight during a synchronous loop of 100 1080p frames', async () => {
    let chunks = 0
    const encoder = new VideoEncoder({ output: () => chunks++, error: noop })
    encoder.configure({ codec: 'avc1.640028', width: W, height: H, bitrate: 5_000_000, framerate: 30, latencyMode: 'realtime' })
    let peak = 0
    for (let i = 0; i < 100; i++) {
      const frame = rgbaFrame(i)
      encoder.encode(frame)
      frame.close()
      peak = Math.max(peak, getCounters().inFlight)
    }
    await encoder.flush()
    encoder.close()
    expect(peak).toBeGreaterThan(0)
    expect(peak).toBeLessThanOrEqual(16)
    expect(chunks).toBe(100)
    expect(getCounters().inFlight).toBe(0)
  })

  it('keeps RSS growth under 300 MB for 200 synchronous 1080p RGBA frames into avc1.42001f at 5 Mbps', async () => {
    await waitForGC()
    const before = process.memoryUsage().rss
    let peak = before
    let chunks = 0
    const encoder = new VideoEncoder({ output: () => chunks++, error: noop })
    encoder.configure({ codec: 'avc1.42001f', width: W, height: H, bitrate: 5_000_000, framerate: 30 })
    for (let i = 0; i < 200; i++) {
      const frame = rgbaFrame(i)
      encoder.encode(frame)
      frame.close()
      if (i % 10 === 0) peak = Math.max(peak, process.memoryUsage().rss)
    }
    await encoder.flush()
    peak = Math.max(peak, process.memoryUsage().rss)
    encoder.close()
    const growthMb = (peak - before) / 2 ** 20
    console.log(`200 1080p RGBA frames into avc1.42001f: peak RSS growth ${growthMb.toFixed(0)} MB`)
    expect(chunks).toBe(200)
    expect(growthMb).toBeLessThan(300)
  })
})

async function encoded1080p(count: number): Promise<{ chunks: EncodedVideoChunk[]; config: VideoDecoderConfig }> {
  const { chunks, metadata } = await encodeClip({ codec: 'avc1.640028', width: W, height: H, bitrate: 4_000_000, framerate: 30, latencyMode: 'realtime' }, count)
  return { chunks, config: metadata[0]!.decoderConfig! }
}

describe('decoder gate (outputs)', () => {
  it('lets at most 16 decoded frames wait for a slow consumer and delivers all 50', async () => {
    const { chunks, config } = await encoded1080p(50)
    const kept: VideoFrame[] = []
    let peak = 0
    const decoder = new VideoDecoder({
      output: (frame) => {
        kept.push(frame)
        peak = Math.max(peak, getCounters().inFlight)
        // A slow consumer: a little synchronous work per frame.
        const until = performance.now() + 3
        while (performance.now() < until);
      },
      error: noop,
    })
    decoder.configure(config)
    for (const chunk of chunks) decoder.decode(chunk)
    await decoder.flush()
    decoder.close()
    expect(kept).toHaveLength(50)
    expect(peak).toBeGreaterThan(0)
    expect(peak).toBeLessThanOrEqual(16)
    expect(getCounters().videoFrames).toBe(50)
    for (const frame of kept) frame.close()
    expect(getCounters().videoFrames).toBe(0)
    expect(getCounters().inFlight).toBe(0)
  })

  it('decodes 1000 1080p frames dropped unclosed under --max-old-space-size=128', () => {
    const script = join(__dirname, '..', 'scripts', 'drop-decoded-frames.cjs')
    const run = spawnSync(process.execPath, ['--max-old-space-size=128', script, '1000'], { encoding: 'utf8', timeout: 240_000 })
    expect(run.stderr).toBe('')
    expect(run.status).toBe(0)
    const result = JSON.parse(run.stdout)
    console.log(`1000 decoded 1080p frames dropped unclosed: peak RSS ${result.peakRssMb} MB`)
    expect(result.frames).toBe(1000)
    expect(result.peakRssMb).toBeLessThan(2048)
  })
})

describe('reset and close with a saturated gate', () => {
  for (const action of ['reset', 'close'] as const) {
    it(`encoder ${action}() returns within 1 s, aborts the flush and delivers nothing from before it`, async () => {
      const timestamps: number[] = []
      const encoder = new VideoEncoder({ output: (c) => timestamps.push(c.timestamp), error: noop })
      encoder.configure({ codec: 'vp09.00.10.08', width: W, height: H, bitrate: 5_000_000, framerate: 30 })
      for (let i = 0; i < 40; i++) {
        const frame = rgbaFrame(i)
        encoder.encode(frame)
        frame.close()
      }
      const flushed = encoder.flush()
      const start = performance.now()
      encoder[action]()
      expect(performance.now() - start).toBeLessThan(1000)
      await expectRejectsNamed(flushed, 'AbortError')
      const delivered = timestamps.length
      if (action === 'reset') {
        encoder.configure({ codec: 'vp8', width: 64, height: 64, framerate: 30 })
        const frame = new VideoFrame(new Uint8Array(64 * 64 * 4), { format: 'RGBA', codedWidth: 64, codedHeight: 64, timestamp: 7_000_000 })
        encoder.encode(frame)
        frame.close()
        await encoder.flush()
        expect(timestamps.slice(delivered)).toEqual([7_000_000])
        encoder.close()
      } else {
        await new Promise((resolve) => setTimeout(resolve, 100))
        expect(timestamps.length).toBe(delivered)
      }
      // Queued frames gave their permits back at once; the one inside FFmpeg follows
      // as soon as the encoder is done with it.
      const end = Date.now() + 5000
      while (getCounters().inFlight > 0 && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 10))
      expect(getCounters().inFlight).toBe(0)
    })

    it(`decoder ${action}() returns within 1 s with 16 outputs waiting`, async () => {
      const { chunks, config } = await encoded1080p(40)
      const timestamps: number[] = []
      const decoder = new VideoDecoder({
        output: (frame) => {
          timestamps.push(frame.timestamp)
          frame.close()
        },
        error: noop,
      })
      decoder.configure(config)
      for (const chunk of chunks) decoder.decode(chunk)
      const flushed = decoder.flush()
      // Let the worker fill the gate while this thread is busy.
      const until = performance.now() + 300
      while (performance.now() < until);
      const start = performance.now()
      decoder[action]()
      expect(performance.now() - start).toBeLessThan(1000)
      await expectRejectsNamed(flushed, 'AbortError')
      expect(timestamps).toHaveLength(0)
      if (action === 'reset') {
        decoder.configure(config)
        decoder.decode(chunks[0])
        await decoder.flush()
        expect(timestamps).toEqual([chunks[0].timestamp])
        decoder.close()
      }
      await waitForGC()
      expect(getCounters().inFlight).toBe(0)
    })
  }
})

describe('flush then close', () => {
  const codecs = ['avc1.42001f', 'hvc1.1.6.L93.B0', 'vp8', 'vp09.00.10.08', 'av01.0.04M.08']
  for (const codec of codecs) {
    it(`${codec}: 20 frames give exactly 20 chunks, and decode to exactly 20 frames`, async () => {
      const { chunks, metadata } = await encodeClip({ codec, width: 320, height: 240, bitrate: 600_000, framerate: 30 }, 20)
      expect(chunks).toHaveLength(20)
      let frames = 0
      const decoder = new VideoDecoder({
        output: (f) => {
          frames++
          f.close()
        },
        error: noop,
      })
      decoder.configure(metadata[0]!.decoderConfig!)
      for (const chunk of chunks) decoder.decode(chunk)
      await decoder.flush()
      decoder.close()
      expect(frames).toBe(20)
    })
  }
})

describe('random operation sequences', () => {
  it('1000 seeded configure/encode/flush/reset/close steps never hang and leave counters at baseline', async () => {
    let seed = 0x5eed
    const random = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff
      return seed / 0x7fffffff
    }
    const codecs = ['vp8', 'avc1.42001f', 'vp09.00.10.08']
    const pending: Promise<unknown>[] = []
    let encoder = new VideoEncoder({ output: noop, error: noop })
    for (let step = 0; step < 1000; step++) {
      const r = random()
      try {
        if (encoder.state === 'closed') {
          encoder = new VideoEncoder({ output: noop, error: noop })
        } else if (r < 0.15) {
          encoder.configure({ codec: codecs[Math.floor(random() * codecs.length)], width: 64, height: 48, framerate: 30 })
        } else if (r < 0.7) {
          const frame = frameAt(64, 48, step)
          try {
            encoder.encode(frame, { keyFrame: random() < 0.1 })
          } finally {
            frame.close()
          }
        } else if (r < 0.8) {
          pending.push(encoder.flush().catch(() => {}))
        } else if (r < 0.92) {
          encoder.reset()
        } else {
          encoder.close()
        }
      } catch (e) {
        expect((e as Error).name).toBe('InvalidStateError')
      }
      if (step % 100 === 0) await new Promise((resolve) => setImmediate(resolve))
    }
    if (encoder.state !== 'closed') encoder.close()
    await Promise.all(pending)
    await waitForGC()
    expect(getCounters()).toMatchObject({ videoEncoders: 0, videoFrames: 0, inFlight: 0 })
  })
})
