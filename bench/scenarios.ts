// The benchmark's scenarios, shared by the runner (bench/run.ts) and the per-scenario
// child process (bench/scenario.ts). Every implementation gets the same inputs and
// the same encoder settings.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'

export type Kind = 'encode' | 'decode' | 'decode-copy' | 'audio-encode' | 'overhead' | 'image'

export interface Scenario {
  name: string
  kind: Kind
  width: number
  height: number
  /** Input pixel format for encodes. */
  format?: 'I420' | 'RGBA'
  /** WebCodecs codec string, or the MIME type for image decodes. */
  codec: string
  /** The ffmpeg CLI's encoder, the decoder input's container for decodes, or the image
   * file's extension for image decodes. */
  ffmpegCodec: string
  ffmpegArgs: string[]
  bitrate: number
  frames: number
  quickFrames: number
  /** Run in `--quick` mode (CI). */
  quick: boolean
  /** Encodes: the latency mode (default 'quality'). */
  latencyMode?: 'quality' | 'realtime'
  /** Encodes: this many encoders at once in one process (the CLI: as many processes). */
  parallel?: number
}

/** Whether a scenario's video is H.264, kept as Annex B; other codecs' go in IVF. */
export const annexB = (s: Scenario) => s.codec.startsWith('avc1')

/** The file an encode scenario's chunks go to: Annex B for H.264, IVF otherwise. */
export function encodedFile(dir: string, s: Scenario, who: string): string {
  return join(dir, `${s.name}.${who}.${annexB(s) ? 'h264' : 'ivf'}`)
}

/** The stream a decode scenario decodes, made by bench/run.ts. */
export function decodeInputFile(dir: string, s: Scenario): string {
  return join(dir, `${s.name}.${annexB(s) ? 'h264' : 'ivf'}`)
}

/** The CLI's arguments that read a raw file of a scenario's frames at 30 fps. */
export function rawVideoInput(s: Scenario, file: string): string[] {
  return ['-f', 'rawvideo', '-pix_fmt', s.format === 'RGBA' ? 'rgba' : 'yuv420p', '-s', `${s.width}x${s.height}`, '-r', '30', '-i', file]
}

const x264 = ['-preset', 'superfast', '-tune', 'psnr', '-bf', '0', '-rc-lookahead', '0', '-threads', '2']
const x264Realtime = ['-preset', 'superfast', '-tune', 'zerolatency,psnr', '-threads', '2']

export const scenarios: Scenario[] = [
  { name: 'h264-1080p-i420-encode', kind: 'encode', width: 1920, height: 1080, format: 'I420', codec: 'avc1.640028', ffmpegCodec: 'libx264', ffmpegArgs: x264, bitrate: 5_000_000, frames: 120, quickFrames: 10, quick: true },
  { name: 'h264-1080p-rgba-encode', kind: 'encode', width: 1920, height: 1080, format: 'RGBA', codec: 'avc1.640028', ffmpegCodec: 'libx264', ffmpegArgs: x264, bitrate: 5_000_000, frames: 120, quickFrames: 10, quick: false },
  { name: 'h264-720p-i420-encode', kind: 'encode', width: 1280, height: 720, format: 'I420', codec: 'avc1.64001f', ffmpegCodec: 'libx264', ffmpegArgs: x264, bitrate: 3_000_000, frames: 120, quickFrames: 10, quick: false },
  { name: 'h264-720p-rgba-encode', kind: 'encode', width: 1280, height: 720, format: 'RGBA', codec: 'avc1.64001f', ffmpegCodec: 'libx264', ffmpegArgs: x264, bitrate: 3_000_000, frames: 120, quickFrames: 10, quick: true },
  { name: 'vp9-720p-encode', kind: 'encode', width: 1280, height: 720, format: 'I420', codec: 'vp09.00.31.08', ffmpegCodec: 'libvpx-vp9', ffmpegArgs: ['-deadline', 'realtime', '-cpu-used', '8', '-lag-in-frames', '5', '-row-mt', '1', '-threads', '2'], bitrate: 2_000_000, frames: 60, quickFrames: 6, quick: true },
  { name: 'av1-720p-encode', kind: 'encode', width: 1280, height: 720, format: 'I420', codec: 'av01.0.05M.08', ffmpegCodec: 'libsvtav1', ffmpegArgs: ['-preset', '10'], bitrate: 2_000_000, frames: 60, quickFrames: 6, quick: false },
  { name: 'h264-1080p-decode', kind: 'decode', width: 1920, height: 1080, codec: 'avc1.640028', ffmpegCodec: 'h264', ffmpegArgs: [], bitrate: 5_000_000, frames: 240, quickFrames: 30, quick: true },
  // 1080p H.264 decode + copyTo RGBA per frame: every output frame converted with
  // `await frame.copyTo(rgba, {format: 'RGBA'})` before the next, the event loop's delay
  // measured throughout (the CLI: `-pix_fmt rgba` on its decode).
  { name: 'h264-1080p-decode-copyto-rgba', kind: 'decode-copy', width: 1920, height: 1080, codec: 'avc1.640028', ffmpegCodec: 'h264', ffmpegArgs: [], bitrate: 5_000_000, frames: 120, quickFrames: 30, quick: true },
  { name: 'vp9-1080p-decode', kind: 'decode', width: 1920, height: 1080, codec: 'vp09.00.40.08', ffmpegCodec: 'vp9', ffmpegArgs: [], bitrate: 5_000_000, frames: 120, quickFrames: 30, quick: false },
  { name: 'av1-1080p-decode', kind: 'decode', width: 1920, height: 1080, codec: 'av01.0.08M.08', ffmpegCodec: 'av1', ffmpegArgs: [], bitrate: 5_000_000, frames: 120, quickFrames: 30, quick: false },
  { name: 'opus-encode', kind: 'audio-encode', width: 0, height: 0, codec: 'opus', ffmpegCodec: 'libopus', ffmpegArgs: [], bitrate: 128_000, frames: 1000, quickFrames: 100, quick: true },
  { name: 'aac-encode', kind: 'audio-encode', width: 0, height: 0, codec: 'mp4a.40.2', ffmpegCodec: 'aac', ffmpegArgs: [], bitrate: 128_000, frames: 1000, quickFrames: 100, quick: false },
  // Image decodes: every frame of an animated GIF; a 12-megapixel still decoded `frames`
  // times (a fresh ImageDecoder each time, as a page decoding photos would).
  { name: 'gif-100-frames-decode', kind: 'image', width: 480, height: 270, codec: 'image/gif', ffmpegCodec: 'gif', ffmpegArgs: [], bitrate: 0, frames: 100, quickFrames: 20, quick: true },
  { name: 'jpeg-4000x3000-decode', kind: 'image', width: 4000, height: 3000, codec: 'image/jpeg', ffmpegCodec: 'jpg', ffmpegArgs: [], bitrate: 0, frames: 10, quickFrames: 2, quick: true },
  { name: 'png-4000x3000-decode', kind: 'image', width: 4000, height: 3000, codec: 'image/png', ffmpegCodec: 'png', ffmpegArgs: [], bitrate: 0, frames: 5, quickFrames: 1, quick: true },
  // Four 720p H.264 encoders at once in one process; the CLI: four processes at once.
  { name: 'h264-720p-4-encoders', kind: 'encode', width: 1280, height: 720, format: 'I420', codec: 'avc1.64001f', ffmpegCodec: 'libx264', ffmpegArgs: x264, bitrate: 3_000_000, frames: 120, quickFrames: 10, quick: false, parallel: 4 },
  // Realtime 320x240 H.264, each chunk awaited before the next frame is given: the cost of
  // a round trip (the CLI: the same encode of the same frames, its start-up included).
  { name: 'per-call-overhead', kind: 'overhead', width: 320, height: 240, format: 'I420', codec: 'avc1.42001e', ffmpegCodec: 'libx264', ffmpegArgs: x264Realtime, bitrate: 500_000, frames: 2000, quickFrames: 200, quick: true },
]

/** The bytes of one I420 or RGBA frame of a scenario. */
export function frameSize(s: Scenario): number {
  return s.format === 'RGBA' ? s.width * s.height * 4 : s.width * s.height + 2 * Math.ceil(s.width / 2) * Math.ceil(s.height / 2)
}

/** How many distinct input frames an encode scenario loops over. */
export const distinctFrames = (frames: number) => Math.min(frames, 30)

/** The distinct input frames of an encode scenario, from the file bench/run.ts makes (the
 * same bytes for every implementation). */
export function inputFrames(dir: string, s: Scenario): Uint8Array[] {
  const bytes = new Uint8Array(readFileSync(join(dir, `${s.name}.frames`)))
  const size = frameSize(s)
  return Array.from({ length: bytes.length / size }, (_, i) => bytes.subarray(i * size, (i + 1) * size))
}

/** 1024 stereo f32 samples of a 1 kHz + 3 kHz mix, chunk `index`, at 48 kHz. */
export function audioChunk(index: number): Float32Array {
  const out = new Float32Array(1024 * 2)
  for (let i = 0; i < 1024; i++) {
    const t = (index * 1024 + i) / 48_000
    const v = 0.4 * Math.sin(2 * Math.PI * 1000 * t) + 0.2 * Math.sin(2 * Math.PI * 3000 * t)
    out[2 * i] = v
    out[2 * i + 1] = v
  }
  return out
}
