// Transcodes a media file with mediabunny running on webcodecs-rs, with a progress bar:
//
//   npx tsx examples/transcode-file.ts input.mp4 output.webm
//
// mediabunny reads and writes the containers; the polyfill gives it WebCodecs. The output
// codecs follow the extension: .webm and .mkv get VP9 and Opus, .mp4 and .mov H.264 and
// AAC. Every track is re-encoded, at mediabunny's high quality setting.
import 'webcodecs-rs/polyfill'

import { statSync } from 'node:fs'

import {
  ALL_FORMATS,
  Conversion,
  FilePathSource,
  FilePathTarget,
  Input,
  MkvOutputFormat,
  MovOutputFormat,
  Mp4OutputFormat,
  Output,
  QUALITY_HIGH,
  WebMOutputFormat,
  type AudioCodec,
  type OutputFormat,
  type VideoCodec,
} from 'mediabunny'

interface Target {
  format: OutputFormat
  video: VideoCodec
  audio: AudioCodec
}

function targetFor(path: string): Target {
  const extension = path.slice(path.lastIndexOf('.') + 1).toLowerCase()
  switch (extension) {
    case 'webm':
      return { format: new WebMOutputFormat(), video: 'vp9', audio: 'opus' }
    case 'mkv':
      return { format: new MkvOutputFormat(), video: 'vp9', audio: 'opus' }
    case 'mp4':
      return { format: new Mp4OutputFormat(), video: 'avc', audio: 'aac' }
    case 'mov':
      return { format: new MovOutputFormat(), video: 'avc', audio: 'aac' }
    default:
      throw new Error(`cannot tell the output format from '.${extension}' (use .webm, .mkv, .mp4 or .mov)`)
  }
}

/** `[#########-----------]  45%  0.9/2.0 s  28 fps` on one line of stderr, redrawn in place up to 10 times a second. */
function progressBar(duration: number, frameRate: number): (progress: number) => void {
  const started = performance.now()
  const width = 30
  let drawn = -Infinity
  return (progress) => {
    const now = performance.now()
    if (now - drawn < 100 && progress < 1) return
    drawn = now
    const filled = Math.round(progress * width)
    const elapsed = (now - started) / 1000
    const fps = elapsed > 0 ? (progress * duration * frameRate) / elapsed : 0
    const line = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${(progress * 100).toFixed(0).padStart(3)}%  ${(progress * duration).toFixed(1)}/${duration.toFixed(1)} s  ${fps.toFixed(0)} fps`
    process.stderr.write(`\r${line}`)
  }
}

async function main(): Promise<void> {
  const [inputPath, outputPath] = process.argv.slice(2)
  if (!inputPath || !outputPath) {
    process.stderr.write('usage: npx tsx examples/transcode-file.ts <input> <output.webm|.mkv|.mp4|.mov>\n')
    process.exitCode = 2
    return
  }
  const target = targetFor(outputPath)
  const input = new Input({ source: new FilePathSource(inputPath), formats: ALL_FORMATS })
  const output = new Output({ format: target.format, target: new FilePathTarget(outputPath) })
  const duration = await input.computeDuration()
  const videoTrack = await input.getPrimaryVideoTrack()
  const frameRate = videoTrack ? (await videoTrack.computePacketStats(100)).averagePacketRate : 0

  const conversion = await Conversion.init({
    input,
    output,
    video: { codec: target.video, bitrate: QUALITY_HIGH, forceTranscode: true },
    audio: { codec: target.audio, bitrate: QUALITY_HIGH, forceTranscode: true },
  })
  for (const { track, reason } of conversion.discardedTracks) {
    process.stderr.write(`dropping ${track.type} track ${track.id}: ${reason}\n`)
  }
  if (!conversion.isValid) throw new Error('nothing in the input can be converted')

  conversion.onProgress = progressBar(duration, frameRate)
  const started = performance.now()
  await conversion.execute()
  const seconds = (performance.now() - started) / 1000
  const tracks = conversion.utilizedTracks.map((t) => `${t.type} ${t.type === 'video' ? target.video : target.audio}`).join(', ')
  process.stderr.write(`\n${outputPath}: ${tracks}, ${duration.toFixed(2)} s of media in ${seconds.toFixed(2)} s, ${(statSync(outputPath).size / 1024).toFixed(0)} KiB\n`)
}

main().catch((error: unknown) => {
  process.stderr.write(`\n${error instanceof Error ? error.message : String(error)}\n`)
  process.exitCode = 1
})
