#!/usr/bin/env bash
# Query speed: the five report queries of `ldp demo nyc-taxi`, run with `ldp query` against the
# Iceberg table nyc.yellow_trips vs DuckDB alone on the table's own Parquet data files.
#   BUILD=build bench/query_vs_duckdb.sh         (PAIRS, ROWS, SEED, WORK: see bench/lib.sh)
# Each measurement is a whole process (start-up, catalog, planning, the query, CSV output); ldp and
# DuckDB run in turn, $PAIRS pairs per query (default 15), and the figures are the median wall time
# of each and the median of the per-pair ratios. Also says whether both printed the same rows.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
need_tools

parquet=$(taxi_parquet)
proj="$WORK/query-project"
rm -rf "$proj"
"$LDP" init "$proj" --quiet
echo "bench: ingesting $parquet into nyc.yellow_trips (untimed)" >&2
"$LDP" ingest "$parquet" --table nyc.yellow_trips --project "$proj" --quiet
data="$proj/warehouse/nyc.db/yellow_trips/data"
if [ ! -d "$data" ]; then
  echo "bench: expected the table's data files under $data" >&2
  exit 1
fi
files="read_parquet($(sql_quote "$data/**/*.parquet"))"

# The reports of src/ldp/cli/demo_command.cc; T stands for the table.
queries=(
  "SELECT payment_type, count(*) AS trips, round(avg(fare_amount), 2) AS avg_fare FROM T GROUP BY payment_type ORDER BY trips DESC"
  "SELECT CAST(tpep_pickup_datetime AS DATE) AS day, count(*) AS trips, round(sum(total_amount), 2) AS revenue FROM T GROUP BY day ORDER BY day"
  "SELECT PULocationID AS pickup_zone, count(*) AS trips FROM T GROUP BY PULocationID ORDER BY trips DESC, pickup_zone LIMIT 10"
  "SELECT hour(tpep_pickup_datetime) AS hour, round(avg(100 * tip_amount / fare_amount), 2) AS tip_pct FROM T WHERE payment_type = 1 AND fare_amount > 0 GROUP BY hour ORDER BY hour"
  "SELECT count(*) AS trips, round(avg(trip_distance), 2) AS avg_miles, round(avg(total_amount), 2) AS avg_total FROM T WHERE tpep_pickup_datetime >= TIMESTAMP '2023-01-15 00:00:00' AND tpep_pickup_datetime < TIMESTAMP '2023-01-16 00:00:00'"
)
names=("by payment type" "per day" "top pickup zones" "tip % by hour" "one day")

for i in "${!queries[@]}"; do
  q=${queries[$i]}
  n=$((i + 1))
  CMD_A=("$LDP" query "${q//FROM T /FROM nyc.yellow_trips }" --project "$proj" --format csv)
  CMD_B=("$DUCK" "${q//FROM T /FROM $files }")
  # One untimed run of each first (page cache, and the files planned for the report).
  "${CMD_A[@]}" --explain-scan >/dev/null 2>"$WORK/logs/ldp-q$n.scan" || true
  "${CMD_B[@]}" >/dev/null 2>&1 || true
  measure_pairs "ldp-q$n" "duckdb-q$n"
done

echo
BENCH_METHOD="pairs=$PAIRS per query, ldp and DuckDB in turn (medians of wall time and of the per-pair ratio)"
print_context
printf '%-24s %9s %9s %7s\n' "query ($ROWS rows)" "ldp s" "duckdb s" "ratio"
for i in "${!queries[@]}"; do
  n=$((i + 1))
  same="same rows"
  if ! cmp -s "$WORK/logs/ldp-q$n.out" "$WORK/logs/duckdb-q$n.out"; then
    same="output differs: diff $WORK/logs/ldp-q$n.out $WORK/logs/duckdb-q$n.out"
  fi
  scan=$(sed -n 's/^scan [^:]*: //p' "$WORK/logs/ldp-q$n.scan" | head -1)
  awk -v n="q$n ${names[$i]}" -v a="${MEDIAN_WALL[ldp-q$n]:-}" -v b="${MEDIAN_WALL[duckdb-q$n]:-}" \
    -v r="${MEDIAN_RATIO[ldp-q$n]:-}" 'BEGIN {
      if (a == "" || b == "") { printf "%-24s %9s %9s %7s", n, "FAILED", "FAILED", "n/a"; exit }
      printf "%-24s %9.3f %9.3f %6.2fx", n, a, b, r }'
  echo "   $same${scan:+; $scan}"
done
rm -rf "$proj"
exit "$bench_failed"
