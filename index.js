// The package's entry: the addon through napi-rs's generated loader (binding.js), or,
// when it cannot load, one error that names the file, the loader's reason and the fix.
'use strict'

const { existsSync } = require('fs')
const { join } = require('path')

try {
  module.exports = require('./binding.js')
} catch (error) {
  throw explain(error)
}

function explain(error) {
  const triple = platformTriple()
  const tried = candidates(triple)
  const found = tried.find((file) => existsSync(file))
  let message
  if (triple === null) {
    const supported = Object.keys(require('./package.json').optionalDependencies ?? {})
      .map((name) => name.replace(/^webcodecs-rs-/, ''))
    message =
      `webcodecs-rs has no binary for ${process.platform}-${process.arch}` +
      (supported.length ? ` (published: ${supported.join(', ')})` : '') +
      '.\nFix: use a supported platform, or build from source (see the README).'
  } else if (found === undefined) {
    message =
      `webcodecs-rs found no binary for ${triple}: none of\n  ${tried.join('\n  ')}\nexists.\n` +
      `Fix: npm skipped the optional dependency webcodecs-rs-${triple}; reinstall without ` +
      '--omit=optional (delete node_modules and package-lock.json first if it persists), ' +
      'or build from source (see the README).'
  } else {
    const why = reason(found, error)
    message = `webcodecs-rs could not load ${found}:\n  ${why}\nFix: ${fix(why)}`
  }
  const explained = new Error(message)
  explained.code = 'ERR_WEBCODECS_LOAD'
  explained.cause = error
  return explained
}

// The `<platform>-<arch>[-abi]` part of the binary's name, as the generated loader names
// it; null where no build exists.
function platformTriple() {
  if (process.platform !== 'linux') return null
  const arch = { x64: 'x64', arm64: 'arm64' }[process.arch]
  if (arch === undefined) return null
  return `linux-${arch}-${isMusl() ? 'musl' : 'gnu'}`
}

function isMusl() {
  const report = typeof process.report?.getReport === 'function' ? process.report.getReport() : null
  return report !== null && !report.header?.glibcVersionRuntime
}

// Where the generated loader looks: beside this file (a source build), then the platform
// package.
function candidates(triple) {
  if (triple === null) return []
  const files = [join(__dirname, `webcodecs-rs.${triple}.node`)]
  try {
    files.push(require.resolve(`webcodecs-rs-${triple}`))
  } catch {
    files.push(join(__dirname, 'node_modules', `webcodecs-rs-${triple}`, `webcodecs-rs.${triple}.node`))
  }
  return files
}

// The dynamic loader's own words for why `file` does not load.
function reason(file, error) {
  try {
    process.dlopen({ exports: {} }, file)
  } catch (dlopenError) {
    return dlopenError.message
  }
  return error.message
}

function fix(why) {
  if (/cannot open shared object file/.test(why)) {
    const library = why.split(':')[0]
    return (
      `${library} is missing. A binary built from source links the system's FFmpeg: install ` +
      "FFmpeg's shared libraries (Debian/Ubuntu: `bash scripts/setup.sh` in a clone), or install " +
      'the published package, whose platform binary needs only glibc.'
    )
  }
  if (/GLIBC_[0-9.]+' not found/.test(why)) {
    return 'this glibc is older than the one the binary was built for; build from source on this machine (see the README).'
  }
  if (/invalid ELF header|wrong ELF class|file too short/.test(why)) {
    return 'the file is not a binary for this machine; reinstall the package, or rebuild with `npm run build`.'
  }
  return 'reinstall the package, or rebuild from source with `npm run build` (see the README).'
}
