// § 5 AudioEncoder Interface (https://w3c.github.io/webcodecs/#audioencoder-interface),
// subsection by subsection; numbers as in the editor's draft of 2026-05. The steps the
// codec interfaces share are registered by describeCodecInterface (helpers/codec-conformance.ts);
// what only AudioEncoder has is below, in the subsection it belongs to.
import { expect, it } from 'vitest'

import { AudioData, AudioEncoder, EncodedAudioChunk, type AudioEncoderConfig, type EncodedAudioChunkMetadata } from '../../index.js'
import { describeCodecInterface, encodeThenClose, recorded, type CodecFixture } from '../helpers/codec-conformance.js'
import { checkCountersReturn } from '../helpers/conformance.js'

checkCountersReturn()

const config: AudioEncoderConfig = { codec: 'pcm-s16', sampleRate: 8000, numberOfChannels: 1 }
const opus: AudioEncoderConfig = { codec: 'opus', sampleRate: 48000, numberOfChannels: 1 }

/** Input `i`: `frames` frames (80: 10 ms at 8 kHz) of a ramp, starting at i * 10 ms. */
function audio(i: number, sampleRate = 8000, frames = 80): AudioData {
  const data = new Float32Array(frames).map((_, k) => ((k % 40) - 20) / 40)
  return new AudioData({ format: 'f32', sampleRate, numberOfFrames: frames, numberOfChannels: 1, timestamp: i * 10_000, data })
}

function chunkRecord(chunk: EncodedAudioChunk, metadata?: EncodedAudioChunkMetadata) {
  return { timestamp: chunk.timestamp, duration: chunk.duration, type: chunk.type, keys: Object.keys(metadata ?? {}), decoderConfig: metadata?.decoderConfig }
}

const fixture: CodecFixture<AudioEncoder, AudioEncoderConfig> = {
  name: 'AudioEncoder',
  section: 5,
  Class: AudioEncoder,
  make: (init) => new AudioEncoder(init),
  config,
  unsupported: { ...config, codec: 'bogus' },
  invalid: [
    ['codec missing, a required member', { sampleRate: 8000, numberOfChannels: 1 } as AudioEncoderConfig],
    ['codec empty after stripping ASCII whitespace', { ...config, codec: '\r\n' }],
    ['an invalid codec-specific extension: opus.frameDuration 1234', { ...opus, opus: { frameDuration: 1234 } }],
    ['an invalid codec-specific extension: opus.complexity 11', { ...opus, opus: { complexity: 11 } }],
    ['an invalid codec-specific extension: opus.packetlossperc 101', { ...opus, opus: { packetlossperc: 101 } }],
    ['sampleRate 0', { ...config, sampleRate: 0 }],
    ['numberOfChannels 0', { ...config, numberOfChannels: 0 }],
  ],
  queueSizeName: 'encodeQueueSize',
  queueSize: (encoder) => encoder.encodeQueueSize,
  inputMethod: 'encode(data)',
  inputInterface: 'AudioData',
  lookalike: { format: 'f32', sampleRate: 8000, numberOfFrames: 1, numberOfChannels: 1, timestamp: 0 },
  feed: (encoder, input) => encoder.encode(input as AudioData),
  submit: encodeThenClose((encoder: AudioEncoder, input: AudioData) => encoder.encode(input), (i) => audio(i)),
  timestampOf: (i) => i * 10_000,
  describe: (chunk, metadata) => chunkRecord(chunk as EncodedAudioChunk, metadata as EncodedAudioChunkMetadata | undefined),
  outputAlgorithm: 'Output EncodedAudioChunks (with outputs)',
  encoder: { input: (i) => audio(i), cloneStep: 3 },
}

/** The output records of encoding `input` with `config`. */
async function encodeOne(config: AudioEncoderConfig, input: AudioData) {
  const { codec, outputs, done } = recorded(fixture)
  codec.configure(config)
  codec.encode(input)
  input.close()
  await codec.flush()
  done()
  return outputs as ReturnType<typeof chunkRecord>[]
}

describeCodecInterface(fixture, {
  isConfigSupported() {
    it('"Clone Configuration" recurses into the codec-specific dictionaries', async () => {
      const extension = { complexity: 3, notAMember: 1 }
      const support = await AudioEncoder.isConfigSupported({ ...opus, opus: extension })
      expect(support.supported).toBe(true)
      expect(support.config.opus).not.toBe(extension)
      expect(support.config.opus).toEqual({ complexity: 3 })
    })
  },

  output() {
    it("steps 1.3-1.4: the chunk has its AudioData's timestamp and duration", async () => {
      const { codec, outputs, done } = recorded(fixture)
      codec.configure(config)
      for (let i = 0; i < 3; i++) fixture.submit(codec, i)
      await codec.flush()
      done()
      expect(outputs.map((o) => [o.timestamp, o.duration, o.type])).toEqual([[0, 10_000, 'key'], [10_000, 10_000, 'key'], [20_000, 10_000, 'key']])
    })

    it('step 5: decoderConfig has the codec, sampleRate and numberOfChannels of the config, and a description where the codec needs one', async () => {
      const [pcm] = await encodeOne(config, audio(0))
      expect(pcm.decoderConfig).toEqual({ codec: 'pcm-s16', sampleRate: 8000, numberOfChannels: 1 })
      const [first] = await encodeOne(opus, audio(0, 48000, 960))
      expect(first.decoderConfig).toMatchObject({ codec: 'opus', sampleRate: 48000, numberOfChannels: 1 })
      // The Opus registration's description: an identification header, "OpusHead".
      const head = new Uint8Array(first.decoderConfig!.description as ArrayBuffer)
      expect(new TextDecoder().decode(head.subarray(0, 8))).toBe('OpusHead')
    })

    it('step 6: a configure() with another channel count gives a new decoderConfig', async () => {
      const { codec, outputs, done } = recorded(fixture)
      codec.configure(config)
      fixture.submit(codec, 0)
      codec.configure({ ...config, numberOfChannels: 2 })
      fixture.submit(codec, 1)
      await codec.flush()
      done()
      expect((outputs as ReturnType<typeof chunkRecord>[]).map((o) => o.decoderConfig?.numberOfChannels)).toEqual([1, 2])
    })
  },
})
