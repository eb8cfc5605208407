// Valid streams for the fuzzer to start from, made by our own encoders: small enough that
// one case decodes in milliseconds, long enough to hold several key frames.
import {
  AudioData,
  AudioEncoder,
  VideoEncoder,
  VideoFrame,
  type AudioDecoderConfig,
  type AudioEncoderConfig,
  type VideoDecoderConfig,
  type VideoEncoderConfig,
} from '../index.js'

export interface SeedChunk {
  type: 'key' | 'delta'
  timestamp: number
  duration?: number
  data: Uint8Array
}

export type Target =
  | { name: string; kind: 'video'; config: VideoDecoderConfig; chunks: SeedChunk[] }
  | { name: string; kind: 'audio'; config: AudioDecoderConfig; chunks: SeedChunk[] }

interface VideoSeed {
  kind: 'video'
  config: VideoEncoderConfig
}
interface AudioSeed {
  kind: 'audio'
  config: AudioEncoderConfig
}

const WIDTH = 64
const HEIGHT = 64
const FRAMES = 16
const KEY_EVERY = 6

function video(codec: string, extra: Partial<VideoEncoderConfig> = {}): VideoSeed {
  return { kind: 'video', config: { codec, width: WIDTH, height: HEIGHT, bitrate: 200_000, framerate: 30, latencyMode: 'realtime', ...extra } }
}

function audio(codec: string, extra: Partial<AudioEncoderConfig> = {}): AudioSeed {
  return { kind: 'audio', config: { codec, sampleRate: 48_000, numberOfChannels: 2, ...extra } }
}

/** Every decoder we fuzz, by the name the CLI takes. */
const SEEDS: Record<string, VideoSeed | AudioSeed> = {
  'h264-avc': video('avc1.64000c', { latencyMode: 'quality', avc: { format: 'avc' } }),
  'h264-annexb': video('avc1.42000c', { avc: { format: 'annexb' } }),
  'hevc': video('hvc1.1.6.L93.B0'),
  'hevc-annexb': video('hev1.1.6.L93.B0', { hevc: { format: 'annexb' } }),
  'vp8': video('vp8'),
  'vp9': video('vp09.00.10.08'),
  'av1': video('av01.0.04M.08'),
  'opus': audio('opus', { bitrate: 64_000 }),
  'aac': audio('mp4a.40.2', { bitrate: 96_000 }),
  'aac-adts': audio('mp4a.40.2', { bitrate: 96_000, aac: { format: 'adts' } }),
  'flac': audio('flac', { sampleRate: 44_100, numberOfChannels: 1 }),
  'mp3': audio('mp3', { sampleRate: 44_100, bitrate: 96_000 }),
  'vorbis': audio('vorbis', { bitrate: 96_000 }),
  'ulaw': audio('ulaw', { sampleRate: 8_000, numberOfChannels: 1 }),
  'alaw': audio('alaw', { sampleRate: 8_000, numberOfChannels: 1 }),
  'pcm-u8': audio('pcm-u8', { sampleRate: 22_050 }),
  'pcm-s16': audio('pcm-s16'),
  'pcm-s24': audio('pcm-s24', { numberOfChannels: 1 }),
  'pcm-s32': audio('pcm-s32'),
  'pcm-f32': audio('pcm-f32', { numberOfChannels: 3 }),
}

export const TARGETS = Object.keys(SEEDS)

export async function buildTarget(name: string): Promise<Target> {
  const seed = SEEDS[name]
  if (!seed) throw new Error(`unknown fuzz target ${name}; one of ${TARGETS.join(', ')}`)
  return seed.kind === 'video' ? encodeVideo(name, seed.config) : encodeAudio(name, seed.config)
}

function bytesOf(chunk: { byteLength: number; copyTo(d: Uint8Array): void }): Uint8Array {
  const data = new Uint8Array(chunk.byteLength)
  chunk.copyTo(data)
  return data
}

/** A luma ramp with a square moving across it, so inter frames carry motion. */
function pattern(index: number): Uint8Array {
  const data = new Uint8Array((WIDTH * HEIGHT * 3) / 2)
  for (let y = 0; y < HEIGHT; y++) {
    for (let x = 0; x < WIDTH; x++) {
      const inBox = x >= index * 3 && x < index * 3 + 16 && y >= 20 && y < 36
      data[y * WIDTH + x] = inBox ? 230 : 16 + ((x * 3 + y * 2 + index) & 0x7f)
    }
  }
  data.fill(90 + index, WIDTH * HEIGHT, (WIDTH * HEIGHT * 5) / 4)
  data.fill(160 - index, (WIDTH * HEIGHT * 5) / 4)
  return data
}

async function encodeVideo(name: string, config: VideoEncoderConfig): Promise<Target> {
  const chunks: SeedChunk[] = []
  let decoderConfig: VideoDecoderConfig | undefined
  let failure: unknown
  const encoder = new VideoEncoder({
    output: (chunk, metadata) => {
      decoderConfig ??= metadata?.decoderConfig
      chunks.push({ type: chunk.type, timestamp: chunk.timestamp, duration: chunk.duration ?? undefined, data: bytesOf(chunk) })
    },
    error: (e) => (failure = e),
  })
  encoder.configure(config)
  for (let i = 0; i < FRAMES; i++) {
    const frame = new VideoFrame(pattern(i), { format: 'I420', codedWidth: WIDTH, codedHeight: HEIGHT, timestamp: Math.round((i * 1e6) / 30), duration: 33_333 })
    encoder.encode(frame, { keyFrame: i % KEY_EVERY === 0 })
    frame.close()
  }
  await encoder.flush()
  encoder.close()
  if (failure) throw failure
  if (!decoderConfig) throw new Error(`${name}: the encoder gave no decoder config`)
  return { name, kind: 'video', config: copyDescription(decoderConfig), chunks }
}

async function encodeAudio(name: string, config: AudioEncoderConfig): Promise<Target> {
  const chunks: SeedChunk[] = []
  let decoderConfig: AudioDecoderConfig | undefined
  let failure: unknown
  const encoder = new AudioEncoder({
    output: (chunk, metadata) => {
      decoderConfig ??= metadata?.decoderConfig
      chunks.push({ type: chunk.type, timestamp: chunk.timestamp, duration: chunk.duration ?? undefined, data: bytesOf(chunk) })
    },
    error: (e) => (failure = e),
  })
  encoder.configure(config)
  const { sampleRate, numberOfChannels } = config
  // A fifth of a second in pieces of 1000 frames: a handful of packets for every codec.
  const total = Math.round(sampleRate / 5)
  for (let start = 0; start < total; start += 1000) {
    const frames = Math.min(1000, total - start)
    const samples = new Float32Array(frames * numberOfChannels)
    for (let i = 0; i < samples.length; i++) {
      const t = (start + Math.floor(i / numberOfChannels)) / sampleRate
      samples[i] = 0.3 * Math.sin(2 * Math.PI * (440 + 220 * (i % numberOfChannels)) * t)
    }
    const data = new AudioData({ format: 'f32', sampleRate, numberOfFrames: frames, numberOfChannels, timestamp: Math.round((start * 1e6) / sampleRate), data: samples })
    encoder.encode(data)
    data.close()
  }
  await encoder.flush()
  encoder.close()
  if (failure) throw failure
  if (!decoderConfig) throw new Error(`${name}: the encoder gave no decoder config`)
  return { name, kind: 'audio', config: copyDescription(decoderConfig), chunks }
}

/** The config with its description as a private Uint8Array (the fuzzer mutates copies of it). */
function copyDescription<T extends { description?: unknown }>(config: T): T {
  const d = config.description
  if (d === undefined) return { ...config }
  const view = d instanceof ArrayBuffer ? new Uint8Array(d) : new Uint8Array((d as ArrayBufferView).buffer, (d as ArrayBufferView).byteOffset, (d as ArrayBufferView).byteLength)
  const bytes = view.slice()
  return { ...config, description: bytes }
}
