// The codecs' EventTarget side, as the draft defines it: every codec interface inherits
// EventTarget (https://w3c.github.io/webcodecs/#videoencoder-interface), `ondequeue` is an
// event handler attribute, and "Schedule Dequeue Event" fires one coalesced `dequeue`
// event from a task of its own, never inside the method that shrank the queue.
import { afterAll, describe, expect, it } from 'vitest'

import { AudioDecoder, AudioEncoder, VideoDecoder, VideoEncoder } from '../index.js'
import { assertNoLeaks } from './helpers/leak-check.js'
import { frameAt } from './helpers/video.js'

afterAll(() => assertNoLeaks())

const noop = () => {}
const init = { output: noop, error: noop }
/** What every codec interface shares of EventTarget, as this spec uses it. */
interface Codec extends EventTarget {
  close(): void
}
const codecs: [string, () => Codec][] = [
  ['VideoEncoder', () => new VideoEncoder(init)],
  ['VideoDecoder', () => new VideoDecoder(init)],
  ['AudioEncoder', () => new AudioEncoder(init)],
  ['AudioDecoder', () => new AudioDecoder(init)],
]
/** `Event.AT_TARGET`, which Node's typings leave out. */
const AT_TARGET = 2

const nextTask = () => new Promise((resolve) => setTimeout(resolve, 20))

describe('codec interfaces inherit EventTarget', () => {
  for (const [name, make] of codecs) {
    it(`${name} instances are EventTargets, and so is its prototype`, () => {
      const codec = make()
      expect(codec).toBeInstanceOf(EventTarget)
      expect(Object.getPrototypeOf(Object.getPrototypeOf(codec))).toBe(EventTarget.prototype)
      codec.close()
    })

    it(`${name} calls listeners with the codec as this, target and currentTarget`, () => {
      const codec = make()
      const seen: unknown[][] = []
      codec.addEventListener('dequeue', function (this: unknown, e: Event) {
        seen.push([this === codec, e.target === codec, e.currentTarget === codec, e.eventPhase])
      })
      codec.addEventListener('dequeue', { handleEvent: (e: Event) => seen.push([e.target === codec]) })
      expect(codec.dispatchEvent(new Event('dequeue'))).toBe(true)
      expect(seen).toEqual([[true, true, true, AT_TARGET], [true]])
      codec.close()
    })
  }
})

describe('a subclass of a codec', () => {
  it('keeps the codec and EventTarget behaviour: configure, encode, output, listeners', async () => {
    class TracedEncoder extends VideoEncoder {
      outputs = 0
      encodeAndCount(frame: Parameters<VideoEncoder['encode']>[0]) {
        this.encode(frame)
      }
    }
    const encoder = new TracedEncoder({ output: () => encoder.outputs++, error: noop })
    expect(encoder).toBeInstanceOf(TracedEncoder)
    expect(encoder).toBeInstanceOf(VideoEncoder)
    expect(encoder).toBeInstanceOf(EventTarget)
    expect(Object.getPrototypeOf(TracedEncoder.prototype)).toBe(VideoEncoder.prototype)
    expect(Object.getPrototypeOf(VideoEncoder.prototype)).toBe(EventTarget.prototype)
    expect(Object.prototype.toString.call(encoder)).toBe('[object VideoEncoder]')
    let dequeues = 0
    let target: EventTarget | null = null
    encoder.addEventListener('dequeue', (event) => {
      dequeues++
      target = event.target
    })
    encoder.configure({ codec: 'vp8', width: 64, height: 48, bitrate: 200_000 })
    expect(encoder.state).toBe('configured')
    for (let i = 0; i < 3; i++) {
      const frame = frameAt(64, 48, i)
      encoder.encodeAndCount(frame)
      frame.close()
    }
    await encoder.flush()
    expect(encoder.outputs).toBe(3)
    expect(dequeues).toBeGreaterThanOrEqual(1)
    expect(target).toBe(encoder)
    expect(encoder.dispatchEvent(new Event('custom'))).toBe(true)
    encoder.close()
    expect(encoder.state).toBe('closed')

    // A second instance of the subclass, and the base class after it, are unaffected.
    const again = new TracedEncoder(init)
    expect(typeof again.configure).toBe('function')
    again.close()
    const plain = new VideoEncoder(init)
    expect(plain).not.toBeInstanceOf(TracedEncoder)
    plain.close()
  })

  for (const Base of [VideoEncoder, VideoDecoder, AudioEncoder, AudioDecoder] as (new (i: typeof init) => Codec)[]) {
    it(`${Base.name}: a subclass instance has the base class's methods`, () => {
      class Sub extends Base {}
      const codec = new Sub(init)
      expect(Object.getPrototypeOf(Object.getPrototypeOf(codec))).toBe(Base.prototype)
      expect(typeof (codec as unknown as { configure: unknown }).configure).toBe('function')
      expect(codec).toBeInstanceOf(EventTarget)
      codec.close()
    })
  }
})

describe('ondequeue, an event handler IDL attribute', () => {
  it('runs with the codec as this, at the place in the listener order where it was first set', () => {
    const codec = new VideoDecoder(init)
    const order: string[] = []
    codec.addEventListener('dequeue', () => order.push('first listener'))
    codec.ondequeue = function (this: unknown) {
      order.push(this === codec ? 'handler' : 'handler with a wrong this')
    }
    codec.addEventListener('dequeue', () => order.push('last listener'))
    codec.ondequeue = () => order.push('replaced handler')
    codec.dispatchEvent(new Event('dequeue'))
    expect(order).toEqual(['first listener', 'replaced handler', 'last listener'])
    codec.close()
  })

  it('stores null for what is not a function, and null removes the handler', () => {
    const codec = new AudioEncoder(init)
    let calls = 0
    codec.ondequeue = () => calls++
    codec.ondequeue = 'not a function' as never
    expect(codec.ondequeue).toBeNull()
    codec.dispatchEvent(new Event('dequeue'))
    expect(calls).toBe(0)
    codec.close()
  })
})

describe('Schedule Dequeue Event', () => {
  it('never fires inside encode(), and fires once the worker took an input', async () => {
    const encoder = new VideoEncoder(init)
    encoder.configure({ codec: 'vp8', width: 64, height: 48, bitrate: 200_000 })
    let inside = false
    let events = 0
    let firedInside = 0
    encoder.ondequeue = () => {
      events++
      if (inside) firedInside++
    }
    inside = true
    for (let i = 0; i < 4; i++) {
      const frame = frameAt(64, 48, i)
      encoder.encode(frame)
      frame.close()
    }
    inside = false
    expect(events).toBe(0)
    await encoder.flush()
    expect(firedInside).toBe(0)
    expect(events).toBeGreaterThanOrEqual(1)
    expect(events).toBeLessThanOrEqual(4)
    encoder.close()
  })

  it('after reset() drops queued inputs: one event, from a later task, with the queue empty', async () => {
    const encoder = new VideoEncoder(init)
    encoder.configure({ codec: 'vp8', width: 320, height: 240, bitrate: 500_000 })
    const sizes: number[] = []
    let inReset = false
    let firedInReset = false
    for (let i = 0; i < 12; i++) {
      const frame = frameAt(320, 240, i)
      encoder.encode(frame)
      frame.close()
    }
    expect(encoder.encodeQueueSize).toBeGreaterThan(0)
    encoder.ondequeue = () => {
      sizes.push(encoder.encodeQueueSize)
      firedInReset ||= inReset
    }
    inReset = true
    encoder.reset()
    inReset = false
    expect(sizes).toEqual([])
    expect(encoder.encodeQueueSize).toBe(0)
    await nextTask()
    expect(firedInReset).toBe(false)
    expect(sizes).toEqual([0])
    encoder.close()
  })

  it('fires nothing for a reset() of an empty queue', async () => {
    const decoder = new AudioDecoder(init)
    let events = 0
    decoder.ondequeue = () => events++
    decoder.configure({ codec: 'pcm-s16', sampleRate: 8000, numberOfChannels: 1 })
    decoder.reset()
    await nextTask()
    expect(events).toBe(0)
    decoder.close()
  })
})
