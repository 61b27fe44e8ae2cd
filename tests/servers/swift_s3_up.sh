#!/bin/bash
# Starts a throwaway single-node OpenStack Swift (Debian 12 packages swift, swift-proxy,
# swift-account, swift-container, swift-object) with the s3api middleware on 127.0.0.1. s3api checks
# SigV4 signatures and payload hashes like S3 does.
#
#   tests/servers/swift_s3_up.sh ROOT PORT     S3 endpoint http://127.0.0.1:PORT, key test:tester / testing
#   tests/servers/swift_s3_down.sh ROOT        stops it (ROOT can then be removed)
#
# The account, container and object servers listen on PORT+1..PORT+3, memcached (which s3api
# requires) on PORT+4. Exit 0 once the proxy answers.
set -euo pipefail
R=${1:?usage: swift_s3_up.sh ROOT PORT}
P=${2:?usage: swift_s3_up.sh ROOT PORT}
for b in memcached swift-proxy-server swift-account-server swift-container-server swift-object-server; do
  command -v "$b" >/dev/null || { echo "swift_s3_up.sh: $b not found (apt-get install memcached swift swift-proxy swift-account swift-container swift-object)" >&2; exit 3; }
done
rm -rf "$R"; mkdir -p "$R/etc" "$R/srv/d1" "$R/run" "$R/log"
cat > "$R/etc/swift.conf" <<EOC
[swift-hash]
swift_hash_path_suffix = ldp-tests
swift_hash_path_prefix = ldp-tests
[storage-policy:0]
name = Policy-0
default = yes
EOC
common="bind_ip = 127.0.0.1
devices = $R/srv
mount_check = false
swift_dir = $R/etc
user = $(id -un)
workers = 0
log_facility = LOG_LOCAL0
fallocate_reserve = 0
disable_fallocate = true"
i=0
for n in account container object; do
  i=$((i + 1)); port=$((P + i))
  printf '[DEFAULT]\nbind_port = %s\n%s\n[pipeline:main]\npipeline = %s-server\n[app:%s-server]\nuse = egg:swift#%s\n' \
    "$port" "$common" "$n" "$n" "$n" > "$R/etc/$n-server.conf"
done
# The three one-device rings, built in one Python process (swift-ring-builder is one per step).
/usr/bin/python3 - "$R/etc" "$P" <<'EOP'
import sys
from swift.common.ring import RingBuilder
etc, base = sys.argv[1], int(sys.argv[2])
for i, name in enumerate(["account", "container", "object"], start=1):
    b = RingBuilder(6, 1, 0)
    b.add_dev({"id": 0, "region": 1, "zone": 1, "ip": "127.0.0.1", "port": base + i, "device": "d1", "weight": 100})
    b.rebalance()
    b.save(f"{etc}/{name}.builder")
    b.get_ring().save(f"{etc}/{name}.ring.gz")
EOP
cat > "$R/etc/proxy-server.conf" <<EOC
[DEFAULT]
bind_ip = 127.0.0.1
bind_port = $P
swift_dir = $R/etc
user = $(id -un)
workers = 0
log_facility = LOG_LOCAL0
[pipeline:main]
pipeline = catch_errors gatekeeper healthcheck proxy-logging cache listing_formats s3api tempauth copy slo dlo proxy-logging proxy-server
[app:proxy-server]
use = egg:swift#proxy
account_autocreate = true
# The proxy stops using a backend for 60 s after 10 errors; a backend still starting on a loaded
# machine (CI runs many tests at once) would then fail every request with 503 SlowDown.
error_suppression_limit = 1000000
error_suppression_interval = 1
[filter:tempauth]
use = egg:swift#tempauth
user_test_tester = testing .admin
[filter:s3api]
use = egg:swift#s3api
location = us-east-1
storage_domain = localhost
[filter:cache]
use = egg:swift#memcache
memcache_servers = 127.0.0.1:$((P + 4))
[filter:catch_errors]
use = egg:swift#catch_errors
[filter:gatekeeper]
use = egg:swift#gatekeeper
[filter:healthcheck]
use = egg:swift#healthcheck
[filter:proxy-logging]
use = egg:swift#proxy_logging
[filter:listing_formats]
use = egg:swift#listing_formats
[filter:copy]
use = egg:swift#copy
[filter:slo]
use = egg:swift#slo
[filter:dlo]
use = egg:swift#dlo
EOC
memcached -l 127.0.0.1 -p $((P + 4)) -U 0 -m 64 -u "$(id -un)" >"$R/log/memcached.log" 2>&1 < /dev/null &
echo $! > "$R/run/memcached.pid"
for n in account container object proxy; do
  setsid nohup swift-$n-server "$R/etc/$n-server.conf" >"$R/log/$n.log" 2>&1 < /dev/null &
  echo $! > "$R/run/$n.pid"
done
# Ready means a real round trip works: the proxy, the three backends and memcached all answer.
# (The proxy's /healthcheck answers before the backends listen; the first S3 requests would fail.)
fail() {
  echo "swift_s3_up.sh: $1; logs in $R/log" >&2
  for f in "$R"/log/*.log; do echo "--- $f" >&2; tail -n 20 "$f" >&2; done
  exit 1
}
deadline=$((SECONDS + 90))
until curl -sf "http://127.0.0.1:$P/healthcheck" >/dev/null 2>&1; do
  ((SECONDS < deadline)) || fail "the proxy did not answer on port $P"
  sleep 0.1
done
for i in 1 2 3; do
  until (exec 3<>"/dev/tcp/127.0.0.1/$((P + i))") 2>/dev/null; do
    ((SECONDS < deadline)) || fail "the backend on port $((P + i)) did not listen"
    sleep 0.1
  done
done
until {
  h=$(curl -sf -D - -o /dev/null -H 'X-Auth-User: test:tester' -H 'X-Auth-Key: testing' "http://127.0.0.1:$P/auth/v1.0") &&
  tok=$(printf '%s' "$h" | tr -d '\r' | sed -n 's/^[Xx]-[Aa]uth-[Tt]oken: //p') &&
  url=$(printf '%s' "$h" | tr -d '\r' | sed -n 's/^[Xx]-[Ss]torage-[Uu]rl: //p') &&
  curl -sf -X PUT -H "X-Auth-Token: $tok" "$url/ldp-ready-probe" -o /dev/null &&
  curl -sf -X DELETE -H "X-Auth-Token: $tok" "$url/ldp-ready-probe" -o /dev/null
}; do
  ((SECONDS < deadline)) || fail "a container could not be created through the proxy"
  sleep 0.2
done
exit 0
