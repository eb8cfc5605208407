import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['__test__/**/*.spec.ts'],
    // Child processes, not worker threads: each spec file gets its own V8 heap, and
    // --expose-gc lets the memory and leak checks force collection.
    pool: 'forks',
    execArgv: ['--expose-gc'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
})
