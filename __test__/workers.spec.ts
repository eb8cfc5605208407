// worker_threads: every worker is a JavaScript environment of its own that loads the
// addon. They must work side by side, keep their memory accounting apart, and a worker
// terminated while its codecs are busy must neither crash the process nor leave
// anything behind once `terminate()` has resolved.
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { Worker } from 'node:worker_threads'

import { afterAll, describe, expect, it } from 'vitest'

import { getCounters, VideoFrame } from '../index.js'
import { assertNoLeaks, snapshot, waitForGC } from './helpers/leak-check.js'
import { decodeClip, encodeClip, lumaOf, psnr } from './helpers/video.js'

afterAll(() => assertNoLeaks())

const script = join(__dirname, 'scripts', 'codec-worker.mjs')
/** One 640x480 I420 frame: the unit the transcode workers move through native memory. */
const FRAME_BYTES = 640 * 480 * 1.5

interface Started {
  worker: Worker
  /** The worker's first message. */
  message: Promise<any>
  /** Its exit code. */
  exit: Promise<number>
}

function start(workerData: Record<string, unknown>): Started {
  const worker = new Worker(script, { workerData })
  const message = new Promise((resolve, reject) => {
    worker.once('message', resolve)
    worker.once('error', reject)
  })
  const exit = new Promise<number>((resolve) => worker.once('exit', resolve))
  return { worker, message, exit }
}

/** This env's external memory with its queued releases reported and garbage collected. */
async function external(): Promise<number> {
  await waitForGC()
  new VideoFrame(new Uint8Array(4), { format: 'RGBA', codedWidth: 1, codedHeight: 1, timestamp: 0 }).close()
  return process.memoryUsage().external
}

describe('worker_threads', () => {
  it('runs four workers that load the addon at once, each encoding and decoding', async () => {
    const codecs = ['vp8', 'avc1.42001e', 'vp8', 'avc1.42001e']
    const workers = codecs.map((codec) => start({ mode: 'round-trip', codec, frames: 30 }))
    const results = await Promise.all(workers.map((w) => w.message))
    for (const result of results) {
      expect(result.error).toBeUndefined()
      expect(result.frames).toBe(30)
      // Against the exact source pattern; a decode of the wrong stream or a mangled
      // frame would be far below this.
      expect(result.psnr).toBeGreaterThan(35)
    }
    expect(await Promise.all(workers.map((w) => w.exit))).toEqual([0, 0, 0, 0])
  })

  it('gives every environment back the frame memory its codec threads held', async () => {
    const before = await external()
    // Three envs at once, each encoding frames whose pixels live in its own V8
    // ArrayBuffers and re-encoding decoded frames that it closes right after encode():
    // the codec threads drop the last references, and each env must get them back (and
    // free the buffers) on its own JS thread.
    const workers = [0, 1, 2].map(() => start({ mode: 'transcode', frames: 30 }))
    const results = await Promise.all(workers.map((w) => w.message))
    for (const result of results) {
      expect(result.error).toBeUndefined()
      expect(result.through).toBe(30 * FRAME_BYTES)
      expect(Math.abs(result.growth)).toBeLessThan(FRAME_BYTES / 2)
    }
    await Promise.all(workers.map((w) => w.exit))
    expect(Math.abs((await external()) - before)).toBeLessThan(FRAME_BYTES / 2)
  })

  it('survives workers terminated mid-encode and mid-decode; counters are back when terminate() resolves', async () => {
    const baseline = snapshot()
    for (let round = 0; round < 6; round++) {
      const { worker, message } = start({ mode: 'endless', codec: round % 2 ? 'vp8' : 'avc1.42001e' })
      expect(await message).toBe('busy')
      const busy = getCounters()
      expect(busy.videoEncoders).toBe(baseline.videoEncoders + 1)
      expect(busy.videoDecoders).toBe(baseline.videoDecoders + 1)
      expect(busy.audioEncoders).toBe(baseline.audioEncoders + 1)
      await worker.terminate()
      // The env's cleanup hook stopped and joined its codec threads and its objects were
      // finalized before the worker's exit was reported: no collection needed here.
      expect(getCounters()).toEqual(baseline)
    }
  })

  it('leaves the main thread able to encode and decode afterwards', async () => {
    const config = { codec: 'vp8', width: 128, height: 96, bitrate: 1_000_000, framerate: 30 }
    const { chunks, metadata } = await encodeClip(config, 30)
    const decoded = await decodeClip(metadata[0]!.decoderConfig!, chunks)
    expect(decoded.luma).toHaveLength(30)
    decoded.luma.forEach((luma, i) => expect(psnr(luma, lumaOf(128, 96, i))).toBeGreaterThan(30))
  })

  for (const how of ['exit', 'natural'] as const) {
    it(`exits with code 0 when workers were terminated mid-encode (${how === 'exit' ? 'process.exit() with one still busy' : 'the event loop running dry'})`, () => {
      const child = spawnSync(process.execPath, [join(__dirname, 'scripts', 'terminate-workers.mjs'), how], {
        encoding: 'utf8',
        timeout: 60_000,
      })
      expect(child.stderr).toBe('')
      expect(child.stdout.trim()).toBe('done')
      expect(child.signal).toBeNull()
      expect(child.status).toBe(0)
    })
  }
})
