#!/usr/bin/env bash
# The main job: builds ldp (installing what it needs) and runs the NYC taxi demo in ./demo-project.
#   scripts/demo.sh [--rows N]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
exec build/ldp --project "${LDP_PROJECT:-demo-project}" demo nyc-taxi "$@"
