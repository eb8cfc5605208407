// `import 'webcodecs-rs/polyfill'` (or require): installs every WebCodecs class on
// globalThis where the runtime has none, so code written for the browser runs as is.
const webcodecs = require('./index.js')

const names = [
  'VideoFrame',
  'AudioData',
  'EncodedVideoChunk',
  'EncodedAudioChunk',
  'VideoColorSpace',
  'VideoEncoder',
  'VideoDecoder',
  'AudioEncoder',
  'AudioDecoder',
  'ImageDecoder',
  'ImageTrackList',
  'ImageTrack',
]

for (const name of names) {
  if (!(name in globalThis)) {
    Object.defineProperty(globalThis, name, { value: webcodecs[name], writable: true, configurable: true, enumerable: false })
  }
}

module.exports = webcodecs
