#!/usr/bin/env bash
# Query speed: the five report queries of `ldp demo nyc-taxi`, run with `ldp query` against the
# Iceberg table nyc.yellow_trips vs DuckDB alone on the table's own Parquet data files.
#   BUILD=build bench/query_vs_duckdb.sh         (RUNS, ROWS, SEED, WORK: see bench/lib.sh)
# Each measurement is a whole process (start-up, catalog, planning, the query, CSV output), best
# wall time of $RUNS. Also says whether both printed the same rows.
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

pairs=()
for i in "${!queries[@]}"; do
  q=${queries[$i]}
  n=$((i + 1))
  measure "ldp-q$n" : -- "$LDP" query "${q//FROM T /FROM nyc.yellow_trips }" --project "$proj" --format csv
  measure "duckdb-q$n" : -- "$DUCK" "${q//FROM T /FROM $files }"
  pairs+=("ldp-q$n:duckdb-q$n")
done

echo
print_context
report_header "query ($ROWS rows)"
for i in "${!queries[@]}"; do
  n=$((i + 1))
  same="same rows"
  if ! cmp -s "$WORK/logs/ldp-q$n.out" "$WORK/logs/duckdb-q$n.out"; then
    same="output differs: diff $WORK/logs/ldp-q$n.out $WORK/logs/duckdb-q$n.out"
  fi
  report_row "q$n ${names[$i]}" "ldp-q$n" "duckdb-q$n" | sed "s|\$|   $same|"
done
report_geomean "${pairs[@]}"
rm -rf "$proj"
exit "$bench_failed"
