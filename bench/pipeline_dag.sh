#!/usr/bin/env bash
# Orchestrator at scale: 1,000 no-op shell tasks as a chain and as a wide DAG (all independent,
# max_active_tasks 8), and the scheduler at rest.
#   BUILD=build bench/pipeline_dag.sh          (N=1000 tasks, IDLE=60 seconds; WORK: see bench/lib.sh)
# Per DAG: wall time of `ldp run` against a baseline that starts the same N `sh -c true` processes
# (one after another for the chain; 8 at a time with xargs -P 8 for the wide DAG); scheduling
# overhead per task = (ldp - baseline) / N. Latency from an upstream task's end to its downstream
# task's start (chain), from the state store's attempt timestamps (`ldp runs RUN --json`): p50, p99,
# max. Idle: `ldp scheduler` with 3 paused and 2 idle (next fire time a day away) pipelines for
# IDLE seconds; CPU time (utime + stime from /proc/PID/stat) over that time, and RSS at the end.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
N=${N:-1000}
IDLE=${IDLE:-60}
if [ ! -x "$LDP" ] || [ ! -x "$TIME" ]; then
  echo "bench: needs $LDP and $TIME" >&2
  exit 2
fi

proj="$WORK/pipeline-dag-project"
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
fresh="rm -rf $(printf %q "$proj") && $(printf %q "$LDP") init $(printf %q "$proj") --quiet && mkdir -p $(printf %q "$proj")/pipelines && make_pipeline chain $N 1 && make_pipeline wide $N 0"
export -f make_pipeline
export proj N

measure "ldp-chain" "$fresh" -- "$LDP" run chain --date 2024-01-01 --project "$proj" --quiet
"$LDP" runs chain@2024-01-01 --json --project "$proj" >"$WORK/logs/chain-run.json"
measure "sh-chain" "true" -- bash -c "for ((i = 0; i < $N; i++)); do sh -c true; done"
measure "ldp-wide" "$fresh" -- "$LDP" run wide --date 2024-01-01 --project "$proj" --quiet
"$LDP" runs wide@2024-01-01 --json --project "$proj" >"$WORK/logs/wide-run.json"
measure "sh-wide" "true" -- bash -c "seq $N | xargs -P 8 -n 1 sh -c true"

# End-to-start latency, from the state store. Chain: each task's start minus its upstream's end.
# Wide (8 slots): each start after the first 8 minus the latest end before it (a slot freed).
latency=$(python3 - "$WORK/logs/chain-run.json" "$WORK/logs/wide-run.json" <<'PY'
import json, sys

def pct(gaps):
    gaps = sorted(gaps)
    pick = lambda q: gaps[min(len(gaps) - 1, int(q * len(gaps)))]
    return "%.2f %.2f %.2f %.2f" % (pick(0.5), pick(0.99), gaps[-1], sum(gaps) / len(gaps))

a = {x["task"]: x for x in json.load(open(sys.argv[1]))["attempts"]}
chain = [(a["t%d" % i]["started_at"] - a["t%d" % (i - 1)]["ended_at"]) * 1000 for i in range(1, len(a))]
w = json.load(open(sys.argv[2]))["attempts"]
starts = sorted(x["started_at"] for x in w)
ends = sorted(x["ended_at"] for x in w)
wide, j = [], 0
for s in starts[8:]:
    while j < len(ends) and ends[j] <= s:
        j += 1
    if j:
        wide.append((s - ends[j - 1]) * 1000)
print(pct(chain), pct(wide))
PY
)

# The scheduler at rest.
rm -rf "$proj" && "$LDP" init "$proj" --quiet && mkdir -p "$proj/pipelines"
for i in 1 2 3 4 5; do
  printf 'name: p%d\nschedule: "0 0 * * *"\ncatchup: false\ntasks:\n  - id: a\n    type: shell\n    command: "true"\n' "$i" >"$proj/pipelines/p$i.yaml"
done
for i in 1 2 3; do "$LDP" pipelines pause "p$i" --project "$proj" --quiet; done
# p4 and p5 have run their latest interval: nothing is due until the next midnight.
"$LDP" scheduler --once --project "$proj" --quiet || true
"$LDP" scheduler --project "$proj" --quiet &
sched=$!
sleep 2
ticks() { awk '{print $14 + $15}' "/proc/$sched/stat"; }
t0=$(ticks)
sleep "$IDLE"
t1=$(ticks)
rss=$(awk '/VmRSS/ {print $2}' "/proc/$sched/status")
kill "$sched"
wait "$sched" || true
hz=$(getconf CLK_TCK)

echo
print_context
printf '%-34s %9s %11s %8s %14s\n' "$N no-op shell tasks" "ldp s" "baseline s" "ratio" "ms/task extra"
for c in chain wide; do
  awk -v name="$c" -v x="${BEST_WALL[ldp-$c]:-}" -v y="${BEST_WALL[sh-$c]:-}" -v n="$N" 'BEGIN {
    if (x == "" || y == "") { printf "%-34s FAILED\n", name; exit }
    printf "%-34s %9.2f %11.2f %7.2fx %14.2f\n", name, x, y, (y > 0 ? x / y : 0), (x - y) * 1000 / n }'
done
read -r p50 p99 pmax pmean w50 w99 wmax wmean <<<"$latency"
printf 'chain: upstream end -> downstream start: p50 %s ms, p99 %s ms, max %s ms, mean %s ms\n' "$p50" "$p99" "$pmax" "$pmean"
printf 'wide: slot freed -> next task start:      p50 %s ms, p99 %s ms, max %s ms, mean %s ms\n' "$w50" "$w99" "$wmax" "$wmean"
awk -v d="$((t1 - t0))" -v hz="$hz" -v s="$IDLE" -v rss="$rss" 'BEGIN {
  printf "scheduler idle %d s (5 pipelines, 3 paused): CPU %.2f s (%.3f%%), RSS %.1f MiB\n", s, d / hz, 100 * d / hz / s, rss / 1024 }'
exit "$bench_failed"
