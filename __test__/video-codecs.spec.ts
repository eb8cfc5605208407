import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { afterAll, describe, expect, it } from 'vitest'

import { EncodedVideoChunk, getCounters, VideoDecoder, VideoEncoder, VideoFrame, type VideoDecoderConfig, type VideoEncoderConfig } from '../index.js'
import { expectRejectsNamed, expectThrowsNamed } from './helpers/errors.js'
import { assertNoLeaks } from './helpers/leak-check.js'
import { concatChunks, decodeClip, encodeClip, encodeFrames, frameAt, ivf, lumaOf, parseIvf, patternI420, psnr, splitAtAud } from './helpers/video.js'

const work = mkdtempSync(join(tmpdir(), 'webcodecs-video-'))
afterAll(async () => {
  rmSync(work, { recursive: true, force: true })
  await assertNoLeaks()
})

const codecs = [
  { name: 'H.264', codec: 'avc1.42001f' },
  { name: 'HEVC', codec: 'hvc1.1.6.L93.B0' },
  { name: 'VP8', codec: 'vp8' },
  { name: 'VP9', codec: 'vp09.00.10.08' },
  { name: 'AV1', codec: 'av01.0.04M.08' },
]

const sizes: [number, number][] = [
  [320, 240],
  [1280, 720],
]

function config(codec: string, width = 320, height = 240, extra: Partial<VideoEncoderConfig> = {}): VideoEncoderConfig {
  return { codec, width, height, bitrate: width * height * 8, framerate: 30, ...extra }
}

const noop = () => {}

/** A promise of the first error passed to the returned callback. */
function errorCallback(): { error: (e: DOMException) => void; reported: Promise<DOMException> } {
  let error: (e: DOMException) => void = noop
  const reported = new Promise<DOMException>((resolve) => (error = resolve))
  return { error: (e) => error(e), reported }
}

describe('round trips', () => {
  for (const { name, codec } of codecs) {
    for (const [width, height] of sizes) {
      it(`${name} ${width}x${height}: 60 frames decode at >= 30 dB with their timestamps`, async () => {
        const encoded = await encodeClip(config(codec, width, height), 60)
        expect(encoded.chunks).toHaveLength(60)
        expect(encoded.chunks[0].type).toBe('key')
        const decoderConfig = encoded.metadata[0]?.decoderConfig
        expect(decoderConfig).toBeDefined()
        expect(decoderConfig!.codedWidth).toBe(width)
        expect(decoderConfig!.codedHeight).toBe(height)
        expect(decoderConfig!.codec.slice(0, 4)).toBe(codec.slice(0, 4))

        const decoded = await decodeClip(decoderConfig!, encoded.chunks)
        expect(decoded.luma).toHaveLength(60)
        expect(decoded.timestamps).toEqual(Array.from({ length: 60 }, (_, i) => Math.round((i * 1e6) / 30)))
        expect(decoded.formats.every((f) => f === 'I420')).toBe(true)
        expect(decoded.sizes[0]).toEqual([width, height])
        const worst = Math.min(...decoded.luma.map((luma, i) => psnr(luma, lumaOf(width, height, i))))
        expect(worst).toBeGreaterThanOrEqual(30)
      })
    }
  }
})

describe('chunk order', () => {
  // Browser-written muxers (Remotion's MP4 writer among them) take each chunk's timestamp
  // as its decoding time: no encoder reorders frames, in either latency mode. Decoding a
  // stream with B-frames is covered by the mp4box interop spec.
  for (const codec of ['avc1.64001f', 'hvc1.1.6.L93.B0', 'vp09.00.10.08', 'av01.0.04M.08']) {
    it(`${codec} in quality mode puts out chunks in presentation order`, async () => {
      const encoded = await encodeClip(config(codec, 320, 240, { latencyMode: 'quality' }), 30)
      const timestamps = Array.from({ length: 30 }, (_, i) => Math.round((i * 1e6) / 30))
      expect(encoded.chunks.map((c) => c.timestamp)).toEqual(timestamps)
      const decoded = await decodeClip(encoded.metadata[0]!.decoderConfig!, encoded.chunks)
      expect(decoded.timestamps).toEqual(timestamps)
      const worst = Math.min(...decoded.luma.map((luma, i) => psnr(luma, lumaOf(320, 240, i))))
      expect(worst).toBeGreaterThanOrEqual(30)
    })
  }
})

describe('per-frame quantizers', () => {
  /** The test pattern with fresh noise on luma: costly enough that quantizers show. */
  function noisyI420(index: number): Uint8Array {
    const data = patternI420(320, 240, index)
    let state = 0x9e3779b9 + index
    for (let i = 0; i < 320 * 240; i++) {
      state ^= state << 13
      state ^= state >>> 17
      state ^= state << 5
      data[i] = Math.min(255, data[i] + ((state >>> 0) % 48))
    }
    return data
  }

  /** Realtime (chunk i is frame i), frame i at quantizers[i]; the last two are key frames asked for. */
  async function encodeAt(codec: string, member: string, quantizers: number[]) {
    const init = (i: number) => ({ format: 'I420', codedWidth: 320, codedHeight: 240, timestamp: i * 33_333 }) as const
    const { chunks, metadata } = await encodeFrames(
      config(codec, 320, 240, { bitrateMode: 'quantizer', latencyMode: 'realtime' }),
      quantizers.length,
      (i) => new VideoFrame(noisyI420(i), init(i)),
      (i) => ({ keyFrame: i >= quantizers.length - 2, [member]: { quantizer: quantizers[i] } }),
    )
    return { chunks, decoderConfig: metadata[0]!.decoderConfig! }
  }

  const bytes = (chunk: EncodedVideoChunk) => {
    const out = new Uint8Array(chunk.byteLength)
    chunk.copyTo(out)
    return out
  }

  // Key frames are coded byte for byte alike where the encoder carries no state into
  // them; libaom's real-time mode adapts its tools to the frames before.
  // The registrations' scales: 0-51 for H.264 and HEVC, the quantizer index (0-255) for
  // VP9 and AV1, so their steps here are four times as large.
  const codecs = [
    ['vp09.00.10.08', 'vp9', true, 4],
    ['avc1.42001f', 'avc', true, 1],
    ['hvc1.1.6.L93.B0', 'hevc', true, 1],
    ['av01.0.04M.08', 'av1', false, 4],
  ] as const
  for (const [codec, member, exact, scale] of codecs) {
    const mixedQuantizers = [20, 20, 4, 50, 4, 50, 4, 50].map((q) => q * scale)
    it(`${member}: each frame is coded at its own quantizer`, async () => {
      const { chunks, decoderConfig } = await encodeAt(codec, member, mixedQuantizers)
      expect(chunks.map((c) => c.type)).toEqual(['key', 'delta', 'delta', 'delta', 'delta', 'delta', 'key', 'key'])
      const sizes = chunks.map((c) => c.byteLength)
      // Fine frames are larger than the q20 delta frame before them, coarse ones smaller.
      for (const i of [2, 4]) expect(sizes[i]).toBeGreaterThan(1.5 * sizes[1])
      for (const i of [3, 5]) expect(sizes[i]).toBeLessThan(sizes[1] / 3)
      expect(sizes[6]).toBeGreaterThan(3 * sizes[7])
      // And so is their fidelity: each fine frame decodes far closer to its source.
      const decoded = await decodeClip(decoderConfig, chunks)
      const fidelity = decoded.luma.map((luma, i) => psnr(luma, noisyI420(i).subarray(0, 320 * 240)))
      for (const i of [2, 4, 6]) expect(fidelity[i]).toBeGreaterThan(fidelity[i + 1] + 8)
    })

    it(`${member}: a key frame is coded as in a stream at its quantizer alone`, async () => {
      const mixed = await encodeAt(codec, member, mixedQuantizers)
      const fine = await encodeAt(codec, member, Array(8).fill(4 * scale))
      const coarse = await encodeAt(codec, member, Array(8).fill(50 * scale))
      const fidelity = async (run: typeof mixed, i: number) => {
        const decoded = await decodeClip(run.decoderConfig, run.chunks)
        return psnr(decoded.luma[i], noisyI420(i).subarray(0, 320 * 240))
      }
      for (const [alone, i] of [[fine, 6], [coarse, 7]] as const) {
        if (exact) {
          expect(bytes(mixed.chunks[i])).toEqual(bytes(alone.chunks[i]))
        } else {
          expect(Math.abs(mixed.chunks[i].byteLength / alone.chunks[i].byteLength - 1)).toBeLessThan(0.05)
          expect(Math.abs((await fidelity(mixed, i)) - (await fidelity(alone, i)))).toBeLessThan(0.25)
        }
      }
    })
  }
})

describe('H.264 and HEVC bitstream formats', () => {
  it('avc format: an avcC description and length-prefixed chunks', async () => {
    const { chunks, metadata } = await encodeClip(config('avc1.42001f', 320, 240, { avc: { format: 'avc' } }), 5)
    const description = new Uint8Array(metadata[0]!.decoderConfig!.description as ArrayBuffer)
    expect(description[0]).toBe(1) // configurationVersion
    expect(description[1]).toBe(0x42) // AVCProfileIndication: baseline
    const first = new Uint8Array(chunks[0].byteLength)
    chunks[0].copyTo(first)
    const nalLength = (first[0] << 24) | (first[1] << 16) | (first[2] << 8) | first[3]
    expect(nalLength).toBeGreaterThan(0)
    expect(nalLength + 4).toBeLessThanOrEqual(first.length)
  })

  it('annexb format: start codes and no description', async () => {
    const { chunks, metadata } = await encodeClip(config('avc1.42001f', 320, 240, { avc: { format: 'annexb' } }), 5)
    expect(metadata[0]!.decoderConfig!.description).toBeUndefined()
    const first = new Uint8Array(chunks[0].byteLength)
    chunks[0].copyTo(first)
    expect(Array.from(first.subarray(0, 4)).join()).toMatch(/^0,0,0,1|^0,0,1/)
  })

  it('hvc1 gives an hvcC description', async () => {
    const { metadata } = await encodeClip(config('hvc1.1.6.L93.B0'), 3)
    const description = new Uint8Array(metadata[0]!.decoderConfig!.description as ArrayBuffer)
    expect(description[0]).toBe(1)
    expect(description.length).toBeGreaterThan(23)
  })
})

describe('VideoEncoder', () => {
  it('throws TypeError without output and error callbacks', () => {
    expectThrowsNamed(() => new VideoEncoder({} as never), 'TypeError')
    expectThrowsNamed(() => new VideoEncoder({ output: noop } as never), 'TypeError')
    expectThrowsNamed(() => new VideoEncoder({ output: 1, error: noop } as never), 'TypeError')
  })

  it('moves through unconfigured, configured and closed', () => {
    const encoder = new VideoEncoder({ output: noop, error: noop })
    expect(encoder.state).toBe('unconfigured')
    expect(encoder.encodeQueueSize).toBe(0)
    encoder.configure(config('vp8'))
    expect(encoder.state).toBe('configured')
    encoder.reset()
    expect(encoder.state).toBe('unconfigured')
    const live = getCounters().videoEncoders
    encoder.close()
    expect(encoder.state).toBe('closed')
    expect(getCounters().videoEncoders).toBe(live - 1)
    expectThrowsNamed(() => encoder.configure(config('vp8')), 'InvalidStateError')
    expectThrowsNamed(() => encoder.reset(), 'InvalidStateError')
    expectThrowsNamed(() => encoder.close(), 'InvalidStateError')
  })

  it('throws InvalidStateError for encode before configure and rejects flush', async () => {
    const encoder = new VideoEncoder({ output: noop, error: noop })
    const frame = frameAt(16, 16, 0)
    expectThrowsNamed(() => encoder.encode(frame), 'InvalidStateError')
    await expectRejectsNamed(encoder.flush(), 'InvalidStateError')
    frame.close()
    encoder.close()
  })

  it('throws TypeError for a closed frame, before it looks at its own state', () => {
    const encoder = new VideoEncoder({ output: noop, error: noop })
    const frame = frameAt(16, 16, 0)
    frame.close()
    expectThrowsNamed(() => encoder.encode(frame), 'TypeError')
    encoder.configure(config('vp8'))
    expectThrowsNamed(() => encoder.encode(frame), 'TypeError')
    expect(encoder.encodeQueueSize).toBe(0)
    encoder.close()
  })

  const invalid: [string, Partial<VideoEncoderConfig>][] = [
    ['an empty codec', { codec: '  ' }],
    ['width 0', { width: 0 }],
    ['a negative height', { height: -2 }],
    ['displayWidth 0', { displayWidth: 0 }],
    ['an unknown bitrateMode', { bitrateMode: 'fast' as 'constant' }],
    ['an unknown latencyMode', { latencyMode: 'now' as 'quality' }],
    ['a negative bitrate', { bitrate: -1 }],
    ['a bitrate past 2^53 - 1', { bitrate: 2 ** 53 }],
    ["avc.format 'hevc'", { avc: { format: 'hevc' as 'avc' } }],
    ["hevc.format 'avc'", { hevc: { format: 'avc' as 'hevc' } }],
    ['bitrate 0', { bitrate: 0 }],
    ['a codec of tabs and newlines', { codec: '\t\n\r' }],
  ]
  for (const [what, patch] of invalid) {
    it(`configure throws TypeError for ${what}, and isConfigSupported rejects`, async () => {
      const encoder = new VideoEncoder({ output: noop, error: noop })
      const bad = { ...config('vp8'), ...patch }
      expectThrowsNamed(() => encoder.configure(bad), 'TypeError')
      expect(encoder.state).toBe('unconfigured')
      await expectRejectsNamed(VideoEncoder.isConfigSupported(bad), 'TypeError')
      encoder.close()
    })
  }

  it('takes displayWidth without displayHeight, as "valid VideoEncoderConfig" does', async () => {
    const support = await VideoEncoder.isConfigSupported({ ...config('vp8'), displayWidth: 640 })
    expect(support.supported).toBe(true)
    const encoder = new VideoEncoder({ output: noop, error: noop })
    encoder.configure({ ...config('vp8'), displayWidth: 640 })
    await encoder.flush()
    encoder.close()
  })

  it('answers a codec string with spaces around it, valid but no codec, as unsupported', async () => {
    expect((await VideoEncoder.isConfigSupported({ ...config('vp8'), codec: ' vp8 ' })).supported).toBe(false)
    expect((await VideoDecoder.isConfigSupported({ codec: 'vp8 ' })).supported).toBe(false)
    const { error, reported } = errorCallback()
    const encoder = new VideoEncoder({ output: noop, error })
    encoder.configure({ ...config('vp8'), codec: ' vp8' })
    expect((await reported).name).toBe('NotSupportedError')
  })

  it('closes with NotSupportedError on the error callback for an unsupported codec', async () => {
    const { error, reported } = errorCallback()
    const encoder = new VideoEncoder({ output: noop, error })
    encoder.configure(config('bogus'))
    expect(encoder.state).toBe('configured')
    expect((await reported).name).toBe('NotSupportedError')
    expect(encoder.state).toBe('closed')
  })

  it('isConfigSupported answers from what FFmpeg has and echoes the config', async () => {
    for (const { codec } of codecs) {
      const support = await VideoEncoder.isConfigSupported(config(codec))
      expect(support.supported, codec).toBe(true)
      expect(support.config.codec).toBe(codec)
      expect(support.config.width).toBe(320)
    }
    expect((await VideoEncoder.isConfigSupported(config('bogus'))).supported).toBe(false)
    expect((await VideoEncoder.isConfigSupported(config('avc1.zzzzzz'))).supported).toBe(false)
    expect((await VideoEncoder.isConfigSupported(config('vp8', 320, 240, { hardwareAcceleration: 'prefer-hardware' }))).supported).toBe(false)
  })

  it('isConfigSupported opens its probe encoder off the event loop', async () => {
    // Opening an AV1 encoder takes tens of milliseconds: timers keep firing meanwhile.
    let turns = 0
    let spinning = true
    const spin = () => {
      turns++
      if (spinning) setImmediate(spin)
    }
    setImmediate(spin)
    const support = await VideoEncoder.isConfigSupported(config('av01.0.04M.08', 1280, 720))
    spinning = false
    expect(support.supported).toBe(true)
    expect(turns).toBeGreaterThan(0)
  })

  it('forces key frames on request', async () => {
    const { chunks } = await encodeClip(config('avc1.42001f'), 30, 15)
    expect(chunks.map((c, i) => [i, c.type]).filter(([, t]) => t === 'key').map(([i]) => i)).toEqual([0, 15])
  })

  it('fires dequeue events and returns encodeQueueSize to 0', async () => {
    let events = 0
    let listened = 0
    const encoder = new VideoEncoder({ output: noop, error: noop })
    encoder.ondequeue = () => events++
    const listener = () => listened++
    encoder.addEventListener('dequeue', listener)
    encoder.configure(config('vp8'))
    for (let i = 0; i < 5; i++) {
      const frame = frameAt(320, 240, i)
      encoder.encode(frame)
      frame.close()
    }
    expect(encoder.encodeQueueSize).toBeGreaterThan(0)
    await encoder.flush()
    expect(encoder.encodeQueueSize).toBe(0)
    expect(events).toBeGreaterThanOrEqual(1)
    expect(listened).toBe(events)
    encoder.removeEventListener('dequeue', listener)
    encoder.ondequeue = null
    expect(encoder.ondequeue).toBeNull()
    encoder.close()
  })

  it('reset rejects a pending flush with AbortError and drops the work before it', async () => {
    const timestamps: number[] = []
    const encoder = new VideoEncoder({ output: (c) => timestamps.push(c.timestamp), error: noop })
    encoder.configure(config('vp09.00.10.08'))
    for (let i = 0; i < 20; i++) {
      const frame = frameAt(320, 240, i)
      encoder.encode(frame)
      frame.close()
    }
    const flushed = encoder.flush()
    encoder.reset()
    await expectRejectsNamed(flushed, 'AbortError')
    expect(encoder.encodeQueueSize).toBe(0)
    const before = timestamps.length
    encoder.configure(config('vp09.00.10.08'))
    const frame = new VideoFrame(patternI420(320, 240, 1), { format: 'I420', codedWidth: 320, codedHeight: 240, timestamp: 5_000_000 })
    encoder.encode(frame, { keyFrame: true })
    frame.close()
    await encoder.flush()
    expect(timestamps.slice(before)).toEqual([5_000_000])
    encoder.close()
  })

  it('close during work returns at once and delivers nothing more', async () => {
    let outputs = 0
    const encoder = new VideoEncoder({ output: () => outputs++, error: noop })
    encoder.configure(config('av01.0.04M.08', 640, 480))
    for (let i = 0; i < 20; i++) {
      const frame = frameAt(640, 480, i)
      encoder.encode(frame)
      frame.close()
    }
    const flushed = encoder.flush()
    const started = performance.now()
    encoder.close()
    expect(performance.now() - started).toBeLessThan(1000)
    await expectRejectsNamed(flushed, 'AbortError')
    const after = outputs
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(outputs).toBe(after)
    expect(getCounters().inFlight).toBe(0)
  })

  it('reconfigures mid-stream with a new key frame and decoder config', async () => {
    const sizes: number[] = []
    const keys: boolean[] = []
    const encoder = new VideoEncoder({
      output: (chunk, metadata) => {
        keys.push(chunk.type === 'key')
        if (metadata?.decoderConfig) sizes.push(metadata.decoderConfig.codedWidth!)
      },
      error: noop,
    })
    encoder.configure(config('avc1.42001f', 320, 240))
    for (let i = 0; i < 5; i++) {
      const frame = frameAt(320, 240, i)
      encoder.encode(frame)
      frame.close()
    }
    encoder.configure(config('avc1.42001f', 640, 480))
    for (let i = 0; i < 5; i++) {
      const frame = frameAt(640, 480, i)
      encoder.encode(frame)
      frame.close()
    }
    await encoder.flush()
    encoder.close()
    expect(keys).toHaveLength(10)
    expect(keys[0]).toBe(true)
    expect(keys[5]).toBe(true)
    expect(sizes).toEqual([320, 640])
  })

  it('continues after flush with a key frame', async () => {
    const chunks: EncodedVideoChunk[] = []
    let decoderConfig: VideoDecoderConfig | undefined
    const encoder = new VideoEncoder({
      output: (c, metadata) => {
        chunks.push(c)
        decoderConfig ??= metadata?.decoderConfig
      },
      error: noop,
    })
    encoder.configure(config('avc1.42001f'))
    for (let i = 0; i < 20; i++) {
      const frame = frameAt(320, 240, i)
      encoder.encode(frame)
      frame.close()
      if (i === 9) await encoder.flush()
    }
    await encoder.flush()
    encoder.close()
    expect(chunks).toHaveLength(20)
    expect(chunks[10].type).toBe('key')
    const decoded = await decodeClip(decoderConfig!, chunks)
    expect(decoded.timestamps).toEqual(chunks.map((c) => c.timestamp))
  })

  for (const codec of ['vp09.00.10.08', 'av01.0.04M.08']) {
    it(`${codec}: reports temporal layers in metadata.svc for L1T3, and the base layer decodes alone`, async () => {
      const { chunks, metadata } = await encodeFrames(config(codec, 320, 240, { scalabilityMode: 'L1T3' }), 8, (i) => frameAt(320, 240, i))
      const layers = metadata.map((m) => m?.svc?.temporalLayerId ?? -1)
      expect(layers).toEqual([0, 2, 1, 2, 0, 2, 1, 2])
      const base = await decodeClip(metadata[0]!.decoderConfig!, chunks.filter((_, i) => layers[i] === 0))
      expect(base.timestamps).toEqual([0, 4].map((n) => Math.round((n * 1e6) / 30)))
      for (const [k, luma] of base.luma.entries()) expect(psnr(luma, lumaOf(320, 240, 4 * k))).toBeGreaterThanOrEqual(30)
    })
  }

  it('closes with NotSupportedError for a scalability mode the codec cannot do', async () => {
    const { error, reported } = errorCallback()
    const encoder = new VideoEncoder({ output: noop, error })
    encoder.configure(config('avc1.42001f', 320, 240, { scalabilityMode: 'L1T3' }))
    expect((await reported).name).toBe('NotSupportedError')
  })

  it('scales frames of another size to the configured size', async () => {
    const chunks: EncodedVideoChunk[] = []
    const encoder = new VideoEncoder({ output: (c) => chunks.push(c), error: noop })
    encoder.configure(config('vp8', 160, 120))
    const frame = frameAt(320, 240, 0)
    encoder.encode(frame, { keyFrame: true })
    frame.close()
    await encoder.flush()
    encoder.close()
    const decoded = await decodeClip({ codec: 'vp8' }, chunks)
    expect(decoded.sizes).toEqual([[160, 120]])
  })
})

describe('VideoDecoder', () => {
  it('throws TypeError without callbacks and for invalid configs', async () => {
    expectThrowsNamed(() => new VideoDecoder({ output: noop } as never), 'TypeError')
    const decoder = new VideoDecoder({ output: noop, error: noop })
    expectThrowsNamed(() => decoder.configure({ codec: '' }), 'TypeError')
    expectThrowsNamed(() => decoder.configure({ codec: 'vp8', codedWidth: 0, codedHeight: 10 }), 'TypeError')
    expectThrowsNamed(() => decoder.configure({ codec: 'vp8', codedWidth: 10 }), 'TypeError')
    await expectRejectsNamed(VideoDecoder.isConfigSupported({ codec: '' }), 'TypeError')
    decoder.close()
  })

  it('isConfigSupported answers truthfully and copies the description', async () => {
    for (const { codec } of codecs) {
      expect((await VideoDecoder.isConfigSupported({ codec })).supported, codec).toBe(true)
    }
    expect((await VideoDecoder.isConfigSupported({ codec: 'theora' })).supported).toBe(false)
    const description = new Uint8Array([1, 2, 3])
    const support = await VideoDecoder.isConfigSupported({ codec: 'vp8', description })
    expect(new Uint8Array(support.config.description as ArrayBuffer)).toEqual(description)
    expect(support.config.description).not.toBe(description)
  })

  it('throws InvalidStateError before configure and DataError for a delta chunk first', async () => {
    const { chunks } = await encodeClip(config('vp8'), 3)
    const decoder = new VideoDecoder({ output: (f) => f.close(), error: noop })
    expectThrowsNamed(() => decoder.decode(chunks[0]), 'InvalidStateError')
    decoder.configure({ codec: 'vp8' })
    expectThrowsNamed(() => decoder.decode(chunks[1]), 'DataError')
    decoder.decode(chunks[0])
    decoder.decode(chunks[1])
    await decoder.flush()
    // A key chunk is required again after flush.
    expectThrowsNamed(() => decoder.decode(chunks[2]), 'DataError')
    decoder.decode(chunks[0])
    await decoder.flush()
    expect(decoder.decodeQueueSize).toBe(0)
    decoder.close()
  })

  it('reports corrupt data as EncodingError on the error callback and closes', async () => {
    const { error, reported } = errorCallback()
    const decoder = new VideoDecoder({ output: (f) => f.close(), error })
    decoder.configure({ codec: 'vp8' })
    const garbage = new Uint8Array(64).map((_, i) => (i * 37 + 11) & 0xff)
    decoder.decode(new EncodedVideoChunk({ type: 'key', timestamp: 0, data: garbage }))
    await expectRejectsNamed(decoder.flush(), 'EncodingError')
    expect((await reported).name).toBe('EncodingError')
    expect(decoder.state).toBe('closed')
  })

  it('reset drops queued chunks and rejects the pending flush', async () => {
    const { chunks } = await encodeClip(config('avc1.42001f', 640, 480), 30)
    let outputs = 0
    const decoder = new VideoDecoder({
      output: (f) => {
        outputs++
        f.close()
      },
      error: noop,
    })
    decoder.configure({ codec: 'avc1.42001f', description: (await encodeClip(config('avc1.42001f', 640, 480), 1)).metadata[0]!.decoderConfig!.description })
    for (const chunk of chunks) decoder.decode(chunk)
    const flushed = decoder.flush()
    decoder.reset()
    await expectRejectsNamed(flushed, 'AbortError')
    const after = outputs
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(outputs).toBe(after)
    expect(decoder.decodeQueueSize).toBe(0)
    decoder.close()
  })
})

describe('interop with the ffmpeg CLI', () => {
  const probeFrames = (file: string) =>
    Number(
      execFileSync('ffprobe', ['-v', 'error', '-count_frames', '-select_streams', 'v:0', '-show_entries', 'stream=nb_read_frames', '-of', 'csv=p=0', file], {
        encoding: 'utf8',
      }).trim(),
    )

  it('ffprobe reads the H.264 Annex B stream we encode', async () => {
    const { chunks } = await encodeClip(config('avc1.42001f', 320, 240, { avc: { format: 'annexb' } }), 60)
    const file = join(work, 'ours.h264')
    writeFileSync(file, concatChunks(chunks))
    expect(probeFrames(file)).toBe(60)
  })

  it('ffprobe reads the HEVC Annex B stream we encode', async () => {
    // The codec's own dictionary applies: an avc member does not steer an HEVC encoder.
    const { chunks } = await encodeClip(config('hev1.1.6.L93.B0', 320, 240, { avc: { format: 'avc' }, hevc: { format: 'annexb' } }), 60)
    const file = join(work, 'ours.h265')
    writeFileSync(file, concatChunks(chunks))
    expect(probeFrames(file)).toBe(60)
  })

  it('ffprobe reads the VP8, VP9 and AV1 IVF files we encode', async () => {
    for (const [codec, fourcc] of [
      ['vp8', 'VP80'],
      ['vp09.00.10.08', 'VP90'],
      ['av01.0.04M.08', 'AV01'],
    ]) {
      const { chunks } = await encodeClip(config(codec), 60)
      const file = join(work, `ours-${fourcc}.ivf`)
      writeFileSync(file, ivf(fourcc, 320, 240, chunks))
      expect(probeFrames(file), codec).toBe(60)
    }
  })

  it('decodes H.264 the ffmpeg CLI encodes (testsrc2)', async () => {
    const file = join(work, 'theirs.h264')
    execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=30', '-frames:v', '30', '-c:v', 'libx264', '-bf', '0', '-bsf:v', 'h264_metadata=aud=insert', '-y', file])
    const units = splitAtAud(new Uint8Array(readFileSync(file)))
    expect(units).toHaveLength(30)
    const chunks = units.map((data, i) => new EncodedVideoChunk({ type: i === 0 ? 'key' : 'delta', timestamp: i * 33_333, data }))
    const decoded = await decodeClip({ codec: 'avc1.64000d' }, chunks)
    expect(decoded.timestamps).toEqual(chunks.map((c) => c.timestamp))
  })

  it('decodes HEVC the ffmpeg CLI encodes (testsrc2)', async () => {
    const file = join(work, 'theirs.h265')
    execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=30', '-frames:v', '30', '-c:v', 'libx265', '-x265-params', 'bframes=0:log-level=error', '-bsf:v', 'hevc_metadata=aud=insert', '-y', file])
    const stream = new Uint8Array(readFileSync(file))
    // HEVC access unit delimiters are NAL type 35: 0x46 0x01 after a start code.
    const starts: number[] = []
    for (let i = 0; i + 5 < stream.length; i++) {
      if (stream[i] === 0 && stream[i + 1] === 0 && stream[i + 2] === 0 && stream[i + 3] === 1 && stream[i + 4] >> 1 === 35) starts.push(i)
    }
    expect(starts).toHaveLength(30)
    const chunks = starts.map((s, i) => new EncodedVideoChunk({ type: i === 0 ? 'key' : 'delta', timestamp: i * 33_333, data: stream.subarray(s, starts[i + 1] ?? stream.length) }))
    const decoded = await decodeClip({ codec: 'hev1.1.6.L93.B0' }, chunks)
    expect(decoded.timestamps).toEqual(chunks.map((c) => c.timestamp))
  })

  for (const [name, encoder, codec, fourcc] of [
    ['VP8', 'libvpx', 'vp8', 'VP80'],
    ['VP9', 'libvpx-vp9', 'vp09.00.10.08', 'VP90'],
    ['AV1', 'libaom-av1', 'av01.0.04M.08', 'AV01'],
  ]) {
    it(`decodes ${name} the ffmpeg CLI encodes, with its timestamps`, async () => {
      const file = join(work, `theirs-${fourcc}.ivf`)
      const speed = encoder === 'libaom-av1' ? ['-cpu-used', '8', '-usage', 'realtime'] : []
      execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25', '-frames:v', '25', '-c:v', encoder, ...speed, '-g', '10', '-y', file])
      const frames = parseIvf(new Uint8Array(readFileSync(file)))
      expect(frames).toHaveLength(25)
      // IVF from ffmpeg counts in 1/25 s; WebCodecs wants microseconds. Every 10th frame is a key frame.
      const chunks = frames.map(([pts, data], i) => new EncodedVideoChunk({ type: i % 10 === 0 ? 'key' : 'delta', timestamp: pts * 40_000, data }))
      const decoded = await decodeClip({ codec }, chunks)
      expect(decoded.timestamps).toEqual(chunks.map((c) => c.timestamp))
      expect(decoded.sizes[0]).toEqual([320, 240])
    })
  }
})
