/**
 * The little of Ogg (RFC 3533) and Ogg Opus (RFC 7845) the audio tests need to hand Opus
 * to the ffmpeg CLI and back: pages with lacing and CRC, one logical stream.
 */

const CRC_TABLE = (() => {
  const table = new Uint32Array(256)
  for (let i = 0; i < 256; i++) {
    let r = i << 24
    for (let k = 0; k < 8; k++) r = r & 0x80000000 ? (r << 1) ^ 0x04c11db7 : r << 1
    table[i] = r >>> 0
  }
  return table
})()

/** Ogg's CRC-32: polynomial 0x04c11db7, not reflected, zero initial value. */
function crc32(bytes: Uint8Array): number {
  let crc = 0
  for (const b of bytes) crc = ((crc << 8) ^ CRC_TABLE[((crc >>> 24) ^ b) & 0xff]) >>> 0
  return crc
}

const BOS = 0x02
const EOS = 0x04

/** One page holding one whole packet, `granule` being the position at its end. */
function page(packet: Uint8Array, granule: bigint, sequence: number, flags: number): Uint8Array {
  const lacing = [...Array(Math.floor(packet.length / 255)).fill(255), packet.length % 255]
  if (lacing.length > 255) throw new RangeError('packet too large for one page')
  const out = new Uint8Array(27 + lacing.length + packet.length)
  const view = new DataView(out.buffer)
  out.set([0x4f, 0x67, 0x67, 0x53]) // "OggS", version 0
  out[5] = flags
  view.setBigInt64(6, granule, true)
  view.setUint32(14, 0x5745_4243, true) // stream serial number
  view.setUint32(18, sequence, true)
  out[26] = lacing.length
  out.set(lacing, 27)
  out.set(packet, 27 + lacing.length)
  view.setUint32(22, crc32(out), true)
  return out
}

/** An Ogg Opus file: `head` (OpusHead), an empty OpusTags, then each packet on a page
 * of its own whose granule is the 48 kHz sample position (pre-skip included) at its end. */
export function writeOggOpus(head: Uint8Array, packets: { data: Uint8Array; end: number }[]): Buffer {
  const tags = new Uint8Array([...new TextEncoder().encode('OpusTags'), 4, 0, 0, 0, ...new TextEncoder().encode('test'), 0, 0, 0, 0])
  const pages = [page(head, 0n, 0, BOS), page(tags, 0n, 1, 0)]
  packets.forEach(({ data, end }, i) => pages.push(page(data, BigInt(end), i + 2, i === packets.length - 1 ? EOS : 0)))
  return Buffer.concat(pages)
}

export interface OggPacket {
  data: Uint8Array
  /** The granule of the page the packet ends on, or -1 where a later packet ends there too. */
  granule: bigint
}

/** The packets of a single-stream Ogg file, checking each page's CRC. */
export function readOgg(bytes: Uint8Array): OggPacket[] {
  const packets: OggPacket[] = []
  let pending: number[] = []
  for (let at = 0; at < bytes.length; ) {
    const view = new DataView(bytes.buffer, bytes.byteOffset + at)
    if (view.getUint32(0, false) !== 0x4f676753) throw new Error(`no Ogg page at ${at}`)
    const segments = bytes[at + 26]
    const lacing = bytes.subarray(at + 27, at + 27 + segments)
    const size = 27 + segments + lacing.reduce((n, l) => n + l, 0)
    const copy = bytes.slice(at, at + size)
    new DataView(copy.buffer).setUint32(22, 0, true)
    if (crc32(copy) !== view.getUint32(22, true)) throw new Error(`bad CRC on the page at ${at}`)
    const granule = view.getBigInt64(6, true)
    let offset = at + 27 + segments
    const ended: number[] = []
    for (const l of lacing) {
      pending.push(...bytes.subarray(offset, offset + l))
      offset += l
      if (l < 255) {
        ended.push(packets.length)
        packets.push({ data: Uint8Array.from(pending), granule: -1n })
        pending = []
      }
    }
    if (ended.length > 0) packets[ended[ended.length - 1]].granule = granule
    at += size
  }
  return packets
}

/** Samples at 48 kHz in an Opus packet, from its TOC byte (RFC 6716 3.1). */
export function opusPacketSamples(packet: Uint8Array): number {
  const config = packet[0] >> 3
  // SILK: 10/20/40/60 ms; hybrid: 10/20 ms; CELT: 2.5/5/10/20 ms.
  const tenths = config < 12 ? [100, 200, 400, 600][config & 3] : config < 16 ? [100, 200][config & 1] : [25, 50, 100, 200][config & 3]
  const code = packet[0] & 3
  const frames = code === 0 ? 1 : code === 3 ? packet[1] & 0x3f : 2
  return (frames * tenths * 48) / 10
}
