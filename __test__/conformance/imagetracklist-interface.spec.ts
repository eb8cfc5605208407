// § 10.6 ImageTrackList Interface (https://w3c.github.io/webcodecs/#imagetracklist-interface),
// subsection by subsection; numbers as in the editor's draft of 2026-05.
import { describe, expect, it } from 'vitest'

import { ImageDecoder, ImageTrack, ImageTrackList } from '../../index.js'
import { checkCountersReturn, expectReadonlyAttributes, gifs, settle } from '../helpers/conformance.js'
import { expectThrowsNamed } from '../helpers/errors.js'

checkCountersReturn()

/** A decoder of an animated GIF whose tracks are established; closed after `test`. */
async function withTracks<T>(test: (tracks: ImageTrackList, decoder: ImageDecoder) => T | Promise<T>): Promise<T> {
  const decoder = new ImageDecoder({ type: 'image/gif', data: gifs.animated() })
  try {
    await decoder.tracks.ready
    return await test(decoder.tracks, decoder)
  } finally {
    decoder.close()
  }
}

describe('10.6 ImageTrackList Interface', () => {
  describe('10.6.1 Internal Slots', () => {
    it('[[track list]] starts empty and [[selected index]] at -1, until the tracks are established', async () => {
      const decoder = new ImageDecoder({ type: 'image/gif', data: gifs.animated() })
      const before = [decoder.tracks.length, decoder.tracks.selectedIndex, decoder.tracks.selectedTrack]
      await decoder.tracks.ready
      const after = [decoder.tracks.length, decoder.tracks.selectedIndex]
      decoder.close()
      expect([before, after]).toEqual([[0, -1, null], [1, 0]])
    })

    it('[[ready promise]] resolves with undefined once the list is populated', async () => {
      const decoder = new ImageDecoder({ type: 'image/gif', data: gifs.animated() })
      const [outcome, value] = await settle(decoder.tracks.ready)
      decoder.close()
      expect([outcome, value]).toEqual(['resolved', undefined])
    })
  })

  describe('10.6.2 Attributes', () => {
    it('ready returns [[ready promise]]: the same promise each time', () => withTracks((tracks) => expect(tracks.ready).toBe(tracks.ready)))

    it('length returns the length of [[track list]]', () => withTracks((tracks) => expect(tracks.length).toBe(1)))

    it('selectedIndex returns [[selected index]]; -1 once no track is selected', () =>
      withTracks((tracks) => {
        expect(tracks.selectedIndex).toBe(0)
        tracks[0].selected = false
        expect(tracks.selectedIndex).toBe(-1)
      }))

    it('selectedTrack: null for [[selected index]] -1, else the track at that index', () =>
      withTracks((tracks) => {
        expect(tracks.selectedTrack).toBe(tracks[0])
        tracks[0].selected = false
        expect(tracks.selectedTrack).toBeNull()
      }))

    it('getter ImageTrack (unsigned long index): the track at index, undefined past the end', () =>
      withTracks((tracks) => {
        expect(tracks[0]).toBeInstanceOf(ImageTrack)
        expect(tracks[0]).toBe(tracks[0])
        expect(tracks[1]).toBeUndefined()
      }))

    it('the attributes are read-only accessors on the prototype', () => {
      expectReadonlyAttributes(ImageTrackList.prototype, ['ready', 'length', 'selectedIndex', 'selectedTrack'])
    })

    it('"Close ImageDecoder": the list is emptied and [[selected index]] set to -1', () =>
      withTracks((tracks, decoder) => {
        decoder.close()
        expect([tracks.length, tracks.selectedIndex, tracks.selectedTrack, tracks[0]]).toEqual([0, -1, null, undefined])
      }))
  })

  it('WebIDL: ImageTrackList has no constructor: new ImageTrackList() is a TypeError', () => {
    expectThrowsNamed(() => new (ImageTrackList as unknown as new () => unknown)(), 'TypeError')
  })
})
