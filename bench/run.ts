// `npm run bench [-- --quick] [--only <scenario>]`: every scenario (or one) with
// webcodecs-rs, @napi-rs/webcodecs and the ffmpeg CLI side by side, on the same inputs and
// settings. Prints a table with ratios, writes bench/results/<date>.json and an SVG chart
// (also bench/results/latest.svg).
import { execFileSync, spawn, spawnSync } from 'node:child_process'
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { cpus, totalmem } from 'node:os'
import { join } from 'node:path'

import { annexB, audioChunk, decodeInputFile, distinctFrames, encodedFile, inputFrames, rawVideoInput, scenarios, type Scenario } from './scenarios.js'

type Impl = 'webcodecs-rs' | '@napi-rs/webcodecs' | 'ffmpeg CLI'
const impls: Impl[] = ['webcodecs-rs', '@napi-rs/webcodecs', 'ffmpeg CLI']

interface Result {
  fps?: number
  cpuSeconds?: number
  peakRssMb?: number
  rssGrowthMb?: number
  /** The event loop's 99th-percentile delay (perf_hooks.monitorEventLoopDelay, 1 ms timer). */
  p99DelayMs?: number
  /** Encodes: PSNR of the output against the input, and the bitrate achieved. */
  psnrDb?: number
  mbps?: number
  /** Encodes: the payload the first encoder produced. */
  bytes?: number
  error?: string
}

const quick = process.argv.includes('--quick')
// `--only <scenario>` runs that one scenario (with or without --quick).
const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined
const tmp = '/dev/shm/webcodecs-bench'
const root = join(__dirname, '..')

function framesOf(s: Scenario): number {
  return quick ? s.quickFrames : s.frames
}

const encodes = (s: Scenario) => s.kind === 'encode'
const decodes = (s: Scenario) => s.kind === 'decode' || s.kind === 'decode-copy'
const decodeInput = (s: Scenario) => decodeInputFile(tmp, s)

/** Decoder inputs, made once by the ffmpeg CLI (testsrc2, one key frame). */
function prepareDecodeInput(s: Scenario): void {
  const encoder = { h264: ['libx264', '-bsf:v', 'h264_metadata=aud=insert'], vp9: ['libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '8'], av1: ['libsvtav1', '-preset', '12'] }[s.ffmpegCodec]!
  execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', `testsrc2=size=${s.width}x${s.height}:rate=30`, '-frames:v', String(framesOf(s)), '-g', '100000', '-b:v', String(s.bitrate), '-c:v', ...encoder, '-y', decodeInput(s)])
}

/** Image inputs, made once by the ffmpeg CLI from testsrc2: the GIF animated, the others stills. */
function prepareImageInput(s: Scenario): void {
  const file = join(tmp, `${s.name}.${s.ffmpegCodec}`)
  const count = s.ffmpegCodec === 'gif' ? framesOf(s) : 1
  execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', `testsrc2=size=${s.width}x${s.height}:rate=25`, '-frames:v', String(count), '-y', file])
}

/** Encoder inputs, made once by the ffmpeg CLI: testsrc2's moving shapes, gradients and
 * text under a little temporal noise (like a camera's), so that neither a flat pattern nor
 * noise alone decides the encoders' speed and quality. */
function prepareEncodeInput(s: Scenario): void {
  const source = `testsrc2=size=${s.width}x${s.height}:rate=30,noise=alls=4:allf=t`
  const pixels = s.format === 'RGBA' ? 'rgba' : 'yuv420p'
  execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', source, '-frames:v', String(distinctFrames(framesOf(s))), '-pix_fmt', pixels, '-f', 'rawvideo', '-y', join(tmp, `${s.name}.frames`)])
}

/** Raw input for the CLI: the same frames or samples the in-process runs encode. */
function rawInput(s: Scenario): string {
  const file = join(tmp, `${s.name}.raw`)
  const count = framesOf(s)
  const parts: Uint8Array[] = []
  if (s.kind === 'audio-encode') {
    for (let i = 0; i < count; i++) parts.push(new Uint8Array(audioChunk(i).buffer))
  } else {
    const distinct = inputFrames(tmp, s)
    for (let i = 0; i < count; i++) parts.push(distinct[i % distinct.length])
  }
  writeFileSync(file, Buffer.concat(parts))
  return file
}

function runInProcess(impl: 'ours' | 'napi-rs', s: Scenario): Result {
  const child = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', join(__dirname, 'scenario.ts'), impl, s.name, String(framesOf(s)), tmp], {
    cwd: root,
    encoding: 'utf8',
    timeout: 300_000,
  })
  const line = child.stdout.trim().split('\n').pop() ?? ''
  try {
    return JSON.parse(line) as Result
  } catch {
    if (child.signal === 'SIGTERM') return { error: 'slower than 300 s, stopped' }
    return { error: (child.stderr || `exit ${child.status}`).trim().split('\n')[0] }
  }
}

/** The CLI's encoder output: the container for the PSNR check. */
const cliOutput = (s: Scenario, n: number) => ['-f', annexB(s) ? 'h264' : 'ivf', '-y', encodedFile(tmp, s, `cli${n || ''}`)]

/** The ffmpeg CLI doing what the scenario does: `s.parallel` processes at once for a
 * parallel encode (figures summed, fps over all of them). */
async function runCli(s: Scenario): Promise<Result> {
  let input: string[]
  let output: (n: number) => string[]
  if (decodes(s)) {
    input = ['-i', decodeInput(s)]
    output = () => [...(s.kind === 'decode-copy' ? ['-pix_fmt', 'rgba'] : []), '-f', 'null', '-']
  } else if (s.kind === 'image') {
    // A still is read again (and decoded again) `frames` times by the image2 demuxer's loop.
    const still = s.ffmpegCodec !== 'gif'
    input = [...(still ? ['-loop', '1'] : []), '-i', join(tmp, `${s.name}.${s.ffmpegCodec}`)]
    output = () => ['-frames:v', String(framesOf(s)), '-fps_mode', 'passthrough', '-f', 'null', '-']
  } else if (s.kind === 'audio-encode') {
    input = ['-f', 'f32le', '-ar', '48000', '-ac', '2', '-i', rawInput(s)]
    output = () => ['-c:a', s.ffmpegCodec, '-b:a', String(s.bitrate), '-f', 'null', '-']
  } else {
    input = rawVideoInput(s, rawInput(s))
    output = (n) => ['-pix_fmt', 'yuv420p', '-c:v', s.ffmpegCodec, ...s.ffmpegArgs, '-b:v', String(s.bitrate), ...cliOutput(s, n)]
  }
  const processes = s.parallel ?? 1
  const loop = await idleLoop()
  const start = performance.now()
  const runs = await Promise.all(Array.from({ length: processes }, (_, n) => timed(['ffmpeg', '-v', 'error', ...input, ...output(n)])))
  const elapsed = (performance.now() - start) / 1000
  const p99DelayMs = await loop.stop()
  const failed = runs.find((r) => r.error)
  if (failed) return { error: failed.error }
  const sum = (k: 'cpuSeconds' | 'peakRssMb') => runs.reduce((t, r) => t + r[k]!, 0)
  return { fps: (framesOf(s) * processes) / elapsed, cpuSeconds: sum('cpuSeconds'), peakRssMb: sum('peakRssMb'), p99DelayMs }
}

/** A Node process whose event loop does nothing but measure its own delay (the same
 * monitor as the scenarios'), run beside the CLI: what the machine's scheduler alone costs
 * a JS thread while the CLI's work keeps the cores busy, the floor under the other rows'
 * figure. `stop()` gives its p99 in ms. */
async function idleLoop(): Promise<{ stop: () => Promise<number | undefined> }> {
  const script = `const h = require('node:perf_hooks').monitorEventLoopDelay({ resolution: 1 })
h.enable()
process.stdout.write('ready\\n')
process.stdin.on('end', () => process.stdout.write(String(h.percentile(99) / 1e6))).resume()`
  const child = spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'ignore'] })
  let out = ''
  const closed = new Promise<void>((resolve) => child.on('close', () => resolve()))
  await new Promise<void>((resolve) => child.stdout.on('data', (d: Buffer) => ((out += d), out.includes('ready') && resolve())).once('close', resolve))
  return {
    stop: async () => {
      child.stdin.end()
      await closed
      const figure = Number(out.split('\n')[1])
      return Number.isFinite(figure) && figure > 0 ? figure : undefined
    },
  }
}

/** One command under /usr/bin/time: its CPU seconds and peak RSS. */
function timed(command: string[]): Promise<Result> {
  return new Promise((resolve) => {
    const child = spawn('/usr/bin/time', ['-f', '%e %U %S %M', ...command], { stdio: ['ignore', 'ignore', 'pipe'] })
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => (stderr += d))
    child.on('close', (status) => {
      const figures = stderr.trim().split('\n').pop()!.split(' ').map(Number)
      if (status !== 0 || figures.length !== 4) return resolve({ error: stderr.trim().split('\n')[0] })
      const [, user, sys, maxRssKb] = figures
      resolve({ cpuSeconds: user + sys, peakRssMb: maxRssKb / 1024 })
    })
  })
}

/** The PSNR of an encode's output against its input (the CLI's psnr filter, averaged over
 * the planes of the format the input came in) and its bitrate (bits of payload per second
 * at 30 fps). */
function quality(s: Scenario, who: string, payloadBytes: number | undefined): Pick<Result, 'psnrDb' | 'mbps'> {
  const file = encodedFile(tmp, s, who)
  const compareIn = s.format === 'RGBA' ? 'rgb24' : 'yuv420p'
  const raw = rawVideoInput(s, join(tmp, `${s.name}.raw`))
  const graph = `[0:v]settb=1/30,setpts=N,format=${compareIn}[a];[1:v]settb=1/30,setpts=N,format=${compareIn}[b];[a][b]psnr`
  const run = spawnSync('ffmpeg', ['-hide_banner', '-nostats', '-i', file, ...raw, '-lavfi', graph, '-f', 'null', '-'], { encoding: 'utf8' })
  const average = /PSNR .*average:([0-9.]+|inf)/.exec(run.stderr)?.[1]
  // IVF: a 32-byte file header and 12 bytes before each frame.
  const bytes = payloadBytes ?? statSync(file).size - (file.endsWith('.ivf') ? 32 + 12 * framesOf(s) : 0)
  return { psnrDb: average === undefined ? undefined : Number(average), mbps: (bytes * 8 * 30) / framesOf(s) / 1e6 }
}

const fmt = (v: number | undefined, digits = 1) => (v === undefined ? '-' : v.toFixed(digits))

function table(results: Record<string, Record<Impl, Result>>): string {
  const rows = [['scenario', 'implementation', 'fps', 'PSNR dB', 'Mb/s', 'CPU s', 'peak RSS MB', 'RSS growth MB', 'loop p99 ms', 'fps vs ours']]
  for (const [name, byImpl] of Object.entries(results)) {
    const ours = byImpl['webcodecs-rs'].fps
    for (const impl of impls) {
      const r = byImpl[impl]
      const ratio = r.fps && ours ? `${(ours / r.fps).toFixed(2)}x` : '-'
      rows.push([name, impl, r.error ? `error: ${r.error.slice(0, 40)}` : fmt(r.fps), fmt(r.psnrDb, 2), fmt(r.mbps, 2), fmt(r.cpuSeconds, 2), fmt(r.peakRssMb, 0), fmt(r.rssGrowthMb, 0), fmt(r.p99DelayMs), impl === 'webcodecs-rs' ? '' : ratio])
    }
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)))
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i])).join('  ')).join('\n')
}

/** Two grouped bar charts, fps and peak RSS, one group per scenario; bars are scaled
 * within each scenario, since scenarios run at very different rates. */
function svg(results: Record<string, Record<Impl, Result>>, title: string): string {
  const names = Object.keys(results)
  const colors: Record<Impl, string> = { 'webcodecs-rs': '#2f6fdf', '@napi-rs/webcodecs': '#e0892b', 'ffmpeg CLI': '#5a9e4b' }
  const rowHeight = 16
  const groupHeight = rowHeight * impls.length + 10
  const chartWidth = 360
  const labelWidth = 190
  const height = 60 + names.length * groupHeight
  const parts: string[] = []
  const chart = (x0: number, metric: 'fps' | 'peakRssMb', heading: string) => {
    parts.push(`<text x="${x0 + labelWidth}" y="34" font-weight="bold">${heading}</text>`)
    names.forEach((n, g) => {
      const y0 = 44 + g * groupHeight
      parts.push(`<text x="${x0}" y="${y0 + rowHeight * 1.6}" font-size="11">${n}</text>`)
      const max = Math.max(1e-9, ...impls.map((i) => results[n][i][metric] ?? 0))
      impls.forEach((impl, k) => {
        const value = results[n][impl][metric]
        const w = value ? (value / max) * chartWidth : 0
        const y = y0 + k * rowHeight
        parts.push(`<rect x="${x0 + labelWidth}" y="${y}" width="${w.toFixed(1)}" height="${rowHeight - 3}" fill="${colors[impl]}"/>`)
        parts.push(`<text x="${x0 + labelWidth + w + 4}" y="${y + rowHeight - 5}" font-size="10">${value ? value.toFixed(metric === 'fps' ? 1 : 0) : 'n/a'}</text>`)
      })
    })
  }
  chart(10, 'fps', 'frames (or audio chunks) per second')
  chart(10 + labelWidth + chartWidth + 60, 'peakRssMb', 'peak RSS, MB')
  const legend = impls.map((impl, i) => `<rect x="${10 + i * 170}" y="${height - 18}" width="10" height="10" fill="${colors[impl]}"/><text x="${24 + i * 170}" y="${height - 9}" font-size="11">${impl}</text>`)
  const width = 2 * (labelWidth + chartWidth) + 100
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">
<rect width="100%" height="100%" fill="white"/>
<text x="10" y="16" font-weight="bold">${title}</text>
${parts.join('\n')}
${legend.join('\n')}
</svg>
`
}

async function main(): Promise<void> {
  const render = process.argv.indexOf('--render')
  if (render > 0) {
    // Redraw the chart of an earlier run: --render bench/results/<date>.json
    const file = process.argv[render + 1]
    const saved = JSON.parse(readFileSync(file, 'utf8'))
    writeFileSync(file.replace(/\.json$/, '.svg'), svg(saved.results, `webcodecs-rs benchmark ${saved.date}: ${saved.machine}`))
    return
  }
  rmSync(tmp, { recursive: true, force: true })
  mkdirSync(tmp, { recursive: true })
  const selected = scenarios.filter((s) => (only ? s.name === only : !quick || s.quick))
  if (selected.length === 0) throw new Error(`no scenario named ${only}`)
  const results: Record<string, Record<Impl, Result>> = {}
  for (const s of selected) {
    if (decodes(s)) prepareDecodeInput(s)
    if (s.kind === 'image') prepareImageInput(s)
    if (s.format) prepareEncodeInput(s)
    const byImpl: Record<Impl, Result> = {
      'webcodecs-rs': runInProcess('ours', s),
      '@napi-rs/webcodecs': runInProcess('napi-rs', s),
      'ffmpeg CLI': await runCli(s),
    }
    if (encodes(s)) {
      for (const [impl, who] of [['webcodecs-rs', 'ours'], ['@napi-rs/webcodecs', 'napi-rs'], ['ffmpeg CLI', 'cli']] as const) {
        if (!byImpl[impl].error) Object.assign(byImpl[impl], quality(s, who, byImpl[impl].bytes))
      }
    }
    results[s.name] = byImpl
    process.stdout.write(`${s.name} done\n`)
  }
  rmSync(tmp, { recursive: true, force: true })
  const machine = `${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`
  console.log(`\n${machine}${quick ? ' (quick)' : ''}\n`)
  console.log(table(results))
  console.log("\nloop p99 of the ffmpeg CLI: an idle Node event loop's, beside the CLI's processes (the scheduler's share of the figure)")
  const date = new Date().toISOString().slice(0, 10)
  const dir = join(__dirname, 'results')
  mkdirSync(dir, { recursive: true })
  const stem = [date, quick ? 'quick' : '', only ?? ''].filter(Boolean).join('-')
  writeFileSync(join(dir, `${stem}.json`), JSON.stringify({ date, quick, machine, results }, null, 2))
  const chart = svg(results, `webcodecs-rs benchmark ${date}${quick ? ' (quick)' : ''}: ${machine}`)
  writeFileSync(join(dir, `${stem}.svg`), chart)
  if (!quick && !only) writeFileSync(join(dir, 'latest.svg'), chart)
  console.log(`\nwrote bench/results/${stem}.json and .svg`)
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
