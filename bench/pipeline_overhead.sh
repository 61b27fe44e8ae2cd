#!/usr/bin/env bash
# Orchestrator overhead: `ldp run` of N no-op shell tasks vs a shell loop starting the same N
# `sh -c true` processes one after the other (the cost no orchestrator can avoid).
#   BUILD=build bench/pipeline_overhead.sh        (RUNS, WORK: see bench/lib.sh)
# Cases: a chain of 10 tasks (issue 5's comparison: Airflow 54.7 s, Temporal 7.2 s), a chain of
# 200, and 200 independent tasks (max_active_tasks 8). ldp's side includes the state store, the
# log files and the run history; each run uses a fresh project. Prints times, the ratio and the
# overhead per task ((ldp - baseline) / N).
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
if [ ! -x "$LDP" ] || [ ! -x "$TIME" ]; then
  echo "bench: needs $LDP and $TIME" >&2
  exit 2
fi

proj="$WORK/pipeline-project"
make_pipeline() {  # NAME N CHAIN(0/1)
  local name=$1 n=$2 chain=$3 i
  {
    printf 'name: %s\nschedule: none\nmax_active_tasks: 8\ntasks:\n' "$name"
    for ((i = 0; i < n; i++)); do
      printf '  - id: t%d\n    type: shell\n    command: "true"\n' "$i"
      if [ "$chain" = 1 ] && [ "$i" -gt 0 ]; then printf '    depends_on: t%d\n' $((i - 1)); fi
    done
  } >"$proj/pipelines/$name.yaml"
}
fresh="rm -rf $(printf %q "$proj") && $(printf %q "$LDP") init $(printf %q "$proj") --quiet && mkdir -p $(printf %q "$proj")/pipelines && make_pipeline chain10 10 1 && make_pipeline chain200 200 1 && make_pipeline wide200 200 0"
export -f make_pipeline
export proj

for n in 10 200; do
  measure "ldp-chain$n" "$fresh" -- "$LDP" run "chain$n" --date 2024-01-01 --project "$proj" --quiet
  measure "sh-loop$n" "true" -- bash -c "for ((i = 0; i < $n; i++)); do sh -c true; done"
done
measure "ldp-wide200" "$fresh" -- "$LDP" run wide200 --date 2024-01-01 --project "$proj" --quiet

echo
print_context
printf '%-30s %10s %10s %8s %14s\n' "no-op shell tasks" "ldp s" "sh loop s" "ratio" "ms/task extra"
for c in chain10:sh-loop10:10 chain200:sh-loop200:200 wide200:sh-loop200:200; do
  IFS=: read -r a b n <<<"$c"
  awk -v name="$a ($n tasks)" -v x="${BEST_WALL[ldp-$a]:-}" -v y="${BEST_WALL[$b]:-}" -v n="$n" 'BEGIN {
    if (x == "" || y == "") { printf "%-30s FAILED\n", name; exit }
    printf "%-30s %10.2f %10.2f %7.1fx %14.1f\n", name, x, y, (y > 0 ? x / y : 0), (x - y) * 1000 / n }'
done
exit "$bench_failed"
