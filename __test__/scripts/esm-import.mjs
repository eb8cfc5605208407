// ESM consumers: named imports from the package and the polyfill's globals.
import { VideoEncoder, getCounters } from 'webcodecs-rs'
import 'webcodecs-rs/polyfill'

const same = globalThis.VideoEncoder === VideoEncoder && typeof globalThis.AudioDecoder === 'function'
console.log(JSON.stringify({ same, counters: typeof getCounters().videoFrames }))
