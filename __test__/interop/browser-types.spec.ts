// Code typed against the browser's WebCodecs types (@types/dom-webcodecs and the DOM
// library) compiles with our classes in their place, and runs on the polyfill.
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'

import { afterAll, describe, expect, it } from 'vitest'

import { assertNoLeaks } from '../helpers/leak-check.js'

afterAll(() => assertNoLeaks())

const root = join(__dirname, '..', '..')
const program = join(root, '__test__', 'types', 'browser-style.mts')
const bin = (name: string) => join(root, 'node_modules', '.bin', name)

describe('browser-style code typed with @types/dom-webcodecs', () => {
  it('compiles with tsc against our generated typings', () => {
    const run = spawnSync(bin('tsc'), ['-p', join(root, '__test__', 'types', 'tsconfig.json')], { encoding: 'utf8', cwd: root })
    expect(run.stdout + run.stderr).toBe('')
    expect(run.status).toBe(0)
  })

  it('mediabunny-based code (these specs and examples/transcode-file.ts) compiles with the DOM library', () => {
    const run = spawnSync(bin('tsc'), ['-p', join(root, '__test__', 'interop', 'tsconfig.json')], { encoding: 'utf8', cwd: root })
    expect(run.stdout + run.stderr).toBe('')
    expect(run.status).toBe(0)
  })

  it('runs on the polyfill: every class installed, video and audio round trips intact, nothing left alive', () => {
    const run = spawnSync(bin('tsx'), [program], { encoding: 'utf8', cwd: root })
    expect(run.stderr).toBe('')
    expect(run.status).toBe(0)
    const report = JSON.parse(run.stdout)
    expect(report).toMatchObject({
      polyfilled: ['VideoFrame', 'AudioData', 'EncodedVideoChunk', 'EncodedAudioChunk', 'VideoColorSpace', 'VideoEncoder', 'VideoDecoder', 'AudioEncoder', 'AudioDecoder', 'ImageDecoder', 'ImageTrackList', 'ImageTrack'],
      colorSpace: { primaries: 'bt709', transfer: 'bt709', matrix: 'bt709', fullRange: false },
      videoEncoderSupported: true,
      videoDecoderSupported: true,
      audioEncoderSupported: true,
      audioDecoderSupported: true,
      firstFrame: 'I420 64x48 64x48 @0',
      firstDecoded: 'I420 64x48 64x48 @0',
      encoderState: 'configured',
      decoderState: 'closed',
      videoChunks: 10,
      firstChunkType: 'key',
      encoderDequeues: true,
      decoderDequeues: true,
      audioEncoderDequeues: true,
      // A { once: true } listener object.
      audioDecoderDequeues: 1,
      audioFrames: { input: 48_000, output: 48_000 },
      audioPeak: 0.25,
      image: { frame: 'RGBA 2x1 2x1 @0', frames: 1, pixels: [255, 0, 0, 255, 0, 0, 0, 0] },
      counters: { videoFrames: 0, audioData: 0, videoEncoders: 0, videoDecoders: 0, audioEncoders: 0, audioDecoders: 0, imageDecoders: 0, inFlight: 0 },
    })
    expect(report).not.toHaveProperty('videoEncoderError')
    expect(report).not.toHaveProperty('videoDecoderError')
    expect(report).not.toHaveProperty('audioEncoderError')
    expect(report).not.toHaveProperty('audioDecoderError')
    // Flat gray frames at 40, 50, ... 130 come back within a step or two of H.264 rounding.
    const lumas: number[] = report.decodedLumas
    expect(lumas).toHaveLength(10)
    lumas.forEach((luma, i) => expect(Math.abs(luma - (40 + 10 * i))).toBeLessThanOrEqual(2))
  })
})
