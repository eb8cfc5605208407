// Dictionary members are converted by their IDL types as WebIDL defines
// (https://webidl.spec.whatwg.org/#es-type-mapping): numbers by ToNumber, then the
// member's own rule ([EnforceRange] integers, double); booleans by ToBoolean; strings
// and enums by ToString. Only what those conversions reject is a TypeError.
import { afterAll, describe, expect, it } from 'vitest'

import * as webcodecs from '../index.js'
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

// What WebIDL asks of each interface object (https://webidl.spec.whatwg.org/#es-interfaces).
describe('interface objects', () => {
  const interfaces = [
    'AudioData', 'AudioDecoder', 'AudioEncoder', 'DOMRectReadOnly', 'EncodedAudioChunk', 'EncodedVideoChunk',
    'ImageDecoder', 'ImageTrack', 'ImageTrackList', 'VideoColorSpace', 'VideoDecoder', 'VideoEncoder', 'VideoFrame',
  ] as const
  const classOf = (name: string) => (webcodecs as unknown as Record<string, new (...args: unknown[]) => object>)[name]

  it('Symbol.toStringTag on each prototype is the interface name', () => {
    for (const name of interfaces) {
      expect(Object.prototype.toString.call(classOf(name).prototype)).toBe(`[object ${name}]`)
      const descriptor = Object.getOwnPropertyDescriptor(classOf(name).prototype, Symbol.toStringTag)
      expect(descriptor).toEqual({ value: name, writable: false, enumerable: false, configurable: true })
    }
    const encoder = new VideoEncoder({ output: noop, error: noop })
    expect(Object.prototype.toString.call(encoder)).toBe('[object VideoEncoder]')
    encoder.close()
  })

  // napi-rs gives a constructor no NewTarget; ours tell a plain call by its receiver, so
  // only a receiver made by Object.create(X.prototype) passes for a new one.
  it('a constructor called without new is a TypeError', () => {
    for (const name of interfaces) {
      const construct = classOf(name) as unknown as (this: unknown, ...args: unknown[]) => unknown
      expectThrowsNamed(() => construct.call({}, {}), 'TypeError')
      expectThrowsNamed(() => construct.call(globalThis, {}), 'TypeError')
    }
  })

  it('an argument of another interface type is a TypeError', () => {
    const encoder = new VideoEncoder({ output: noop, error: noop })
    encoder.configure({ codec: 'vp8', width: 64, height: 48 })
    expectThrowsNamed(() => encoder.encode({} as never), 'TypeError')
    const frame = new VideoFrame(i420(64, 48), { format: 'I420', codedWidth: 64, codedHeight: 48, timestamp: 0 })
    expectThrowsNamed(() => new webcodecs.VideoDecoder({ output: noop, error: noop }).decode(frame as never), 'TypeError')
    expectThrowsNamed(() => new webcodecs.AudioEncoder({ output: noop, error: noop }).encode(frame as never), 'TypeError')
    expectThrowsNamed(() => new webcodecs.AudioDecoder({ output: noop, error: noop }).decode({} as never), 'TypeError')
    frame.close()
    encoder.close()
  })

  it('a getter or setter on another object is a TypeError; on its own class it works', () => {
    const frame = new VideoFrame(i420(64, 48), { format: 'I420', codedWidth: 64, codedHeight: 48, timestamp: 7 })
    const timestamp = Object.getOwnPropertyDescriptor(VideoFrame.prototype, 'timestamp')!.get!
    expect(timestamp.call(frame)).toBe(7)
    for (const receiver of [{}, 5, undefined, new webcodecs.VideoColorSpace(), VideoFrame.prototype]) {
      expectThrowsNamed(() => timestamp.call(receiver), 'TypeError')
    }
    const ondequeue = Object.getOwnPropertyDescriptor(VideoEncoder.prototype, 'ondequeue')!
    expectThrowsNamed(() => ondequeue.set!.call(frame, noop), 'TypeError')
    expectThrowsNamed(() => VideoEncoder.prototype.configure.call(frame, {} as never), 'TypeError')
    frame.close()
  })
})
