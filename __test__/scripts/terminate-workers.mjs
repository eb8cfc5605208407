// Starts three workers that encode and decode without end, terminates two of them once
// they are busy, then ends with the third still mid-encode and a codec of its own busy
// too. argv[2]: 'exit' calls process.exit(0); 'natural' terminates the last worker and
// lets the event loop run dry, with an idle, unclosed encoder left behind.
// Prints 'done' last; the parent checks the exit code and stderr.
import { createRequire } from 'node:module'
import { Worker } from 'node:worker_threads'

const require = createRequire(import.meta.url)
const { VideoEncoder, VideoFrame } = require('../../index.js')

const how = process.argv[2]
const script = new URL('./codec-worker.mjs', import.meta.url)

function start(codec) {
  const worker = new Worker(script, { workerData: { mode: 'endless', codec } })
  const busy = new Promise((resolve, reject) => {
    worker.once('message', (message) => (message === 'busy' ? resolve() : reject(new Error(JSON.stringify(message)))))
    worker.once('error', reject)
  })
  return { worker, busy }
}

const workers = [start('vp8'), start('avc1.42001e'), start('vp8')]
await Promise.all(workers.map((w) => w.busy))
await workers[0].worker.terminate()
await workers[1].worker.terminate()

const encoder = new VideoEncoder({ output: () => {}, error: (e) => console.error(String(e)) })
encoder.configure({ codec: 'vp8', width: 128, height: 96, bitrate: 500_000, framerate: 30 })
const pixels = new Uint8Array(128 * 96 * 4)
for (let i = 0; i < 8; i++) {
  const frame = new VideoFrame(pixels, { format: 'RGBA', codedWidth: 128, codedHeight: 96, timestamp: i * 33_333 })
  encoder.encode(frame, { keyFrame: i === 0 })
  frame.close()
}

if (how === 'exit') {
  // The flush is never awaited: the process leaves with the encoder and a worker busy.
  void encoder.flush()
  console.log('done')
  process.exit(0)
} else {
  await encoder.flush()
  await workers[2].worker.terminate()
  console.log('done')
}
