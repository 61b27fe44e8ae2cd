// Drives `ldp serve` with iceberg-js (an independent Iceberg REST catalog client) and prints
// what it saw as JSON. Usage: node rest_client.mjs BASE_URL TOKEN WAREHOUSE EXISTING_NS.EXISTING_TABLE
import { IcebergRestCatalog } from 'iceberg-js'

const [baseUrl, token, warehouse, existing] = process.argv.slice(2)
const catalog = new IcebergRestCatalog({
  baseUrl,
  warehouse: warehouse || undefined,
  auth: token ? { type: 'bearer', token } : { type: 'none' },
})
const out = {}
const ns = { namespace: ['js', 'inner'] }
await catalog.createNamespace({ namespace: ['js'] }, { properties: { owner: 'js' } })
await catalog.createNamespace(ns)
out.namespaces = (await catalog.listNamespaces()).namespaces
out.children = (await catalog.listNamespaces({ parent: { namespace: ['js'] } })).namespaces
out.namespaceExists = await catalog.namespaceExists(ns)
out.missingNamespaceExists = await catalog.namespaceExists({ namespace: ['nope'] })
out.jsProperties = (await catalog.loadNamespaceMetadata({ namespace: ['js'] })).properties
await catalog.updateNamespaceProperties({ namespace: ['js'] }, { updates: { tier: 'gold' }, removals: ['owner'] })
out.jsPropertiesAfter = (await catalog.loadNamespaceMetadata({ namespace: ['js'] })).properties

const schema = {
  type: 'struct',
  'schema-id': 0,
  fields: [
    { id: 1, name: 'id', type: 'long', required: true },
    { id: 2, name: 'name', type: 'string', required: false },
  ],
}
const created = await catalog.createTable(ns, {
  name: 'events',
  schema,
  'partition-spec': { 'spec-id': 0, fields: [] },
  properties: { 'created-by': 'iceberg-js' },
})
out.createdUuid = created['table-uuid']
const id = { namespace: ['js', 'inner'], name: 'events' }
out.tableExists = await catalog.tableExists(id)
out.tables = (await catalog.listTables(ns)).identifiers
const updated = await catalog.updateTable(id, {
  requirements: [{ type: 'assert-table-uuid', uuid: created['table-uuid'] }],
  updates: [{ action: 'set-properties', updates: { color: 'blue' } }],
})
out.updatedProperties = (updated.metadata ?? updated).properties
try {
  await catalog.updateTable(id, {
    requirements: [{ type: 'assert-table-uuid', uuid: '00000000-0000-4000-8000-000000000000' }],
    updates: [{ action: 'set-properties', updates: { color: 'red' } }],
  })
  out.conflict = 'no error'
} catch (e) {
  out.conflict = e.status
}
await catalog.renameTable({ source: id, destination: { namespace: ['js'], name: 'renamed' } })
out.renamedExists = await catalog.tableExists({ namespace: ['js'], name: 'renamed' })
out.loaded = await catalog.loadTable({ namespace: ['js'], name: 'renamed' })
await catalog.dropTable({ namespace: ['js'], name: 'renamed' }, { purge: true })
out.droppedExists = await catalog.tableExists({ namespace: ['js'], name: 'renamed' })
await catalog.dropNamespace(ns)
out.innerExistsAfterDrop = await catalog.namespaceExists(ns)

if (existing) {
  const dot = existing.lastIndexOf('.')
  const table = await catalog.loadTable({ namespace: existing.slice(0, dot).split('.'), name: existing.slice(dot + 1) })
  out.existing = table
}
console.log(JSON.stringify(out))
