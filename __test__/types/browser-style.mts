// Code written for browser WebCodecs: typed by the DOM library and @types/dom-webcodecs
// (no Node types), run on webcodecs-rs through its polyfill. It compiles only if our
// classes fit where the browser's are expected and the browser's dictionaries and
// callbacks fit ours; it prints what it saw for the spec that runs it to check.
import 'webcodecs-rs/polyfill'
import * as ours from 'webcodecs-rs'

// Each of our classes must be a valid value for the browser's global of that name.
const classes: {
  VideoFrame: typeof VideoFrame
  AudioData: typeof AudioData
  EncodedVideoChunk: typeof EncodedVideoChunk
  EncodedAudioChunk: typeof EncodedAudioChunk
  VideoColorSpace: typeof VideoColorSpace
  VideoEncoder: typeof VideoEncoder
  VideoDecoder: typeof VideoDecoder
  AudioEncoder: typeof AudioEncoder
  AudioDecoder: typeof AudioDecoder
  ImageDecoder: typeof ImageDecoder
  ImageTrackList: typeof ImageTrackList
  ImageTrack: typeof ImageTrack
} = ours
const names = ['VideoFrame', 'AudioData', 'EncodedVideoChunk', 'EncodedAudioChunk', 'VideoColorSpace', 'VideoEncoder', 'VideoDecoder', 'AudioEncoder', 'AudioDecoder', 'ImageDecoder', 'ImageTrackList', 'ImageTrack'] as const

const report: Record<string, unknown> = {}
const globals = globalThis as unknown as Record<string, unknown>
report.polyfilled = names.filter((name) => globals[name] === classes[name])

const width = 64
const height = 48
const frames = 10
/** A browser-style helper that only knows the DOM's VideoFrame. */
function describeFrame(frame: VideoFrame): string {
  const rect: DOMRectReadOnly | null = frame.visibleRect
  return `${frame.format} ${frame.codedWidth}x${frame.codedHeight} ${rect?.width}x${rect?.height} @${frame.timestamp}`
}

function grayI420(value: number): Uint8Array {
  const data = new Uint8Array((width * height * 3) / 2)
  data.fill(value, 0, width * height)
  data.fill(128, width * height)
  return data
}

async function video(): Promise<void> {
  const colorSpace = new VideoColorSpace({ primaries: 'bt709', transfer: 'bt709', matrix: 'bt709', fullRange: false })
  const json: VideoColorSpaceInit = colorSpace.toJSON()
  report.colorSpace = json

  const encoderConfig: VideoEncoderConfig = {
    codec: 'avc1.42001f',
    width,
    height,
    bitrate: 200_000,
    framerate: 30,
    latencyMode: 'realtime',
    avc: { format: 'annexb' },
  }
  const encoderSupport: VideoEncoderSupport = await VideoEncoder.isConfigSupported(encoderConfig)
  report.videoEncoderSupported = encoderSupport.supported

  const chunks: EncodedVideoChunk[] = []
  let decoderConfig: VideoDecoderConfig | undefined
  let encoderDequeues = 0
  const encoderInit: VideoEncoderInit = {
    output: (chunk: EncodedVideoChunk, metadata?: EncodedVideoChunkMetadata) => {
      chunks.push(chunk)
      decoderConfig ??= metadata?.decoderConfig
    },
    error: (e: DOMException) => {
      report.videoEncoderError = e.name
    },
  }
  const encoder: VideoEncoder = new VideoEncoder(encoderInit)
  encoder.addEventListener('dequeue', () => encoderDequeues++)
  encoder.configure(encoderConfig)
  for (let i = 0; i < frames; i++) {
    const init: VideoFrameBufferInit = { format: 'I420', codedWidth: width, codedHeight: height, timestamp: i * 33_333, duration: 33_333, colorSpace: json }
    const frame: VideoFrame = new VideoFrame(grayI420(40 + i * 10), init)
    const copy: VideoFrame = new VideoFrame(frame, { timestamp: frame.timestamp } satisfies VideoFrameInit)
    if (i === 0) {
      const clone: VideoFrame = copy.clone()
      report.firstFrame = describeFrame(clone)
      clone.close()
    }
    const options: VideoEncoderEncodeOptions = { keyFrame: i === 0 }
    encoder.encode(copy, options)
    copy.close()
    frame.close()
  }
  await encoder.flush()
  report.encoderState = encoder.state
  encoder.close()
  report.videoChunks = chunks.length
  report.firstChunkType = chunks[0]?.type
  report.encoderDequeues = encoderDequeues > 0

  // The chunks round-trip through their init dictionary, as a demuxer would make them.
  const remade = chunks.map((chunk) => {
    const data = new Uint8Array(chunk.byteLength)
    chunk.copyTo(data)
    const init: EncodedVideoChunkInit = { type: chunk.type, timestamp: chunk.timestamp, duration: chunk.duration ?? undefined, data }
    return new EncodedVideoChunk(init)
  })

  const decoderSupport: VideoDecoderSupport = await VideoDecoder.isConfigSupported(decoderConfig!)
  report.videoDecoderSupported = decoderSupport.supported
  const lumas: number[] = []
  const pending: Promise<void>[] = []
  const decoderInit: VideoDecoderInit = {
    output: (frame: VideoFrame) => {
      if (lumas.length === 0) report.firstDecoded = describeFrame(frame)
      const options: VideoFrameCopyToOptions = { rect: { x: 0, y: 0, width: 2, height: 2 } }
      const buffer = new Uint8Array(frame.allocationSize(options))
      pending.push(
        frame.copyTo(buffer, options).then((layout: PlaneLayout[]) => {
          lumas.push(buffer[layout[0].offset])
          frame.close()
        }),
      )
    },
    error: (e: DOMException) => {
      report.videoDecoderError = e.name
    },
  }
  // The DOM's init dictionary and callbacks, handed to our class directly.
  const decoder: VideoDecoder = new ours.VideoDecoder(decoderInit)
  let decoderDequeues = 0
  decoder.ondequeue = () => decoderDequeues++
  decoder.configure(decoderConfig!)
  for (const chunk of remade) decoder.decode(chunk)
  await decoder.flush()
  await Promise.all(pending)
  decoder.close()
  report.decoderState = decoder.state
  report.decodedLumas = lumas
  report.decoderDequeues = decoderDequeues > 0
}

async function audio(): Promise<void> {
  const sampleRate = 48_000
  const numberOfChannels = 2
  const config: AudioEncoderConfig = { codec: 'opus', sampleRate, numberOfChannels, bitrate: 64_000 }
  const encoderSupport: AudioEncoderSupport = await AudioEncoder.isConfigSupported(config)
  report.audioEncoderSupported = encoderSupport.supported

  const chunks: EncodedAudioChunk[] = []
  let decoderConfig: AudioDecoderConfig | undefined
  const encoderInit: AudioEncoderInit = {
    output: (chunk: EncodedAudioChunk, metadata?: EncodedAudioChunkMetadata) => {
      chunks.push(chunk)
      decoderConfig ??= metadata?.decoderConfig
    },
    error: (e: DOMException) => {
      report.audioEncoderError = e.name
    },
  }
  const encoder: AudioEncoder = new AudioEncoder(encoderInit)
  let encoderDequeues = 0
  const listener = () => encoderDequeues++
  encoder.addEventListener('dequeue', listener)
  encoder.configure(config)
  const numberOfFrames = 4800
  let inputFrames = 0
  for (let i = 0; i < 10; i++) {
    const samples = new Float32Array(numberOfFrames * numberOfChannels)
    for (let s = 0; s < numberOfFrames; s++) {
      const value = 0.25 * Math.sin((2 * Math.PI * 440 * (i * numberOfFrames + s)) / sampleRate)
      samples[2 * s] = value
      samples[2 * s + 1] = value
    }
    const init: AudioDataInit = { format: 'f32', sampleRate, numberOfFrames, numberOfChannels, timestamp: (i * numberOfFrames * 1e6) / sampleRate, data: samples }
    const data: AudioData = new AudioData(init)
    inputFrames += data.numberOfFrames
    encoder.encode(data)
    data.close()
  }
  await encoder.flush()
  encoder.removeEventListener('dequeue', listener)
  encoder.close()
  report.audioChunks = chunks.length
  report.audioEncoderDequeues = encoderDequeues > 0

  const remade = chunks.map((chunk) => {
    const data = new Uint8Array(chunk.byteLength)
    chunk.copyTo(data)
    const init: EncodedAudioChunkInit = { type: chunk.type, timestamp: chunk.timestamp, duration: chunk.duration ?? undefined, data }
    return new EncodedAudioChunk(init)
  })

  const decoderSupport: AudioDecoderSupport = await AudioDecoder.isConfigSupported(decoderConfig!)
  report.audioDecoderSupported = decoderSupport.supported
  let outputFrames = 0
  let peak = 0
  const decoderInit: AudioDecoderInit = {
    output: (data: AudioData) => {
      outputFrames += data.numberOfFrames
      const options: AudioDataCopyToOptions = { planeIndex: 0, format: 'f32-planar' }
      const plane = new Float32Array(data.allocationSize(options) / 4)
      data.copyTo(plane, options)
      for (const v of plane) peak = Math.max(peak, Math.abs(v))
      data.close()
    },
    error: (e: DOMException) => {
      report.audioDecoderError = e.name
    },
  }
  const decoder: AudioDecoder = new AudioDecoder(decoderInit)
  let decoderDequeues = 0
  decoder.addEventListener('dequeue', { handleEvent: () => decoderDequeues++ }, { once: true })
  decoder.configure(decoderConfig!)
  for (const chunk of remade) decoder.decode(chunk)
  await decoder.flush()
  decoder.close()
  report.audioDecoderDequeues = decoderDequeues
  report.audioFrames = { input: inputFrames, output: outputFrames }
  report.audioPeak = Math.round(peak * 100) / 100
}

/** A 2x1 GIF (one red, one transparent pixel), decoded with the browser's ImageDecoder types. */
async function image(): Promise<void> {
  const gif = new Uint8Array([
    0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 2, 0, 1, 0, 0xf0, 0, 0, 255, 0, 0, 0, 0, 0,
    0x21, 0xf9, 4, 1, 0, 0, 1, 0, 0x2c, 0, 0, 0, 0, 2, 0, 1, 0, 0, 2, 2, 0x44, 0x0a, 0, 0x3b,
  ])
  const init: ImageDecoderInit = { type: 'image/gif', data: gif }
  const decoder: ImageDecoder = new ImageDecoder(init)
  await decoder.tracks.ready
  const track: ImageTrack | null = decoder.tracks.selectedTrack
  const result: ImageDecodeResult = await decoder.decode({ frameIndex: 0 })
  const pixels = new Uint8Array(result.image.allocationSize({ format: 'RGBA' }))
  await result.image.copyTo(pixels, { format: 'RGBA' })
  report.image = { frame: describeFrame(result.image), frames: track?.frameCount, pixels: [...pixels] }
  result.image.close()
  decoder.close()
}

// The compiler must still reject what the browser's types reject: were our typings to
// turn into `any` somewhere, these directives would be unused and fail the build.
function rejected(frame: ours.VideoFrame): void {
  // @ts-expect-error a number is no image or buffer
  new ours.VideoFrame(42)
  // @ts-expect-error a chunk is not a frame
  const notAFrame: VideoFrame = new ours.EncodedVideoChunk({ type: 'key', timestamp: 0, data: new Uint8Array(1) })
  // @ts-expect-error width and height are required
  void ours.VideoEncoder.isConfigSupported({ codec: 'vp8' })
  // @ts-expect-error an encoder's output callback receives chunks, not frames
  new ours.VideoEncoder({ output: (chunk: VideoFrame) => chunk.close(), error: () => {} })
  // @ts-expect-error a frame's format is one of the pixel formats
  const format: 'nonsense' = frame.format!
  void notAFrame
  void format
}
void rejected

await video()
await audio()
await image()
report.counters = ours.getCounters()
console.log(JSON.stringify(report))
