#!/usr/bin/env bash
# A large deletion vector (issue 7, docs/adr/0024): a format v3 table with one data file of $DV_ROWS
# rows and a deletion vector deleting $DV_DELETED scattered positions (every k-th: as many ranges
# as positions, the worst case for inline SQL), made by bench/make_dv_table.py. `ldp query` of
# count(*), sum(id) over the registered table vs DuckDB alone anti-joining the same Parquet file
# with the deleted positions from a Parquet file (the least work any reader must do); wall time and
# peak RSS, best of $RUNS. With BEFORE=/path/to/older/ldp, that binary runs the same query too
# (for a before/after comparison; it may need much more memory: run it on a machine with room).
#   BUILD=build bench/large_deletion_vector.sh     (RUNS, WORK: see bench/lib.sh)
#   DV_ROWS (default 10000000), DV_DELETED (default 5000000), BEFORE (default: none)
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
need_tools
DV_ROWS=${DV_ROWS:-10000000}
DV_DELETED=${DV_DELETED:-5000000}
BEFORE=${BEFORE:-}

dir="$WORK/dv-${DV_ROWS}-${DV_DELETED}"
proj="$WORK/dv-project"
if [ ! -s "$dir/positions.parquet" ]; then
  rm -rf "$dir"
  echo "bench: making a table of $DV_ROWS rows with $DV_DELETED deleted positions (untimed)" >&2
  /usr/bin/python3 "$bench_root/bench/make_dv_table.py" "$dir" "$LDP" "$DV_ROWS" "$DV_DELETED" >/dev/null
fi
rm -rf "$proj"
"$LDP" init "$proj" --quiet
"$LDP" register bench.dv "$dir/dv_bench" --project "$proj" --quiet

q="SELECT count(*) AS n, sum(id) AS s FROM bench.dv"
data=$(sql_quote "$dir/dv_bench/data/00001-data.parquet")
pos=$(sql_quote "$dir/positions.parquet")
measure ldp-dv : -- "$LDP" query "$q" --project "$proj" --format csv
measure duckdb-dv : -- "$DUCK" "SELECT count(*) AS n, sum(id) AS s FROM read_parquet($data, file_row_number = true) d ANTI JOIN read_parquet($pos) p ON d.file_row_number = p.pos"
if [ -n "$BEFORE" ]; then
  measure before-dv : -- "$BEFORE" query "$q" --project "$proj" --format csv
fi
if ! cmp -s <(tail -1 "$WORK/logs/ldp-dv.out") <(tail -1 "$WORK/logs/duckdb-dv.out" | tr -d ' '); then
  echo "bench: answers differ: ldp $(tail -1 "$WORK/logs/ldp-dv.out"), duckdb $(tail -1 "$WORK/logs/duckdb-dv.out")" >&2
fi

print_context
report_header "deletion vector, $DV_DELETED of $DV_ROWS rows"
report_row "count + sum over live rows" ldp-dv duckdb-dv
if [ -n "$BEFORE" ]; then report_row "the same, before (BEFORE=)" before-dv duckdb-dv; fi
exit "$bench_failed"
