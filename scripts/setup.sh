#!/usr/bin/env bash
# Installs everything ldp needs to build and test on Debian 12, then fetches the pinned DuckDB.
# Idempotent: a second run checks what is there and prints nothing unless something was missing.
#
#   scripts/setup.sh            build dependencies + DuckDB
#   scripts/setup.sh --test     also the test-only tools (third-party readers from npm, python3-avro)
#
# As root it installs Debian packages itself; as another user it uses sudo when available, or tells
# you which packages to install.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
want_test=0
for a in "$@"; do
  case "$a" in
    --test) want_test=1 ;;
    *) echo "setup.sh: unknown option $a" >&2; exit 2 ;;
  esac
done

log() { echo "setup: $*" >&2; }

# ---------------------------------------------------------------- Debian packages
build_pkgs=(g++ cmake ninja-build ccache pkg-config git nlohmann-json3-dev libsqlite3-dev sqlite3
  libfmt-dev libspdlog-dev libgtest-dev libgmock-dev libcli11-dev libyaml-cpp-dev
  libcurl4-openssl-dev libssl-dev zlib1g-dev libzstd-dev libbenchmark-dev libcpp-httplib-dev
  pybind11-dev python3-dev nodejs npm time libpq-dev)
test_pkgs=(python3-avro postgresql-15 wrk)
test_pkgs+=(swift swift-proxy swift-account swift-container swift-object memcached)  # S3 tests: tests/servers/swift_s3_up.sh

missing=()
pkgs=("${build_pkgs[@]}")
[ "$want_test" = 1 ] && pkgs+=("${test_pkgs[@]}")
for p in "${pkgs[@]}"; do
  if [ "$p" = nodejs ] || [ "$p" = npm ]; then
    command -v "${p/nodejs/node}" >/dev/null 2>&1 && continue
  fi
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
      echo "setup.sh: please install as root: apt-get install ${missing[*]}" >&2; exit 1
    fi
  fi
  log "installing Debian packages: ${missing[*]}"
  $sudo apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# ---------------------------------------------------------------- DuckDB 1.4.4 from npm, pinned
# The header comes from the `duckdb` package, the shared library from the node bindings package.
# Both tarballs are checked against the registry's sha512 integrity before anything is unpacked.
cache=${LDP_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/ldp}
duck="$cache/duckdb-1.4.4"
hdr_pkg="duckdb@1.4.4"
hdr_sri="sha512-hEJJ5hyVF0VLj3dmOLpsWrQR0b3d4Ykqtygm6iUXjHJDDnSqg/USKxcb5qvNrOhFYPgktayU6dXCtgPqcmmpog=="
lib_pkg="@duckdb/node-bindings-linux-x64@1.4.4-r.4"
lib_sri="sha512-jBTL/WvfwxLToFa/pVHfT6elMtltJGnc3wSuxZD9OfMltit9YUdVFS37vBFQzXMT1Z8OWjtSjMh+zPKxOwHLHA=="

sri_of() { echo "sha512-$(openssl dgst -sha512 -binary "$1" | base64 -w0)"; }

fetch_pkg() {  # fetch_pkg SPEC SRI DEST_TGZ
  local spec=$1 sri=$2 dest=$3 tmp
  if [ -f "$dest" ] && [ "$(sri_of "$dest")" = "$sri" ]; then return 0; fi
  tmp=$(mktemp -d)
  log "fetching $spec from npm"
  (cd "$tmp" && npm pack --silent "$spec" >/dev/null 2>&1) || { echo "setup.sh: npm pack $spec failed" >&2; exit 1; }
  local got
  got=$(sri_of "$tmp"/*.tgz)
  if [ "$got" != "$sri" ]; then
    echo "setup.sh: integrity mismatch for $spec: expected $sri, got $got" >&2; rm -rf "$tmp"; exit 1
  fi
  mv "$tmp"/*.tgz "$dest"; rm -rf "$tmp"
}

if [ ! -f "$duck/include/duckdb.h" ] || [ ! -f "$duck/lib/libduckdb.so" ] || [ ! -f "$duck/.ok" ]; then
  mkdir -p "$duck/include" "$duck/lib" "$cache/npm"
  fetch_pkg "$hdr_pkg" "$hdr_sri" "$cache/npm/duckdb-1.4.4.tgz"
  fetch_pkg "$lib_pkg" "$lib_sri" "$cache/npm/node-bindings-linux-x64-1.4.4-r.4.tgz"
  tar -xzf "$cache/npm/duckdb-1.4.4.tgz" -C "$duck/include" --strip-components=5 \
    package/src/duckdb/src/include/duckdb.h
  tmp=$(mktemp -d)
  tar -xzf "$cache/npm/node-bindings-linux-x64-1.4.4-r.4.tgz" -C "$tmp"
  cp "$tmp/package/libduckdb.so" "$duck/lib/libduckdb.so"
  rm -rf "$tmp"
  touch "$duck/.ok"
  log "DuckDB 1.4.4 ready in $duck"
fi

# ---------------------------------------------------------------- test-only third-party readers
if [ "$want_test" = 1 ]; then
  interop="$here/tests/interop"
  if [ ! -d "$interop/node_modules/icebird" ] || [ "$interop/package-lock.json" -nt "$interop/node_modules/.package-lock.json" ]; then
    log "installing interop readers from npm (icebird, hyparquet, avsc)"
    (cd "$interop" && npm ci --silent --no-audit --no-fund >/dev/null)
  fi
fi
exit 0
