#!/usr/bin/env bash
# Connector speed against same-run baselines (docs/benchmarks.md, "Connectors"):
#  (a) PostgreSQL table of the taxi month -> Iceberg (`ldp ingest postgresql://...`) vs the bare
#      baseline: psql `COPY ... TO STDOUT` into a CSV that DuckDB rewrites as zstd Parquet;
#  (b) REST API: API_RECORDS records over API_PAGES pages from a local server (bench/api_server.py)
#      -> Iceberg vs curl fetching the same pages alone (the per-page cost of the server and HTTP);
#  (c) CSV -> DuckDB file (`ldp export --sql ... --to x.duckdb`) vs DuckDB alone, and
#      CSV -> PostgreSQL (`ldp export ... --to postgresql://`) vs psql `\copy` alone.
#   BUILD=build bench/connectors_vs_baseline.sh   (RUNS, ROWS, SEED, WORK: bench/lib.sh)
# Starts a throwaway PostgreSQL 15 with tests/servers/pg_up.sh and stops it at the end.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
need_tools
API_RECORDS=${API_RECORDS:-200000}
API_PAGES=${API_PAGES:-2000}

parquet=$(taxi_parquet)
csv=$(taxi_csv)
proj="$WORK/conn-project"
pgdir="$WORK/conn-pg"
"$bench_root/tests/servers/pg_down.sh" "$pgdir" >/dev/null 2>&1 || true
rm -rf "$pgdir"
admin=$("$bench_root/tests/servers/pg_up.sh" "$pgdir")
base=${admin%/postgres}
PSQL=(/usr/bin/psql -v ON_ERROR_STOP=1 -q)
"${PSQL[@]}" "$admin" -c "CREATE DATABASE bench" >/dev/null
db="$base/bench"
api_pid=""
cleanup() {
  [ -n "$api_pid" ] && kill "$api_pid" 2>/dev/null
  "$bench_root/tests/servers/pg_down.sh" "$pgdir" >/dev/null 2>&1 || true
  rm -rf "$proj" "$WORK/conn-out" "$WORK/conn-copy.csv" "$WORK/conn-copy.parquet" "$WORK/conn.duckdb"
}
trap cleanup EXIT
fresh_project="rm -rf $(printf %q "$proj") && $(printf %q "$LDP") init $(printf %q "$proj") --quiet"

# Load the month into PostgreSQL once (with ldp's own PostgreSQL sink; timed below as (c)).
"$LDP" init "$proj" --quiet
"$LDP" export --sql "SELECT * FROM read_parquet($(sql_quote "$parquet"))" --to "$db?table=taxi" --project "$proj" --quiet

# (a) PostgreSQL -> Iceberg vs COPY TO STDOUT -> DuckDB
measure ldp-pg-ingest "$fresh_project" -- \
  "$LDP" ingest "$db?table=public.taxi" --table nyc.taxi --project "$proj" --quiet
measure copy-stdout-duckdb "rm -f $(printf %q "$WORK/conn-copy.csv") $(printf %q "$WORK/conn-copy.parquet")" -- \
  sh -c "$(printf %q "${PSQL[0]}") -q $(printf %q "$db") -c 'COPY taxi TO STDOUT (FORMAT csv, HEADER)' > $(printf %q "$WORK/conn-copy.csv") && \
    $(printf %q "$DUCK") \"COPY (SELECT * FROM read_csv('$WORK/conn-copy.csv')) TO '$WORK/conn-copy.parquet' (FORMAT parquet, COMPRESSION zstd)\""

# (b) REST API -> Iceberg vs curl alone
page=$((API_RECORDS / API_PAGES))
python3 "$bench_root/bench/api_server.py" "$WORK/conn-api.port" "$API_RECORDS" "$page" &
api_pid=$!
for _ in $(seq 100); do [ -s "$WORK/conn-api.port" ] && break; sleep 0.1; done
port=$(cat "$WORK/conn-api.port")
rm -f "$WORK/conn-api.port"
cfg="$WORK/conn-api.yaml"
printf 'records: $.items\npagination: {type: offset, page_size: %d}\n' "$page" >"$cfg"
measure ldp-rest-ingest "$fresh_project" -- \
  "$LDP" ingest "http://127.0.0.1:$port/items" --source-config "$cfg" --table api.items --project "$proj" --quiet
urls="$WORK/conn-api.urls"
for ((o = 0; o <= API_RECORDS; o += page)); do echo "url = \"http://127.0.0.1:$port/items?limit=$page&offset=$o\""; echo "output = /dev/null"; done >"$urls"
# One connection per page, as the REST source makes them (a kept-alive connection to Python's
# http.server stalls ~45 ms per request on delayed ACKs, which would flatter ldp).
measure curl-pages ":" -- curl -s -H "Connection: close" -K "$urls"

# (c) CSV -> DuckDB file and -> PostgreSQL
measure ldp-csv-duckdb "rm -f $(printf %q "$WORK/conn.duckdb")" -- \
  "$LDP" export --sql "SELECT * FROM read_csv($(sql_quote "$csv"))" --to "$WORK/conn.duckdb?table=taxi" --project "$proj" --quiet
measure duckdb-csv-duckdb "rm -f $(printf %q "$WORK/conn.duckdb")" -- \
  "$DUCK" "ATTACH '$WORK/conn.duckdb' AS o; CREATE TABLE o.taxi AS SELECT * FROM read_csv($(sql_quote "$csv"))"
measure ldp-csv-postgres ":" -- \
  "$LDP" export --sql "SELECT * FROM read_csv($(sql_quote "$csv"))" --to "$db?table=taxi_csv" --mode replace --project "$proj" --quiet
measure psql-copy-csv "${PSQL[*]} $(printf %q "$db") -c 'TRUNCATE taxi'" -- \
  "${PSQL[@]}" "$db" -c "\\copy taxi FROM '$csv' (FORMAT csv, HEADER)"

echo
print_context
report_header "connectors ($ROWS rows)"
report_row "postgres -> iceberg" ldp-pg-ingest copy-stdout-duckdb
report_row "rest $API_RECORDS rec/$API_PAGES pages" ldp-rest-ingest curl-pages
report_row "csv -> duckdb file" ldp-csv-duckdb duckdb-csv-duckdb
report_row "csv -> postgres" ldp-csv-postgres psql-copy-csv
exit "$bench_failed"
