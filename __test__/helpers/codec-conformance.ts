// The steps the four codec interfaces (https://w3c.github.io/webcodecs/, sections 3-6:
// AudioDecoder, VideoDecoder, AudioEncoder, VideoEncoder) have in common, written once
// against the draft's text. `describeCodecInterface` lays out an interface's section as
// the draft does (Internal Slots, Constructors, Attributes, Event Summary, Methods,
// Algorithms), registers the shared steps, those of decoders or encoders, and the
// interface's own tests where its spec passes them.
import { describe, expect, it } from 'vitest'

import type { CodecState } from '../../index.js'
import { expectReadonlyAttributes, nameOf, nextTask, settle } from './conformance.js'
import { expectRejectsNamed, expectThrowsNamed } from './errors.js'

/** What the four codec interfaces share, as these specs use it. */
export interface Codec extends EventTarget {
  readonly state: CodecState
  ondequeue: ((event: Event) => void) | null
  configure(config: object): void
  flush(): Promise<void>
  reset(): void
  close(): void
}

export interface CodecInit {
  output: (output: unknown, metadata?: unknown) => void
  error: (error: DOMException) => void
}

/** One interface under test: how to make it, feed it, and read its outputs. */
export interface CodecFixture<C extends Codec, Config extends object> {
  name: string
  /** Its section in the draft: 3 AudioDecoder, 4 VideoDecoder, 5 AudioEncoder, 6 VideoEncoder. */
  section: number
  /** The interface object, for the static isConfigSupported(). */
  Class: { prototype: object; isConfigSupported(config: Config): Promise<{ supported: boolean; config: Config }> }
  make(init: CodecInit): C
  /** A valid config this build supports, quick to configure. */
  config: Config
  /** A valid config this build does not support. */
  unsupported: Config
  /** Configs that are not valid ("check configuration validity" fails): TypeError. */
  invalid: [string, Config][]
  /** `encodeQueueSize` or `decodeQueueSize`. */
  queueSizeName: string
  queueSize(codec: C): number
  /** encode() or decode() as the draft heads it, e.g. "decode(chunk)". */
  inputMethod: string
  /** The interface its argument must be, and an object that only looks like one. */
  inputInterface: string
  lookalike: object
  /** Calls encode() or decode() with `input`. */
  feed(codec: C, input: unknown): void
  /** Queues input `i` (encode or decode); inputs have increasing timestamps. */
  submit(codec: C, i: number): void
  /** The timestamp of input `i`, which its output carries. */
  timestampOf(i: number): number
  /** The output callback's arguments as a plain record; closes what needs closing. */
  describe(output: unknown, metadata?: unknown): { timestamp: number } & Record<string, unknown>
  /** The heading of the draft's output algorithm, e.g. "Output VideoFrames (with outputs)". */
  outputAlgorithm: string
  decoder?: DecoderParts<Config>
  encoder?: EncoderParts
}

/** What the decoder steps need: one stream of chunks, and one that fails to decode. */
export interface DecoderParts<Config> {
  /** Chunk `i` of a stream: 0 is a key chunk, the others delta chunks that follow it. */
  stream(i: number): unknown
  streamTimestamp(i: number): number
  /** A config and a key chunk whose decoding fails. */
  broken: { config: Config; chunk(): unknown }
}

/** What the encoder steps need. `describe` must give `keys` (the metadata's) and `decoderConfig`. */
export interface EncoderParts {
  /** Input `i` (a VideoFrame or AudioData) for the caller to close. */
  input(i: number): { readonly format: unknown; close(): void }
  /** The step of encode() that clones its input. */
  cloneStep: number
}

/** An encoder's `submit`: encodes the input `make(i)` gives, then closes it (the encoder keeps a clone). */
export function encodeThenClose<C extends Codec>(encode: (codec: C, input: never) => void, make: (i: number) => { close(): void }) {
  return (codec: C, i: number): void => {
    const input = make(i)
    try {
      encode(codec, input as never)
    } finally {
      input.close()
    }
  }
}

/** A codec made with recording callbacks: outputs, errors and their order. */
export function recorded<C extends Codec, Config extends object>(f: CodecFixture<C, Config>) {
  const outputs: ({ timestamp: number } & Record<string, unknown>)[] = []
  const errors: DOMException[] = []
  const order: string[] = []
  const codec: C = f.make({
    output: (output, metadata) => {
      outputs.push(f.describe(output, metadata))
      order.push('output')
    },
    error: (error) => {
      errors.push(error)
      order.push(`error ${error.name} in state ${codec.state}, ${f.queueSizeName} ${f.queueSize(codec)}`)
    },
  })
  /** Closes the codec unless it is closed already. */
  const done = () => {
    if (codec.state !== 'closed') codec.close()
  }
  return { codec, outputs, errors, order, done }
}

/** Waits for the next `dequeue` event at `codec`, or `ms` without one (then false). */
function nextDequeue(codec: EventTarget, ms = 2000): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms)
    codec.addEventListener(
      'dequeue',
      () => {
        clearTimeout(timer)
        resolve(true)
      },
      { once: true },
    )
  })
}

/** Counts the `dequeue` events fired at `codec` from now on. */
function countDequeues(codec: EventTarget): { count: number; inside: boolean; firedInside: number } {
  const tally = { count: 0, inside: false, firedInside: 0 }
  codec.addEventListener('dequeue', () => {
    tally.count++
    if (tally.inside) tally.firedInside++
  })
  return tally
}

/**
 * reset() and close() run Reset/Close with an AbortError DOMException: the state is
 * `state` at once, a pending flush rejects with AbortError, no output of the earlier
 * input arrives, and the error callback is not invoked.
 */
function abortsPendingFlush<C extends Codec, Config extends object>(f: CodecFixture<C, Config>, method: 'reset' | 'close', state: CodecState): void {
  const algorithm = method === 'reset' ? 'Reset' : 'Close'
  it(`runs ${algorithm} with AbortError: "${state}", pending flushes reject with an AbortError DOMException, no error callback`, async () => {
    const { codec, errors, outputs, done } = recorded(f)
    codec.configure(f.config)
    f.submit(codec, 0)
    const pending = settle(codec.flush())
    codec[method]()
    expect(codec.state).toBe(state)
    const [outcome, error] = await pending
    expect([outcome, nameOf(error), error instanceof DOMException]).toEqual(['rejected', 'AbortError', true])
    await nextTask(10)
    expect(errors).toEqual([])
    expect(outputs).toEqual([])
    done()
  })
}

/** The shared `it`s of each subsection. */
const codecSteps = {
  /** Constructors: `X(init)` steps, as far as they are observable. */
  constructors<C extends Codec, Config extends object>(f: CodecFixture<C, Config>): void {
    it(`new ${f.name}(init) assigns "unconfigured" to [[state]] and 0 to [[${f.queueSizeName}]]`, () => {
      const { codec, done } = recorded(f)
      expect(codec.state).toBe('unconfigured')
      expect(f.queueSize(codec)).toBe(0)
      expect(codec.ondequeue).toBeNull()
      done()
    })

    it(`${f.name} : EventTarget — the instance and its prototype chain`, () => {
      const { codec, done } = recorded(f)
      expect(codec).toBeInstanceOf(EventTarget)
      expect(Object.getPrototypeOf(f.Class.prototype)).toBe(EventTarget.prototype)
      done()
    })

    it(`${f.name}Init: output and error are required callbacks (TypeError otherwise)`, () => {
      const make = (init: unknown) => () => f.make(init as CodecInit)
      const noop = () => {}
      expectThrowsNamed(make(undefined), 'TypeError')
      expectThrowsNamed(make({ output: noop }), 'TypeError')
      expectThrowsNamed(make({ error: noop }), 'TypeError')
      expectThrowsNamed(make({ output: 1, error: noop }), 'TypeError')
    })
  },

  /** Attributes: state, the queue size, ondequeue. */
  attributes<C extends Codec, Config extends object>(f: CodecFixture<C, Config>): void {
    it('state returns [[state]]: "unconfigured", "configured", then "closed"', () => {
      const { codec } = recorded(f)
      expect(codec.state).toBe('unconfigured')
      codec.configure(f.config)
      expect(codec.state).toBe('configured')
      codec.reset()
      expect(codec.state).toBe('unconfigured')
      codec.close()
      expect(codec.state).toBe('closed')
    })

    it(`${f.queueSizeName} returns [[${f.queueSizeName}]]: pending inputs, 0 again after flush() and after close()`, async () => {
      const { codec } = recorded(f)
      codec.configure(f.config)
      for (let i = 0; i < 3; i++) f.submit(codec, i)
      // The configure message blocks the control message queue until the codec is
      // configured, so none of the three has been taken yet.
      expect(f.queueSize(codec)).toBe(3)
      await codec.flush()
      expect(f.queueSize(codec)).toBe(0)
      f.submit(codec, 3)
      codec.close()
      expect(f.queueSize(codec)).toBe(0)
    })

    it('state and the queue size are read-only accessors on the prototype', () => {
      expectReadonlyAttributes(f.Class.prototype, ['state', f.queueSizeName])
      const { codec, done } = recorded(f)
      // Modules are strict code: assigning to an accessor without a setter throws.
      expect(() => ((codec as unknown as { state: string }).state = 'configured')).toThrow(TypeError)
      expect(codec.state).toBe('unconfigured')
      done()
    })

    it('ondequeue is an event handler IDL attribute for "dequeue"', () => {
      const { codec, done } = recorded(f)
      const calls: unknown[] = []
      const handler = function (this: unknown, event: Event) {
        calls.push([this === codec, event.type])
      }
      codec.ondequeue = handler
      expect(codec.ondequeue).toBe(handler)
      codec.dispatchEvent(new Event('dequeue'))
      codec.ondequeue = null
      codec.dispatchEvent(new Event('dequeue'))
      expect(calls).toEqual([[true, 'dequeue']])
      done()
    })
  },

  /** Event Summary: `dequeue`, fired when the queue size has decreased. */
  eventSummary<C extends Codec, Config extends object>(f: CodecFixture<C, Config>): void {
    it(`dequeue: fired at the ${f.name} once ${f.queueSizeName} has decreased, as a simple event`, async () => {
      const { codec, done } = recorded(f)
      const seen: unknown[] = []
      codec.addEventListener('dequeue', (event) => {
        seen.push({ type: event.type, bubbles: event.bubbles, cancelable: event.cancelable, target: event.target === codec, size: f.queueSize(codec) })
      })
      codec.configure(f.config)
      f.submit(codec, 0)
      expect(seen).toEqual([])
      await codec.flush()
      await nextTask()
      expect(seen.length).toBeGreaterThanOrEqual(1)
      expect(seen[seen.length - 1]).toEqual({ type: 'dequeue', bubbles: false, cancelable: false, target: true, size: 0 })
      done()
    })
  },

  /** configure(config): the synchronous steps and the configure control message. */
  configure<C extends Codec, Config extends object>(f: CodecFixture<C, Config>): void {
    for (const [label, config] of f.invalid) {
      it(`step 1: a config that is not valid (${label}) throws TypeError`, () => {
        const { codec, done } = recorded(f)
        expectThrowsNamed(() => codec.configure(config), 'TypeError')
        expect(codec.state).toBe('unconfigured')
        done()
      })
    }

    it('step 1 comes before step 2: an invalid config on a closed codec is a TypeError', () => {
      const { codec } = recorded(f)
      codec.close()
      expectThrowsNamed(() => codec.configure(f.invalid[0][1]), 'TypeError')
    })

    it('step 2: on a closed codec, InvalidStateError', () => {
      const { codec } = recorded(f)
      codec.close()
      expectThrowsNamed(() => codec.configure(f.config), 'InvalidStateError')
      expect(codec.state).toBe('closed')
    })

    it('step 3: [[state]] is "configured" on return, also for a config the codec turns out not to support', () => {
      const { codec, done } = recorded(f)
      codec.configure(f.unsupported)
      expect(codec.state).toBe('configured')
      done()
    })

    it('a configured codec may be configured again (reconfiguration), and keeps producing outputs', async () => {
      const { codec, outputs, errors, done } = recorded(f)
      codec.configure(f.config)
      f.submit(codec, 0)
      await codec.flush()
      codec.configure(f.config)
      expect(codec.state).toBe('configured')
      f.submit(codec, 1)
      await codec.flush()
      expect(errors).toEqual([])
      expect(outputs.map((o) => o.timestamp)).toEqual([f.timestampOf(0), f.timestampOf(1)])
      done()
    })

    it('the control message: an unsupported config runs "Close" with NotSupportedError, asynchronously', async () => {
      const { codec, errors, order } = recorded(f)
      codec.configure(f.unsupported)
      expect(errors).toEqual([])
      await settle(codec.flush())
      expect(errors.map(nameOf)).toEqual(['NotSupportedError'])
      expect(errors[0]).toBeInstanceOf(DOMException)
      expect(order).toEqual([`error NotSupportedError in state closed, ${f.queueSizeName} 0`])
      expect(codec.state).toBe('closed')
    })

    it('the control message runs in queue order: a later supported configure() does not undo the close', async () => {
      const { codec, errors } = recorded(f)
      codec.configure(f.unsupported)
      codec.configure(f.config)
      await settle(codec.flush())
      expect(errors.map(nameOf)).toEqual(['NotSupportedError'])
      expect(codec.state).toBe('closed')
    })
  },

  /** encode()/decode(): the state step and the queue. */
  input<C extends Codec, Config extends object>(f: CodecFixture<C, Config>): void {
    const step = f.decoder ? 1 : 2
    const method = f.inputMethod.replace(/\(.*/, '')
    it(`step ${step}: [[state]] not "configured" is an InvalidStateError (unconfigured, after reset(), closed)`, () => {
      const { codec } = recorded(f)
      expectThrowsNamed(() => f.submit(codec, 0), 'InvalidStateError')
      codec.configure(f.config)
      codec.reset()
      expectThrowsNamed(() => f.submit(codec, 0), 'InvalidStateError')
      codec.close()
      expectThrowsNamed(() => f.submit(codec, 0), 'InvalidStateError')
      expect(f.queueSize(codec)).toBe(0)
    })

    it(`increments [[${f.queueSizeName}]] synchronously and queues a control message; outputs keep the inputs' timestamps`, async () => {
      const { codec, outputs, errors, done } = recorded(f)
      codec.configure(f.config)
      for (let i = 0; i < 4; i++) {
        f.submit(codec, i)
        expect(f.queueSize(codec)).toBe(i + 1)
      }
      await codec.flush()
      expect(errors).toEqual([])
      expect(outputs.map((o) => o.timestamp)).toEqual([0, 1, 2, 3].map(f.timestampOf))
      done()
    })

    it(`${method}() never fires "dequeue" from inside the call; the events come from later tasks`, async () => {
      const { codec, done } = recorded(f)
      const tally = countDequeues(codec)
      codec.configure(f.config)
      tally.inside = true
      for (let i = 0; i < 4; i++) f.submit(codec, i)
      tally.inside = false
      expect(tally.count).toBe(0)
      await codec.flush()
      await nextTask()
      expect(tally.firedInside).toBe(0)
      expect(tally.count).toBeGreaterThanOrEqual(1)
      expect(tally.count).toBeLessThanOrEqual(4)
      done()
    })

    it(`WebIDL: an argument that is not an ${f.inputInterface} is a TypeError`, () => {
      const { codec, done } = recorded(f)
      codec.configure(f.config)
      try {
        expectThrowsNamed(() => f.feed(codec, f.lookalike), 'TypeError')
      } finally {
        done()
      }
    })
  },

  /** flush(): step 1 and what the flush control message promises. */
  flush<C extends Codec, Config extends object>(f: CodecFixture<C, Config>): void {
    it('step 1: [[state]] not "configured" returns a promise rejected with InvalidStateError (it does not throw)', async () => {
      const { codec } = recorded(f)
      const unconfigured = codec.flush()
      expect(unconfigured).toBeInstanceOf(Promise)
      await expectRejectsNamed(unconfigured, 'InvalidStateError')
      codec.close()
      await expectRejectsNamed(codec.flush(), 'InvalidStateError')
    })

    it('resolves once the outputs of every earlier input were delivered, with undefined', async () => {
      const { codec, outputs, done } = recorded(f)
      codec.configure(f.config)
      for (let i = 0; i < 3; i++) f.submit(codec, i)
      const result = await codec.flush()
      expect(result).toBeUndefined()
      expect(outputs.map((o) => o.timestamp)).toEqual([0, 1, 2].map(f.timestampOf))
      done()
    })

    it('promises resolve in the order of their calls, each after its own inputs', async () => {
      const { codec, outputs, done } = recorded(f)
      const seen: string[] = []
      codec.configure(f.config)
      f.submit(codec, 0)
      const first = codec.flush().then(() => seen.push(`first after ${outputs.length}`))
      f.submit(codec, 1)
      const second = codec.flush().then(() => seen.push(`second after ${outputs.length}`))
      await Promise.all([first, second])
      expect(seen).toEqual(['first after 1', 'second after 2'])
      done()
    })

    it('a flush() of an idle configured codec resolves', async () => {
      const { codec, done } = recorded(f)
      codec.configure(f.config)
      await expect(codec.flush()).resolves.toBeUndefined()
      done()
    })
  },

  /** reset(): runs "Reset" with an AbortError DOMException. */
  reset<C extends Codec, Config extends object>(f: CodecFixture<C, Config>): void {
    abortsPendingFlush(f, 'reset', 'unconfigured')

    it('leaves the codec "unconfigured" and usable: configure() works again, without outputs of the earlier inputs', async () => {
      const { codec, outputs, errors, done } = recorded(f)
      codec.configure(f.config)
      for (let i = 0; i < 3; i++) f.submit(codec, i)
      codec.reset()
      expect(codec.state).toBe('unconfigured')
      codec.configure(f.config)
      f.submit(codec, 5)
      await codec.flush()
      expect(errors).toEqual([])
      expect(outputs.map((o) => o.timestamp)).toEqual([f.timestampOf(5)])
      done()
    })

    it('an unconfigured codec may be reset (nothing changes)', () => {
      const { codec, done } = recorded(f)
      codec.reset()
      expect(codec.state).toBe('unconfigured')
      done()
    })

    it('a closed codec: InvalidStateError ("Reset" step 1)', () => {
      const { codec } = recorded(f)
      codec.close()
      expectThrowsNamed(() => codec.reset(), 'InvalidStateError')
      expect(codec.state).toBe('closed')
    })
  },

  /** close(): runs "Close" with an AbortError DOMException. */
  close<C extends Codec, Config extends object>(f: CodecFixture<C, Config>): void {
    abortsPendingFlush(f, 'close', 'closed')

    it('close is final: close() again is an InvalidStateError (its Reset step 1), and so is every method', async () => {
      const { codec } = recorded(f)
      codec.close()
      expectThrowsNamed(() => codec.close(), 'InvalidStateError')
      expectThrowsNamed(() => codec.configure(f.config), 'InvalidStateError')
      expectThrowsNamed(() => codec.reset(), 'InvalidStateError')
      expectThrowsNamed(() => f.submit(codec, 0), 'InvalidStateError')
      await expectRejectsNamed(codec.flush(), 'InvalidStateError')
      expect(codec.state).toBe('closed')
    })
  },

  /** isConfigSupported(config), the static method. */
  isConfigSupported<C extends Codec, Config extends object>(f: CodecFixture<C, Config>): void {
    for (const [label, config] of f.invalid) {
      it(`step 1: a config that is not valid (${label}) returns a promise rejected with TypeError`, async () => {
        let promise: Promise<unknown> | undefined
        expect(() => (promise = f.Class.isConfigSupported(config))).not.toThrow()
        await expectRejectsNamed(promise!, 'TypeError')
      })
    }

    it('a valid config this build supports resolves with supported: true', async () => {
      const support = await f.Class.isConfigSupported(f.config)
      expect(support.supported).toBe(true)
      expect(support.config).toEqual(f.config)
    })

    it('a valid config this build does not support resolves with supported: false (not a rejection)', async () => {
      const support = await f.Class.isConfigSupported(f.unsupported)
      expect(support.supported).toBe(false)
      expect(support.config).toEqual(f.unsupported)
    })

    it('"Clone Configuration": config is a new dictionary with only the recognized members', async () => {
      const config = { ...f.config, notAMember: 1 }
      const support = await f.Class.isConfigSupported(config)
      expect(support.config).not.toBe(config)
      expect(support.config).toEqual(f.config)
      expect('notAMember' in support.config).toBe(false)
    })

    it('the answer is made of the config as it was at the call (a later change does not show)', async () => {
      const config = { ...f.config }
      const promise = f.Class.isConfigSupported(config)
      ;(config as Record<string, unknown>).codec = 'changed'
      const support = await promise
      expect(support.config).toEqual(f.config)
    })
  },

  /** "Schedule Dequeue Event": coalesced, fired from a task of its own. */
  scheduleDequeueEvent<C extends Codec, Config extends object>(f: CodecFixture<C, Config>): void {
    it('steps 1-2: a second schedule while one is pending fires nothing more (two resets, one event)', async () => {
      const { codec, done } = recorded(f)
      const tally = countDequeues(codec)
      codec.configure(f.config)
      for (let i = 0; i < 3; i++) f.submit(codec, i)
      codec.reset()
      codec.configure(f.config)
      for (let i = 0; i < 3; i++) f.submit(codec, i)
      codec.reset()
      expect(tally.count).toBe(0)
      expect(await nextDequeue(codec)).toBe(true)
      await nextTask(20)
      expect(tally.count).toBe(1)
      done()
    })

    it('step 3: the event is fired from a queued task, and [[dequeue event scheduled]] is cleared after it', async () => {
      const { codec, done } = recorded(f)
      const tally = countDequeues(codec)
      codec.configure(f.config)
      f.submit(codec, 0)
      codec.reset()
      expect(tally.count).toBe(0)
      await nextDequeue(codec)
      codec.configure(f.config)
      f.submit(codec, 1)
      codec.reset()
      await nextDequeue(codec)
      expect(tally.count).toBe(2)
      done()
    })
  },

  /** "Reset X" (with exception). */
  resetAlgorithm<C extends Codec, Config extends object>(f: CodecFixture<C, Config>): void {
    it(`step 5: [[${f.queueSizeName}]] > 0 is set to zero and a dequeue event is scheduled`, async () => {
      const { codec, done } = recorded(f)
      const sizes: number[] = []
      codec.configure(f.config)
      for (let i = 0; i < 3; i++) f.submit(codec, i)
      codec.ondequeue = () => sizes.push(f.queueSize(codec))
      codec.reset()
      expect(f.queueSize(codec)).toBe(0)
      expect(sizes).toEqual([])
      await nextDequeue(codec)
      expect(sizes).toEqual([0])
      done()
    })

    it(`step 5: with [[${f.queueSizeName}]] at zero, no dequeue event`, async () => {
      const { codec, done } = recorded(f)
      const tally = countDequeues(codec)
      codec.configure(f.config)
      codec.reset()
      expect(await nextDequeue(codec, 50)).toBe(false)
      expect(tally.count).toBe(0)
      done()
    })

    it('step 6: every pending flush promise is rejected, in order, and the list emptied', async () => {
      const { codec, done } = recorded(f)
      const seen: string[] = []
      codec.configure(f.config)
      f.submit(codec, 0)
      const a = codec.flush().catch((e: Error) => seen.push(`a ${e.name}`))
      const b = codec.flush().catch((e: Error) => seen.push(`b ${e.name}`))
      codec.reset()
      await Promise.all([a, b])
      expect(seen).toEqual(['a AbortError', 'b AbortError'])
      codec.configure(f.config)
      await expect(codec.flush()).resolves.toBeUndefined()
      done()
    })

    it('|exception| is one object: every pending flush promise rejects with the same AbortError', async () => {
      const { codec, done } = recorded(f)
      codec.configure(f.config)
      const a = settle(codec.flush())
      const b = settle(codec.flush())
      codec.reset()
      const [[, first], [, second]] = await Promise.all([a, b])
      done()
      expect(first).toBe(second)
    })
  },

  /** "Close X" (with exception), with an exception other than AbortError. */
  closeAlgorithm<C extends Codec, Config extends object>(f: CodecFixture<C, Config>): void {
    it('steps 1-2 before step 4: in the error callback the codec is "closed" with an empty queue', async () => {
      const { codec, order } = recorded(f)
      codec.configure(f.unsupported)
      f.submit(codec, 0)
      await settle(codec.flush())
      expect(order).toEqual([`error NotSupportedError in state closed, ${f.queueSizeName} 0`])
    })

    it('step 1 (Reset with the exception): pending flushes reject with that exception, after the error callback ran', async () => {
      const { codec, order } = recorded(f)
      codec.configure(f.unsupported)
      const pending = codec.flush().catch((e: Error) => order.push(`flush rejected with ${e.name}`))
      await pending
      expect(order).toEqual([`error NotSupportedError in state closed, ${f.queueSizeName} 0`, 'flush rejected with NotSupportedError'])
    })

    it('|exception| is one object: the error callback gets the very exception the flush promise rejects with', async () => {
      const { codec, errors } = recorded(f)
      codec.configure(f.unsupported)
      const [, rejection] = await settle(codec.flush())
      expect(rejection).toBe(errors[0])
    })

    it('step 4: an AbortError (close()) is never passed to the error callback', async () => {
      const { codec, errors } = recorded(f)
      codec.configure(f.config)
      codec.close()
      await nextTask(20)
      expect(errors).toEqual([])
    })
  },
}


/** The steps only decoders have: [[key chunk required]] and decoding errors. */
const decoderSteps = {
  internalSlots<C extends Codec, Config extends object>(f: CodecFixture<C, Config>, d: DecoderParts<Config>): void {
    it('[[key chunk required]] starts true: the first chunk after configure() must be a key chunk', () => {
      const { codec, done } = recorded(f)
      codec.configure(f.config)
      expectThrowsNamed(() => f.feed(codec, d.stream(1)), 'DataError')
      expect(() => f.feed(codec, d.stream(0))).not.toThrow()
      done()
    })
  },

  configure<C extends Codec, Config extends object>(f: CodecFixture<C, Config>, d: DecoderParts<Config>): void {
    it('step 4: [[key chunk required]] is set again: a delta chunk after a reconfigure is a DataError', async () => {
      const { codec, done } = recorded(f)
      codec.configure(f.config)
      f.feed(codec, d.stream(0))
      f.feed(codec, d.stream(1))
      codec.configure(f.config)
      expectThrowsNamed(() => f.feed(codec, d.stream(2)), 'DataError')
      await codec.flush()
      done()
    })
  },

  input<C extends Codec, Config extends object>(f: CodecFixture<C, Config>, d: DecoderParts<Config>): void {
    it('step 1 comes before step 2: a delta chunk to an unconfigured decoder is an InvalidStateError', () => {
      const { codec, done } = recorded(f)
      expectThrowsNamed(() => f.feed(codec, d.stream(1)), 'InvalidStateError')
      done()
    })

    it('step 2.1: [[key chunk required]] and a delta chunk: DataError, nothing queued, still configured, no error callback', async () => {
      const { codec, errors, done } = recorded(f)
      codec.configure(f.config)
      expectThrowsNamed(() => f.feed(codec, d.stream(1)), 'DataError')
      expect(f.queueSize(codec)).toBe(0)
      expect(codec.state).toBe('configured')
      // Still required: a second delta is refused too, a key chunk is taken.
      expectThrowsNamed(() => f.feed(codec, d.stream(2)), 'DataError')
      f.feed(codec, d.stream(0))
      await codec.flush()
      expect(errors).toEqual([])
      done()
    })

    it('step 2.3: once a key chunk was taken, delta chunks are accepted', async () => {
      const { codec, outputs, done } = recorded(f)
      codec.configure(f.config)
      for (let i = 0; i < 3; i++) f.feed(codec, d.stream(i))
      await codec.flush()
      done()
      expect(outputs.map((o) => o.timestamp)).toEqual([0, 1, 2].map(d.streamTimestamp))
    })

    it(`the control message: a decoding error runs "Close ${f.name}" with EncodingError`, async () => {
      const { codec, order } = recorded(f)
      codec.configure(d.broken.config)
      f.feed(codec, d.broken.chunk())
      const [outcome, error] = await settle(codec.flush())
      expect([outcome, nameOf(error)]).toEqual(['rejected', 'EncodingError'])
      expect(order).toEqual([`error EncodingError in state closed, ${f.queueSizeName} 0`])
    })
  },

  flush<C extends Codec, Config extends object>(f: CodecFixture<C, Config>, d: DecoderParts<Config>): void {
    it('step 2: [[key chunk required]] is set at once: a delta chunk before the promise settles is a DataError', async () => {
      const { codec, done } = recorded(f)
      codec.configure(f.config)
      f.feed(codec, d.stream(0))
      const flushed = codec.flush()
      expectThrowsNamed(() => f.feed(codec, d.stream(1)), 'DataError')
      await flushed
      expectThrowsNamed(() => f.feed(codec, d.stream(1)), 'DataError')
      done()
    })
  },
}

/** Encodes inputs 0..count-1 with `config`; the output records. */
async function encodeWith<C extends Codec, Config extends object>(f: CodecFixture<C, Config>, config: Config, count: number) {
  const { codec, outputs, errors, done } = recorded(f)
  codec.configure(config)
  for (let i = 0; i < count; i++) f.submit(codec, i)
  await codec.flush()
  done()
  expect(errors).toEqual([])
  return outputs
}

/** Whether each output's metadata carried a decoderConfig. */
const withDecoderConfig = (outputs: Record<string, unknown>[]) => outputs.map((o) => o.decoderConfig !== undefined)

/** The steps only encoders have: closed inputs, clones, and when chunks carry a decoderConfig. */
const encoderSteps = {
  internalSlots<C extends Codec, Config extends object>(f: CodecFixture<C, Config>): void {
    it('[[active output config]] starts null: the first chunk carries a decoderConfig', async () => {
      expect(withDecoderConfig(await encodeWith(f, f.config, 1))).toEqual([true])
    })
  },

  input<C extends Codec, Config extends object>(f: CodecFixture<C, Config>, e: EncoderParts): void {
    const closed = () => {
      const input = e.input(0)
      input.close()
      return input
    }

    it('step 1: a closed ([[Detached]]) input is a TypeError; nothing is queued', () => {
      const { codec, done } = recorded(f)
      codec.configure(f.config)
      expectThrowsNamed(() => f.feed(codec, closed()), 'TypeError')
      expect(f.queueSize(codec)).toBe(0)
      done()
    })

    it('step 1 comes before step 2: a closed input to an unconfigured or closed encoder is a TypeError', () => {
      const { codec } = recorded(f)
      expectThrowsNamed(() => f.feed(codec, closed()), 'TypeError')
      codec.close()
      expectThrowsNamed(() => f.feed(codec, closed()), 'TypeError')
    })

    it(`step ${e.cloneStep}: the encoder takes a clone; the caller's input stays open and may be closed at once`, async () => {
      const { codec, outputs, done } = recorded(f)
      codec.configure(f.config)
      const input = e.input(0)
      f.feed(codec, input)
      expect(input.format).not.toBeNull()
      input.close()
      await codec.flush()
      expect(outputs.length).toBe(1)
      done()
    })
  },

  output<C extends Codec, Config extends object>(f: CodecFixture<C, Config>): void {
    it('step 6: later chunks with an equal outputConfig carry no decoderConfig (metadata is an empty dictionary)', async () => {
      const outputs = await encodeWith(f, f.config, 3)
      expect(outputs.map((o) => o.keys)).toEqual([['decoderConfig'], [], []])
    })

    it.fails('step 6: configure() with the same config, no reset: the outputConfig is equal, so no decoderConfig', async () => {
      const { codec, outputs, done } = recorded(f)
      codec.configure(f.config)
      f.submit(codec, 0)
      await codec.flush()
      codec.configure(f.config)
      f.submit(codec, 1)
      await codec.flush()
      done()
      expect(withDecoderConfig(outputs)).toEqual([true, false])
    })
  },

  resetAlgorithm<C extends Codec, Config extends object>(f: CodecFixture<C, Config>): void {
    it('steps 3-4: [[active encoder config]] and [[active output config]] are null: the next chunk carries a decoderConfig', async () => {
      const { codec, outputs, done } = recorded(f)
      codec.configure(f.config)
      f.submit(codec, 0)
      await codec.flush()
      codec.reset()
      codec.configure(f.config)
      f.submit(codec, 1)
      await codec.flush()
      done()
      expect(withDecoderConfig(outputs)).toEqual([true, true])
    })
  },
}

/** Where an interface's spec adds tests of its own, by the subsection they belong in. */
export interface CodecExtras {
  internalSlots?: () => void
  configure?: () => void
  input?: () => void
  flush?: () => void
  isConfigSupported?: () => void
  output?: () => void
  resetAlgorithm?: () => void
}

/** The interface's section, laid out as the draft's, with every shared step and `extras`. */
export function describeCodecInterface<C extends Codec, Config extends object>(f: CodecFixture<C, Config>, extras: CodecExtras = {}): void {
  const n = f.section
  const { decoder, encoder } = f
  describe(`${n}. ${f.name} Interface`, () => {
    describe(`${n}.1 Internal Slots`, () => {
      if (decoder) decoderSteps.internalSlots(f, decoder)
      if (encoder) encoderSteps.internalSlots(f)
      extras.internalSlots?.()
    })
    describe(`${n}.2 Constructors`, () => codecSteps.constructors(f))
    describe(`${n}.3 Attributes`, () => codecSteps.attributes(f))
    describe(`${n}.4 Event Summary`, () => codecSteps.eventSummary(f))
    describe(`${n}.5 Methods`, () => {
      describe('configure(config)', () => {
        codecSteps.configure(f)
        if (decoder) decoderSteps.configure(f, decoder)
        extras.configure?.()
      })
      describe(f.inputMethod, () => {
        codecSteps.input(f)
        if (decoder) decoderSteps.input(f, decoder)
        if (encoder) encoderSteps.input(f, encoder)
        extras.input?.()
      })
      describe('flush()', () => {
        codecSteps.flush(f)
        if (decoder) decoderSteps.flush(f, decoder)
        extras.flush?.()
      })
      describe('reset()', () => codecSteps.reset(f))
      describe('close()', () => codecSteps.close(f))
      describe('isConfigSupported(config)', () => {
        codecSteps.isConfigSupported(f)
        extras.isConfigSupported?.()
      })
    })
    describe(`${n}.6 Algorithms`, () => {
      describe('Schedule Dequeue Event', () => codecSteps.scheduleDequeueEvent(f))
      describe(f.outputAlgorithm, () => {
        if (encoder) encoderSteps.output(f)
        extras.output?.()
      })
      describe(`Reset ${f.name} (with exception)`, () => {
        codecSteps.resetAlgorithm(f)
        if (encoder) encoderSteps.resetAlgorithm(f)
        extras.resetAlgorithm?.()
      })
      describe(`Close ${f.name} (with exception)`, () => codecSteps.closeAlgorithm(f))
    })
  })
}
