// § 8.2 EncodedVideoChunk Interface (https://w3c.github.io/webcodecs/#encodedvideochunk-interface),
// subsection by subsection; numbers as in the editor's draft of 2026-05. The draft defines
// the two chunk interfaces alike: their steps are registered from helpers/conformance.ts.
import { describe } from 'vitest'

import { EncodedVideoChunk } from '../../index.js'
import { checkCountersReturn, chunkSteps } from '../helpers/conformance.js'

checkCountersReturn()

describe('8.2 EncodedVideoChunk Interface', () => {
  describe('8.2.1 Internal Slots', () => chunkSteps.internalSlots(EncodedVideoChunk))
  describe('8.2.2 Constructors', () => chunkSteps.constructors(EncodedVideoChunk))
  describe('8.2.3 Attributes', () => chunkSteps.attributes(EncodedVideoChunk))
  describe('8.2.4 Methods', () => chunkSteps.methods(EncodedVideoChunk))
  describe('8.2.5 Serialization', () => chunkSteps.serialization(EncodedVideoChunk))
})
