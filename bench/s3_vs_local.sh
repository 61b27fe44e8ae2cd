#!/usr/bin/env bash
# Warehouse on S3 vs on the local disk, same run, same data: `ldp ingest` of the taxi month, and
# one demo report query on the local table, on S3 with a cold read cache (cache folder removed
# before each run: every needed data file is downloaded) and with a warm one (the local copies
# are reused). The S3 server is OpenStack Swift with s3api on loopback, started here by
# tests/servers/swift_s3_up.sh (Debian packages: see scripts/setup.sh test_pkgs).
#   BUILD=build bench/s3_vs_local.sh          (RUNS, ROWS, SEED, WORK: see bench/lib.sh; PORT)
# Prints one line per case with the ratio S3/local. Loopback S3 measures ldp's own overhead
# (signing, copying through the cache, request round trips), not a network.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
need_tools

PORT=${PORT:-28080}
swift_root="$WORK/swift"
bash "$bench_root/tests/servers/swift_s3_up.sh" "$swift_root" "$PORT" >&2
trap 'bash "$bench_root/tests/servers/swift_s3_down.sh" "$swift_root"' EXIT
export AWS_ACCESS_KEY_ID=test:tester AWS_SECRET_ACCESS_KEY=testing
bucket=ldp-bench
curl -sf --aws-sigv4 aws:amz:us-east-1:s3 -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' \
  -X PUT "http://test%3Atester:testing@127.0.0.1:$PORT/$bucket" >/dev/null

parquet=$(taxi_parquet)
local_proj="$WORK/s3bench-local"
s3_proj="$WORK/s3bench-s3"
q_local="$(printf %q "$LDP") init $(printf %q "$local_proj") --quiet"
# Each S3 run writes under a new prefix, so every run creates the table from scratch.
s3_config() {
  printf 'name: s3bench\nwarehouse: s3://%s/%s\nstorage:\n  s3:\n    endpoint: http://127.0.0.1:%s\n' \
    "$bucket" "$1" "$PORT"
}
export -f s3_config
export bucket PORT
fresh_s3="rm -rf $(printf %q "$s3_proj") && $(printf %q "$LDP") init $(printf %q "$s3_proj") --quiet && s3_config run-\$(date +%s%N) > $(printf %q "$s3_proj")/ldp.yaml"

measure ingest-local "rm -rf $(printf %q "$local_proj") && $q_local" -- \
  "$LDP" ingest "$parquet" --table nyc.yellow_trips --project "$local_proj" --quiet
measure ingest-s3 "$fresh_s3" -- \
  "$LDP" ingest "$parquet" --table nyc.yellow_trips --project "$s3_proj" --quiet

sql="SELECT payment_type, count(*) AS trips, round(avg(total_amount), 2) AS avg_total, round(sum(tip_amount), 2) AS tips FROM nyc.yellow_trips GROUP BY 1 ORDER BY 1"
measure query-local ":" -- "$LDP" query "$sql" --format csv --project "$local_proj"
measure query-s3-cold "rm -rf $(printf %q "$s3_proj")/.ldp/cache" -- "$LDP" query "$sql" --format csv --project "$s3_proj"
measure query-s3-warm ":" -- "$LDP" query "$sql" --format csv --project "$s3_proj"
same=no
cmp -s "$WORK/logs/query-local.out" "$WORK/logs/query-s3-warm.out" && cmp -s "$WORK/logs/query-local.out" "$WORK/logs/query-s3-cold.out" && same=yes

echo
print_context
report_header "S3 vs local ($ROWS rows)"
report_row "ingest" ingest-s3 ingest-local
report_row "query, cold cache" query-s3-cold query-local
report_row "query, warm cache" query-s3-warm query-local
echo "same query result on S3 (cold, warm) and local: $same"
echo "(columns: 'ldp s' = S3, 'duckdb s' = local warehouse)"
exit "$bench_failed"
