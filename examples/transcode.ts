// The README demo. Builds a short synthetic clip as VideoFrames and AudioData, reads
// them back through the WebCodecs copy paths (pixel format conversion to RGBA, sample
// format conversion to s16) and prints what it did. The codec work of later releases
// extends this into a real transcode.
import { AudioData, getCounters, VideoFrame } from '../index.js'

const width = 1280
const height = 720
const fps = 30
const frames = 60
const sampleRate = 48_000

/** A moving I420 pattern: a horizontal luma ramp that scrolls, with a chroma tint. */
function syntheticFrame(index: number): VideoFrame {
  const luma = width * height
  const chroma = (width / 2) * (height / 2)
  const data = new Uint8Array(luma + 2 * chroma)
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) data[y * width + x] = 16 + ((x + index * 8) % 220)
  }
  data.fill(90 + index, luma, luma + chroma)
  data.fill(160 - index, luma + chroma)
  return new VideoFrame(data, {
    format: 'I420',
    codedWidth: width,
    codedHeight: height,
    timestamp: Math.round((index * 1e6) / fps),
    duration: Math.round(1e6 / fps),
  })
}

function syntheticAudio(seconds: number): AudioData {
  const count = sampleRate * seconds
  const samples = new Float32Array(count * 2)
  for (let i = 0; i < count; i++) {
    const t = i / sampleRate
    const v = 0.4 * Math.sin(2 * Math.PI * 1000 * t) + 0.2 * Math.sin(2 * Math.PI * 3000 * t)
    samples[2 * i] = v
    samples[2 * i + 1] = v
  }
  return new AudioData({ format: 'f32', sampleRate, numberOfFrames: count, numberOfChannels: 2, timestamp: 0, data: samples })
}

async function main(): Promise<void> {
  const started = performance.now()
  const rgba = new Uint8Array(width * height * 4)
  let meanRed = 0
  for (let i = 0; i < frames; i++) {
    const frame = syntheticFrame(i)
    await frame.copyTo(rgba, { format: 'RGBA' })
    meanRed += rgba[0] / frames
    frame.close()
  }
  const videoMs = performance.now() - started

  const audio = syntheticAudio(frames / fps)
  const pcm = new Int16Array(audio.allocationSize({ planeIndex: 0, format: 's16' }) / 2)
  audio.copyTo(pcm, { planeIndex: 0, format: 's16' })
  const peak = pcm.reduce((m, v) => Math.max(m, Math.abs(v)), 0)
  audio.close()

  console.log(`video: ${frames} frames ${width}x${height} I420 -> RGBA in ${videoMs.toFixed(0)} ms (${((frames * 1000) / videoMs).toFixed(0)} fps), mean top-left red ${meanRed.toFixed(1)}`)
  console.log(`audio: ${pcm.length / 2} stereo frames f32 -> s16, peak ${peak} (${((peak / 32768) * 100).toFixed(1)}% of full scale)`)
  console.log('live instances after close:', JSON.stringify(getCounters()))
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
