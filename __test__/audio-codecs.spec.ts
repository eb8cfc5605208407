import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { afterAll, describe, expect, it } from 'vitest'

import {
  AudioData,
  AudioDecoder,
  AudioEncoder,
  EncodedAudioChunk,
  getCounters,
  type AudioDecoderConfig,
  type AudioEncoderConfig,
} from '../index.js'
import { expectRejectsNamed, expectThrowsNamed } from './helpers/errors.js'
import { assertNoLeaks } from './helpers/leak-check.js'
import { opusPacketSamples, readOgg, writeOggOpus } from './helpers/ogg.js'

const work = mkdtempSync(join(tmpdir(), 'webcodecs-audio-'))
afterAll(async () => {
  rmSync(work, { recursive: true, force: true })
  await assertNoLeaks()
})

const noop = () => {}

/** A 1 kHz + 3 kHz sine mix, interleaved f32. */
function sineMix(sampleRate: number, channels: number, frames: number, offset = 0): Float32Array {
  const out = new Float32Array(frames * channels)
  for (let i = 0; i < frames; i++) {
    const t = (i + offset) / sampleRate
    const v = 0.4 * Math.sin(2 * Math.PI * 1000 * t) + 0.2 * Math.sin(2 * Math.PI * 3000 * t)
    for (let c = 0; c < channels; c++) out[i * channels + c] = c === 1 ? -v : v
  }
  return out
}

/** Splits `seconds` of the sine mix (times `gain`) into AudioData of `chunkFrames` frames each. */
function sineAudio(sampleRate: number, channels: number, seconds: number, chunkFrames = 1000, gain = 1): AudioData[] {
  const total = Math.round(sampleRate * seconds)
  const out: AudioData[] = []
  for (let start = 0; start < total; start += chunkFrames) {
    const frames = Math.min(chunkFrames, total - start)
    out.push(
      new AudioData({
        format: 'f32',
        sampleRate,
        numberOfFrames: frames,
        numberOfChannels: channels,
        timestamp: Math.round((start * 1e6) / sampleRate),
        data: sineMix(sampleRate, channels, frames, start).map((v) => v * gain),
      }),
    )
  }
  return out
}

interface EncodedAudio {
  chunks: EncodedAudioChunk[]
  decoderConfig?: AudioDecoderConfig
}

async function encodeAudio(config: AudioEncoderConfig, seconds: number, silent = false): Promise<EncodedAudio> {
  const out: EncodedAudio = { chunks: [] }
  let failure: unknown
  const encoder = new AudioEncoder({
    output: (chunk, metadata) => {
      out.chunks.push(chunk)
      out.decoderConfig ??= metadata?.decoderConfig
    },
    error: (e) => (failure = e),
  })
  encoder.configure(config)
  for (const data of sineAudio(config.sampleRate, config.numberOfChannels, seconds, 1000, silent ? 0 : 1)) {
    encoder.encode(data)
    data.close()
  }
  await encoder.flush()
  encoder.close()
  if (failure) throw failure
  return out
}

interface DecodedAudio {
  /** Channel 0 as f32. */
  samples: Float32Array
  timestamps: number[]
  frames: number[]
}

async function decodeAudio(config: AudioDecoderConfig, chunks: EncodedAudioChunk[]): Promise<DecodedAudio> {
  const parts: Float32Array[] = []
  const out: DecodedAudio = { samples: new Float32Array(0), timestamps: [], frames: [] }
  let failure: unknown
  const decoder = new AudioDecoder({
    output: (data) => {
      out.timestamps.push(data.timestamp)
      out.frames.push(data.numberOfFrames)
      const plane = new Float32Array(data.numberOfFrames)
      data.copyTo(plane, { planeIndex: 0, format: 'f32-planar' })
      parts.push(plane)
      data.close()
    },
    error: (e) => (failure = e),
  })
  decoder.configure(config)
  for (const chunk of chunks) decoder.decode(chunk)
  await decoder.flush()
  decoder.close()
  if (failure) throw failure
  out.samples = new Float32Array(parts.reduce((n, p) => n + p.length, 0))
  let offset = 0
  for (const p of parts) {
    out.samples.set(p, offset)
    offset += p.length
  }
  return out
}

/** SNR in dB of `actual` against channel 0 of the sine mix, over the frames both have. */
function snr(actual: Float32Array, sampleRate: number): number {
  const expected = sineMix(sampleRate, 1, actual.length)
  let signal = 0
  let noise = 0
  for (let i = 0; i < actual.length; i++) {
    signal += expected[i] * expected[i]
    noise += (actual[i] - expected[i]) ** 2
  }
  return noise === 0 ? Infinity : 10 * Math.log10(signal / noise)
}

const codecs: { name: string; codec: string; floor: number; rates: number[]; bitrate?: number }[] = [
  { name: 'Opus', codec: 'opus', floor: 15, rates: [48_000], bitrate: 128_000 },
  { name: 'AAC', codec: 'mp4a.40.2', floor: 15, rates: [44_100, 48_000], bitrate: 128_000 },
  { name: 'MP3', codec: 'mp3', floor: 15, rates: [44_100, 48_000], bitrate: 192_000 },
  { name: 'FLAC', codec: 'flac', floor: 80, rates: [44_100, 48_000] },
  { name: 'PCM s16', codec: 'pcm-s16', floor: 80, rates: [44_100, 48_000] },
  { name: 'PCM f32', codec: 'pcm-f32', floor: 200, rates: [48_000] },
  { name: 'u-law', codec: 'ulaw', floor: 30, rates: [48_000] },
  { name: 'A-law', codec: 'alaw', floor: 30, rates: [48_000] },
]

describe('round trips', () => {
  for (const { name, codec, floor, rates, bitrate } of codecs) {
    for (const sampleRate of rates) {
      for (const channels of [1, 2]) {
        it(`${name} ${sampleRate} Hz ${channels === 1 ? 'mono' : 'stereo'}: samples line up, SNR >= ${floor} dB`, async () => {
          const seconds = 0.5
          const encoded = await encodeAudio({ codec, sampleRate, numberOfChannels: channels, bitrate }, seconds)
          expect(encoded.decoderConfig).toBeDefined()
          expect(encoded.decoderConfig!.sampleRate).toBe(sampleRate)
          expect(encoded.decoderConfig!.numberOfChannels).toBe(channels)
          // Chunk timestamps are contiguous: each starts where the last ended.
          for (let i = 1; i < encoded.chunks.length; i++) {
            const previous = encoded.chunks[i - 1]
            expect(Math.abs(encoded.chunks[i].timestamp - (previous.timestamp + previous.duration!))).toBeLessThanOrEqual(1)
          }
          expect(encoded.chunks[0].timestamp).toBe(0)

          const decoded = await decodeAudio(encoded.decoderConfig!, encoded.chunks)
          const expectedFrames = Math.round(sampleRate * seconds)
          // Lossy codecs too: the last chunk's duration drops its frame's padding.
          expect(decoded.samples.length).toBe(expectedFrames)
          expect(decoded.timestamps[0]).toBe(0)
          const quality = snr(decoded.samples.subarray(0, Math.min(decoded.samples.length, expectedFrames)), sampleRate)
          expect(quality).toBeGreaterThanOrEqual(floor)
        })
      }
    }
  }
})

describe('descriptions', () => {
  // The registrations' requirements: FLAC's and Vorbis's descriptions are required, Opus
  // with more than two channels needs an OpusHead with its channel mapping (19 bytes and
  // more). A config that misses them is valid but cannot be decoded: configure() closes
  // the decoder with NotSupportedError, and flush() rejects with it.
  const streaminfo = (kind: number, length: number) => Uint8Array.of(0x66, 0x4c, 0x61, 0x43, kind, 0, 0, length, ...new Array(34).fill(0))
  const incomplete: [string, AudioDecoderConfig][] = [
    ['Opus, 3 channels, no description', { codec: 'opus', sampleRate: 48_000, numberOfChannels: 3 }],
    ['Opus, 3 channels, a 9-byte description', { codec: 'opus', sampleRate: 48_000, numberOfChannels: 3, description: new Uint8Array(9) }],
    ['Vorbis, no description', { codec: 'vorbis', sampleRate: 48_000, numberOfChannels: 2 }],
    ['FLAC, no description', { codec: 'flac', sampleRate: 48_000, numberOfChannels: 2 }],
    ['FLAC, a description without "fLaC"', { codec: 'flac', sampleRate: 48_000, numberOfChannels: 2, description: streaminfo(0, 34).subarray(4) }],
    ['FLAC, a first block that is not STREAMINFO', { codec: 'flac', sampleRate: 48_000, numberOfChannels: 2, description: streaminfo(4, 34) }],
    ['FLAC, a STREAMINFO cut short', { codec: 'flac', sampleRate: 48_000, numberOfChannels: 2, description: streaminfo(0x80, 34).subarray(0, 30) }],
  ]
  for (const [name, config] of incomplete) {
    it(`configure() closes the decoder with NotSupportedError: ${name}`, async () => {
      const errors: string[] = []
      const decoder = new AudioDecoder({ output: noop, error: (e) => errors.push(`${e.name} ${decoder.state}`) })
      decoder.configure(config)
      expect(decoder.state).toBe('configured')
      await expectRejectsNamed(decoder.flush(), 'NotSupportedError')
      expect(errors).toEqual(['NotSupportedError closed'])
      expect(decoder.state).toBe('closed')
    })
  }

  it('AAC in aac format carries an AudioSpecificConfig; adts carries none', async () => {
    const aac = await encodeAudio({ codec: 'mp4a.40.2', sampleRate: 48_000, numberOfChannels: 2, bitrate: 128_000 }, 0.1)
    expect(Array.from(new Uint8Array(aac.decoderConfig!.description as ArrayBuffer))).toEqual([0x11, 0x90])
    const adts = await encodeAudio({ codec: 'mp4a.40.2', sampleRate: 48_000, numberOfChannels: 2, bitrate: 128_000, aac: { format: 'adts' } }, 0.1)
    expect(adts.decoderConfig!.description).toBeUndefined()
    const first = new Uint8Array(adts.chunks[0].byteLength)
    adts.chunks[0].copyTo(first)
    expect(first[0]).toBe(0xff)
    expect(first[1] & 0xf6).toBe(0xf0)
  })

  it('Opus in ogg format carries its identification header', async () => {
    const ogg = await encodeAudio({ codec: 'opus', sampleRate: 48_000, numberOfChannels: 2, opus: { format: 'ogg' } }, 0.1)
    const head = new Uint8Array(ogg.decoderConfig!.description as ArrayBuffer)
    // RFC 7845 5.1: "OpusHead", version 1, channels, pre-skip, input rate, gain, mapping 0.
    expect(String.fromCharCode(...head.subarray(0, 8))).toBe('OpusHead')
    expect([head[8], head[9]]).toEqual([1, 2])
    expect(new DataView(head.buffer, head.byteOffset).getUint32(12, true)).toBe(48_000)
    expect(head[18]).toBe(0)
    const decoded = await decodeAudio(ogg.decoderConfig!, ogg.chunks)
    expect(decoded.samples.length).toBe(4800)
  })

  it('Opus with usedtx sends silence as packets of at most two bytes', async () => {
    const sizes = async (usedtx: boolean) => {
      const config = { codec: 'opus', sampleRate: 48_000, numberOfChannels: 1, opus: { usedtx, signal: 'voice' as const } }
      expect((await AudioEncoder.isConfigSupported(config)).supported).toBe(true)
      const { chunks } = await encodeAudio(config, 1, true)
      return chunks.map((c) => c.byteLength)
    }
    const plain = await sizes(false)
    const dtx = await sizes(true)
    expect(dtx.length).toBe(plain.length)
    expect(plain.every((n) => n >= 3)).toBe(true)
    expect(dtx.filter((n) => n <= 2).length).toBeGreaterThanOrEqual(0.7 * dtx.length)
  })

  it('FLAC carries fLaC and a STREAMINFO block', async () => {
    const flac = await encodeAudio({ codec: 'flac', sampleRate: 44_100, numberOfChannels: 2 }, 0.1)
    const description = new Uint8Array(flac.decoderConfig!.description as ArrayBuffer)
    expect(String.fromCharCode(...description.subarray(0, 4))).toBe('fLaC')
    expect(description[4] & 0x7f).toBe(0) // STREAMINFO
    expect((description[5] << 16) | (description[6] << 8) | description[7]).toBe(34)
  })
})

describe('AudioEncoder and AudioDecoder interface', () => {
  it('throws TypeError for missing callbacks and invalid configs', async () => {
    expectThrowsNamed(() => new AudioEncoder({} as never), 'TypeError')
    expectThrowsNamed(() => new AudioDecoder({ output: noop } as never), 'TypeError')
    const encoder = new AudioEncoder({ output: noop, error: noop })
    const good = { codec: 'opus', sampleRate: 48_000, numberOfChannels: 2 }
    for (const bad of [
      { ...good, codec: '' },
      { ...good, sampleRate: 0 },
      { ...good, numberOfChannels: 0 },
      { ...good, opus: { complexity: 11 } },
      { ...good, opus: { frameDuration: 12345 } },
      { ...good, bitrateMode: 'fast' },
      { ...good, opus: { signal: 'speech' } },
      { ...good, opus: { application: 'music' } },
      { ...good, opus: { format: 'webm' } },
      { ...good, aac: { format: 'latm' } },
    ]) {
      expectThrowsNamed(() => encoder.configure(bad as AudioEncoderConfig), 'TypeError')
      await expectRejectsNamed(AudioEncoder.isConfigSupported(bad as AudioEncoderConfig), 'TypeError')
    }
    encoder.close()
    await expectRejectsNamed(AudioDecoder.isConfigSupported({ codec: 'opus', sampleRate: 0, numberOfChannels: 2 }), 'TypeError')
  })

  it('isConfigSupported answers truthfully', async () => {
    for (const { codec } of codecs) {
      expect((await AudioEncoder.isConfigSupported({ codec, sampleRate: 48_000, numberOfChannels: 2 })).supported, codec).toBe(true)
      if (codec === 'flac') continue // its decoder needs a description (below)
      expect((await AudioDecoder.isConfigSupported({ codec, sampleRate: 48_000, numberOfChannels: 2 })).supported, codec).toBe(true)
    }
    // HE-AAC decodes (FFmpeg has no HE-AAC encoder); Vorbis decodes given its headers,
    // which its registration makes a required description.
    expect((await AudioDecoder.isConfigSupported({ codec: 'mp4a.40.5', sampleRate: 48_000, numberOfChannels: 2 })).supported).toBe(true)
    expect((await AudioEncoder.isConfigSupported({ codec: 'mp4a.40.5', sampleRate: 48_000, numberOfChannels: 2 })).supported).toBe(false)
    expect((await AudioDecoder.isConfigSupported({ codec: 'vorbis', sampleRate: 48_000, numberOfChannels: 2 })).supported).toBe(false)
    expect((await AudioDecoder.isConfigSupported({ codec: 'flac', sampleRate: 48_000, numberOfChannels: 2 })).supported).toBe(false)
    expect((await AudioEncoder.isConfigSupported({ codec: 'bogus', sampleRate: 48_000, numberOfChannels: 2 })).supported).toBe(false)
  })

  it('closes with NotSupportedError for an unsupported codec', async () => {
    let reported: (e: DOMException) => void = noop
    const error = new Promise<DOMException>((resolve) => (reported = resolve))
    const encoder = new AudioEncoder({ output: noop, error: (e) => reported(e) })
    encoder.configure({ codec: 'bogus', sampleRate: 48_000, numberOfChannels: 2 })
    await encoder.flush().catch(() => {})
    expect((await error).name).toBe('NotSupportedError')
    expect(encoder.state).toBe('closed')
  })

  it('throws InvalidStateError before configure and DataError for a delta first', async () => {
    const encoder = new AudioEncoder({ output: noop, error: noop })
    const [data] = sineAudio(48_000, 1, 0.01)
    expectThrowsNamed(() => encoder.encode(data), 'InvalidStateError')
    data.close()
    // Step 1 of encode() comes before the state check: closed AudioData is a TypeError.
    expectThrowsNamed(() => encoder.encode(data), 'TypeError')
    encoder.close()
    const decoder = new AudioDecoder({ output: (d) => d.close(), error: noop })
    const chunk = new EncodedAudioChunk({ type: 'delta', timestamp: 0, data: new Uint8Array(4) })
    expectThrowsNamed(() => decoder.decode(chunk), 'InvalidStateError')
    decoder.configure({ codec: 'pcm-s16', sampleRate: 48_000, numberOfChannels: 1 })
    expectThrowsNamed(() => decoder.decode(chunk), 'DataError')
    decoder.close()
  })

  it('reset and close abort a pending flush and deliver nothing from before them', async () => {
    for (const action of ['reset', 'close'] as const) {
      let outputs = 0
      const encoder = new AudioEncoder({ output: () => outputs++, error: noop })
      encoder.configure({ codec: 'opus', sampleRate: 48_000, numberOfChannels: 2, bitrate: 64_000 })
      for (const data of sineAudio(48_000, 2, 2)) {
        encoder.encode(data)
        data.close()
      }
      const flushed = encoder.flush()
      encoder[action]()
      await expectRejectsNamed(flushed, 'AbortError')
      const after = outputs
      await new Promise((resolve) => setTimeout(resolve, 100))
      expect(outputs).toBe(after)
      if (action === 'reset') encoder.close()
    }
    expect(getCounters().audioEncoders).toBe(0)
  })
})

/** The chunks' bytes back to back. */
function concat(chunks: EncodedAudioChunk[], prefix?: ArrayBuffer): Buffer {
  const parts = chunks.map((c) => {
    const b = Buffer.alloc(c.byteLength)
    c.copyTo(b)
    return b
  })
  return Buffer.concat(prefix ? [Buffer.from(prefix), ...parts] : parts)
}

/** Frames the ffmpeg CLI decodes from `file` (read with `input` options), from the s16 byte count. */
function cliDecodedFrames(file: string, channels: number, input: string[] = []): number {
  const pcm = execFileSync('ffmpeg', ['-v', 'error', ...input, '-i', file, '-f', 's16le', '-'], { maxBuffer: 64 << 20 })
  return pcm.length / (2 * channels)
}

/** Channel 0 of what the ffmpeg CLI decodes from `file`, as f32. */
function cliChannel0(file: string, channels: number): Float32Array {
  const pcm = execFileSync('ffmpeg', ['-v', 'error', '-i', file, '-f', 'f32le', '-'], { maxBuffer: 64 << 20 })
  const out = new Float32Array(pcm.length / (4 * channels))
  for (let i = 0; i < out.length; i++) out[i] = pcm.readFloatLE(4 * channels * i)
  return out
}

describe('interop with the ffmpeg CLI', () => {
  it('decodes the FLAC, MP3, ADTS AAC and PCM we encode', async () => {
    const sampleRate = 44_100
    const channels = 2
    const seconds = 0.5
    const frames = sampleRate * seconds
    const cases: { codec: string; ext: string; aac?: { format: 'adts' }; raw?: string; priming?: number; frameSize?: number }[] = [
      { codec: 'flac', ext: 'flac' },
      { codec: 'pcm-s16', ext: 'raw', raw: 's16le' },
      { codec: 'ulaw', ext: 'raw', raw: 'mulaw' },
      { codec: 'alaw', ext: 'raw', raw: 'alaw' },
      // Raw MP3 and ADTS carry no priming or padding count: the CLI decodes every frame.
      { codec: 'mp3', ext: 'mp3', priming: 1105, frameSize: 1152 },
      { codec: 'mp4a.40.2', ext: 'aac', aac: { format: 'adts' }, priming: 1024, frameSize: 1024 },
    ]
    for (const { codec, ext, aac, raw, priming, frameSize } of cases) {
      const encoded = await encodeAudio({ codec, sampleRate, numberOfChannels: channels, bitrate: 128_000, aac }, seconds)
      const file = join(work, `ours-${codec}.${ext}`)
      const description = codec === 'flac' ? (encoded.decoderConfig!.description as ArrayBuffer) : undefined
      writeFileSync(file, concat(encoded.chunks, description))
      const input = raw ? ['-f', raw, '-ar', String(sampleRate), '-ac', String(channels)] : []
      const decoded = cliDecodedFrames(file, channels, input)
      if (frameSize === undefined) expect(decoded, codec).toBe(frames)
      else {
        expect(decoded - priming!, codec).toBeGreaterThanOrEqual(frames)
        expect(decoded - priming!, codec).toBeLessThan(frames + frameSize)
      }
    }
  })

  it('decodes PCM and ADTS AAC the ffmpeg CLI encodes', async () => {
    const sine = ['-f', 'lavfi', '-i', 'sine=frequency=1000:sample_rate=48000:duration=0.5']
    const pcm = execFileSync('ffmpeg', ['-v', 'error', ...sine, '-ac', '2', '-f', 's16le', '-'])
    const chunk = new EncodedAudioChunk({ type: 'key', timestamp: 0, data: pcm })
    const fromPcm = await decodeAudio({ codec: 'pcm-s16', sampleRate: 48_000, numberOfChannels: 2 }, [chunk])
    expect(fromPcm.samples.length).toBe(24_000)
    expect(Math.abs(fromPcm.samples[12] - pcm.readInt16LE(48) / 32768)).toBeLessThan(1e-6)

    const file = join(work, 'theirs.aac')
    execFileSync('ffmpeg', ['-v', 'error', ...sine, '-ac', '2', '-c:a', 'aac', '-b:a', '128k', '-f', 'adts', '-y', file])
    const bytes = new Uint8Array(readFileSync(file))
    // Each ADTS header holds its frame's length (header included) in 13 bits.
    const chunks: EncodedAudioChunk[] = []
    for (let i = 0; i + 7 <= bytes.length; ) {
      expect(bytes[i] === 0xff && (bytes[i + 1] & 0xf6) === 0xf0).toBe(true)
      const length = ((bytes[i + 3] & 3) << 11) | (bytes[i + 4] << 3) | (bytes[i + 5] >> 5)
      const timestamp = Math.round((chunks.length * 1024 * 1e6) / 48_000)
      chunks.push(new EncodedAudioChunk({ type: 'key', timestamp, data: bytes.subarray(i, i + length) }))
      i += length
    }
    const decoded = await decodeAudio({ codec: 'mp4a.40.2', sampleRate: 48_000, numberOfChannels: 2 }, chunks)
    // Our decoder drops the 1024 priming samples; raw ADTS keeps the last frame's padding.
    expect(decoded.samples.length).toBeGreaterThanOrEqual(24_000)
    expect(decoded.samples.length).toBeLessThan(24_000 + 1024)
    const rms = Math.sqrt(decoded.samples.reduce((n, v) => n + v * v, 0) / decoded.samples.length)
    expect(rms).toBeGreaterThan(0.05)
  })

  it('decodes FLAC the ffmpeg CLI encodes, bit-exactly', async () => {
    const file = join(work, 'theirs.flac')
    execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'sine=frequency=1000:sample_rate=48000:duration=0.5', '-c:a', 'flac', '-y', file])
    const bytes = new Uint8Array(readFileSync(file))
    const reference = execFileSync('ffmpeg', ['-v', 'error', '-i', file, '-f', 's16le', '-'])
    // "fLaC" and the metadata blocks (last-block flag, 24-bit length) are the description.
    let at = 4
    for (let last = false; !last; ) {
      last = (bytes[at] & 0x80) !== 0
      at += 4 + ((bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3])
    }
    const description = bytes.slice(0, at)
    // Frames start at the fixed-blocksize sync code 0xFFF8 whose header has the frame's
    // number (one UTF-8 byte below 128) and a valid CRC-8 (RFC 9639 9.1).
    const crc8 = (data: Uint8Array) => data.reduce((crc, b) => {
      crc ^= b
      for (let k = 0; k < 8; k++) crc = crc & 0x80 ? ((crc << 1) ^ 0x07) & 0xff : (crc << 1) & 0xff
      return crc
    }, 0)
    const starts: number[] = []
    for (let i = at; i + 6 <= bytes.length; i++) {
      if (bytes[i] !== 0xff || bytes[i + 1] !== 0xf8 || bytes[i + 4] !== starts.length) continue
      const sizeCode = bytes[i + 2] >> 4
      const rateCode = bytes[i + 2] & 0xf
      const end = i + 5 + (sizeCode === 6 ? 1 : sizeCode === 7 ? 2 : 0) + (rateCode === 12 ? 1 : rateCode >= 13 && rateCode <= 14 ? 2 : 0)
      if (crc8(bytes.subarray(i, end)) === bytes[end]) starts.push(i)
    }
    expect(starts.length).toBeGreaterThan(1)
    const blockSize = (bytes[8] << 8) | bytes[9] // STREAMINFO's minimum block size
    const chunks = starts.map((start, n) => {
      const data = bytes.subarray(start, starts[n + 1] ?? bytes.length)
      return new EncodedAudioChunk({ type: 'key', timestamp: Math.round((n * blockSize * 1e6) / 48_000), data })
    })
    const decoded = await decodeAudio({ codec: 'flac', sampleRate: 48_000, numberOfChannels: 1, description }, chunks)
    expect(decoded.samples.length).toBe(24_000)
    expect(decoded.samples.length).toBe(reference.length / 2)
    for (let i = 0; i < decoded.samples.length; i += 97) expect(decoded.samples[i]).toBe(reference.readInt16LE(2 * i) / 32768)
  })

  it('ffprobe reads the ADTS AAC stream we encode', async () => {
    const { chunks } = await encodeAudio({ codec: 'mp4a.40.2', sampleRate: 48_000, numberOfChannels: 2, bitrate: 128_000, aac: { format: 'adts' } }, 1)
    const file = join(work, 'ours.aac')
    writeFileSync(file, Buffer.concat(chunks.map((c) => {
      const b = Buffer.alloc(c.byteLength)
      c.copyTo(b)
      return b
    })))
    const probe = execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name,sample_rate,channels', '-of', 'csv=p=0', file], { encoding: 'utf8' })
    expect(probe.trim()).toBe('aac,48000,2')
  })

  it('decodes the Opus we encode, put in Ogg, sample-exactly', async () => {
    const seconds = 0.5
    const encoded = await encodeAudio({ codec: 'opus', sampleRate: 48_000, numberOfChannels: 2, bitrate: 128_000, opus: { format: 'ogg' } }, seconds)
    const head = new Uint8Array(encoded.decoderConfig!.description as ArrayBuffer)
    const preSkip = head[10] | (head[11] << 8)
    const first = encoded.chunks[0].timestamp
    // Granules count 48 kHz samples with the pre-skip; the last page's ends the stream.
    const packets = encoded.chunks.map((chunk) => {
      const data = new Uint8Array(chunk.byteLength)
      chunk.copyTo(data)
      return { data, end: preSkip + Math.round(((chunk.timestamp + chunk.duration! - first) * 48_000) / 1e6) }
    })
    const file = join(work, 'ours.opus')
    writeFileSync(file, writeOggOpus(head, packets))
    const left = cliChannel0(file, 2)
    expect(left.length).toBe(48_000 * seconds)
    expect(snr(left, 48_000)).toBeGreaterThanOrEqual(15)
  })

  it('decodes the Opus the ffmpeg CLI encodes into Ogg as the CLI does', async () => {
    const file = join(work, 'theirs.opus')
    execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'sine=frequency=1000:sample_rate=48000:duration=0.5', '-ac', '2', '-c:a', 'libopus', '-b:a', '96k', '-y', file])
    const [head, tags, ...audio] = readOgg(new Uint8Array(readFileSync(file)))
    expect(String.fromCharCode(...head.data.subarray(0, 8))).toBe('OpusHead')
    expect(String.fromCharCode(...tags.data.subarray(0, 8))).toBe('OpusTags')
    const end = Number(audio[audio.length - 1].granule)
    let at = 0
    const chunks = audio.map(({ data }, i) => {
      // Each packet's length comes from its TOC; the last page's granule cuts the last.
      const samples = i === audio.length - 1 ? end - at : opusPacketSamples(data)
      const chunk = new EncodedAudioChunk({ type: 'key', timestamp: Math.round((at * 1e6) / 48_000), duration: Math.round((samples * 1e6) / 48_000), data })
      at += samples
      return chunk
    })
    const decoded = await decodeAudio({ codec: 'opus', sampleRate: 48_000, numberOfChannels: 2, description: head.data }, chunks)
    const reference = cliChannel0(file, 2)
    expect(reference.length).toBe(24_000)
    expect(decoded.samples.length).toBe(reference.length)
    let signal = 0
    let noise = 0
    for (let i = 0; i < reference.length; i++) {
      signal += reference[i] ** 2
      noise += (decoded.samples[i] - reference[i]) ** 2
    }
    expect(10 * Math.log10(signal / Math.max(noise, 1e-20))).toBeGreaterThanOrEqual(40)
  })

  it('decodes u-law and A-law the ffmpeg CLI encodes as the CLI does', async () => {
    const sine = ['-f', 'lavfi', '-i', 'sine=frequency=1000:sample_rate=48000:duration=0.25']
    for (const [codec, format] of [['ulaw', 'mulaw'], ['alaw', 'alaw']]) {
      const encoded = execFileSync('ffmpeg', ['-v', 'error', ...sine, '-f', format, '-'])
      const reference = execFileSync('ffmpeg', ['-v', 'error', '-f', format, '-ar', '48000', '-ac', '1', '-i', '-', '-f', 'f32le', '-'], { input: encoded })
      const chunk = new EncodedAudioChunk({ type: 'key', timestamp: 0, data: encoded })
      const decoded = await decodeAudio({ codec, sampleRate: 48_000, numberOfChannels: 1 }, [chunk])
      expect(decoded.samples.length, codec).toBe(12_000)
      for (let i = 0; i < decoded.samples.length; i += 7) expect(decoded.samples[i], codec).toBe(reference.readFloatLE(4 * i))
    }
  })

  it('decodes the Vorbis the ffmpeg CLI encodes into Ogg as the CLI does', async () => {
    const file = join(work, 'theirs.ogg')
    execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'sine=frequency=1000:sample_rate=44100:duration=0.5', '-c:a', 'libvorbis', '-y', file])
    const [identification, comment, setup, ...audio] = readOgg(new Uint8Array(readFileSync(file)))
    expect(String.fromCharCode(...identification.data.subarray(1, 7))).toBe('vorbis')
    // The registration's description: the three headers in Xiph lacing (count - 1, then
    // the first two sizes in 255-runs).
    const lace = (n: number) => [...Array(Math.floor(n / 255)).fill(255), n % 255]
    const description = Uint8Array.from([2, ...lace(identification.data.length), ...lace(comment.data.length), ...identification.data, ...comment.data, ...setup.data])
    const chunks = audio.map(({ data }) => new EncodedAudioChunk({ type: 'key', timestamp: 0, data }))
    const decoded = await decodeAudio({ codec: 'vorbis', sampleRate: 44_100, numberOfChannels: 1, description }, chunks)
    const reference = cliChannel0(file, 1)
    // The CLI cuts the end where the last page's granule says; we give every decoded sample.
    expect(reference.length).toBeGreaterThan(22_050 - 256)
    expect(reference.length).toBeLessThanOrEqual(22_050)
    expect(decoded.samples.length).toBeGreaterThanOrEqual(reference.length)
    expect(decoded.samples.length).toBeLessThan(reference.length + 2048)
    for (let i = 0; i < reference.length; i += 11) expect(Math.abs(decoded.samples[i] - reference[i])).toBeLessThan(1e-6)
  })

  it('decodes MP3 the ffmpeg CLI encodes', async () => {
    const file = join(work, 'theirs.mp3')
    execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'sine=frequency=1000:sample_rate=44100:duration=1', '-c:a', 'libmp3lame', '-b:a', '128k', '-write_xing', '0', '-id3v2_version', '0', '-y', file])
    const bytes = new Uint8Array(readFileSync(file))
    // Split at MPEG audio frame headers (sync 0xFFE, layer III, 44.1 kHz, 128 kb/s: 417 or 418 bytes).
    const frames: Uint8Array[] = []
    let i = 0
    while (i + 4 <= bytes.length) {
      if (bytes[i] !== 0xff || (bytes[i + 1] & 0xe0) !== 0xe0) break
      const padding = (bytes[i + 2] >> 1) & 1
      const size = Math.floor((144 * 128_000) / 44_100) + padding
      frames.push(bytes.subarray(i, i + size))
      i += size
    }
    expect(frames.length).toBeGreaterThan(35)
    const chunks = frames.map((data, n) => new EncodedAudioChunk({ type: 'key', timestamp: Math.round((n * 1152 * 1e6) / 44_100), data }))
    const decoded = await decodeAudio({ codec: 'mp3', sampleRate: 44_100, numberOfChannels: 1 }, chunks)
    expect(Math.abs(decoded.samples.length - 44_100)).toBeLessThanOrEqual(2 * 1152)
  })
})
