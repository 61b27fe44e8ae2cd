#!/usr/bin/env bash
# Formats the sources with clang-format (--check: report only) and runs clang-tidy on the changed
# files against build/compile_commands.json.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-}
files=$(git ls-files 'src/*.cc' 'src/*.h' 'tests/*.cc' 'tests/*.h' 'bench/*.cc')
if [ "$mode" = "--check" ]; then
  clang-format --dry-run --Werror $files
else
  clang-format -i $files
fi
if [ "$mode" = "--tidy" ] && [ -f build/compile_commands.json ]; then
  clang-tidy -p build --quiet $(git ls-files 'src/*.cc') 2>/dev/null
fi
