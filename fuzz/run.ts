// `npm run fuzz -- [--seed N] [--cases N] [--codec a,b] [--from N] [--jobs N]`
//
// Each decoder is fuzzed in a child process of its own, so a crash ends that child, not
// the run, and is reported with the case it happened in. Exit status 0 means no crash,
// no hang, no wrong error and no leak in any case.
import { spawn } from 'node:child_process'
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs'
import { availableParallelism, tmpdir } from 'node:os'
import { join } from 'node:path'

import { fuzzTarget, type Summary } from './core.js'
import { buildImageTarget, fuzzImageTarget, IMAGE_TARGETS } from './image.js'
import { buildTarget, TARGETS as CODEC_TARGETS } from './seeds.js'

/** Every decoder and image format, by the name `--codec` takes. */
const TARGETS = [...CODEC_TARGETS, ...IMAGE_TARGETS]

interface Args {
  seed: number
  cases: number
  from: number
  codecs: string[]
  jobs: number
  watchdogMs: number
  /** A child that prints nothing for this long is killed and reported as hung. */
  stallMs: number
  child?: string
  inject?: { kind: 'leak' | 'hang' | 'crash' | 'wrong-error'; at: number }
}

function parseArgs(argv: string[]): Args {
  const args: Args = {
    seed: Math.floor(Math.random() * 2 ** 31),
    cases: 10_000,
    from: 0,
    codecs: TARGETS,
    jobs: Math.max(1, availableParallelism()),
    watchdogMs: 20_000,
    stallMs: 120_000,
  }
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]
    const value = argv[++i]
    const int = () => {
      const n = Number(value)
      if (!Number.isSafeInteger(n) || n < 0) throw new Error(`${flag} takes a non-negative integer, not ${value}`)
      return n
    }
    switch (flag) {
      case '--seed':
        args.seed = int()
        break
      case '--cases':
        args.cases = int()
        break
      case '--from':
        args.from = int()
        break
      case '--jobs':
        args.jobs = Math.max(1, int())
        break
      case '--watchdog':
        args.watchdogMs = int()
        break
      case '--stall':
        args.stallMs = int()
        break
      case '--codec':
        args.codecs = value.split(',').filter(Boolean)
        for (const c of args.codecs) if (!TARGETS.includes(c)) throw new Error(`unknown codec ${c}; one of ${TARGETS.join(', ')}`)
        break
      case '--child':
        args.child = value
        break
      case '--inject': {
        // Breaks the rules on purpose (kind@case) so the harness's own checks can be tested.
        const [kind, at] = value.split('@')
        if (!['leak', 'hang', 'crash', 'wrong-error'].includes(kind)) throw new Error(`--inject ${value}`)
        args.inject = { kind: kind as 'leak', at: Number(at) }
        break
      }
      default:
        throw new Error(`unknown option ${flag}`)
    }
  }
  return args
}

const TAG = '@fuzz '

/** Child: fuzz one decoder, one JSON line per event on stdout. */
async function child(args: Args, name: string): Promise<void> {
  const emit = (event: object) => process.stdout.write(TAG + JSON.stringify(event) + '\n')
  const options = {
    seed: args.seed,
    from: args.from,
    cases: args.cases,
    watchdogMs: args.watchdogMs,
    inject: args.inject,
    onCase: (index: number) => emit({ case: index }),
    onFailure: (failure: Summary['failures'][number]) => emit({ failure }),
  }
  const summary = IMAGE_TARGETS.includes(name)
    ? await fuzzImageTarget(buildImageTarget(name), options)
    : await fuzzTarget(await buildTarget(name), options)
  emit({ summary })
  // A hung decoder may hold the event loop open; the summary is out, so leave.
  process.exit(0)
}

interface ChildResult {
  summary?: Summary
  failures: string[]
}

/**
 * Copies the addon every child is to load, so that a rebuild during a long run (which
 * replaces the file in the checkout) cannot mix two builds in one run. Returns the
 * environment for the children and a clean-up function.
 */
function pinAddon(): { env: NodeJS.ProcessEnv; release: () => void } {
  const built = join(__dirname, '..', `webcodecs-rs.${process.platform}-${process.arch}-gnu.node`)
  if (process.env.NAPI_RS_NATIVE_LIBRARY_PATH || !existsSync(built)) return { env: process.env, release: () => {} }
  const dir = mkdtempSync(join(tmpdir(), 'webcodecs-fuzz-'))
  const pinned = join(dir, 'webcodecs-rs.node')
  copyFileSync(built, pinned)
  return { env: { ...process.env, NAPI_RS_NATIVE_LIBRARY_PATH: pinned }, release: () => rmSync(dir, { recursive: true, force: true }) }
}

function runChild(args: Args, name: string, env: NodeJS.ProcessEnv): Promise<ChildResult> {
  const replay = (index: number) => `replay: npm run fuzz -- --seed ${args.seed} --codec ${name} --from ${index} --cases 1`
  const passOn = ['--seed', args.seed, '--cases', args.cases, '--from', args.from, '--watchdog', args.watchdogMs].map(String)
  if (args.inject) passOn.push('--inject', `${args.inject.kind}@${args.inject.at}`)
  const proc = spawn(process.execPath, [...process.execArgv, join(__dirname, 'run.ts'), '--child', name, ...passOn], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env,
  })
  const result: ChildResult = { failures: [] }
  let current = -1
  let stderr = ''
  let buffered = ''
  let stalled = false
  let stallTimer: NodeJS.Timeout | undefined
  const armStall = () => {
    clearTimeout(stallTimer)
    stallTimer = setTimeout(() => {
      stalled = true
      proc.kill('SIGKILL')
    }, args.stallMs)
  }
  armStall()
  proc.stderr.setEncoding('utf8')
  proc.stderr.on('data', (text: string) => (stderr = (stderr + text).slice(-4000)))
  proc.stdout.setEncoding('utf8')
  proc.stdout.on('data', (text: string) => {
    armStall()
    buffered += text
    const lines = buffered.split('\n')
    buffered = lines.pop()!
    for (const line of lines) {
      if (!line.startsWith(TAG)) continue
      const event = JSON.parse(line.slice(TAG.length)) as { case?: number; failure?: Summary['failures'][number]; summary?: Summary }
      if (event.case !== undefined) current = event.case
      if (event.failure) {
        const { index, ops, messages } = event.failure
        const where = index < 0 ? 'after the run' : `case ${index} [${ops.join(' ')}]`
        const line = `FAIL ${name} ${where}: ${messages.join('; ')}${index < 0 ? '' : `\n  ${replay(index)}`}`
        result.failures.push(line)
        console.log(line)
      }
      if (event.summary) result.summary = event.summary
    }
  })
  return new Promise((resolve) => {
    proc.on('close', (code, signal) => {
      clearTimeout(stallTimer)
      if (!result.summary || code !== 0) {
        const how = stalled ? `hung (no progress for ${args.stallMs} ms)` : signal ? `crashed with ${signal}` : `exited with code ${code}`
        const at = current < 0 ? 'before its first case' : `in case ${current}\n  ${replay(current)}`
        const line = `FAIL ${name} ${how} ${at}${stderr ? `\n  stderr: ${stderr.trim().split('\n').slice(-5).join('\n  ')}` : ''}`
        result.failures.push(line)
        console.log(line)
      }
      resolve(result)
    })
  })
}

function describeSummary(s: Summary): string {
  return (
    `${s.target}: ${s.cases} cases in ${(s.ms / 1000).toFixed(1)} s: ${s.ok} decoded, ${s.encodingErrors} EncodingError, ` +
    `${s.notSupported} NotSupportedError; sync: ${s.typeErrors} TypeError, ${s.dataErrors} DataError; ${s.outputs} outputs; ${s.failures.length} failing`
  )
}

async function parent(args: Args): Promise<number> {
  const started = performance.now()
  console.log(`fuzz: seed ${args.seed}, ${args.cases} cases per codec from ${args.from}, ${args.codecs.length} codecs, ${args.jobs} at a time`)
  const queue = [...args.codecs]
  const results: ChildResult[] = []
  const addon = pinAddon()
  try {
    await Promise.all(
      Array.from({ length: Math.min(args.jobs, queue.length) }, async () => {
        for (let name = queue.shift(); name; name = queue.shift()) {
          const result = await runChild(args, name, addon.env)
          if (result.summary) console.log(describeSummary(result.summary))
          results.push(result)
        }
      }),
    )
  } finally {
    addon.release()
  }
  const total = (pick: (s: Summary) => number) => results.reduce((n, r) => n + (r.summary ? pick(r.summary) : 0), 0)
  const failures = results.reduce((n, r) => n + r.failures.length, 0)
  console.log(
    `fuzz summary: seed=${args.seed} codecs=${args.codecs.length} cases=${total((s) => s.cases)} failures=${failures} ` +
      `decoded=${total((s) => s.ok)} encodingErrors=${total((s) => s.encodingErrors)} notSupported=${total((s) => s.notSupported)} ` +
      `typeErrors=${total((s) => s.typeErrors)} dataErrors=${total((s) => s.dataErrors)} seconds=${((performance.now() - started) / 1000).toFixed(1)}`,
  )
  return failures === 0 ? 0 : 1
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2))
  if (args.child) await child(args, args.child)
  else process.exitCode = await parent(args)
}

main().catch((e: unknown) => {
  console.error(e)
  process.exit(2)
})
