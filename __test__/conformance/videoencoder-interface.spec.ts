// § 6 VideoEncoder Interface (https://w3c.github.io/webcodecs/#videoencoder-interface),
// subsection by subsection; numbers as in the editor's draft of 2026-05. The steps the
// codec interfaces share are registered by describeCodecInterface (helpers/codec-conformance.ts);
// what only VideoEncoder has is below, in the subsection it belongs to.
import { expect, it } from 'vitest'

import {
  EncodedVideoChunk,
  VideoEncoder,
  VideoFrame,
  type EncodedVideoChunkMetadata,
  type VideoEncoderConfig,
  type VideoFrameBufferInit,
} from '../../index.js'
import { describeCodecInterface, encodeThenClose, recorded, type CodecFixture } from '../helpers/codec-conformance.js'
import { checkCountersReturn } from '../helpers/conformance.js'
import { expectThrowsNamed } from '../helpers/errors.js'
import { decodeClip, patternI420 } from '../helpers/video.js'

checkCountersReturn()

const width = 64
const height = 48
const config: VideoEncoderConfig = { codec: 'vp8', width, height, bitrate: 200_000 }

/** Frame `i` of the moving pattern at i ms, with init members of `extra`. */
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
  section: 6,
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
  inputMethod: 'encode(frame, options)',
  inputInterface: 'VideoFrame',
  lookalike: { format: 'I420', codedWidth: width, codedHeight: height, timestamp: 0 },
  feed: (encoder, input) => encoder.encode(input as VideoFrame),
  submit: encodeThenClose((encoder: VideoEncoder, input: VideoFrame) => encoder.encode(input), (i) => frame(i)),
  timestampOf: (i) => i * 1000,
  describe: (chunk, metadata) => chunkRecord(chunk as EncodedVideoChunk, metadata as EncodedVideoChunkMetadata | undefined),
  outputAlgorithm: 'Output EncodedVideoChunks (with outputs)',
  encoder: { input: (i) => frame(i), cloneStep: 5 },
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

/** Encodes `frames`, in order, with `config`, closing each; the encoder's outputs. */
async function encodeFrames(frames: VideoFrame[], feed: (encoder: VideoEncoder, frame: VideoFrame, i: number) => void) {
  const { codec, outputs, done } = recorded(fixture)
  codec.configure(config)
  try {
    frames.forEach((f, i) => feed(codec, f, i))
  } finally {
    for (const f of frames) f.close()
  }
  await codec.flush()
  done()
  return outputs as ReturnType<typeof chunkRecord>[]
}

describeCodecInterface(fixture, {
  internalSlots() {
    it("[[active orientation]] is the first frame's after configure(): a frame oriented otherwise is refused", async () => {
      await encodeFrames([frame(0, { rotation: 90 }), frame(1)], (encoder, f, i) => {
        if (i === 0) encoder.encode(f)
        else expectThrowsNamed(() => encoder.encode(f), 'DataError')
      })
    })
  },

  configure() {
    it('step 4: [[active orientation]] is set to null: after configure() any orientation is taken again', async () => {
      const outputs = await encodeFrames([frame(0, { rotation: 90 }), frame(1)], (encoder, f, i) => {
        if (i === 1) encoder.configure(config)
        encoder.encode(f)
      })
      expect(outputs.map((o) => o.timestamp)).toEqual([0, 1000])
    })
  },

  input() {
    it('step 3: rotation or flip other than [[active orientation]] is a DataError; nothing is queued', async () => {
      const frames = [frame(0, { rotation: 180, flip: true }), frame(1, { rotation: 180 }), frame(2, { flip: true }), frame(3, { rotation: 180, flip: true })]
      const outputs = await encodeFrames(frames, (encoder, f, i) => {
        if (i === 1 || i === 2) {
          expectThrowsNamed(() => encoder.encode(f), 'DataError')
          expect(encoder.encodeQueueSize).toBe(1)
        } else encoder.encode(f)
      })
      expect(outputs.map((o) => o.timestamp)).toEqual([0, 3000])
    })

    it('options.keyFrame true: the frame MUST be encoded as a key frame', async () => {
      const outputs = await encodeFrames([0, 1, 2, 3, 4].map((i) => frame(i)), (encoder, f, i) => encoder.encode(f, { keyFrame: i === 3 }))
      expect(outputs.map((o) => o.type)).toEqual(['key', 'delta', 'delta', 'key', 'delta'])
    })
  },

  isConfigSupported() {
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
  },

  output() {
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

    it('step 6: a new configure() with another size gives a new decoderConfig', async () => {
      const outputs = await encodeFrames([frame(0), frame(1)], (encoder, f, i) => {
        if (i === 1) encoder.configure({ ...config, width: 32, height: 24 })
        encoder.encode(f)
      })
      expect(outputs.map((o) => o.decoderConfig && [o.decoderConfig.codedWidth, o.decoderConfig.codedHeight])).toEqual([[64, 48], [32, 24]])
    })

    it('step 7: scalabilityMode with temporal layers gives each chunk svc.temporalLayerId', async () => {
      const l1t2 = await encodeWith({ ...config, scalabilityMode: 'L1T2' }, 4)
      const l1t3 = await encodeWith({ ...config, scalabilityMode: 'L1T3' }, 4)
      expect(l1t2.map((o) => o.svc?.temporalLayerId)).toEqual([0, 1, 0, 1])
      expect(l1t3.map((o) => o.svc?.temporalLayerId)).toEqual([0, 2, 1, 2])
    })

    it('step 7: a scalabilityMode of one temporal layer (L1T1) gives no svc metadata', async () => {
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
  },
})
