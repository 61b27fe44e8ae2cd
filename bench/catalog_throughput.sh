#!/usr/bin/env bash
# Catalog throughput (issue 4): the same operations on the three catalogs ldp.yaml can name, in
# one run, with the embedded SQLite catalog as the baseline:
#   - loadTable over HTTP: wrk, 16 connections, against `ldp serve` (requests/s, p50, p99);
#   - loads through ldp's own code path (ldp_bench_catalog --op load, 16 threads) on SQLite,
#     PostgreSQL and REST (ldp's client against `ldp serve`);
#   - metadata-only commits (a table property: load, next metadata, compare-and-swap) with 1 and
#     8 threads, each thread on its own table, on the same three catalogs.
# PostgreSQL is a throwaway PostgreSQL 15 (tests/servers/pg_up.sh: fsync off), so its commits do
# not wait for the disk; SQLite's do (WAL, synchronous=FULL default).
#   BUILD=build bench/catalog_throughput.sh   (SECONDS_EACH, default 8; WORK: see bench/lib.sh)
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
BENCH="$BUILD/ldp_bench_catalog"
SECONDS_EACH=${SECONDS_EACH:-8}
for t in "$LDP" "$DUCK" "$BENCH" /usr/bin/wrk; do
  [ -x "$t" ] || { echo "bench: $t is missing (build ldp ldp_duckdb_sql ldp_bench_catalog; apt-get install wrk)" >&2; exit 2; }
done

base="$WORK/catalogs"
rm -rf "$base"
mkdir -p "$base"
pgdir="$base/pg"
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  bash "$bench_root/tests/servers/pg_down.sh" "$pgdir" >/dev/null 2>&1 || true
}
trap cleanup EXIT

pg_admin=$(bash "$bench_root/tests/servers/pg_up.sh" "$pgdir")
pg_uri="${pg_admin%/postgres}/bench"
psql "$pg_admin" -qAtc "CREATE DATABASE bench" >/dev/null

tiny="$base/tiny.parquet"
"$DUCK" "COPY (SELECT range AS id FROM range(10)) TO $(sql_quote "$tiny") (FORMAT parquet)" >/dev/null

make_tables() {  # project
  local i
  for ((i = 0; i < 8; i++)); do
    "$LDP" ingest "$tiny" --table "bench.t$i" --project "$1" --quiet >/dev/null
  done
}

"$LDP" init "$base/sqlite" --quiet
make_tables "$base/sqlite"

"$LDP" init "$base/postgres" --quiet
printf 'name: bench\nwarehouse: warehouse\ncatalog:\n  type: sql\n  uri: %s\n' "$pg_uri" >"$base/postgres/ldp.yaml"
make_tables "$base/postgres"

"$LDP" init "$base/server" --quiet
"$LDP" serve --project "$base/server" --port 0 --threads 16 >"$base/serve.out" 2>"$base/serve.err" &
server_pid=$!
for _ in $(seq 100); do grep -q 'http://127.0.0.1:' "$base/serve.out" 2>/dev/null && break; sleep 0.1; done
uri=$(grep -o 'http://127.0.0.1:[0-9]*' "$base/serve.out" | head -1)
[ -n "$uri" ] || { echo "bench: ldp serve did not start" >&2; cat "$base/serve.err" >&2; exit 1; }
"$LDP" init "$base/rest" --quiet
printf 'name: bench\nwarehouse: warehouse\ncatalog:\n  type: rest\n  uri: %s\n' "$uri" >"$base/rest/ldp.yaml"
make_tables "$base/rest"

echo "bench: load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2

# wrk: loadTable over HTTP, 16 connections on 2 threads.
wrk -t2 -c16 -d"${SECONDS_EACH}s" --latency "$uri/v1/namespaces/bench/tables/t0" >"$base/wrk.out"
wrk_rps=$(awk '/Requests\/sec/ {print $2}' "$base/wrk.out")
wrk_p50=$(awk '$1 == "50%" {print $2}' "$base/wrk.out")
wrk_p99=$(awk '$1 == "99%" {print $2}' "$base/wrk.out")
wrk_errors=$(grep -c 'Non-2xx\|Socket errors' "$base/wrk.out" || true)

run() {  # kind op threads -> JSON line
  "$BENCH" --project "$base/$1" --op "$2" --threads "$3" --seconds "$SECONDS_EACH"
}
declare -A R
for kind in sqlite postgres rest; do
  R[$kind.load16]=$(run "$kind" load 16)
  R[$kind.commit1]=$(run "$kind" commit 1)
  R[$kind.commit8]=$(run "$kind" commit 8)
done
echo "bench: load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2

field() { jq -r ".$2" <<<"$1"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
printf '\nloadTable over HTTP (wrk -t2 -c16, %ss, ldp serve on SQLite): %s req/s, p50 %s, p99 %s%s\n' \
  "$SECONDS_EACH" "$wrk_rps" "$wrk_p50" "$wrk_p99" "$([ "$wrk_errors" != 0 ] && echo ' (ERRORS, see wrk.out)')"
printf '\n| operation | catalog | ops/s | p50 ms | p99 ms | ops/s vs SQLite |\n|---|---|---:|---:|---:|---:|\n'
for op in load16 commit1 commit8; do
  base_ops=$(field "${R[sqlite.$op]}" ops_per_s)
  for kind in sqlite postgres rest; do
    j=${R[$kind.$op]}
    printf '| %s | %s | %s | %s | %s | %s |\n' "$op" "$kind" "$(field "$j" ops_per_s)" \
      "$(field "$j" p50_ms)" "$(field "$j" p99_ms)" "$(ratio "$(field "$j" ops_per_s)" "$base_ops")"
  done
done
exit "$bench_failed"
