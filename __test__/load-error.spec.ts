// When the binary cannot load, `require('webcodecs-rs')` throws one error that names the
// file, the dynamic loader's reason and the fix, instead of napi-rs's generic list. Each
// case copies the package's loader into an empty folder and breaks the binary one way.
import { execFileSync, spawnSync } from 'node:child_process'
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'

const root = join(__dirname, '..')
const binary = 'webcodecs-rs.linux-x64-gnu.node'
const folders: string[] = []

function packageCopy(): string {
  const folder = mkdtempSync(join(tmpdir(), 'webcodecs-load-'))
  folders.push(folder)
  for (const file of ['index.js', 'binding.js', 'package.json']) copyFileSync(join(root, file), join(folder, file))
  return folder
}

function requireError(folder: string): string {
  const run = spawnSync(process.execPath, ['-e', "try { require('./index.js') } catch (e) { console.log(e.code); console.log(e.message) }"], {
    cwd: folder,
    encoding: 'utf8',
  })
  return run.stdout
}

afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true })
})

describe.runIf(process.platform === 'linux' && process.arch === 'x64')('loading the binary', () => {
  it('names both places it looked when there is no binary, and the optional dependency to reinstall', () => {
    const folder = packageCopy()
    const message = requireError(folder)
    expect(message).toContain('ERR_WEBCODECS_LOAD')
    expect(message).toContain('webcodecs-rs found no binary for linux-x64-gnu')
    expect(message).toContain(join(folder, binary))
    expect(message).toContain(join(folder, 'node_modules', 'webcodecs-rs-linux-x64-gnu', binary))
    expect(message).toContain('optional dependency webcodecs-rs-linux-x64-gnu')
  })

  it('gives the loader reason and the fix for a file that is not a binary', () => {
    const folder = packageCopy()
    writeFileSync(join(folder, binary), 'not an ELF file, but long enough to have a header'.repeat(4))
    const message = requireError(folder)
    expect(message).toContain(`webcodecs-rs could not load ${join(folder, binary)}:`)
    expect(message).toContain('invalid ELF header')
    expect(message).toContain('Fix: the file is not a binary for this machine')
  })

  it('names the missing shared library of a source build and how to install it', () => {
    const folder = packageCopy()
    writeFileSync(join(folder, 'gone.c'), 'int gone(void) { return 1; }\n')
    writeFileSync(join(folder, 'stub.c'), 'int gone(void);\nint stub(void) { return gone(); }\n')
    execFileSync('cc', ['-shared', '-fPIC', '-o', 'libgone.so', 'gone.c'], { cwd: folder })
    execFileSync('cc', ['-shared', '-fPIC', '-o', binary, 'stub.c', '-L.', '-lgone'], { cwd: folder })
    rmSync(join(folder, 'libgone.so'))
    const message = requireError(folder)
    expect(message).toContain(`webcodecs-rs could not load ${join(folder, binary)}:`)
    expect(message).toContain('libgone.so: cannot open shared object file')
    expect(message).toContain("Fix: libgone.so is missing. A binary built from source links the system's FFmpeg")
  })
})
