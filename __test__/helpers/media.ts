// Media files for the interop specs: clips made by the ffmpeg CLI, what ffprobe reads
// back, and pixel comparisons done by ffmpeg itself.
import { execFileSync, spawnSync } from 'node:child_process'

import { expect } from 'vitest'

import { psnr } from './video.js'

/**
 * A `seconds`-long 320x240 30 fps clip (moving test pattern) with a 440 Hz tone (48 kHz
 * stereo): H.264 and AAC, or with `webm`, VP9 and Opus (for a WebM or Matroska `path`).
 */
export function makeClip(path: string, seconds: number, { width = 320, height = 240, webm = false } = {}): void {
  const video = `testsrc2=size=${width}x${height}:rate=30:duration=${seconds}`
  const audio = `sine=frequency=440:sample_rate=48000:duration=${seconds}`
  const codecs = webm
    ? ['-c:v', 'libvpx-vp9', '-deadline', 'good', '-cpu-used', '4', '-crf', '20', '-b:v', '0', '-c:a', 'libopus']
    : ['-c:v', 'libx264', '-bf', '2', '-c:a', 'aac']
  execFileSync('ffmpeg', [
    '-v', 'error', '-y',
    '-f', 'lavfi', '-i', video,
    '-f', 'lavfi', '-i', audio,
    ...codecs, '-pix_fmt', 'yuv420p', '-g', '30', '-ac', '2', '-b:a', '96k',
    path,
  ])
}

export interface ProbedStream {
  codec_type: 'video' | 'audio'
  codec_name: string
  /** Frames (video) or packets of samples (audio) ffprobe decoded. */
  nb_read_frames: number
  width?: number
  height?: number
  sample_rate?: number
  channels?: number
}

export interface Probe {
  streams: ProbedStream[]
  /** Container duration in seconds. */
  duration: number
}

/** ffprobe's view of a file, counting every frame by decoding it. */
export function probe(path: string): Probe {
  const out = execFileSync(
    'ffprobe',
    ['-v', 'error', '-count_frames', '-show_entries', 'stream=codec_type,codec_name,nb_read_frames,width,height,sample_rate,channels:format=duration', '-of', 'json', path],
    { encoding: 'utf8' },
  )
  const json = JSON.parse(out) as { streams: Record<string, string | number>[]; format: { duration: string } }
  return {
    duration: Number(json.format.duration),
    streams: json.streams.map((s) => ({
      ...s,
      nb_read_frames: Number(s.nb_read_frames),
      sample_rate: s.sample_rate === undefined ? undefined : Number(s.sample_rate),
    })) as ProbedStream[],
  }
}

export function stream(p: Probe, type: 'video' | 'audio'): ProbedStream {
  const found = p.streams.find((s) => s.codec_type === type)
  if (!found) throw new Error(`no ${type} stream`)
  return found
}

/** `entry` of every frame ffprobe decodes from the first stream of `type`. */
function frameEntries(path: string, type: 'v' | 'a', entry: string): number[] {
  const out = execFileSync('ffprobe', ['-v', 'error', '-select_streams', `${type}:0`, '-show_entries', `frame=${entry}`, '-of', 'json', path], { encoding: 'utf8' })
  return (JSON.parse(out) as { frames: Record<string, string>[] }).frames.map((f) => Number(f[entry]))
}

/** Presentation times (seconds) of every decoded frame of the first video stream, in display order. */
export function frameTimes(path: string): number[] {
  return decodedFrameTimes(path).sort((a, b) => a - b)
}

/**
 * The presentation times (seconds) the file gives the first video stream's frames, in the
 * order the decoder puts them out: the bitstream's display order, which the times follow
 * where the file carries each frame's own.
 */
export function decodedFrameTimes(path: string): number[] {
  return frameEntries(path, 'v', 'pts_time')
}

/** Samples per channel ffmpeg decodes from the first audio stream. */
export function decodedSamples(path: string): number {
  return frameEntries(path, 'a', 'nb_samples').reduce((n, s) => n + s, 0)
}

/**
 * PSNR (dB) of `distorted` against `reference` as ffmpeg's psnr filter computes it, frame
 * n against frame n (not by timestamp: WebM's millisecond times would pair neighbours): the
 * luma average over all frames and the worst frame's (all planes).
 *
 * Both sides get the same colour tags, so that the samples are compared as they are coded:
 * FFmpeg 7.1's filter graphs convert between differently tagged inputs (an untagged source
 * and our BT.709-tagged output), where FFmpeg 5.1's compared the samples as they were.
 */
export function psnrAgainst(distorted: string, reference: string): { y: number; min: number } {
  const asCoded = 'setparams=range=tv:color_primaries=bt709:color_trc=bt709:colorspace=bt709'
  const byIndex = `[0:v]settb=1/30,setpts=N,${asCoded}[a];[1:v]settb=1/30,setpts=N,${asCoded}[b];[a][b]psnr`
  const run = spawnSync('ffmpeg', ['-nostats', '-i', distorted, '-i', reference, '-lavfi', byIndex, '-f', 'null', '-'], { encoding: 'utf8' })
  const match = /PSNR y:(\S+) .* min:(\S+)/.exec(run.stderr)
  if (run.status !== 0 || !match) throw new Error(`ffmpeg psnr failed: ${run.stderr.slice(-500)}`)
  const db = (s: string) => (s === 'inf' ? Infinity : Number(s))
  return { y: db(match[1]), min: db(match[2]) }
}

/**
 * The luma planes of every frame ffmpeg decodes from `path` (as 4:2:0, no range conversion),
 * in display order: each once, where rawvideo's constant rate would repeat or drop frames
 * whose times are rounded to milliseconds.
 */
export function decodeLuma(path: string, width: number, height: number): Uint8Array[] {
  const raw = execFileSync('ffmpeg', ['-v', 'error', '-i', path, '-map', '0:v:0', '-fps_mode', 'passthrough', '-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-'], { maxBuffer: 1 << 28 })
  const luma = width * height
  const frame = luma + 2 * Math.ceil(width / 2) * Math.ceil(height / 2)
  const frames: Uint8Array[] = []
  for (let offset = 0; offset + frame <= raw.length; offset += frame) frames.push(new Uint8Array(raw.buffer, raw.byteOffset + offset, luma))
  return frames
}

/**
 * The luma PSNR (dB) of each frame of `distorted` against the same frame of `reference`,
 * once it is asserted that both have as many frames and that each frame is closer to its
 * own than to either neighbour: none dropped, repeated or moved.
 */
export function framePsnrs(distorted: string, reference: string, width = 320, height = 240): number[] {
  const ours = decodeLuma(distorted, width, height)
  const theirs = decodeLuma(reference, width, height)
  expect(ours).toHaveLength(theirs.length)
  const own = ours.map((luma, i) => psnr(luma, theirs[i]))
  ours.forEach((luma, i) => {
    for (const j of [i - 1, i + 1].filter((j) => j >= 0 && j < theirs.length)) {
      expect(own[i], `frame ${i} against source frame ${j}`).toBeGreaterThan(psnr(luma, theirs[j]))
    }
  })
  return own
}

/** Every sample ffmpeg decodes from the first audio stream, interleaved 32-bit float. */
export function decodePcm(path: string): Float32Array {
  const raw = execFileSync('ffmpeg', ['-v', 'error', '-i', path, '-map', '0:a:0', '-f', 'f32le', '-'], { maxBuffer: 1 << 28 })
  return new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength))
}
