// Creates many 1080p RGBA frames and drops them unclosed. Run under a small
// --max-old-space-size: it only finishes if V8 learns of the native pixel memory and
// collects the frames in time. Prints the peak RSS in MB.
const { VideoFrame, getCounters } = require('../../index.js')

const count = Number(process.argv[2] ?? 1000)
const width = 1920
const height = 1080
const pixels = new Uint8Array(width * height * 4)
let peakRss = 0
for (let i = 0; i < count; i++) {
  const frame = new VideoFrame(pixels, { format: 'RGBA', codedWidth: width, codedHeight: height, timestamp: i })
  if (frame.codedWidth !== width) throw new Error('bad frame')
  if (i % 50 === 0) peakRss = Math.max(peakRss, process.memoryUsage().rss)
}
console.log(JSON.stringify({ frames: count, peakRssMb: Math.round(peakRss / 2 ** 20), live: getCounters().videoFrames }))
