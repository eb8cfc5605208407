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

/** Splits `seconds` of the sine mix into AudioData of `chunkFrames` frames each. */
function sineAudio(sampleRate: number, channels: number, seconds: number, chunkFrames = 1000): AudioData[] {
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
        data: sineMix(sampleRate, channels, frames, start),
      }),
    )
  }
  return out
}

interface EncodedAudio {
  chunks: EncodedAudioChunk[]
  decoderConfig?: AudioDecoderConfig
}

async function encodeAudio(config: AudioEncoderConfig, seconds: number): Promise<EncodedAudio> {
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
  for (const data of sineAudio(config.sampleRate, config.numberOfChannels, seconds)) {
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

const codecs: { name: string; codec: string; floor: number; lossless?: boolean; rates: number[]; bitrate?: number }[] = [
  { name: 'Opus', codec: 'opus', floor: 15, rates: [48_000], bitrate: 128_000 },
  { name: 'AAC', codec: 'mp4a.40.2', floor: 15, rates: [44_100, 48_000], bitrate: 128_000 },
  { name: 'MP3', codec: 'mp3', floor: 15, rates: [44_100, 48_000], bitrate: 192_000 },
  { name: 'FLAC', codec: 'flac', floor: 80, lossless: true, rates: [44_100, 48_000] },
  { name: 'PCM s16', codec: 'pcm-s16', floor: 80, lossless: true, rates: [44_100, 48_000] },
  { name: 'PCM f32', codec: 'pcm-f32', floor: 200, lossless: true, rates: [48_000] },
  { name: 'u-law', codec: 'ulaw', floor: 30, rates: [48_000] },
  { name: 'A-law', codec: 'alaw', floor: 30, rates: [48_000] },
]

describe('round trips', () => {
  for (const { name, codec, floor, lossless, rates, bitrate } of codecs) {
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
          if (lossless) expect(decoded.samples.length).toBe(expectedFrames)
          else expect(Math.abs(decoded.samples.length - expectedFrames)).toBeLessThanOrEqual(2048)
          expect(decoded.timestamps[0]).toBe(0)
          const quality = snr(decoded.samples.subarray(0, Math.min(decoded.samples.length, expectedFrames)), sampleRate)
          expect(quality).toBeGreaterThanOrEqual(floor)
        })
      }
    }
  }
})

describe('descriptions', () => {
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
      expect((await AudioDecoder.isConfigSupported({ codec, sampleRate: 48_000, numberOfChannels: 2 })).supported, codec).toBe(true)
    }
    // HE-AAC decodes (FFmpeg has no HE-AAC encoder); Vorbis decodes given its headers,
    // which its registration makes a required description.
    expect((await AudioDecoder.isConfigSupported({ codec: 'mp4a.40.5', sampleRate: 48_000, numberOfChannels: 2 })).supported).toBe(true)
    expect((await AudioEncoder.isConfigSupported({ codec: 'mp4a.40.5', sampleRate: 48_000, numberOfChannels: 2 })).supported).toBe(false)
    expect((await AudioDecoder.isConfigSupported({ codec: 'vorbis', sampleRate: 48_000, numberOfChannels: 2 })).supported).toBe(false)
    expect((await AudioEncoder.isConfigSupported({ codec: 'bogus', sampleRate: 48_000, numberOfChannels: 2 })).supported).toBe(false)
  })

  it('closes with NotSupportedError for an unsupported codec', async () => {
    let error: DOMException | undefined
    const encoder = new AudioEncoder({ output: noop, error: (e) => (error = e) })
    encoder.configure({ codec: 'bogus', sampleRate: 48_000, numberOfChannels: 2 })
    await encoder.flush().catch(() => {})
    const end = Date.now() + 5000
    while (!error && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 5))
    expect(error?.name).toBe('NotSupportedError')
    expect(encoder.state).toBe('closed')
  })

  it('throws InvalidStateError before configure and DataError for a delta first', async () => {
    const encoder = new AudioEncoder({ output: noop, error: noop })
    const [data] = sineAudio(48_000, 1, 0.01)
    expectThrowsNamed(() => encoder.encode(data), 'InvalidStateError')
    data.close()
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

describe('interop with the ffmpeg CLI', () => {
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
