#!/usr/bin/env bash
# Foreign tables and clones (issue 7):
#  (a) scans of a *registered* table: the month is ingested in one project, and its table folder is
#      registered under another name in a second project (`ldp register`, nothing copied); queries
#      with `ldp query` on that name vs DuckDB alone on the same Parquet files: three aggregates
#      and a full scan (max() of every column).
#  (b) `ldp clone` of 10% of the month (deterministic hash sample) into a new table vs DuckDB's
#      `COPY (SELECT * FROM read_parquet(...) USING SAMPLE 10 PERCENT (bernoulli, 42)) TO ...`;
#      and a full clone vs a plain COPY; wall time and peak RSS.
#   BUILD=build bench/clone_vs_duckdb.sh        (RUNS, PAIRS, ROWS, SEED, WORK: see bench/lib.sh)
# Scans: whole processes in turn, $PAIRS pairs each (medians of wall and of the per-pair ratio).
# Clones: best wall of $RUNS runs under /usr/bin/time with that run's peak RSS.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
need_tools

parquet=$(taxi_parquet)
owner="$WORK/clone-owner"
proj="$WORK/clone-project"
rm -rf "$owner" "$proj"
"$LDP" init "$owner" --quiet
"$LDP" init "$proj" --quiet
echo "bench: ingesting $parquet into nyc.yellow_trips of $owner (untimed)" >&2
"$LDP" ingest "$parquet" --table nyc.yellow_trips --project "$owner" --quiet
table_dir="$owner/warehouse/nyc.db/yellow_trips"
"$LDP" register ext.trips "$table_dir" --project "$proj" --quiet
files="read_parquet($(sql_quote "$table_dir/data/**/*.parquet"))"

# ---- (a) scans of the registered table ----------------------------------------------------------
queries=(
  "SELECT payment_type, count(*) AS trips, round(avg(fare_amount), 2) AS avg_fare FROM T GROUP BY payment_type ORDER BY trips DESC"
  "SELECT CAST(tpep_pickup_datetime AS DATE) AS day, count(*) AS trips, round(sum(total_amount), 2) AS revenue FROM T GROUP BY day ORDER BY day"
  "SELECT PULocationID AS pickup_zone, count(*) AS trips FROM T GROUP BY PULocationID ORDER BY trips DESC, pickup_zone LIMIT 10"
  "SELECT max(COLUMNS(*)) FROM T"
)
names=("by payment type" "per day" "top pickup zones" "full scan (max of every column)")
for i in "${!queries[@]}"; do
  q=${queries[$i]}
  n=$((i + 1))
  CMD_A=("$LDP" query "${q//FROM T/FROM ext.trips}" --project "$proj" --format csv)
  CMD_B=("$DUCK" "${q//FROM T/FROM $files}")
  "${CMD_A[@]}" >/dev/null 2>&1 || true
  "${CMD_B[@]}" >/dev/null 2>&1 || true
  measure_pairs "ldp-scan$n" "duckdb-scan$n"
done

# ---- (b) clones ------------------------------------------------------------------------------------
out="$WORK/clone-duckdb-out.parquet"
reset_clone() { # the clone's catalog row and folder, before each timed run
  "$LDP" unregister "dev.$1" --project "$proj" --quiet >/dev/null 2>&1 || true
  rm -rf "$proj/warehouse/dev.db/$1" "$out"
}
measure ldp-clone10 "reset_clone s10" -- "$LDP" clone ext.trips --to dev.s10 --sample 10 --seed 42 --project "$proj" --json --quiet
measure duckdb-sample10 "reset_clone none" -- "$DUCK" \
  "COPY (SELECT * FROM read_parquet($(sql_quote "$table_dir/data/*.parquet")) USING SAMPLE 10 PERCENT (bernoulli, 42)) TO $(sql_quote "$out") (FORMAT parquet, COMPRESSION zstd)"
measure ldp-clone100 "reset_clone all" -- "$LDP" clone ext.trips --to dev.all --project "$proj" --json --quiet
measure duckdb-copy100 "reset_clone none" -- "$DUCK" \
  "COPY (SELECT * FROM read_parquet($(sql_quote "$table_dir/data/*.parquet"))) TO $(sql_quote "$out") (FORMAT parquet, COMPRESSION zstd)"
clone_rows=$(sed -n 's/.*"rows": *\([0-9]*\).*/\1/p' "$WORK/logs/ldp-clone10.out" | head -1)

echo
BENCH_METHOD="scans: pairs=$PAIRS (medians of wall and of the per-pair ratio); clones: runs=$RUNS (best wall, its peak RSS)"
print_context
printf '%-40s %9s %9s %7s\n' "scan of registered table ($ROWS rows)" "ldp s" "duckdb s" "ratio"
for i in "${!queries[@]}"; do
  n=$((i + 1))
  same="same rows"
  if ! cmp -s "$WORK/logs/ldp-scan$n.out" "$WORK/logs/duckdb-scan$n.out"; then
    same="output differs: diff $WORK/logs/ldp-scan$n.out $WORK/logs/duckdb-scan$n.out"
  fi
  awk -v n="${names[$i]}" -v a="${MEDIAN_WALL[ldp-scan$n]:-}" -v b="${MEDIAN_WALL[duckdb-scan$n]:-}" \
    -v r="${MEDIAN_RATIO[ldp-scan$n]:-}" 'BEGIN {
      if (a == "" || b == "") { printf "%-40s %9s %9s %7s", n, "FAILED", "FAILED", "n/a"; exit }
      printf "%-40s %9.3f %9.3f %6.2fx", n, a, b, r }'
  echo "   $same"
done
echo
report_header "clone"
report_row "10% sample (ldp: ${clone_rows:-?} rows)" ldp-clone10 duckdb-sample10
report_row "full copy" ldp-clone100 duckdb-copy100
rm -rf "$owner" "$proj" "$out"
exit "$bench_failed"
