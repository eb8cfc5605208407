// § 6 VideoEncoder Interface (https://w3c.github.io/webcodecs/#videoencoder-interface),
// subsection by subsection; numbers as in the editor's draft of 2026-05. What the four
// codec interfaces share is registered from helpers/conformance.ts.
import { describe, expect, it } from 'vitest'

import {
  EncodedVideoChunk,
  VideoEncoder,
  VideoFrame,
  type EncodedVideoChunkMetadata,
  type VideoEncoderConfig,
  type VideoFrameBufferInit,
} from '../../index.js'
import { checkCountersReturn, codecSteps, recorded, type CodecFixture } from '../helpers/conformance.js'
import { expectThrowsNamed } from '../helpers/errors.js'
import { decodeClip, frameAt, patternI420 } from '../helpers/video.js'

checkCountersReturn()

const width = 64
const height = 48
const config: VideoEncoderConfig = { codec: 'vp8', width, height, bitrate: 200_000 }

/** Frame `i` of the moving pattern, with init members of `extra`. */
function frame(i: number, extra: Partial<VideoFrameBufferInit> = {}): VideoFrame {
  return new VideoFrame(patternI420(width, height, i), { format: 'I420', codedWidth: width, codedHeight: height, timestamp: i * 1000, duration: 1000, ...extra })
}

/** The chunk and its metadata as a record; the chunk is kept for decoding. */
function chunkRecord(chunk: EncodedVideoChunk, metadata?: EncodedVideoChunkMetadata) {
  return {
    timestamp: chunk.timestamp,
    duration: chunk.duration,
    type: chunk.type,
    chunk,
    keys: Object.keys(metadata ?? {}),
    decoderConfig: metadata?.decoderConfig,
    svc: metadata?.svc,
    alphaSideData: metadata?.alphaSideData,
  }
}

const fixture: CodecFixture<VideoEncoder, VideoEncoderConfig> = {
  name: 'VideoEncoder',
  Class: VideoEncoder,
  make: (init) => new VideoEncoder(init),
  config,
  unsupported: { codec: 'bogus', width, height },
  invalid: [
    ['codec missing, a required member', { width, height } as VideoEncoderConfig],
    ['codec empty after stripping ASCII whitespace', { ...config, codec: '  ' }],
    ['width 0', { ...config, width: 0 }],
    ['height 0', { ...config, height: 0 }],
    ['displayWidth 0', { ...config, displayWidth: 0, displayHeight: 48 }],
    ['displayHeight 0', { ...config, displayWidth: 64, displayHeight: 0 }],
  ],
  queueSizeName: 'encodeQueueSize',
  queueSize: (encoder) => encoder.encodeQueueSize,
  submit: (encoder, i) => {
    const input = frameAt(width, height, i)
    try {
      encoder.encode(input)
    } finally {
      input.close()
    }
  },
  timestampOf: (i) => Math.round((i * 1e6) / 30),
  describe: (chunk, metadata) => chunkRecord(chunk as EncodedVideoChunk, metadata as EncodedVideoChunkMetadata | undefined),
}

/** Encodes frames made by `make(i)` for i < count with `config`; the output records. */
async function encodeWith(config: VideoEncoderConfig, count: number, make: (i: number) => VideoFrame = (i) => frame(i)) {
  const { codec, outputs, errors, done } = recorded(fixture)
  codec.configure(config)
  for (let i = 0; i < count; i++) {
    const input = make(i)
    codec.encode(input)
    input.close()
  }
  await codec.flush()
  done()
  expect(errors).toEqual([])
  return outputs as ReturnType<typeof chunkRecord>[]
}

describe('6. VideoEncoder Interface', () => {
  describe('6.1 Internal Slots', () => {
    it('[[active orientation]] is the first frame\'s after configure(): a frame oriented otherwise is refused', () => {
      const { codec, done } = recorded(fixture)
      codec.configure(config)
      const turned = frame(0, { rotation: 90 })
      codec.encode(turned)
      const upright = frame(1)
      expectThrowsNamed(() => codec.encode(upright), 'DataError')
      for (const f of [turned, upright]) f.close()
      done()
    })

    it('[[active output config]] starts null: the first chunk carries a decoderConfig', async () => {
      const [first] = await encodeWith(config, 1)
      expect(first.decoderConfig).toBeDefined()
    })
  })

  describe('6.2 Constructors', () => {
    codecSteps.constructors(fixture)
  })

  describe('6.3 Attributes', () => {
    codecSteps.attributes(fixture)
  })

  describe('6.4 Event Summary', () => {
    codecSteps.eventSummary(fixture)
  })

  describe('6.5 Methods', () => {
    describe('configure(config)', () => {
      codecSteps.configure(fixture)

      it('step 4: [[active orientation]] is set to null: after configure() any orientation is taken again', async () => {
        const { codec, errors, done } = recorded(fixture)
        codec.configure(config)
        const turned = frame(0, { rotation: 90 })
        codec.encode(turned)
        codec.configure(config)
        const upright = frame(1)
        expect(() => codec.encode(upright)).not.toThrow()
        for (const f of [turned, upright]) f.close()
        await codec.flush()
        expect(errors).toEqual([])
        done()
      })
    })

    describe('encode(frame, options)', () => {
      codecSteps.input(fixture, 2, 'encode')

      it('step 1: a closed ([[Detached]]) frame is a TypeError', () => {
        const { codec, done } = recorded(fixture)
        codec.configure(config)
        const closed = frame(0)
        closed.close()
        expectThrowsNamed(() => codec.encode(closed), 'TypeError')
        expect(codec.encodeQueueSize).toBe(0)
        done()
      })

      it('step 1 comes before step 2: a closed frame to an unconfigured or closed encoder is a TypeError', () => {
        const { codec } = recorded(fixture)
        const closed = frame(0)
        closed.close()
        expectThrowsNamed(() => codec.encode(closed), 'TypeError')
        codec.close()
        expectThrowsNamed(() => codec.encode(closed), 'TypeError')
      })

      it('step 3: rotation or flip other than [[active orientation]] is a DataError; nothing is queued', async () => {
        const { codec, outputs, done } = recorded(fixture)
        codec.configure(config)
        const frames = [frame(0, { rotation: 180, flip: true }), frame(1, { rotation: 180 }), frame(2, { flip: true }), frame(3, { rotation: 180, flip: true })]
        codec.encode(frames[0])
        expectThrowsNamed(() => codec.encode(frames[1]), 'DataError')
        expectThrowsNamed(() => codec.encode(frames[2]), 'DataError')
        expect(codec.encodeQueueSize).toBe(1)
        codec.encode(frames[3])
        for (const f of frames) f.close()
        await codec.flush()
        expect(outputs.map((o) => o.timestamp)).toEqual([0, 3000])
        done()
      })

      it('step 5: the encoder takes a clone; the caller\'s frame stays open and may be closed at once', async () => {
        const { codec, outputs, done } = recorded(fixture)
        codec.configure(config)
        const input = frame(0)
        codec.encode(input)
        expect([input.format, input.codedWidth]).toEqual(['I420', width])
        input.close()
        await codec.flush()
        expect(outputs.length).toBe(1)
        done()
      })

      it('options.keyFrame true: the frame MUST be encoded as a key frame', async () => {
        const { codec, outputs, done } = recorded(fixture)
        codec.configure(config)
        for (let i = 0; i < 5; i++) {
          const input = frame(i)
          codec.encode(input, { keyFrame: i === 3 })
          input.close()
        }
        await codec.flush()
        done()
        expect(outputs.map((o) => o.type)).toEqual(['key', 'delta', 'delta', 'key', 'delta'])
      })

      it.fails('WebIDL: an argument that is not a VideoFrame is a TypeError', () => {
        const { codec, done } = recorded(fixture)
        codec.configure(config)
        try {
          expectThrowsNamed(() => codec.encode({ format: 'I420', timestamp: 0 } as never), 'TypeError')
        } finally {
          done()
        }
      })
    })

    describe('flush()', () => {
      codecSteps.flush(fixture)
    })

    describe('reset()', () => {
      codecSteps.reset(fixture)
    })

    describe('close()', () => {
      codecSteps.close(fixture)
    })

    describe('isConfigSupported(config)', () => {
      codecSteps.isConfigSupported(fixture)

      it('hints and modes this build cannot honour answer supported: false, not a rejection', async () => {
        const unsupported: Partial<VideoEncoderConfig>[] = [{ scalabilityMode: 'L2T1' }, { scalabilityMode: 'no such mode' }, { hardwareAcceleration: 'prefer-hardware' }]
        for (const extra of unsupported) {
          expect((await VideoEncoder.isConfigSupported({ ...config, ...extra })).supported, JSON.stringify(extra)).toBe(false)
        }
      })

      it('contentHint: the User Agent MUST NOT refuse a config for a content hint it does not know', async () => {
        const support = await VideoEncoder.isConfigSupported({ ...config, contentHint: 'no such hint' })
        expect(support.supported).toBe(true)
        expect(support.config.contentHint).toBe('no such hint')
      })

      it('"Clone Configuration" recurses into the codec-specific dictionaries', async () => {
        const avc = { format: 'annexb' as const, notAMember: 1 }
        const support = await VideoEncoder.isConfigSupported({ codec: 'avc1.42001f', width, height, avc })
        expect(support.config.avc).not.toBe(avc)
        expect(support.config.avc).toEqual({ format: 'annexb' })
      })
    })
  })

  describe('6.6 Algorithms', () => {
    describe('Schedule Dequeue Event', () => {
      codecSteps.scheduleDequeueEvent(fixture)
    })

    describe('Output EncodedVideoChunks (with outputs)', () => {
      it('step 1: the chunk has the timestamp and duration of its frame (null duration stays null)', async () => {
        const timed = await encodeWith(config, 2, (i) => frame(i, { timestamp: 100 + i, duration: 7 }))
        const untimed = await encodeWith(config, 1, (i) => frame(i, { duration: undefined }))
        expect(timed.map((o) => [o.timestamp, o.duration])).toEqual([[100, 7], [101, 7]])
        expect(untimed.map((o) => [o.timestamp, o.duration])).toEqual([[0, null]])
      })

      it('step 5: decoderConfig has the codec, the coded size, display aspect, rotation and flip of the frame', async () => {
        const [first] = await encodeWith({ ...config, displayWidth: 128, displayHeight: 48 }, 1, (i) => frame(i, { rotation: 270, flip: true }))
        expect(first.decoderConfig).toMatchObject({ codec: 'vp8', codedWidth: 64, codedHeight: 48, displayAspectWidth: 128, displayAspectHeight: 48, rotation: 270, flip: true })
      })

      it('step 5.8: the decoderConfig MUST describe the chunks completely: it decodes them', async () => {
        const outputs = await encodeWith(config, 3)
        const decoded = await decodeClip(outputs[0].decoderConfig!, outputs.map((o) => o.chunk))
        expect(decoded.timestamps).toEqual([0, 1000, 2000])
      })

      it('step 6: later chunks with an equal outputConfig carry no decoderConfig (metadata is an empty dictionary)', async () => {
        const outputs = await encodeWith(config, 3)
        expect(outputs.map((o) => o.keys)).toEqual([['decoderConfig'], [], []])
      })

      it('step 6: a new configure() with another size gives a new decoderConfig', async () => {
        const { codec, outputs, done } = recorded(fixture)
        codec.configure(config)
        const a = frame(0)
        codec.encode(a)
        codec.configure({ ...config, width: 32, height: 24 })
        const b = frame(1)
        codec.encode(b)
        for (const f of [a, b]) f.close()
        await codec.flush()
        done()
        const sizes = (outputs as ReturnType<typeof chunkRecord>[]).map((o) => o.decoderConfig && [o.decoderConfig.codedWidth, o.decoderConfig.codedHeight])
        expect(sizes).toEqual([[64, 48], [32, 24]])
      })

      it.fails('step 6: configure() with the same config, no reset: the outputConfig is equal, so no decoderConfig', async () => {
        const { codec, outputs, done } = recorded(fixture)
        codec.configure(config)
        fixture.submit(codec, 0)
        await codec.flush()
        codec.configure(config)
        fixture.submit(codec, 1)
        await codec.flush()
        done()
        expect(outputs.map((o) => o.decoderConfig !== undefined)).toEqual([true, false])
      })

      it('step 7: scalabilityMode with temporal layers gives each chunk svc.temporalLayerId', async () => {
        const l1t2 = await encodeWith({ ...config, scalabilityMode: 'L1T2' }, 4)
        const l1t3 = await encodeWith({ ...config, scalabilityMode: 'L1T3' }, 4)
        expect(l1t2.map((o) => o.svc?.temporalLayerId)).toEqual([0, 1, 0, 1])
        expect(l1t3.map((o) => o.svc?.temporalLayerId)).toEqual([0, 2, 1, 2])
      })

      it.fails('step 7: a scalabilityMode of one temporal layer (L1T1) gives no svc metadata', async () => {
        const outputs = await encodeWith({ ...config, scalabilityMode: 'L1T1' }, 2)
        expect(outputs.map((o) => o.svc)).toEqual([undefined, undefined])
      })

      it('step 8: alpha "keep" gives each chunk alphaSideData; "discard" gives none', async () => {
        const withAlpha = (i: number) =>
          new VideoFrame(new Uint8Array((width * height * 5) / 2).fill(90 + i), { format: 'I420A', codedWidth: width, codedHeight: height, timestamp: i * 1000 })
        const kept = await encodeWith({ ...config, alpha: 'keep' }, 2, withAlpha)
        const discarded = await encodeWith({ ...config, alpha: 'discard' }, 2, withAlpha)
        expect(kept.every((o) => o.alphaSideData instanceof ArrayBuffer && o.alphaSideData.byteLength > 0)).toBe(true)
        expect(discarded.map((o) => o.alphaSideData)).toEqual([undefined, undefined])
      })
    })

    describe('Reset VideoEncoder (with exception)', () => {
      codecSteps.resetAlgorithm(fixture)

      it('steps 3-4: [[active encoder config]] and [[active output config]] are null: the next chunk carries a decoderConfig', async () => {
        const { codec, outputs, done } = recorded(fixture)
        codec.configure(config)
        fixture.submit(codec, 0)
        await codec.flush()
        codec.reset()
        codec.configure(config)
        fixture.submit(codec, 1)
        await codec.flush()
        done()
        expect(outputs.map((o) => o.decoderConfig !== undefined)).toEqual([true, true])
      })
    })

    describe('Close VideoEncoder (with exception)', () => {
      codecSteps.closeAlgorithm(fixture)
    })
  })
})
