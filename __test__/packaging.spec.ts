import { spawnSync } from 'node:child_process'
import { join } from 'node:path'

import { afterAll, describe, expect, it } from 'vitest'

import * as webcodecs from '../index.js'
import { assertNoLeaks } from './helpers/leak-check.js'

afterAll(() => assertNoLeaks())

const classes = ['VideoFrame', 'AudioData', 'EncodedVideoChunk', 'EncodedAudioChunk', 'VideoColorSpace', 'VideoEncoder', 'VideoDecoder', 'AudioEncoder', 'AudioDecoder'] as const

describe('package entry points', () => {
  it('exports every WebCodecs class from CommonJS', () => {
    for (const name of classes) expect(typeof webcodecs[name], name).toBe('function')
  })

  it('imports by name from ESM, and the polyfill installs the same classes on globalThis', () => {
    const run = spawnSync(process.execPath, [join(__dirname, 'scripts', 'esm-import.mjs')], { encoding: 'utf8' })
    expect(run.stderr).toBe('')
    expect(JSON.parse(run.stdout)).toEqual({ same: true, counters: 'number' })
  })

  it('the polyfill leaves classes the runtime already has alone', () => {
    const code = `globalThis.VideoFrame = 'native'; require('webcodecs-rs/polyfill'); console.log(globalThis.VideoFrame, typeof globalThis.VideoDecoder)`
    const run = spawnSync(process.execPath, ['-e', code], { encoding: 'utf8', cwd: join(__dirname, '..') })
    expect(run.stdout.trim()).toBe('native function')
  })
})
