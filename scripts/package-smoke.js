// Run from a project that installed the packed tarballs (scripts/package-check.sh): encodes
// and decodes H.264, VP9, AV1 (both encoders), Opus and AAC through the polyfill, as
// browser code would, and fails unless every round trip gives back what went in (count,
// timestamps, PSNR or SNR).
'use strict'

require('webcodecs-rs/polyfill')

const width = 320
const height = 240
const frames = 10

function sourceFrame(i) {
  const data = new Uint8Array((width * height * 3) / 2)
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const inSquare = x >= 20 + i * 8 && x < 80 + i * 8 && y >= 60 && y < 120
      data[y * width + x] = inSquare ? 235 : 16 + ((x + y) % 200)
    }
  }
  data.fill(128, width * height)
  return data
}

function psnr(a, b) {
  let sum = 0
  for (let i = 0; i < a.length; i++) sum += (a[i] - b[i]) ** 2
  return sum === 0 ? Infinity : 10 * Math.log10((255 * 255 * a.length) / sum)
}

// An encoder of `Encoder`'s class that keeps its chunks and the latest decoderConfig.
function collecting(Encoder) {
  const chunks = []
  let latest
  const encoder = new Encoder({
    output: (chunk, metadata) => {
      chunks.push(chunk)
      latest = metadata?.decoderConfig ?? latest
    },
    error: (e) => {
      throw e
    },
  })
  return { chunks, encoder, decoderConfig: () => latest }
}

// Configures a decoder of `Decoder`'s class, decodes every chunk into `output` and
// flushes.
async function decodeAll(Decoder, config, chunks, output) {
  const decoder = new Decoder({
    output,
    error: (e) => {
      throw e
    },
  })
  decoder.configure(config)
  for (const chunk of chunks) decoder.decode(chunk)
  await decoder.flush()
  decoder.close()
}

async function video(codec, latencyMode) {
  const { chunks, encoder, decoderConfig } = collecting(VideoEncoder)
  encoder.configure({ codec, width, height, bitrate: 1_000_000, framerate: 30, latencyMode })
  for (let i = 0; i < frames; i++) {
    const frame = new VideoFrame(sourceFrame(i), { format: 'I420', codedWidth: width, codedHeight: height, timestamp: i * 33_333 })
    encoder.encode(frame, { keyFrame: i === 0 })
    frame.close()
  }
  await encoder.flush()
  encoder.close()

  const decoded = []
  await decodeAll(VideoDecoder, decoderConfig(), chunks, (frame) => decoded.push(frame))
  if (decoded.length !== frames) throw new Error(`${codec}: ${decoded.length} frames decoded of ${frames}`)
  let worst = Infinity
  for (const [i, frame] of decoded.entries()) {
    if (frame.timestamp !== i * 33_333) throw new Error(`${codec}: frame ${i} has timestamp ${frame.timestamp}`)
    const pixels = new Uint8Array(frame.allocationSize({ format: 'I420' }))
    await frame.copyTo(pixels, { format: 'I420' })
    worst = Math.min(worst, psnr(pixels.subarray(0, width * height), sourceFrame(i).subarray(0, width * height)))
    frame.close()
  }
  if (worst < 30) throw new Error(`${codec}: luma PSNR ${worst.toFixed(1)} dB`)
  return `${chunks.length} chunks, ${frames} frames back, worst luma PSNR ${worst.toFixed(1)} dB`
}

async function audio(codec) {
  const sampleRate = 48_000
  const length = sampleRate
  const tone = new Float32Array(length)
  for (let i = 0; i < length; i++) tone[i] = 0.5 * Math.sin((2 * Math.PI * 440 * i) / sampleRate)

  const { chunks, encoder, decoderConfig } = collecting(AudioEncoder)
  encoder.configure({ codec, sampleRate, numberOfChannels: 1, bitrate: 96_000 })
  const data = new AudioData({ format: 'f32', sampleRate, numberOfChannels: 1, numberOfFrames: length, timestamp: 0, data: tone })
  encoder.encode(data)
  data.close()
  await encoder.flush()
  encoder.close()

  const out = []
  await decodeAll(AudioDecoder, decoderConfig(), chunks, (decodedData) => {
    const samples = new Float32Array(decodedData.numberOfFrames)
    decodedData.copyTo(samples, { planeIndex: 0, format: 'f32-planar' })
    out.push(samples)
    decodedData.close()
  })
  const back = new Float32Array(out.reduce((n, s) => n + s.length, 0))
  out.reduce((at, s) => (back.set(s, at), at + s.length), 0)
  if (back.length !== length) throw new Error(`${codec}: ${back.length} samples decoded of ${length}`)
  let signal = 0
  let noise = 0
  for (let i = 0; i < length; i++) {
    signal += tone[i] ** 2
    noise += (tone[i] - back[i]) ** 2
  }
  const snr = 10 * Math.log10(signal / noise)
  if (snr < 15) throw new Error(`${codec}: SNR ${snr.toFixed(1)} dB`)
  return `${chunks.length} chunks, ${back.length} samples back, SNR ${snr.toFixed(1)} dB`
}

async function main() {
  // Both AV1 encoders: SVT-AV1 serves 'quality', libaom 'realtime'.
  for (const [codec, latencyMode] of [
    ['avc1.42001f', 'quality'],
    ['vp09.00.10.08', 'quality'],
    ['av01.0.04M.08', 'quality'],
    ['av01.0.04M.08', 'realtime'],
  ]) {
    console.log(`${codec} (${latencyMode}): ${await video(codec, latencyMode)}`)
  }
  for (const codec of ['opus', 'mp4a.40.2']) console.log(`${codec}: ${await audio(codec)}`)
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
