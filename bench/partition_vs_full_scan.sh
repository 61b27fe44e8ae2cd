#!/usr/bin/env bash
# Partitioning: (a) a one-day query on the taxi month partitioned by day(tpep_pickup_datetime)
# vs the same query on the unpartitioned table vs DuckDB alone on the unpartitioned table's files;
# (b) the cost of a partitioned ingest vs an unpartitioned one; (c) the peak RSS of an ingest
# with many partitions (day x bucket[16] over a year).
#   BUILD=build bench/partition_vs_full_scan.sh   (RUNS, ROWS, SEED, WORK: see bench/lib.sh)
# Each measurement is a whole process, best wall time of $RUNS runs.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
need_tools

parquet=$(taxi_parquet)
proj="$WORK/partition-project"
spec="day(tpep_pickup_datetime)"
fresh_project="rm -rf $(printf %q "$proj") && $(printf %q "$LDP") init $(printf %q "$proj") --quiet"

# (b) ingest cost, each run into a fresh project.
measure ingest-partitioned "$fresh_project" -- \
  "$LDP" ingest "$parquet" --table nyc.trips_by_day --partition-by "$spec" --project "$proj" --quiet
measure ingest-unpartitioned "$fresh_project" -- \
  "$LDP" ingest "$parquet" --table nyc.trips --project "$proj" --quiet

# (a) the tables both exist in one project for the queries.
rm -rf "$proj"
"$LDP" init "$proj" --quiet
"$LDP" ingest "$parquet" --table nyc.trips_by_day --partition-by "$spec" --project "$proj" --quiet
"$LDP" ingest "$parquet" --table nyc.trips --project "$proj" --quiet
files="read_parquet($(sql_quote "$proj/warehouse/nyc.db/trips/data/*.parquet"))"
q="SELECT count(*) AS trips, round(avg(trip_distance), 2) AS avg_miles, round(sum(total_amount), 2) AS revenue FROM T WHERE tpep_pickup_datetime >= TIMESTAMP '2023-01-15 00:00:00' AND tpep_pickup_datetime < TIMESTAMP '2023-01-16 00:00:00'"
measure query-partitioned : -- "$LDP" query "${q//FROM T /FROM nyc.trips_by_day }" --project "$proj" --format csv
measure query-unpartitioned : -- "$LDP" query "${q//FROM T /FROM nyc.trips }" --project "$proj" --format csv
measure query-duckdb-files : -- "$DUCK" "${q//FROM T /FROM $files }"
plan_p=$("$LDP" query "${q//FROM T /FROM nyc.trips_by_day }" --project "$proj" --explain-scan --format csv 2>&1 >/dev/null)
plan_u=$("$LDP" query "${q//FROM T /FROM nyc.trips }" --project "$proj" --explain-scan --format csv 2>&1 >/dev/null)

# (c) many partitions: a year of the month's rows shifted day by day (365 days x 16 buckets).
year="$WORK/taxi-year-shifted.parquet"
if [ ! -s "$year" ]; then
  "$DUCK" "COPY (SELECT * REPLACE (tpep_pickup_datetime + to_days(CAST(hash(VendorID, tpep_dropoff_datetime) % 365 AS INTEGER)) AS tpep_pickup_datetime) FROM read_parquet($(sql_quote "$parquet"))) TO $(sql_quote "$year") (FORMAT parquet, COMPRESSION zstd)" >&2
fi
measure ingest-5840-partitions "$fresh_project" -- \
  "$LDP" ingest "$year" --table nyc.trips_year --partition-by "day(tpep_pickup_datetime), bucket(16, PULocationID)" --project "$proj" --quiet

echo
print_context
echo "# partitioned: $plan_p"
echo "# unpartitioned: $plan_u"
report_header "partition pruning ($ROWS rows)"
same="same rows"
cmp -s "$WORK/logs/query-partitioned.out" "$WORK/logs/query-unpartitioned.out" || same="output differs"
report_row "one day: by-day vs unpartitioned" query-partitioned query-unpartitioned | sed "s|\$|   $same|"
report_row "one day: by-day vs duckdb files" query-partitioned query-duckdb-files
report_row "one day: unpart. vs duckdb files" query-unpartitioned query-duckdb-files
report_row "ingest: by-day vs unpartitioned" ingest-partitioned ingest-unpartitioned
report_row "ingest: 365x16 vs unpartitioned" ingest-5840-partitions ingest-unpartitioned
rm -rf "$proj"
exit "$bench_failed"
