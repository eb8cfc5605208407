// IVF files and Annex B access units, with no use of the addon: shared by the specs and
// the benchmark, whose processes must load only the implementation they measure.

/** An IVF file of `frames` ([pts, bytes]), its pts counted at `rate` per second. */
export function ivfFile(fourcc: string, width: number, height: number, frames: [number, Uint8Array][], rate: number): Uint8Array {
  const header = Buffer.alloc(32)
  header.write('DKIF', 0)
  header.writeUInt16LE(0, 4)
  header.writeUInt16LE(32, 6)
  header.write(fourcc, 8)
  header.writeUInt16LE(width, 12)
  header.writeUInt16LE(height, 14)
  header.writeUInt32LE(rate, 16)
  header.writeUInt32LE(1, 20)
  header.writeUInt32LE(frames.length, 24)
  const parts: Uint8Array[] = [header]
  for (const [pts, data] of frames) {
    const frameHeader = Buffer.alloc(12)
    frameHeader.writeUInt32LE(data.byteLength, 0)
    frameHeader.writeBigUInt64LE(BigInt(pts), 4)
    parts.push(frameHeader, data)
  }
  return Buffer.concat(parts)
}

/** Frames of an IVF file: [pts, bytes]. */
export function parseIvf(file: Uint8Array): [number, Uint8Array][] {
  const view = Buffer.from(file.buffer, file.byteOffset, file.byteLength)
  const headerSize = view.readUInt16LE(6)
  const frames: [number, Uint8Array][] = []
  let offset = headerSize
  while (offset + 12 <= view.length) {
    const size = view.readUInt32LE(offset)
    const pts = Number(view.readBigUInt64LE(offset + 4))
    frames.push([pts, file.subarray(offset + 12, offset + 12 + size)])
    offset += 12 + size
  }
  return frames
}

/** Splits an Annex B H.264 stream with access unit delimiters into access units. */
export function splitAtAud(stream: Uint8Array): Uint8Array[] {
  const starts: number[] = []
  for (let i = 0; i + 4 < stream.length; i++) {
    if (stream[i] === 0 && stream[i + 1] === 0 && stream[i + 2] === 0 && stream[i + 3] === 1 && (stream[i + 4] & 0x1f) === 9) {
      starts.push(i)
    }
  }
  return starts.map((s, i) => stream.subarray(s, starts[i + 1] ?? stream.length))
}
