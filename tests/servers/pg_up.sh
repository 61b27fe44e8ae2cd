#!/usr/bin/env bash
# Starts a throwaway PostgreSQL 15 (Debian's postgresql-15) for tests and benchmarks.
#   pg_up.sh DIR [PORT]   -> prints the connection URI (postgresql://postgres@127.0.0.1:PORT/postgres)
#   pg_down.sh DIR        -> stops it and removes DIR
# DIR must not exist yet or be empty. Trust authentication on 127.0.0.1 only; durability is off
# (fsync, synchronous_commit, full_page_writes) because the data is thrown away.
# initdb and pg_ctl refuse to run as root, so as root they run as the `postgres` user.
set -euo pipefail
dir=${1:?usage: pg_up.sh DIR [PORT]}
port=${2:-0}
pgbin=${PGBIN:-/usr/lib/postgresql/15/bin}
[ -x "$pgbin/initdb" ] || { echo "pg_up.sh: $pgbin/initdb not found (apt-get install postgresql-15)" >&2; exit 1; }
if [ "$port" = 0 ]; then
  # A free port: ask the kernel for one.
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
fi
mkdir -p "$dir"
as_pg=()
if [ "$(id -u)" = 0 ]; then
  chown postgres: "$dir"
  as_pg=(runuser -u postgres --)
fi
"${as_pg[@]}" "$pgbin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1 ||
  { cat "$dir/initdb.log" >&2; exit 1; }
"${as_pg[@]}" "$pgbin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
  start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
echo "$port" >"$dir/port"
echo "postgresql://postgres@127.0.0.1:$port/postgres"
