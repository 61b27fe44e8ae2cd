// Writes flat Parquet files with an explicit Parquet schema through hyparquet-writer (pinned in
// package.json), for the fixture generator foreign_tables.py: it is the one writer available here
// (npm and Debian 12) that writes FIXED_LEN_BYTE_ARRAY columns with field ids, as Java's Parquet
// writer does for Iceberg fixed[N] and for decimals of precision above 18 (DuckDB writes BLOB as
// BYTE_ARRAY).
//
//   node write_parquet.mjs JOBS.json
//
// JOBS.json: [{path, columns: [{name, field_id, type, type_length?, logical_type?, scale?,
// precision?, converted_type?, footer_converted_type?, optional, values}]}], values encoded for JSON: byte arrays as hex
// strings, INT64 as decimal strings, the rest as JSON numbers, booleans or strings (null = null).
// Column statistics are not written: hyparquet-writer computes them with JavaScript's < on the
// decoded values, which does not order byte arrays (Iceberg's metrics are in the manifests anyway).
// Decimals: DuckDB (1.4) reads a decimal only with the DECIMAL converted type, which Java writes
// along with the logical type; hyparquet-writer would convert values of a column with that
// converted type from JavaScript doubles (losing digits of wide decimals). So the pages are
// written from the exact unscaled values without it, and the converted type is added to the
// schema before the footer is written (ParquetWriter.finish serializes the schema then).
import fs from 'fs'
import { ParquetWriter, fileWriter } from 'hyparquet-writer'

function decode(col, v) {
  if (v === null || v === undefined) return null
  if (col.type === 'FIXED_LEN_BYTE_ARRAY' || (col.type === 'BYTE_ARRAY' && col.converted_type !== 'UTF8')) {
    return Uint8Array.from(Buffer.from(v, 'hex'))
  }
  if (col.type === 'INT64') return BigInt(v)
  return v
}

const jobs = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'))
for (const job of jobs) {
  const rows = job.columns.length ? job.columns[0].values.length : 0
  const schema = [{ name: 'schema', num_children: job.columns.length }]
  for (const c of job.columns) {
    const e = { name: c.name, type: c.type, repetition_type: c.optional ? 'OPTIONAL' : 'REQUIRED', field_id: c.field_id }
    for (const k of ['type_length', 'logical_type', 'scale', 'precision', 'converted_type']) if (c[k] !== undefined) e[k] = c[k]
    schema.push(e)
  }
  const columnData = job.columns.map(c => ({ name: c.name, data: c.values.map(v => decode(c, v)) }))
  const pq = new ParquetWriter({ writer: fileWriter(job.path), schema, statistics: false })
  pq.write({ columnData, rowGroupSize: Math.max(rows, 1) })
  job.columns.forEach((c, i) => { if (c.footer_converted_type) schema[i + 1].converted_type = c.footer_converted_type })
  pq.finish()
}
