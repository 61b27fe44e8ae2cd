#!/usr/bin/python3
"""Builds Iceberg tables laid out the way other writers (Java: Spark, Trino, Flink; pyiceberg) leave
them, independently of ldp's own writer, for the reader tests (tests/integration/
cli_foreign_tables_test.cc).

    /usr/bin/python3 foreign_tables.py OUT_DIR LDP_BIN [FIXTURE...]

Everything but the Parquet data files is written here: manifests and manifest lists with Apache
Avro's Python package (Debian python3-avro) using the spec's Avro schemas with the record names,
field names and field ids Java writes (v1, v2 and v3 layouts); metadata JSON by hand; Puffin files
with deletion vectors (the spec's portable 64-bit roaring bitmap, length + magic + CRC framing) by
hand; column metrics and partition values (every transform, with the spec's murmur3 bucket hash)
computed here from the rows. Parquet data files are written by DuckDB through `LDP_BIN query` in a
scratch project (`COPY ... (FORMAT parquet, FIELD_IDS {...})`), since there is no Python Parquet
writer in Debian 12 and DuckDB writes field ids exactly as the spec lays them out; flat files with
columns Java stores as FIXED_LEN_BYTE_ARRAY (fixed[N], decimals above 18 digits), which DuckDB
cannot write, go through hyparquet-writer (npm, tests/interop/write_parquet.mjs).

OUT_DIR/fixtures.json lists, per fixture, what to register (`register`: the location and extra
arguments) and what the reader must answer (`checks`: SQL with the rows expected, computed here
from the rows the fixture wrote, and optionally how many files the scan may plan), or the error
registering must fail with (`error`).
"""

import datetime
import decimal
import json
import math
import os
import shutil
import struct
import subprocess
import sys
import uuid
import warnings
import zlib

import avro.datafile
import avro.io
import avro.schema

# Raw storage values (ints for dates, bytes for decimals) are written as Avro's underlying types on
# purpose; python-avro warns that it ignores the logical type then.
warnings.filterwarnings("ignore")
# decimal(38, s) values need more than the default 28 digits of arithmetic precision.
decimal.getcontext().prec = 80

EPOCH = datetime.datetime(1970, 1, 1)
EPOCH_DATE = datetime.date(1970, 1, 1)
POS_FILE_PATH_ID = 2147483546
POS_POS_ID = 2147483545
POS_ROW_ID = 2147483544


# ------------------------------------------------------------------------------------------------
# Types and values

def is_prim(t):
    return isinstance(t, str)


def decimal_ps(t):
    inner = t[t.index("(") + 1:t.index(")")]
    p, s = inner.split(",")
    return int(p), int(s)


def duck_type(t):
    if not is_prim(t):
        if t["type"] == "struct":
            return "STRUCT(" + ", ".join(f'"{f["name"]}" {duck_type(f["type"])}' for f in t["fields"]) + ")"
        if t["type"] == "list":
            return duck_type(t["element"]) + "[]"
        if t["type"] == "map":
            return f"MAP({duck_type(t['key'])}, {duck_type(t['value'])})"
    if t.startswith("decimal"):
        p, s = decimal_ps(t)
        return f"DECIMAL({p},{s})"
    if t.startswith("fixed"):
        # DuckDB writes BLOB as BYTE_ARRAY; files with fixed[N] columns are therefore written by
        # hyparquet-writer as FIXED_LEN_BYTE_ARRAY, as Java does (needs_fixed_len), when they are
        # flat. This type remains for the SQL literals and for nested fixed columns (none yet).
        return "BLOB"
    return {"boolean": "BOOLEAN", "int": "INTEGER", "long": "BIGINT", "float": "FLOAT", "double": "DOUBLE",
            "date": "DATE", "time": "TIME", "timestamp": "TIMESTAMP", "timestamptz": "TIMESTAMPTZ",
            "timestamp_ns": "TIMESTAMP_NS", "timestamptz_ns": "TIMESTAMP_NS", "string": "VARCHAR",
            "binary": "BLOB", "uuid": "UUID"}[t]


def ns_text(ns):
    sec, frac = divmod(ns, 1_000_000_000)
    return (EPOCH + datetime.timedelta(seconds=sec)).strftime("%Y-%m-%d %H:%M:%S") + f".{frac:09d}"


def sql_literal(v, t):
    if v is None:
        return f"CAST(NULL AS {duck_type(t)})"
    if not is_prim(t):
        if t["type"] == "struct":
            return "struct_pack(" + ", ".join(
                f'"{f["name"]}" := {sql_literal(v.get(f["name"]), f["type"])}' for f in t["fields"]) + ")"
        if t["type"] == "list":
            return "CAST([" + ", ".join(sql_literal(x, t["element"]) for x in v) + f"] AS {duck_type(t)})"
        if t["type"] == "map":
            keys = ", ".join(sql_literal(k, t["key"]) for k, _ in v)
            vals = ", ".join(sql_literal(x, t["value"]) for _, x in v)
            return f"CAST(map([{keys}], [{vals}]) AS {duck_type(t)})"
    if t == "boolean":
        return "TRUE" if v else "FALSE"
    if t in ("int", "long"):
        return f"CAST({v} AS {duck_type(t)})"
    if t in ("float", "double"):
        if math.isnan(v):
            return f"CAST('NaN' AS {duck_type(t)})"
        return f"CAST('{v!r}' AS {duck_type(t)})"
    if t.startswith("decimal"):
        return f"CAST('{v}' AS {duck_type(t)})"
    if t == "date":
        return f"DATE '{v.isoformat()}'"
    if t == "time":
        return f"TIME '{v.isoformat()}'"
    if t == "timestamp":
        return f"TIMESTAMP '{v.isoformat(sep=' ')}'"
    if t == "timestamptz":
        return f"TIMESTAMPTZ '{v.isoformat(sep=' ')}+00:00'"
    if t in ("timestamp_ns", "timestamptz_ns"):
        return f"TIMESTAMP_NS '{ns_text(v)}'"
    if t == "string":
        return "'" + v.replace("'", "''") + "'"
    if t == "binary" or t.startswith("fixed"):
        return f"from_hex('{v.hex()}')"
    if t == "uuid":
        return f"'{v}'::UUID"
    raise ValueError(t)


def field_ids_clause(fields):
    """DuckDB's FIELD_IDS option for a list of Iceberg fields."""
    def one(f_name, f_id, t):
        if is_prim(t):
            return f'"{f_name}": {f_id}'
        parts = [f"__duckdb_field_id: {f_id}"]
        if t["type"] == "struct":
            parts += [one(c["name"], c["id"], c["type"]) for c in t["fields"]]
        elif t["type"] == "list":
            parts.append(one("element", t["element-id"], t["element"]))
        else:
            parts.append(one("key", t["key-id"], t["key"]))
            parts.append(one("value", t["value-id"], t["value"]))
        return f'"{f_name}": {{' + ", ".join(parts) + "}"
    return "{" + ", ".join(one(f["name"], f["id"], f["type"]) for f in fields) + "}"


def days(d):
    return (d - EPOCH_DATE).days


def micros(ts):
    d = ts - EPOCH
    return (d.days * 86400 + d.seconds) * 1_000_000 + d.microseconds


def time_micros(t):
    return ((t.hour * 60 + t.minute) * 60 + t.second) * 1_000_000 + t.microsecond


def unscaled(v, scale):
    return int((v * (decimal.Decimal(10) ** scale)).to_integral_value())


def twos(n):
    """Minimal big-endian two's-complement bytes (App. D decimal)."""
    length = 1
    while not (-(1 << (8 * length - 1)) <= n < (1 << (8 * length - 1))):
        length += 1
    return n.to_bytes(length, "big", signed=True)


def single_value(v, t):
    """Single-value binary serialization (spec Appendix D)."""
    if t == "boolean":
        return b"\x01" if v else b"\x00"
    if t == "int":
        return struct.pack("<i", v)
    if t == "date":
        return struct.pack("<i", days(v) if isinstance(v, datetime.date) else v)
    if t == "long":
        return struct.pack("<q", v)
    if t == "time":
        return struct.pack("<q", time_micros(v))
    if t in ("timestamp", "timestamptz"):
        return struct.pack("<q", micros(v) if isinstance(v, datetime.datetime) else v)
    if t in ("timestamp_ns", "timestamptz_ns"):
        return struct.pack("<q", v)
    if t == "float":
        return struct.pack("<f", v)
    if t == "double":
        return struct.pack("<d", v)
    if t == "string":
        return v.encode()
    if t == "binary" or t.startswith("fixed"):
        return bytes(v)
    if t == "uuid":
        return v.bytes
    if t.startswith("decimal"):
        return twos(unscaled(v, decimal_ps(t)[1]))
    raise ValueError(t)


def sort_key(v, t):
    if t == "uuid":
        return v.bytes
    return v


# ------------------------------------------------------------------------------------------------
# Transforms (spec "Partition Transforms", Appendix B for bucket hashing)

def murmur3_32(data, seed=0):
    c1, c2 = 0xCC9E2D51, 0x1B873593
    h = seed
    n = len(data) // 4
    for i in range(n):
        k = struct.unpack_from("<I", data, i * 4)[0]
        k = (k * c1) & 0xFFFFFFFF
        k = ((k << 15) | (k >> 17)) & 0xFFFFFFFF
        k = (k * c2) & 0xFFFFFFFF
        h ^= k
        h = ((h << 13) | (h >> 19)) & 0xFFFFFFFF
        h = (h * 5 + 0xE6546B64) & 0xFFFFFFFF
    tail = data[n * 4:]
    k = 0
    for i, b in enumerate(tail):
        k |= b << (8 * i)
    if tail:
        k = (k * c1) & 0xFFFFFFFF
        k = ((k << 15) | (k >> 17)) & 0xFFFFFFFF
        k = (k * c2) & 0xFFFFFFFF
        h ^= k
    h ^= len(data)
    h ^= h >> 16
    h = (h * 0x85EBCA6B) & 0xFFFFFFFF
    h ^= h >> 13
    h = (h * 0xC2B2AE35) & 0xFFFFFFFF
    h ^= h >> 16
    return h - (1 << 32) if h & 0x80000000 else h


def bucket_hash_input(v, t):
    if t in ("int", "long"):
        return struct.pack("<q", v)
    if t == "date":
        return struct.pack("<q", days(v))
    if t == "time":
        return struct.pack("<q", time_micros(v))
    if t in ("timestamp", "timestamptz"):
        return struct.pack("<q", micros(v))
    if t in ("timestamp_ns", "timestamptz_ns"):
        return struct.pack("<q", v // 1000)
    if t == "string":
        return v.encode()
    if t == "binary" or t.startswith("fixed"):
        return bytes(v)
    if t == "uuid":
        return v.bytes
    if t.startswith("decimal"):
        return twos(unscaled(v, decimal_ps(t)[1]))
    raise ValueError(f"cannot bucket {t}")


def transform_result_type(transform, src):
    if transform.startswith("bucket") or transform in ("year", "month", "hour"):
        return "int"
    if transform == "day":
        return "date"
    return src


def apply_transform(transform, v, t):
    if v is None or transform == "void":
        return None
    if transform == "identity":
        return v
    if transform.startswith("bucket"):
        n = int(transform[7:-1])
        return (murmur3_32(bucket_hash_input(v, t)) & 0x7FFFFFFF) % n
    if transform.startswith("truncate"):
        w = int(transform[9:-1])
        if t in ("int", "long"):
            return v - (((v % w) + w) % w)
        if t.startswith("decimal"):
            s = decimal_ps(t)[1]
            u = unscaled(v, s)
            u -= ((u % w) + w) % w
            return decimal.Decimal(u).scaleb(-s)
        return v[:w]
    if t == "date":
        dt = datetime.datetime(v.year, v.month, v.day)
    elif t in ("timestamp_ns", "timestamptz_ns"):
        dt = EPOCH + datetime.timedelta(microseconds=v // 1000)
    else:
        dt = v
    if transform == "year":
        return dt.year - 1970
    if transform == "month":
        return (dt.year - 1970) * 12 + dt.month - 1
    if transform == "day":
        return datetime.date(dt.year, dt.month, dt.day)
    if transform == "hour":
        return micros(dt) // 3_600_000_000
    raise ValueError(transform)


# ------------------------------------------------------------------------------------------------
# Avro schemas, as Java writes them

class AvroNames:
    def __init__(self):
        self.seen = set()

    def named(self, schema):
        if schema["name"] in self.seen:
            return schema["name"]
        self.seen.add(schema["name"])
        return schema


def avro_prim(t, names):
    if t in ("boolean", "int", "long", "float", "double", "string"):
        return t
    if t == "binary":
        return "bytes"
    if t == "date":
        return {"type": "int", "logicalType": "date"}
    if t == "time":
        return {"type": "long", "logicalType": "time-micros"}
    if t in ("timestamp", "timestamptz"):
        return {"type": "long", "logicalType": "timestamp-micros", "adjust-to-utc": t == "timestamptz"}
    if t in ("timestamp_ns", "timestamptz_ns"):
        return {"type": "long", "logicalType": "timestamp-nanos", "adjust-to-utc": t == "timestamptz_ns"}
    if t == "uuid":
        return names.named({"type": "fixed", "name": "uuid_fixed", "size": 16, "logicalType": "uuid"})
    if t.startswith("fixed"):
        n = int(t[6:-1])
        return names.named({"type": "fixed", "name": f"fixed_{n}", "size": n})
    if t.startswith("decimal"):
        p, s = decimal_ps(t)
        size = 1
        while 2 ** (8 * size - 1) < 10 ** p:
            size += 1
        return names.named({"type": "fixed", "name": f"decimal_{p}_{s}", "size": size, "logicalType": "decimal",
                            "precision": p, "scale": s})
    raise ValueError(t)


def opt(name, typ, fid, doc=None):
    f = {"name": name, "type": ["null", typ], "default": None, "field-id": fid}
    if doc:
        f["doc"] = doc
    return f


def req(name, typ, fid, doc=None):
    f = {"name": name, "type": typ, "field-id": fid}
    if doc:
        f["doc"] = doc
    return f


def int_map(kid, vid, vtype):
    return {"type": "array", "logicalType": "map",
            "items": {"type": "record", "name": f"k{kid}_v{vid}",
                      "fields": [req("key", "int", kid), req("value", vtype, vid)]}}


def manifest_schema(fv, partition_fields):
    names = AvroNames()
    part = {"type": "record", "name": "r102",
            "fields": [opt(pf["name"], avro_prim(pf["result_type"], names), pf["field-id"]) for pf in partition_fields]}
    df = []
    if fv >= 2:
        df.append(req("content", "int", 134, "Contents of the file: 0=data, 1=position deletes, 2=equality deletes"))
    df += [req("file_path", "string", 100, "Location URI with FS scheme"),
           req("file_format", "string", 101, "File format name: avro, orc, or parquet"),
           req("partition", part, 102, "Partition data tuple, schema based on the partition spec"),
           req("record_count", "long", 103, "Number of records in the file"),
           req("file_size_in_bytes", "long", 104, "Total file size in bytes")]
    if fv == 1:
        df.append(req("block_size_in_bytes", "long", 105))
    df += [opt("column_sizes", int_map(117, 118, "long"), 108, "Map of column id to total size on disk"),
           opt("value_counts", int_map(119, 120, "long"), 109, "Map of column id to total count, including null and NaN"),
           opt("null_value_counts", int_map(121, 122, "long"), 110, "Map of column id to null value count"),
           opt("nan_value_counts", int_map(138, 139, "long"), 137, "Map of column id to number of NaN values in the column"),
           opt("lower_bounds", int_map(126, 127, "bytes"), 125, "Map of column id to lower bound"),
           opt("upper_bounds", int_map(129, 130, "bytes"), 128, "Map of column id to upper bound"),
           opt("key_metadata", "bytes", 131, "Encryption key metadata blob"),
           opt("split_offsets", {"type": "array", "items": "long", "element-id": 133}, 132, "Splittable offsets")]
    if fv >= 2:
        df.append(opt("equality_ids", {"type": "array", "items": "int", "element-id": 136}, 135,
                      "Equality comparison field IDs"))
    df.append(opt("sort_order_id", "int", 140, "Sort order ID"))
    if fv >= 3:
        df.append(opt("first_row_id", "long", 142, "The first row ID assigned to the first row in the data file"))
    if fv >= 2:
        df.append(opt("referenced_data_file", "string", 143,
                      "Fully qualified location (URI with FS scheme) of a data file that all deletes reference"))
    if fv >= 3:
        df.append(opt("content_offset", "long", 144, "The offset in the file where the content starts"))
        df.append(opt("content_size_in_bytes", "long", 145, "The length of referenced content stored in the file"))
    entry = [req("status", "int", 0), opt("snapshot_id", "long", 1)]
    if fv >= 2:
        entry += [opt("sequence_number", "long", 3), opt("file_sequence_number", "long", 4)]
    entry.append(req("data_file", {"type": "record", "name": "r2", "fields": df}, 2))
    return {"type": "record", "name": "manifest_entry", "fields": entry}


def manifest_list_schema(fv):
    summary = {"type": "array", "element-id": 508,
               "items": {"type": "record", "name": "r508", "fields": [
                   req("contains_null", "boolean", 509, "True if any file has a null partition value"),
                   opt("contains_nan", "boolean", 518, "True if any file has a nan partition value"),
                   opt("lower_bound", "bytes", 510, "Partition lower bound for all files"),
                   opt("upper_bound", "bytes", 511, "Partition upper bound for all files")]}}
    f = [req("manifest_path", "string", 500, "Location URI with FS scheme"),
         req("manifest_length", "long", 501, "Total file size in bytes"),
         req("partition_spec_id", "int", 502, "Spec ID used to write")]
    if fv == 1:
        # The v1 layout (and names) of Java's V1Metadata: counts optional, "added_data_files_count".
        f += [opt("added_snapshot_id", "long", 503, "Snapshot ID that added the manifest"),
              opt("added_data_files_count", "int", 504, "Added entry count"),
              opt("existing_data_files_count", "int", 505, "Existing entry count"),
              opt("deleted_data_files_count", "int", 506, "Deleted entry count"),
              opt("partitions", summary, 507, "Summary for each partition"),
              opt("added_rows_count", "long", 512, "Added rows count"),
              opt("existing_rows_count", "long", 513, "Existing rows count"),
              opt("deleted_rows_count", "long", 514, "Deleted rows count")]
    else:
        f += [req("content", "int", 517, "Contents of the manifest: 0=data, 1=deletes"),
              req("sequence_number", "long", 515, "Sequence number when the manifest was added"),
              req("min_sequence_number", "long", 516, "Lowest sequence number in the manifest"),
              req("added_snapshot_id", "long", 503, "Snapshot ID that added the manifest"),
              req("added_files_count", "int", 504, "Added entry count"),
              req("existing_files_count", "int", 505, "Existing entry count"),
              req("deleted_files_count", "int", 506, "Deleted entry count"),
              req("added_rows_count", "long", 512, "Added rows count"),
              req("existing_rows_count", "long", 513, "Existing rows count"),
              req("deleted_rows_count", "long", 514, "Deleted rows count"),
              opt("partitions", summary, 507, "Summary for each partition")]
    f.append(opt("key_metadata", "bytes", 519, "Encryption key metadata blob"))
    if fv >= 3:
        f.append(opt("first_row_id", "long", 520, "Starting row ID to assign to new rows in ADDED data files"))
    return {"type": "record", "name": "manifest_file", "fields": f}


def write_avro(path, schema_json, records, meta):
    schema = avro.schema.parse(json.dumps(schema_json))
    with open(path, "wb") as out:
        w = avro.datafile.DataFileWriter(out, avro.io.DatumWriter(), schema, codec="deflate")
        for k, v in meta.items():
            w.set_meta(k, v.encode() if isinstance(v, str) else v)
        for r in records:
            w.append(r)
        w.close()


def avro_partition_value(v, t):
    """Partition values in their Avro storage form."""
    if v is None:
        return None
    # python-avro takes date/time/timestamp logical values as Python objects (UTC-aware datetimes).
    if t == "date":
        return v if isinstance(v, datetime.date) else EPOCH_DATE + datetime.timedelta(days=v)
    if t == "time":
        return v
    if t in ("timestamp", "timestamptz"):
        return v.replace(tzinfo=datetime.timezone.utc)
    if t == "uuid":
        return v.bytes
    if t.startswith("decimal"):
        # python-avro encodes a Decimal into the fixed size itself (sign-extended, big-endian).
        return decimal.Decimal(unscaled(v, decimal_ps(t)[1])).scaleb(-decimal_ps(t)[1])
    if t == "binary" or t.startswith("fixed"):
        return bytes(v)
    return v


# ------------------------------------------------------------------------------------------------
# Puffin deletion vectors (spec "Deletion Vectors", Puffin spec "deletion-vector-v1")

def roaring_portable_64(positions):
    """The portable 64-bit roaring layout: bitmap count, then per high-32-bit key the key and a
    portable 32-bit roaring bitmap (no run containers: array containers up to 4096 values, bitmap
    containers above)."""
    by_high = {}
    for p in sorted(set(positions)):
        by_high.setdefault(p >> 32, []).append(p & 0xFFFFFFFF)
    out = struct.pack("<Q", len(by_high))
    for high in sorted(by_high):
        lows = by_high[high]
        containers = {}
        for v in lows:
            containers.setdefault(v >> 16, []).append(v & 0xFFFF)
        keys = sorted(containers)
        body = struct.pack("<II", 12346, len(keys))  # SERIAL_COOKIE_NO_RUNCONTAINER, container count
        for k in keys:
            body += struct.pack("<HH", k, len(containers[k]) - 1)
        offset = len(body) + 4 * len(keys)
        payloads = []
        for k in keys:
            vals = containers[k]
            if len(vals) <= 4096:
                data = b"".join(struct.pack("<H", v) for v in vals)
            else:
                words = [0] * 1024
                for v in vals:
                    words[v >> 6] |= 1 << (v & 63)
                data = b"".join(struct.pack("<Q", w) for w in words)
            payloads.append(data)
        for data in payloads:
            body += struct.pack("<I", offset)
            offset += len(data)
        body += b"".join(payloads)
        out += struct.pack("<I", high) + body
    return out


def dv_blob(positions):
    """deletion-vector-v1 blob: big-endian length of magic+bitmap, magic D1 D3 39 64, the bitmap,
    big-endian CRC-32 of magic+bitmap."""
    payload = bytes([0xD1, 0xD3, 0x39, 0x64]) + roaring_portable_64(positions)
    return struct.pack(">I", len(payload)) + payload + struct.pack(">I", zlib.crc32(payload) & 0xFFFFFFFF)


def write_puffin(path, blobs, snapshot_id, sequence_number):
    """blobs: [(referenced data file path, blob bytes, cardinality)] -> [(offset, length)]."""
    magic = b"PFA1"
    data = bytearray(magic)
    placed, meta = [], []
    for ref, blob, card in blobs:
        placed.append((len(data), len(blob)))
        meta.append({"type": "deletion-vector-v1", "fields": [2147483645],
                     "snapshot-id": snapshot_id, "sequence-number": sequence_number,
                     "offset": len(data), "length": len(blob),
                     "properties": {"referenced-data-file": ref, "cardinality": str(card)}})
        data += blob
    footer = json.dumps({"blobs": meta, "properties": {"created-by": "ldp fixture generator"}}).encode()
    data += magic + footer + struct.pack("<I", len(footer)) + b"\x00\x00\x00\x00" + magic
    with open(path, "wb") as f:
        f.write(data)
    return placed


# ------------------------------------------------------------------------------------------------
# Tables

class Runner:
    """Writes Parquet files through `ldp query` (DuckDB) in a scratch project."""

    def __init__(self, ldp, scratch):
        self.ldp = ldp
        self.scratch = scratch
        subprocess.run([ldp, "init", scratch, "--quiet"], check=True, stdout=subprocess.DEVNULL)

    def run(self, statements):
        if not statements:
            return
        sql = ";\n".join(statements)
        r = subprocess.run([self.ldp, "query", sql, "--project", self.scratch, "--quiet"],
                           capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError(f"ldp query failed: {r.stderr}\n{sql[:2000]}")


def field(fid, name, typ, required=False, **extra):
    f = {"id": fid, "name": name, "required": required, "type": typ}
    f.update(extra)
    return f


class Table:
    def __init__(self, gen, name, fv, fields, specs=None, paths="uri", properties=None, schema_id=0,
                 location=None):
        self.gen = gen
        self.name = name
        self.fv = fv
        self.dir = os.path.join(gen.out, name)
        os.makedirs(os.path.join(self.dir, "data"), exist_ok=True)
        os.makedirs(os.path.join(self.dir, "metadata"), exist_ok=True)
        self.paths = paths  # "uri" (file:///...), "plain" (/...) or "relative"
        self.location = location or ("file://" + self.dir if paths == "uri" else self.dir)
        self.schemas = [{"type": "struct", "schema-id": schema_id, "fields": fields}]
        self.current_schema_id = schema_id
        self.specs = specs or [{"spec-id": 0, "fields": []}]
        self.default_spec_id = self.specs[-1]["spec-id"]
        self.properties = properties or {}
        self.snapshots = []
        self.snapshot_log = []
        self.seq = 0
        self.next_id = 1000
        self.pending = []
        self.counter = 0
        self.current = None
        self.row_id = 0
        self.extra_metadata = {}

    # ---- paths
    def stored(self, rel):
        if self.paths == "relative":
            return rel
        if self.paths == "plain":
            return os.path.join(self.dir, rel)
        return "file://" + os.path.join(self.dir, rel)

    def local(self, rel):
        return os.path.join(self.dir, rel)

    # ---- schema
    def schema(self, schema_id=None):
        sid = self.current_schema_id if schema_id is None else schema_id
        return next(s for s in self.schemas if s["schema-id"] == sid)

    def add_schema(self, fields, make_current=True):
        sid = max(s["schema-id"] for s in self.schemas) + 1
        self.schemas.append({"type": "struct", "schema-id": sid, "fields": fields})
        if make_current:
            self.current_schema_id = sid
        return sid

    def spec(self, spec_id):
        return next(s for s in self.specs if s["spec-id"] == spec_id)

    def partition_fields(self, spec_id, schema_fields=None):
        fields = schema_fields or self.all_fields()
        out = []
        for pf in self.spec(spec_id)["fields"]:
            src = next(f for f in fields if f["id"] == pf["source-id"])
            out.append({"name": pf["name"], "field-id": pf["field-id"], "transform": pf["transform"],
                        "source": src, "result_type": transform_result_type(pf["transform"], src["type"])})
        return out

    def all_fields(self):
        seen = {}
        for s in self.schemas:
            for f in s["fields"]:
                seen[f["id"]] = f
        for f in self.schema()["fields"]:
            seen[f["id"]] = f
        return list(seen.values())

    # ---- files
    def new_name(self, prefix, ext):
        self.counter += 1
        return f"{self.counter:05d}-{prefix}-{uuid.UUID(int=self.counter).hex[:8]}.{ext}"

    def data_file(self, rows, spec_id=None, fields=None, field_ids=True, metrics=True, partition=None,
                  folder="data", truncate_strings=None, write_fields=None, content=0, equality_ids=None,
                  referenced=None, name=None):
        """rows: list of dicts by field name of `fields` (default: the current schema's). The file
        holds the columns of `write_fields` (default `fields`); the partition tuple is computed from
        the rows (all rows must share it) unless given."""
        spec_id = self.default_spec_id if spec_id is None else spec_id
        fields = fields or self.schema()["fields"]
        write_fields = write_fields or fields
        rel = os.path.join(folder, name or self.new_name("data", "parquet"))
        os.makedirs(os.path.dirname(self.local(rel)), exist_ok=True)
        cols = ", ".join(f'"{f["name"]}"' for f in write_fields)
        if rows:
            values = ", ".join("(" + ", ".join(sql_literal(r.get(f["name"]), f["type"]) for f in write_fields) + ")"
                               for r in rows)
            select = f"SELECT * FROM (VALUES {values}) t({cols})"
        else:
            select = "SELECT " + ", ".join(f'{sql_literal(None, f["type"])} AS "{f["name"]}"' for f in write_fields) + " LIMIT 0"
        opts = "FORMAT parquet"
        if field_ids:
            opts += ", FIELD_IDS " + field_ids_clause(write_fields)
        if needs_fixed_len(write_fields):
            # Java writes these as FIXED_LEN_BYTE_ARRAY, which DuckDB cannot: hyparquet-writer does.
            assert field_ids, "hyparquet-writer files are written with field ids"
            self.gen.parquet_jobs.append({"path": self.local(rel),
                                          "columns": [parquet_column(f, rows) for f in write_fields]})
        else:
            self.gen.pending.append(f"COPY ({select}) TO '{self.local(rel)}' ({opts})")
        pfields = self.partition_fields(spec_id)
        if partition is None:
            partition = {}
            for pf in pfields:
                vals = {repr(apply_transform(pf["transform"], r.get(pf["source"]["name"]), pf["source"]["type"]))
                        for r in rows}
                assert len(vals) <= 1, f"rows of one file span partitions of {pf['name']}: {vals}"
                partition[pf["name"]] = apply_transform(pf["transform"], rows[0].get(pf["source"]["name"]),
                                                        pf["source"]["type"]) if rows else None
        f = {"content": content, "rel": rel, "file_path": self.stored(rel), "file_format": "PARQUET",
             "partition": partition, "spec_id": spec_id, "record_count": len(rows),
             "equality_ids": equality_ids, "referenced_data_file": referenced}
        if metrics:
            f.update(compute_metrics(write_fields, rows, truncate_strings))
        return f

    def pos_delete_file(self, deletes, spec_id=None, partition=None, with_row=False, referenced=None):
        """deletes: [(data file dict, pos)] -> a position delete file (sorted by path, pos)."""
        deletes = sorted(deletes, key=lambda d: (d[0]["file_path"], d[1]))
        fields = [field(POS_FILE_PATH_ID, "file_path", "string", True), field(POS_POS_ID, "pos", "long", True)]
        rows = [{"file_path": d[0]["file_path"], "pos": d[1]} for d in deletes]
        if with_row:
            row_type = {"type": "struct", "fields": self.schema()["fields"]}
            fields.append(field(POS_ROW_ID, "row", row_type))
            for r, d in zip(rows, deletes):
                r["row"] = d[2]
        spec_id = deletes[0][0]["spec_id"] if spec_id is None else spec_id
        partition = deletes[0][0]["partition"] if partition is None else partition
        f = self.data_file(rows, spec_id=spec_id, fields=fields, partition=partition, content=1,
                           referenced=referenced, name=self.new_name("pos-deletes", "parquet"))
        return f

    def eq_delete_file(self, rows, equality_ids, spec_id=None, partition=None, write_fields=None):
        fields = write_fields or [f for f in self.schema()["fields"] if f["id"] in equality_ids]
        return self.data_file(rows, spec_id=spec_id, fields=fields, partition=partition, content=2,
                              equality_ids=equality_ids, name=self.new_name("eq-deletes", "parquet"))

    def flush(self):
        self.gen.pending += self.pending
        self.pending = []

    # ---- snapshots
    def begin(self, operation="append"):
        self.next_id += 1
        if self.fv >= 2:
            self.seq += 1
        self.current = {"snapshot-id": self.next_id * 7919, "seq": self.seq if self.fv >= 2 else 0,
                        "operation": operation, "added_rows": 0}
        return self.current

    def manifest(self, files, spec_id=None, content=None, fv=None, statuses=None, explicit=None):
        """A manifest of `files` ADDED by the current snapshot (sequence numbers inherited), or with
        `statuses`/`explicit` [(snapshot id, data seq, file seq)] for EXISTING/DELETED entries."""
        fv = fv or self.fv
        snap = self.current
        spec_id = files[0]["spec_id"] if spec_id is None and files else (spec_id or 0)
        content = content if content is not None else (0 if not files or files[0]["content"] == 0 else 1)
        pfields = self.partition_fields(spec_id)
        rel = os.path.join("metadata", f"{uuid.uuid4()}-m{self.counter}.avro")
        self.counter += 1
        row = {}

        def write():
            self._write_manifest(rel, files, pfields, fv, snap, statuses, explicit, spec_id, content)
            row["manifest_length"] = os.path.getsize(self.local(rel))
        self.gen.later.append(write)
        self._manifest_row(row, rel, files, pfields, fv, snap, statuses, explicit, spec_id, content)
        return row

    def _write_manifest(self, rel, files, pfields, fv, snap, statuses, explicit, spec_id, content):
        entries = []
        for i, f in enumerate(files):
            if f.get("file_size_in_bytes") is None and f["file_format"] == "PARQUET":
                f["file_size_in_bytes"] = os.path.getsize(self.local(f["rel"]))
            status = statuses[i] if statuses else 1
            ex = explicit[i] if explicit else None
            df = {"file_path": f["file_path"], "file_format": f["file_format"],
                  "partition": {pf["name"]: avro_partition_value(f["partition"].get(pf["name"]), pf["result_type"])
                                for pf in pfields},
                  "record_count": f["record_count"], "file_size_in_bytes": f["file_size_in_bytes"]}
            for key in ("column_sizes", "value_counts", "null_value_counts", "nan_value_counts", "lower_bounds",
                        "upper_bounds"):
                m = f.get(key)
                df[key] = [{"key": k, "value": v} for k, v in sorted(m.items())] if m is not None else None
            df["key_metadata"] = None
            df["split_offsets"] = [4] if f["file_format"] == "PARQUET" else None
            df["sort_order_id"] = 0 if f["content"] == 0 else None
            if fv == 1:
                df["block_size_in_bytes"] = 67108864
            else:
                df["content"] = f["content"]
                df["equality_ids"] = f.get("equality_ids")
                df["referenced_data_file"] = f.get("referenced_data_file")
            if fv >= 3:
                df["first_row_id"] = f.get("first_row_id")
                df["content_offset"] = f.get("content_offset")
                df["content_size_in_bytes"] = f.get("content_size_in_bytes")
            e = {"status": status, "data_file": df}
            if fv == 1:
                e["snapshot_id"] = ex[0] if ex else snap["snapshot-id"]
            else:
                e["snapshot_id"] = ex[0] if ex else None
                e["sequence_number"] = ex[1] if ex else None
                e["file_sequence_number"] = ex[2] if ex else None
            entries.append(e)
        schema_json = json.dumps(self.schema())
        meta = {"schema": schema_json, "schema-id": str(self.current_schema_id),
                "partition-spec": json.dumps(self.spec(spec_id)["fields"]),
                "partition-spec-id": str(spec_id), "format-version": str(fv)}
        if fv >= 2:
            meta["content"] = "data" if content == 0 else "deletes"
        write_avro(self.local(rel), manifest_schema(fv, pfields), entries, meta)

    def _manifest_row(self, row, rel, files, pfields, fv, snap, statuses, explicit, spec_id, content):
        added = [f for i, f in enumerate(files) if (statuses[i] if statuses else 1) == 1]
        existing = [f for i, f in enumerate(files) if statuses and statuses[i] == 0]
        deleted = [f for i, f in enumerate(files) if statuses and statuses[i] == 2]
        summaries = []
        for pf in pfields:
            vals = [f["partition"].get(pf["name"]) for f in files]
            nn = [v for v in vals if v is not None and not (isinstance(v, float) and math.isnan(v))]
            s = {"contains_null": any(v is None for v in vals),
                 "contains_nan": any(isinstance(v, float) and math.isnan(v) for v in vals),
                 "lower_bound": None, "upper_bound": None}
            if nn:
                key = lambda v: sort_key(v, pf["result_type"])
                s["lower_bound"] = single_value(min(nn, key=key), pf["result_type"])
                s["upper_bound"] = single_value(max(nn, key=key), pf["result_type"])
            summaries.append(s)
        row.update({"manifest_path": self.stored(rel), "manifest_length": None,
               "partition_spec_id": spec_id, "added_snapshot_id": snap["snapshot-id"],
               "partitions": summaries, "key_metadata": None, "fv": fv,
               "content": content, "sequence_number": snap["seq"],
               "min_sequence_number": min([snap["seq"]] + [ex[1] for ex in (explicit or []) if ex]),
               "added": (len(added), sum(f["record_count"] for f in added)),
               "existing": (len(existing), sum(f["record_count"] for f in existing)),
               "deleted": (len(deleted), sum(f["record_count"] for f in deleted))})
        if content == 0 and fv >= 3:
            row["first_row_id"] = None  # assigned by the manifest list

    def commit(self, manifests, summary=None, schema_id=True, list_fv=None):
        snap = self.current
        fv = list_fv or self.fv
        rel = os.path.join("metadata", f"snap-{snap['snapshot-id']}-1-{uuid.uuid4()}.avro")
        rows = []
        first_row_id = self.row_id
        for m in manifests:
            r = {"manifest_path": m["manifest_path"], "manifest_length": m,
                 "partition_spec_id": m["partition_spec_id"], "added_snapshot_id": m["added_snapshot_id"],
                 "partitions": m["partitions"], "key_metadata": None}
            if fv == 1:
                r.update({"added_data_files_count": m["added"][0], "existing_data_files_count": m["existing"][0],
                          "deleted_data_files_count": m["deleted"][0], "added_rows_count": m["added"][1],
                          "existing_rows_count": m["existing"][1], "deleted_rows_count": m["deleted"][1]})
            else:
                # A manifest written before the table was upgraded to v2 has sequence number 0.
                seq = m["sequence_number"] if m["fv"] >= 2 else 0
                r.update({"content": m["content"], "sequence_number": seq,
                          "min_sequence_number": m["min_sequence_number"] if m["fv"] >= 2 else 0,
                          "added_files_count": m["added"][0], "existing_files_count": m["existing"][0],
                          "deleted_files_count": m["deleted"][0], "added_rows_count": m["added"][1],
                          "existing_rows_count": m["existing"][1], "deleted_rows_count": m["deleted"][1]})
            if fv >= 3:
                if m["content"] == 0 and m["added_snapshot_id"] == snap["snapshot-id"]:
                    r["first_row_id"] = self.row_id
                    self.row_id += m["added"][1] + m["existing"][1]
                else:
                    r["first_row_id"] = m.get("first_row_id")
                m["first_row_id"] = r["first_row_id"]
            rows.append(r)
        meta = {"snapshot-id": str(snap["snapshot-id"]),
                "parent-snapshot-id": str(self.snapshots[-1]["snapshot-id"]) if self.snapshots else "null",
                "format-version": str(fv)}
        if fv >= 2:
            meta["sequence-number"] = str(snap["seq"])
        if fv >= 3:
            meta["first-row-id"] = str(first_row_id)

        def write():
            for r in rows:
                r["manifest_length"] = r["manifest_length"]["manifest_length"]
            write_avro(self.local(rel), manifest_list_schema(fv), rows, meta)
        self.gen.later.append(write)
        ts = 1700000000000 + len(self.snapshots) * 1000
        s = {"snapshot-id": snap["snapshot-id"], "timestamp-ms": ts,
             "summary": dict({"operation": snap["operation"]}, **(summary or {})),
             "manifest-list": self.stored(rel)}
        if self.snapshots:
            s["parent-snapshot-id"] = self.snapshots[-1]["snapshot-id"]
        if self.fv >= 2:
            s["sequence-number"] = snap["seq"]
        if schema_id:
            s["schema-id"] = self.current_schema_id
        if self.fv >= 3:
            s["first-row-id"] = first_row_id
            s["added-rows"] = self.row_id - first_row_id
        self.snapshots.append(s)
        self.snapshot_log.append({"timestamp-ms": ts, "snapshot-id": snap["snapshot-id"]})
        return s

    def write_metadata(self, version=1, oldest_v1=False, name=None):
        last_col = 0

        def walk(t):
            nonlocal last_col
            if is_prim(t):
                return
            if t["type"] == "struct":
                for f in t["fields"]:
                    last_col = max(last_col, f["id"])
                    walk(f["type"])
            elif t["type"] == "list":
                last_col = max(last_col, t["element-id"])
                walk(t["element"])
            else:
                last_col = max(last_col, t["key-id"], t["value-id"])
                walk(t["key"])
                walk(t["value"])
        for s in self.schemas:
            walk(s)
        last_pid = max([999] + [pf["field-id"] for s in self.specs for pf in s["fields"]])
        md = {"format-version": self.fv, "table-uuid": str(uuid.UUID(int=hash(self.name) & ((1 << 128) - 1))),
              "location": self.location}
        if self.fv >= 2:
            md["last-sequence-number"] = self.seq
        md["last-updated-ms"] = 1700000000000 + len(self.snapshots) * 1000
        md["last-column-id"] = last_col
        if oldest_v1:
            # The oldest v1 form: only `schema` and `partition-spec`, no lists, no ids.
            sch = dict(self.schema())
            sch.pop("schema-id", None)
            md["schema"] = sch
            md["partition-spec"] = self.spec(self.default_spec_id)["fields"]
        else:
            if self.fv == 1:
                md["schema"] = self.schema()
                md["partition-spec"] = self.spec(self.default_spec_id)["fields"]
            md["current-schema-id"] = self.current_schema_id
            md["schemas"] = self.schemas
            md["default-spec-id"] = self.default_spec_id
            md["partition-specs"] = self.specs
            md["last-partition-id"] = last_pid
            md["default-sort-order-id"] = 0
            md["sort-orders"] = [{"order-id": 0, "fields": []}]
        md["properties"] = self.properties
        if self.snapshots:
            md["current-snapshot-id"] = self.snapshots[-1]["snapshot-id"]
            if not oldest_v1:
                md["refs"] = {"main": {"snapshot-id": self.snapshots[-1]["snapshot-id"], "type": "branch"}}
        else:
            md["current-snapshot-id"] = -1
        md["snapshots"] = self.snapshots
        md["snapshot-log"] = self.snapshot_log
        md["metadata-log"] = []
        if self.fv >= 3:
            md["next-row-id"] = self.row_id
        md.update(self.extra_metadata)
        path = self.local(os.path.join("metadata", name or f"{version:05d}-{uuid.uuid4()}.metadata.json"))
        with open(path, "w") as f:
            json.dump(md, f, indent=2, default=str)
        return path


def compute_metrics(fields, rows, truncate_strings=None):
    vc, nc, nanc, lo, hi = {}, {}, {}, {}, {}
    for f in fields:
        t = f["type"]
        if not is_prim(t):
            continue
        vals = [r.get(f["name"]) for r in rows]
        vc[f["id"]] = len(vals)
        nc[f["id"]] = sum(v is None for v in vals)
        if t in ("float", "double"):
            nanc[f["id"]] = sum(v is not None and math.isnan(v) for v in vals)
        nn = [v for v in vals if v is not None and not (isinstance(v, float) and math.isnan(v))]
        if nn:
            key = lambda v: sort_key(v, t)
            mn, mx = min(nn, key=key), max(nn, key=key)
            if t == "string" and truncate_strings:
                # Java's truncated bounds: a prefix for the lower, the prefix with its last code
                # point incremented for the upper.
                mn = mn[:truncate_strings]
                if len(mx) > truncate_strings:
                    mx = mx[:truncate_strings - 1] + chr(ord(mx[truncate_strings - 1]) + 1)
            lo[f["id"]] = single_value(mn, t)
            hi[f["id"]] = single_value(mx, t)
    return {"value_counts": vc, "null_value_counts": nc, "nan_value_counts": nanc, "lower_bounds": lo,
            "upper_bounds": hi, "column_sizes": None}


def decimal_bytes(p):
    """Bytes of a FIXED_LEN_BYTE_ARRAY decimal of precision p (the least that hold 10^p - 1)."""
    size = 1
    while 2 ** (8 * size - 1) < 10 ** p:
        size += 1
    return size


def needs_fixed_len(fields):
    """Whether a file of these fields has a column Java writes as FIXED_LEN_BYTE_ARRAY and DuckDB
    does not (fixed[N]; decimals above precision 18 too, where DuckDB always uses 16 bytes and Java
    the fewest that hold the precision) and holds only flat columns (hyparquet-writer writes no
    nested ones)."""
    if not all(is_prim(f["type"]) for f in fields):
        return False
    return any(f["type"].startswith("fixed") or (f["type"].startswith("decimal") and decimal_ps(f["type"])[0] > 18)
               for f in fields)


def parquet_column(f, rows):
    """One column for write_parquet.mjs: the Parquet physical, logical and converted types Java's
    writer uses for the Iceberg type (spec "Parquet" type mapping), values encoded for JSON.
    Converted types that would make hyparquet-writer convert the values go into the footer only
    (footer_converted_type: see write_parquet.mjs)."""
    t = f["type"]
    c = {"name": f["name"], "field_id": f["id"], "optional": not f.get("required", False)}
    raw = [r.get(f["name"]) for r in rows]
    enc = lambda v: v
    if t == "boolean":
        c["type"] = "BOOLEAN"
    elif t == "int":
        c["type"] = "INT32"
    elif t == "long":
        c["type"], enc = "INT64", str
    elif t in ("float", "double"):
        assert not any(v is not None and math.isnan(v) for v in raw), "NaN does not pass through JSON"
        c["type"] = t.upper()
    elif t.startswith("decimal"):
        p, sc = decimal_ps(t)
        c.update(logical_type={"type": "DECIMAL", "scale": sc, "precision": p}, scale=sc, precision=p,
                 footer_converted_type="DECIMAL")
        if p <= 9:
            c["type"], enc = "INT32", lambda v: unscaled(v, sc)
        elif p <= 18:
            c["type"], enc = "INT64", lambda v: str(unscaled(v, sc))
        else:
            n = decimal_bytes(p)
            c.update(type="FIXED_LEN_BYTE_ARRAY", type_length=n)
            enc = lambda v: unscaled(v, sc).to_bytes(n, "big", signed=True).hex()
    elif t == "date":
        c.update(type="INT32", logical_type={"type": "DATE"}, footer_converted_type="DATE")
        enc = days
    elif t == "time":
        c.update(type="INT64", logical_type={"type": "TIME", "isAdjustedToUTC": False, "unit": "MICROS"},
                 footer_converted_type="TIME_MICROS")
        enc = lambda v: str(time_micros(v))
    elif t in ("timestamp", "timestamptz"):
        c.update(type="INT64", logical_type={"type": "TIMESTAMP", "isAdjustedToUTC": t == "timestamptz", "unit": "MICROS"},
                 footer_converted_type="TIMESTAMP_MICROS")
        enc = lambda v: str(micros(v))
    elif t in ("timestamp_ns", "timestamptz_ns"):
        c.update(type="INT64", logical_type={"type": "TIMESTAMP", "isAdjustedToUTC": t == "timestamptz_ns", "unit": "NANOS"})
        enc = str
    elif t == "string":
        c.update(type="BYTE_ARRAY", converted_type="UTF8", logical_type={"type": "STRING"})
    elif t == "binary":
        c["type"], enc = "BYTE_ARRAY", lambda v: bytes(v).hex()
    elif t.startswith("fixed"):
        c.update(type="FIXED_LEN_BYTE_ARRAY", type_length=int(t[6:-1]))
        enc = lambda v: bytes(v).hex()
    elif t == "uuid":
        c.update(type="FIXED_LEN_BYTE_ARRAY", type_length=16, logical_type={"type": "UUID"})
        enc = lambda v: v.bytes.hex()
    else:
        raise ValueError(t)
    c["values"] = [None if v is None else enc(v) for v in raw]
    return c


class Generator:
    def __init__(self, out, ldp):
        self.out = out
        self.runner = Runner(ldp, os.path.join(out, "_scratch"))
        self.fixtures = {}
        self.pending = []  # COPY statements, run in one `ldp query`
        self.parquet_jobs = []  # files with FIXED_LEN_BYTE_ARRAY columns, for write_parquet.mjs
        self.later = []    # Avro writes and damage, run in order after the Parquet files exist

    def finish(self):
        self.runner.run(self.pending)
        if self.parquet_jobs:
            jobs = os.path.join(self.out, "_parquet_jobs.json")
            with open(jobs, "w") as f:
                json.dump(self.parquet_jobs, f)
            node = shutil.which("node") or "node"
            script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "write_parquet.mjs")
            r = subprocess.run([node, script, jobs], capture_output=True, text=True)
            if r.returncode != 0:
                raise RuntimeError(f"write_parquet.mjs failed: {r.stderr}")
            os.remove(jobs)
        for f in self.later:
            f()

    def add(self, name, location, checks=(), register_args=(), error=None, note=""):
        self.fixtures[name] = {"location": location, "register_args": list(register_args), "checks": list(checks),
                               "error": error, "note": note}


def check(sql, rows, planned=None):
    c = {"sql": sql, "rows": rows}
    if planned is not None:
        c["planned_files"] = planned
    return c


# ------------------------------------------------------------------------------------------------
# Fixtures. Each builds one table and says what reading it must give.

def base_fields():
    return [field(1, "id", "long", True), field(2, "name", "string"), field(3, "cat", "string")]


def rows_of(ids, cat="a", name=lambda i: f"n{i}"):
    return [{"id": i, "name": name(i), "cat": cat} for i in ids]


def count_sum(live):
    return check("SELECT count(*) AS n, sum(id) AS s FROM {t}", [{"n": len(live), "s": sum(live) if live else None}])


def ids_check(live):
    return check("SELECT list(id ORDER BY id)::VARCHAR AS ids FROM {t}", [{"ids": "[" + ", ".join(map(str, sorted(live))) + "]"}])


def fx_v1_oldest(g):
    spec = {"spec-id": 0, "fields": [{"source-id": 3, "field-id": 1000, "name": "cat", "transform": "identity"}]}
    t = Table(g, "v1_oldest", 1, base_fields(), specs=[spec])
    t.begin()
    a, b = t.data_file(rows_of(range(0, 10), "a")), t.data_file(rows_of(range(10, 20), "b"))
    m1 = t.manifest([a, b])
    t.commit([m1], schema_id=False)
    t.begin()
    c = t.data_file(rows_of(range(20, 25), "a"))
    t.commit([m1, t.manifest([c])], schema_id=False)
    t.write_metadata(1, oldest_v1=True)
    live = list(range(25))
    g.add("v1_oldest", t.dir, [count_sum(live),
                              check("SELECT count(*) AS n FROM {t} WHERE cat = 'a'", [{"n": 15}], planned=2),
                              check("SELECT count(*) AS n FROM {t} WHERE id >= 20", [{"n": 5}], planned=1)],
          note="format v1, oldest metadata form (schema/partition-spec only), v1 manifests and manifest list")


def fx_v1_to_v2(g):
    t = Table(g, "v1_to_v2", 1, base_fields())
    t.begin()
    a = t.data_file(rows_of(range(0, 10)))
    ma = t.manifest([a])
    t.commit([ma])
    t.begin()
    mb_file = t.data_file(rows_of(range(10, 20)))
    mb = t.manifest([mb_file])
    t.commit([ma, mb])
    t.write_metadata(1)
    # Upgraded to v2 (format-version 2, last-sequence-number 0): old manifests keep their v1
    # layout and inherit sequence number 0.
    t.fv = 2
    t.begin()  # seq 1
    c = t.data_file(rows_of(range(20, 30)))
    eq = t.eq_delete_file([{"id": 5}, {"id": 25}], [1])  # seq 1: applies to A and B (seq 0), not to C
    mc, mdel = t.manifest([c]), t.manifest([eq])
    t.commit([ma, mb, mc, mdel], summary={"engine-name": "spark"})
    t.begin("delete")  # seq 2
    pd = t.pos_delete_file([(mb_file, 0)], referenced=mb_file["file_path"])
    t.commit([ma, mb, mc, mdel, t.manifest([pd])])
    t.write_metadata(2)
    live = [i for i in range(30) if i not in (5, 10)]
    g.add("v1_to_v2", t.dir, [count_sum(live), ids_check(live)],
          note="v1 manifests (sequence number 0) alongside v2 ones, deletes applying to them")


def fx_v2_deletes(g):
    t = Table(g, "v2_deletes", 2, base_fields())
    name = lambda i: None if i % 10 == 8 else f"n{i}"
    t.begin()  # seq 1
    a = t.data_file(rows_of(range(0, 10), name=name))
    pd = t.pos_delete_file([(a, 1)], referenced=a["file_path"])  # same sequence number: applies
    ms = [t.manifest([a]), t.manifest([pd])]
    t.commit(ms)
    t.begin("delete")  # seq 2: id 2 and 12; B (seq 3) is newer, so 12 stays
    ms.append(t.manifest([t.eq_delete_file([{"id": 2}, {"id": 12}], [1])]))
    t.commit(ms)
    t.begin()  # seq 3
    b = t.data_file(rows_of(range(10, 20), name=name))
    ms.append(t.manifest([b]))
    t.commit(ms)
    t.begin("delete")  # seq 4: name IS NULL (8, 18); the file has every column (a superset)
    ms.append(t.manifest([t.eq_delete_file([{"id": 999, "name": None, "cat": "z"}], [2],
                                           write_fields=base_fields())]))
    t.commit(ms)
    t.begin("delete")  # seq 5: on (id, name): (3, n3) matches, (4, wrong) does not
    ms.append(t.manifest([t.eq_delete_file([{"id": 3, "name": "n3"}, {"id": 4, "name": "wrong"}], [1, 2])]))
    t.commit(ms)
    t.begin("delete")  # seq 6: one position delete file for two data files, with the deleted rows
    pd2 = t.pos_delete_file([(a, 5, rows_of([5])[0]), (b, 5, rows_of([15])[0])], with_row=True)
    ms.append(t.manifest([pd2]))
    t.commit(ms)
    t.begin("delete")  # seq 7: an equality delete on a column the table no longer has... not used
    t.seq -= 1
    t.write_metadata(1)
    live = [i for i in range(20) if i not in (1, 2, 8, 18, 3, 5, 15)]
    g.add("v2_deletes", t.dir, [count_sum(live), ids_check(live),
                               check("SELECT count(*) AS n FROM {t} WHERE name IS NULL", [{"n": 0}])],
          note="position deletes (same sequence number, several files, with row), equality deletes "
               "(sequence scoping, NULL, two columns, superset and subset files)")


def fx_v2_eq_partitioned(g):
    specs = [{"spec-id": 0, "fields": []},
             {"spec-id": 1, "fields": [{"source-id": 3, "field-id": 1000, "name": "cat", "transform": "identity"}]}]
    t = Table(g, "v2_eq_partitioned", 2, base_fields(), specs=specs)
    t.begin()  # seq 1
    a = t.data_file(rows_of(range(5), "a"), spec_id=1)
    b = t.data_file(rows_of(range(5), "b"), spec_id=1)
    c = t.data_file(rows_of(range(5), "a"), spec_id=0)  # written before the table was partitioned
    ms = [t.manifest([a, b]), t.manifest([c])]
    t.commit(ms)
    t.begin("delete")  # seq 2: id 1 in partition cat=a of spec 1 only
    ms.append(t.manifest([t.eq_delete_file([{"id": 1}], [1], spec_id=1, partition={"cat": "a"})]))
    t.commit(ms)
    t.begin("delete")  # seq 3: id 2, unpartitioned spec: global
    ms.append(t.manifest([t.eq_delete_file([{"id": 2}], [1], spec_id=0, partition={})]))
    t.commit(ms)
    t.begin("delete")  # seq 4: id 3 in partition cat=c: no data there
    ms.append(t.manifest([t.eq_delete_file([{"id": 3}], [1], spec_id=1, partition={"cat": "c"})]))
    t.commit(ms)
    t.write_metadata(1)
    g.add("v2_eq_partitioned", t.dir, [
        check("SELECT cat, list(id ORDER BY id)::VARCHAR AS ids, count(*) AS n FROM {t} GROUP BY cat ORDER BY cat",
              [{"cat": "a", "ids": "[0, 0, 1, 3, 3, 4, 4]", "n": 7}, {"cat": "b", "ids": "[0, 1, 3, 4]", "n": 4}])],
          note="equality deletes scoped to their spec and partition; unpartitioned ones global")


def fx_name_mapping(g):
    mapping = [{"field-id": 1, "names": ["id"]}, {"field-id": 2, "names": ["name", "full_name"]},
               {"field-id": 3, "names": ["score"]},
               {"field-id": 4, "names": ["info"], "fields": [{"field-id": 5, "names": ["x"]}]}]
    t = Table(g, "name_mapping", 2, [field(1, "id", "long"), field(2, "name", "string")],
              properties={"schema.name-mapping.default": json.dumps(mapping)})
    t.begin()
    a = t.data_file([{"id": 1, "name": "ann"}, {"id": 2, "name": "bob"}], field_ids=False)
    t.commit([t.manifest([a])], schema_id=False)
    s1 = [field(1, "id", "long"), field(2, "full_name", "string"), field(3, "score", "int"),
          field(4, "info", {"type": "struct", "fields": [field(5, "x", "int")]})]
    t.add_schema(s1)
    t.begin()
    b = t.data_file([{"id": 3, "full_name": "cy", "score": 7, "info": {"x": 9}}], field_ids=False)
    t.commit([t.manifest([a], statuses=[0], explicit=[(t.snapshots[0]["snapshot-id"], 1, 1)]), t.manifest([b])],
             schema_id=False)
    t.write_metadata(1)
    g.add("name_mapping", t.dir, [
        check("SELECT id, full_name, score, info.x AS x FROM {t} ORDER BY id",
              [{"id": 1, "full_name": "ann", "score": None, "x": None},
               {"id": 2, "full_name": "bob", "score": None, "x": None},
               {"id": 3, "full_name": "cy", "score": 7, "x": 9}])],
          note="data files without Parquet field ids (migrated Hive tables), schema.name-mapping.default")


def fx_evolved_by_id(g):
    s_type0 = {"type": "struct", "fields": [field(5, "x", "int"), field(6, "y", "string")]}
    s0 = [field(1, "id", "long", True), field(2, "a", "string"), field(3, "b", "int"), field(4, "s", s_type0)]
    t = Table(g, "evolved_by_id", 2, s0)
    t.begin()
    a = t.data_file([{"id": 1, "a": "A1", "b": 10, "s": {"x": 1, "y": "y1"}},
                     {"id": 2, "a": "A2", "b": 20, "s": None}])
    ms = [t.manifest([a])]
    t.commit(ms)
    s_type1 = {"type": "struct", "fields": [field(5, "x", "long"), field(6, "why", "string")]}
    s1 = [field(1, "id", "long", True), field(2, "alpha", "string"), field(4, "s", s_type1),
          field(8, "b", "string"), field(7, "c", "double")]
    t.add_schema(s1)
    t.begin()
    b = t.data_file([{"id": 3, "alpha": "A3", "s": {"x": 3, "why": "y3"}, "b": "new", "c": 1.5}])
    ms.append(t.manifest([b]))
    t.commit(ms)
    t.begin()  # a snapshot without schema-id, as some writers leave them
    c = t.data_file([{"id": 4, "alpha": "A4", "s": {"x": 4, "why": "y4"}, "b": "newer", "c": 2.5}])
    ms.append(t.manifest([c]))
    t.commit(ms, schema_id=False)
    t.write_metadata(1)
    g.add("evolved_by_id", t.dir, [
        check("SELECT id, alpha, s.x AS x, s.why AS why, b, c FROM {t} ORDER BY id",
              [{"id": 1, "alpha": "A1", "x": 1, "why": "y1", "b": None, "c": None},
               {"id": 2, "alpha": "A2", "x": None, "why": None, "b": None, "c": None},
               {"id": 3, "alpha": "A3", "x": 3, "why": "y3", "b": "new", "c": 1.5},
               {"id": 4, "alpha": "A4", "x": 4, "why": "y4", "b": "newer", "c": 2.5}])],
          note="renames (top level and in structs), a dropped column re-added under its old name, promotion")


def fx_case_nested(g):
    st = {"type": "struct", "fields": [field(4, "Inner", "int"), field(5, "tag", "string")]}
    lt = {"type": "list", "element-id": 6, "element": "long", "element-required": False}
    mt = {"type": "map", "key-id": 7, "key": "string", "value-id": 8, "value": "int", "value-required": False}
    ls = {"type": "list", "element-id": 9, "element-required": False,
          "element": {"type": "struct", "fields": [field(10, "k", "string"), field(11, "v", "double")]}}
    fields = [field(1, "UserId", "long", True), field(2, "eventName", "string"), field(3, "Payload", st),
              field(12, "nums", lt), field(13, "attrs", mt), field(14, "pairs", ls)]
    t = Table(g, "case_nested", 2, fields)
    rows = []
    for i in range(6):
        rows.append({"UserId": i, "eventName": f"E{i}",
                     "Payload": None if i == 5 else {"Inner": i * 10, "tag": f"t{i}"},
                     "nums": None if i == 4 else list(range(i)),
                     "attrs": [("a", i), ("b", None if i % 2 else i * 2)],
                     "pairs": [{"k": "p", "v": i + 0.5}] if i % 3 == 0 else []})
    t.begin()
    t.commit([t.manifest([t.data_file(rows[:3]), t.data_file(rows[3:])])])
    t.write_metadata(1)
    g.add("case_nested", t.dir, [
        check('SELECT sum("UserId") AS s, count("eventName") AS n FROM {t}', [{"s": 15, "n": 6}]),
        check('SELECT sum("Payload"."Inner") AS s, count("Payload") AS n, string_agg("Payload".tag, \',\' ORDER BY "UserId") AS tags FROM {t}',
              [{"s": 100, "n": 5, "tags": "t0,t1,t2,t3,t4"}]),
        check("SELECT sum(len(nums)) AS l, sum(list_sum(nums)) AS s, count(nums) AS n FROM {t}",
              [{"l": sum(range(6)) - 4, "s": sum(sum(range(i)) for i in range(6) if i != 4), "n": 5}]),
        check("SELECT sum(attrs['a']) AS a, sum(attrs['b']) AS b FROM {t}",
              [{"a": 15, "b": sum(i * 2 for i in range(6) if i % 2 == 0)}]),
        check("SELECT sum(len(pairs)) AS n, sum(pairs[1].v) AS v FROM {t}", [{"n": 2, "v": 4.0}])],
          note="case-sensitive names, nested structs, lists, maps, lists of structs")


def fx_identity_missing(g):
    spec = {"spec-id": 0, "fields": [{"source-id": 3, "field-id": 1000, "name": "cat", "transform": "identity"},
                                     {"source-id": 4, "field-id": 1001, "name": "region", "transform": "identity"}]}
    fields = base_fields() + [field(4, "region", "int")]
    t = Table(g, "identity_missing", 2, fields, specs=[spec])
    t.begin()
    files = []
    for cat, region, ids in (("a", 1, range(0, 4)), ("b", 1, range(4, 10)), ("b", 2, range(10, 13))):
        rows = [dict(r, region=region) for r in rows_of(ids, cat)]
        # Written without the partition source columns, as Hive-style migrated tables are.
        files.append(t.data_file(rows, write_fields=base_fields()[:2]))
    t.commit([t.manifest(files)])
    t.write_metadata(1)
    g.add("identity_missing", t.dir, [
        check("SELECT cat, region, count(*) AS n, sum(id) AS s FROM {t} GROUP BY ALL ORDER BY ALL",
              [{"cat": "a", "region": 1, "n": 4, "s": 6}, {"cat": "b", "region": 1, "n": 6, "s": 39},
               {"cat": "b", "region": 2, "n": 3, "s": 33}]),
        check("SELECT count(*) AS n FROM {t} WHERE cat = 'b' AND region = 2", [{"n": 3}], planned=1)],
          note="identity partition columns absent from the data files, filled from partition values")


TYPE_VALUES = [
    ("int", [1, -7]), ("long", [10_000_000_000, -3]), ("boolean", [True, False]), ("float", [1.5, -2.25]),
    ("double", [3.125, -0.5]), ("decimal(9,2)", [decimal.Decimal("12.34"), decimal.Decimal("-0.05")]),
    ("decimal(18,6)", [decimal.Decimal("123456789.123456"), decimal.Decimal("-1.000001")]),
    ("decimal(38,10)", [decimal.Decimal("1234567890123456789012345678.0123456789"), decimal.Decimal("-5.5")]),
    ("date", [datetime.date(2024, 2, 29), datetime.date(1969, 12, 31)]),
    ("time", [datetime.time(13, 45, 6, 789000), datetime.time(0, 0, 1)]),
    ("timestamp", [datetime.datetime(2024, 5, 6, 7, 8, 9, 123456), datetime.datetime(1969, 7, 20, 20, 17, 40)]),
    ("timestamptz", [datetime.datetime(2023, 1, 1, 12, 0, 0), datetime.datetime(2000, 1, 1, 0, 0, 0, 1)]),
    ("string", ["hello", "wörld"]), ("binary", [b"\x00\x01\xff", b"abc"]), ("fixed[4]", [b"\x01\x02\x03\x04", b"wxyz"]),
    ("uuid", [uuid.UUID("f79c3e09-677c-4bbd-a479-3f349cb785e7"), uuid.UUID("00000000-0000-0000-0000-000000000001")]),
]


# Predicates on these types are not used for pruning (a timestamptz literal depends on the
# session's time zone; binary/fixed constants arrive as from_hex() calls): all files are read.
NOT_PRUNED = ("timestamptz", "binary", "fixed[4]")


def pred_literal(v, t):
    if t in ("binary",) or t.startswith("fixed"):
        return f"from_hex('{v.hex()}')"
    if t == "timestamptz":
        return f"TIMESTAMPTZ '{v.isoformat(sep=' ')}+00:00'"
    return sql_literal(v, t)


def fx_partition_types(g):
    fields = [field(1, "id", "long", True)]
    pfields = []
    for i, (t_, _) in enumerate(TYPE_VALUES):
        fields.append(field(10 + i, f"c_{i}", t_))
        pfields.append({"source-id": 10 + i, "field-id": 1000 + i, "name": f"c_{i}", "transform": "identity"})
    t = Table(g, "partition_types", 2, fields, specs=[{"spec-id": 0, "fields": pfields}])
    t.begin()
    files = []
    for k in range(3):  # file 0: first values, file 1: second values, file 2: nulls
        rows = []
        for r in range(k + 2):
            row = {"id": k * 10 + r}
            for i, (t_, vals) in enumerate(TYPE_VALUES):
                row[f"c_{i}"] = vals[k] if k < 2 else None
            rows.append(row)
        files.append(t.data_file(rows))
    t.commit([t.manifest(files)])
    t.write_metadata(1)
    checks = [count_sum([0, 1, 10, 11, 12, 20, 21, 22, 23])]
    for i, (t_, vals) in enumerate(TYPE_VALUES):
        for k in range(2):
            checks.append(check(f"SELECT count(*) AS n, sum(id) AS s FROM {{t}} WHERE c_{i} = {pred_literal(vals[k], t_)}",
                                [{"n": k + 2, "s": sum(k * 10 + r for r in range(k + 2))}],
                                planned=None if t_ in NOT_PRUNED else 1))
        checks.append(check(f"SELECT count(*) AS n FROM {{t}} WHERE c_{i} IS NULL", [{"n": 4}], planned=1))
    g.add("partition_types", t.dir, checks, note="identity partitions on every primitive type, pruned by value")


def fx_partition_transforms(g):
    fields = [field(1, "id", "long", True), field(2, "s", "string"), field(3, "n", "int"),
              field(4, "d", "decimal(10,2)"), field(5, "dt", "date"), field(6, "ts", "timestamp"),
              field(7, "tz", "timestamptz"), field(8, "u", "uuid"), field(9, "v", "string")]
    pf = [("bucket[4]", 1), ("truncate[3]", 2), ("truncate[10]", 3), ("truncate[100]", 4), ("year", 5),
          ("month", 6), ("day", 7), ("hour", 6), ("bucket[3]", 8), ("void", 9), ("bucket[5]", 2)]
    spec = {"spec-id": 0, "fields": [{"source-id": src, "field-id": 1000 + i, "name": f"p{i}", "transform": tr}
                                     for i, (tr, src) in enumerate(pf)]}
    t = Table(g, "partition_transforms", 2, fields, specs=[spec])
    base = datetime.datetime(2020, 3, 4, 5, 6, 7)
    all_rows = []
    for i in range(40):
        all_rows.append({"id": i, "s": ["apple", "apricot", "banana", "blueberry"][i % 4], "n": i * 7 - 50,
                         "d": decimal.Decimal(i * 37 - 400) / 100, "dt": datetime.date(2019 + i % 3, 1 + i % 12, 1 + i % 28),
                         "ts": base + datetime.timedelta(hours=i * 13), "tz": base + datetime.timedelta(hours=i * 29),
                         "u": uuid.UUID(int=i * 0x1234567), "v": f"v{i}"})
    groups = {}
    pfields = t.partition_fields(0)
    for r in all_rows:
        key = tuple(repr(apply_transform(p["transform"], r[p["source"]["name"]], p["source"]["type"])) for p in pfields)
        groups.setdefault(key, []).append(r)
    files = [t.data_file(rows) for rows in groups.values()]
    t.begin()
    t.commit([t.manifest(files)])
    t.write_metadata(1)

    def files_with(pred):
        return sum(1 for rows in groups.values() if any(pred(r) for r in rows))

    checks = [count_sum(list(range(40)))]
    cases = [
        ("id = 17", lambda r: r["id"] == 17),
        ("s = 'banana'", lambda r: r["s"] == "banana"),
        ("n = 69", lambda r: r["n"] == 69),
        ("d = 2.89", lambda r: r["d"] == decimal.Decimal("2.89")),
        ("dt = DATE '2021-06-06'", lambda r: r["dt"] == datetime.date(2021, 6, 6)),
        ("ts = TIMESTAMP '2020-03-08 06:06:07'", lambda r: r["ts"] == datetime.datetime(2020, 3, 8, 6, 6, 7)),
        ("u = '" + str(uuid.UUID(int=5 * 0x1234567)) + "'::UUID", lambda r: r["u"] == uuid.UUID(int=5 * 0x1234567)),
        ("v = 'v3'", lambda r: r["v"] == "v3"),
        ("dt >= DATE '2021-01-01'", lambda r: r["dt"] >= datetime.date(2021, 1, 1)),
        ("s < 'b'", lambda r: r["s"] < "b"),
    ]
    for sql, pred in cases:
        n = sum(1 for r in all_rows if pred(r))
        checks.append(check(f"SELECT count(*) AS n, sum(id) AS s FROM {{t}} WHERE {sql}",
                            [{"n": n, "s": sum(r["id"] for r in all_rows if pred(r)) if n else None}]))
    # Pruning that is exact by construction: every file holds one id.
    checks.append(check("SELECT count(*) AS n FROM {t} WHERE id = 17", [{"n": 1}], planned=files_with(lambda r: r["id"] == 17)))
    g.add("partition_transforms", t.dir, checks,
          note="bucket (long, string, uuid), truncate (string, int, decimal), year, month, day, hour, void")


def dec_text(v, t):
    """DuckDB's text of a decimal value of type t (every digit of the scale)."""
    return format(v.quantize(decimal.Decimal(1).scaleb(-decimal_ps(t)[1])), "f")


def fx_fixed_decimal(g):
    """fixed[N] and decimals of every physical width as Java writes them: FIXED_LEN_BYTE_ARRAY of
    N bytes, and INT32 / INT64 / FIXED_LEN_BYTE_ARRAY of the fewest bytes for the precision."""
    fields = [field(1, "id", "long", True), field(2, "f4", "fixed[4]"), field(3, "f16", "fixed[16]"),
              field(4, "d38", "decimal(38,10)"), field(5, "d20", "decimal(20,2)"), field(6, "d9", "decimal(9,2)"),
              field(7, "d18", "decimal(18,6)"), field(8, "d19", "decimal(19,0)")]
    spec = {"spec-id": 0, "fields": [{"source-id": 5, "field-id": 1000, "name": "d20", "transform": "identity"},
                                     {"source-id": 2, "field-id": 1001, "name": "f4", "transform": "identity"},
                                     {"source-id": 4, "field-id": 1002, "name": "d38_b", "transform": "bucket[4]"}]}
    t = Table(g, "fixed_decimal", 2, fields, specs=[spec])
    D = decimal.Decimal
    parts = [(D("123456789012345678.91"), b"\x00\x01\x02\x03"), (D("-0.01"), b"\xff\xfe\x00\x80"), (D("0.00"), b"abcd")]
    d38s = [D("1234567890123456789012345678.0123456789"), D("-5.5"), D("-9999999999999999999999999999.9999999999"),
            D("0.0000000001"), D("42"), None]
    rows_by_file = []
    i = 0
    for d20, f4 in parts:
        rows = []
        for k in range(2):
            rows.append({"id": i, "f4": f4, "f16": bytes((i * 37 + j * 11) % 256 for j in range(16)),
                         "d38": d38s[i], "d20": d20, "d9": None if i == 4 else D(i * 1234567 - 3000000) / 100,
                         "d18": D(i * 123456789012 - 10 ** 11) / 10 ** 6, "d19": D(10 ** 18 * (i - 2) + i)})
            i += 1
        rows_by_file.append(rows)
    all_rows = [r for rows in rows_by_file for r in rows]
    t.begin()
    pfields = t.partition_fields(0)
    groups = {}  # one file per partition
    for r in all_rows:
        key = tuple(repr(apply_transform(p["transform"], r[p["source"]["name"]], p["source"]["type"])) for p in pfields)
        groups.setdefault(key, []).append(r)
    files = [t.data_file(rows) for rows in groups.values()]
    t.commit([t.manifest(files)])
    t.write_metadata(1)
    a_file = t.local(files[0]["rel"])

    def files_with(pred):
        return sum(1 for rows in groups.values() if any(pred(r) for r in rows))

    hexu = lambda b: None if b is None else b.hex().upper()
    checks = [
        check("SELECT id, hex(f4) AS f4, hex(f16) AS f16, d38::VARCHAR AS d38, d20::VARCHAR AS d20, d9::VARCHAR AS d9, "
              "d18::VARCHAR AS d18, d19::VARCHAR AS d19 FROM {t} ORDER BY id",
              [{"id": r["id"], "f4": hexu(r["f4"]), "f16": hexu(r["f16"]),
                "d38": None if r["d38"] is None else dec_text(r["d38"], "decimal(38,10)"),
                "d20": dec_text(r["d20"], "decimal(20,2)"),
                "d9": None if r["d9"] is None else dec_text(r["d9"], "decimal(9,2)"),
                "d18": dec_text(r["d18"], "decimal(18,6)"), "d19": dec_text(r["d19"], "decimal(19,0)")}
               for r in all_rows]),
        # The fixture itself: Java's physical types (what a reader has to handle).
        check(f"SELECT name, type, type_length::INTEGER AS n FROM parquet_schema('{a_file}') WHERE type IS NOT NULL AND name <> 'id' ORDER BY name",
              [{"name": "d18", "type": "INT64", "n": None}, {"name": "d19", "type": "FIXED_LEN_BYTE_ARRAY", "n": 9},
               {"name": "d20", "type": "FIXED_LEN_BYTE_ARRAY", "n": 9},
               {"name": "d38", "type": "FIXED_LEN_BYTE_ARRAY", "n": 16}, {"name": "d9", "type": "INT32", "n": None},
               {"name": "f16", "type": "FIXED_LEN_BYTE_ARRAY", "n": 16},
               {"name": "f4", "type": "FIXED_LEN_BYTE_ARRAY", "n": 4}]),
    ]
    cases = [
        ("d20 = 123456789012345678.91", lambda r: r["d20"] == D("123456789012345678.91")),
        ("d20 = -0.01", lambda r: r["d20"] == D("-0.01")),
        ("d38 = -5.5", lambda r: r["d38"] == D("-5.5")),
        ("d38 > 100", lambda r: r["d38"] is not None and r["d38"] > 100),
        ("d9 < 0", lambda r: r["d9"] is not None and r["d9"] < 0),
        ("d18 >= 100000", lambda r: r["d18"] >= 100000),
        ("d19 = 1000000000000000003", lambda r: r["d19"] == D("1000000000000000003")),
        ("f4 = from_hex('61626364')", lambda r: r["f4"] == b"abcd"),
        ("f16 = from_hex('" + all_rows[3]["f16"].hex() + "')", lambda r: r["f16"] == all_rows[3]["f16"]),
    ]
    for sql, pred in cases:
        ids = [r["id"] for r in all_rows if pred(r)]
        c = check(f"SELECT list(id ORDER BY id)::VARCHAR AS ids FROM {{t}} WHERE {sql}",
                  [{"ids": "[" + ", ".join(map(str, ids)) + "]"}])
        if sql.startswith(("d20 =", "d38 =", "d19 =")):
            c["planned_files"] = files_with(pred)  # identity/bucket partitions and bounds prune exactly
        checks.append(c)
    g.add("fixed_decimal", t.dir, checks,
          note="fixed[N] and decimal(p>18) as FIXED_LEN_BYTE_ARRAY (hyparquet-writer), partitions and bounds on them")


def fx_pruning_edges(g):
    fields = [field(1, "id", "long", True), field(2, "x", "double"), field(3, "s", "string"), field(4, "z", "int")]
    t = Table(g, "pruning_edges", 2, fields)
    long_s = "abcdefghijklmnopqrstuvwxyz"
    t.begin()
    f_nan = t.data_file([{"id": 0, "x": 1.0, "s": "a", "z": 1}, {"id": 1, "x": float("nan"), "s": "b", "z": 2}])
    f_null = t.data_file([{"id": 2, "x": None, "s": None, "z": None}, {"id": 3, "x": None, "s": None, "z": None}])
    f_trunc = t.data_file([{"id": 4, "x": 5.0, "s": long_s, "z": 5}, {"id": 5, "x": 6.0, "s": "abc", "z": 6}],
                          truncate_strings=16)
    f_nostats = t.data_file([{"id": 6, "x": 100.0, "s": "zz", "z": 100}], metrics=False)
    t.commit([t.manifest([f_nan, f_null, f_trunc, f_nostats])])
    t.write_metadata(1)
    g.add("pruning_edges", t.dir, [
        check("SELECT list(id ORDER BY id)::VARCHAR AS ids FROM {t} WHERE x > 50", [{"ids": "[1, 6]"}]),
        check("SELECT list(id ORDER BY id)::VARCHAR AS ids FROM {t} WHERE isnan(x)", [{"ids": "[1]"}]),
        check("SELECT count(*) AS n FROM {t} WHERE z IS NULL", [{"n": 2}], planned=2),
        check("SELECT count(*) AS n FROM {t} WHERE z = 5", [{"n": 1}], planned=2),
        check(f"SELECT count(*) AS n FROM {{t}} WHERE s = '{long_s}'", [{"n": 1}]),
        check(f"SELECT count(*) AS n FROM {{t}} WHERE s >= '{long_s}'", [{"n": 3}]),
        check("SELECT count(*) AS n FROM {t} WHERE z = 100", [{"n": 1}], planned=1)],
          note="NaN, null-only files, truncated string bounds, a file without stats")


def fx_paths(g):
    for style in ("plain", "relative"):
        name = f"paths_{style}"
        t = Table(g, name, 2, base_fields(), paths=style)
        t.begin()
        a = t.data_file(rows_of(range(10)))
        b = t.data_file(rows_of(range(10, 15)), folder="data/sub dir")
        ms = [t.manifest([a, b])]
        t.commit(ms)
        t.begin("delete")
        ms.append(t.manifest([t.pos_delete_file([(a, 0), (a, 9)])]))
        t.commit(ms)
        t.write_metadata(1)
        live = [i for i in range(15) if i not in (0, 9)]
        g.add(name, t.dir, [count_sum(live)], note=f"{style} paths in metadata, manifest lists, manifests and deletes")
    # Written at one place with absolute URIs, then the whole folder moved.
    old = os.path.join(g.out, "relocated_before")
    t = Table(g, "relocated_before", 2, base_fields())
    t.begin()
    a = t.data_file(rows_of(range(8)))
    ms = [t.manifest([a])]
    t.commit(ms)
    t.begin("delete")
    ms.append(t.manifest([t.pos_delete_file([(a, 3)], referenced=a["file_path"])]))
    t.commit(ms)
    t.write_metadata(1)
    new = os.path.join(g.out, "relocated")
    g.later.append(lambda: shutil.move(old, new))
    live = [i for i in range(8) if i != 3]
    g.add("relocated", new, [count_sum(live)], register_args=["--relocate", f"{old}={new}"],
          note="a table folder moved after it was written (absolute URIs inside)")
    g.add("relocated_without_option", new, error="relocated_before")


def fx_v3(g):
    fields = [field(1, "id", "long", True), field(2, "ts", "timestamp_ns"), field(3, "tz", "timestamptz_ns")]
    t = Table(g, "v3_table", 3, fields)
    t.extra_metadata = {}
    ns0 = 1_700_000_000_123_456_789
    t.begin()
    a = t.data_file([{"id": i, "ts": ns0 + i, "tz": ns0 + 1000 * i} for i in range(10)])
    ms = [t.manifest([a])]
    t.commit(ms)
    t.add_schema(fields + [field(4, "added", "int", **{"initial-default": 42, "write-default": 7}),
                           field(5, "label", "string", **{"initial-default": "old"})])
    t.begin()
    b = t.data_file([{"id": 10 + i, "ts": ns0, "tz": ns0, "added": i, "label": None} for i in range(5)])
    ms.append(t.manifest([b]))
    t.commit(ms)
    # A deletion vector on A: positions 2 and 7 (ids 2 and 7), in a Puffin file.
    t.begin("delete")
    rel = os.path.join("data", t.new_name("dv", "puffin"))
    blob = dv_blob([2, 7])
    (off, length), = write_puffin(t.local(rel), [(a["file_path"], blob, 2)], t.current["snapshot-id"], t.current["seq"])
    dv = {"content": 1, "rel": rel, "file_path": t.stored(rel), "file_format": "PUFFIN", "partition": {},
          "spec_id": 0, "record_count": 2, "file_size_in_bytes": os.path.getsize(t.local(rel)),
          "referenced_data_file": a["file_path"], "content_offset": off, "content_size_in_bytes": length}
    ms.append(t.manifest([dv], content=1))
    t.commit(ms)
    t.write_metadata(1)
    live = [i for i in range(15) if i not in (2, 7)]
    g.add("v3_table", t.dir, [
        count_sum(live),
        check("SELECT sum(added) AS a, string_agg(DISTINCT label, ',') AS l, count(*) FILTER (WHERE label IS NULL) AS nl FROM {t}",
              [{"a": 42 * 8 + sum(range(5)), "l": "old", "nl": 5}]),
        check("SELECT epoch_ns(max(ts))::VARCHAR AS ts, epoch_ns(min(ts))::VARCHAR AS mn FROM {t}",
              [{"ts": str(ns0 + 9), "mn": str(ns0)}])],
          note="v3: timestamp_ns, initial-default, a deletion vector in a Puffin file, row lineage fields")


def dv_file(t, data, positions):
    """A deletion vector on data file `data` in a Puffin file of its own (the current snapshot's)."""
    rel = os.path.join("data", t.new_name("dv", "puffin"))
    (off, length), = write_puffin(t.local(rel), [(data["file_path"], dv_blob(positions), len(positions))],
                                  t.current["snapshot-id"], t.current["seq"])
    return {"content": 1, "rel": rel, "file_path": t.stored(rel), "file_format": "PUFFIN",
            "partition": data["partition"], "spec_id": data["spec_id"], "record_count": len(set(positions)),
            "file_size_in_bytes": os.path.getsize(t.local(rel)), "referenced_data_file": data["file_path"],
            "content_offset": off, "content_size_in_bytes": length}


def fx_footer_deletes(g):
    """Row-level deletes on data files that are read through their Parquet footer."""
    # A migrated Hive table (files without field ids, a name mapping) later changed by Spark's
    # DELETE/MERGE: position deletes over two files and an equality delete on a renamed column.
    mapping = [{"field-id": 1, "names": ["id"]}, {"field-id": 2, "names": ["name", "full_name"]},
               {"field-id": 3, "names": ["cat"]}]
    t = Table(g, "nm_deletes", 2, base_fields(), properties={"schema.name-mapping.default": json.dumps(mapping)})
    t.begin()
    a = t.data_file(rows_of(range(0, 10)), field_ids=False)
    b = t.data_file(rows_of(range(10, 20), "b"), field_ids=False)
    ms = [t.manifest([a, b])]
    t.commit(ms, schema_id=False)
    t.add_schema([field(1, "id", "long", True), field(2, "full_name", "string"), field(3, "cat", "string")])
    t.begin("delete")
    ms.append(t.manifest([t.pos_delete_file([(a, 0), (a, 9), (b, 3)])]))
    t.commit(ms)
    t.begin("delete")
    ms.append(t.manifest([t.eq_delete_file([{"full_name": "n5"}, {"full_name": "n15"}], [2])]))
    t.commit(ms)
    t.write_metadata(1)
    live = [i for i in range(20) if i not in (0, 9, 13, 5, 15)]
    g.add("nm_deletes", t.dir, [
        count_sum(live), ids_check(live),
        check("SELECT count(*) AS n FROM {t} WHERE full_name IN ('n5', 'n15', 'n13')", [{"n": 0}]),
        check("SELECT cat, count(*) AS n FROM {t} GROUP BY cat ORDER BY cat",
              [{"cat": "a", "n": 7}, {"cat": "b", "n": 8}])],
          note="position and equality deletes on files without field ids (name mapping, renamed column)")

    # Identity partition columns absent from the files, with deletes scoped to the partitions:
    # position deletes, an equality delete on id and one on the (absent) partition column itself.
    spec = {"spec-id": 0, "fields": [{"source-id": 3, "field-id": 1000, "name": "cat", "transform": "identity"},
                                     {"source-id": 4, "field-id": 1001, "name": "region", "transform": "identity"}]}
    fields = base_fields() + [field(4, "region", "int")]
    t = Table(g, "identity_missing_deletes", 2, fields, specs=[spec])
    t.begin()
    files = []
    for cat, region, ids in (("a", 1, range(0, 4)), ("b", 1, range(4, 10)), ("b", 2, range(10, 13))):
        rows = [dict(r, region=region) for r in rows_of(ids, cat)]
        files.append(t.data_file(rows, write_fields=base_fields()[:2]))
    fa, fb, fc = files
    ms = [t.manifest(files)]
    t.commit(ms)
    t.begin("delete")
    ms.append(t.manifest([t.pos_delete_file([(fb, 0)]), t.pos_delete_file([(fa, 3)])]))
    t.commit(ms)
    t.begin("delete")
    ms.append(t.manifest([t.eq_delete_file([{"id": 1}, {"id": 5}], [1], partition=fa["partition"]),
                          t.eq_delete_file([{"cat": "b"}], [3], partition=fc["partition"])]))
    t.commit(ms)
    t.write_metadata(1)
    g.add("identity_missing_deletes", t.dir, [
        check("SELECT cat, region, list(id ORDER BY id)::VARCHAR AS ids FROM {t} GROUP BY ALL ORDER BY ALL",
              [{"cat": "a", "region": 1, "ids": "[0, 2]"}, {"cat": "b", "region": 1, "ids": "[5, 6, 7, 8, 9]"}]),
        check("SELECT count(*) AS n FROM {t} WHERE cat = 'b' AND region = 2", [{"n": 0}], planned=1)],
          note="position and equality deletes on files without their identity partition columns")

    # Format v3: deletion vectors on files without field ids, one written before a column with an
    # initial-default was added (by a snapshot without schema-id), one after.
    mapping = [{"field-id": 1, "names": ["id"]}, {"field-id": 2, "names": ["name"]}, {"field-id": 4, "names": ["added"]}]
    f0 = [field(1, "id", "long", True), field(2, "name", "string")]
    t = Table(g, "v3_footer_dv", 3, f0, properties={"schema.name-mapping.default": json.dumps(mapping)})
    t.begin()
    a = t.data_file([{"id": i, "name": f"n{i}"} for i in range(10)], field_ids=False)
    ms = [t.manifest([a])]
    t.commit(ms, schema_id=False)
    t.add_schema(f0 + [field(4, "added", "int", **{"initial-default": 42})])
    t.begin()
    b = t.data_file([{"id": 10 + i, "name": f"n{10 + i}", "added": i} for i in range(5)], field_ids=False)
    ms.append(t.manifest([b]))
    t.commit(ms)
    t.begin("delete")
    ms.append(t.manifest([dv_file(t, a, [1, 4]), dv_file(t, b, [0])], content=1))
    t.commit(ms)
    t.write_metadata(1)
    live = [i for i in range(15) if i not in (1, 4, 10)]
    g.add("v3_footer_dv", t.dir, [
        count_sum(live), ids_check(live),
        check("SELECT sum(added) AS a, count(*) FILTER (WHERE added = 42) AS d FROM {t}",
              [{"a": 42 * 8 + sum(range(1, 5)), "d": 8}])],
          note="deletion vectors on files without field ids; initial-default for an older file")

    # Format v3, field ids present, but the snapshot that wrote the first file has no schema-id:
    # the file is read through its footer and the column added later takes its initial-default.
    t = Table(g, "v3_unknown_schema_dv", 3, f0)
    t.begin()
    a = t.data_file([{"id": i, "name": f"n{i}"} for i in range(6)])
    ms = [t.manifest([a])]
    t.commit(ms, schema_id=False)
    t.add_schema(f0 + [field(4, "added", "int", **{"initial-default": 42}),
                       field(5, "label", "string", **{"initial-default": "old"})])
    t.begin("delete")
    ms.append(t.manifest([dv_file(t, a, [0, 5])], content=1))
    t.commit(ms)
    t.write_metadata(1)
    g.add("v3_unknown_schema_dv", t.dir, [
        check("SELECT list(id ORDER BY id)::VARCHAR AS ids, sum(added) AS a, min(label) AS l FROM {t}",
              [{"ids": "[1, 2, 3, 4]", "a": 42 * 4, "l": "old"}])],
          note="a file of unknown writing schema with a deletion vector: initial-default, not NULL")


def fx_large_dv(g):
    """A deletion vector with more ranges than ldp applies inline (spilled to a DuckDB table)."""
    t = Table(g, "large_dv", 3, [field(1, "id", "long", True)])
    n = 30000
    t.begin()
    # 30,000 rows: from DuckDB's range() (a VALUES list would not fit in one command line).
    rel = os.path.join("data", t.new_name("data", "parquet"))
    g.pending.append(f"COPY (SELECT range::BIGINT AS id FROM range({n})) TO '{t.local(rel)}' "
                     "(FORMAT parquet, FIELD_IDS {id: 1})")
    a = {"content": 0, "rel": rel, "file_path": t.stored(rel), "file_format": "PARQUET", "partition": {},
         "spec_id": 0, "record_count": n}
    a.update(compute_metrics(t.schema()["fields"], [{"id": 0}, {"id": n - 1}]))
    a["value_counts"], a["null_value_counts"] = {1: n}, {1: 0}
    b = t.data_file([{"id": n + i} for i in range(10)])
    ms = [t.manifest([a, b])]
    t.commit(ms)
    # Every odd position (15,000 single-position ranges, bitmap containers), a run at the end.
    deleted = sorted(set(range(1, n, 2)) | set(range(n - 1000, n)))
    t.begin("delete")
    ms.append(t.manifest([dv_file(t, a, deleted), dv_file(t, b, [3])], content=1))
    t.commit(ms)
    t.write_metadata(1)
    gone = set(deleted) | {n + 3}
    live = [i for i in range(n + 10) if i not in gone]
    g.add("large_dv", t.dir, [
        count_sum(live),
        check("SELECT count(*) AS n FROM {t} WHERE id % 2 = 1", [{"n": sum(1 for i in live if i % 2 == 1)}]),
        check("SELECT max(id) FILTER (WHERE id < 30000) AS m FROM {t}", [{"m": max(i for i in live if i < n)}])],
          note="a deletion vector of 15,500 positions applied through a spilled table")


def fx_bad(g):
    # A manifest that is not Avro.
    t = Table(g, "bad_corrupt_manifest", 2, base_fields())
    t.begin()
    m = t.manifest([t.data_file(rows_of(range(3)))])
    t.commit([m])
    t.write_metadata(1)
    path = m["manifest_path"].replace("file://", "")

    def damage():
        with open(path, "r+b") as f:
            f.seek(0)
            f.write(b"garbage!")
    g.later.append(damage)
    g.add("bad_corrupt_manifest", t.dir, error=os.path.basename(path))
    # A data file gone.
    t = Table(g, "bad_missing_file", 2, base_fields())
    t.begin()
    a = t.data_file(rows_of(range(3)))
    t.commit([t.manifest([a])])
    t.write_metadata(1)
    g.later.append(lambda p=t.local(a["rel"]): os.remove(p))
    g.add("bad_missing_file", t.dir, error=os.path.basename(a["rel"]))
    # Format version 4.
    t = Table(g, "bad_format_v4", 2, base_fields())
    t.begin()
    t.commit([t.manifest([t.data_file(rows_of(range(3)))])])
    md_path = t.write_metadata(1)
    md = json.load(open(md_path))
    md["format-version"] = 4
    json.dump(md, open(md_path, "w"))
    g.add("bad_format_v4", t.dir, error="format-version 4")
    # A manifest list on a file system ldp cannot read.
    t = Table(g, "bad_outside", 2, base_fields())
    t.begin()
    t.commit([t.manifest([t.data_file(rows_of(range(3)))])])
    t.snapshots[-1]["manifest-list"] = "hdfs://namenode:8020/warehouse/t/metadata/snap.avro"
    t.write_metadata(1)
    g.add("bad_outside", t.dir, error="hdfs://namenode:8020/warehouse/t/metadata/snap.avro")
    # A relative path that climbs out of the table's folder.
    t = Table(g, "bad_escape", 2, base_fields(), paths="relative")
    t.begin()
    a = t.data_file(rows_of(range(3)))
    a["file_path"] = "../v1_oldest/" + a["rel"]
    t.commit([t.manifest([a])])
    t.write_metadata(1)
    g.add("bad_escape", t.dir, error="../v1_oldest/")


FIXTURES = [fx_v1_oldest, fx_v1_to_v2, fx_v2_deletes, fx_v2_eq_partitioned, fx_name_mapping, fx_evolved_by_id,
            fx_case_nested, fx_identity_missing, fx_partition_types, fx_fixed_decimal, fx_partition_transforms, fx_pruning_edges,
            fx_paths, fx_v3, fx_footer_deletes, fx_large_dv, fx_bad]


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    out, ldp = os.path.abspath(sys.argv[1]), sys.argv[2]
    only = set(sys.argv[3:])
    os.makedirs(out, exist_ok=True)
    g = Generator(out, ldp)
    for fx in FIXTURES:
        if only and fx.__name__[3:] not in only:
            continue
        fx(g)
    g.finish()
    shutil.rmtree(os.path.join(out, "_scratch"), ignore_errors=True)
    with open(os.path.join(out, "fixtures.json"), "w") as f:
        json.dump(g.fixtures, f, indent=2)
    print(json.dumps(sorted(g.fixtures)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
