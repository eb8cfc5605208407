// Dictionary members are converted by their IDL types as WebIDL defines
// (https://webidl.spec.whatwg.org/#es-type-mapping): numbers by ToNumber, then the
// member's own rule ([EnforceRange] integers, double); booleans by ToBoolean; strings
// and enums by ToString. Only what those conversions reject is a TypeError.
import { afterAll, describe, expect, it } from 'vitest'

import { AudioData, VideoEncoder, VideoFrame, type VideoEncoderConfig } from '../index.js'
import { expectThrowsNamed } from './helpers/errors.js'
import { assertNoLeaks } from './helpers/leak-check.js'

afterAll(() => assertNoLeaks())

const noop = () => {}
const i420 = (width: number, height: number) => new Uint8Array(width * height * 2)

describe('[EnforceRange] unsigned long and long long members', () => {
  it('take numeric strings, booleans, null and objects with valueOf, truncated', () => {
    const frame = new VideoFrame(i420(16, 16), {
      format: 'I420',
      codedWidth: '16' as never,
      codedHeight: { valueOf: () => 16.9 } as never,
      timestamp: ' 42 ' as never,
      duration: true as never,
    })
    expect([frame.codedWidth, frame.codedHeight, frame.timestamp, frame.duration]).toEqual([16, 16, 42, 1])
    frame.close()
    const audio = new AudioData({ format: 'f32', sampleRate: '8000' as never, numberOfFrames: 4, numberOfChannels: 1, timestamp: null as never, data: new Float32Array(4) })
    expect([audio.sampleRate, audio.timestamp]).toEqual([8000, 0])
    audio.close()
  })

  it('throw TypeError for what ToNumber rejects or makes NaN', () => {
    for (const timestamp of [Symbol('t'), 10n, 'abc', {}, undefined]) {
      expectThrowsNamed(() => new VideoFrame(i420(16, 16), { format: 'I420', codedWidth: 16, codedHeight: 16, timestamp: timestamp as never }), 'TypeError')
    }
  })
})

describe('double, boolean and DOMString members', () => {
  const config: VideoEncoderConfig = { codec: 'vp8', width: 64, height: 48, bitrate: 200_000 }

  it('double: a numeric string is a framerate, a non-numeric one a TypeError', async () => {
    expect((await VideoEncoder.isConfigSupported({ ...config, framerate: '30' as never })).supported).toBe(true)
    await expect(VideoEncoder.isConfigSupported({ ...config, framerate: 'fast' as never })).rejects.toThrow(TypeError)
  })

  it('DOMString and enums: ToString first, so objects with toString are their strings', async () => {
    const mode = { toString: () => 'constant' }
    const support = await VideoEncoder.isConfigSupported({ ...config, bitrateMode: mode as never })
    expect(support.supported).toBe(true)
    expect(support.config.bitrateMode).toBe('constant')
    // 123 is a valid codec string (not empty), and names no codec.
    expect((await VideoEncoder.isConfigSupported({ ...config, codec: 123 as never })).supported).toBe(false)
    await expect(VideoEncoder.isConfigSupported({ ...config, codec: Symbol('c') as never })).rejects.toThrow(TypeError)
  })

  it('boolean: any truthy value requests a key frame', async () => {
    const types: string[] = []
    const encoder = new VideoEncoder({ output: (chunk) => types.push(chunk.type), error: noop })
    encoder.configure(config)
    for (const [i, keyFrame] of [[0, 0], [1, 'yes'], [2, ''], [3, {}]] as const) {
      const frame = new VideoFrame(i420(64, 48), { format: 'I420', codedWidth: 64, codedHeight: 48, timestamp: i * 33_333 })
      encoder.encode(frame, { keyFrame: keyFrame as never })
      frame.close()
    }
    await encoder.flush()
    encoder.close()
    expect(types).toEqual(['key', 'key', 'delta', 'key'])
  })
})
