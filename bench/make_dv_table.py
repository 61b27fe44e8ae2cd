#!/usr/bin/python3
"""A format v3 table with one data file of ROWS rows (id = position) and a deletion vector on it
that deletes DELETED scattered positions (every k-th), for bench/large_deletion_vector.sh. Built
with the fixture generator's independent writer (tests/interop/foreign_tables.py: Avro manifests,
Puffin deletion vector) and DuckDB for the Parquet file.

    /usr/bin/python3 make_dv_table.py OUT_DIR LDP_BIN ROWS DELETED

Prints the table folder. Also writes OUT_DIR/positions.parquet (the deleted positions) for the
DuckDB baseline.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "interop"))
import foreign_tables as ft  # noqa: E402


def main():
    out, ldp, rows, deleted = os.path.abspath(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    os.makedirs(out, exist_ok=True)
    g = ft.Generator(out, ldp)
    t = ft.Table(g, "dv_bench", 3, [ft.field(1, "id", "long", True)])
    step = rows // deleted
    positions = list(range(1, rows, step))[:deleted]
    rel = os.path.join("data", "00001-data.parquet")
    g.pending.append(f"COPY (SELECT range::BIGINT AS id FROM range({rows})) TO '{t.local(rel)}' "
                     "(FORMAT parquet, FIELD_IDS {id: 1})")
    g.pending.append(f"COPY (SELECT range * {step} + 1 AS pos FROM range({len(positions)})) TO "
                     f"'{os.path.join(out, 'positions.parquet')}' (FORMAT parquet)")
    data = {"content": 0, "rel": rel, "file_path": t.stored(rel), "file_format": "PARQUET", "partition": {},
            "spec_id": 0, "record_count": rows, "value_counts": None, "null_value_counts": None,
            "nan_value_counts": None, "lower_bounds": None, "upper_bounds": None, "column_sizes": None}
    t.begin()
    ms = [t.manifest([data])]
    t.commit(ms)
    t.begin("delete")
    dv = ft.dv_file(t, data, positions)
    ms.append(t.manifest([dv], content=1))
    t.commit(ms)
    t.write_metadata(1)
    g.finish()
    print(t.dir)


if __name__ == "__main__":
    main()
