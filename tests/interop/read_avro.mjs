#!/usr/bin/env node
// Prints an Avro object container file (an Iceberg manifest or manifest list) as JSON, decoded by
// avsc, a third-party JavaScript Avro library:
//   {"metadata": {key: text}, "schema": <writer schema from the header>, "codec": "deflate",
//    "records": [...]}
// longs are decoded as BigInt and printed as exact integers (snapshot ids can pass 2^53), bytes and
// fixed as {"hex": "..."} (the same shapes as avro_dump.py). The header's schema is printed as
// written, so its field-id attributes can be checked.
//
// usage: node read_avro.mjs FILE.avro          (path or file:// URI)
// Exit status: 0 read, 1 avsc could not read it (message on stderr), 2 usage.
import avro from 'avsc'
import { localPath } from './lib/file_fetch.mjs'
import { stringifyExact } from './lib/json.mjs'

// Avro long as a JS BigInt; avsc hands the 8 little-endian two's-complement bytes to fromBuffer.
const BigIntLong = avro.types.LongType.__with({
  fromBuffer: (buf) => buf.readBigInt64LE(),
  toBuffer: (n) => {
    const buf = Buffer.alloc(8)
    buf.writeBigInt64LE(BigInt(n))
    return buf
  },
  fromJSON: (x) => BigInt(x),
  toJSON: (n) => Number(n),
  isValid: (n) => typeof n === 'bigint',
  compare: (a, b) => (a < b ? -1 : a > b ? 1 : 0),
})

function decode(path) {
  return new Promise((resolve, reject) => {
    const out = { metadata: {}, schema: null, codec: null, records: [] }
    // parseHook turns the writer schema into a type with the BigInt long; the raw header schema
    // text is kept for the output.
    const decoder = avro.createFileDecoder(path, {
      parseHook: (schema) => avro.Type.forSchema(schema, { registry: { long: BigIntLong } }),
    })
    decoder.on('metadata', (type, codec, header) => {
      out.codec = codec
      for (const [key, value] of Object.entries(header.meta)) out.metadata[key] = value.toString('utf8')
      out.schema = JSON.parse(out.metadata['avro.schema'])
    })
    decoder.on('data', (record) => out.records.push(record))
    decoder.on('error', reject)
    decoder.on('end', () => resolve(out))
  })
}

async function main() {
  const args = process.argv.slice(2)
  if (args.length !== 1 || args[0].startsWith('-')) {
    console.error('usage: node read_avro.mjs FILE.avro')
    process.exit(2)
  }
  const path = localPath(args[0]) ?? args[0]
  console.log(stringifyExact(await decode(path), 2))
}

main().catch((err) => {
  console.error(`read_avro.mjs: ${err?.stack || err}`)
  process.exit(1)
})
