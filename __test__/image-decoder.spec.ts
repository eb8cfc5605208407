import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { afterAll, describe, expect, it } from 'vitest'

import { getCounters, ImageDecoder, ImageTrack, ImageTrackList, type ImageDecoderInit } from '../index.js'
import { expectRejectsNamed, expectThrowsNamed } from './helpers/errors.js'
import { buildGif, bytesOf, cliDecode, makeImage, psnrBytes, rgbaOf, streamOf, withExifOrientation } from './helpers/image.js'
import { assertNoLeaks } from './helpers/leak-check.js'

const work = mkdtempSync(join(tmpdir(), 'webcodecs-image-'))
afterAll(async () => {
  rmSync(work, { recursive: true, force: true })
  await assertNoLeaks()
})

const pattern = 'testsrc2=size=96x64:rate=10'
const file = (name: string) => join(work, name)

/** Decodes every frame of `data`; returns RGBA pixels, timestamps and durations. */
async function decodeAll(init: ImageDecoderInit) {
  const decoder = new ImageDecoder(init)
  await decoder.tracks.ready
  await decoder.completed
  const track = decoder.tracks.selectedTrack!
  const frames: { rgba: Uint8Array; timestamp: number; duration: number | null; format: string | null }[] = []
  for (let i = 0; i < track.frameCount; i++) {
    const { image, complete } = await decoder.decode({ frameIndex: i })
    expect(complete).toBe(true)
    frames.push({ rgba: await rgbaOf(image), timestamp: image.timestamp, duration: image.duration, format: image.format })
    image.close()
  }
  const summary = { animated: track.animated, frameCount: track.frameCount, repetitionCount: track.repetitionCount }
  decoder.close()
  return { frames, track: summary }
}

/** The CLI's RGBA decode of `name`, split into frames of `width` x `height`. */
function cliFrames(name: string, width: number, height: number): Uint8Array[] {
  const all = cliDecode(file(name))
  const size = width * height * 4
  return Array.from({ length: all.length / size }, (_, i) => new Uint8Array(all.subarray(i * size, (i + 1) * size)))
}

describe('ImageDecoder formats', () => {
  it('decodes a PNG to exactly the CLI decode, in RGBA with an sRGB colour space', async () => {
    const data = makeImage(work, 'still.png', pattern, ['-frames:v', '1'])
    const decoder = new ImageDecoder({ type: 'image/png', data })
    const { image } = await decoder.decode()
    expect([image.format, image.codedWidth, image.codedHeight, image.timestamp, image.duration]).toEqual(['RGBA', 96, 64, 0, null])
    expect(image.colorSpace.toJSON()).toEqual({ primaries: 'bt709', transfer: 'iec61966-2-1', matrix: 'rgb', fullRange: true })
    expect(Buffer.from(await bytesOf(image)).equals(cliFrames('still.png', 96, 64)[0])).toBe(true)
    image.close()
    decoder.close()
  })

  it('keeps the alpha of a PNG with transparency', async () => {
    const data = makeImage(work, 'alpha.png', 'color=c=0x3366cc@0.5:size=16x8,format=rgba', ['-frames:v', '1', '-pix_fmt', 'rgba'])
    const { frames } = await decodeAll({ type: 'image/png', data })
    expect(Buffer.from(frames[0].rgba).equals(cliFrames('alpha.png', 16, 8)[0])).toBe(true)
    expect(frames[0].rgba[3]).toBe(127)
  })

  it('composites APNG frames as the CLI does, with the file timing and play count', async () => {
    const data = makeImage(work, 'anim.apng', pattern, ['-frames:v', '4', '-plays', '3', '-f', 'apng'])
    const { frames, track } = await decodeAll({ type: 'image/apng', data })
    expect(track).toEqual({ animated: true, frameCount: 4, repetitionCount: 2 })
    expect(frames.map((f) => [f.timestamp, f.duration])).toEqual([[0, 100_000], [100_000, 100_000], [200_000, 100_000], [300_000, 100_000]])
    const reference = cliFrames('anim.apng', 96, 64)
    frames.forEach((f, i) => expect(Buffer.from(f.rgba).equals(reference[i]), `frame ${i}`).toBe(true))
  })

  it('composites GIF frames as the CLI does, with delays and an endless loop', async () => {
    const data = makeImage(work, 'anim.gif', pattern, ['-frames:v', '5', '-loop', '0'])
    const { frames, track } = await decodeAll({ type: 'image/gif', data })
    expect(track).toEqual({ animated: true, frameCount: 5, repetitionCount: Infinity })
    expect(frames.map((f) => f.timestamp)).toEqual([0, 100_000, 200_000, 300_000, 400_000])
    expect(frames.every((f) => f.duration === 100_000)).toBe(true)
    const reference = cliFrames('anim.gif', 96, 64)
    frames.forEach((f, i) => expect(psnrBytes(f.rgba, reference[i]), `frame ${i}`).toBe(Infinity))
  })

  // Palette: 0 red, 1 green, 2 blue, 3 white.
  const palette = [255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255]
  const red = [255, 0, 0, 255]
  const green = [0, 255, 0, 255]
  const blue = [0, 0, 255, 255]
  const clear = [0, 0, 0, 0]

  it('applies GIF transparency and each disposal method', async () => {
    const gif = buildGif(2, 1, palette, [
      // Red, red; left as drawn.
      { left: 0, top: 0, width: 2, height: 1, indices: [0, 0], delay: 5, disposal: 1 },
      // Blue over the right pixel only (index 3 transparent); restored afterwards.
      { left: 0, top: 0, width: 2, height: 1, indices: [3, 2], delay: 7, disposal: 3, transparent: 3 },
      // Green left; cleared afterwards.
      { left: 0, top: 0, width: 1, height: 1, indices: [1], delay: 9, disposal: 2 },
      // Nothing but transparency: shows what the disposals left.
      { left: 1, top: 0, width: 1, height: 1, indices: [3], delay: 11, disposal: 1, transparent: 3 },
    ], 4)
    const { frames, track } = await decodeAll({ type: 'image/gif', data: gif })
    expect(track).toEqual({ animated: true, frameCount: 4, repetitionCount: 4 })
    expect(frames.map((f) => [...f.rgba])).toEqual([[...red, ...red], [...red, ...blue], [...green, ...red], [...clear, ...red]])
    expect(frames.map((f) => [f.timestamp, f.duration])).toEqual([[0, 50_000], [50_000, 70_000], [120_000, 90_000], [210_000, 110_000]])
  })

  it('gives a GIF without a loop extension a repetition count of 0', async () => {
    const gif = buildGif(1, 1, palette, [{ left: 0, top: 0, width: 1, height: 1, indices: [0], delay: 1, disposal: 0 }])
    const { track } = await decodeAll({ type: 'image/gif', data: gif })
    expect(track).toEqual({ animated: false, frameCount: 1, repetitionCount: 0 })
  })

  it('decodes a baseline JPEG to the decoder YUV, exactly the CLI decode', async () => {
    const data = makeImage(work, 'base.jpg', pattern, ['-frames:v', '1', '-pix_fmt', 'yuvj420p', '-q:v', '3'])
    const decoder = new ImageDecoder({ type: 'image/jpeg', data })
    const { image } = await decoder.decode()
    expect([image.format, image.codedWidth, image.codedHeight]).toEqual(['I420', 96, 64])
    expect(image.colorSpace.toJSON()).toEqual({ primaries: 'bt709', transfer: 'iec61966-2-1', matrix: 'smpte170m', fullRange: true })
    expect(Buffer.from(await bytesOf(image)).equals(cliDecode(file('base.jpg'), 'yuvj420p'))).toBe(true)
    // To RGB with the full-range BT.601 matrix, exactly as the CLI converts with copyTo's
    // swscale flags.
    const flags = ['-sws_flags', 'bilinear+accurate_rnd+full_chroma_int']
    expect(Buffer.from(await rgbaOf(image)).equals(cliDecode(file('base.jpg'), 'rgba', flags))).toBe(true)
    image.close()
    decoder.close()
  })

  it('gives a JPEG the rotation and flip of its EXIF orientation, its pixels as stored', async () => {
    const jpeg = makeImage(work, 'exif.jpg', pattern, ['-frames:v', '1', '-pix_fmt', 'yuvj444p'])
    const stored = cliDecode(file('exif.jpg'), 'yuvj444p')
    const expected: [number, number, boolean][] = [[1, 0, false], [2, 0, true], [3, 180, false], [4, 180, true], [5, 90, true], [6, 90, false], [7, 270, true], [8, 270, false]]
    for (const [tag, rotation, flip] of expected) {
      const decoder = new ImageDecoder({ type: 'image/jpeg', data: withExifOrientation(jpeg, tag) })
      const { image } = await decoder.decode()
      const sideways = rotation % 180 !== 0
      expect([image.rotation, image.flip, image.displayWidth, image.displayHeight], `orientation ${tag}`).toEqual([rotation, flip, sideways ? 64 : 96, sideways ? 96 : 64])
      expect([image.format, image.codedWidth, image.codedHeight]).toEqual(['I444', 96, 64])
      expect(Buffer.from(await bytesOf(image)).equals(stored)).toBe(true)
      image.close()
      decoder.close()
    }
  })

  it('decodes a progressive JPEG exactly as the CLI does', async () => {
    makeImage(work, 'sequential.jpg', pattern, ['-frames:v', '1', '-pix_fmt', 'yuvj420p', '-q:v', '3'])
    execFileSync('jpegtran', ['-progressive', '-outfile', file('progressive.jpg'), file('sequential.jpg')])
    const data = new Uint8Array(readFileSync(file('progressive.jpg')))
    // SOF2: the frame is coded progressively.
    expect(Buffer.from(data).includes(Buffer.from([0xff, 0xc2]))).toBe(true)
    const decoder = new ImageDecoder({ type: 'image/jpeg', data })
    const { image } = await decoder.decode()
    expect([image.format, image.codedWidth, image.codedHeight]).toEqual(['I420', 96, 64])
    expect(Buffer.from(await bytesOf(image)).equals(cliDecode(file('progressive.jpg'), 'yuvj420p'))).toBe(true)
    image.close()
    decoder.close()
  })

  it('decodes lossless WebP, with alpha, to exactly the CLI decode', async () => {
    const data = makeImage(work, 'lossless.webp', 'testsrc2=size=32x16,format=rgba,colorchannelmixer=aa=0.5', [
      '-frames:v', '1', '-c:v', 'libwebp', '-lossless', '1', '-pix_fmt', 'bgra',
    ])
    const { frames } = await decodeAll({ type: 'image/webp', data })
    expect(frames[0].rgba[3]).toBe(128)
    expect(Buffer.from(frames[0].rgba).equals(cliFrames('lossless.webp', 32, 16)[0])).toBe(true)
  })

  it('decodes lossy WebP to exactly the CLI decode', async () => {
    const data = makeImage(work, 'lossy.webp', pattern, ['-frames:v', '1', '-c:v', 'libwebp', '-quality', '90'])
    const { frames } = await decodeAll({ type: 'image/webp', data })
    expect(Buffer.from(frames[0].rgba).equals(cliFrames('lossy.webp', 96, 64)[0])).toBe(true)
  })

  it('decodes animated WebP frames with their durations and loop count', async () => {
    const data = makeImage(work, 'anim.webp', pattern, ['-frames:v', '3', '-c:v', 'libwebp_anim', '-lossless', '1', '-pix_fmt', 'bgra', '-loop', '2'])
    const { frames, track } = await decodeAll({ type: 'image/webp', data })
    expect(track).toEqual({ animated: true, frameCount: 3, repetitionCount: 1 })
    expect(frames.map((f) => [f.timestamp, f.duration])).toEqual([[0, 100_000], [100_000, 100_000], [200_000, 100_000]])
    // Lossless: the first frame is the source frame itself; libwebp's animation encoder
    // lets later frames' sub-rectangles differ by one step (at most 1 per channel).
    const source = ffmpeg3Frames()
    expect(Buffer.from(frames[0].rgba).equals(source[0])).toBe(true)
    frames.forEach((f, i) => expect(psnrBytes(f.rgba, source[i]), `frame ${i}`).toBeGreaterThan(48))
  })

  it('decodes BMP to exactly the CLI decode', async () => {
    const data = makeImage(work, 'still.bmp', pattern, ['-frames:v', '1'])
    const { frames } = await decodeAll({ type: 'image/bmp', data })
    expect(Buffer.from(frames[0].rgba).equals(cliFrames('still.bmp', 96, 64)[0])).toBe(true)
  })

  it('decodes AVIF (FFmpeg 5.1 reads it) to the decoder YUV, exactly the CLI decode', async () => {
    const data = makeImage(work, 'still.avif', pattern, ['-frames:v', '1', '-c:v', 'libaom-av1', '-still-picture', '1', '-cpu-used', '8'])
    const decoder = new ImageDecoder({ type: 'image/avif', data })
    const { image } = await decoder.decode()
    expect([image.format, image.codedWidth, image.codedHeight, image.colorSpace.fullRange]).toEqual(['I420', 96, 64, false])
    expect(Buffer.from(await bytesOf(image)).equals(cliDecode(file('still.avif'), 'yuv420p'))).toBe(true)
    image.close()
    decoder.close()
  })

  it('scales frames to desiredWidth x desiredHeight', async () => {
    const data = makeImage(work, 'scale.png', pattern, ['-frames:v', '1'])
    const { frames } = await decodeAll({ type: 'image/png', data, desiredWidth: 48, desiredHeight: 32 })
    const reference = cliDecode(file('scale.png'), 'rgba', ['-vf', 'scale=48:32:flags=bicubic'])
    expect(frames[0].rgba.length).toBe(48 * 32 * 4)
    expect(psnrBytes(frames[0].rgba, reference)).toBeGreaterThan(30)
  })

  it("keeps the data as decoded with colorSpaceConversion: 'none'", async () => {
    const data = makeImage(work, 'none.png', pattern, ['-frames:v', '1'])
    const { frames } = await decodeAll({ type: 'image/png', data, colorSpaceConversion: 'none' })
    expect(Buffer.from(frames[0].rgba).equals(cliFrames('none.png', 96, 64)[0])).toBe(true)
  })
})

function ffmpeg3Frames(): Buffer[] {
  const path = file('source.rgba')
  makeImage(work, 'source.rgba', pattern, ['-frames:v', '3', '-f', 'rawvideo', '-pix_fmt', 'rgba'])
  const all = readFileSync(path)
  const size = 96 * 64 * 4
  return [0, 1, 2].map((i) => all.subarray(i * size, (i + 1) * size))
}

describe('ImageDecoder.isTypeSupported', () => {
  it('answers from what really decodes', async () => {
    for (const type of ['image/png', 'image/apng', 'image/gif', 'image/jpeg', 'image/webp', 'image/bmp', 'image/avif']) {
      expect(await ImageDecoder.isTypeSupported(type), type).toBe(true)
    }
    for (const type of ['image/tiff', 'image/heic']) {
      expect(await ImageDecoder.isTypeSupported(type), type).toBe(false)
    }
    // Not image MIME types at all: step 1 rejects them.
    for (const type of ['video/mp4', 'text/plain']) await expectRejectsNamed(ImageDecoder.isTypeSupported(type), 'TypeError')
  })
})

describe('ImageDecoder streaming', () => {
  it('resolves tracks.ready from the header, decodes as bytes arrive, completes at the end', async () => {
    const data = makeImage(work, 'stream.gif', pattern, ['-frames:v', '6', '-loop', '0'])
    let release: () => void = () => {}
    const held = new Promise<void>((resolve) => (release = resolve))
    const half = Math.floor(data.length / 2)
    let step = 0
    const stream = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (step === 0) controller.enqueue(data.slice(0, half))
        else if (step === 1) {
          await held
          controller.enqueue(data.slice(half))
        } else controller.close()
        step++
      },
    })
    const decoder = new ImageDecoder({ type: 'image/gif', data: stream })
    await decoder.tracks.ready
    expect(decoder.complete).toBe(false)
    expect(decoder.tracks.length).toBe(1)
    expect(decoder.tracks[0]).toBe(decoder.tracks.selectedTrack)
    expect(decoder.tracks[0]).toBeInstanceOf(ImageTrack)
    const first = await decoder.decode({ frameIndex: 0 })
    expect(first.image.timestamp).toBe(0)
    first.image.close()
    const last = decoder.decode({ frameIndex: 5 })
    release()
    const { image } = await last
    expect(image.timestamp).toBe(500_000)
    image.close()
    await decoder.completed
    expect(decoder.complete).toBe(true)
    expect(decoder.tracks[0].frameCount).toBe(6)
    decoder.close()
  })

  it('decodes a stream of many small chunks to the same frames as a buffer', async () => {
    const data = makeImage(work, 'chunks.apng', pattern, ['-frames:v', '3', '-f', 'apng'])
    const whole = await decodeAll({ type: 'image/png', data })
    const streamed = await decodeAll({ type: 'image/png', data: streamOf(data, 37) })
    expect(streamed.track).toEqual(whole.track)
    streamed.frames.forEach((f, i) => expect(Buffer.from(f.rgba).equals(Buffer.from(whole.frames[i].rgba))).toBe(true))
  })

  it('rejects completed and pending decodes when the stream errors', async () => {
    const data = makeImage(work, 'error.gif', pattern, ['-frames:v', '2'])
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(data.slice(0, 20))
        setTimeout(() => controller.error(new Error('network gone')), 20)
      },
    })
    const decoder = new ImageDecoder({ type: 'image/gif', data: stream })
    const decode = decoder.decode({ frameIndex: 1 })
    await expectRejectsNamed(decoder.completed, 'NotReadableError')
    await expectRejectsNamed(decode, 'NotReadableError')
    await expectRejectsNamed(decoder.tracks.ready, 'NotReadableError')
    expect(getCounters().imageDecoders).toBe(0)
  })
})

describe('ImageDecoder constructor', () => {
  const png = () => makeImage(work, 'ctor.png', pattern, ['-frames:v', '1'])

  it('throws TypeError for a bad init', () => {
    const data = png()
    expectThrowsNamed(() => new ImageDecoder({ type: 'text/plain', data }), 'TypeError')
    expectThrowsNamed(() => new ImageDecoder({ type: 'png', data }), 'TypeError')
    expectThrowsNamed(() => new ImageDecoder({ data } as unknown as ImageDecoderInit), 'TypeError')
    expectThrowsNamed(() => new ImageDecoder({ type: 'image/png', data, desiredWidth: 10 }), 'TypeError')
    expectThrowsNamed(() => new ImageDecoder({ type: 'image/png', data, desiredWidth: -1, desiredHeight: 1 }), 'TypeError')
    expectThrowsNamed(() => new ImageDecoder({ type: 'image/png', data: new Uint8Array(0) }), 'TypeError')
    expectThrowsNamed(() => new ImageDecoder({ type: 'image/png', data: 42 as unknown as Uint8Array }), 'TypeError')
    const locked = new ReadableStream()
    locked.getReader()
    expectThrowsNamed(() => new ImageDecoder({ type: 'image/png', data: locked }), 'TypeError')
    expect(getCounters().imageDecoders).toBe(0)
  })

  it('rejects its promises with NotSupportedError for an unsupported type', async () => {
    const decoder = new ImageDecoder({ type: 'image/tiff', data: png() })
    await expectRejectsNamed(decoder.tracks.ready, 'NotSupportedError')
    // A buffer is complete (and completed resolved) before the type is looked at.
    await expect(decoder.completed).resolves.toBeUndefined()
    await expectRejectsNamed(decoder.decode(), 'InvalidStateError')
  })

  it('detaches the buffers in transfer', async () => {
    const data = png()
    const decoder = new ImageDecoder({ type: 'image/png', data, transfer: [data.buffer as ArrayBuffer] })
    expect(data.byteLength).toBe(0)
    const { image } = await decoder.decode()
    expect(image.codedWidth).toBe(96)
    image.close()
    decoder.close()
  })

  it('has type, tracks as the same object, and counts itself in getCounters()', async () => {
    const decoder = new ImageDecoder({ type: 'image/png', data: png() })
    expect(decoder.type).toBe('image/png')
    expect(decoder.tracks).toBe(decoder.tracks)
    expect(decoder.tracks).toBeInstanceOf(ImageTrackList)
    expect(getCounters().imageDecoders).toBe(1)
    await decoder.tracks.ready
    expect([decoder.tracks.length, decoder.tracks.selectedIndex, decoder.tracks.item(0)]).toEqual([1, 0, decoder.tracks[0]])
    decoder.close()
    expect(getCounters().imageDecoders).toBe(0)
  })
})

describe('ImageDecoder.decode', () => {
  const gif = () => makeImage(work, 'decode.gif', pattern, ['-frames:v', '3'])

  it('rejects with RangeError for a frame index past the end', async () => {
    const decoder = new ImageDecoder({ type: 'image/gif', data: gif() })
    await expectRejectsNamed(decoder.decode({ frameIndex: 3 }), 'RangeError')
    await decoder.completed
    await expectRejectsNamed(decoder.decode({ frameIndex: 7 }), 'RangeError')
    const { image } = await decoder.decode({ frameIndex: 2 })
    expect(image.timestamp).toBe(200_000)
    image.close()
    decoder.close()
  })

  it('rejects with EncodingError for data cut after its header, and closes', async () => {
    const data = gif()
    const decoder = new ImageDecoder({ type: 'image/gif', data: data.slice(0, data.length / 2) })
    await decoder.tracks.ready
    await expectRejectsNamed(decoder.decode({ frameIndex: 2 }), 'EncodingError')
    await expectRejectsNamed(decoder.decode(), 'InvalidStateError')
  })

  it('closes with InvalidStateError for complete data that shows no image track', async () => {
    const data = gif()
    const cases: [string, Uint8Array][] = [
      ['image/gif', new Uint8Array(64).fill(7)],
      ['image/png', Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3])],
      ...['image/jpeg', 'image/webp', 'image/bmp', 'image/avif'].map((type): [string, Uint8Array] => [type, data.slice(0, 100)]),
    ]
    for (const [type, bad] of cases) {
      const decoder = new ImageDecoder({ type, data: bad })
      const pending = decoder.decode()
      await expectRejectsNamed(decoder.tracks.ready, 'InvalidStateError')
      await expectRejectsNamed(pending, 'InvalidStateError')
      expect(decoder.tracks.length).toBe(0)
      await expectRejectsNamed(decoder.decode(), 'InvalidStateError')
    }
  })

  it('rejects with InvalidStateError after close()', async () => {
    const decoder = new ImageDecoder({ type: 'image/gif', data: gif() })
    decoder.close()
    await expectRejectsNamed(decoder.decode(), 'InvalidStateError')
    await expect(decoder.completed).resolves.toBeUndefined()
    expect(decoder.tracks.length).toBe(0)
  })

  it('rejects pending decodes with AbortError on reset() and decodes again after', async () => {
    const decoder = new ImageDecoder({ type: 'image/gif', data: gif() })
    const pending = decoder.decode({ frameIndex: 2 })
    decoder.reset()
    await expectRejectsNamed(pending, 'AbortError')
    const { image } = await decoder.decode({ frameIndex: 1 })
    expect(image.timestamp).toBe(100_000)
    image.close()
    decoder.close()
  })

  it('rejects with InvalidStateError once no track is selected', async () => {
    const decoder = new ImageDecoder({ type: 'image/gif', data: gif() })
    await decoder.tracks.ready
    decoder.tracks[0].selected = false
    expect([decoder.tracks.selectedIndex, decoder.tracks.selectedTrack]).toEqual([-1, null])
    await expectRejectsNamed(decoder.decode(), 'InvalidStateError')
    decoder.tracks[0].selected = true
    const { image } = await decoder.decode()
    image.close()
    decoder.close()
  })

  it('decodes frames in any order', async () => {
    const decoder = new ImageDecoder({ type: 'image/gif', data: gif() })
    const order = [2, 0, 1, 2]
    const results = await Promise.all(order.map((frameIndex) => decoder.decode({ frameIndex })))
    expect(results.map((r) => r.image.timestamp)).toEqual([200_000, 0, 100_000, 200_000])
    results.forEach((r) => r.image.close())
    decoder.close()
  })
})
