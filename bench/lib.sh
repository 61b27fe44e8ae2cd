# shellcheck shell=bash disable=SC2034  # bench_failed, BEST_* are read by the scripts
# Shared by bench/*.sh (sourced, not run). Whole-process timings with /usr/bin/time: wall seconds
# and peak RSS, best (lowest wall) of $RUNS runs, each run after an untimed preparation step.
#
# Environment:
#   BUILD  build folder with ldp, ldp_duckdb_sql and ldp_make_taxi (default: build)
#   RUNS   runs per measurement (default 3)
#   PAIRS  ldp/DuckDB pairs per query in query_vs_duckdb.sh (default 15)
#   ROWS   taxi trips to generate (default 3066766, January 2023)
#   SEED   generator seed (default 42)
#   WORK   scratch folder; the generated month is kept there between runs (default $TMPDIR/ldp-bench)

set -euo pipefail

bench_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-build}
case "$BUILD" in /*) ;; *) BUILD="$bench_root/$BUILD" ;; esac
RUNS=${RUNS:-3}
ROWS=${ROWS:-3066766}
SEED=${SEED:-42}
WORK=${WORK:-${TMPDIR:-/tmp}/ldp-bench}
LDP="$BUILD/ldp"
DUCK="$BUILD/ldp_duckdb_sql"
MAKE_TAXI="$BUILD/ldp_make_taxi"
TIME=/usr/bin/time
mkdir -p "$WORK/logs"

declare -A BEST_WALL BEST_RSS
# Set to 1 when a measured command or its preparation fails; the scripts exit with it.
bench_failed=0

need_tools() {
  local t
  for t in "$LDP" "$DUCK" "$MAKE_TAXI"; do
    if [ ! -x "$t" ]; then
      echo "bench: $t is missing; build it: cmake --build $BUILD --target ldp ldp_duckdb_sql ldp_make_taxi" >&2
      exit 2
    fi
  done
  if [ ! -x "$TIME" ]; then
    echo "bench: $TIME is missing (Debian package 'time')" >&2
    exit 2
  fi
}

# SQL string literal.
sql_quote() { printf "'%s'" "${1//\'/\'\'}"; }

# The synthetic taxi month as Parquet, generated once per ROWS/SEED; prints its path.
taxi_parquet() {
  local f="$WORK/yellow_tripdata_${ROWS}rows_seed${SEED}.parquet"
  if [ ! -s "$f" ]; then
    echo "bench: generating $ROWS taxi trips (seed $SEED) into $f" >&2
    "$MAKE_TAXI" "$f.tmp" --rows "$ROWS" --seed "$SEED" >&2
    mv "$f.tmp" "$f"
  fi
  printf '%s\n' "$f"
}

# The same month as CSV with a header, made from the Parquet file once; prints its path.
taxi_csv() {
  local pq csv
  pq=$(taxi_parquet)
  csv="${pq%.parquet}.csv"
  if [ ! -s "$csv" ]; then
    echo "bench: writing $csv" >&2
    "$DUCK" "COPY (SELECT * FROM read_parquet($(sql_quote "$pq"))) TO $(sql_quote "$csv.tmp") (FORMAT csv, HEADER)" >&2
    mv "$csv.tmp" "$csv"
  fi
  printf '%s\n' "$csv"
}

# measure LABEL PREPARE -- COMMAND...
# Runs PREPARE (a shell command string, untimed; ":" for none) then COMMAND, $RUNS times. Keeps the
# best wall time and that run's peak RSS in BEST_WALL[LABEL] / BEST_RSS[LABEL] ("" when a run
# failed). The last run's stdout is left in $WORK/logs/LABEL.out.
measure() {
  local label=$1 prepare=$2
  shift 3
  local i wall rss best="" best_rss="" log="$WORK/logs/$label"
  for ((i = 1; i <= RUNS; i++)); do
    if ! eval "$prepare" >"$log.prepare" 2>&1; then
      echo "bench: preparing $label failed:" >&2
      tail -5 "$log.prepare" >&2
      best=""
      bench_failed=1
      break
    fi
    if ! "$TIME" -f "%e %M" -o "$log.time" "$@" >"$log.out" 2>"$log.err"; then
      echo "bench: $label failed (run $i): $*" >&2
      tail -5 "$log.err" >&2
      best=""
      bench_failed=1
      break
    fi
    read -r wall rss < <(tail -1 "$log.time")
    if [ -z "$best" ] || awk -v a="$wall" -v b="$best" 'BEGIN { exit !(a < b) }'; then
      best=$wall
      best_rss=$rss
    fi
  done
  BEST_WALL[$label]=$best
  BEST_RSS[$label]=$best_rss
  if [ -n "$best" ]; then
    printf 'bench: %-28s best of %d: %7.2f s  %6.0f MiB\n' "$label" "$RUNS" "$best" "$(awk -v k="$best_rss" 'BEGIN { print k / 1024 }')" >&2
  fi
}

# measure_pairs LABEL_A LABEL_B: runs the commands in the arrays CMD_A and CMD_B in turn, A B A B
# ..., $PAIRS times each, timing each whole process (bash's microsecond clock around it). Pairing
# keeps the ratio meaningful when the machine's speed drifts (a shared box). Sets MEDIAN_WALL[A],
# MEDIAN_WALL[B] and MEDIAN_RATIO[A] (the median of the per-pair ratios A/B; "" when a run failed).
# The last run's stdout of each is left in $WORK/logs/LABEL.out.
declare -A MEDIAN_WALL MEDIAN_RATIO
PAIRS=${PAIRS:-15}
measure_pairs() {
  local la=$1 lb=$2 i t0 ta tb all="" failed="" ma mb mr
  for ((i = 1; i <= PAIRS; i++)); do
    t0=$EPOCHREALTIME
    "${CMD_A[@]}" >"$WORK/logs/$la.out" 2>"$WORK/logs/$la.err" || failed="$la"
    ta=$EPOCHREALTIME
    "${CMD_B[@]}" >"$WORK/logs/$lb.out" 2>"$WORK/logs/$lb.err" || failed="$lb"
    tb=$EPOCHREALTIME
    if [ -n "$failed" ]; then
      echo "bench: $failed failed (pair $i)" >&2
      tail -5 "$WORK/logs/$failed.err" >&2
      bench_failed=1
      MEDIAN_WALL[$la]="" MEDIAN_WALL[$lb]="" MEDIAN_RATIO[$la]=""
      return
    fi
    all+="$t0 $ta $tb"$'\n'
  done
  read -r ma mb mr < <(printf '%s' "$all" | awk '
    function median(v, n,   i, j, t) {
      for (i = 2; i <= n; i++) { t = v[i]; for (j = i - 1; j >= 1 && v[j] > t; j--) v[j + 1] = v[j]; v[j + 1] = t }
      return (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
    }
    { n++; a[n] = $2 - $1; b[n] = $3 - $2; r[n] = a[n] / b[n] }
    END { printf "%.4f %.4f %.4f\n", median(a, n), median(b, n), median(r, n) }')
  MEDIAN_WALL[$la]=$ma MEDIAN_WALL[$lb]=$mb MEDIAN_RATIO[$la]=$mr
  printf 'bench: %-12s vs %-14s median of %d pairs: %.3f s / %.3f s, pairwise ratio %.2f\n' "$la" "$lb" "$PAIRS" \
    "${MEDIAN_WALL[$la]}" "${MEDIAN_WALL[$lb]}" "${MEDIAN_RATIO[$la]}" >&2
}

# Prints the header of the comparison table.
report_header() {
  printf '%-30s %10s %10s %8s %10s %10s\n' "$1" "ldp s" "duckdb s" "ratio" "ldp MiB" "duckdb MiB"
}

# report_row NAME LDP_LABEL DUCKDB_LABEL: one line with times, ratio ldp/duckdb and peak RSS.
report_row() {
  local name=$1 a=${BEST_WALL[$2]:-} b=${BEST_WALL[$3]:-} ra=${BEST_RSS[$2]:-} rb=${BEST_RSS[$3]:-}
  awk -v n="$name" -v a="$a" -v b="$b" -v ra="$ra" -v rb="$rb" 'BEGIN {
    fa = (a == "") ? "FAILED" : sprintf("%.2f", a)
    fb = (b == "") ? "FAILED" : sprintf("%.2f", b)
    r = (a == "" || b == "" || b == 0) ? "n/a" : sprintf("%.2fx", a / b)
    ma = (ra == "") ? "-" : sprintf("%.0f", ra / 1024)
    mb = (rb == "") ? "-" : sprintf("%.0f", rb / 1024)
    printf "%-30s %10s %10s %8s %10s %10s\n", n, fa, fb, r, ma, mb
  }'
}

# Prints the geometric mean of ldp/duckdb over the label pairs given as "LDP:DUCKDB" words.
report_geomean() {
  local pair sum=0 n=0 a b
  for pair in "$@"; do
    a=${BEST_WALL[${pair%%:*}]:-}
    b=${BEST_WALL[${pair##*:}]:-}
    if [ -z "$a" ] || [ -z "$b" ]; then continue; fi
    sum=$(awk -v s="$sum" -v a="$a" -v b="$b" 'BEGIN { print s + log((a > 0 ? a : 0.005) / (b > 0 ? b : 0.005)) }')
    n=$((n + 1))
  done
  if [ "$n" -gt 0 ]; then
    awk -v s="$sum" -v n="$n" 'BEGIN { printf "geometric mean ldp/duckdb over %d: %.2fx\n", n, exp(s / n) }'
  fi
}

# The environment the numbers came from, for the report.
print_context() {
  echo "# $(date -u +%Y-%m-%dT%H:%MZ)  $(nproc) cores  $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)  load $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "# $("$LDP" --version 2>/dev/null || echo "ldp ?")  rows=$ROWS seed=$SEED ${BENCH_METHOD:-runs=$RUNS (best wall of each)}"
}
