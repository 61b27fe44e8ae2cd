#!/usr/bin/env bash
# Row-level changes on the taxi month (with a trip_id column added, so merge has a key):
#   - delete 1% of rows: `ldp delete` copy-on-write vs merge-on-read vs DuckDB alone rewriting the
#     table's Parquet without those rows;
#   - the query cost of merge-on-read: an aggregate over the table before the delete vs after it
#     (position deletes applied by an anti-join), and after a copy-on-write delete;
#   - merge of 100k changed rows (`ldp ingest --mode merge --key trip_id`, both modes) vs DuckDB
#     alone writing the merged table (anti-join + union) as Parquet.
#   BUILD=build bench/row_delta_vs_duckdb.sh        (RUNS, ROWS, SEED, WORK: see bench/lib.sh)
# Each timed run starts from the same freshly ingested table (restored from a copy, untimed).
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
need_tools

parquet=$(taxi_parquet)
withid="$WORK/taxi_with_id.parquet"
changes="$WORK/taxi_100k_changes.parquet"
if [ ! -s "$withid" ]; then
  "$DUCK" "COPY (SELECT row_number() OVER () AS trip_id, * FROM read_parquet($(sql_quote "$parquet"))) TO $(sql_quote "$withid") (FORMAT parquet, COMPRESSION zstd)" >/dev/null
fi
if [ ! -s "$changes" ]; then
  "$DUCK" "COPY (SELECT * REPLACE (total_amount + 1 AS total_amount) FROM read_parquet($(sql_quote "$withid")) WHERE trip_id % 30 = 0 LIMIT 100000) TO $(sql_quote "$changes") (FORMAT parquet, COMPRESSION zstd)" >/dev/null
fi
# 1% of the trips: those whose pickup second is divisible by 100.
pred="epoch(tpep_pickup_datetime)::BIGINT % 100 = 0"

proj="$WORK/rowdelta-project"
pristine="$WORK/rowdelta-project.pristine"
rm -rf "$proj" "$pristine"
"$LDP" init "$proj" --quiet
"$LDP" ingest "$withid" --table nyc.trips --project "$proj" --quiet
cp -a "$proj" "$pristine"
restore="rm -rf $(printf %q "$proj") && cp -a $(printf %q "$pristine") $(printf %q "$proj")"
set_mode() {  # restore, then set every write mode
  printf '%s && %q properties nyc.trips --project %q --set write.delete.mode=%s --set write.update.mode=%s --set write.merge.mode=%s >/dev/null' \
    "$restore" "$LDP" "$proj" "$1" "$1" "$1"
}
out="$WORK/rowdelta-duckdb-out.parquet"
table_files=$(find "$pristine/warehouse/nyc.db/trips/data" -name '*.parquet' | sort)
files_sql="[$(for f in $table_files; do printf "%s," "$(sql_quote "${f/$pristine/$proj}")"; done | sed 's/,$//')]"

measure ldp-delete-cow "$(set_mode copy-on-write)" -- \
  "$LDP" delete nyc.trips --where "$pred" --project "$proj" --quiet
measure ldp-delete-mor "$(set_mode merge-on-read)" -- \
  "$LDP" delete nyc.trips --where "$pred" --project "$proj" --quiet
measure duckdb-rewrite-delete "$restore && rm -f $(printf %q "$out")" -- \
  "$DUCK" "COPY (SELECT * FROM read_parquet($files_sql) WHERE NOT ($pred)) TO $(sql_quote "$out") (FORMAT parquet, COMPRESSION zstd)"

query="SELECT count(*), sum(total_amount), avg(trip_distance) FROM nyc.trips"
eval "$restore"
measure query-before-delete "true" -- "$LDP" query "$query" --project "$proj" --quiet
eval "$(set_mode merge-on-read)"
"$LDP" delete nyc.trips --where "$pred" --project "$proj" --quiet >/dev/null
measure query-after-mor-delete "true" -- "$LDP" query "$query" --project "$proj" --quiet
eval "$(set_mode copy-on-write)"
"$LDP" delete nyc.trips --where "$pred" --project "$proj" --quiet >/dev/null
measure query-after-cow-delete "true" -- "$LDP" query "$query" --project "$proj" --quiet

measure ldp-merge-cow "$(set_mode copy-on-write)" -- \
  "$LDP" ingest "$changes" --table nyc.trips --mode merge --key trip_id --project "$proj" --quiet
measure ldp-merge-mor "$(set_mode merge-on-read)" -- \
  "$LDP" ingest "$changes" --table nyc.trips --mode merge --key trip_id --project "$proj" --quiet
measure duckdb-rewrite-merge "$restore && rm -f $(printf %q "$out")" -- \
  "$DUCK" "COPY (SELECT * FROM read_parquet($files_sql) t ANTI JOIN read_parquet($(sql_quote "$changes")) c USING (trip_id) UNION ALL SELECT * FROM read_parquet($(sql_quote "$changes"))) TO $(sql_quote "$out") (FORMAT parquet, COMPRESSION zstd)"

echo
print_context
report_header "row-level changes ($ROWS rows)"
report_row "delete 1%, copy-on-write" ldp-delete-cow duckdb-rewrite-delete
report_row "delete 1%, merge-on-read" ldp-delete-mor duckdb-rewrite-delete
report_row "query after MoR delete" query-after-mor-delete query-before-delete
report_row "query after CoW delete" query-after-cow-delete query-before-delete
report_row "merge 100k, copy-on-write" ldp-merge-cow duckdb-rewrite-merge
report_row "merge 100k, merge-on-read" ldp-merge-mor duckdb-rewrite-merge
rm -rf "$proj" "$pristine" "$out"
exit "$bench_failed"
