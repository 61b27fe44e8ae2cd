#!/usr/bin/env bash
# Runs every test: installs what is missing (Debian packages, pinned DuckDB, npm readers used by the
# interop tests), builds, and runs the whole suite with CTest (unit + integration + interop).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh --test
ctest --test-dir build --output-on-failure -j2 --timeout 900 "$@"
# ldp as others get it: installed package + examples/cpp, pkg-config, the Debian package.
if [ $# -eq 0 ]; then bash tests/package/run.sh build; fi
