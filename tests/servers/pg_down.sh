#!/usr/bin/env bash
# Stops a server started by pg_up.sh DIR and removes DIR.
set -uo pipefail
dir=${1:?usage: pg_down.sh DIR}
pgbin=${PGBIN:-/usr/lib/postgresql/15/bin}
as_pg=()
[ "$(id -u)" = 0 ] && as_pg=(runuser -u postgres --)
[ -d "$dir/data" ] && "${as_pg[@]}" "$pgbin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1
rm -rf "$dir"
