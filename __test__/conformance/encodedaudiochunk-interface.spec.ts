// § 8.1 EncodedAudioChunk Interface (https://w3c.github.io/webcodecs/#encodedaudiochunk-interface),
// subsection by subsection; numbers as in the editor's draft of 2026-05. The draft defines
// the two chunk interfaces alike: their steps are registered from helpers/conformance.ts.
import { describe } from 'vitest'

import { EncodedAudioChunk } from '../../index.js'
import { checkCountersReturn, chunkSteps } from '../helpers/conformance.js'

checkCountersReturn()

describe('8.1 EncodedAudioChunk Interface', () => {
  describe('8.1.1 Internal Slots', () => chunkSteps.internalSlots(EncodedAudioChunk))
  describe('8.1.2 Constructors', () => chunkSteps.constructors(EncodedAudioChunk))
  describe('8.1.3 Attributes', () => chunkSteps.attributes(EncodedAudioChunk))
  describe('8.1.4 Methods', () => chunkSteps.methods(EncodedAudioChunk))
  describe('8.1.5 Serialization', () => chunkSteps.serialization(EncodedAudioChunk))
})
