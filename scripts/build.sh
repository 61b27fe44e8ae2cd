#!/usr/bin/env bash
# Configures and builds ldp into build/ (incremental; ccache when available).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh "$@"
if [ ! -f build/build.ninja ]; then
  cmake --preset default >/dev/null
fi
cmake --build build -j"$(nproc)"
