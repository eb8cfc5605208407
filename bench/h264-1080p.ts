// Encode fps of 1080p H.264 through our VideoEncoder next to the ffmpeg CLI with the same
// encoder settings (preset, lookahead, threads, bitrate), on the same frames (raw input for
// ffmpeg from tmpfs). Usage: tsx bench/h264-1080p.ts [frames] [quality|realtime]
import { execFileSync } from 'node:child_process'
import { rmSync, writeFileSync } from 'node:fs'

import { VideoEncoder, VideoFrame } from '../index.js'

const width = 1920
const height = 1080
const frames = Number(process.argv[2] ?? 120)
const preset = process.argv[3] === 'realtime' ? 'veryfast' : 'medium'
const latencyMode = process.argv[3] === 'realtime' ? 'realtime' : 'quality'

function pattern(index: number): Uint8Array {
  const luma = width * height
  const data = new Uint8Array(luma * 1.5)
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data[y * width + x] = 16 + ((x + y + index * 6) % 200)
  data.fill(120, luma, luma + luma / 4)
  data.fill(140, luma + luma / 4)
  return data
}

async function ours(inputs: Uint8Array[]): Promise<number> {
  let bytes = 0
  const encoder = new VideoEncoder({ output: (c) => (bytes += c.byteLength), error: (e) => console.error(e) })
  encoder.configure({ codec: 'avc1.640028', width, height, bitrate: 5_000_000, framerate: 30, latencyMode })
  const start = performance.now()
  for (let i = 0; i < frames; i++) {
    const frame = new VideoFrame(inputs[i % inputs.length], { format: 'I420', codedWidth: width, codedHeight: height, timestamp: i * 33_333 })
    encoder.encode(frame)
    frame.close()
  }
  await encoder.flush()
  const ms = performance.now() - start
  encoder.close()
  console.log(`webcodecs-rs: ${frames} frames in ${ms.toFixed(0)} ms = ${((frames * 1000) / ms).toFixed(1)} fps, ${bytes} bytes`)
  return (frames * 1000) / ms
}

function cli(inputs: Uint8Array[]): number {
  const file = '/dev/shm/webcodecs-bench.yuv'
  const all = Buffer.concat(Array.from({ length: frames }, (_, i) => inputs[i % inputs.length]))
  writeFileSync(file, all)
  const start = performance.now()
  execFileSync('ffmpeg', ['-v', 'error', '-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-s', `${width}x${height}`, '-r', '30', '-i', file, '-c:v', 'libx264', '-preset', preset, ...(latencyMode === 'realtime' ? ['-tune', 'zerolatency'] : ['-rc-lookahead', '3']), '-thread_type', 'slice', '-threads', '2', '-b:v', '5M', '-f', 'null', '-'])
  const ms = performance.now() - start
  rmSync(file)
  console.log(`ffmpeg CLI:   ${frames} frames in ${ms.toFixed(0)} ms = ${((frames * 1000) / ms).toFixed(1)} fps (includes process start and reading the file)`)
  return (frames * 1000) / ms
}

async function main(): Promise<void> {
  const inputs = Array.from({ length: 30 }, (_, i) => pattern(i))
  const a = await ours(inputs)
  const b = cli(inputs)
  console.log(`ratio: ${(a / b).toFixed(2)}x (preset ${preset})`)
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
