// Property-based tests of every init and config dictionary: for arbitrary, often hostile
// values, a call either succeeds with a result that matches a model of the spec written
// here, or fails with exactly the error the spec names. The models follow
// https://w3c.github.io/webcodecs/ ("valid VideoFrameBufferInit", "Parse Visible Rect",
// "Verify Rect Offset Alignment", "Compute Layout and Allocation Size", "Parse
// VideoFrameCopyToOptions", "valid AudioDataInit", "Compute Copy Element Count", the
// codec config validity checks) and WebIDL's [EnforceRange] conversions.
import fc from 'fast-check'
import { afterAll, describe, expect, it } from 'vitest'

import {
  AudioData,
  AudioDecoder,
  AudioEncoder,
  EncodedAudioChunk,
  EncodedVideoChunk,
  VideoDecoder,
  VideoEncoder,
  VideoFrame,
  type AudioSampleFormat,
  type VideoPixelFormat,
} from '../index.js'
import { assertNoLeaks } from './helpers/leak-check.js'

afterAll(() => assertNoLeaks())

const RUNS = Number(process.env.PROPERTY_RUNS ?? 1000)
// A run may not take long, nor may shrinking a failure (it is then reported unshrunk).
// Each run draws a new seed, printed with any failure; PROPERTY_SEED replays one.
const PROPERTY_OPTIONS = {
  numRuns: RUNS,
  seed: process.env.PROPERTY_SEED === undefined ? undefined : Number(process.env.PROPERTY_SEED),
  timeout: 5000,
  interruptAfterTimeLimit: 15_000,
  markInterruptAsFailure: true,
}

// ---------------------------------------------------------------------------------------
// Outcomes

type Outcome<T> = { ok: true; value: T } | { ok: false; name: string; error: unknown }

function attempt<T>(fn: () => T): Outcome<T> {
  try {
    return { ok: true, value: fn() }
  } catch (error) {
    return { ok: false, name: errorName(error), error }
  }
}

async function attemptAsync<T>(fn: () => Promise<T>): Promise<Outcome<T>> {
  let promise: Promise<T>
  try {
    promise = fn()
  } catch (error) {
    // A promise-returning operation reports every failure, argument conversion
    // included, as a rejection (WebIDL); a synchronous throw is a failure of its own.
    return { ok: false, name: `synchronous ${errorName(error)}`, error }
  }
  try {
    return { ok: true, value: await promise }
  } catch (error) {
    return { ok: false, name: errorName(error), error }
  }
}

function errorName(e: unknown): string {
  if (e instanceof DOMException) return e.name
  if (e instanceof TypeError) return 'TypeError'
  if (e instanceof RangeError) return 'RangeError'
  return `not a spec error: ${String(e)}`
}

/** Fails unless `got` is a failure with exactly `name`. */
function expectError(got: Outcome<unknown>, name: string, what: string): void {
  if (got.ok) expect.fail(`${what}: succeeded, expected ${name}`)
  expect(got.name, `${what}: ${String(got.error)}`).toBe(name)
}

/** Byte-for-byte equality, reporting the first difference (a full diff of large buffers is far too slow). */
function expectBytes(actual: Uint8Array, expected: Uint8Array, what: string): void {
  if (actual.length !== expected.length) expect.fail(`${what}: ${actual.length} bytes, expected ${expected.length}`)
  const at = actual.findIndex((b, i) => b !== expected[i])
  if (at >= 0) expect.fail(`${what}: byte ${at} is ${actual[at]}, expected ${expected[at]} (of ${actual.length})`)
}

function expectOk<T>(got: Outcome<T>, what: string): T {
  if (!got.ok) expect.fail(`${what}: threw ${got.name} (${String(got.error)}), expected success`)
  return got.value
}

/**
 * Counts how often the model expected success and each error, so a generator that
 * drifts into only one of them (a property that can no longer fail) is caught.
 */
function tally(min = RUNS / 10): { count(model: unknown): void; check(): void } {
  const counts = new Map<string, number>()
  return {
    count(model) {
      const key = typeof model === 'string' ? model : 'success'
      counts.set(key, (counts.get(key) ?? 0) + 1)
    },
    check() {
      expect(counts.get('success') ?? 0, JSON.stringify([...counts])).toBeGreaterThanOrEqual(min)
      const errors = [...counts].filter(([k]) => k !== 'success').reduce((n, [, v]) => n + v, 0)
      expect(errors, JSON.stringify([...counts])).toBeGreaterThanOrEqual(min)
    },
  }
}

// ---------------------------------------------------------------------------------------
// WebIDL conversions

const MAX_SAFE = Number.MAX_SAFE_INTEGER
const U32_MAX = 2 ** 32 - 1

/** WebIDL's ToNumber: what JavaScript's Number() gives, undefined where it throws (Symbol, BigInt). */
function toNumber(v: unknown): number | undefined {
  return typeof v === 'symbol' || typeof v === 'bigint' ? undefined : Number(v)
}

/** The value [EnforceRange] gives for `v` in [low, high], or undefined when it throws TypeError. */
function enforceRange(raw: unknown, low: number, high: number): number | undefined {
  const v = toNumber(raw)
  if (v === undefined || !Number.isFinite(v)) return undefined
  const n = Math.trunc(v)
  return n < low || n > high ? undefined : n === 0 ? 0 : n
}

const enforceU32 = (v: unknown) => enforceRange(v, 0, U32_MAX)
const enforceI64 = (v: unknown) => enforceRange(v, -MAX_SAFE, MAX_SAFE)
const enforceU64 = (v: unknown) => enforceRange(v, 0, MAX_SAFE)

/**
 * Numbers a hostile caller might pass, and values of other types whose WebIDL
 * conversion also fails (ToNumber of an object or 'abc' is NaN; of a Symbol or BigInt,
 * a TypeError).
 */
const anyNumber = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: -4, max: 40 }) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(NaN, Infinity, -Infinity, -0, 0.5, 1.5, -1, 2 ** 31, U32_MAX, 2 ** 32, MAX_SAFE, 2 ** 53, -(2 ** 53), 1e300),
  },
  { weight: 1, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.constantFrom<unknown>('abc', {}, Symbol('s'), 10n, '12', ' 7 ', true, false, null, [3], { valueOf: () => 5 }) },
)

/** A member that may be left out (undefined is the same as absent in WebIDL). */
function maybe<T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> {
  return fc.option(arb, { nil: undefined, freq: 3 })
}

// ---------------------------------------------------------------------------------------
// Pixel formats and the layout algorithm

interface Plane {
  bytes: number
  sw: number
  sh: number
}

function yuv(bytes: number, sw: number, sh: number, alpha: boolean): Plane[] {
  const planes = [{ bytes, sw: 1, sh: 1 }, { bytes, sw, sh }, { bytes, sw, sh }]
  return alpha ? [...planes, { bytes, sw: 1, sh: 1 }] : planes
}

const FORMATS: Record<VideoPixelFormat, Plane[]> = {
  I420: yuv(1, 2, 2, false),
  I420P10: yuv(2, 2, 2, false),
  I420P12: yuv(2, 2, 2, false),
  I420A: yuv(1, 2, 2, true),
  I420AP10: yuv(2, 2, 2, true),
  I420AP12: yuv(2, 2, 2, true),
  I422: yuv(1, 2, 1, false),
  I422P10: yuv(2, 2, 1, false),
  I422P12: yuv(2, 2, 1, false),
  I422A: yuv(1, 2, 1, true),
  I422AP10: yuv(2, 2, 1, true),
  I422AP12: yuv(2, 2, 1, true),
  I444: yuv(1, 1, 1, false),
  I444P10: yuv(2, 1, 1, false),
  I444P12: yuv(2, 1, 1, false),
  I444A: yuv(1, 1, 1, true),
  I444AP10: yuv(2, 1, 1, true),
  I444AP12: yuv(2, 1, 1, true),
  NV12: [{ bytes: 1, sw: 1, sh: 1 }, { bytes: 2, sw: 2, sh: 2 }],
  RGBA: [{ bytes: 4, sw: 1, sh: 1 }],
  RGBX: [{ bytes: 4, sw: 1, sh: 1 }],
  BGRA: [{ bytes: 4, sw: 1, sh: 1 }],
  BGRX: [{ bytes: 4, sw: 1, sh: 1 }],
}
const FORMAT_NAMES = Object.keys(FORMATS) as VideoPixelFormat[]
const RGB_FORMATS: VideoPixelFormat[] = ['RGBA', 'RGBX', 'BGRA', 'BGRX']

interface Rect {
  x: number
  y: number
  width: number
  height: number
}

interface ComputedPlane {
  top: number
  height: number
  leftBytes: number
  widthBytes: number
  offset: number
  stride: number
}

/**
 * "Compute Layout and Allocation Size". One deliberate difference: a plane's row is
 * ceil(width / sampleWidth) samples, not the spec text's integer division, so that an
 * odd-width 4:2:0 frame keeps its last chroma column (as its height already does, and
 * as implementations do).
 */
function computeLayout(format: VideoPixelFormat, rect: Rect, layout?: { offset: number; stride: number }[]): { planes: ComputedPlane[]; size: number } | 'TypeError' {
  const planes = FORMATS[format]
  if (layout && layout.length !== planes.length) return 'TypeError'
  const out: ComputedPlane[] = []
  let size = 0
  for (let i = 0; i < planes.length; i++) {
    const { bytes, sw, sh } = planes[i]
    const top = Math.ceil(Math.trunc(rect.y) / sh)
    const height = Math.ceil(Math.trunc(rect.height) / sh)
    const leftBytes = Math.floor(Math.trunc(rect.x) / sw) * bytes
    const widthBytes = Math.ceil(Math.trunc(rect.width) / sw) * bytes
    let offset = size
    let stride = widthBytes
    if (layout) {
      if (layout[i].stride < widthBytes) return 'TypeError'
      offset = layout[i].offset
      stride = layout[i].stride
    }
    const planeSize = stride * height
    const end = planeSize + offset
    if (planeSize > U32_MAX || end > U32_MAX) return 'TypeError'
    for (const earlier of out) {
      const earlierEnd = earlier.offset + earlier.stride * earlier.height
      if (end <= earlier.offset || earlierEnd <= offset) continue
      return 'TypeError'
    }
    size = Math.max(size, end)
    out.push({ top, height, leftBytes, widthBytes, offset, stride })
  }
  return { planes: out, size }
}

/** "Parse Visible Rect" (DOMRectInit members default to 0). */
function parseRect(override: Partial<Rect> | undefined, fallback: Rect, codedWidth: number, codedHeight: number, format: VideoPixelFormat): Rect | 'TypeError' {
  let rect = fallback
  if (override) {
    // (+ 0 turns -0 into 0: a DOMRect member is never negative zero.)
    const given = [override.x, override.y, override.width, override.height].map((v) => (v ?? 0) + 0)
    if (given.some((v) => !Number.isFinite(v) || v < 0)) return 'TypeError'
    // Members are truncated (9.6 "DOMRects in VideoFrame") before the size checks, as
    // Chromium does: the draft's text checks first, so width 0.5 would make a frame 0
    // pixels wide; here it is a TypeError.
    const [x, y, width, height] = given.map(Math.trunc)
    const r = { x, y, width, height }
    if (r.width === 0 || r.height === 0) return 'TypeError'
    if (r.x + r.width > codedWidth || r.y + r.height > codedHeight) return 'TypeError'
    rect = r
  }
  for (const { sw, sh } of FORMATS[format]) if (rect.x % sw !== 0 || rect.y % sh !== 0) return 'TypeError'
  return rect
}

/** The bytes copyTo must write: `rect` of a frame whose planes sit in `source` per `sourceLayout`. */
function referenceCopy(source: Uint8Array, sourceLayout: ComputedPlane[], target: ComputedPlane[], size: number): Uint8Array {
  const out = new Uint8Array(size)
  target.forEach((plane, i) => {
    const src = sourceLayout[i]
    for (let row = 0; row < plane.height; row++) {
      const from = src.offset + (plane.top + row) * src.stride + plane.leftBytes
      out.set(source.subarray(from, from + plane.widthBytes), plane.offset + row * plane.stride)
    }
  })
  return out
}

/** Compares only the bytes copyTo is defined to write (gaps of a custom layout are left alone). */
function definedBytes(buffer: Uint8Array, planes: ComputedPlane[]): number[] {
  const out: number[] = []
  for (const plane of planes) {
    for (let row = 0; row < plane.height; row++) {
      const start = plane.offset + row * plane.stride
      out.push(...buffer.subarray(start, start + plane.widthBytes))
    }
  }
  return out
}

const rectInit = fc.record(
  { x: maybe(fc.oneof(fc.integer({ min: 0, max: 20 }), anyNumber)), y: maybe(fc.oneof(fc.integer({ min: 0, max: 20 }), anyNumber)), width: maybe(fc.oneof(fc.integer({ min: 0, max: 20 }), anyNumber)), height: maybe(fc.oneof(fc.integer({ min: 0, max: 20 }), anyNumber)) },
  { requiredKeys: [] },
)

const layoutInit = fc.array(fc.record({ offset: fc.oneof(fc.integer({ min: 0, max: 600 }), anyNumber), stride: fc.oneof(fc.integer({ min: 0, max: 80 }), anyNumber) }), { minLength: 0, maxLength: 5 })

/** Rect members as WebIDL's `unrestricted double`s see them; undefined when conversion throws. */
function rectMembers(r: Record<string, unknown> | undefined): Partial<Rect> | undefined | 'TypeError' {
  if (r === undefined) return undefined
  const out: Partial<Rect> = {}
  for (const key of ['x', 'y', 'width', 'height'] as const) {
    const v = r[key]
    if (v === undefined) continue
    const n = toNumber(v)
    if (n === undefined) return 'TypeError'
    out[key] = n
  }
  return out
}

function layoutMembers(layout: { offset: unknown; stride: unknown }[] | undefined): { offset: number; stride: number }[] | undefined | 'TypeError' {
  if (layout === undefined) return undefined
  const out = []
  for (const p of layout) {
    const offset = enforceU32(p.offset)
    const stride = enforceU32(p.stride)
    if (offset === undefined || stride === undefined) return 'TypeError'
    out.push({ offset, stride })
  }
  return out
}

// ---------------------------------------------------------------------------------------

/** Draws a value from `arb` inside an fc.gen() property. */
function draw<T>(g: fc.GeneratorValue, arb: fc.Arbitrary<T>): T {
  return g(() => arb)
}

/** A tight or padded, possibly reordered, layout that fits `rect` of `format`. */
function validLayout(g: fc.GeneratorValue, format: VideoPixelFormat, rect: Rect): { offset: number; stride: number }[] {
  const tight = computeLayout(format, rect)
  if (tight === 'TypeError') throw new Error('unreachable')
  const order = draw(g, fc.shuffledSubarray(tight.planes.map((_, i) => i), { minLength: tight.planes.length }))
  const out: { offset: number; stride: number }[] = []
  let at = draw(g, fc.integer({ min: 0, max: 16 }))
  for (const i of order) {
    const stride = tight.planes[i].widthBytes + draw(g, fc.integer({ min: 0, max: 6 }))
    out[i] = { offset: at, stride }
    at += stride * tight.planes[i].height + draw(g, fc.integer({ min: 0, max: 8 }))
  }
  return out
}

/** A rect inside `width` x `height` whose origin is aligned for `format`. */
function validRect(g: fc.GeneratorValue, format: VideoPixelFormat, width: number, height: number): Rect {
  const ax = Math.max(...FORMATS[format].map((p) => p.sw))
  const ay = Math.max(...FORMATS[format].map((p) => p.sh))
  const x = ax * draw(g, fc.integer({ min: 0, max: Math.floor((width - 1) / ax) }))
  const y = ay * draw(g, fc.integer({ min: 0, max: Math.floor((height - 1) / ay) }))
  return { x, y, width: draw(g, fc.integer({ min: 1, max: width - x })), height: draw(g, fc.integer({ min: 1, max: height - y })) }
}

/** A hostile replacement for one rect or layout: out of bounds, misaligned, overlapping, too short. */
function breakRect(g: fc.GeneratorValue, r: Rect): Record<string, unknown> {
  const key = draw(g, fc.constantFrom('x', 'y', 'width', 'height'))
  const how = draw(g, fc.constantFrom('number', 'grow', 'missing', 'odd'))
  if (how === 'missing') {
    const { [key]: _, ...rest } = r
    return rest
  }
  if (how === 'grow') return { ...r, [key]: r[key as keyof Rect] + draw(g, fc.integer({ min: 1, max: 4 })) }
  if (how === 'odd') return { ...r, [key]: r[key as keyof Rect] + 1 }
  return { ...r, [key]: draw(g, anyNumber) }
}

function breakLayout(g: fc.GeneratorValue, layout: { offset: number; stride: number }[]): unknown[] {
  const out: unknown[] = layout.map((p) => ({ ...p }))
  const i = draw(g, fc.integer({ min: 0, max: layout.length - 1 }))
  const how = draw(g, fc.constantFrom('drop', 'extra', 'stride', 'overlap', 'offset', 'number', 'missing'))
  if (how === 'drop') out.splice(i, 1)
  else if (how === 'extra') out.push({ offset: 0, stride: 4 })
  else if (how === 'stride') out[i] = { ...layout[i], stride: Math.max(0, layout[i].stride - draw(g, fc.integer({ min: 1, max: 4 }))) }
  else if (how === 'overlap') out[i] = { ...layout[i], offset: layout[(i + 1) % layout.length].offset }
  else if (how === 'offset') out[i] = { ...layout[i], offset: draw(g, fc.constantFrom(2 ** 31, U32_MAX - 3, U32_MAX)) }
  else if (how === 'number') out[i] = { ...layout[i], [draw(g, fc.constantFrom('offset', 'stride'))]: draw(g, anyNumber) }
  else out[i] = { stride: layout[i].stride }
  return out
}

describe('VideoFrame(data, VideoFrameBufferInit)', () => {
  /** A valid init with up to two members replaced by hostile values. */
  const init = fc.gen().map((g) => {
    const format = draw(g, fc.constantFrom(...FORMAT_NAMES))
    const codedWidth = draw(g, fc.integer({ min: 1, max: 17 }))
    const codedHeight = draw(g, fc.integer({ min: 1, max: 17 }))
    const raw: Record<string, unknown> = { format, codedWidth, codedHeight, timestamp: draw(g, fc.integer({ min: -1e9, max: 1e9 })) }
    if (draw(g, fc.boolean())) raw.duration = draw(g, fc.integer({ min: 0, max: 1e9 }))
    const rect = draw(g, fc.boolean()) ? validRect(g, format, codedWidth, codedHeight) : undefined
    if (rect) raw.visibleRect = rect
    const layout = draw(g, fc.boolean()) ? validLayout(g, format, { x: 0, y: 0, width: codedWidth, height: codedHeight }) : undefined
    if (layout) raw.layout = layout
    if (draw(g, fc.boolean())) {
      raw.displayWidth = draw(g, fc.integer({ min: 1, max: 64 }))
      raw.displayHeight = draw(g, fc.integer({ min: 1, max: 64 }))
    }
    if (draw(g, fc.boolean())) raw.colorSpace = { primaries: 'bt709', fullRange: draw(g, fc.boolean()) }
    const corruptions = draw(g, fc.integer({ min: 0, max: 2 }))
    for (let k = 0; k < corruptions; k++) {
      const member = draw(g, fc.constantFrom('format', 'codedWidth', 'codedHeight', 'timestamp', 'duration', 'visibleRect', 'layout', 'displayWidth', 'displayHeight', 'colorSpace', 'huge'))
      if (member === 'format') raw.format = draw(g, fc.constantFrom<unknown>('i420', 'YUV', '', 7, undefined))
      else if (member === 'visibleRect') raw.visibleRect = breakRect(g, rect ?? { x: 0, y: 0, width: codedWidth, height: codedHeight })
      else if (member === 'layout') raw.layout = breakLayout(g, layout ?? validLayout(g, format, { x: 0, y: 0, width: codedWidth, height: codedHeight }))
      else if (member === 'colorSpace') raw.colorSpace = { primaries: 'bogus' }
      else if (member === 'huge') raw[draw(g, fc.constantFrom('codedWidth', 'codedHeight'))] = draw(g, fc.constantFrom(100_000, 1 << 20, U32_MAX))
      else raw[member] = draw(g, fc.oneof(anyNumber, fc.constant(undefined)))
    }
    return raw
  })

  it('constructs the frame the init describes, or throws TypeError', async () => {
    const seen = tally()
    await fc.assert(
      fc.asyncProperty(init, fc.integer({ min: -8, max: 24 }), fc.integer({ min: 0, max: 255 }), fc.constantFrom('none', 'none', 'data', 'other', 'duplicate', 'detached'), async (raw, slack, fill, transfer) => {
        const expected = modelBufferInit(raw)
        // The layout's size give or take a little (less is a TypeError).
        const needed = typeof expected === 'string' ? 64 : expected.size
        const data = new Uint8Array(Math.max(0, Math.min(needed + slack, 1 << 20))).map((_, i) => (i * 31 + fill) & 0xff)
        const original = data.slice()
        const other = new ArrayBuffer(4)
        if (transfer === 'detached') structuredClone(other, { transfer: [other] })
        const list = { none: undefined, data: [data.buffer], other: [other], duplicate: [data.buffer, data.buffer], detached: [other] }[transfer]
        const what = JSON.stringify(raw, jsonSafe) + ` with ${data.length} bytes, transfer ${transfer}`
        const got = attempt(() => new VideoFrame(data, { ...raw, transfer: list } as never))
        // The transfer list is checked after the init and the buffer size (DataCloneError).
        const model =
          typeof expected === 'string' ? expected : original.length < expected.size ? 'TypeError' : transfer === 'duplicate' || transfer === 'detached' ? 'DataCloneError' : expected
        seen.count(model)
        if (typeof model === 'string') {
          if (got.ok) got.value.close()
          expectError(got, model, what)
          return
        }
        const frame = expectOk(got, what)
        const target = computeLayout(raw.format as VideoPixelFormat, model.rect)
        try {
          expect(frame.format).toBe(raw.format)
          expect(frame.codedWidth).toBe(model.codedWidth)
          expect(frame.codedHeight).toBe(model.codedHeight)
          const { x, y, width, height } = frame.visibleRect!
          expect({ x, y, width, height }).toEqual(model.rect)
          expect([frame.displayWidth, frame.displayHeight]).toEqual(model.display)
          expect(frame.timestamp).toBe(model.timestamp)
          expect(frame.duration).toBe(model.duration)
          // copyTo() without options: the visible rect, tightly packed, read through the init's layout.
          if (target === 'TypeError') throw new Error('a visible rect always has a tight layout')
          expect(frame.allocationSize()).toBe(target.size)
          const out = new Uint8Array(target.size)
          await frame.copyTo(out)
          expectBytes(out, referenceCopy(original, model.planes, target.planes, target.size), what)
          // Every transferred buffer is detached (the caller's bytes moved into the frame).
          if (transfer === 'data') expect(data.buffer.byteLength, what).toBe(0)
          if (transfer === 'other') expect(other.byteLength, what).toBe(0)
        } finally {
          frame.close()
        }
      }),
      PROPERTY_OPTIONS,
    )
    seen.check()
  })
})

function jsonSafe(_key: string, v: unknown): unknown {
  if (typeof v === 'bigint') return `${v}n`
  if (typeof v === 'symbol') return v.toString()
  if (typeof v === 'number' && !Number.isFinite(v)) return String(v)
  return v
}

interface BufferModel {
  codedWidth: number
  codedHeight: number
  rect: Rect
  display: [number, number]
  timestamp: number
  duration: number | null
  planes: ComputedPlane[]
  size: number
}

/** What `new VideoFrame(data, raw)` must do with a large enough `data`. */
function modelBufferInit(raw: Record<string, unknown>): BufferModel | 'TypeError' {
  if (typeof raw.format !== 'string' || !(raw.format in FORMATS)) return 'TypeError'
  const format = raw.format as VideoPixelFormat
  const codedWidth = enforceU32(raw.codedWidth)
  const codedHeight = enforceU32(raw.codedHeight)
  const timestamp = enforceI64(raw.timestamp)
  if (codedWidth === undefined || codedHeight === undefined || timestamp === undefined) return 'TypeError'
  const duration = raw.duration === undefined ? null : enforceU64(raw.duration)
  if (duration === undefined) return 'TypeError'
  const layout = layoutMembers(raw.layout as never)
  const visible = rectMembers(raw.visibleRect as never)
  if (layout === 'TypeError' || visible === 'TypeError') return 'TypeError'
  const dw = raw.displayWidth === undefined ? null : enforceU32(raw.displayWidth)
  const dh = raw.displayHeight === undefined ? null : enforceU32(raw.displayHeight)
  if (dw === undefined || dh === undefined) return 'TypeError'
  const cs = raw.colorSpace as { primaries?: unknown } | undefined
  if (cs?.primaries !== undefined && cs.primaries !== 'bt709' && cs.primaries !== 'bt2020') return 'TypeError'
  // "valid VideoFrameBufferInit".
  if (codedWidth === 0 || codedHeight === 0) return 'TypeError'
  if ((dw === null) !== (dh === null) || dw === 0 || dh === 0) return 'TypeError'
  const rect = parseRect(visible, { x: 0, y: 0, width: codedWidth, height: codedHeight }, codedWidth, codedHeight, format)
  if (rect === 'TypeError') return 'TypeError'
  // The buffer holds the whole coded frame (implementations read it so; the spec's text
  // runs the layout over the visible rect).
  const combined = computeLayout(format, { x: 0, y: 0, width: codedWidth, height: codedHeight }, layout)
  if (combined === 'TypeError') return 'TypeError'
  return {
    codedWidth,
    codedHeight,
    rect,
    display: dw === null ? [rect.width, rect.height] : [dw, dh!],
    timestamp,
    duration,
    planes: combined.planes,
    size: combined.size,
  }
}

// ---------------------------------------------------------------------------------------

/** A frame of `format` from a tightly packed buffer of known bytes, with its planes' layout. */
function sourceFrame(g: fc.GeneratorValue): { frame: VideoFrame; data: Uint8Array; planes: ComputedPlane[]; format: VideoPixelFormat; codedWidth: number; codedHeight: number; visible: Rect } {
  const format = draw(g, fc.constantFrom(...FORMAT_NAMES))
  const codedWidth = draw(g, fc.integer({ min: 1, max: 16 }))
  const codedHeight = draw(g, fc.integer({ min: 1, max: 16 }))
  const tight = computeLayout(format, { x: 0, y: 0, width: codedWidth, height: codedHeight })
  if (tight === 'TypeError') throw new Error('unreachable')
  const seed = draw(g, fc.integer({ min: 0, max: 255 }))
  const data = new Uint8Array(tight.size).map((_, i) => (i * 13 + seed) & 0xff)
  const visible = draw(g, fc.boolean()) ? validRect(g, format, codedWidth, codedHeight) : { x: 0, y: 0, width: codedWidth, height: codedHeight }
  const frame = new VideoFrame(data, { format, codedWidth, codedHeight, timestamp: 1000, duration: 40, visibleRect: visible })
  return { frame, data, planes: tight.planes, format, codedWidth, codedHeight, visible }
}

describe('VideoFrame.allocationSize() and copyTo() with VideoFrameCopyToOptions', () => {
  it('copy the rect the options describe into the layout they describe, or fail with the spec error', async () => {
    const seen = tally()
    await fc.assert(
      fc.asyncProperty(fc.gen(), async (g) => {
        const src = sourceFrame(g)
        try {
          const options: Record<string, unknown> = {}
          const pick = draw(g, fc.constantFrom('none', 'rect', 'bad-rect'))
          const rect = validRect(g, src.format, src.codedWidth, src.codedHeight)
          if (pick === 'rect') options.rect = rect
          if (pick === 'bad-rect') options.rect = breakRect(g, rect)
          const formatPick = draw(g, fc.constantFrom('none', 'none', 'rgb', 'same', 'other', 'bogus'))
          if (formatPick === 'rgb') options.format = draw(g, fc.constantFrom(...RGB_FORMATS))
          if (formatPick === 'same') options.format = src.format
          if (formatPick === 'other') options.format = draw(g, fc.constantFrom(...FORMAT_NAMES.filter((f) => !RGB_FORMATS.includes(f))))
          if (formatPick === 'bogus') options.format = 'yuv420p'
          if (draw(g, fc.integer({ min: 0, max: 4 })) === 0) options.colorSpace = draw(g, fc.constantFrom('srgb', 'display-p3', 'rec2020'))
          const destFormat = (options.format as VideoPixelFormat | undefined) ?? src.format
          const layoutPick = draw(g, fc.constantFrom('none', 'valid', 'bad'))
          if (layoutPick !== 'none' && destFormat in FORMATS) {
            const r = pick === 'rect' ? rect : src.visible
            const layout = validLayout(g, destFormat, r)
            options.layout = layoutPick === 'valid' ? layout : breakLayout(g, layout)
          }
          const model = modelCopyTo(src, options)
          seen.count(model)
          const what = `${src.format} ${src.codedWidth}x${src.codedHeight} visible ${JSON.stringify(src.visible)}, options ${JSON.stringify(options, jsonSafe)}`
          const size = attempt(() => src.frame.allocationSize(options as never))
          const slack = draw(g, fc.constantFrom(0, 0, 3, -1))
          // A layout may place a plane near 4 GiB: then only a short destination is tried.
          const wanted = typeof model === 'string' ? 64 : model.size > 1 << 26 ? 16 : model.size
          const destination = new Uint8Array(Math.max(0, wanted + slack))
          const copied = await attemptAsync(() => src.frame.copyTo(destination, options as never))
          if (typeof model === 'string') {
            expectError(size, model, `allocationSize: ${what}`)
            expectError(copied, model, `copyTo: ${what}`)
            return
          }
          expect(expectOk(size, `allocationSize: ${what}`)).toBe(model.size)
          if (destination.length < model.size) {
            expectError(copied, 'TypeError', `copyTo into ${destination.length} bytes: ${what}`)
            return
          }
          const layout = expectOk(copied, `copyTo: ${what}`)
          expect(layout.map((p) => [p.offset, p.stride]), what).toEqual(model.planes.map((p) => [p.offset, p.stride]))
          // Into 'display-p3' an RGB frame (sRGB here) is converted, not copied: colour.spec.ts checks those values.
          const converted = RGB_FORMATS.includes(destFormat) && options.colorSpace === 'display-p3'
          if (!RGB_FORMATS.includes(destFormat) || (destFormat === src.format && !converted)) {
            const expected = referenceCopy(src.data, src.planes, model.planes, model.size)
            expect(definedBytes(destination, model.planes), what).toEqual(definedBytes(expected, model.planes))
          }
        } finally {
          src.frame.close()
        }
      }),
      PROPERTY_OPTIONS,
    )
    seen.check()
  })
})

/** "Parse VideoFrameCopyToOptions" for a frame made by sourceFrame(). */
function modelCopyTo(src: ReturnType<typeof sourceFrame>, options: Record<string, unknown>): { planes: ComputedPlane[]; size: number } | string {
  if (options.format !== undefined && !(String(options.format) in FORMATS)) return 'TypeError'
  if (options.colorSpace !== undefined && options.colorSpace !== 'srgb' && options.colorSpace !== 'display-p3') return 'TypeError'
  const override = rectMembers(options.rect as never)
  const layout = layoutMembers(options.layout as never)
  if (override === 'TypeError' || layout === 'TypeError') return 'TypeError'
  const rect = parseRect(override, src.visible, src.codedWidth, src.codedHeight, src.format)
  if (rect === 'TypeError') return 'TypeError'
  const format = (options.format as VideoPixelFormat | undefined) ?? src.format
  // Only conversion to RGB is defined; a copy in the frame's own format is the copy
  // without conversion (every implementation accepts it, though the spec's text
  // names only the RGB formats).
  if (format !== src.format && !RGB_FORMATS.includes(format)) return 'NotSupportedError'
  return computeLayout(format, RGB_FORMATS.includes(format) && format !== src.format ? { x: 0, y: 0, width: rect.width, height: rect.height } : rect, layout)
}

// ---------------------------------------------------------------------------------------

/** WebIDL `long long` / `unsigned long long` without [EnforceRange], for the safe-integer range we generate. */
function plainInteger(v: number): number {
  return Number.isFinite(v) ? Math.trunc(v) + 0 : 0
}

const OPAQUE: Partial<Record<VideoPixelFormat, VideoPixelFormat>> = {
  I420A: 'I420',
  I420AP10: 'I420P10',
  I420AP12: 'I420P12',
  I422A: 'I422',
  I422AP10: 'I422P10',
  I422AP12: 'I422P12',
  I444A: 'I444',
  I444AP10: 'I444P10',
  I444AP12: 'I444P12',
  RGBA: 'RGBX',
  BGRA: 'BGRX',
}

describe('VideoFrame(frame, VideoFrameInit)', () => {
  it('overrides what the init gives, or throws TypeError ("Validate VideoFrameInit")', async () => {
    const seen = tally()
    await fc.assert(
      fc.asyncProperty(fc.gen(), async (g) => {
        const src = sourceFrame(g)
        const init: Record<string, unknown> = {}
        const timeValue = fc.oneof(fc.integer({ min: -1e12, max: 1e12 }), fc.constantFrom(NaN, Infinity, -Infinity, -0, 0.5, -0.5))
        if (draw(g, fc.boolean())) init.timestamp = draw(g, timeValue)
        if (draw(g, fc.boolean())) init.duration = draw(g, fc.oneof(fc.integer({ min: 0, max: 1e12 }), fc.constantFrom(NaN, Infinity, 0.5)))
        if (draw(g, fc.integer({ min: 0, max: 3 })) === 0) init.alpha = draw(g, fc.constantFrom('keep', 'discard', 'drop'))
        const rectPick = draw(g, fc.constantFrom('none', 'valid', 'bad'))
        const rect = validRect(g, src.format, src.codedWidth, src.codedHeight)
        if (rectPick === 'valid') init.visibleRect = rect
        if (rectPick === 'bad') init.visibleRect = breakRect(g, rect)
        const displayPick = draw(g, fc.constantFrom('none', 'valid', 'one', 'hostile'))
        if (displayPick === 'valid') Object.assign(init, { displayWidth: draw(g, fc.integer({ min: 1, max: 99 })), displayHeight: draw(g, fc.integer({ min: 1, max: 99 })) })
        if (displayPick === 'one') init.displayWidth = 5
        if (displayPick === 'hostile') Object.assign(init, { displayWidth: draw(g, anyNumber), displayHeight: draw(g, fc.integer({ min: 1, max: 99 })) })

        // The model.
        let expected: string | { format: VideoPixelFormat; rect: Rect; display: [number, number]; timestamp: number; duration: number } = 'TypeError'
        const alphaOk = init.alpha === undefined || init.alpha === 'keep' || init.alpha === 'discard'
        const format = init.alpha === 'discard' ? (OPAQUE[src.format] ?? src.format) : src.format
        const override = rectMembers(init.visibleRect as never)
        const dw = init.displayWidth === undefined ? null : enforceU32(init.displayWidth)
        const dh = init.displayHeight === undefined ? null : enforceU32(init.displayHeight)
        if (alphaOk && override !== 'TypeError' && dw !== undefined && dh !== undefined && (dw === null) === (dh === null) && dw !== 0 && dh !== 0) {
          const parsed = parseRect(override, src.visible, src.codedWidth, src.codedHeight, format)
          if (parsed !== 'TypeError') {
            // Without a display size, a new visible rect keeps the source's pixel aspect (1:1 here).
            const display: [number, number] = dw !== null ? [dw, dh!] : [parsed.width, parsed.height]
            expected = {
              format,
              rect: parsed,
              display,
              timestamp: init.timestamp === undefined ? 1000 : plainInteger(init.timestamp as number),
              duration: init.duration === undefined ? 40 : plainInteger(init.duration as number),
            }
          }
        }
        seen.count(expected)
        const what = `${src.format} ${src.codedWidth}x${src.codedHeight} visible ${JSON.stringify(src.visible)}, init ${JSON.stringify(init, jsonSafe)}`
        const got = attempt(() => new VideoFrame(src.frame, init as never))
        try {
          if (typeof expected === 'string') return expectError(got, expected, what)
          const frame = expectOk(got, what)
          const { x, y, width, height } = frame.visibleRect!
          expect({ format: frame.format, rect: { x, y, width, height }, display: [frame.displayWidth, frame.displayHeight], timestamp: frame.timestamp, duration: frame.duration }, what).toEqual(expected)
        } finally {
          if (got.ok) got.value.close()
          src.frame.close()
        }
      }),
      PROPERTY_OPTIONS,
    )
    seen.check()
  })
})

// ---------------------------------------------------------------------------------------

const SAMPLE_FORMATS: AudioSampleFormat[] = ['u8', 's16', 's32', 'f32', 'u8-planar', 's16-planar', 's32-planar', 'f32-planar']
const BYTES: Record<string, number> = { u8: 1, s16: 2, s32: 4, f32: 4 }
const bytesPerSample = (f: AudioSampleFormat) => BYTES[f.replace('-planar', '')]
const planar = (f: AudioSampleFormat) => f.endsWith('-planar')

/** WebIDL `float`: finite, and finite once rounded to single precision. */
function webidlFloat(raw: unknown): number | undefined {
  const v = toNumber(raw)
  if (v === undefined || !Number.isFinite(v)) return undefined
  const f = Math.fround(v)
  return Number.isFinite(f) ? f : undefined
}

/** Sample `i` of a buffer as a float in [-1, 1). */
function sampleValue(view: DataView, format: AudioSampleFormat, i: number): number {
  const base = format.replace('-planar', '')
  if (base === 'u8') return (view.getUint8(i) - 128) / 128
  if (base === 's16') return view.getInt16(2 * i, true) / 32768
  if (base === 's32') return view.getInt32(4 * i, true) / 2 ** 31
  return view.getFloat32(4 * i, true)
}

function audioBytes(format: AudioSampleFormat, frames: number, channels: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(frames * channels * bytesPerSample(format)).map((_, i) => (i * 29 + seed) & 0xff)
  if (format.startsWith('f32')) {
    // Finite floats in [-1, 1], so conversions have defined results.
    const floats = new Float32Array(bytes.buffer)
    for (let i = 0; i < floats.length; i++) floats[i] = ((i * 37 + seed) % 200) / 100 - 1
  }
  return bytes
}

describe('AudioData(AudioDataInit)', () => {
  it('holds what the init describes, or throws TypeError ("valid AudioDataInit")', () => {
    const seen = tally()
    fc.assert(
      fc.property(fc.gen(), (g) => {
        const format = draw(g, fc.constantFrom(...SAMPLE_FORMATS))
        const raw: Record<string, unknown> = {
          format,
          sampleRate: draw(g, fc.constantFrom(8000, 22050, 44100, 48000, 96000, 0.5)),
          numberOfFrames: draw(g, fc.integer({ min: 1, max: 64 })),
          numberOfChannels: draw(g, fc.integer({ min: 1, max: 6 })),
          timestamp: draw(g, fc.integer({ min: -1e12, max: 1e12 })),
        }
        for (let k = draw(g, fc.integer({ min: 0, max: 2 })); k > 0; k--) {
          const member = draw(g, fc.constantFrom('format', 'sampleRate', 'numberOfFrames', 'numberOfChannels', 'timestamp', 'huge'))
          if (member === 'format') raw.format = draw(g, fc.constantFrom<unknown>('f64', 'S16', '', undefined))
          else if (member === 'huge') raw[draw(g, fc.constantFrom('numberOfFrames', 'numberOfChannels'))] = draw(g, fc.constantFrom(2 ** 20, 2 ** 31, U32_MAX))
          else raw[member] = draw(g, fc.oneof(anyNumber, fc.constantFrom(undefined, 1e39, 1e-50)))
        }
        const frames = enforceU32(raw.numberOfFrames)
        const channels = enforceU32(raw.numberOfChannels)
        const rate = webidlFloat(raw.sampleRate)
        const timestamp = enforceI64(raw.timestamp)
        const validFormat = SAMPLE_FORMATS.includes(raw.format as AudioSampleFormat)
        const needed = validFormat && frames && channels ? frames * channels * bytesPerSample(raw.format as AudioSampleFormat) : 64
        const slack = draw(g, fc.constantFrom(0, 0, 5, -1))
        const data = new Uint8Array(Math.max(0, Math.min(needed, 1 << 16) + slack)).map((_, i) => (i * 29 + 7) & 0xff)
        raw.data = data
        const valid = validFormat && rate !== undefined && rate > 0 && frames !== undefined && frames > 0 && channels !== undefined && channels > 0 && timestamp !== undefined && data.byteLength >= needed
        seen.count(valid ? {} : 'TypeError')
        const what = JSON.stringify({ ...raw, data: data.byteLength }, jsonSafe)
        const got = attempt(() => new AudioData(raw as never))
        if (!valid) {
          if (got.ok) got.value.close()
          return expectError(got, 'TypeError', what)
        }
        const audio = expectOk(got, what)
        try {
          expect([audio.format, audio.sampleRate, audio.numberOfFrames, audio.numberOfChannels, audio.timestamp], what).toEqual([raw.format, rate, frames, channels, timestamp])
          // A duration past 2^53 us (a sample rate near zero) has no exact number to match.
          const exact = (frames! * 1e6) / rate!
          if (exact <= MAX_SAFE) expect(Math.abs(audio.duration - exact), what).toBeLessThanOrEqual(1)
          else expect(audio.duration, what).toBeGreaterThanOrEqual(0)
          const plane = new Uint8Array(audio.allocationSize({ planeIndex: 0 }))
          audio.copyTo(plane, { planeIndex: 0 })
          expectBytes(plane, data.subarray(0, plane.length), what)
        } finally {
          audio.close()
        }
      }),
      PROPERTY_OPTIONS,
    )
    seen.check()
  })
})

describe('AudioData.allocationSize() and copyTo() with AudioDataCopyToOptions', () => {
  it('copy the frames the options describe, or fail with RangeError or TypeError ("Compute Copy Element Count")', () => {
    const seen = tally()
    fc.assert(
      fc.property(fc.gen(), (g) => {
        const format = draw(g, fc.constantFrom(...SAMPLE_FORMATS))
        const frames = draw(g, fc.integer({ min: 1, max: 40 }))
        const channels = draw(g, fc.integer({ min: 1, max: 4 }))
        const data = audioBytes(format, frames, channels, draw(g, fc.integer({ min: 0, max: 255 })))
        const audio = new AudioData({ format, sampleRate: 48000, numberOfFrames: frames, numberOfChannels: channels, timestamp: 0, data })
        try {
          const options: Record<string, unknown> = { planeIndex: draw(g, fc.oneof({ weight: 5, arbitrary: fc.integer({ min: 0, max: channels }) }, { weight: 1, arbitrary: fc.oneof(anyNumber, fc.constant(undefined)) })) }
          if (draw(g, fc.boolean())) options.frameOffset = draw(g, fc.oneof({ weight: 5, arbitrary: fc.integer({ min: 0, max: frames }) }, { weight: 1, arbitrary: anyNumber }))
          if (draw(g, fc.boolean())) options.frameCount = draw(g, fc.oneof({ weight: 5, arbitrary: fc.integer({ min: 0, max: frames + 1 }) }, { weight: 1, arbitrary: anyNumber }))
          if (draw(g, fc.boolean())) options.format = draw(g, fc.constantFrom<unknown>(...SAMPLE_FORMATS, 'f64'))
          const model = modelAudioCopy(format, frames, channels, options)
          seen.count(model)
          const what = `${format} ${frames} frames x ${channels}, options ${JSON.stringify(options, jsonSafe)}`
          const size = attempt(() => audio.allocationSize(options as never))
          const slack = draw(g, fc.constantFrom(0, 0, 4, -1))
          const destination = new Uint8Array(Math.max(0, (typeof model === 'string' ? 16 : model.elements * bytesPerSample(model.format)) + slack))
          const copied = attempt(() => audio.copyTo(destination, options as never))
          if (typeof model === 'string') {
            expectError(size, model, `allocationSize: ${what}`)
            expectError(copied, model, `copyTo: ${what}`)
            return
          }
          expect(expectOk(size, `allocationSize: ${what}`)).toBe(model.elements * bytesPerSample(model.format))
          if (destination.length < model.elements * bytesPerSample(model.format)) return expectError(copied, 'RangeError', `copyTo into ${destination.length} bytes: ${what}`)
          expectOk(copied, `copyTo: ${what}`)
          // The values are the source's samples; exact whenever the destination is the same type or f32.
          const src = new DataView(data.buffer)
          const dst = new DataView(destination.buffer)
          const sameType = format.replace('-planar', '') === model.format.replace('-planar', '')
          if (!sameType && !model.format.startsWith('f32')) return
          for (let e = 0; e < model.elements; e++) {
            const frame = model.offset + (planar(model.format) ? e : Math.floor(e / channels))
            const channel = planar(model.format) ? model.plane : e % channels
            const from = planar(format) ? channel * frames + frame : frame * channels + channel
            const expected = sampleValue(src, format, from)
            expect(sampleValue(dst, model.format, e), `${what}: element ${e}`).toBe(model.format.startsWith('f32') ? Math.fround(expected) : expected)
          }
        } finally {
          audio.close()
        }
      }),
      PROPERTY_OPTIONS,
    )
    seen.check()
  })
})

function modelAudioCopy(format: AudioSampleFormat, frames: number, channels: number, options: Record<string, unknown>): { format: AudioSampleFormat; plane: number; offset: number; elements: number } | string {
  const plane = enforceU32(options.planeIndex)
  const offset = options.frameOffset === undefined ? 0 : enforceU32(options.frameOffset)
  const count = options.frameCount === undefined ? null : enforceU32(options.frameCount)
  if (plane === undefined || offset === undefined || count === undefined) return 'TypeError'
  if (options.format !== undefined && !SAMPLE_FORMATS.includes(options.format as AudioSampleFormat)) return 'TypeError'
  const dest = (options.format as AudioSampleFormat | undefined) ?? format
  if (!planar(dest) && plane > 0) return 'RangeError'
  if (planar(dest) && plane >= channels) return 'RangeError'
  if (offset >= frames) return 'RangeError'
  let copyFrames = frames - offset
  if (count !== null) {
    if (count > copyFrames) return 'RangeError'
    copyFrames = count
  }
  return { format: dest, plane, offset, elements: planar(dest) ? copyFrames : copyFrames * channels }
}

// ---------------------------------------------------------------------------------------

describe('EncodedVideoChunk and EncodedAudioChunk(EncodedChunkInit)', () => {
  it('hold what the init gives, or throw TypeError', () => {
    const seen = tally()
    fc.assert(
      fc.property(fc.gen(), (g) => {
        const bytes = new Uint8Array(draw(g, fc.integer({ min: 0, max: 64 }))).map((_, i) => (i * 7 + 1) & 0xff)
        const raw: Record<string, unknown> = { type: draw(g, fc.constantFrom('key', 'delta')), timestamp: draw(g, fc.integer({ min: -1e15, max: 1e15 })), data: bytes }
        if (draw(g, fc.boolean())) raw.duration = draw(g, fc.integer({ min: 0, max: 1e15 }))
        const view = draw(g, fc.constantFrom('Uint8Array', 'ArrayBuffer', 'DataView', 'offset'))
        if (view === 'ArrayBuffer') raw.data = bytes.slice().buffer
        if (view === 'DataView') raw.data = new DataView(bytes.slice().buffer)
        if (view === 'offset') {
          const padded = new Uint8Array(bytes.length + 5)
          padded.set(bytes, 3)
          raw.data = padded.subarray(3, 3 + bytes.length)
        }
        for (let k = draw(g, fc.integer({ min: 0, max: 2 })); k > 0; k--) {
          const member = draw(g, fc.constantFrom('type', 'timestamp', 'duration', 'data'))
          if (member === 'type') raw.type = draw(g, fc.constantFrom<unknown>('KEY', '', 'intra', undefined))
          else if (member === 'data') raw.data = draw(g, fc.constantFrom<unknown>(undefined, 'bytes', [1, 2], 7, {}))
          else raw[member] = draw(g, fc.oneof(anyNumber, fc.constant(undefined)))
        }
        const timestamp = enforceI64(raw.timestamp)
        const duration = raw.duration === undefined ? null : enforceU64(raw.duration)
        const isBuffer = raw.data instanceof ArrayBuffer || ArrayBuffer.isView(raw.data)
        const valid = (raw.type === 'key' || raw.type === 'delta') && timestamp !== undefined && duration !== undefined && isBuffer
        seen.count(valid ? {} : 'TypeError')
        const what = JSON.stringify({ ...raw, data: isBuffer ? `${view} of ${bytes.length}` : raw.data }, jsonSafe)
        for (const Chunk of [EncodedVideoChunk, EncodedAudioChunk]) {
          const got = attempt(() => new Chunk(raw as never))
          if (!valid) {
            expectError(got, 'TypeError', `${Chunk.name}: ${what}`)
            continue
          }
          const chunk = expectOk(got, `${Chunk.name}: ${what}`)
          expect([chunk.type, chunk.timestamp, chunk.duration, chunk.byteLength], what).toEqual([raw.type, timestamp, duration, bytes.length])
          const out = new Uint8Array(bytes.length)
          chunk.copyTo(out)
          expectBytes(out, bytes, what)
          if (bytes.length > 0) expectError(attempt(() => chunk.copyTo(new Uint8Array(bytes.length - 1))), 'TypeError', `copyTo a short buffer: ${what}`)
        }
      }),
      PROPERTY_OPTIONS,
    )
    seen.check()
  })
})

// ---------------------------------------------------------------------------------------
// Codec configs: an invalid config is a TypeError from configure() and a rejection from
// isConfigSupported(); for a valid one isConfigSupported() resolves, and configure()
// then either works (flush resolves) or closes the codec with NotSupportedError, in
// agreement with what isConfigSupported() said.

const noop = () => {}

interface ConfigCase {
  config: Record<string, unknown>
  valid: boolean
}

async function checkConfig(
  { config, valid }: ConfigCase,
  make: (error: (e: DOMException) => void) => { configure(c: never): void; flush(): Promise<void>; close(): void; state: string },
  isConfigSupported: (c: never) => Promise<{ supported: boolean; config: Record<string, unknown> }>,
): Promise<void> {
  const what = JSON.stringify(config, jsonSafe)
  const support = await attemptAsync(() => isConfigSupported(config as never))
  const errors: DOMException[] = []
  const codec = make((e) => errors.push(e))
  try {
    const configured = attempt(() => codec.configure(config as never))
    if (!valid) {
      expectError(support, 'TypeError', `isConfigSupported(${what})`)
      expectError(configured, 'TypeError', `configure(${what})`)
      expect(codec.state).toBe('unconfigured')
      return
    }
    const { supported, config: echoed } = expectOk(support, `isConfigSupported(${what})`)
    expect(echoed.codec, what).toBe(config.codec)
    expectOk(configured, `configure(${what})`)
    const flushed = await attemptAsync(() => codec.flush())
    if (supported) {
      expectOk(flushed, `flush after configure(${what}), which isConfigSupported supports`)
      expect(errors).toEqual([])
    } else {
      expectError(flushed, 'NotSupportedError', `flush after configure(${what}), which isConfigSupported does not support`)
      expect(errors.map((e) => e.name), what).toEqual(['NotSupportedError'])
      expect(codec.state).toBe('closed')
    }
  } finally {
    if (codec.state !== 'closed') codec.close()
  }
}

const CONFIG_RUNS = { ...PROPERTY_OPTIONS, numRuns: Math.ceil(RUNS / 3) }

const codecString = (valid: string[]) =>
  fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...valid) }, { weight: 1, arbitrary: fc.constantFrom<unknown>('bogus', 'vP8', '', '   ', ' vp8', undefined) })

/** WebIDL DOMString of a codec member: ToString for primitives (our binding: strings only). */
function codecValid(v: unknown): boolean {
  return v !== undefined && typeof v !== 'symbol' && !/^[\t\n\f\r ]*$/.test(String(v))
}

describe('VideoEncoderConfig', () => {
  it('is a TypeError when invalid, else supported or NotSupportedError as isConfigSupported says', async () => {
    const seen = tally(RUNS / 30)
    await fc.assert(
      fc.asyncProperty(fc.gen(), async (g) => {
        const config: Record<string, unknown> = {
          codec: draw(g, codecString(['vp8', 'avc1.42001f', 'vp09.00.10.08'])),
          width: draw(g, fc.oneof({ weight: 8, arbitrary: fc.integer({ min: 16, max: 96 }) }, { weight: 1, arbitrary: anyNumber }, { weight: 1, arbitrary: fc.constantFrom(1_000_000, U32_MAX) })),
          height: draw(g, fc.oneof({ weight: 8, arbitrary: fc.integer({ min: 16, max: 96 }) }, { weight: 1, arbitrary: anyNumber })),
        }
        if (draw(g, fc.integer({ min: 0, max: 3 })) === 0) config.displayWidth = draw(g, fc.oneof(fc.integer({ min: 0, max: 200 }), anyNumber))
        if (draw(g, fc.integer({ min: 0, max: 3 })) === 0) config.displayHeight = draw(g, fc.oneof(fc.integer({ min: 0, max: 200 }), anyNumber))
        if (draw(g, fc.boolean())) config.bitrate = draw(g, fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 1000, max: 5_000_000 }) }, { weight: 1, arbitrary: anyNumber }))
        if (draw(g, fc.boolean())) config.framerate = draw(g, fc.oneof({ weight: 4, arbitrary: fc.constantFrom(24, 29.97, 30, 60) }, { weight: 1, arbitrary: fc.constantFrom<unknown>(NaN, Infinity, 'abc', {}, 0, -30, '25', Symbol('f')) }))
        if (draw(g, fc.integer({ min: 0, max: 3 })) === 0) config.hardwareAcceleration = draw(g, fc.constantFrom('no-preference', 'prefer-software', 'prefer-hardware', 'gpu'))
        if (draw(g, fc.integer({ min: 0, max: 3 })) === 0) config.bitrateMode = draw(g, fc.constantFrom('constant', 'variable', 'quantizer', 'vbr'))
        if (draw(g, fc.integer({ min: 0, max: 3 })) === 0) config.latencyMode = draw(g, fc.constantFrom('quality', 'realtime', 'fast'))
        if (draw(g, fc.integer({ min: 0, max: 3 })) === 0) config.alpha = draw(g, fc.constantFrom('keep', 'discard', 'opaque'))
        if (draw(g, fc.integer({ min: 0, max: 3 })) === 0) config.scalabilityMode = draw(g, fc.constantFrom('L1T1', 'L1T2', 'L1T3', 'ABC'))
        const width = enforceU32(config.width)
        const height = enforceU32(config.height)
        const display = [config.displayWidth, config.displayHeight].map((v) => (v === undefined ? null : enforceU32(v)))
        const bitrate = config.bitrate === undefined ? null : enforceU64(config.bitrate)
        const framerate = config.framerate === undefined ? 1 : toNumber(config.framerate)
        const valid =
          codecValid(config.codec) &&
          !!width &&
          !!height &&
          display.every((d) => d !== undefined && d !== 0) &&
          bitrate !== undefined &&
          bitrate !== 0 &&
          framerate !== undefined &&
          Number.isFinite(framerate) &&
          enumOk(config.hardwareAcceleration, ['no-preference', 'prefer-software', 'prefer-hardware']) &&
          enumOk(config.bitrateMode, ['constant', 'variable', 'quantizer']) &&
          enumOk(config.latencyMode, ['quality', 'realtime']) &&
          enumOk(config.alpha, ['keep', 'discard'])
        seen.count(valid ? {} : 'TypeError')
        await checkConfig({ config, valid }, (error) => new VideoEncoder({ output: noop, error }), VideoEncoder.isConfigSupported as never)
      }),
      CONFIG_RUNS,
    )
    seen.check()
  })
})

function enumOk(v: unknown, values: string[]): boolean {
  return v === undefined || values.includes(v as string)
}

describe('VideoDecoderConfig', () => {
  it('is a TypeError when invalid ("valid VideoDecoderConfig"), else agrees with isConfigSupported', async () => {
    const seen = tally(RUNS / 30)
    await fc.assert(
      fc.asyncProperty(fc.gen(), async (g) => {
        const config: Record<string, unknown> = { codec: draw(g, codecString(['vp8', 'vp09.00.10.08', 'av01.0.04M.08', 'avc1.42001f', 'hev1.1.6.L93.B0'])) }
        const pair = (a: string, b: string) => {
          const pick = draw(g, fc.constantFrom('none', 'both', 'one', 'hostile'))
          if (pick === 'both') Object.assign(config, { [a]: draw(g, fc.integer({ min: 1, max: 4096 })), [b]: draw(g, fc.integer({ min: 1, max: 4096 })) })
          if (pick === 'one') config[a] = 64
          if (pick === 'hostile') Object.assign(config, { [a]: draw(g, anyNumber), [b]: 64 })
        }
        pair('codedWidth', 'codedHeight')
        pair('displayAspectWidth', 'displayAspectHeight')
        const description = draw(g, fc.constantFrom('none', 'none', 'bytes', 'detached'))
        if (description === 'bytes') config.description = new Uint8Array(draw(g, fc.integer({ min: 0, max: 40 })))
        if (description === 'detached') {
          const buffer = new ArrayBuffer(8)
          structuredClone(buffer, { transfer: [buffer] })
          config.description = buffer
        }
        if (draw(g, fc.integer({ min: 0, max: 3 })) === 0) config.hardwareAcceleration = draw(g, fc.constantFrom('no-preference', 'prefer-software', 'prefer-hardware', 'gpu'))
        if (draw(g, fc.integer({ min: 0, max: 3 })) === 0) config.colorSpace = { primaries: draw(g, fc.constantFrom('bt709', 'bt2020', 'p3')) }
        const pairOk = (a: unknown, b: unknown) => (a === undefined && b === undefined) || (a !== undefined && b !== undefined && !!enforceU32(a) && !!enforceU32(b))
        const valid =
          codecValid(config.codec) &&
          pairOk(config.codedWidth, config.codedHeight) &&
          pairOk(config.displayAspectWidth, config.displayAspectHeight) &&
          description !== 'detached' &&
          enumOk(config.hardwareAcceleration, ['no-preference', 'prefer-software', 'prefer-hardware']) &&
          enumOk((config.colorSpace as { primaries?: string } | undefined)?.primaries, ['bt709', 'bt2020'])
        seen.count(valid ? {} : 'TypeError')
        await checkConfig({ config, valid }, (error) => new VideoDecoder({ output: (f) => f.close(), error }), VideoDecoder.isConfigSupported as never)
      }),
      CONFIG_RUNS,
    )
    seen.check()
  })
})

const audioConfigMembers = (g: fc.GeneratorValue, codecs: string[]): Record<string, unknown> => ({
  codec: draw(g, codecString(codecs)),
  sampleRate: draw(g, fc.oneof({ weight: 6, arbitrary: fc.constantFrom(8000, 16000, 44100, 48000) }, { weight: 1, arbitrary: anyNumber }, { weight: 1, arbitrary: fc.constantFrom(1, 3, 10_000_000, U32_MAX) })),
  numberOfChannels: draw(g, fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 1, max: 2 }) }, { weight: 1, arbitrary: anyNumber }, { weight: 1, arbitrary: fc.constantFrom(3, 8, 255, 1024, U32_MAX) })),
})

/** Both members [EnforceRange] and non-zero (the spec's encoder check; WPT holds decoders to it too). */
const audioRateAndChannelsOk = (c: Record<string, unknown>) => !!enforceU32(c.sampleRate) && !!enforceU32(c.numberOfChannels)

describe('AudioEncoderConfig', () => {
  it('is a TypeError when invalid ("valid AudioEncoderConfig"), else agrees with isConfigSupported', async () => {
    const seen = tally(RUNS / 30)
    await fc.assert(
      fc.asyncProperty(fc.gen(), async (g) => {
        const config = audioConfigMembers(g, ['opus', 'mp4a.40.2', 'flac', 'mp3', 'pcm-s16', 'ulaw'])
        if (draw(g, fc.boolean())) config.bitrate = draw(g, fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 8000, max: 320_000 }) }, { weight: 1, arbitrary: anyNumber }))
        if (draw(g, fc.integer({ min: 0, max: 3 })) === 0) config.bitrateMode = draw(g, fc.constantFrom('constant', 'variable', 'quantizer'))
        const bitrate = config.bitrate === undefined ? null : enforceU64(config.bitrate)
        const valid = codecValid(config.codec) && audioRateAndChannelsOk(config) && bitrate !== undefined && enumOk(config.bitrateMode, ['constant', 'variable'])
        seen.count(valid ? {} : 'TypeError')
        await checkConfig({ config, valid }, (error) => new AudioEncoder({ output: noop, error }), AudioEncoder.isConfigSupported as never)
      }),
      CONFIG_RUNS,
    )
    seen.check()
  })
})

describe('AudioDecoderConfig', () => {
  it('is a TypeError when invalid ("valid AudioDecoderConfig"), else agrees with isConfigSupported', async () => {
    const seen = tally(RUNS / 30)
    await fc.assert(
      fc.asyncProperty(fc.gen(), async (g) => {
        const config = audioConfigMembers(g, ['opus', 'mp4a.40.2', 'mp3', 'pcm-s16', 'pcm-f32', 'ulaw', 'alaw'])
        const description = draw(g, fc.constantFrom('none', 'none', 'bytes', 'detached'))
        if (description === 'bytes') config.description = new Uint8Array(draw(g, fc.integer({ min: 0, max: 40 })))
        if (description === 'detached') {
          const buffer = new ArrayBuffer(8)
          structuredClone(buffer, { transfer: [buffer] })
          config.description = buffer
        }
        const valid = codecValid(config.codec) && audioRateAndChannelsOk(config) && description !== 'detached'
        seen.count(valid ? {} : 'TypeError')
        await checkConfig({ config, valid }, (error) => new AudioDecoder({ output: (d) => d.close(), error }), AudioDecoder.isConfigSupported as never)
      }),
      CONFIG_RUNS,
    )
    seen.check()
  })
})
