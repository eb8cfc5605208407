// @remotion/webcodecs' convertMedia() turns a WebM (VP9/Opus) made by the ffmpeg CLI into
// an MP4 (H.264/AAC) through our polyfill. It gives each encoder 10 s to get down to 10
// frames queued before it aborts, so an encoder that holds frames back fails it outright;
// beyond that the result must play back as the source did, frame for frame.
import '../../polyfill.js'

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { convertMedia } from '@remotion/webcodecs'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'

import { assertNoLeaks } from '../helpers/leak-check.js'
import { decodedFrameTimes, decodedSamples, decodePcm, framePsnrs, frameTimes, makeClip, probe, stream } from '../helpers/media.js'

// Remotion reads navigator.userAgent for browser quirks, unguarded; Node has a navigator
// from version 21, like this one (and without onLine, so Remotion writes to memory).
if (typeof navigator === 'undefined') {
  Object.defineProperty(globalThis, 'navigator', { value: { userAgent: `Node.js/${process.versions.node.split('.')[0]}` }, configurable: true })
}

const work = mkdtempSync(join(tmpdir(), 'webcodecs-remotion-'))
const source = join(work, 'source.webm')

beforeAll(() => makeClip(source, 2, { webm: true }))
afterAll(async () => {
  rmSync(work, { recursive: true, force: true })
  await assertNoLeaks()
})

/** The lag (in samples, 0 to `most`) at which `late` best matches `early`, channel 0 of interleaved stereo. */
function lagOf(late: Float32Array, early: Float32Array, most: number): number {
  let best = { lag: 0, error: Infinity }
  for (let lag = 0; lag <= most; lag++) {
    let error = 0
    for (let i = 2_000; i < 22_000; i++) error += (late[2 * (i + lag)] - early[2 * i]) ** 2
    if (error < best.error) best = { lag, error }
  }
  return best.lag
}

/** Signal-to-noise ratio (dB) of `late`, `lag` samples behind, against `early`, both channels. */
function snr(late: Float32Array, early: Float32Array, lag: number): number {
  let signal = 0
  let noise = 0
  for (let i = 0; i < early.length; i++) {
    signal += early[i] ** 2
    noise += (late[i + 2 * lag] - early[i]) ** 2
  }
  return 10 * Math.log10(signal / noise)
}

describe("@remotion/webcodecs' convertMedia on our polyfill", () => {
  it('converts an ffmpeg-made WebM (VP9/Opus) to MP4 (H.264/AAC) that plays back as the source', async () => {
    const warn = vi.spyOn(console, 'warn')
    const error = vi.spyOn(console, 'error')
    const result = await convertMedia({
      src: new Blob([readFileSync(source)]),
      container: 'mp4',
      videoCodec: 'h264',
      audioCodec: 'aac',
      // Remotion counts frames only for an onProgress.
      onProgress: () => {},
    })
    const path = join(work, 'converted.mp4')
    writeFileSync(path, new Uint8Array(await (await result.save()).arrayBuffer()))
    await result.remove()
    expect(warn).not.toHaveBeenCalled()
    expect(error).not.toHaveBeenCalled()

    const theirs = probe(source)
    const ours = probe(path)
    expect(stream(theirs, 'video')).toMatchObject({ codec_name: 'vp9', nb_read_frames: 60 })
    expect(stream(ours, 'video')).toMatchObject({ codec_name: 'h264', width: 320, height: 240, nb_read_frames: 60 })
    expect(stream(ours, 'audio')).toMatchObject({ codec_name: 'aac', sample_rate: 48_000, channels: 2 })
    expect(result.finalState).toMatchObject({ encodedVideoFrames: 60, encodedAudioFrames: stream(ours, 'audio').nb_read_frames })

    // Every frame at its source time, each closer to its own source frame than to either
    // neighbour: none dropped, repeated or moved. FFmpeg 5.1 starts the source's video at
    // 7 ms (the Opus pre-skip), 7.1 at 0, and Remotion's MP4 has no edit list: each track
    // starts at 0. WebM counts milliseconds.
    const times = frameTimes(source)
    frameTimes(path).forEach((t, i) => expect(Math.abs(t - (times[i] - times[0])), `frame ${i}`).toBeLessThanOrEqual(0.001))
    const own = framePsnrs(path, source)
    // Measured: 40.7 dB on average, 39.9 dB for the worst frame.
    expect(Math.min(...own)).toBeGreaterThanOrEqual(38)

    // Remotion gives the Opus decoder no description (OpusHead), so its 312 samples of
    // pre-skip are decoded as sound (the Opus registration: no description, no pre-skip),
    // and writes no edit list, so the AAC encoder's 1024 samples of priming play as well.
    // Past those, all of the source's sound, every sample the decoder gave encoded.
    const delay = 312 + 1024
    const pcm = decodePcm(path)
    const reference = decodePcm(source)
    expect(lagOf(pcm, reference, 2 * 1024)).toBe(delay)
    // Measured: 34.9 dB (Opus at 96 kb/s, then AAC at 128 kb/s).
    expect(snr(pcm, reference, delay)).toBeGreaterThanOrEqual(32)
    const opusPackets = stream(theirs, 'audio').nb_read_frames
    expect(decodedSamples(path)).toBe(Math.ceil((opusPackets * 960 + 1024) / 1024) * 1024)

    // Frames play in the order decoded above. Remotion's MP4 writer takes each chunk's
    // timestamp as its decoding time too (no composition offsets), so this holds only
    // because our encoders put out chunks in presentation order in every latency mode.
    const shown = decodedFrameTimes(path)
    shown.forEach((t, i) => expect(t, `frame ${i} after frame ${i - 1}`).toBeGreaterThan(i === 0 ? -1 : shown[i - 1]))
  })
})
