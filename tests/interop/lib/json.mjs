// JSON output that loses nothing: BigInt values are written as exact integer literals (64-bit ids
// and longs), byte arrays as {"hex": "..."} (the same shape as avro_dump.py), undefined as null.

export function stringifyExact(value, indent = 0, depth = 0) {
  const pad = indent ? '\n' + ' '.repeat(indent * (depth + 1)) : ''
  const end = indent ? '\n' + ' '.repeat(indent * depth) : ''
  const sep = indent ? ': ' : ':'
  if (value === null || value === undefined) return 'null'
  if (typeof value === 'bigint') return value.toString()
  if (typeof value === 'number') return Number.isFinite(value) ? JSON.stringify(value) : JSON.stringify(String(value))
  if (typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value)
  if (value instanceof Uint8Array) return `{"hex"${sep}"${Buffer.from(value).toString('hex')}"}`
  if (value instanceof Date) return JSON.stringify(value.toISOString())
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]'
    return '[' + value.map(v => pad + stringifyExact(v, indent, depth + 1)).join(',') + end + ']'
  }
  if (value instanceof Map) value = Object.fromEntries(value)
  const keys = Object.keys(value)
  if (keys.length === 0) return '{}'
  return '{' + keys.map(k => pad + JSON.stringify(k) + sep + stringifyExact(value[k], indent, depth + 1)).join(',') + end + '}'
}
