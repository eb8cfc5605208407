// The bitstream fuzzer's core: seeded mutations of valid streams, one decode per case, and
// the rule that every case ends in success, EncodingError on the error callback, or the
// spec's synchronous errors, with every frame and permit given back.
import {
  AudioDecoder,
  EncodedAudioChunk,
  EncodedVideoChunk,
  getCounters,
  VideoDecoder,
  type AudioData,
  type AudioDecoderConfig,
  type Counters,
  type VideoDecoderConfig,
  type VideoFrame,
} from '../index.js'
import type { SeedChunk, Target } from './seeds.js'

/** sfc32: small, fast and the same on every platform, so a seed replays a case exactly. */
export class Rng {
  private a: number
  private b: number
  private c: number
  private d: number

  constructor(seed: number) {
    this.a = 0x9e3779b9
    this.b = 0x243f6a88
    this.c = 0xb7e15162
    this.d = seed >>> 0
    for (let i = 0; i < 12; i++) this.u32()
  }

  u32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0
    this.d = (this.d + 1) | 0
    this.a = this.b ^ (this.b >>> 9)
    this.b = (this.c + (this.c << 3)) | 0
    this.c = (this.c << 21) | (this.c >>> 11)
    this.c = (this.c + t) | 0
    return t >>> 0
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return n <= 0 ? 0 : Math.floor((this.u32() / 2 ** 32) * n)
  }

  chance(p: number): boolean {
    return this.u32() / 2 ** 32 < p
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]
  }

  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n)
    for (let i = 0; i < n; i++) out[i] = this.u32() & 0xff
    return out
  }
}

/** One 32-bit seed from the run's seed, the target and the case index (FNV-1a over their text). */
export function caseSeed(seed: number, target: string, index: number): number {
  let h = 0x811c9dc5
  for (const ch of `${seed}/${target}/${index}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193)
  return h >>> 0
}

export interface CaseChunk {
  type: string
  timestamp: number
  duration?: number
  data: Uint8Array
}

export interface FuzzCase {
  index: number
  config: VideoDecoderConfig | AudioDecoderConfig
  /** Description or size fields changed: NotSupportedError is then an allowed outcome too. */
  configMutated: boolean
  chunks: CaseChunk[]
  /** reset() and configure() again before this chunk. */
  resetAt?: number
  /** Decode on the decoder the previous case left configured, if there is one. */
  reuse: boolean
  /** Read every output's pixels or samples before closing it. */
  inspect: boolean
  /** Hand each chunk's buffer over with `transfer` instead of copying it. */
  transfer: boolean
  ops: string[]
}

const MAX_SAFE = Number.MAX_SAFE_INTEGER
const TIMESTAMPS = [0, -1, 1, 0.5, -0.5, 2 ** 31, -(2 ** 31), 2 ** 32, 1e15, MAX_SAFE, -MAX_SAFE, 2 ** 53, -(2 ** 53), 1e300, NaN, Infinity, -Infinity]
const DURATIONS = [undefined, 0, 1, 1e-9, 2 ** 32, MAX_SAFE, 2 ** 53, -1, NaN, Infinity]
const CODED_SIZES = [1, 2, 3, 15, 16, 17, 4096, 16384, 65535, 1 << 20]
const SAMPLE_RATES = [1, 3, 8000, 11025, 96_000, 384_000, 768_000, 2 ** 31 - 1]
const CHANNELS = [1, 2, 3, 6, 8, 32, 255, 256, 1024]

/** Builds case `index` of `target`: up to four mutations of its seed stream, chosen by the seed. */
export function makeCase(target: Target, seed: number, index: number): FuzzCase {
  const rng = new Rng(caseSeed(seed, target.name, index))
  const fc: FuzzCase = {
    index,
    config: { ...target.config },
    configMutated: false,
    chunks: target.chunks.map((c) => ({ ...c })),
    reuse: rng.chance(0.5),
    inspect: rng.chance(0.25),
    transfer: rng.chance(0.2),
    ops: [],
  }
  // A few untouched streams: the decoder must decode them without complaint.
  if (rng.chance(0.03)) return fc
  const count = 1 + rng.int(4)
  for (let k = 0; k < count; k++) mutate(fc, target, rng)
  return fc
}

function mutate(fc: FuzzCase, target: Target, rng: Rng): void {
  const chunks = fc.chunks
  const at = rng.int(chunks.length)
  const chunk = chunks[at] as CaseChunk | undefined
  const op = rng.pick(OPS)
  if (!chunk && op !== 'description' && op !== 'config') return
  switch (op) {
    case 'flip': {
      const data = chunk!.data.slice()
      // Headers are where parsers trust sizes: half the flips land in the first 16 bytes.
      const span = rng.chance(0.5) ? Math.min(16, data.length) : data.length
      const flips = 1 + rng.int(16)
      for (let i = 0; i < flips && span > 0; i++) data[rng.int(span)] ^= 1 << rng.int(8)
      chunk!.data = data
      fc.ops.push(`flip(${at},${flips})`)
      break
    }
    case 'truncate': {
      const length = rng.int(chunk!.data.length + 1)
      chunk!.data = chunk!.data.slice(0, length)
      fc.ops.push(`truncate(${at},${length})`)
      break
    }
    case 'random-span': {
      const data = chunk!.data.slice()
      const start = rng.int(data.length)
      const length = 1 + rng.int(Math.max(1, data.length - start))
      data.set(rng.bytes(Math.min(length, data.length - start)), start)
      chunk!.data = data
      fc.ops.push(`random-span(${at},${start},${length})`)
      break
    }
    case 'random-chunk': {
      const length = rng.int(2 * chunk!.data.length + 16)
      chunk!.data = rng.bytes(length)
      fc.ops.push(`random-chunk(${at},${length})`)
      break
    }
    case 'insert-random': {
      const length = rng.int(512)
      chunks.splice(at, 0, { type: rng.pick(['key', 'delta']), timestamp: chunk!.timestamp, data: rng.bytes(length) })
      fc.ops.push(`insert-random(${at},${length})`)
      break
    }
    case 'type': {
      // Mostly key <-> delta; now and then a type outside the enum (a TypeError).
      chunk!.type = rng.chance(0.9) ? (chunk!.type === 'key' ? 'delta' : 'key') : rng.pick(['', 'Key', 'intra', 'bogus'])
      fc.ops.push(`type(${at},${chunk!.type})`)
      break
    }
    case 'timestamp': {
      chunk!.timestamp = rng.chance(0.2) ? (chunks[rng.int(chunks.length)]?.timestamp ?? 0) : rng.pick(TIMESTAMPS)
      fc.ops.push(`timestamp(${at},${chunk!.timestamp})`)
      break
    }
    case 'duration': {
      chunk!.duration = rng.pick(DURATIONS)
      fc.ops.push(`duration(${at},${chunk!.duration})`)
      break
    }
    case 'size': {
      const kind = rng.int(3)
      if (kind === 0) chunk!.data = new Uint8Array(0)
      else if (kind === 1) {
        const copies = 1 + rng.int(Math.max(1, Math.floor((1 << 20) / Math.max(1, chunk!.data.length))))
        const data = new Uint8Array(chunk!.data.length * copies)
        for (let i = 0; i < copies; i++) data.set(chunk!.data, i * chunk!.data.length)
        chunk!.data = data
      } else {
        // A length or size field claiming far more bytes than there are.
        const data = chunk!.data.length >= 4 ? chunk!.data.slice() : new Uint8Array(4)
        const offset = rng.chance(0.5) ? 0 : rng.int(data.length - 3)
        new DataView(data.buffer).setUint32(offset, rng.pick([0xffffffff, 0x7fffffff, 0x80000000, 0x00ffffff, 0, rng.u32()]))
        chunk!.data = data
      }
      fc.ops.push(`size(${at},${kind},${chunk!.data.length})`)
      break
    }
    case 'drop':
      chunks.splice(at, 1)
      fc.ops.push(`drop(${at})`)
      break
    case 'duplicate':
      chunks.splice(at, 0, { ...chunk! })
      fc.ops.push(`duplicate(${at})`)
      break
    case 'swap': {
      const other = rng.int(chunks.length)
      ;[chunks[at], chunks[other]] = [chunks[other], chunks[at]]
      fc.ops.push(`swap(${at},${other})`)
      break
    }
    case 'cut':
      chunks.length = at + 1
      fc.ops.push(`cut(${at + 1})`)
      break
    case 'reset':
      fc.resetAt = at
      fc.ops.push(`reset(${at})`)
      break
    case 'description': {
      const original = target.config.description as Uint8Array | undefined
      const kind = rng.int(4)
      let description: Uint8Array | undefined
      if (kind === 0) description = undefined
      else if (kind === 1) description = original ? original.slice(0, rng.int(original.length)) : rng.bytes(rng.int(64))
      else if (kind === 2) description = rng.bytes(rng.int(128))
      else {
        description = (original ?? rng.bytes(32)).slice()
        for (let i = 0, n = 1 + rng.int(8); i < n && description.length > 0; i++) description[rng.int(description.length)] ^= 1 << rng.int(8)
      }
      fc.config = { ...fc.config, description }
      fc.configMutated = true
      fc.ops.push(`description(${kind},${description?.length})`)
      break
    }
    case 'config': {
      if (target.kind === 'video') {
        const codedWidth = rng.pick(CODED_SIZES)
        const codedHeight = rng.pick(CODED_SIZES)
        const extra = rng.chance(0.5) ? { displayAspectWidth: rng.pick(CODED_SIZES), displayAspectHeight: rng.pick(CODED_SIZES) } : {}
        fc.config = { ...fc.config, codedWidth, codedHeight, ...extra }
        fc.ops.push(`config(${codedWidth}x${codedHeight})`)
      } else {
        const sampleRate = rng.chance(0.5) ? rng.pick(SAMPLE_RATES) : (fc.config as AudioDecoderConfig).sampleRate
        const numberOfChannels = rng.chance(0.5) ? rng.pick(CHANNELS) : (fc.config as AudioDecoderConfig).numberOfChannels
        fc.config = { ...fc.config, sampleRate, numberOfChannels }
        fc.ops.push(`config(${sampleRate},${numberOfChannels})`)
      }
      fc.configMutated = true
      break
    }
  }
}

const OPS = [
  ...Array<string>(4).fill('flip'),
  ...Array<string>(2).fill('truncate'),
  ...Array<string>(2).fill('random-span'),
  'random-chunk',
  'insert-random',
  ...Array<string>(2).fill('type'),
  ...Array<string>(2).fill('timestamp'),
  'duration',
  ...Array<string>(2).fill('size'),
  'drop',
  'duplicate',
  'swap',
  'cut',
  'reset',
  'description',
  'config',
] as const

/** WebIDL [EnforceRange] for `long long` / `unsigned long long`: finite, and in range once truncated. */
function enforceRange(value: number, low: number): boolean {
  if (!Number.isFinite(value)) return false
  const n = Math.trunc(value)
  return n >= low && n <= MAX_SAFE
}

/** Whether `EncodedVideoChunkInit`/`EncodedAudioChunkInit` accepts the chunk (else TypeError). */
export function chunkInitValid(c: CaseChunk): boolean {
  return (c.type === 'key' || c.type === 'delta') && enforceRange(c.timestamp, -MAX_SAFE) && (c.duration === undefined || enforceRange(c.duration, 0))
}

export type Outcome = 'ok' | 'EncodingError' | 'NotSupportedError'

export interface CaseResult {
  outcome: Outcome
  /** Synchronous spec errors seen: TypeError from chunk constructors, DataError from decode(). */
  typeErrors: number
  dataErrors: number
  outputs: number
  failures: string[]
  /** The flush never settled: the decoder may be wedged, so the run must stop. */
  hung: boolean
}

type AnyDecoder = VideoDecoder | AudioDecoder

interface Sink {
  outputs: number
  errors: DOMException[]
  pending: Promise<void>[]
  inspect: boolean
  settled: boolean
  /** Injected fault: keep this case's outputs open. */
  leak: boolean
  failures: string[]
  onError?: () => void
}

export interface FuzzOptions {
  /** Milliseconds a flush or error callback may take before the case counts as a hang. */
  watchdogMs: number
  /** For testing the harness itself: break the rules at this case index. */
  inject?: { kind: 'leak' | 'hang' | 'crash' | 'wrong-error'; at: number }
}

/** Runs cases of one target one after another, on fresh or reused decoders. */
export class Fuzzer {
  private decoder: AnyDecoder | undefined
  /** Whether `decoder` is configured with the target's own config (so it may be reused as is). */
  private baseConfigured = false
  private sink: Sink | undefined
  private readonly late: string[] = []
  private readonly baseline: Counters

  constructor(
    private readonly target: Target,
    private readonly options: FuzzOptions,
  ) {
    this.baseline = getCounters()
  }

  private newDecoder(): AnyDecoder {
    const output = (out: VideoFrame | AudioData) => this.deliver(out)
    const error = (e: DOMException) => {
      const sink = this.sink
      if (!sink || sink.settled) this.late.push(`error callback after its case settled: ${e.name}`)
      else {
        sink.errors.push(e)
        sink.onError?.()
      }
    }
    return this.target.kind === 'video' ? new VideoDecoder({ output, error }) : new AudioDecoder({ output, error })
  }

  private deliver(out: VideoFrame | AudioData): void {
    const sink = this.sink
    if (!sink || sink.settled) {
      this.late.push('output after its case settled')
      out.close()
      return
    }
    sink.outputs++
    if (sink.leak) return
    if (sink.inspect) sink.pending.push(inspect(out, sink.failures))
    else out.close()
  }

  async run(fc: FuzzCase): Promise<CaseResult> {
    const { target } = this
    const inject = this.options.inject?.at === fc.index ? this.options.inject.kind : undefined
    if (inject === 'crash') process.kill(process.pid, 'SIGSEGV')
    const sink: Sink = { outputs: 0, errors: [], pending: [], inspect: fc.inspect, settled: false, leak: inject === 'leak', failures: [] }
    const result: CaseResult = { outcome: 'ok', typeErrors: 0, dataErrors: 0, outputs: 0, failures: sink.failures, hung: false }
    const fail = (m: string) => sink.failures.push(m)
    sink.failures.push(...this.late.splice(0))
    this.sink = sink

    let decoder = fc.reuse && this.decoder?.state === 'configured' ? this.decoder : undefined
    if (!decoder) {
      if (this.decoder?.state !== 'closed') this.decoder?.close()
      decoder = this.decoder = this.newDecoder()
      this.baseConfigured = false
    }
    if (!(this.baseConfigured && !fc.configMutated)) {
      try {
        decoder.configure(fc.config as VideoDecoderConfig & AudioDecoderConfig)
      } catch (e) {
        fail(`configure threw ${describe(e)}`)
        return this.finish(decoder, sink, result)
      }
    }
    this.baseConfigured = !fc.configMutated

    let keyRequired = true
    fc.chunks.forEach((c, i) => {
      if (i === fc.resetAt) {
        decoder.reset()
        decoder.configure(fc.config as VideoDecoderConfig & AudioDecoderConfig)
        keyRequired = true
      }
      const valid = chunkInitValid(c)
      let chunk: EncodedVideoChunk | EncodedAudioChunk
      try {
        // A transferred buffer is read by the codec's thread in place, a copied one is not.
        const data = fc.transfer ? c.data.slice() : c.data
        const init = { type: c.type as 'key', timestamp: c.timestamp, duration: c.duration, data, transfer: fc.transfer ? [data.buffer as ArrayBuffer] : undefined }
        chunk = target.kind === 'video' ? new EncodedVideoChunk(init) : new EncodedAudioChunk(init)
      } catch (e) {
        if (!valid && errorName(e) === 'TypeError') result.typeErrors++
        else fail(`chunk ${i} constructor threw ${describe(e)} for ${JSON.stringify({ type: c.type, timestamp: c.timestamp, duration: c.duration })}`)
        return
      }
      if (!valid) fail(`chunk ${i} constructor accepted ${JSON.stringify({ type: c.type, timestamp: String(c.timestamp), duration: String(c.duration) })}`)
      const dataError = keyRequired && c.type !== 'key'
      try {
        ;(decoder.decode as (chunk: EncodedVideoChunk | EncodedAudioChunk) => void)(chunk)
        if (dataError) fail(`decode accepted delta chunk ${i} where a key chunk is required`)
        if (c.type === 'key') keyRequired = false
      } catch (e) {
        if (dataError && errorName(e) === 'DataError') result.dataErrors++
        else fail(`decode of chunk ${i} threw ${describe(e)}`)
      }
    })

    const errorSeen = new Promise<void>((resolve) => (sink.onError = resolve))
    const flushed = inject === 'hang' ? new Promise<void>(() => {}) : decoder.flush()
    const settled = await within(flushed, this.options.watchdogMs)
    if (settled.state === 'timeout') {
      fail(`flush did not settle within ${this.options.watchdogMs} ms (state ${decoder.state}, decodeQueueSize ${decoder.decodeQueueSize}, ${sink.outputs} outputs, counters ${JSON.stringify(getCounters())})`)
      result.hung = true
      return result
    }
    if (settled.state === 'rejected') {
      const name = errorName(settled.error)
      const allowed = name === 'EncodingError' || (fc.configMutated && name === 'NotSupportedError')
      if (!allowed) fail(`flush rejected with ${describe(settled.error)}`)
      else result.outcome = name as Outcome
      if (sink.errors.length === 0 && (await within(errorSeen, this.options.watchdogMs)).state === 'timeout') {
        fail(`flush rejected with ${name} but the error callback never ran`)
      }
      if (sink.errors.length !== 1) fail(`error callback ran ${sink.errors.length} times`)
      else if (sink.errors[0].name !== name) fail(`error callback got ${sink.errors[0].name}, flush ${name}`)
      if (sink.errors.length > 0 && !(sink.errors[0] instanceof DOMException)) fail('error callback got something other than a DOMException')
      if (decoder.state !== 'closed') fail(`state is ${decoder.state} after an error`)
      else await checkClosed(decoder, target, fail)
    } else {
      if (sink.errors.length > 0) fail(`flush resolved although the error callback got ${sink.errors[0].name}`)
      if (fc.ops.length === 0 && sink.outputs === 0) fail('an unmutated stream decoded to nothing')
    }
    if (inject === 'wrong-error') fail('injected wrong error')
    return this.finish(decoder, sink, result)
  }

  private async finish(decoder: AnyDecoder, sink: Sink, result: CaseResult): Promise<CaseResult> {
    await Promise.all(sink.pending)
    sink.settled = true
    result.outputs = sink.outputs
    if (decoder.state === 'closed') this.decoder = undefined
    const now = getCounters()
    const live = this.decoder ? 1 : 0
    const expected: Counters = {
      ...this.baseline,
      videoDecoders: this.baseline.videoDecoders + (this.target.kind === 'video' ? live : 0),
      audioDecoders: this.baseline.audioDecoders + (this.target.kind === 'audio' ? live : 0),
    }
    for (const key of Object.keys(expected) as (keyof Counters)[]) {
      if (now[key] !== expected[key]) sink.failures.push(`getCounters().${key} is ${now[key]}, expected ${expected[key]}`)
    }
    return result
  }

  /** Closes the decoder a case left open; the counters must then be at their baseline. */
  close(): string[] {
    if (this.decoder?.state !== 'closed') this.decoder?.close()
    this.decoder = undefined
    const failures = this.late.splice(0)
    const now = getCounters()
    for (const key of Object.keys(this.baseline) as (keyof Counters)[]) {
      if (now[key] !== this.baseline[key]) failures.push(`after the run getCounters().${key} is ${now[key]}, expected ${this.baseline[key]}`)
    }
    return failures
  }
}

/** Reads an output the way an application would (allocationSize, copyTo), then closes it. */
async function inspect(out: VideoFrame | AudioData, failures: string[]): Promise<void> {
  try {
    if ('codedWidth' in out) {
      const size = out.allocationSize()
      if (!(size > 0)) failures.push(`decoded frame has allocationSize ${size}`)
      const layout = await out.copyTo(new Uint8Array(size))
      if (layout.length === 0) failures.push('copyTo of a decoded frame gave no planes')
    } else {
      const size = out.allocationSize({ planeIndex: 0 })
      if (!(size > 0)) failures.push(`decoded audio has allocationSize ${size}`)
      out.copyTo(new Uint8Array(size), { planeIndex: 0 })
    }
  } catch (e) {
    failures.push(`reading an output threw ${describe(e)}`)
  } finally {
    out.close()
  }
}

/** A codec closed by an error throws InvalidStateError from decode() and rejects flush() with it. */
async function checkClosed(decoder: AnyDecoder, target: Target, fail: (m: string) => void): Promise<void> {
  const init = { type: 'key' as const, timestamp: 0, data: new Uint8Array(8) }
  try {
    if (decoder instanceof VideoDecoder) decoder.decode(new EncodedVideoChunk(init))
    else decoder.decode(new EncodedAudioChunk(init))
    fail(`decode() on the ${target.kind} decoder closed by an error did not throw`)
  } catch (e) {
    if (errorName(e) !== 'InvalidStateError') fail(`decode() after an error threw ${describe(e)}`)
  }
  const flushed = await within(decoder.flush(), 5000)
  if (flushed.state !== 'rejected' || errorName(flushed.error) !== 'InvalidStateError') fail(`flush() after an error: ${flushed.state}`)
}

type Settled = { state: 'resolved' } | { state: 'rejected'; error: unknown } | { state: 'timeout' }

async function within(promise: Promise<unknown>, ms: number): Promise<Settled> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<Settled>((resolve) => (timer = setTimeout(() => resolve({ state: 'timeout' }), ms)))
  try {
    return await Promise.race([
      promise.then(
        (): Settled => ({ state: 'resolved' }),
        (error: unknown): Settled => ({ state: 'rejected', error }),
      ),
      timeout,
    ])
  } finally {
    clearTimeout(timer)
  }
}

function errorName(e: unknown): string {
  return e instanceof Error || e instanceof DOMException ? e.name : typeof e
}

function describe(e: unknown): string {
  return e instanceof Error || e instanceof DOMException ? `${e.name}: ${e.message}` : String(e)
}

export interface Summary {
  target: string
  cases: number
  ok: number
  encodingErrors: number
  notSupported: number
  typeErrors: number
  dataErrors: number
  outputs: number
  failures: { index: number; ops: string[]; messages: string[] }[]
  ms: number
}

export interface RunOptions extends FuzzOptions {
  seed: number
  from: number
  cases: number
  /** Called before each case, so a crash can be pinned on the case that caused it. */
  onCase?: (index: number) => void
  onFailure?: (failure: Summary['failures'][number]) => void
}

/** Fuzzes one decoder for `cases` cases from index `from`; stops early only on a hang. */
export async function fuzzTarget(target: Target, options: RunOptions): Promise<Summary> {
  const started = performance.now()
  const summary: Summary = { target: target.name, cases: 0, ok: 0, encodingErrors: 0, notSupported: 0, typeErrors: 0, dataErrors: 0, outputs: 0, failures: [], ms: 0 }
  const fuzzer = new Fuzzer(target, options)
  const report = (index: number, ops: string[], messages: string[]) => {
    const failure = { index, ops, messages }
    summary.failures.push(failure)
    options.onFailure?.(failure)
  }
  for (let index = options.from; index < options.from + options.cases; index++) {
    options.onCase?.(index)
    const fc = makeCase(target, options.seed, index)
    const result = await fuzzer.run(fc)
    summary.cases++
    summary.typeErrors += result.typeErrors
    summary.dataErrors += result.dataErrors
    summary.outputs += result.outputs
    if (result.outcome === 'ok') summary.ok++
    else if (result.outcome === 'EncodingError') summary.encodingErrors++
    else summary.notSupported++
    if (result.failures.length > 0) report(index, fc.ops, result.failures)
    if (result.hung) break
  }
  const closing = fuzzer.close()
  if (closing.length > 0) report(-1, [], closing)
  summary.ms = Math.round(performance.now() - started)
  return summary
}

export type { SeedChunk }
