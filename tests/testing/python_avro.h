#pragma once
// Runs Apache Avro's Python package (Debian python3-avro, /usr/bin/python3) on a file, so tests
// can prove a third-party parser reads what ldp writes. Header-only; test binaries only.

#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>

#include "ldp/core/status.h"
#include "testing/subprocess.h"

namespace ldp::testing {

/// True when /usr/bin/python3 can import avro.
inline bool HavePythonAvro() {
  return std::system("/usr/bin/python3 -c 'import avro.datafile' >/dev/null 2>&1") == 0;
}

/// The message a test fails with when python3-avro is missing.
inline const char* kPythonAvroMissing =
    "python3-avro is not installed for /usr/bin/python3: run scripts/setup.sh --test";

/// {"metadata": {...}, "schema": <parsed writer schema>, "records": [...]} as printed by
/// tests/interop/avro_dump.py; bytes appear as {"hex": "..."}.
inline Result<nlohmann::json> DumpWithPythonAvro(const std::string& path) {
  // Run without a shell, with stdout and stderr captured away from `path`'s folder (a table's
  // metadata folder must not gain files).
  LDP_ASSIGN_OR_RAISE(
      ProcessResult r,
      RunProcess(
          {"/usr/bin/python3", std::string(LDP_SOURCE_DIR) + "/tests/interop/avro_dump.py", path}));
  if (r.exit_code != 0) {
    return Internal("python avro failed on {} (status {}): {}", path, r.exit_code, r.err);
  }
  auto j = nlohmann::json::parse(r.out, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Internal("python avro printed no JSON: {}", r.out.substr(0, 200));
  return j;
}

}  // namespace ldp::testing
