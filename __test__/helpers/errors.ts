import { expect } from 'vitest'

/** Expects `fn` to throw an error whose `name` is exactly `name` (TypeError, or a DOMException name). */
export function expectThrowsNamed(fn: () => unknown, name: string): void {
  let caught: unknown
  try {
    fn()
  } catch (e) {
    caught = e
  }
  expect(caught, `expected ${name}`).toBeDefined()
  expect((caught as Error).name).toBe(name)
  if (name === 'TypeError') expect(caught).toBeInstanceOf(TypeError)
  else if (name === 'RangeError') expect(caught).toBeInstanceOf(RangeError)
  else expect(caught).toBeInstanceOf(DOMException)
}

export async function expectRejectsNamed(promise: Promise<unknown>, name: string): Promise<void> {
  const caught = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(caught, `expected rejection with ${name}`).toBeDefined()
  expect((caught as Error).name).toBe(name)
}
