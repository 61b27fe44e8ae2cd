// A fetch() for local files, so browser-minded readers (icebird, hyparquet's asyncBufferFromUrl)
// can read a table in the local warehouse. It answers `file:` URLs and absolute paths, honours
// `Range: bytes=a-b` with 206 Partial Content (what hyparquet asks for when it reads a Parquet
// footer or a column chunk), answers HEAD with Content-Length, and passes anything else to the
// real fetch.
import { open, readFile, stat } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'

/** The local path a URL names, or undefined when it is not a local file. */
export function localPath(url) {
  if (url.startsWith('file:')) return fileURLToPath(url)
  // A table on S3 read from a local copy of its bucket(s): LDP_S3_LOCAL_COPY/<bucket>/<key>, for
  // s3:// URLs and the https://<bucket>.s3.amazonaws.com/<key> form icebird turns them into.
  const copy = process.env.LDP_S3_LOCAL_COPY
  if (copy && url.startsWith('s3://')) return `${copy}/${url.slice(5)}`
  const m = copy && /^https:\/\/([^/]+)\.s3\.amazonaws\.com\/(.*)$/.exec(url)
  if (m) return `${copy}/${m[1]}/${m[2]}`
  if (url.startsWith('/')) return url
  return undefined
}

async function readRange(path, start, endInclusive) {
  const fh = await open(path, 'r')
  try {
    const buf = Buffer.alloc(endInclusive - start + 1)
    let done = 0
    while (done < buf.length) {
      const { bytesRead } = await fh.read(buf, done, buf.length - done, start + done)
      if (bytesRead === 0) break
      done += bytesRead
    }
    return buf.subarray(0, done)
  } finally {
    await fh.close()
  }
}

async function fileResponse(path, init) {
  const method = (init.method || 'GET').toUpperCase()
  let size
  try {
    size = (await stat(path)).size
  } catch (err) {
    if (err.code === 'ENOENT') return new Response(null, { status: 404, statusText: 'Not Found' })
    throw err
  }
  if (method === 'HEAD') {
    return new Response(null, { status: 200, headers: { 'Content-Length': String(size) } })
  }
  const range = new Headers(init.headers).get('Range')
  if (!range) {
    const body = await readFile(path)
    return new Response(body, { status: 200, headers: { 'Content-Length': String(body.length) } })
  }
  const m = /^bytes=(\d+)-(\d*)$/.exec(range.trim())
  if (!m) return new Response(null, { status: 416, statusText: 'Range Not Satisfiable' })
  const start = Number(m[1])
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1)
  if (start > end) return new Response(null, { status: 416, statusText: 'Range Not Satisfiable' })
  const body = await readRange(path, start, end)
  return new Response(body, {
    status: 206,
    headers: { 'Content-Length': String(body.length), 'Content-Range': `bytes ${start}-${end}/${size}` },
  })
}

/** Replaces globalThis.fetch with one that also serves local files. Idempotent. */
export function installFileFetch() {
  if (globalThis.fetch.ldpFileFetch) return
  const realFetch = globalThis.fetch
  const fetchWithFiles = async (input, init = {}) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url
    const path = localPath(url)
    if (path === undefined) return realFetch(input, init)
    return fileResponse(path, init)
  }
  fetchWithFiles.ldpFileFetch = true
  globalThis.fetch = fetchWithFiles
}
