#!/usr/bin/env node
// Reads an Iceberg table with icebird (a third-party JavaScript reader) and prints what it saw:
//   {"reader": "icebird", "snapshot_id": "...", "rows": N,
//    "columns": {name: {"id": 1, "type": "long", "non_null": n, "checksum": "..." | null}}}
// Checksums are defined in lib/checksum.mjs; --duckdb-sql prints the DuckDB query that computes
// the same "rows"/"columns" object over any relation, for the test to compare.
//
// usage: node read_table.mjs [--snapshot ID] [--chunk-rows N] METADATA_JSON
//        node read_table.mjs --duckdb-sql RELATION METADATA_JSON
//   METADATA_JSON  a table metadata file (path or file:// URI, .gz accepted); the table is read at
//                  its current snapshot, or at --snapshot ID with that snapshot's schema
//   --chunk-rows N read N rows at a time (icebird holds what it reads in memory); only for tables
//                  without delete files
// Exit status: 0 read, 1 the reader failed (message on stderr), 2 usage.
import { readFile } from 'node:fs/promises'
import { gunzipSync } from 'node:zlib'
import { icebergManifests, icebergRead } from 'icebird'
import { installFileFetch, localPath } from './lib/file_fetch.mjs'
import { ColumnChecksum, duckdbChecksumSql } from './lib/checksum.mjs'

function usage(message) {
  if (message) console.error(`read_table.mjs: ${message}`)
  console.error('usage: node read_table.mjs [--snapshot ID] [--chunk-rows N] METADATA_JSON\n' +
    '       node read_table.mjs --duckdb-sql RELATION METADATA_JSON')
  process.exit(2)
}

function parseArgs(argv) {
  const args = { snapshot: undefined, chunkRows: 0, duckdbSql: undefined, metadata: undefined }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    const value = () => (i + 1 < argv.length ? argv[++i] : usage(`${a} needs a value`))
    if (a === '--snapshot') args.snapshot = value()
    else if (a === '--chunk-rows') args.chunkRows = Number(value())
    else if (a === '--duckdb-sql') args.duckdbSql = value()
    else if (a === '-h' || a === '--help') usage()
    else if (a.startsWith('--')) usage(`unknown option ${a}`)
    else if (args.metadata === undefined) args.metadata = a
    else usage('one metadata file only')
  }
  if (!args.metadata) usage('no metadata file')
  if (!(args.chunkRows >= 0) || !Number.isInteger(args.chunkRows)) usage('--chunk-rows needs a count')
  return args
}

async function loadMetadata(location) {
  const path = localPath(location) ?? location
  let bytes = await readFile(path)
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = gunzipSync(bytes)
  // Snapshot ids above 2^53 lose digits in JSON.parse; icebird compares ids parsed the same way,
  // and the id printed here is taken from the text.
  return { metadata: JSON.parse(bytes.toString('utf8')), text: bytes.toString('utf8') }
}

// The exact digits of `"key": <int>` for the snapshot whose id parses to `id`.
function exactSnapshotId(text, id) {
  for (const m of text.matchAll(/"snapshot-id"\s*:\s*(-?\d+)/g)) {
    if (Number(m[1]) === id) return m[1]
  }
  return String(id)
}

function chooseSnapshot(metadata, wanted) {
  if (wanted === undefined) {
    const id = metadata['current-snapshot-id']
    if (id === undefined || id === null || id === -1) return undefined
    return (metadata.snapshots || []).find((s) => s['snapshot-id'] === id) ?? null
  }
  const found = (metadata.snapshots || []).find((s) => String(s['snapshot-id']) === wanted ||
    s['snapshot-id'] === Number(wanted))
  if (!found) throw new Error(`snapshot ${wanted} is not in the metadata`)
  return found
}

async function main() {
  const args = parseArgs(process.argv.slice(2))
  installFileFetch()
  const { metadata, text } = await loadMetadata(args.metadata)
  const snapshot = chooseSnapshot(metadata, args.snapshot)
  if (snapshot === null) throw new Error('current-snapshot-id names no snapshot in the metadata')
  const schemaId = snapshot?.['schema-id'] ?? metadata['current-schema-id']
  const schema = (metadata.schemas || []).find((s) => s['schema-id'] === schemaId)
  if (!schema) throw new Error(`schema ${schemaId} is not in the metadata`)

  if (args.duckdbSql !== undefined) {
    console.log(duckdbChecksumSql(schema, args.duckdbSql))
    return
  }

  const columns = schema.fields.map((f) => ({ field: f, sum: new ColumnChecksum(f.type) }))
  let rows = 0
  const consume = (records) => {
    for (const record of records) {
      rows++
      for (const c of columns) c.sum.add(record[c.field.name])
    }
  }

  if (snapshot) {
    // icebird reads the current snapshot with the current schema: point both at the one wanted.
    const view = { ...metadata, 'current-snapshot-id': snapshot['snapshot-id'], 'current-schema-id': schemaId }
    const tableUrl = metadata.location || 'file:///'
    const manifests = await icebergManifests(view)
    const entries = manifests.flatMap((m) => m.entries).filter((e) => e.status !== 2)
    const dataEntries = entries.filter((e) => !e.data_file.content)
    const hasDeletes = entries.some((e) => e.data_file.content)
    if (dataEntries.length > 0) {
      if (args.chunkRows > 0 && !hasDeletes) {
        const total = dataEntries.reduce((n, e) => n + Number(e.data_file.record_count), 0)
        for (let start = 0; start < total; start += args.chunkRows) {
          consume(await icebergRead({ tableUrl, metadata: view, rowStart: start, rowEnd: Math.min(start + args.chunkRows, total) }))
        }
      } else {
        consume(await icebergRead({ tableUrl, metadata: view }))
      }
    }
  }

  const out = {
    reader: 'icebird',
    snapshot_id: snapshot ? exactSnapshotId(text, snapshot['snapshot-id']) : null,
    rows,
    columns: {},
  }
  for (const c of columns) {
    out.columns[c.field.name] = {
      id: c.field.id,
      type: typeof c.field.type === 'string' ? c.field.type : c.field.type.type,
      ...c.sum.toJSON(),
    }
  }
  console.log(JSON.stringify(out, null, 2))
}

main().catch((err) => {
  console.error(`read_table.mjs: ${err?.stack || err}`)
  process.exit(1)
})
