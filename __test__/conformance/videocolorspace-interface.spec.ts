// § 9.9 Video Color Space Interface (https://w3c.github.io/webcodecs/#video-color-space-interface)
// and the enums of 9.10-9.12, subsection by subsection; numbers as in the editor's draft
// of 2026-05.
import { describe, expect, it } from 'vitest'

import { VideoColorSpace, type VideoColorSpaceInit } from '../../index.js'
import { checkCountersReturn, expectReadonlyAttributes } from '../helpers/conformance.js'
import { expectThrowsNamed } from '../helpers/errors.js'

checkCountersReturn()

const members = ['primaries', 'transfer', 'matrix', 'fullRange'] as const
const json = (space: VideoColorSpace) => members.map((m) => space[m])

describe('9.9 Video Color Space Interface', () => {
  describe('9.9.1 Internal Slots', () => {
    it('[[primaries]], [[transfer]], [[matrix]] and [[full range]] hold what the init gave, each on its own', () => {
      expect(json(new VideoColorSpace({ primaries: 'bt2020' }))).toEqual(['bt2020', null, null, null])
      expect(json(new VideoColorSpace({ transfer: 'hlg' }))).toEqual([null, 'hlg', null, null])
      expect(json(new VideoColorSpace({ matrix: 'rgb' }))).toEqual([null, null, 'rgb', null])
      expect(json(new VideoColorSpace({ fullRange: false }))).toEqual([null, null, null, false])
    })
  })

  describe('9.9.2 Constructors', () => {
    it('VideoColorSpace(init): init is optional and its members default to null', () => {
      expect(json(new VideoColorSpace())).toEqual([null, null, null, null])
      expect(json(new VideoColorSpace({}))).toEqual([null, null, null, null])
      expect(json(new VideoColorSpace(undefined))).toEqual([null, null, null, null])
      expect(json(new VideoColorSpace({ primaries: null, transfer: null, matrix: null, fullRange: null }))).toEqual([null, null, null, null])
    })

    it('steps 1.1-1.4: every member is assigned from init', () => {
      const init: VideoColorSpaceInit = { primaries: 'smpte432', transfer: 'pq', matrix: 'bt2020-ncl', fullRange: true }
      expect(json(new VideoColorSpace(init))).toEqual(['smpte432', 'pq', 'bt2020-ncl', true])
    })

    it('WebIDL: a value outside an enum is a TypeError; fullRange is converted by ToBoolean', () => {
      expectThrowsNamed(() => new VideoColorSpace({ primaries: 'BT709' as never }), 'TypeError')
      expectThrowsNamed(() => new VideoColorSpace({ transfer: 'gamma22' as never }), 'TypeError')
      expectThrowsNamed(() => new VideoColorSpace({ matrix: 'ycgco' as never }), 'TypeError')
      expect(new VideoColorSpace({ fullRange: 1 as never }).fullRange).toBe(true)
      expect(new VideoColorSpace({ fullRange: '' as never }).fullRange).toBe(false)
    })

    it('WebIDL: an init that is not an object (nor undefined or null) is a TypeError', () => {
      expectThrowsNamed(() => new VideoColorSpace(5 as never), 'TypeError')
    })

    it('WebIDL: the constructor called without new is a TypeError', () => {
      expectThrowsNamed(() => (VideoColorSpace as unknown as (this: object, init: object) => unknown).call({}, {}), 'TypeError')
    })
  })

  describe('9.9.3 Attributes', () => {
    it('primaries, transfer, matrix and fullRange are read-only accessors on the prototype', () => {
      expectReadonlyAttributes(VideoColorSpace.prototype, members)
      const space = new VideoColorSpace({ primaries: 'bt709' })
      expect(() => ((space as unknown as { primaries: string }).primaries = 'bt2020')).toThrow(TypeError)
      expect(space.primaries).toBe('bt709')
    })

    it('[Default] toJSON(): a plain object with every attribute, in the IDL order, nulls included', () => {
      const result = new VideoColorSpace({ transfer: 'iec61966-2-1', fullRange: true }).toJSON()
      expect(Object.getPrototypeOf(result)).toBe(Object.prototype)
      expect(Object.keys(result)).toEqual([...members])
      expect(result).toEqual({ primaries: null, transfer: 'iec61966-2-1', matrix: null, fullRange: true })
      expect(JSON.parse(JSON.stringify(new VideoColorSpace({ matrix: 'smpte170m' })))).toEqual({ primaries: null, transfer: null, matrix: 'smpte170m', fullRange: null })
    })

    it('toJSON() round-trips: a VideoColorSpace made from it has the same attributes', () => {
      const space = new VideoColorSpace({ primaries: 'bt470bg', transfer: 'smpte170m', matrix: 'bt470bg', fullRange: false })
      expect(json(new VideoColorSpace(space.toJSON()))).toEqual(json(space))
    })
  })
})

describe('9.10-9.12 VideoColorPrimaries, VideoTransferCharacteristics, VideoMatrixCoefficients', () => {
  const enums: [keyof VideoColorSpaceInit, string[]][] = [
    ['primaries', ['bt709', 'bt470bg', 'smpte170m', 'bt2020', 'smpte432']],
    ['transfer', ['bt709', 'smpte170m', 'iec61966-2-1', 'linear', 'pq', 'hlg']],
    ['matrix', ['rgb', 'bt709', 'bt470bg', 'smpte170m', 'bt2020-ncl']],
  ]
  for (const [member, values] of enums) {
    it(`every ${member} value of the enum is accepted and read back`, () => {
      expect(values.map((value) => new VideoColorSpace({ [member]: value })[member])).toEqual(values)
    })
  }
})
