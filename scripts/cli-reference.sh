#!/usr/bin/env bash
# Writes the CLI reference (docs/cli-reference.md) from the `ldp` command's own help, so that the
# two never drift apart: a test (cli_reference_up_to_date) fails when the committed file differs
# from what this prints.
#   scripts/cli-reference.sh [LDP_BINARY] > docs/cli-reference.md
set -euo pipefail
ldp=${1:-build/ldp}

subcommands() {  # the names listed under "Subcommands:" in help text on stdin
  awk '/^Subcommands:/ { on = 1; next } on && /^  [a-z]/ { print $1 } on && /^$/ { on = 0 }'
}

emit() {  # emit LEVEL WORDS...: one section per command, then its subcommands
  local level=$1; shift
  local help
  help=$(COLUMNS=100 "$ldp" "$@" --help)
  printf '\n%s `ldp %s`\n\n```text\n%s\n```\n' "$level" "$*" "$help"
  local sub
  for sub in $(subcommands <<<"$help"); do
    [ "$sub" = help ] && continue
    emit "$level#" "$@" "$sub"
  done
}

cat <<'MD'
# CLI reference

Generated from `ldp --help` and each command's `--help` by `scripts/cli-reference.sh`; do not
edit by hand (the test `cli_reference_up_to_date` compares this file with the command's help).
Every command also takes the global options `--project DIR`, `--json` and `--quiet`, and
`ldp help COMMAND` prints the same text as `ldp COMMAND --help`.

## `ldp`

```text
MD
"$ldp" --help
echo '```'
for cmd in $("$ldp" --help | subcommands); do
  [ "$cmd" = help ] && continue
  emit "##" "$cmd"
done
