// Decodes `count` 1080p frames whose VideoFrames the output callback drops unclosed.
// Run under a small --max-old-space-size: decoded frames must be reported as external
// memory so that V8 collects them in time. Prints the peak RSS in MB.
const { VideoDecoder, VideoEncoder, VideoFrame, getCounters } = require('../../index.js')

const width = 1920
const height = 1080
const count = Number(process.argv[2] ?? 1000)
const clipLength = 50

async function encodeClip() {
  const chunks = []
  let config
  const encoder = new VideoEncoder({
    output: (chunk, metadata) => {
      chunks.push(chunk)
      config ??= metadata?.decoderConfig
    },
    error: (e) => {
      throw e
    },
  })
  encoder.configure({ codec: 'avc1.640028', width, height, bitrate: 4_000_000, framerate: 30, latencyMode: 'realtime' })
  const pixels = new Uint8Array(width * height * 1.5)
  for (let i = 0; i < clipLength; i++) {
    pixels.fill(16 + i, 0, width * height)
    const frame = new VideoFrame(pixels, { format: 'I420', codedWidth: width, codedHeight: height, timestamp: i * 33_333 })
    encoder.encode(frame, { keyFrame: i === 0 })
    frame.close()
  }
  await encoder.flush()
  encoder.close()
  return { chunks, config }
}

async function main() {
  const { chunks, config } = await encodeClip()
  let decoded = 0
  let peakRss = 0
  const decoder = new VideoDecoder({
    output: (frame) => {
      decoded++
      if (frame.codedWidth !== width) throw new Error('bad frame')
      if (decoded % 25 === 0) peakRss = Math.max(peakRss, process.memoryUsage().rss)
    },
    error: (e) => {
      throw e
    },
  })
  decoder.configure(config)
  for (let i = 0; i < count; i++) decoder.decode(chunks[i % clipLength])
  await decoder.flush()
  decoder.close()
  console.log(JSON.stringify({ frames: decoded, peakRssMb: Math.round(peakRss / 2 ** 20), live: getCounters().videoFrames }))
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
