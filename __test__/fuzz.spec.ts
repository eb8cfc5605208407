// The bitstream fuzzer (fuzz/run.ts) in CI: a fixed seed, 500 cases per decoder, each
// decoder in a child process so a crash fails the run instead of ending it. The harness
// is tested too: injected crashes, hangs, leaks and wrong errors must turn it red.
import { spawn } from 'node:child_process'
import { join } from 'node:path'

import { describe, expect, it } from 'vitest'

const root = join(__dirname, '..')

interface Run {
  code: number | null
  output: string
}

function fuzz(...args: string[]): Promise<Run> {
  const proc = spawn(process.execPath, ['--import', 'tsx', join(root, 'fuzz', 'run.ts'), ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  proc.stdout.setEncoding('utf8').on('data', (text: string) => (output += text))
  proc.stderr.setEncoding('utf8').on('data', (text: string) => (output += text))
  return new Promise((resolve) => proc.on('close', (code) => resolve({ code, output })))
}

function summary(run: Run): Record<string, number> {
  const line = run.output.split('\n').find((l) => l.startsWith('fuzz summary:'))
  expect(line, run.output).toBeDefined()
  return Object.fromEntries([...line!.matchAll(/(\w+)=([\d.]+)/g)].map(([, k, v]) => [k, Number(v)]))
}

describe('bitstream fuzzer', () => {
  it('decodes 500 mutated streams per decoder and image format without a crash, hang, wrong error or leak', async () => {
    const run = await fuzz('--seed', '20261201', '--cases', '500', '--jobs', '2')
    const totals = summary(run)
    expect(run.output.split('\n').filter((l) => l.startsWith('FAIL')), run.output).toEqual([])
    expect(run.code, run.output).toBe(0)
    expect(totals.failures).toBe(0)
    // 20 decoders and 8 image formats.
    expect(totals.codecs).toBe(28)
    expect(totals.cases).toBe(28 * 500)
    // The mutations reach every outcome the spec allows.
    expect(totals.decoded).toBeGreaterThan(1000)
    expect(totals.encodingErrors).toBeGreaterThan(1000)
    expect(totals.typeErrors).toBeGreaterThan(100)
    expect(totals.dataErrors).toBeGreaterThan(100)
  }, 180_000)

  it('no longer deadlocks dav1d on the corrupt stream after a flush it once hung on', async () => {
    const run = await fuzz('--seed', '1', '--codec', 'av1', '--from', '397', '--cases', '7', '--watchdog', '10000')
    expect(run.code, run.output).toBe(0)
    expect(summary(run).cases).toBe(7)
  }, 60_000)

  describe('reports its own failures', () => {
    const cases: [string, RegExp][] = [
      ['crash@3', /FAIL pcm-s16 crashed with SIGSEGV in case 3\n {2}replay: npm run fuzz -- --seed 5 --codec pcm-s16 --from 3 --cases 1/],
      ['hang@2', /FAIL pcm-s16 case 2 .*flush did not settle within 500 ms/],
      ['leak@1', /FAIL pcm-s16 case 1 .*getCounters\(\)\.audioData is [1-9]/],
      ['wrong-error@4', /FAIL pcm-s16 case 4 .*injected wrong error/],
    ]
    for (const [inject, expected] of cases) {
      it(`--inject ${inject}`, async () => {
        const run = await fuzz('--seed', '5', '--codec', 'pcm-s16', '--cases', '6', '--watchdog', '500', '--inject', inject)
        expect(run.code).toBe(1)
        expect(run.output).toMatch(expected)
        expect(summary(run).failures).toBeGreaterThan(0)
      }, 30_000)
    }
  })
})
