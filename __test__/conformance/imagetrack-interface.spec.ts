// § 10.7 ImageTrack Interface (https://w3c.github.io/webcodecs/#imagetrack-interface),
// subsection by subsection; numbers as in the editor's draft of 2026-05.
import { describe, expect, it } from 'vitest'

import { ImageDecoder, ImageTrack } from '../../index.js'
import { checkCountersReturn, expectReadonlyAttributes, gifs, nameOf, settle } from '../helpers/conformance.js'
import { expectThrowsNamed } from '../helpers/errors.js'

checkCountersReturn()

/** The selected track of a decoder of `data`, once established; the decoder closed after `test`. */
async function withTrack<T>(test: (track: ImageTrack, decoder: ImageDecoder) => T | Promise<T>, data = gifs.animated()): Promise<T> {
  const decoder = new ImageDecoder({ type: 'image/gif', data })
  try {
    await decoder.tracks.ready
    return await test(decoder.tracks.selectedTrack!, decoder)
  } finally {
    decoder.close()
  }
}

describe('10.7 ImageTrack Interface', () => {
  describe('10.7.1 Internal Slots', () => {
    it('[[ImageDecoder]] and [[ImageTrackList]]: the track is its decoder\'s list\'s', () => withTrack((track, decoder) => expect(decoder.tracks[0]).toBe(track)))
  })

  describe('10.7.2 Attributes', () => {
    it('animated returns [[animated]]', async () => {
      expect(await withTrack((track) => track.animated)).toBe(true)
      expect(await withTrack((track) => track.animated, gifs.still())).toBe(false)
    })

    it('frameCount returns [[frame count]]', async () => {
      expect(await withTrack((track) => track.frameCount, gifs.animated(4))).toBe(4)
    })

    it('repetitionCount returns [[repetition count]]: Infinity for endless, the count given, 0 when none is described', async () => {
      const counts = await Promise.all([gifs.animated(2, 0), gifs.animated(2, 3), gifs.animated(2, null)].map((data) => withTrack((track) => track.repetitionCount, data)))
      expect(counts).toEqual([Infinity, 3, 0])
    })

    it('animated, frameCount and repetitionCount are read-only accessors; selected has a setter', () => {
      expectReadonlyAttributes(ImageTrack.prototype, ['animated', 'frameCount', 'repetitionCount'])
      expect(typeof Object.getOwnPropertyDescriptor(ImageTrack.prototype, 'selected')?.set).toBe('function')
    })

    describe('selected', () => {
      it('the getter returns [[selected]]: the default track is selected', () => withTrack((track) => expect(track.selected).toBe(true)))

      it('setter steps 4-9: false unselects (selectedIndex -1), true selects it again (its index)', () =>
        withTrack((track, decoder) => {
          track.selected = false
          expect([track.selected, decoder.tracks.selectedIndex]).toEqual([false, -1])
          track.selected = true
          expect([track.selected, decoder.tracks.selectedIndex]).toEqual([true, 0])
        }))

      it('setter step 10: a change runs "Reset ImageDecoder": pending decodes are rejected', () =>
        withTrack(async (track, decoder) => {
          const pending = settle(decoder.decode({ frameIndex: 2 }))
          track.selected = false
          const [outcome, error] = await pending
          expect([outcome, nameOf(error)]).toEqual(['rejected', 'AbortError'])
        }))

      it('setter step 3: the value it already has changes nothing (pending decodes go on)', () =>
        withTrack(async (track, decoder) => {
          const pending = decoder.decode({ frameIndex: 2 })
          track.selected = true
          const { image } = await pending
          expect(image.timestamp).toBe(300_000)
          image.close()
        }))

      it('setter steps 11-12: decodes after selecting again use the track', () =>
        withTrack(async (track, decoder) => {
          track.selected = false
          track.selected = true
          const { image } = await decoder.decode({ frameIndex: 1 })
          expect(image.timestamp).toBe(100_000)
          image.close()
        }))

      it('setter step 1: on a closed decoder the setter does nothing to the (emptied) list', () =>
        withTrack((track, decoder) => {
          decoder.close()
          track.selected = true
          expect([decoder.tracks.selectedIndex, decoder.tracks.length]).toEqual([-1, 0])
        }))

      // "Close ImageDecoder" empties the list but leaves each track's [[selected]]; ours
      // derives the getter from the list's selected index, so it reads false after close().
      it('setter step 1: on a closed decoder [[selected]] keeps its value (true for the default track)', () =>
        withTrack((track, decoder) => {
          decoder.close()
          track.selected = false
          expect(track.selected).toBe(true)
        }))
    })
  })

  it('WebIDL: ImageTrack has no constructor: new ImageTrack() is a TypeError', () => {
    expectThrowsNamed(() => new (ImageTrack as unknown as new () => unknown)(), 'TypeError')
  })
})
