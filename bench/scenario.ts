// One scenario in one fresh process, so that its memory figures are its own:
//   node --expose-gc --import tsx bench/scenario.ts <ours|napi-rs> <scenario> <frames> <input dir>
// Prints one JSON line: fps, CPU seconds, peak RSS and RSS growth in MB, and the event
// loop's 99th-percentile delay in ms (sampled by a 1 ms timer throughout the run).
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { monitorEventLoopDelay } from 'node:perf_hooks'

import { ivfFile, parseIvf, splitAtAud } from '../__test__/helpers/containers.js'
import { annexB, audioChunk, decodeInputFile, encodedFile, inputFrames, scenarios, type Scenario } from './scenarios.js'

interface Codecs {
  VideoEncoder: any
  VideoDecoder: any
  VideoFrame: any
  EncodedVideoChunk: any
  AudioEncoder: any
  AudioData: any
  ImageDecoder: any
}

const [impl, name, framesArg, inputDir] = process.argv.slice(2)
const scenario = scenarios.find((s) => s.name === name)
if (!scenario) throw new Error(`unknown scenario ${name}`)
const frames = Number(framesArg)
// eslint-disable-next-line @typescript-eslint/no-require-imports
const lib: Codecs = impl === 'ours' ? require('../index.js') : require('@napi-rs/webcodecs')

let peakRss = 0
const sample = () => (peakRss = Math.max(peakRss, process.memoryUsage().rss))

/** Where a run is measured from (time, CPU, RSS, event-loop delay): reset once a
 * scenario's inputs exist, so that neither making them nor their bytes count (the 30
 * pre-made 1080p RGBA frames of an encode scenario are 248 MB). */
const measure = { rssBefore: 0, start: 0, cpu: process.cpuUsage(), delay: monitorEventLoopDelay({ resolution: 1 }) }
function inputsReady(): void {
  globalThis.gc?.()
  measure.rssBefore = process.memoryUsage().rss
  peakRss = measure.rssBefore
  measure.cpu = process.cpuUsage()
  measure.delay.reset()
  measure.start = performance.now()
}

/** `s.parallel` encoders (1 unless set) at once, each given every frame; the first one's
 * chunks are written out for the PSNR and bitrate checks. */
async function encode(s: Scenario): Promise<{ bytes: number }> {
  const inputs = inputFrames(inputDir, s)
  inputsReady()
  const chunks: Uint8Array[] = []
  let outputs = 0
  let failure: unknown
  const encoders = Array.from({ length: s.parallel ?? 1 }, (_, n) => {
    const encoder = new lib.VideoEncoder({
      output: (chunk: { byteLength: number; copyTo(d: Uint8Array): void }) => {
        outputs++
        if (n > 0) return
        const data = new Uint8Array(chunk.byteLength)
        chunk.copyTo(data)
        chunks.push(data)
      },
      error: (e: unknown) => (failure = e),
    })
    const avc = annexB(s) ? { avc: { format: 'annexb' } } : {}
    encoder.configure({ codec: s.codec, width: s.width, height: s.height, bitrate: s.bitrate, framerate: 30, latencyMode: s.latencyMode ?? 'quality', ...avc })
    return encoder
  })
  for (let i = 0; i < frames; i++) {
    const frame = new lib.VideoFrame(inputs[i % inputs.length], { format: s.format, codedWidth: s.width, codedHeight: s.height, timestamp: i * 33_333, duration: 33_333 })
    for (const encoder of encoders) encoder.encode(frame, { keyFrame: i === 0 })
    frame.close()
    if (i % 5 === 0) sample()
  }
  await Promise.all(encoders.map((e) => e.flush()))
  encoders.forEach((e) => e.close())
  if (failure) throw failure
  if (outputs !== frames * encoders.length) throw new Error(`${outputs} chunks for ${frames * encoders.length} frames`)
  const file = encodedFile(inputDir, s, impl)
  const fourcc = s.codec.startsWith('vp09') ? 'VP90' : 'AV01'
  writeFileSync(file, annexB(s) ? Buffer.concat(chunks) : ivfFile(fourcc, s.width, s.height, chunks.map((data, i) => [i, data]), 30))
  return { bytes: chunks.reduce((sum, c) => sum + c.byteLength, 0) }
}

/** A decode scenario's chunks: access units of its Annex B stream (with access unit
 * delimiters) or frames of its IVF file. */
function decoderInput(s: Scenario): Uint8Array[] {
  const bytes = new Uint8Array(readFileSync(decodeInputFile(inputDir, s)))
  const units = annexB(s) ? splitAtAud(bytes) : parseIvf(bytes).map(([, data]) => data)
  return units.slice(0, frames)
}

async function decode(s: Scenario): Promise<void> {
  const data = decoderInput(s)
  inputsReady()
  let outputs = 0
  let failure: unknown
  const decoder = new lib.VideoDecoder({
    output: (frame: { close(): void }) => {
      outputs++
      frame.close()
      if (outputs % 5 === 0) sample()
    },
    error: (e: unknown) => (failure = e),
  })
  decoder.configure({ codec: s.codec })
  data.forEach((bytes, i) => decoder.decode(new lib.EncodedVideoChunk({ type: i === 0 ? 'key' : 'delta', timestamp: i * 33_333, data: bytes })))
  await decoder.flush()
  decoder.close()
  if (failure) throw failure
  if (outputs !== data.length) throw new Error(`${outputs} frames for ${data.length} chunks`)
}

interface Frame {
  copyTo(destination: Uint8Array, options: { format: string }): Promise<unknown>
  close(): void
}

/** Decode, and `await frame.copyTo(rgba, {format: 'RGBA'})` each frame in output order
 * before taking the next, as a player or a frame analyser would. */
async function decodeCopy(s: Scenario): Promise<void> {
  const data = decoderInput(s)
  const rgba = new Uint8Array(s.width * s.height * 4)
  inputsReady()
  const ready: Frame[] = []
  let wake = () => {}
  let failure: unknown
  const decoder = new lib.VideoDecoder({
    output: (frame: Frame) => {
      ready.push(frame)
      wake()
    },
    error: (e: unknown) => {
      failure = e
      wake()
    },
  })
  decoder.configure({ codec: s.codec })
  data.forEach((bytes, i) => decoder.decode(new lib.EncodedVideoChunk({ type: i === 0 ? 'key' : 'delta', timestamp: i * 33_333, data: bytes })))
  let flushed = false
  const flush = decoder.flush().then(
    () => ((flushed = true), wake()),
    (e: unknown) => ((failure ??= e), wake()),
  )
  for (let i = 0; i < data.length; i++) {
    while (ready.length === 0 && !failure && !flushed) await new Promise<void>((resolve) => (wake = resolve))
    if (failure) throw failure
    const frame = ready.shift()
    if (!frame) throw new Error(`${i} frames for ${data.length} chunks`)
    await frame.copyTo(rgba, { format: 'RGBA' })
    frame.close()
    if (i % 5 === 0) sample()
  }
  await flush
  decoder.close()
  if (failure) throw failure
}

async function audioEncode(s: Scenario): Promise<void> {
  let failure: unknown
  const encoder = new lib.AudioEncoder({ output: () => {}, error: (e: unknown) => (failure = e) })
  encoder.configure({ codec: s.codec, sampleRate: 48_000, numberOfChannels: 2, bitrate: s.bitrate })
  for (let i = 0; i < frames; i++) {
    const data = new lib.AudioData({ format: 'f32', sampleRate: 48_000, numberOfFrames: 1024, numberOfChannels: 2, timestamp: Math.round((i * 1024 * 1e6) / 48_000), data: audioChunk(i) })
    encoder.encode(data)
    data.close()
    if (i % 50 === 0) sample()
  }
  await encoder.flush()
  encoder.close()
  if (failure) throw failure
}

/** Encode one tiny frame and wait for its chunk, `frames` times: the cost of a round trip. */
async function overhead(s: Scenario): Promise<void> {
  let resolveOutput: () => void = () => {}
  const encoder = new lib.VideoEncoder({ output: () => resolveOutput(), error: (e: unknown) => console.error(e) })
  encoder.configure({ codec: s.codec, width: s.width, height: s.height, bitrate: s.bitrate, framerate: 30, latencyMode: 'realtime' })
  const [input] = inputFrames(inputDir, s)
  inputsReady()
  for (let i = 0; i < frames; i++) {
    const delivered = new Promise<void>((resolve) => (resolveOutput = resolve))
    const frame = new lib.VideoFrame(input, { format: 'I420', codedWidth: s.width, codedHeight: s.height, timestamp: i * 33_333 })
    encoder.encode(frame)
    frame.close()
    await delivered
  }
  await encoder.flush()
  encoder.close()
}

/** An animated image: every frame once. A still: `frames` fresh decoders, one frame each. */
async function image(s: Scenario): Promise<void> {
  const data = new Uint8Array(readFileSync(join(inputDir, `${s.name}.${s.ffmpegCodec}`)))
  inputsReady()
  const animated = s.ffmpegCodec === 'gif'
  const decoders = animated ? 1 : frames
  let decoded = 0
  for (let d = 0; d < decoders; d++) {
    const decoder = new lib.ImageDecoder({ type: s.codec, data })
    // The frame count is final once all the data is in.
    await decoder.completed
    for (let i = 0; i < (animated ? frames : 1); i++) {
      const { image } = await decoder.decode({ frameIndex: i })
      if (image.codedWidth !== s.width) throw new Error(`decoded ${image.codedWidth} wide, not ${s.width}`)
      image.close()
      decoded++
      if (i % 5 === 0) sample()
    }
    decoder.close()
  }
  if (decoded !== frames) throw new Error(`${decoded} images for ${frames}`)
}

async function main(): Promise<void> {
  measure.delay.enable()
  inputsReady()
  const run: (s: Scenario) => Promise<{ bytes: number } | void> = { encode, decode, 'decode-copy': decodeCopy, 'audio-encode': audioEncode, overhead, image }[scenario!.kind]
  const output = await run(scenario!)
  const seconds = (performance.now() - measure.start) / 1000
  measure.delay.disable()
  sample()
  const used = process.cpuUsage(measure.cpu)
  const { rssBefore: before, delay } = measure
  printed = true
  console.log(
    JSON.stringify({
      fps: (frames * (scenario!.parallel ?? 1)) / seconds,
      bytes: output?.bytes,
      cpuSeconds: (used.user + used.system) / 1e6,
      peakRssMb: peakRss / 2 ** 20,
      rssGrowthMb: (peakRss - before) / 2 ** 20,
      p99DelayMs: delay.percentile(99) / 1e6,
    }),
  )
}

// A run whose awaited output never comes ends when nothing keeps the event loop alive.
let printed = false
process.on('exit', () => {
  if (!printed) console.log(JSON.stringify({ error: 'event loop drained before the scenario finished (an awaited output never came)' }))
})

main().catch((e) => {
  printed = true
  console.log(JSON.stringify({ error: String((e as Error)?.message ?? e) }))
  process.exit(0)
})
