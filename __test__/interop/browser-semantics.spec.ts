// What code written for browsers (and the libraries wrapping WebCodecs) relies on beyond
// encode and decode: codecs are EventTargets, frames' rects are DOMRectReadOnly, and
// dictionaries read from our objects are accepted back.
import { afterAll, describe, expect, it } from 'vitest'

import { AudioDecoder, DOMRectReadOnly, VideoColorSpace, VideoDecoder, VideoEncoder, VideoFrame } from '../../index.js'
import { assertNoLeaks } from '../helpers/leak-check.js'
import { frameAt } from '../helpers/video.js'

afterAll(() => assertNoLeaks())

const noop = () => {}

describe('codecs as EventTargets', () => {
  it('calls listener objects, honours once, and fires ondequeue before the listeners', () => {
    const decoder = new VideoDecoder({ output: noop, error: noop })
    const calls: string[] = []
    decoder.ondequeue = () => calls.push('handler')
    decoder.addEventListener('dequeue', { handleEvent: (e: Event) => calls.push(`object:${e.type}`) })
    decoder.addEventListener('dequeue', () => calls.push('once'), { once: true })
    expect(decoder.dispatchEvent(new Event('dequeue'))).toBe(true)
    expect(decoder.dispatchEvent(new Event('dequeue'))).toBe(true)
    expect(calls).toEqual(['handler', 'object:dequeue', 'once', 'handler', 'object:dequeue'])
    decoder.close()
  })

  it('dispatches events of any type, reports cancellation, and removes listeners', () => {
    const decoder = new AudioDecoder({ output: noop, error: noop })
    let custom = 0
    const listener = (e: Event) => {
      custom++
      e.preventDefault()
    }
    decoder.addEventListener('custom', listener)
    expect(decoder.dispatchEvent(new Event('custom', { cancelable: true }))).toBe(false)
    decoder.removeEventListener('custom', listener)
    expect(decoder.dispatchEvent(new Event('custom', { cancelable: true }))).toBe(true)
    expect(custom).toBe(1)
    decoder.close()
  })

  it('stops listening when the signal aborts', async () => {
    const encoder = new VideoEncoder({ output: noop, error: noop })
    const controller = new AbortController()
    let events = 0
    encoder.addEventListener('dequeue', () => events++, { signal: controller.signal })
    encoder.configure({ codec: 'vp8', width: 64, height: 48, bitrate: 100_000 })
    const frame = frameAt(64, 48, 0)
    encoder.encode(frame, { keyFrame: true })
    frame.close()
    await encoder.flush()
    const seen = events
    expect(seen).toBeGreaterThanOrEqual(1)
    controller.abort()
    encoder.dispatchEvent(new Event('dequeue'))
    expect(events).toBe(seen)
    encoder.close()
  })

  it('throws TypeError for what is not an Event or a listener', () => {
    const decoder = new VideoDecoder({ output: noop, error: noop })
    expect(() => decoder.dispatchEvent({} as Event)).toThrow(TypeError)
    expect(() => decoder.addEventListener('dequeue', 5 as unknown as () => void)).toThrow(TypeError)
    decoder.close()
  })
})

describe('VideoFrame rects', () => {
  it('are DOMRectReadOnly instances whose toJSON has every attribute', () => {
    const frame = new VideoFrame(new Uint8Array(64 * 48 * 4), {
      format: 'RGBA',
      codedWidth: 64,
      codedHeight: 48,
      timestamp: 0,
      visibleRect: { x: 8, y: 4, width: 32, height: 24 },
    })
    const rect = frame.visibleRect!
    expect(rect).toBeInstanceOf(DOMRectReadOnly)
    expect([rect.x, rect.y, rect.width, rect.height, rect.left, rect.top, rect.right, rect.bottom]).toEqual([8, 4, 32, 24, 8, 4, 40, 28])
    expect(JSON.parse(JSON.stringify(frame.codedRect))).toEqual({ x: 0, y: 0, width: 64, height: 48, top: 0, right: 64, bottom: 48, left: 0 })
    // A rect read from a frame is a valid DOMRectInit for the next one.
    const cropped = new VideoFrame(frame, { visibleRect: rect })
    expect(cropped.visibleRect!.toJSON()).toEqual(rect.toJSON())
    cropped.close()
    frame.close()
  })

  it('constructs like the DOM class, a negative size extending left and up', () => {
    const rect = new DOMRectReadOnly(10, 20, -4, -6)
    expect(rect.toJSON()).toEqual({ x: 10, y: 20, width: -4, height: -6, top: 14, right: 10, bottom: 20, left: 6 })
    expect(new DOMRectReadOnly().toJSON()).toMatchObject({ x: 0, y: 0, width: 0, height: 0 })
  })
})

describe('VideoColorSpace', () => {
  it('accepts its own toJSON back, null members included', () => {
    const unknown = new VideoColorSpace()
    expect(unknown.toJSON()).toEqual({ primaries: null, transfer: null, matrix: null, fullRange: null })
    expect(new VideoColorSpace(unknown.toJSON()).toJSON()).toEqual(unknown.toJSON())
    const partial = new VideoColorSpace({ primaries: 'bt709', fullRange: null })
    expect(new VideoColorSpace(partial.toJSON()).toJSON()).toEqual({ primaries: 'bt709', transfer: null, matrix: null, fullRange: null })
  })

  it('takes a frame colour space with null members in VideoFrameBufferInit and in a decoder config', async () => {
    const colorSpace = { primaries: null, transfer: 'bt709', matrix: null, fullRange: null } as const
    const frame = new VideoFrame(new Uint8Array(16 * 16 * 4), { format: 'RGBA', codedWidth: 16, codedHeight: 16, timestamp: 0, colorSpace })
    expect(frame.colorSpace.transfer).toBe('bt709')
    frame.close()
    expect((await VideoDecoder.isConfigSupported({ codec: 'vp8', colorSpace })).supported).toBe(true)
  })
})
