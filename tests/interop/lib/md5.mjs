// MD5 (RFC 1321) of a string's UTF-8 bytes, returning only the first 8 digest bytes as two
// little-endian 32-bit words — what a checksum needs, without allocating per value. node:crypto
// costs several microseconds per call from JavaScript, this well under one for short strings.

const S = new Int32Array([7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21])
// K[i] = floor(|sin(i + 1)| * 2^32); checked against node:crypto by the callers' tests.
const K = new Int32Array(64)
for (let i = 0; i < 64; i++) K[i] = Math.floor(Math.abs(Math.sin(i + 1)) * 4294967296) | 0

const encoder = new TextEncoder()
let buf = new Uint8Array(1024)
let words = new Int32Array(256)

/** Hashes `text`; the result is left in `lo` and `hi` below (no allocation per call). */
export function md5First8(text) {
  // UTF-8 encode, pad with 0x80, zeros and the bit length, into whole 64-byte blocks.
  let need = text.length * 3 + 72
  if (need > buf.length) {
    buf = new Uint8Array(need * 2)
    words = new Int32Array(buf.length / 4)
  }
  const { written: n } = encoder.encodeInto(text, buf)
  const total = (((n + 8) >> 6) + 1) << 6
  buf[n] = 0x80
  buf.fill(0, n + 1, total)
  const bits = n * 8
  buf[total - 8] = bits & 0xff
  buf[total - 7] = (bits >>> 8) & 0xff
  buf[total - 6] = (bits >>> 16) & 0xff
  buf[total - 5] = (bits >>> 24) & 0xff
  const high = Math.floor(n / 0x20000000)  // bits above 2^32
  buf[total - 4] = high & 0xff
  buf[total - 3] = (high >>> 8) & 0xff
  for (let i = 0, j = 0; i < total; i += 4, j++) {
    words[j] = buf[i] | (buf[i + 1] << 8) | (buf[i + 2] << 16) | (buf[i + 3] << 24)
  }

  let a0 = 0x67452301 | 0
  let b0 = 0xefcdab89 | 0
  let c0 = 0x98badcfe | 0
  let d0 = 0x10325476 | 0
  const w = words
  for (let off = 0; off < total >> 2; off += 16) {
    let a = a0
    let b = b0
    let c = c0
    let d = d0
    let x
    let t
    for (let i = 0; i < 16; i++) {
      x = (a + ((b & c) | (~b & d)) + K[i] + w[off + i]) | 0
      t = S[i & 3]
      a = d; d = c; c = b
      b = (b + ((x << t) | (x >>> (32 - t)))) | 0
    }
    for (let i = 16; i < 32; i++) {
      x = (a + ((d & b) | (~d & c)) + K[i] + w[off + ((5 * i + 1) & 15)]) | 0
      t = S[4 + (i & 3)]
      a = d; d = c; c = b
      b = (b + ((x << t) | (x >>> (32 - t)))) | 0
    }
    for (let i = 32; i < 48; i++) {
      x = (a + (b ^ c ^ d) + K[i] + w[off + ((3 * i + 5) & 15)]) | 0
      t = S[8 + (i & 3)]
      a = d; d = c; c = b
      b = (b + ((x << t) | (x >>> (32 - t)))) | 0
    }
    for (let i = 48; i < 64; i++) {
      x = (a + (c ^ (b | ~d)) + K[i] + w[off + ((7 * i) & 15)]) | 0
      t = S[12 + (i & 3)]
      a = d; d = c; c = b
      b = (b + ((x << t) | (x >>> (32 - t)))) | 0
    }
    a0 = (a0 + a) | 0
    b0 = (b0 + b) | 0
    c0 = (c0 + c) | 0
    d0 = (d0 + d) | 0
  }
  lo = a0 >>> 0
  hi = b0 >>> 0
}

/** After md5First8(): the digest's bytes 0..3 and 4..7, each an unsigned little-endian integer. */
export let lo = 0
export let hi = 0
