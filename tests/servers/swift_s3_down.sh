#!/bin/bash
# Stops the Swift started by swift_s3_up.sh ROOT (its own process ids only).
R=${1:?usage: swift_s3_down.sh ROOT}
pids=$(cat "$R"/run/*.pid 2>/dev/null) || exit 0
kill $pids 2>/dev/null
for _ in $(seq 1 50); do kill -0 $pids 2>/dev/null || exit 0; sleep 0.1; done
kill -9 $pids 2>/dev/null
true
