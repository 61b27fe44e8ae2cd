#!/usr/bin/env bash
# Ingest speed: `ldp ingest` into an Iceberg table vs DuckDB alone rewriting the same data as zstd
# Parquet, for (a) the taxi month as Parquet and (b) the same month as CSV.
#   BUILD=build bench/ingest_vs_duckdb.sh        (RUNS, ROWS, SEED, WORK: see bench/lib.sh)
# Prints one line per case: best wall time and peak RSS of each, and the ratio ldp/duckdb.
# ldp's side includes what an ingest is: schema inference, the Parquet write, column metrics,
# manifests and the catalog commit; each run ingests into a fresh project.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
need_tools

parquet=$(taxi_parquet)
csv=$(taxi_csv)
proj="$WORK/ingest-project"
out="$WORK/duckdb-copy.parquet"
fresh_project="rm -rf $(printf %q "$proj") && $(printf %q "$LDP") init $(printf %q "$proj") --quiet"
no_output="rm -f $(printf %q "$out")"

measure ldp-ingest-parquet "$fresh_project" -- \
  "$LDP" ingest "$parquet" --table nyc.yellow_trips --project "$proj" --quiet
measure duckdb-copy-parquet "$no_output" -- \
  "$DUCK" "COPY (SELECT * FROM read_parquet($(sql_quote "$parquet"))) TO $(sql_quote "$out") (FORMAT parquet, COMPRESSION zstd)"

# A second yardstick: DuckDB writing the way ldp's ingest does (size-split files, no single-file
# ordering), so the ratio shows what ldp adds on top of the same write.
outdir="$WORK/duckdb-copy-split"
measure duckdb-copy-split-parquet "rm -rf $(printf %q "$outdir")" -- \
  "$DUCK" "COPY (SELECT * FROM read_parquet($(sql_quote "$parquet"))) TO $(sql_quote "$outdir") (FORMAT parquet, COMPRESSION zstd, FILE_SIZE_BYTES 536870912, FILENAME_PATTERN 'part-{i}')"

measure ldp-ingest-csv "$fresh_project" -- \
  "$LDP" ingest "$csv" --table nyc.yellow_trips --project "$proj" --quiet
measure duckdb-copy-csv "$no_output" -- \
  "$DUCK" "COPY (SELECT * FROM read_csv($(sql_quote "$csv"))) TO $(sql_quote "$out") (FORMAT parquet, COMPRESSION zstd)"

echo
print_context
report_header "ingest ($ROWS rows)"
report_row "parquet ($(du -m "$parquet" | cut -f1) MB)" ldp-ingest-parquet duckdb-copy-parquet
report_row "parquet vs split write" ldp-ingest-parquet duckdb-copy-split-parquet
report_row "csv ($(du -m "$csv" | cut -f1) MB)" ldp-ingest-csv duckdb-copy-csv
rm -rf "$proj" "$out" "$outdir"
exit "$bench_failed"
