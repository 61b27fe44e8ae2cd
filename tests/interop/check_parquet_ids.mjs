#!/usr/bin/env node
// Prints, for each Parquet file, its row count, footer key/value keys and every schema element
// (groups and leaves, in footer order) with its dotted path, Parquet field id, physical, converted
// and logical type, fixed length and repetition — read with hyparquet, a third-party JavaScript
// reader. Iceberg readers resolve columns by these field ids, so a test checks them against the
// table schema.
//
// usage: node check_parquet_ids.mjs FILE.parquet [FILE.parquet ...]     (paths or file:// URIs)
// prints: {"files": [{"path", "num_rows", "key_value_keys": [...],
//          "fields": [{"path": "a.b", "name": "b", "field_id": 2 | null, "physical_type",
//                      "converted_type", "logical_type", "type_length", "repetition",
//                      "num_children"}]}]}
// Exit status: 0 read, 1 a file could not be read (message on stderr), 2 usage.
import { asyncBufferFromFile, parquetMetadataAsync } from 'hyparquet'
import { localPath } from './lib/file_fetch.mjs'
import { stringifyExact } from './lib/json.mjs'

async function describe(file) {
  const path = localPath(file) ?? file
  const metadata = await parquetMetadataAsync(await asyncBufferFromFile(path))
  // The footer's schema is a depth-first list; the root (first element) is not a column.
  const fields = []
  const stack = []  // [name, children left] of the open groups
  for (const [i, el] of metadata.schema.entries()) {
    if (i === 0) continue
    while (stack.length && stack[stack.length - 1].left === 0) stack.pop()
    if (stack.length) stack[stack.length - 1].left--
    const names = [...stack.map((s) => s.name), el.name]
    fields.push({
      path: names.join('.'),
      name: el.name,
      field_id: el.field_id ?? null,
      physical_type: el.type ?? null,
      converted_type: el.converted_type ?? null,
      logical_type: el.logical_type ?? null,
      type_length: el.type_length ?? null,
      repetition: el.repetition_type ?? null,
      num_children: el.num_children ?? 0,
    })
    if (el.num_children) stack.push({ name: el.name, left: el.num_children })
  }
  return {
    path,
    num_rows: metadata.num_rows,
    key_value_keys: (metadata.key_value_metadata || []).map((kv) => kv.key),
    fields,
  }
}

async function main() {
  const files = process.argv.slice(2)
  if (files.length === 0 || files.some((f) => f.startsWith('-'))) {
    console.error('usage: node check_parquet_ids.mjs FILE.parquet [FILE.parquet ...]')
    process.exit(2)
  }
  const out = { files: [] }
  for (const f of files) {
    try {
      out.files.push(await describe(f))
    } catch (err) {
      throw new Error(`${f}: ${err?.message || err}`)
    }
  }
  console.log(stringifyExact(out, 2))
}

main().catch((err) => {
  console.error(`check_parquet_ids.mjs: ${err?.stack || err}`)
  process.exit(1)
})
