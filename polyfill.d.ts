// Types of `webcodecs-rs/polyfill`: the module's exports (the classes it installs on
// globalThis are the same ones).
export * from './index.js'
