// The image fuzzer: seeded mutations of whole image files (made by the ffmpeg CLI), each
// decoded by an ImageDecoder from a buffer or from a stream cut at random points. A case
// passes when every decode resolves, or the decoder closes with EncodingError, frame
// indices past the end reject with RangeError, and getCounters() is back at its baseline.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { getCounters, ImageDecoder, type Counters } from '../index.js'
import { caseSeed, Rng, type FuzzOptions, type RunOptions, type Summary } from './core.js'

export interface ImageTarget {
  name: string
  kind: 'image'
  type: string
  data: Uint8Array
}

const SOURCE = 'testsrc2=size=32x24:rate=10'

/** Each image format we fuzz: its MIME type and the CLI options that make a seed file. */
const IMAGE_SEEDS: Record<string, { type: string; ext: string; args: string[] }> = {
  'png': { type: 'image/png', ext: 'png', args: ['-frames:v', '1'] },
  'apng': { type: 'image/apng', ext: 'apng', args: ['-frames:v', '4', '-plays', '0', '-f', 'apng'] },
  'gif': { type: 'image/gif', ext: 'gif', args: ['-frames:v', '4', '-loop', '0'] },
  'jpeg': { type: 'image/jpeg', ext: 'jpg', args: ['-frames:v', '1'] },
  'webp': { type: 'image/webp', ext: 'webp', args: ['-frames:v', '1', '-c:v', 'libwebp'] },
  'webp-anim': { type: 'image/webp', ext: 'webp', args: ['-frames:v', '4', '-c:v', 'libwebp_anim', '-loop', '0'] },
  'bmp': { type: 'image/bmp', ext: 'bmp', args: ['-frames:v', '1'] },
  'avif': { type: 'image/avif', ext: 'avif', args: ['-frames:v', '1', '-c:v', 'libaom-av1', '-still-picture', '1', '-cpu-used', '8'] },
}

export const IMAGE_TARGETS = Object.keys(IMAGE_SEEDS)

export function buildImageTarget(name: string): ImageTarget {
  const seed = IMAGE_SEEDS[name]
  const dir = mkdtempSync(join(tmpdir(), 'webcodecs-fuzz-image-'))
  try {
    const path = join(dir, `seed.${seed.ext}`)
    const run = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', SOURCE, ...seed.args, path])
    if (run.status !== 0) throw new Error(`ffmpeg could not make the ${name} seed: ${run.stderr}`)
    return { name, kind: 'image', type: seed.type, data: new Uint8Array(readFileSync(path)) }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

interface ImageCase {
  index: number
  data: Uint8Array
  /** Cut points when the data comes as a stream; undefined for a buffer. */
  chunks?: number[]
  ops: string[]
}

const SIZE_WORDS = [0xffffffff, 0x7fffffff, 0x80000000, 0x00ffffff, 0x0000ffff, 0]

/** Case `index`: up to four mutations of the seed file, then a buffer or a cut stream. */
function makeImageCase(target: ImageTarget, seed: number, index: number): ImageCase {
  const rng = new Rng(caseSeed(seed, target.name, index))
  let data = target.data.slice()
  const ops: string[] = []
  const count = rng.chance(0.03) ? 0 : 1 + rng.int(4)
  for (let k = 0; k < count; k++) {
    const op = rng.pick(['flip', 'flip', 'flip', 'truncate', 'random-span', 'size', 'insert', 'drop-span'] as const)
    if (op === 'flip') {
      // Headers are where parsers trust sizes: half the flips land in the first 64 bytes.
      const span = rng.chance(0.5) ? Math.min(64, data.length) : data.length
      const flips = 1 + rng.int(16)
      for (let i = 0; i < flips && span > 0; i++) data[rng.int(span)] ^= 1 << rng.int(8)
      ops.push(`flip(${flips})`)
    } else if (op === 'truncate') {
      data = data.slice(0, rng.int(data.length + 1))
      ops.push(`truncate(${data.length})`)
    } else if (op === 'random-span' && data.length > 0) {
      const start = rng.int(data.length)
      data.set(rng.bytes(Math.min(1 + rng.int(64), data.length - start)), start)
      ops.push(`random-span(${start})`)
    } else if (op === 'size' && data.length >= 4) {
      const offset = rng.chance(0.5) ? rng.int(Math.min(40, data.length - 3)) : rng.int(data.length - 3)
      const word = rng.pick(SIZE_WORDS)
      new DataView(data.buffer).setUint32(offset, word, rng.chance(0.5))
      ops.push(`size(${offset},${word})`)
    } else if (op === 'insert') {
      const at = rng.int(data.length + 1)
      const extra = rng.bytes(rng.int(256))
      data = new Uint8Array([...data.subarray(0, at), ...extra, ...data.subarray(at)])
      ops.push(`insert(${at},${extra.length})`)
    } else if (op === 'drop-span' && data.length > 0) {
      const at = rng.int(data.length)
      const length = 1 + rng.int(Math.min(64, data.length - at))
      data = new Uint8Array([...data.subarray(0, at), ...data.subarray(at + length)])
      ops.push(`drop-span(${at},${length})`)
    }
  }
  let chunks: number[] | undefined
  if (rng.chance(0.4)) {
    chunks = Array.from({ length: 1 + rng.int(6) }, () => rng.int(data.length + 1)).sort((a, b) => a - b)
    ops.push(`stream(${chunks.length + 1})`)
  }
  return { index, data, chunks, ops }
}

function streamOf(data: Uint8Array, cuts: number[]): ReadableStream<Uint8Array> {
  const ends = [...cuts, data.length]
  // Empty pieces are skipped: a pull that enqueues nothing is not called again.
  const pieces = ends.map((end, i) => data.slice(i === 0 ? 0 : ends[i - 1], end)).filter((p) => p.length > 0)
  return new ReadableStream({
    pull(controller) {
      const next = pieces.shift()
      if (next === undefined) controller.close()
      else controller.enqueue(next)
    },
  })
}

type Settled<T> = { state: 'resolved'; value: T } | { state: 'rejected'; error: unknown } | { state: 'timeout' }

async function within<T>(promise: Promise<T>, ms: number): Promise<Settled<T>> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<Settled<T>>((resolve) => (timer = setTimeout(() => resolve({ state: 'timeout' }), ms)))
  try {
    return await Promise.race([
      promise.then(
        (value): Settled<T> => ({ state: 'resolved', value }),
        (error: unknown): Settled<T> => ({ state: 'rejected', error }),
      ),
      timeout,
    ])
  } finally {
    clearTimeout(timer)
  }
}

const nameOf = (e: unknown) => (e instanceof Error || e instanceof DOMException ? e.name : typeof e)

/** One case: 'ok', 'EncodingError' (the decoder closed with an error), or failures (also a hang). */
async function runImageCase(target: ImageTarget, fc: ImageCase, options: FuzzOptions): Promise<{ outcome: string; outputs: number; failures: string[]; hung: boolean }> {
  const failures: string[] = []
  const inject = options.inject?.at === fc.index ? options.inject.kind : undefined
  if (inject === 'crash') process.kill(process.pid, 'SIGSEGV')
  let outputs = 0
  const data = fc.chunks ? streamOf(fc.data, fc.chunks) : fc.data
  let decoder: ImageDecoder
  try {
    decoder = new ImageDecoder({ type: target.type, data })
  } catch (e) {
    // Only an empty buffer is a TypeError.
    if (!(fc.data.length === 0 && !fc.chunks && nameOf(e) === 'TypeError')) failures.push(`constructor threw ${nameOf(e)}`)
    return { outcome: 'ok', outputs, failures, hung: false }
  }
  // Data that never shows a track closes the decoder with InvalidStateError (Establish
  // Tracks step 2.1); data that fails later, with EncodingError.
  const allowed = (e: unknown, what: string, names = ['EncodingError']) => {
    if (!names.includes(nameOf(e))) failures.push(`${what} rejected with ${nameOf(e)}`)
  }
  let outcome = 'ok'
  const ready = inject === 'hang' ? await within(new Promise<void>(() => {}), options.watchdogMs) : await within(decoder.completed.then(() => decoder.tracks.ready), options.watchdogMs)
  if (ready.state === 'timeout') {
    failures.push(`completed and tracks.ready did not settle within ${options.watchdogMs} ms`)
    return { outcome, outputs, failures, hung: true }
  }
  if (ready.state === 'rejected') {
    allowed(ready.error, 'completed or tracks.ready', ['EncodingError', 'InvalidStateError'])
    outcome = 'EncodingError'
  } else {
    const track = decoder.tracks.selectedTrack
    const count = Math.min(track?.frameCount ?? 0, 8)
    for (let i = 0; i <= count; i++) {
      const decoded = await within(decoder.decode({ frameIndex: i }), options.watchdogMs)
      if (decoded.state === 'timeout') {
        failures.push(`decode(${i}) did not settle within ${options.watchdogMs} ms`)
        return { outcome, outputs, failures, hung: true }
      }
      if (decoded.state === 'resolved') {
        outputs++
        const { image } = decoded.value
        if (i === count && count === track!.frameCount) failures.push(`decode(${i}) past the last frame resolved`)
        if (!(image.allocationSize() > 0)) failures.push(`frame ${i} has no pixels`)
        if (inject !== 'leak') image.close()
      } else if (i === track?.frameCount && nameOf(decoded.error) === 'RangeError') {
        break
      } else {
        allowed(decoded.error, `decode(${i})`)
        outcome = 'EncodingError'
        break
      }
    }
  }
  if (inject === 'wrong-error') failures.push('injected wrong error')
  decoder.close()
  return { outcome, outputs, failures, hung: false }
}

/** Fuzzes one image format, as `fuzzTarget` does a decoder. */
export async function fuzzImageTarget(target: ImageTarget, options: RunOptions): Promise<Summary> {
  const started = performance.now()
  const summary: Summary = { target: target.name, cases: 0, ok: 0, encodingErrors: 0, notSupported: 0, typeErrors: 0, dataErrors: 0, outputs: 0, failures: [], ms: 0 }
  const baseline: Counters = getCounters()
  for (let index = options.from; index < options.from + options.cases; index++) {
    options.onCase?.(index)
    const fc = makeImageCase(target, options.seed, index)
    const result = await runImageCase(target, fc, options)
    const now = getCounters()
    for (const key of Object.keys(baseline) as (keyof Counters)[]) {
      if (now[key] !== baseline[key]) result.failures.push(`getCounters().${key} is ${now[key]}, expected ${baseline[key]}`)
    }
    summary.cases++
    summary.outputs += result.outputs
    if (result.outcome === 'ok') summary.ok++
    else summary.encodingErrors++
    if (result.failures.length > 0) {
      const failure = { index, ops: fc.ops, messages: result.failures }
      summary.failures.push(failure)
      options.onFailure?.(failure)
    }
    if (result.hung) break
  }
  summary.ms = Math.round(performance.now() - started)
  return summary
}
