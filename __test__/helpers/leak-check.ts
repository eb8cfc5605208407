// Leak detection for spec files: every native instance a file creates must be gone
// (closed or collected) once the file is done.
import { expect } from 'vitest'

import { getCounters, type Counters } from '../../index.js'

export function snapshot(): Counters {
  return getCounters()
}

/** Runs full GCs until finalizers have had a chance to run. Needs --expose-gc. */
export async function waitForGC(rounds = 3): Promise<void> {
  const gc = globalThis.gc
  if (!gc) throw new Error('run node with --expose-gc')
  for (let i = 0; i < rounds; i++) {
    gc()
    // Finalizers run from the event loop after a collection.
    await new Promise((resolve) => setImmediate(resolve))
  }
}

/** Asserts every counter is back to `baseline` (by default all zero). */
export async function assertNoLeaks(baseline: Counters = zero()): Promise<void> {
  await waitForGC()
  expect(getCounters()).toEqual(baseline)
}

function zero(): Counters {
  return {
    videoFrames: 0,
    audioData: 0,
    videoEncoders: 0,
    videoDecoders: 0,
    audioEncoders: 0,
    audioDecoders: 0,
    imageDecoders: 0,
    inFlight: 0,
  }
}
