// mp4box.js demuxes an MP4 the ffmpeg CLI wrote; our decoders decode every sample of it.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { createFile, DataStream, Endianness, MP4BoxBuffer, type ISOFile, type Movie, type Sample } from 'mp4box'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { AudioDecoder, EncodedAudioChunk, EncodedVideoChunk, VideoDecoder } from '../../index.js'
import { assertNoLeaks } from '../helpers/leak-check.js'
import { decodedSamples, decodeLuma, decodePcm, makeClip } from '../helpers/media.js'
import { decodeClip, psnr } from '../helpers/video.js'

const work = mkdtempSync(join(tmpdir(), 'webcodecs-mp4box-'))
const clip = join(work, 'clip.mp4')

interface Demuxed {
  info: Movie
  file: ISOFile
  samples: Map<number, Sample[]>
}

function demux(path: string): Demuxed {
  const file = createFile()
  const samples = new Map<number, Sample[]>()
  let info: Movie | undefined
  file.onError = (module: string, message: string) => {
    throw new Error(`mp4box ${module}: ${message}`)
  }
  file.onReady = (movie: Movie) => {
    info = movie
    for (const track of movie.tracks) {
      samples.set(track.id, [])
      file.setExtractionOptions(track.id, undefined, { nbSamples: Infinity })
    }
    file.start()
  }
  file.onSamples = (id: number, _user: unknown, got: Sample[]) => samples.get(id)!.push(...got)
  const bytes = readFileSync(path)
  file.appendBuffer(MP4BoxBuffer.fromArrayBuffer(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength), 0))
  file.flush()
  if (!info) throw new Error('mp4box found no moov')
  return { info, file, samples }
}

/** The body of the avcC box of a track's sample entry: the decoder config's `description`. */
function avcDescription(file: ISOFile, trackId: number): Uint8Array {
  const entry = file.getTrackById(trackId).mdia.minf.stbl.stsd.entries[0] as unknown as { avcC: { write(s: DataStream): void } }
  const stream = new DataStream(undefined, 0, Endianness.BIG_ENDIAN)
  entry.avcC.write(stream)
  return new Uint8Array(stream.buffer as ArrayBuffer, 8)
}

/** The AudioSpecificConfig inside the esds box: the AAC decoder config's `description`. */
function aacDescription(file: ISOFile, trackId: number): Uint8Array {
  const entry = file.getTrackById(trackId).mdia.minf.stbl.stsd.entries[0] as unknown as {
    esds: { esd: { descs: { descs: { data: Uint8Array }[] }[] } }
  }
  return entry.esds.esd.descs[0].descs[0].data
}

function microseconds(value: number, timescale: number): number {
  return Math.round((value * 1e6) / timescale)
}

let demuxed: Demuxed

beforeAll(() => {
  makeClip(clip, 1)
  demuxed = demux(clip)
})

afterAll(async () => {
  rmSync(work, { recursive: true, force: true })
  await assertNoLeaks()
})

describe('mp4box.js demuxing an MP4 from the ffmpeg CLI', () => {
  it('decodes every H.264 sample to the frames ffmpeg decodes, in presentation order', async () => {
    const track = demuxed.info.videoTracks[0]
    const samples = demuxed.samples.get(track.id)!
    expect(track.codec).toMatch(/^avc1\./)
    expect(samples).toHaveLength(30)
    expect(samples.filter((s) => s.is_sync).length).toBeGreaterThanOrEqual(1)

    const config = { codec: track.codec, codedWidth: track.video!.width, codedHeight: track.video!.height, description: avcDescription(demuxed.file, track.id) }
    expect((await VideoDecoder.isConfigSupported(config)).supported).toBe(true)
    const chunks = samples.map(
      (sample) =>
        new EncodedVideoChunk({
          type: sample.is_sync ? 'key' : 'delta',
          timestamp: microseconds(sample.cts, sample.timescale),
          duration: microseconds(sample.duration, sample.timescale),
          data: sample.data!,
        }),
    )
    const { timestamps, luma: lumas } = await decodeClip(config, chunks)

    expect(timestamps).toHaveLength(samples.length)
    const expected = samples.map((s) => microseconds(s.cts, s.timescale)).sort((a, b) => a - b)
    expect(timestamps).toEqual(expected)
    // The same bitstream decoded by ffmpeg: both decoders are exact, so the pixels match.
    const reference = decodeLuma(clip, 320, 240)
    expect(reference).toHaveLength(lumas.length)
    expect(Math.min(...lumas.map((luma, i) => psnr(luma, reference[i])))).toBe(Infinity)
  })

  it('decodes every AAC sample to exactly the samples ffmpeg decodes', async () => {
    const track = demuxed.info.audioTracks[0]
    const samples = demuxed.samples.get(track.id)!
    expect(track.codec).toBe('mp4a.40.2')
    expect(samples.length).toBeGreaterThanOrEqual(47)

    let outputs = 0
    let frames = 0
    const left: Float32Array[] = []
    let failure: DOMException | undefined
    const decoder = new AudioDecoder({
      output: (data) => {
        outputs++
        frames += data.numberOfFrames
        const plane = new Float32Array(data.numberOfFrames)
        data.copyTo(plane, { planeIndex: 0, format: 'f32-planar' })
        left.push(plane)
        data.close()
      },
      error: (e) => (failure = e),
    })
    decoder.configure({
      codec: track.codec,
      sampleRate: track.audio!.sample_rate,
      numberOfChannels: track.audio!.channel_count,
      description: aacDescription(demuxed.file, track.id),
    })
    for (const sample of samples) {
      decoder.decode(
        new EncodedAudioChunk({
          type: 'key',
          timestamp: microseconds(sample.cts, sample.timescale),
          duration: microseconds(sample.duration, sample.timescale),
          data: sample.data!,
        }),
      )
    }
    await decoder.flush()
    decoder.close()
    expect(failure).toBeUndefined()
    // The first chunk is the encoder's priming (the MP4's edit list skips it), which the
    // decoder drops as ffmpeg does; the last chunk's shorter duration trims the end
    // padding, which ffmpeg keeps: exactly the 1 s at 48 kHz the clip was made from.
    expect(outputs).toBe(samples.length - 1)
    expect(frames).toBe(48_000)
    expect(decodedSamples(clip) - frames).toBe(128)
    // The same samples as ffmpeg's (the same AAC decoder), channel 0 of its interleaved output.
    const reference = decodePcm(clip)
    let offset = 0
    let worst = 0
    for (const plane of left) {
      for (let i = 0; i < plane.length; i++) worst = Math.max(worst, Math.abs(plane[i] - reference[2 * (offset + i)]))
      offset += plane.length
    }
    expect(worst).toBeLessThan(1e-6)
  })
})
