#!/usr/bin/env bash
# Compaction of many small appends: $APPENDS (default 1000) `ldp ingest` appends of consecutive
# slices of the taxi month into one table, then `ldp maintain compact`: its wall time and peak RSS
# (best of $RUNS; before each run the table is rolled back to the pre-compaction snapshot), and what
# it buys: a few report queries on the compacted table vs the same queries on the pre-compaction
# snapshot (`--as-of`, same process path, same run), alternated A B A B ... $PAIRS times each;
# the speed-up is the median of the per-pair ratios before/after.
#   BUILD=build bench/compact_small_files.sh   (APPENDS; RUNS, PAIRS, ROWS, SEED, WORK: see bench/lib.sh)
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
need_tools
APPENDS=${APPENDS:-1000}

parquet=$(taxi_parquet)
proj="$WORK/compact-project"
slices="$WORK/compact-slices-${ROWS}rows-${APPENDS}"
if [ ! -d "$slices" ]; then
  echo "bench: cutting $parquet into $APPENDS slices" >&2
  rm -rf "$slices.tmp"
  "$DUCK" "COPY (SELECT * EXCLUDE (file_row_number), file_row_number * $APPENDS // $ROWS AS slice FROM read_parquet($(sql_quote "$parquet"), file_row_number = true)) TO $(sql_quote "$slices.tmp") (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (slice))" >&2
  mv "$slices.tmp" "$slices"
fi

rm -rf "$proj"
"$LDP" init "$proj" --quiet
t0=$EPOCHREALTIME
for ((i = 0; i < APPENDS; i++)); do
  "$LDP" ingest "$slices/slice=$i" --table nyc.trips --project "$proj" --quiet >/dev/null
done
t1=$EPOCHREALTIME
ingest_wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
echo "bench: $APPENDS appends took $ingest_wall s" >&2
before=$("$LDP" describe nyc.trips --project "$proj" --json | jq -r '.current_snapshot."snapshot-id"')
files_before=$("$LDP" describe nyc.trips --project "$proj" --json | jq -r '.current_snapshot.summary."total-data-files"')

measure compact "$(printf %q "$LDP") rollback nyc.trips --to $before --project $(printf %q "$proj") --quiet" -- \
  "$LDP" maintain compact nyc.trips --project "$proj" --json
files_after=$("$LDP" describe nyc.trips --project "$proj" --json | jq -r '.current_snapshot.summary."total-data-files"')
compact_out=$(jq -c '{data_files_removed, data_files_added, groups: (.groups | length), seconds}' "$WORK/logs/compact.out")

declare -a queries=(
  "SELECT count(*) AS trips, round(sum(total_amount), 2) AS revenue FROM nyc.trips"
  "SELECT payment_type, count(*) AS trips, round(avg(fare_amount), 2) AS avg_fare FROM nyc.trips GROUP BY 1 ORDER BY 1"
  "SELECT PULocationID, count(*) AS trips FROM nyc.trips GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 10"
  "SELECT count(*) AS trips, round(avg(trip_distance), 2) AS avg_miles FROM nyc.trips WHERE tpep_pickup_datetime >= TIMESTAMP '2023-01-15 00:00:00' AND tpep_pickup_datetime < TIMESTAMP '2023-01-16 00:00:00'"
)
names=("count+sum" "by payment_type" "top pickup zones" "one day filter")
declare -a same
for n in "${!queries[@]}"; do
  CMD_A=("$LDP" query "${queries[$n]}" --project "$proj" --format csv --as-of "$before")
  CMD_B=("$LDP" query "${queries[$n]}" --project "$proj" --format csv)
  measure_pairs "before-q$n" "after-q$n"
  same[$n]="same rows"
  cmp -s "$WORK/logs/before-q$n.out" "$WORK/logs/after-q$n.out" || same[$n]="OUTPUT DIFFERS"
done

echo
BENCH_METHOD="appends=$APPENDS runs=$RUNS (compaction: best wall) pairs=$PAIRS (queries: pairwise medians)" print_context
echo "# $APPENDS appends of ~$((ROWS / APPENDS)) rows: $ingest_wall s; data files $files_before -> $files_after; $compact_out"
report_header "compaction ($ROWS rows)"
awk -v a="${BEST_WALL[compact]:-}" -v r="${BEST_RSS[compact]:-}" 'BEGIN {
  printf "%-30s %10s %10s %8s %10s\n", "maintain compact", (a == "" ? "FAILED" : sprintf("%.2f", a)), "", "", (r == "" ? "-" : sprintf("%.0f", r / 1024)) }'
printf '%-30s %10s %10s %8s\n' "query (median of pairs)" "before s" "after s" "speed-up"
for n in "${!queries[@]}"; do
  awk -v n="${names[$n]}" -v a="${MEDIAN_WALL[before-q$n]:-}" -v b="${MEDIAN_WALL[after-q$n]:-}" -v r="${MEDIAN_RATIO[before-q$n]:-}" -v s="${same[$n]}" 'BEGIN {
    if (a == "" || b == "") { printf "%-30s %10s\n", n, "FAILED"; exit }
    printf "%-30s %10.3f %10.3f %7.1fx   %s\n", n, a, b, r, s }'
done
rm -rf "$proj"
exit "$bench_failed"
