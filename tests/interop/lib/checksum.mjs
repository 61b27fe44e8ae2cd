// Column checksums that a JavaScript reader and DuckDB compute identically, so a test can compare
// what a third-party reader sees in an Iceberg table with what DuckDB sees in the same data.
//
// For one column:
//   non_null = number of non-null values
//   checksum = (sum over non-null values v of U64LE(md5(render(v))[0..8])) mod 2^64, as a decimal
//              string. U64LE of the first 8 digest bytes is what DuckDB's md5_number_upper()
//              returns, so the DuckDB side is
//              CAST(coalesce(sum(md5_number_upper(R(c))), 0) % 2^64 AS UBIGINT).
// The sum makes it independent of row order and of how rows are split into files.
//
// render(v) per Iceberg type, and R(c) in DuckDB:
//   boolean              'true' / 'false'                     CAST(c AS VARCHAR)
//   int, long            decimal integer                       CAST(c AS VARCHAR)
//   float, double        DuckDB's text for the value as a      CAST(CAST(c AS DOUBLE) AS VARCHAR)
//                        double: shortest round-trip digits,
//                        fixed notation for 1e-4 <= |v| < 1e16 with at least one decimal
//                        ('100.0', '0.0001'), else 'd.ddde+XX' ('1e+16', '1.5e-07'); '-0.0',
//                        'nan', 'inf', '-inf'
//   date                 days since 1970-01-01                 CAST(c - DATE '1970-01-01' AS VARCHAR)
//   time                 microseconds since midnight           CAST(epoch_us(c) AS VARCHAR)
//   timestamp(tz)(_ns)   MILLISECONDS since the epoch,         CAST(epoch_ms(c) AS VARCHAR)
//                        truncated toward zero: icebird
//                        (hyparquet) decodes timestamps to JS Dates, so finer digits are lost
//   string               the text (UTF-8)                      c
//   uuid                 lowercase 8-4-4-4-12                   CAST(c AS VARCHAR)
//   fixed[n]             lowercase hex                          lower(hex(c))
// No checksum (null on both sides; non_null still compared) for decimal (hyparquet turns it into an
// inexact JS number), binary (hyparquet decodes it as UTF-8 text) and nested types.
import * as md5 from './md5.mjs'

const TWO32 = 4294967296
// Per column, the md5 words of up to this many distinct renderings are remembered: most columns
// repeat a few values (flags, surcharges, zone ids).
const CACHE_LIMIT = 65536

/** DuckDB's CAST(DOUBLE AS VARCHAR) text for a JS number. */
export function renderDouble(x) {
  if (Number.isNaN(x)) return 'nan'
  if (x === Infinity) return 'inf'
  if (x === -Infinity) return '-inf'
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0'
  const ax = Math.abs(x)
  if (ax >= 1e-4 && ax < 1e16) {
    // Both use fixed notation here; DuckDB always shows a decimal point.
    const s = String(x)
    return s.includes('.') ? s : s + '.0'
  }
  const sign = x < 0 ? '-' : ''
  // String() gives the shortest digits that round-trip (the closest such when there is a choice),
  // as DuckDB does; only the layout differs. Take the digits and the decimal exponent from it.
  const s = String(Math.abs(x))
  let digits
  let exp
  const e = s.indexOf('e')
  if (e >= 0) {
    digits = s.slice(0, e).replace('.', '')
    exp = Number(s.slice(e + 1))
  } else {
    const dot = s.indexOf('.')
    const intPart = dot >= 0 ? s.slice(0, dot) : s
    const all = intPart + (dot >= 0 ? s.slice(dot + 1) : '')
    const first = all.search(/[1-9]/)
    digits = all.slice(first)
    exp = intPart.length - first - 1
  }
  digits = digits.replace(/0+$/, '') || '0'
  if (exp < -4 || exp >= 16) {
    const mantissa = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits
    const absExp = String(Math.abs(exp)).padStart(2, '0')
    return `${sign}${mantissa}e${exp < 0 ? '-' : '+'}${absExp}`
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`
  if (digits.length <= exp + 1) return `${sign}${digits}${'0'.repeat(exp + 1 - digits.length)}.0`
  return `${sign}${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`
}

function hex(bytes) {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')
}

function uuidText(bytes) {
  const h = hex(bytes)
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`
}

/**
 * How one Iceberg type is checksummed: render(value) -> string for the JS side, and the DuckDB
 * rendering of a quoted column. Both undefined for types without an exact checksum.
 */
export function checksumRule(type) {
  if (typeof type !== 'string') return {}  // struct, list, map
  const t = type.toLowerCase()
  const cast = (c) => `CAST(${c} AS VARCHAR)`
  if (t === 'boolean') return { render: (v) => (v ? 'true' : 'false'), duckdb: cast }
  if (t === 'int' || t === 'long') return { render: (v) => String(v), duckdb: cast }
  if (t === 'float' || t === 'double') {
    return { render: (v) => renderDouble(Number(v)), duckdb: (c) => `CAST(CAST(${c} AS DOUBLE) AS VARCHAR)` }
  }
  if (t === 'date') {
    return {
      render: (v) => String(v instanceof Date ? Math.round(v.getTime() / 86400000) : v),
      duckdb: (c) => `CAST(${c} - DATE '1970-01-01' AS VARCHAR)`,
    }
  }
  if (t === 'time') return { render: (v) => String(v), duckdb: (c) => `CAST(epoch_us(${c}) AS VARCHAR)` }
  if (t.startsWith('timestamp')) {
    return {
      render: (v) => String(v instanceof Date ? v.getTime() : v),
      duckdb: (c) => `CAST(epoch_ms(${c}) AS VARCHAR)`,
    }
  }
  if (t === 'string') return { render: (v) => String(v), duckdb: (c) => c }
  if (t === 'uuid') {
    return { render: (v) => (v instanceof Uint8Array ? uuidText(v) : String(v).toLowerCase()), duckdb: cast }
  }
  if (t.startsWith('fixed')) {
    return { render: (v) => (v instanceof Uint8Array ? hex(v) : undefined), duckdb: (c) => `lower(hex(${c}))` }
  }
  return {}  // decimal, binary, unknown
}

/** Accumulates non_null and checksum for one column. */
export class ColumnChecksum {
  constructor(type) {
    this.rule = checksumRule(type)
    this.nonNull = 0
    this.exact = this.rule.render !== undefined
    // The 64-bit sum as two 32-bit halves kept in doubles, carried at the end.
    this.lo = 0
    this.hi = 0
    this.cache = new Map()
  }

  add(value) {
    if (value === null || value === undefined) return
    this.nonNull++
    if (!this.exact) return
    const text = this.rule.render(value)
    if (text === undefined) {
      this.exact = false  // a value this reader cannot render exactly
      return
    }
    let words = this.cache.get(text)
    if (words === undefined) {
      md5.md5First8(text)
      words = [md5.lo, md5.hi]
      if (this.cache.size < CACHE_LIMIT) this.cache.set(text, words)
    }
    this.lo += words[0]
    this.hi += words[1]
    if (this.lo >= TWO32 * 1024) this.carry()  // stay far below 2^53
    if (this.hi >= TWO32 * 1024) this.hi %= TWO32
  }

  carry() {
    this.hi += Math.floor(this.lo / TWO32)
    this.lo %= TWO32
    this.hi %= TWO32
  }

  /** The checksum as a decimal string, or null when it is not exact for this reader. */
  checksum() {
    if (!this.exact) return null
    this.carry()
    return ((BigInt(this.hi) << 32n) + BigInt(this.lo)).toString()
  }

  toJSON() {
    return { non_null: this.nonNull, checksum: this.checksum() }
  }
}

function quoteIdent(name) {
  return '"' + name.replaceAll('"', '""') + '"'
}

function quoteLiteral(text) {
  return "'" + text.replaceAll("'", "''") + "'"
}

/**
 * A DuckDB query over `relation` that returns one row with one column `result`, a JSON text
 * {"rows": N, "columns": {name: {"non_null": n, "checksum": "..." | null}}} for the top-level
 * fields of an Iceberg schema — the same object read_table.mjs prints under those keys.
 */
export function duckdbChecksumSql(schema, relation) {
  const cols = schema.fields.map((f) => {
    const c = quoteIdent(f.name)
    const rule = checksumRule(f.type)
    const checksum = rule.duckdb
      ? `CAST(CAST(coalesce(sum(md5_number_upper(${rule.duckdb(c)})), 0) % ` +
        `CAST('18446744073709551616' AS HUGEINT) AS UBIGINT) AS VARCHAR)`
      : 'CAST(NULL AS VARCHAR)'
    return `${quoteLiteral(f.name)}, json_object('non_null', count(${c}), 'checksum', ${checksum})`
  })
  return `SELECT CAST(json_object('rows', count(*), 'columns', json_object(${cols.join(', ')})) AS VARCHAR) AS result FROM ${relation}`
}
