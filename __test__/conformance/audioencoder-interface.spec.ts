// § 5 AudioEncoder Interface (https://w3c.github.io/webcodecs/#audioencoder-interface),
// subsection by subsection; numbers as in the editor's draft of 2026-05. What the four
// codec interfaces share is registered from helpers/conformance.ts.
import { describe, expect, it } from 'vitest'

import { AudioData, AudioEncoder, EncodedAudioChunk, type AudioEncoderConfig, type EncodedAudioChunkMetadata } from '../../index.js'
import { checkCountersReturn, codecSteps, recorded, type CodecFixture } from '../helpers/conformance.js'
import { expectThrowsNamed } from '../helpers/errors.js'

checkCountersReturn()

const config: AudioEncoderConfig = { codec: 'pcm-s16', sampleRate: 8000, numberOfChannels: 1 }
const opus: AudioEncoderConfig = { codec: 'opus', sampleRate: 48000, numberOfChannels: 1 }

/** Input `i`: 80 frames (10 ms at 8 kHz) of a ramp, starting at i * 10 ms. */
function audio(i: number, sampleRate = 8000, frames = 80): AudioData {
  const data = new Float32Array(frames).map((_, k) => ((k % 40) - 20) / 40)
  return new AudioData({ format: 'f32', sampleRate, numberOfFrames: frames, numberOfChannels: 1, timestamp: i * 10_000, data })
}

function chunkRecord(chunk: EncodedAudioChunk, metadata?: EncodedAudioChunkMetadata) {
  return { timestamp: chunk.timestamp, duration: chunk.duration, type: chunk.type, keys: Object.keys(metadata ?? {}), decoderConfig: metadata?.decoderConfig }
}

const fixture: CodecFixture<AudioEncoder, AudioEncoderConfig> = {
  name: 'AudioEncoder',
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
  submit: (encoder, i) => {
    const input = audio(i)
    try {
      encoder.encode(input)
    } finally {
      input.close()
    }
  },
  timestampOf: (i) => i * 10_000,
  describe: (chunk, metadata) => chunkRecord(chunk as EncodedAudioChunk, metadata as EncodedAudioChunkMetadata | undefined),
}

/** Encodes `count` inputs made by `make` with `config`; the output records. */
async function encodeWith(config: AudioEncoderConfig, count: number, make: (i: number) => AudioData = (i) => audio(i)) {
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

describe('5. AudioEncoder Interface', () => {
  describe('5.1 Internal Slots', () => {
    it('[[active output config]] starts null: the first chunk carries a decoderConfig', async () => {
      const [first] = await encodeWith(config, 1)
      expect(first.decoderConfig).toBeDefined()
    })
  })

  describe('5.2 Constructors', () => {
    codecSteps.constructors(fixture)
  })

  describe('5.3 Attributes', () => {
    codecSteps.attributes(fixture)
  })

  describe('5.4 Event Summary', () => {
    codecSteps.eventSummary(fixture)
  })

  describe('5.5 Methods', () => {
    describe('configure(config)', () => {
      codecSteps.configure(fixture)
    })

    describe('encode(data)', () => {
      codecSteps.input(fixture, 2, 'encode')

      it('step 1: a closed ([[Detached]]) AudioData is a TypeError', () => {
        const { codec, done } = recorded(fixture)
        codec.configure(config)
        const closed = audio(0)
        closed.close()
        expectThrowsNamed(() => codec.encode(closed), 'TypeError')
        expect(codec.encodeQueueSize).toBe(0)
        done()
      })

      it('step 1 comes before step 2: a closed AudioData to an unconfigured or closed encoder is a TypeError', () => {
        const { codec } = recorded(fixture)
        const closed = audio(0)
        closed.close()
        expectThrowsNamed(() => codec.encode(closed), 'TypeError')
        codec.close()
        expectThrowsNamed(() => codec.encode(closed), 'TypeError')
      })

      it("step 3: the encoder takes a clone; the caller's AudioData stays open and may be closed at once", async () => {
        const { codec, outputs, done } = recorded(fixture)
        codec.configure(config)
        const input = audio(0)
        codec.encode(input)
        expect([input.format, input.numberOfFrames]).toEqual(['f32', 80])
        input.close()
        await codec.flush()
        expect(outputs.length).toBe(1)
        done()
      })

      it.fails('WebIDL: an argument that is not an AudioData is a TypeError', () => {
        const { codec, done } = recorded(fixture)
        codec.configure(config)
        try {
          expectThrowsNamed(() => codec.encode({ format: 'f32', timestamp: 0 } as never), 'TypeError')
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

      it('"Clone Configuration" recurses into the codec-specific dictionaries', async () => {
        const extension = { complexity: 3, notAMember: 1 }
        const support = await AudioEncoder.isConfigSupported({ ...opus, opus: extension })
        expect(support.supported).toBe(true)
        expect(support.config.opus).not.toBe(extension)
        expect(support.config.opus).toEqual({ complexity: 3 })
      })
    })
  })

  describe('5.6 Algorithms', () => {
    describe('Schedule Dequeue Event', () => {
      codecSteps.scheduleDequeueEvent(fixture)
    })

    describe('Output EncodedAudioChunks (with outputs)', () => {
      it("steps 1.3-1.4: the chunk has its AudioData's timestamp and duration", async () => {
        const outputs = await encodeWith(config, 3)
        expect(outputs.map((o) => [o.timestamp, o.duration, o.type])).toEqual([[0, 10_000, 'key'], [10_000, 10_000, 'key'], [20_000, 10_000, 'key']])
      })

      it('step 5: decoderConfig has the codec, sampleRate and numberOfChannels of the config, and a description where the codec needs one', async () => {
        const [pcm] = await encodeWith(config, 1)
        expect(pcm.decoderConfig).toEqual({ codec: 'pcm-s16', sampleRate: 8000, numberOfChannels: 1 })
        const [first] = await encodeWith(opus, 1, () => audio(0, 48000, 960))
        expect(first.decoderConfig).toMatchObject({ codec: 'opus', sampleRate: 48000, numberOfChannels: 1 })
        // The Opus registration's description: an identification header, "OpusHead".
        const head = new Uint8Array(first.decoderConfig!.description as ArrayBuffer)
        expect(new TextDecoder().decode(head.subarray(0, 8))).toBe('OpusHead')
      })

      it('step 6: later chunks with an equal outputConfig carry no decoderConfig (metadata is an empty dictionary)', async () => {
        const outputs = await encodeWith(config, 3)
        expect(outputs.map((o) => o.keys)).toEqual([['decoderConfig'], [], []])
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

      it('step 6: a configure() with another channel count gives a new decoderConfig', async () => {
        const { codec, outputs, done } = recorded(fixture)
        codec.configure(config)
        fixture.submit(codec, 0)
        codec.configure({ ...config, numberOfChannels: 2 })
        fixture.submit(codec, 1)
        await codec.flush()
        done()
        expect(outputs.map((o) => (o.decoderConfig as { numberOfChannels?: number } | undefined)?.numberOfChannels)).toEqual([1, 2])
      })
    })

    describe('Reset AudioEncoder (with exception)', () => {
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

    describe('Close AudioEncoder (with exception)', () => {
      codecSteps.closeAlgorithm(fixture)
    })
  })
})
