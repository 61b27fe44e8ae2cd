#!/usr/bin/env bash
# Tests of ldp as others get it (issue "roll out"): run by scripts/test.sh after the build.
#   1. `cmake --install` into a fresh prefix; examples/cpp is configured against that prefix (not
#      the build tree) with find_package(ldp), built twice (libldp.so and libldp.a) and run.
#   2. pkg-config finds ldp in the prefix and a one-file program builds with its flags.
#   3. cpack makes the Debian package; it is unpacked into an empty folder, and the `ldp` in it
#      runs --version, init, ingest and query, and its Python module imports and queries.
#   tests/package/run.sh BUILD_DIR
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$here/build}" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/ldp-package.XXXXXX")
trap 'rm -rf "$work"' EXIT
step() { echo "package: $*" >&2; }
fail() { echo "package: FAILED: $*" >&2; exit 1; }

step "cmake --install into $work/prefix"
cmake --install "$build" --prefix "$work/prefix" >"$work/install.log" || { cat "$work/install.log"; fail "install"; }
for f in bin/ldp bin/ldp-serve lib/libldp.a include/ldp/ldp.h include/ldp/version.h lib/cmake/ldp/ldpConfig.cmake lib/pkgconfig/ldp.pc; do
  [ -e "$work/prefix/$f" ] || fail "installed tree lacks $f"
done
ls "$work"/prefix/lib/libldp.so.* >/dev/null 2>&1 || fail "installed tree lacks libldp.so"
ls "$work"/prefix/lib/libduckdb.so >/dev/null 2>&1 || fail "installed tree lacks libduckdb.so"
# Only the public API leaves libldp.so: no SQLite, yaml-cpp or internal ldp:: symbols.
if nm -D --defined-only "$work"/prefix/lib/libldp.so | grep -E ' (sqlite3_|_ZN4YAML|_ZN3ldp8services)' | head -3 | grep -q .; then
  fail "libldp.so exports internal symbols"
fi

for kind in shared static; do
  step "examples/cpp against the installed package ($kind)"
  flag=OFF; [ "$kind" = static ] && flag=ON
  cmake -S "$here/examples/cpp" -B "$work/example-$kind" -G Ninja -DCMAKE_PREFIX_PATH="$work/prefix" \
    -DLDP_EXAMPLE_STATIC=$flag -DCMAKE_BUILD_TYPE=Release >"$work/example-$kind.log" 2>&1 \
    || { cat "$work/example-$kind.log"; fail "configure example ($kind)"; }
  cmake --build "$work/example-$kind" >>"$work/example-$kind.log" 2>&1 || { cat "$work/example-$kind.log"; fail "build example ($kind)"; }
  # The example must not reach into the build tree.
  if grep -q "$build" "$work/example-$kind/CMakeCache.txt"; then fail "example ($kind) refers to the build tree"; fi
  LD_LIBRARY_PATH="$work/prefix/lib" "$work/example-$kind/ldp_example" "$work/example-project-$kind" || fail "example ($kind) run"
done

step "pkg-config"
cat >"$work/pc.cc" <<'CC'
#include <ldp/ldp.h>
#include <cstdio>
#include <cstring>
int main() { return std::strcmp(ldp::Version(), LDP_VERSION_STRING) == 0 ? 0 : 1; }
CC
PKG_CONFIG_PATH="$work/prefix/lib/pkgconfig" pkg-config --exists ldp || fail "pkg-config does not find ldp"
# shellcheck disable=SC2046
g++ -std=c++20 "$work/pc.cc" -o "$work/pc" $(PKG_CONFIG_PATH="$work/prefix/lib/pkgconfig" pkg-config --cflags --libs ldp) \
  || fail "building with pkg-config flags"
"$work/pc" || fail "pkg-config program run"

step "cpack (Debian package)"
(cd "$build" && cpack -G DEB -B "$work/deb" >"$work/cpack.log" 2>&1) || { cat "$work/cpack.log"; fail "cpack"; }
deb=$(ls "$work"/deb/ldp_*.deb)
info=$(dpkg-deb --info "$deb")
grep -q "Package: ldp" <<<"$info" || fail "package metadata"
dpkg-deb -x "$deb" "$work/root"
root="$work/root/usr"
[ -x "$root/bin/ldp" ] || fail "package lacks usr/bin/ldp"
got=$(env -u LD_LIBRARY_PATH "$root/bin/ldp" --version)
want=$("$build/ldp" --version)
[ "$got" = "$want" ] || fail "packaged ldp --version says '$got', build says '$want'"
proj="$work/pkg-project"
env -u LD_LIBRARY_PATH "$root/bin/ldp" init "$proj" --quiet
printf 'id,v\n1,10\n2,20\n3,30\n' >"$work/small.csv"
env -u LD_LIBRARY_PATH "$root/bin/ldp" ingest "$work/small.csv" --table t.small --project "$proj" --quiet
sum=$(env -u LD_LIBRARY_PATH "$root/bin/ldp" query "SELECT sum(v) AS s FROM t.small" --project "$proj" --format csv | tail -1)
[ "$sum" = 60 ] || fail "packaged ldp query returned '$sum', expected 60"
pydir=$(ls -d "$root"/lib/python3/dist-packages 2>/dev/null || true)
if [ -n "$pydir" ] && ls "$pydir"/ldp*.so >/dev/null 2>&1; then
  out=$(env -u LD_LIBRARY_PATH PYTHONPATH="$pydir" python3 -c \
    "import ldp; p = ldp.Project('$proj'); print(p.query('SELECT sum(v) FROM t.small')[0][0])")
  [ "$out" = 60 ] || fail "packaged Python module returned '$out', expected 60"
else
  fail "package lacks the Python module"
fi
step "all package checks passed ($(basename "$deb"), $(du -h "$deb" | cut -f1))"
