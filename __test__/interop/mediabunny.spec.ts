// mediabunny's Conversion transcodes files made by the ffmpeg CLI through our polyfill,
// and examples/transcode-file.ts does the same from the command line. The results must
// play back frame-exact: every frame at its source time, its pixels matching the source's.
import '../../polyfill.js'

import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { ALL_FORMATS, Conversion, FilePathSource, FilePathTarget, Input, MkvOutputFormat, Mp4OutputFormat, Output, WebMOutputFormat, type AudioCodec, type OutputFormat, type VideoCodec } from 'mediabunny'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { assertNoLeaks } from '../helpers/leak-check.js'
import { decodedFrameTimes, decodedSamples, framePsnrs, frameTimes, makeClip, probe, psnrAgainst, stream } from '../helpers/media.js'

const work = mkdtempSync(join(tmpdir(), 'webcodecs-mediabunny-'))
const source = join(work, 'source.mp4')
const root = join(__dirname, '..', '..')

beforeAll(() => makeClip(source, 2))
afterAll(async () => {
  rmSync(work, { recursive: true, force: true })
  await assertNoLeaks()
})

async function convert(path: string, format: OutputFormat, video: VideoCodec, audio: AudioCodec): Promise<void> {
  const input = new Input({ source: new FilePathSource(source), formats: ALL_FORMATS })
  const output = new Output({ format, target: new FilePathTarget(path) })
  const conversion = await Conversion.init({ input, output, video: { codec: video, forceTranscode: true }, audio: { codec: audio, forceTranscode: true } })
  expect(conversion.discardedTracks).toEqual([])
  expect(conversion.isValid).toBe(true)
  const progress: number[] = []
  conversion.onProgress = (p) => progress.push(p)
  await conversion.execute()
  input.dispose()
  expect(progress.at(-1)).toBe(1)
  expect(progress.length).toBeGreaterThan(10)
}

interface Quality {
  /** ffmpeg's luma PSNR averaged over the frames, dB. */
  average: number
  /** The worst frame's luma PSNR, dB. */
  worst: number
}

/**
 * Frame-exact: as many frames as the source, each at the source's time (within
 * `tolerance` s), and each closer to its own source frame than to either neighbour, so
 * that no frame is dropped, repeated or shifted.
 */
function expectFrameExact(path: string, tolerance: number, quality: Quality): void {
  const times = frameTimes(path)
  const expected = frameTimes(source)
  expect(expected).toHaveLength(60)
  expect(times).toHaveLength(expected.length)
  times.forEach((t, i) => expect(Math.abs(t - expected[i]), `frame ${i}`).toBeLessThanOrEqual(tolerance))
  // Each frame at its own time: in the order the decoder shows them, the times rise.
  expect(decodedFrameTimes(path)).toEqual(times)

  const own = framePsnrs(path, source)
  expect(Math.min(...own)).toBeGreaterThanOrEqual(quality.worst)
  expect(psnrAgainst(path, source).y).toBeGreaterThanOrEqual(quality.average)
}

describe("mediabunny's Conversion on our polyfill", () => {
  it('transcodes an ffmpeg-made MP4 to MP4 (H.264/AAC) that plays back frame-exact', async () => {
    const path = join(work, 'converted.mp4')
    await convert(path, new Mp4OutputFormat(), 'avc', 'aac')
    const probed = probe(path)
    expect(stream(probed, 'video')).toMatchObject({ codec_name: 'h264', width: 320, height: 240, nb_read_frames: 60 })
    expect(stream(probed, 'audio')).toMatchObject({ codec_name: 'aac', sample_rate: 48_000, channels: 2 })
    expect(Math.abs(probed.duration - probe(source).duration)).toBeLessThanOrEqual(0.001)
    // Both files carry edit lists for the encoders' priming: the same 2 s of sound.
    expect(decodedSamples(path)).toBe(decodedSamples(source))
    // Measured: 49.4 dB on average, 48.2 dB for the worst frame.
    expectFrameExact(path, 1e-4, { average: 47, worst: 46 })
  })

  it('transcodes an ffmpeg-made MP4 to WebM (VP9/Opus) that plays back frame-exact', async () => {
    const path = join(work, 'converted.webm')
    await convert(path, new WebMOutputFormat(), 'vp9', 'opus')
    const probed = probe(path)
    expect(stream(probed, 'video')).toMatchObject({ codec_name: 'vp9', width: 320, height: 240, nb_read_frames: 60 })
    expect(stream(probed, 'audio')).toMatchObject({ codec_name: 'opus', sample_rate: 48_000, channels: 2 })
    // WebM stores milliseconds.
    expect(Math.abs(probed.duration - 2)).toBeLessThanOrEqual(0.001)
    expect(Math.abs(decodedSamples(path) - 2 * 48_000)).toBeLessThanOrEqual(960)
    // Measured: 43.9 dB on average, 43.1 dB for the worst frame.
    expectFrameExact(path, 0.001, { average: 41, worst: 40 })
  })

  it('transcodes to Matroska with AV1 at its per-frame quantizers and FLAC', async () => {
    const path = join(work, 'converted.mkv')
    await convert(path, new MkvOutputFormat(), 'av1', 'flac')
    const probed = probe(path)
    expect(stream(probed, 'video')).toMatchObject({ codec_name: 'av1', width: 320, height: 240, nb_read_frames: 60 })
    expect(stream(probed, 'audio')).toMatchObject({ codec_name: 'flac', sample_rate: 48_000, channels: 2 })
    // mediabunny asks for AV1 quantizer indices (0-255), as the registration has them: 144
    // at its medium quality, libaom's step 36 (real-time mode). Measured: 44.0 dB on
    // average, 43.5 the worst (libaom 3.6 and 3.12 alike).
    expectFrameExact(path, 0.001, { average: 41, worst: 40 })
  })
})

describe('examples/transcode-file.ts', () => {
  it('transcodes a file to WebM with a progress bar, and ffprobe reads the result', () => {
    const path = join(work, 'example.webm')
    const run = spawnSync(join(root, 'node_modules', '.bin', 'tsx'), [join(root, 'examples', 'transcode-file.ts'), source, path], { encoding: 'utf8', cwd: root })
    expect(run.status, run.stderr).toBe(0)
    const lines = run.stderr.split(/[\r\n]/).filter(Boolean)
    expect(lines.at(-2)).toMatch(/^\[#{30}\] 100% {2}2\.0\/2\.0 s/)
    expect(lines.at(-1)).toMatch(/example\.webm: video vp9, audio opus, 2\.00 s of media in [\d.]+ s, \d+ KiB$/)
    const probed = probe(path)
    expect(stream(probed, 'video')).toMatchObject({ codec_name: 'vp9', nb_read_frames: 60 })
    expect(stream(probed, 'audio')).toMatchObject({ codec_name: 'opus' })
    expect(Math.abs(probed.duration - 2)).toBeLessThanOrEqual(0.001)
  })
})
