#pragma once
// Runs Apache Avro's Python package (Debian python3-avro, /usr/bin/python3) on a file, so tests
// can prove a third-party parser reads what ldp writes. Header-only; test binaries only.

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "ldp/core/status.h"

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
  const std::string err_path = path + ".stderr";
  const std::string cmd = std::string("/usr/bin/python3 ") + LDP_SOURCE_DIR +
                          "/tests/interop/avro_dump.py '" + path + "' 2>'" + err_path + "'";
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return IOError("cannot run {}", cmd);
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int rc = pclose(p);
  std::ifstream err_in(err_path);
  std::stringstream err;
  err << err_in.rdbuf();
  if (rc != 0) return Internal("python avro failed on {} (status {}): {}", path, rc, err.str());
  auto j = nlohmann::json::parse(out, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Internal("python avro printed no JSON: {}", out.substr(0, 200));
  return j;
}

}  // namespace ldp::testing
