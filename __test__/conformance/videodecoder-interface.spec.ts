// § 4 VideoDecoder Interface (https://w3c.github.io/webcodecs/#videodecoder-interface),
// subsection by subsection; numbers as in the editor's draft of 2026-05. The steps the
// codec interfaces share are registered by describeCodecInterface (helpers/codec-conformance.ts);
// what only VideoDecoder has is below, in the subsection it belongs to.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { beforeAll, expect, it } from 'vitest'

import { EncodedVideoChunk, VideoDecoder, VideoFrame, type VideoDecoderConfig } from '../../index.js'
import { describeCodecInterface, recorded, type CodecFixture } from '../helpers/codec-conformance.js'
import { checkCountersReturn, detachedBuffer } from '../helpers/conformance.js'
import { expectThrowsNamed } from '../helpers/errors.js'
import { encodeClip, splitAtAud } from '../helpers/video.js'

checkCountersReturn()

/** Every chunk a key chunk, so that any of them may come first. */
let keys: EncodedVideoChunk[] = []
/** A key chunk, then delta chunks. */
let stream: EncodedVideoChunk[] = []
/** An H.264 stream with B-frames: decode order differs from presentation order. */
let reordered: { chunks: EncodedVideoChunk[]; config: VideoDecoderConfig }

/** Eight frames from the ffmpeg CLI (our encoders do not reorder), with B-frames in x264's
 * fixed pattern: frames 0, 3, 1, 2, 6, 4, 5, 7 in decode order (as `-f framecrc` shows).
 * Were the pattern other, the frames would come out of the decoder with their
 * timestamps out of order. */
function reorderedStream(): { chunks: EncodedVideoChunk[]; config: VideoDecoderConfig } {
  const dir = mkdtempSync(join(tmpdir(), 'webcodecs-conformance-'))
  const file = join(dir, 'b-frames.h264')
  const x264 = ['-c:v', 'libx264', '-bf', '2', '-x264-params', 'b-adapt=0:scenecut=0:b-pyramid=0', '-g', '100']
  execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=64x48:rate=30', '-frames:v', '8', ...x264, '-bsf:v', 'h264_metadata=aud=insert', '-f', 'h264', '-y', file])
  const units = splitAtAud(new Uint8Array(readFileSync(file)))
  rmSync(dir, { recursive: true })
  const shown = [0, 3, 1, 2, 6, 4, 5, 7]
  const chunks = units.map((data, i) => new EncodedVideoChunk({ type: i === 0 ? 'key' : 'delta', timestamp: Math.round((shown[i] * 1e6) / 30), data }))
  return { chunks, config: { codec: 'avc1.64000a' } }
}

beforeAll(async () => {
  const vp8 = { codec: 'vp8', width: 64, height: 48, bitrate: 200_000 }
  keys = (await encodeClip(vp8, 8, 1)).chunks
  stream = (await encodeClip(vp8, 4)).chunks
  reordered = reorderedStream()
})

/** The frame's attributes, then the frame closed. */
function frameRecord(frame: VideoFrame) {
  const record = {
    timestamp: frame.timestamp,
    duration: frame.duration,
    format: frame.format,
    coded: [frame.codedWidth, frame.codedHeight],
    visible: frame.visibleRect && [frame.visibleRect.width, frame.visibleRect.height],
    display: [frame.displayWidth, frame.displayHeight],
    rotation: frame.rotation,
    flip: frame.flip,
    colorSpace: frame.colorSpace.toJSON(),
  }
  frame.close()
  return record
}

const fixture: CodecFixture<VideoDecoder, VideoDecoderConfig> = {
  name: 'VideoDecoder',
  section: 4,
  Class: VideoDecoder,
  make: (init) => new VideoDecoder(init),
  config: { codec: 'vp8' },
  unsupported: { codec: 'bogus' },
  invalid: [
    ['codec missing, a required member', {} as VideoDecoderConfig],
    ['codec empty after stripping ASCII whitespace', { codec: ' \t\n' }],
    ['codedWidth without codedHeight', { codec: 'vp8', codedWidth: 64 }],
    ['codedWidth 0', { codec: 'vp8', codedWidth: 0, codedHeight: 48 }],
    ['displayAspectHeight without displayAspectWidth', { codec: 'vp8', displayAspectHeight: 1 }],
    ['displayAspectWidth 0', { codec: 'vp8', displayAspectWidth: 0, displayAspectHeight: 1 }],
  ],
  queueSizeName: 'decodeQueueSize',
  queueSize: (decoder) => decoder.decodeQueueSize,
  inputMethod: 'decode(chunk)',
  inputInterface: 'EncodedVideoChunk',
  lookalike: { type: 'key', timestamp: 0, byteLength: 0, copyTo: () => {} },
  feed: (decoder, chunk) => decoder.decode(chunk as EncodedVideoChunk),
  submit: (decoder, i) => decoder.decode(keys[i]),
  timestampOf: (i) => keys[i].timestamp,
  describe: (output) => frameRecord(output as VideoFrame),
  outputAlgorithm: 'Output VideoFrames (with outputs)',
  decoder: {
    stream: (i) => stream[i],
    streamTimestamp: (i) => stream[i].timestamp,
    broken: { config: { codec: 'vp8' }, chunk: () => new EncodedVideoChunk({ type: 'key', timestamp: 0, data: new Uint8Array(32).fill(0xa5) }) },
  },
}

/** A copy of `chunk` with other fields. */
function rechunk(chunk: EncodedVideoChunk, init: Partial<{ type: 'key' | 'delta'; timestamp: number; duration: number }>) {
  const data = new Uint8Array(chunk.byteLength)
  chunk.copyTo(data)
  return new EncodedVideoChunk({ type: chunk.type, timestamp: chunk.timestamp, data, ...init })
}

/** Decodes `chunks` with `config`; the outputs' records. */
async function decodeWith(config: VideoDecoderConfig, chunks: EncodedVideoChunk[]) {
  const { codec, outputs, errors, done } = recorded(fixture)
  codec.configure(config)
  for (const chunk of chunks) codec.decode(chunk)
  await codec.flush()
  done()
  expect(errors).toEqual([])
  return outputs
}

describeCodecInterface(fixture, {
  internalSlots() {
    it('[[active decoder config]]: each configure() applies to the outputs of the chunks after it', async () => {
      const { codec, outputs, done } = recorded(fixture)
      codec.configure({ codec: 'vp8' })
      codec.decode(keys[0])
      codec.configure({ codec: 'vp8', displayAspectWidth: 2, displayAspectHeight: 1 })
      codec.decode(keys[1])
      await codec.flush()
      done()
      expect(outputs.map((o) => o.display)).toEqual([[64, 48], [96, 48]])
    })
  },

  configure() {
    it('step 1: a detached description is not valid (TypeError)', () => {
      const { codec, done } = recorded(fixture)
      expectThrowsNamed(() => codec.configure({ codec: 'vp8', description: detachedBuffer() }), 'TypeError')
      done()
    })
  },

  input() {
    it('the control message: outputs come in presentation order (H.264 with B-frames)', async () => {
      const decodeOrder = reordered.chunks.map((c) => c.timestamp)
      const presentationOrder = [...decodeOrder].sort((a, b) => a - b)
      expect(decodeOrder).not.toEqual(presentationOrder)
      const outputs = await decodeWith(reordered.config, reordered.chunks)
      expect(outputs.map((o) => o.timestamp)).toEqual(presentationOrder)
    })
  },

  isConfigSupported() {
    it('step 1: a detached description is not valid: rejected with TypeError', async () => {
      await expect(VideoDecoder.isConfigSupported({ codec: 'vp8', description: detachedBuffer() })).rejects.toThrow(TypeError)
    })

    it('a valid codec string naming no codec this build has is supported: false', async () => {
      for (const codec of ['vp9', ' vp8', 'avc1', 'hvc1.9.9.X']) {
        expect((await VideoDecoder.isConfigSupported({ codec })).supported, codec).toBe(false)
      }
    })

    it('"Clone Configuration" recurses into colorSpace and copies the description', async () => {
      const colorSpace = { primaries: 'bt709' as const, notAMember: true }
      const description = new Uint8Array([1, 2, 3])
      const support = await VideoDecoder.isConfigSupported({ codec: 'vp8', colorSpace, description })
      expect(support.config.colorSpace).not.toBe(colorSpace)
      expect(support.config.colorSpace).toEqual({ primaries: 'bt709' })
      expect(support.config.description).not.toBe(description)
      expect(Array.from(new Uint8Array(support.config.description as ArrayBuffer))).toEqual([1, 2, 3])
    })
  },

  output() {
    it('step 1: timestamp and duration come from the chunk (a chunk without duration gives null)', async () => {
      const outputs = await decodeWith(fixture.config, [rechunk(keys[0], { timestamp: -5, duration: 123 }), rechunk(keys[1], { timestamp: 7 })])
      expect(outputs.map((o) => [o.timestamp, o.duration])).toEqual([[-5, 123], [7, null]])
    })

    it('step 3 and "Create a VideoFrame" step 8: displayAspectWidth/Height grow the display size to their ratio', async () => {
      const wide = await decodeWith({ codec: 'vp8', displayAspectWidth: 2, displayAspectHeight: 1 }, [keys[0]])
      const tall = await decodeWith({ codec: 'vp8', displayAspectWidth: 1, displayAspectHeight: 2 }, [keys[0]])
      expect([wide[0].display, tall[0].display]).toEqual([[96, 48], [64, 128]])
      expect([wide[0].coded, wide[0].visible]).toEqual([[64, 48], [64, 48]])
    })

    it("step 5: the config's colorSpace overrides what the bitstream says", async () => {
      const colorSpace = { primaries: 'bt470bg', transfer: 'smpte170m', matrix: 'smpte170m', fullRange: true } as const
      const [frame] = await decodeWith({ codec: 'vp8', colorSpace }, [keys[0]])
      expect(frame.colorSpace).toEqual(colorSpace)
    })

    it("step 6: the config's rotation and flip go to every frame", async () => {
      const frames = await decodeWith({ codec: 'vp8', rotation: 180, flip: true }, [keys[0], keys[1]])
      expect(frames.map((f) => [f.rotation, f.flip])).toEqual([[180, true], [180, true]])
      const [plain] = await decodeWith(fixture.config, [keys[0]])
      expect([plain.rotation, plain.flip]).toEqual([0, false])
    })

    it('"Create a VideoFrame": a recognized format, the coded size and the visible rect of the output', async () => {
      const [frame] = await decodeWith(fixture.config, [keys[0]])
      expect([frame.format, frame.coded, frame.visible]).toEqual(['I420', [64, 48], [64, 48]])
    })
  },
})
