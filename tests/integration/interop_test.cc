// What ldp writes is standard Iceberg, Parquet and Avro: third-party readers (tests/interop,
// installed by scripts/setup.sh --test) read tables built by the real CLI and agree with DuckDB
// reading the source files and with the spec (apache/iceberg format/spec.md).
//   icebird        reads whole tables; row count, per-column non-null counts and checksums
//   hyparquet      field ids, types and repetition of every column of every data file
//   avsc, python3-avro   every manifest list and manifest of every snapshot: header keys, writer
//                  schema field ids, counts consistent with the table metadata and the data
// The tables (a taxi month plus an appended file, and a table with every supported type) are built
// once for the suite; a missing reader fails the tests with the command that installs it.

#include <unistd.h>

#include <cctype>
#include <cmath>
#include <filesystem>
#include <functional>
#include <map>
#include <set>
#include <sstream>

#include "integration/cli_fixture.h"
#include "ldp/demo/nyc_taxi.h"
#include "ldp/iceberg/row_delta.h"
#include "ldp/services/tables.h"
#include "testing/python_avro.h"

namespace ldp::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* kRunSetup = "run scripts/setup.sh --test";

const std::string& InteropDir() {
  static const std::string dir = std::string(LDP_SOURCE_DIR) + "/tests/interop";
  return dir;
}

// ---------------------------------------------------------------------------------------------
// The readers

/// `node` from PATH, or empty.
std::string FindNode() {
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path ? path : "");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    if (dir.empty()) continue;
    const std::string node = dir + "/node";
    if (access(node.c_str(), X_OK) == 0) return node;
  }
  return "";
}

/// Empty when Node >= 20 is on PATH and tests/interop's packages load; otherwise what is missing,
/// with the command that installs it. Checked once per process.
const std::string& MissingNodeReaders() {
  static const std::string missing = []() -> std::string {
    const std::string node = FindNode();
    if (node.empty()) return std::string("node is not on PATH: ") + kRunSetup;
    auto version = RunProcess({node, "--version"});
    if (!version.ok() || version->exit_code != 0) {
      return std::string("node --version failed: ") + kRunSetup;
    }
    std::string v = version->out;  // "v20.11.1\n"
    while (!v.empty() && std::isspace(static_cast<unsigned char>(v.back()))) v.pop_back();
    if (std::atoi(v.c_str() + (v.rfind('v', 0) == 0 ? 1 : 0)) < 20) {
      return "node " + v + " is older than 20: " + kRunSetup;
    }
    SubprocessOptions o;
    o.cwd = InteropDir();  // bare imports resolve from tests/interop/node_modules
    auto load = RunProcess({node, "--input-type=module", "-e",
                            "await import('icebird'); await import('hyparquet'); "
                            "await import('hyparquet-compressors'); await import('avsc')"},
                           o);
    if (!load.ok() || load->exit_code != 0) {
      return "the npm packages of tests/interop (icebird, hyparquet, hyparquet-compressors, avsc) "
             "do not load: " +
             std::string(kRunSetup) + "\n" + (load.ok() ? load->err : load.status().ToString());
    }
    return "";
  }();
  return missing;
}

/// `node tests/interop/SCRIPT ARGS...`.
ProcessResult RunNode(const std::string& script, const std::vector<std::string>& args) {
  std::vector<std::string> argv = {FindNode(), InteropDir() + "/" + script};
  argv.insert(argv.end(), args.begin(), args.end());
  auto r = RunProcess(argv);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : ProcessResult{};
}

/// The JSON a script prints; fails the test (and returns null) unless it exits 0 with JSON.
json NodeJson(const std::string& script, const std::vector<std::string>& args) {
  ProcessResult r = RunNode(script, args);
  EXPECT_EQ(r.exit_code, 0) << script << " failed:\n" << r.Describe();
  if (r.exit_code != 0) return nullptr;
  json j = json::parse(r.out, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << script << " printed no JSON:\n" << r.out.substr(0, 500);
  return j.is_discarded() ? json() : j;
}

/// An Avro container file as {"metadata", "schema", "records"}, or null after a test failure.
using AvroReader = std::function<json(const std::string& path)>;

json ReadAvroWithAvsc(const std::string& path) { return NodeJson("read_avro.mjs", {path}); }

json ReadAvroWithPython(const std::string& path) {
  auto j = DumpWithPythonAvro(path);
  EXPECT_TRUE(j.ok()) << j.status().ToString();
  return j.ok() ? *j : json();
}

// ---------------------------------------------------------------------------------------------
// The data

constexpr int64_t kTaxiRows = 100000;
constexpr int64_t kTaxiAppendRows = 20000;
constexpr int64_t kTypeRows = 5000;

// One column per Iceberg type ldp writes (boolean, int — also from SMALLINT —, long, float,
// double, decimal stored as int32, int64 and fixed, date, time, timestamp, timestamptz, string,
// binary, uuid, list, struct, map), nested types inside nested types; both source files of ty.all
// are cast to exactly these types.
constexpr const char* kTypedSelect = R"sql(
SELECT id::INTEGER AS id, c_bool::BOOLEAN AS c_bool, c_int::INTEGER AS c_int,
  c_small::SMALLINT AS c_small, c_bigint::BIGINT AS c_bigint, c_float::FLOAT AS c_float,
  c_double::DOUBLE AS c_double, c_dec9::DECIMAL(9,2) AS c_dec9, c_dec18::DECIMAL(18,4) AS c_dec18,
  c_dec38::DECIMAL(38,10) AS c_dec38, c_date::DATE AS c_date, c_time::TIME AS c_time,
  c_ts::TIMESTAMP AS c_ts, c_tstz::TIMESTAMPTZ AS c_tstz, c_varchar::VARCHAR AS c_varchar,
  c_blob::BLOB AS c_blob, c_uuid::UUID AS c_uuid, c_list::INTEGER[] AS c_list,
  c_struct::STRUCT(a INTEGER, b VARCHAR, c STRUCT(d DOUBLE, e BIGINT[])) AS c_struct,
  c_map::MAP(VARCHAR, INTEGER) AS c_map,
  c_list_struct::STRUCT(x INTEGER, y MAP(INTEGER, VARCHAR))[] AS c_list_struct
FROM ({}) s
)sql";

// Ordinary values with NULLs sprinkled per column (a different period each).
constexpr const char* kTypeRowsSql = R"sql(
SELECT i AS id,
  CASE WHEN i % 11 = 0 THEN NULL ELSE i % 3 = 0 END AS c_bool,
  CASE WHEN i % 13 = 0 THEN NULL ELSE i * 7919 % 4000001 - 2000000 END AS c_int,
  i % 5 - 2 AS c_small,
  CASE WHEN i % 17 = 0 THEN NULL ELSE i * 2654435761 - 9000000000000 END AS c_bigint,
  CASE WHEN i % 19 = 0 THEN NULL ELSE i / 7.0 - 300 END AS c_float,
  CASE WHEN i % 23 = 0 THEN NULL ELSE i * 1.0e-3 * (CASE WHEN i % 2 = 0 THEN 1 ELSE -1 END) END
    AS c_double,
  CASE WHEN i % 29 = 0 THEN NULL ELSE (i * 37 % 100000) / 100 END AS c_dec9,
  (i * 987654321 % 10000000000)::DECIMAL(18,4) / 3 - 100000 AS c_dec18,
  (i * 1234567891 % 100000000000)::DECIMAL(38,10) / 7 AS c_dec38,
  CASE WHEN i % 31 = 0 THEN NULL ELSE DATE '1960-01-01' + (i * 3 % 40000)::INTEGER END AS c_date,
  CASE WHEN i % 37 = 0 THEN NULL ELSE make_time(i % 24, i % 60, (i * 1.000123) % 60) END AS c_time,
  CASE WHEN i % 41 = 0 THEN NULL
       ELSE make_timestamp(i * 7777777777 % 4000000000000000 - 1000000000000000) END AS c_ts,
  CASE WHEN i % 43 = 0 THEN NULL
       ELSE to_timestamp(i * 3333331 % 4000000000 - 1000000000 + (i % 1000) / 1000.0) END AS c_tstz,
  CASE WHEN i % 47 = 0 THEN NULL WHEN i % 5 = 0 THEN ''
       ELSE 'str_' || i || CASE WHEN i % 3 = 0 THEN ' ünï ✓' ELSE '' END END AS c_varchar,
  CASE WHEN i % 53 = 0 THEN NULL ELSE ('\x00\xFF' || i::VARCHAR)::BLOB END AS c_blob,
  CASE WHEN i % 59 = 0 THEN NULL ELSE md5(i::VARCHAR)::UUID END AS c_uuid,
  CASE WHEN i % 61 = 0 THEN NULL WHEN i % 7 = 0 THEN [] ELSE [i, NULL, -i] END AS c_list,
  CASE WHEN i % 67 = 0 THEN NULL
       ELSE {'a': i, 'b': 'x' || i, 'c': {'d': i * 0.5, 'e': [i]}} END AS c_struct,
  CASE WHEN i % 71 = 0 THEN NULL ELSE MAP {'k' || i: i, 'z': NULL} END AS c_map,
  CASE WHEN i % 73 = 0 THEN NULL ELSE [{'x': i, 'y': MAP {i: 'v'}}] END AS c_list_struct
FROM range(ROW_COUNT) t(i)
)sql";

// Edge values: type limits, NaN, infinities, -0.0, a subnormal, dates and times at the ends of
// their ranges, instants just before the epoch (sub-millisecond), empty and NULL nested values,
// and a row that is NULL but for its id.
constexpr const char* kEdgeRowsSql = R"sql(
SELECT * FROM (VALUES
  (-1, true, 2147483647, 32767, 9223372036854775807, 3.4e38::FLOAT, 'nan'::DOUBLE, 9999999.99,
   99999999999999.9999, '9999999999999999999999999999.9999999999'::DECIMAL(38,10),
   DATE '9999-12-31', TIME '23:59:59.999999', TIMESTAMP '2262-04-11 23:47:16.854775',
   TIMESTAMPTZ '1969-12-31 23:59:59.999999+00', 'ünïcødé "q", comma' || chr(10) || 'line2',
   ''::BLOB, 'ffffffff-ffff-ffff-ffff-ffffffffffff'::UUID, [NULL]::INTEGER[],
   {'a': NULL, 'b': NULL, 'c': NULL}::STRUCT(a INTEGER, b VARCHAR, c STRUCT(d DOUBLE, e BIGINT[])),
   MAP {'': NULL::INTEGER}, []::STRUCT(x INTEGER, y MAP(INTEGER, VARCHAR))[]),
  (-2, false, -2147483648, -32768, -9223372036854775808, 'nan'::FLOAT, 'inf'::DOUBLE, -9999999.99,
   -99999999999999.9999, '-9999999999999999999999999999.9999999999'::DECIMAL(38,10),
   DATE '0001-01-01', TIME '00:00:00', TIMESTAMP '1900-01-01 00:00:00.000001',
   TIMESTAMPTZ '2000-06-15 12:00:00.123456+05', '', '\x00'::BLOB,
   '00000000-0000-0000-0000-000000000000'::UUID, []::INTEGER[],
   {'a': -1, 'b': '', 'c': {'d': -0.0, 'e': []}}, MAP {}::MAP(VARCHAR, INTEGER),
   [NULL]::STRUCT(x INTEGER, y MAP(INTEGER, VARCHAR))[]),
  (-3, NULL, NULL, NULL, NULL, '-inf'::FLOAT, '-0.0'::DOUBLE, NULL, NULL, NULL, NULL, NULL, NULL,
   NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
  (-4, NULL, 0, 0, 0, '-0.0'::FLOAT, 5e-324::DOUBLE, 0, 0, 0, DATE '1970-01-01', NULL,
   TIMESTAMP '1969-12-31 23:59:59.999999', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
  (-5, NULL, NULL, NULL, NULL, 1.17549435e-38::FLOAT, '-inf'::DOUBLE, NULL, NULL, NULL, NULL, NULL,
   NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
  (-6, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
   NULL, NULL, NULL, NULL, NULL)
) v(id, c_bool, c_int, c_small, c_bigint, c_float, c_double, c_dec9, c_dec18, c_dec38, c_date,
    c_time, c_ts, c_tstz, c_varchar, c_blob, c_uuid, c_list, c_struct, c_map, c_list_struct)
)sql";

/// kTypeRowsSql for `n` rows (its struct and map literals keep fmt away from it).
std::string TypeRowsSql(int64_t n) {
  std::string sql = kTypeRowsSql;
  sql.replace(sql.find("ROW_COUNT"), 9, std::to_string(n));
  return sql;
}

/// A table and the source files ingested into it, in order (snapshot k holds the first k).
struct TableCase {
  std::string ns;
  std::string name;
  std::vector<std::string> sources;

  std::string Qualified() const { return ns + "." + name; }
};

/// DuckDB's relation over the first `n` source files.
std::string SourceRelation(const TableCase& t, size_t n) {
  std::string list;
  for (size_t i = 0; i < n; ++i) list += (i ? ", " : "") + engine::QuoteLiteral(t.sources[i]);
  return "read_parquet([" + list + "])";
}

int64_t Int(const json& j) {
  if (j.is_number_integer()) return j.get<int64_t>();
  if (j.is_string()) return std::stoll(j.get<std::string>());
  ADD_FAILURE() << "not an integer: " << j.dump();
  return 0;
}

std::string Text(const json& j) { return j.is_string() ? j.get<std::string>() : j.dump(); }

/// {"key": k, "value": v} arrays (Avro maps of Iceberg metadata) as a map; empty for null.
std::map<int64_t, int64_t> IntMap(const json& kv) {
  std::map<int64_t, int64_t> out;
  if (!kv.is_array()) return out;
  for (const auto& e : kv) out[Int(e["key"])] = Int(e["value"]);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Avro writer schemas

/// Collects "a.b" -> field-id from an Avro writer schema; fields without one go to `missing`.
/// Arrays that are not Iceberg maps record their element-id under "path[]".
void CollectAvroFieldIds(const json& type, const std::string& prefix,
                         std::map<std::string, int64_t>& ids, std::vector<std::string>& missing) {
  if (type.is_array()) {  // union
    for (const auto& branch : type) CollectAvroFieldIds(branch, prefix, ids, missing);
    return;
  }
  if (!type.is_object()) return;  // primitive or named reference
  const std::string kind = type.value("type", "");
  if (kind == "record") {
    for (const auto& f : type["fields"]) {
      const std::string path = prefix + f.value("name", "?");
      if (f.contains("field-id")) {
        ids[path] = Int(f["field-id"]);
      } else {
        missing.push_back(path);
      }
      CollectAvroFieldIds(f["type"], path + ".", ids, missing);
    }
  } else if (kind == "array") {
    const std::string path = prefix.empty() ? "" : prefix.substr(0, prefix.size() - 1);
    if (type.value("logicalType", "") != "map") {
      if (type.contains("element-id")) {
        ids[path + "[]"] = Int(type["element-id"]);
      } else {
        missing.push_back(path + "[]");
      }
    }
    CollectAvroFieldIds(type["items"], prefix, ids, missing);
  } else if (kind == "map") {
    CollectAvroFieldIds(type["values"], prefix, ids, missing);
  }
}

// Field ids of the spec's manifest_file (manifest list rows) and manifest_entry structs. The
// required ones must be present; the others, when present, must carry these ids.
const std::map<std::string, int64_t> kListRequiredIds = {
    {"manifest_path", 500},        {"manifest_length", 501},
    {"partition_spec_id", 502},    {"content", 517},
    {"sequence_number", 515},      {"min_sequence_number", 516},
    {"added_snapshot_id", 503},    {"added_files_count", 504},
    {"existing_files_count", 505}, {"deleted_files_count", 506},
    {"added_rows_count", 512},     {"existing_rows_count", 513},
    {"deleted_rows_count", 514}};
const std::map<std::string, int64_t> kListOptionalIds = {{"partitions", 507},
                                                         {"partitions[]", 508},
                                                         {"partitions.contains_null", 509},
                                                         {"partitions.contains_nan", 518},
                                                         {"partitions.lower_bound", 510},
                                                         {"partitions.upper_bound", 511},
                                                         {"key_metadata", 519},
                                                         {"first_row_id", 520}};
const std::map<std::string, int64_t> kEntryRequiredIds = {{"status", 0},
                                                          {"data_file", 2},
                                                          {"data_file.content", 134},
                                                          {"data_file.file_path", 100},
                                                          {"data_file.file_format", 101},
                                                          {"data_file.partition", 102},
                                                          {"data_file.record_count", 103},
                                                          {"data_file.file_size_in_bytes", 104}};
const std::map<std::string, int64_t> kEntryOptionalIds = {
    {"snapshot_id", 1},
    {"sequence_number", 3},
    {"file_sequence_number", 4},
    {"data_file.column_sizes", 108},
    {"data_file.column_sizes.key", 117},
    {"data_file.column_sizes.value", 118},
    {"data_file.value_counts", 109},
    {"data_file.value_counts.key", 119},
    {"data_file.value_counts.value", 120},
    {"data_file.null_value_counts", 110},
    {"data_file.null_value_counts.key", 121},
    {"data_file.null_value_counts.value", 122},
    {"data_file.nan_value_counts", 137},
    {"data_file.nan_value_counts.key", 138},
    {"data_file.nan_value_counts.value", 139},
    {"data_file.lower_bounds", 125},
    {"data_file.lower_bounds.key", 126},
    {"data_file.lower_bounds.value", 127},
    {"data_file.upper_bounds", 128},
    {"data_file.upper_bounds.key", 129},
    {"data_file.upper_bounds.value", 130},
    {"data_file.key_metadata", 131},
    {"data_file.split_offsets", 132},
    {"data_file.split_offsets[]", 133},
    {"data_file.equality_ids", 135},
    {"data_file.equality_ids[]", 136},
    {"data_file.sort_order_id", 140},
    {"data_file.referenced_data_file", 143}};

/// Checks a writer schema's field ids against the spec's.
void ExpectSpecFieldIds(const json& schema, const std::map<std::string, int64_t>& required,
                        const std::map<std::string, int64_t>& optional, const std::string& what) {
  std::map<std::string, int64_t> ids;
  std::vector<std::string> missing;
  CollectAvroFieldIds(schema, "", ids, missing);
  std::string listed;
  for (const auto& m : missing) listed += " " + m;
  EXPECT_TRUE(missing.empty()) << what << ": fields without field-id:" << listed;
  for (const auto& [path, id] : required) {
    auto it = ids.find(path);
    if (it == ids.end()) {
      ADD_FAILURE() << what << ": writer schema has no " << path;
    } else {
      EXPECT_EQ(it->second, id) << what << ": field-id of " << path;
    }
  }
  for (const auto& [path, id] : optional) {
    auto it = ids.find(path);
    if (it != ids.end()) {
      EXPECT_EQ(it->second, id) << what << ": field-id of " << path;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Iceberg schemas against Parquet footers

/// One field of an Iceberg schema, found by its Parquet-style path ("c_list.element").
struct IcebergField {
  int64_t id = 0;
  bool required = false;
  json type;  ///< "long", "decimal(9, 2)", or {"type": "list", ...}
};

void CollectIcebergFields(const json& type, const std::string& path,
                          std::map<std::string, IcebergField>& out) {
  if (!type.is_object()) return;
  const std::string kind = type.value("type", "");
  const std::string prefix = path.empty() ? "" : path + ".";
  if (kind == "struct") {
    for (const auto& f : type["fields"]) {
      const std::string p = prefix + f.value("name", "?");
      out[p] = {Int(f["id"]), f.value("required", false), f["type"]};
      CollectIcebergFields(f["type"], p, out);
    }
  } else if (kind == "list") {
    out[prefix + "element"] = {Int(type["element-id"]), type.value("element-required", false),
                               type["element"]};
    CollectIcebergFields(type["element"], prefix + "element", out);
  } else if (kind == "map") {
    out[prefix + "key"] = {Int(type["key-id"]), true, type["key"]};
    out[prefix + "value"] = {Int(type["value-id"]), type.value("value-required", false),
                             type["value"]};
    CollectIcebergFields(type["key"], prefix + "key", out);
    CollectIcebergFields(type["value"], prefix + "value", out);
  }
}

/// Smallest number of bytes of a two's-complement integer holding every P-digit decimal.
int DecimalBytes(int precision) {
  int bytes = 1;
  while ((8.0 * bytes - 1) * std::log10(2.0) < precision) ++bytes;
  return bytes;
}

/// "" when a Parquet schema element stores `type` as the spec's Appendix A (Parquet) says, else
/// what differs.
std::string ParquetTypeProblem(const json& type, const json& el) {
  const std::string physical =
      el["physical_type"].is_string() ? Text(el["physical_type"]) : "group";
  const std::string converted = el["converted_type"].is_string() ? Text(el["converted_type"]) : "";
  const json& logical = el["logical_type"];
  const std::string logical_kind = logical.is_object() ? logical.value("type", "") : "";
  auto want = [&](bool ok, const std::string& what) { return ok ? "" : "want " + what; };
  auto micros = [&](const std::string& kind, bool utc) {
    if (logical_kind.empty()) return converted == kind + "_MICROS" && (kind == "TIME" || !utc);
    return logical_kind == kind && logical.value("unit", "") == "MICROS" &&
           logical.value("isAdjustedToUTC", !utc) == utc;
  };
  if (type.is_object()) {
    const std::string kind = type.value("type", "");
    if (kind == "struct") return want(physical == "group" && converted.empty(), "plain group");
    if (kind == "list") return want(physical == "group" && converted == "LIST", "LIST group");
    if (kind == "map") return want(physical == "group" && converted == "MAP", "MAP group");
    return "unknown nested type " + type.dump();
  }
  const std::string t = Text(type);
  if (t == "boolean") return want(physical == "BOOLEAN", "BOOLEAN");
  if (t == "int") return want(physical == "INT32", "INT32");
  if (t == "long") return want(physical == "INT64", "INT64");
  if (t == "float") return want(physical == "FLOAT", "FLOAT");
  if (t == "double") return want(physical == "DOUBLE", "DOUBLE");
  if (t == "date")
    return want(physical == "INT32" && (converted == "DATE" || logical_kind == "DATE"),
                "INT32 DATE");
  if (t == "time")
    return want(physical == "INT64" && micros("TIME", false),
                "INT64 TIME(MICROS, not UTC-adjusted)");
  if (t == "timestamp") {
    return want(physical == "INT64" && micros("TIMESTAMP", false),
                "INT64 TIMESTAMP(MICROS, isAdjustedToUTC=false)");
  }
  if (t == "timestamptz") {
    return want(physical == "INT64" && micros("TIMESTAMP", true),
                "INT64 TIMESTAMP(MICROS, isAdjustedToUTC=true)");
  }
  if (t == "string") {
    return want(physical == "BYTE_ARRAY" && (converted == "UTF8" || logical_kind == "STRING"),
                "BYTE_ARRAY UTF8");
  }
  if (t == "binary") {
    return want(physical == "BYTE_ARRAY" && converted.empty() && logical_kind.empty(),
                "unannotated BYTE_ARRAY");
  }
  if (t == "uuid") {
    return want(
        physical == "FIXED_LEN_BYTE_ARRAY" && el["type_length"] == 16 && logical_kind == "UUID",
        "FIXED_LEN_BYTE_ARRAY(16) UUID");
  }
  int p = 0, s = 0;
  if (std::sscanf(t.c_str(), "decimal(%d,%d)", &p, &s) == 2 ||
      std::sscanf(t.c_str(), "decimal(%d, %d)", &p, &s) == 2) {
    const bool annotated =
        converted == "DECIMAL" && (logical_kind.empty() || (logical.value("precision", -1) == p &&
                                                            logical.value("scale", -1) == s));
    if (p <= 9) return want(physical == "INT32" && annotated, "INT32 DECIMAL");
    if (p <= 18) return want(physical == "INT64" && annotated, "INT64 DECIMAL");
    return want(
        physical == "FIXED_LEN_BYTE_ARRAY" && el["type_length"] == DecimalBytes(p) && annotated,
        fmt::format("FIXED_LEN_BYTE_ARRAY({}) DECIMAL", DecimalBytes(p)));
  }
  return "type " + t + " is not checked here";
}

// ---------------------------------------------------------------------------------------------
// The fixture

/// The project and tables every test reads; built by the first test that runs.
struct SharedTables {
  TempDir dir;
  std::string project;
  TableCase taxi;
  TableCase types;
  bool built = false;
};

class Interop : public CliTest {
 protected:
  static void TearDownTestSuite() { shared_.reset(); }

  void SetUp() override {
    const std::string& missing = MissingNodeReaders();
    ASSERT_TRUE(missing.empty()) << missing;
    // A DuckDB of this test's own; the project (and its tables) are the suite's.
    auto db = engine::Database::Open({});
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
    auto conn = db_->Connect();
    ASSERT_TRUE(conn.ok()) << conn.status().ToString();
    conn_ = std::move(conn).value();
    if (!shared_) {
      shared_ = std::make_unique<SharedTables>();
      project_ = shared_->dir.Join("project");
      BuildTables();
      shared_->built = !HasFailure();
      ASSERT_TRUE(shared_->built) << "building the tables failed";
    }
    ASSERT_TRUE(shared_->built) << "building the tables failed in an earlier test";
    project_ = shared_->project;
  }

  void BuildTables() {
    SharedTables& s = *shared_;
    s.project = project_;
    ProcessResult init = RunLdp({"init", project_});
    ASSERT_EQ(init.exit_code, 0) << init.Describe();

    // nyc.yellow_trips: a synthetic taxi month, then a second month appended.
    s.taxi = {"nyc",
              "yellow_trips",
              {s.dir.Join("taxi-2023-01.parquet"), s.dir.Join("taxi-2023-02.parquet")}};
    ASSERT_OK(demo::GenerateTaxiMonth(duck(), {.rows = kTaxiRows}, s.taxi.sources[0]));
    ASSERT_OK(demo::GenerateTaxiMonth(duck(), {.rows = kTaxiAppendRows, .seed = 7, .month = 2},
                                      s.taxi.sources[1]));
    // ty.all: ordinary values of every type, then the edge values appended.
    s.types = {"ty", "all", {s.dir.Join("types.parquet"), s.dir.Join("types-edges.parquet")}};
    Copy(fmt::format(kTypedSelect, TypeRowsSql(kTypeRows)), s.types.sources[0]);
    Copy(fmt::format(kTypedSelect, kEdgeRowsSql), s.types.sources[1]);

    for (const TableCase* t : {&s.taxi, &s.types}) {
      for (const auto& src : t->sources) {
        json ing = Ingest(src, t->Qualified());
        ASSERT_TRUE(ing.is_object())
            << "ingesting " << src << " into " << t->Qualified() << " failed";
        ASSERT_TRUE(ing.value("committed", false)) << ing.dump(2);
        ASSERT_EQ(ing.value("rows", int64_t{-1}), Count(Parquet(src))) << ing.dump(2);
      }
    }
  }

  /// Local path of the table's current metadata file.
  std::string MetadataPath(const TableCase& t) {
    auto row = CatalogTable(t.ns, t.name);
    EXPECT_TRUE(row) << "no catalog row for " << t.Qualified();
    return row ? LocalPath(row->metadata_location) : "";
  }

  json Metadata(const TableCase& t) {
    json md = json::parse(ReadFile(MetadataPath(t)), nullptr, false);
    EXPECT_FALSE(md.is_discarded()) << MetadataPath(t);
    return md.is_discarded() ? json() : md;
  }

  /// icebird's read of the table (at `snapshot_id`, or the current snapshot) against DuckDB's
  /// over the source files: rows, and per column the non-null count and, for the types icebird
  /// decodes exactly, the checksum.
  void ExpectIcebirdMatchesSources(const TableCase& t, const std::string& metadata,
                                   const std::string& relation,
                                   const std::optional<std::string>& snapshot_id) {
    SCOPED_TRACE(t.Qualified() + (snapshot_id ? " at snapshot " + *snapshot_id : ""));
    std::vector<std::string> args;
    if (snapshot_id) args = {"--snapshot", *snapshot_id};
    std::vector<std::string> read_args = args;
    read_args.push_back(metadata);
    const json ice = NodeJson("read_table.mjs", read_args);
    ASSERT_TRUE(ice.is_object());

    std::vector<std::string> sql_args = args;
    sql_args.insert(sql_args.end(), {"--duckdb-sql", relation, metadata});
    ProcessResult sql = RunNode("read_table.mjs", sql_args);
    ASSERT_EQ(sql.exit_code, 0) << sql.Describe();
    const json duck = json::parse(Scalar(sql.out), nullptr, false);
    ASSERT_TRUE(duck.is_object()) << "DuckDB's checksum query returned no JSON object";

    EXPECT_EQ(ice.value("reader", ""), "icebird");
    if (snapshot_id) {
      EXPECT_EQ(ice.value("snapshot_id", ""), *snapshot_id);
    }
    EXPECT_EQ(Int(ice["rows"]), Count(relation)) << "icebird's row count";
    EXPECT_EQ(Int(ice["rows"]), Int(duck["rows"]));

    const json& ice_cols = ice["columns"];
    const json& duck_cols = duck["columns"];
    ASSERT_EQ(ice_cols.size(), duck_cols.size());
    ASSERT_EQ(ice_cols.size(), Sql("DESCRIBE SELECT * FROM " + relation).rows.size())
        << "icebird saw another number of columns than the source has";
    int exact = 0;
    for (const auto& [name, c] : ice_cols.items()) {
      ASSERT_TRUE(duck_cols.contains(name)) << name;
      const json& d = duck_cols[name];
      EXPECT_EQ(Int(c["non_null"]), Int(d["non_null"])) << "non-null count of " << name;
      // The script gives no checksum for decimal, binary and nested columns, on both sides; a
      // checksum missing on one side only means icebird met a value it could not render.
      const std::string type = c.value("type", "");
      const bool lossy = type.rfind("decimal", 0) == 0 || type == "binary" || type == "list" ||
                         type == "struct" || type == "map";
      EXPECT_EQ(c["checksum"].is_null(), lossy) << name << " (" << type << "): " << c.dump();
      EXPECT_EQ(d["checksum"].is_null(), lossy) << name << " (" << type << "): " << d.dump();
      if (!c["checksum"].is_null()) {
        EXPECT_EQ(c["checksum"], d["checksum"]) << "checksum of " << name << " (" << type << ")";
        ++exact;
      }
    }
    EXPECT_GT(exact, 0);
  }

  /// Every data file in every snapshot's manifests (read with avsc), by path, with the
  /// record_count its entry gives.
  std::map<std::string, int64_t> DataFiles(const TableCase& t) {
    std::map<std::string, int64_t> files;
    const json md = Metadata(t);
    for (const auto& snap : md["snapshots"]) {
      const json list = ReadAvroWithAvsc(LocalPath(Text(snap["manifest-list"])));
      if (!list.is_object()) continue;
      for (const auto& m : list["records"]) {
        const json manifest = ReadAvroWithAvsc(LocalPath(Text(m["manifest_path"])));
        if (!manifest.is_object()) continue;
        for (const auto& e : manifest["records"]) {
          files[LocalPath(Text(e["data_file"]["file_path"]))] = Int(e["data_file"]["record_count"]);
        }
      }
    }
    return files;
  }

  /// hyparquet's footer of every data file: every column carries the field id, name, repetition
  /// and storage type of the table schema `ldp describe --json` shows, nested fields included.
  void ExpectParquetFieldIds(const TableCase& t) {
    SCOPED_TRACE(t.Qualified());
    const json desc = LdpJson({"describe", t.Qualified()});
    std::map<std::string, IcebergField> want;
    CollectIcebergFields(desc["schema"], "", want);
    ASSERT_FALSE(want.empty()) << desc.dump(2);

    const auto files = DataFiles(t);
    ASSERT_EQ(files.size(), t.sources.size()) << "one data file per ingested source expected";
    std::vector<std::string> paths;
    for (const auto& [path, rows] : files) paths.push_back(path);
    const json got = NodeJson("check_parquet_ids.mjs", paths);
    ASSERT_TRUE(got.is_object());
    ASSERT_EQ(got["files"].size(), files.size());

    for (const auto& f : got["files"]) {
      const std::string path = Text(f["path"]);
      SCOPED_TRACE(path);
      ASSERT_TRUE(files.count(path)) << "hyparquet read a file not in the manifests";
      EXPECT_EQ(Int(f["num_rows"]), files.at(path)) << "record_count in the manifest";
      // Footer paths with the repeated middle level of LIST and MAP groups left out, which is how
      // Iceberg names list elements and map keys/values ("c_list.element", "c_map.key").
      std::map<std::string, std::string> iceberg_path;  // footer path -> Iceberg path
      std::map<std::string, std::string> converted;     // footer path -> converted type
      std::set<std::string> seen;
      for (const auto& el : f["fields"]) {
        const std::string p = Text(el["path"]);
        const auto dot = p.rfind('.');
        const std::string parent = dot == std::string::npos ? "" : p.substr(0, dot);
        const std::string base = parent.empty() ? "" : iceberg_path[parent];
        converted[p] = el["converted_type"].is_string() ? Text(el["converted_type"]) : "";
        const bool middle = !parent.empty() && Text(el["repetition"]) == "REPEATED" &&
                            Int(el["num_children"]) > 0 &&
                            (converted[parent] == "LIST" || converted[parent] == "MAP");
        if (middle) {
          iceberg_path[p] = base;
          continue;
        }
        const std::string ip = base.empty() ? Text(el["name"]) : base + "." + Text(el["name"]);
        iceberg_path[p] = ip;
        seen.insert(ip);
        auto w = want.find(ip);
        if (w == want.end()) {
          ADD_FAILURE() << "column " << p << " is not in the table schema";
          continue;
        }
        ASSERT_FALSE(el["field_id"].is_null()) << "column " << p << " has no field id";
        EXPECT_EQ(Int(el["field_id"]), w->second.id) << "field id of " << p;
        EXPECT_EQ(Text(el["repetition"]), w->second.required ? "REQUIRED" : "OPTIONAL")
            << "repetition of " << p;
        EXPECT_EQ(ParquetTypeProblem(w->second.type, el), "")
            << p << " as " << w->second.type.dump() << ": " << el.dump();
      }
      for (const auto& [ip, field] : want) {
        EXPECT_TRUE(seen.count(ip))
            << "the file has no column for " << ip << " (id " << field.id << ")";
      }
    }
  }

  /// Reads every manifest list and manifest of every snapshot with `read` and checks them
  /// against the spec, the table metadata, the files on disk and (for the current snapshot's
  /// column metrics) DuckDB over the sources. What was read goes to `dumps`, by path.
  void ExpectManifestsConsistent(const TableCase& t, const AvroReader& read,
                                 std::map<std::string, json>* dumps = nullptr) {
    SCOPED_TRACE(t.Qualified());
    std::map<std::string, json> unused;
    if (!dumps) dumps = &unused;
    const json md = Metadata(t);
    const std::string format_version = md["format-version"].dump();
    EXPECT_EQ(format_version, "2");
    std::map<int64_t, const json*> schemas;
    for (const auto& s : md["schemas"]) schemas[Int(s["schema-id"])] = &s;
    std::map<int64_t, const json*> specs;
    for (const auto& s : md["partition-specs"]) specs[Int(s["spec-id"])] = &s;
    std::set<int64_t> snapshot_ids;
    for (const auto& s : md["snapshots"]) snapshot_ids.insert(Int(s["snapshot-id"]));
    EXPECT_EQ(md["snapshots"].size(), t.sources.size()) << "one snapshot per ingest expected";
    const int64_t current = Int(md["current-snapshot-id"]);
    std::vector<json> current_entries;

    for (const auto& snap : md["snapshots"]) {
      // Exact digits from the metadata JSON (ids may pass 2^53, so never through a double).
      const std::string id = snap["snapshot-id"].dump();
      SCOPED_TRACE("snapshot " + id);
      const std::string list_path = LocalPath(Text(snap["manifest-list"]));
      const json list = read(list_path);
      ASSERT_TRUE(list.is_object()) << list_path;
      (*dumps)[list_path] = list;

      // ---- manifest list header
      const json& meta = list["metadata"];
      for (const char* key :
           {"snapshot-id", "parent-snapshot-id", "sequence-number", "format-version"}) {
        EXPECT_TRUE(meta.contains(key)) << list_path << " has no header key " << key;
      }
      EXPECT_EQ(meta.value("snapshot-id", ""), id);
      // Java writes String.valueOf(parent), "null" for the first snapshot.
      EXPECT_EQ(meta.value("parent-snapshot-id", ""),
                snap.contains("parent-snapshot-id") ? snap["parent-snapshot-id"].dump() : "null");
      EXPECT_EQ(meta.value("sequence-number", ""), snap["sequence-number"].dump());
      EXPECT_EQ(meta.value("format-version", ""), format_version);
      ExpectSpecFieldIds(list["schema"], kListRequiredIds, kListOptionalIds, list_path);

      // ---- manifest list rows and their manifests
      const int64_t seq = Int(snap["sequence-number"]);
      int64_t added_rows = 0, existing_rows = 0, this_snapshot_rows = 0, files = 0;
      for (const auto& m : list["records"]) {
        const std::string manifest_path = LocalPath(Text(m["manifest_path"]));
        SCOPED_TRACE(manifest_path);
        EXPECT_EQ(Int(m["content"]), 0) << "a data manifest";
        EXPECT_TRUE(specs.count(Int(m["partition_spec_id"])));
        EXPECT_TRUE(snapshot_ids.count(Int(m["added_snapshot_id"])))
            << "added_snapshot_id " << m["added_snapshot_id"].dump() << " is no snapshot";
        EXPECT_LE(Int(m["sequence_number"]), seq);
        EXPECT_LE(Int(m["min_sequence_number"]), Int(m["sequence_number"]));
        if (Int(m["added_snapshot_id"]) == Int(snap["snapshot-id"])) {
          EXPECT_EQ(Int(m["sequence_number"]), seq);
          this_snapshot_rows += Int(m["added_rows_count"]);
        }
        std::error_code ec;
        EXPECT_EQ(static_cast<int64_t>(fs::file_size(manifest_path, ec)),
                  Int(m["manifest_length"]));
        added_rows += Int(m["added_rows_count"]);
        existing_rows += Int(m["existing_rows_count"]);
        EXPECT_EQ(Int(m["deleted_rows_count"]), 0) << "nothing was deleted";

        const json manifest = read(manifest_path);
        ASSERT_TRUE(manifest.is_object()) << manifest_path;
        (*dumps)[manifest_path] = manifest;
        const json& mmeta = manifest["metadata"];
        for (const char* key : {"schema", "schema-id", "partition-spec", "partition-spec-id",
                                "format-version", "content"}) {
          EXPECT_TRUE(mmeta.contains(key)) << manifest_path << " has no header key " << key;
        }
        const int64_t schema_id = std::stoll(mmeta.value("schema-id", "-1"));
        ASSERT_TRUE(schemas.count(schema_id)) << "schema-id " << mmeta.value("schema-id", "");
        EXPECT_EQ(json::parse(mmeta.value("schema", "null"), nullptr, false), *schemas[schema_id])
            << "the header's schema is not the metadata's schema " << schema_id;
        EXPECT_EQ(mmeta.value("partition-spec-id", ""), m["partition_spec_id"].dump());
        if (specs.count(Int(m["partition_spec_id"]))) {
          EXPECT_EQ(json::parse(mmeta.value("partition-spec", "null"), nullptr, false),
                    (*specs[Int(m["partition_spec_id"])])["fields"]);
        }
        EXPECT_EQ(mmeta.value("format-version", ""), format_version);
        EXPECT_EQ(mmeta.value("content", ""), "data");
        ExpectSpecFieldIds(manifest["schema"], kEntryRequiredIds, kEntryOptionalIds, manifest_path);

        // ---- entries: counts agree with the list row, files are on disk as described
        int64_t added_files = 0, existing_files = 0, added_entry_rows = 0, existing_entry_rows = 0;
        for (const auto& e : manifest["records"]) {
          const json& df = e["data_file"];
          const std::string file = LocalPath(Text(df["file_path"]));
          SCOPED_TRACE(file);
          const int64_t status = Int(e["status"]);
          EXPECT_NE(status, 2) << "nothing was deleted";
          if (status == 1) {
            ++added_files;
            added_entry_rows += Int(df["record_count"]);
            // ADDED entries inherit null ids and sequence numbers from the list row.
            if (!e["snapshot_id"].is_null()) {
              EXPECT_EQ(Int(e["snapshot_id"]), Int(m["added_snapshot_id"]));
            }
            if (!e["sequence_number"].is_null()) {
              EXPECT_EQ(Int(e["sequence_number"]), Int(m["sequence_number"]));
            }
          } else if (status == 0) {
            ++existing_files;
            existing_entry_rows += Int(df["record_count"]);
            EXPECT_FALSE(e["sequence_number"].is_null())
                << "EXISTING entries carry their sequence number";
          }
          EXPECT_EQ(Int(df["content"]), 0);
          EXPECT_EQ(Text(df["file_format"]), "PARQUET");
          std::error_code ec;
          EXPECT_EQ(static_cast<int64_t>(fs::file_size(file, ec)), Int(df["file_size_in_bytes"]))
              << (ec ? ec.message() : "file_size_in_bytes");
          if (Int(snap["snapshot-id"]) == current && status != 2) current_entries.push_back(e);
        }
        EXPECT_EQ(added_files, Int(m["added_files_count"]));
        EXPECT_EQ(existing_files, Int(m["existing_files_count"]));
        EXPECT_EQ(Int(m["deleted_files_count"]), 0);
        EXPECT_EQ(added_entry_rows, Int(m["added_rows_count"]));
        EXPECT_EQ(existing_entry_rows, Int(m["existing_rows_count"]));
        files += added_files + existing_files;
      }
      // ---- the list against the snapshot summary (an append-only table: no rows leave)
      const json& summary = snap["summary"];
      EXPECT_EQ(added_rows + existing_rows, Int(summary["total-records"]));
      EXPECT_EQ(existing_rows, 0) << "ldp appends with new manifests; none is rewritten";
      EXPECT_EQ(this_snapshot_rows, Int(summary["added-records"]));
      EXPECT_EQ(files, Int(summary["total-data-files"]));
    }

    // ---- column metrics of the current snapshot against DuckDB over all the sources
    const auto current_schema = schemas.find(Int(md["current-schema-id"]));
    if (current_schema == schemas.end()) {
      ADD_FAILURE() << "current-schema-id names no schema";
      return;
    }
    const json& fields = (*current_schema->second)["fields"];
    std::string counts = "count(*)";
    for (const auto& f : fields) counts += ", count(" + engine::QuoteIdent(Text(f["name"])) + ")";
    auto r = Sql("SELECT " + counts + " FROM " + SourceRelation(t, t.sources.size()));
    ASSERT_EQ(r.rows.size(), 1u);
    const int64_t rows = std::stoll(r.rows[0][0].value_or("0"));
    int checked = 0;
    for (size_t i = 0; i < fields.size(); ++i) {
      if (!fields[i]["type"].is_string()) continue;  // nested: metrics are per leaf
      const int64_t id = Int(fields[i]["id"]);
      int64_t values = 0, nulls = 0;
      bool complete = true;
      for (const auto& e : current_entries) {
        auto vc = IntMap(e["data_file"]["value_counts"]);
        auto nc = IntMap(e["data_file"]["null_value_counts"]);
        if (!vc.count(id) || !nc.count(id)) {
          complete = false;
          break;
        }
        values += vc[id];
        nulls += nc[id];
      }
      if (!complete) continue;  // metrics are optional
      ++checked;
      const std::string name = Text(fields[i]["name"]);
      EXPECT_EQ(values, rows) << "value_counts of " << name;
      EXPECT_EQ(nulls, rows - std::stoll(r.rows[0][i + 1].value_or("0")))
          << "null_value_counts of " << name;
    }
    EXPECT_GT(checked, 0) << "no column has value and null counts in every data file";
  }

  static std::unique_ptr<SharedTables> shared_;
};

std::unique_ptr<SharedTables> Interop::shared_;

TEST_F(Interop, ReadersAreInstalled) {
  EXPECT_EQ(MissingNodeReaders(), "");
  EXPECT_TRUE(HavePythonAvro()) << kPythonAvroMissing;
}

TEST_F(Interop, IcebirdReadsTheTaxiTable) {
  const TableCase& t = shared_->taxi;
  ExpectIcebirdMatchesSources(t, MetadataPath(t), SourceRelation(t, t.sources.size()),
                              std::nullopt);
}

TEST_F(Interop, IcebirdReadsEveryTypeAtEverySnapshot) {
  const TableCase& t = shared_->types;
  const json md = Metadata(t);
  ASSERT_EQ(md["snapshots"].size(), t.sources.size());
  for (size_t i = 0; i < t.sources.size(); ++i) {
    ExpectIcebirdMatchesSources(t, MetadataPath(t), SourceRelation(t, i + 1),
                                md["snapshots"][i]["snapshot-id"].dump());
  }
}

// A table whose schema evolved between two files (column renamed, dropped, added, promoted):
// icebird resolves columns by field id and must see the old file's values under the new names,
// NULL for the added column in old rows, and nothing of the dropped column; ldp's own query too.
TEST_F(Interop, IcebirdReadsAnEvolvedTable) {
  TableCase t{"ev", "evolved", {shared_->dir.Join("ev-old.parquet"), shared_->dir.Join("ev-new.parquet")}};
  Copy("SELECT i::INTEGER AS id, 'name ' || i AS name, (i % 9)::INTEGER AS qty, (i * 0.5)::DOUBLE AS price "
       "FROM range(1000) r(i)",
       t.sources[0]);
  json first = Ingest(t.sources[0], t.Qualified());
  ASSERT_TRUE(first.is_object() && first.value("committed", false)) << first.dump();
  json alter = LdpJson({"alter", t.Qualified(), "--rename-column", "name:title", "--drop-column", "qty",
                        "--add-column", "note string", "--change-type", "id long"});
  ASSERT_TRUE(alter.is_object() && alter.value("committed", false)) << alter.dump();
  Copy("SELECT (i + 5000000000)::BIGINT AS id, 'title ' || i AS title, (i * 0.25)::DOUBLE AS price, "
       "CASE WHEN i % 3 = 0 THEN NULL ELSE 'note ' || i END AS note FROM range(400) r(i)",
       t.sources[1]);
  json second = Ingest(t.sources[1], t.Qualified());
  ASSERT_TRUE(second.is_object() && second.value("committed", false)) << second.dump();
  const std::string expected = fmt::format(
      "(SELECT id::BIGINT AS id, name AS title, price, NULL::VARCHAR AS note FROM read_parquet({}) "
      "UNION ALL SELECT id, title, price, note FROM read_parquet({}))",
      engine::QuoteLiteral(t.sources[0]), engine::QuoteLiteral(t.sources[1]));
  ExpectIcebirdMatchesSources(t, MetadataPath(t), expected, std::nullopt);
  // ldp reads the same rows.
  const std::string out = shared_->dir.Join("ev-export.parquet");
  ProcessResult exp = Ldp({"export", t.Qualified(), "--to", out});
  ASSERT_EQ(exp.exit_code, 0) << exp.Describe();
  EXPECT_EQ(Difference(Parquet(out), expected), 0);
  EXPECT_EQ(Count(Parquet(out)), 1400);
}

TEST_F(Interop, HyparquetFindsTheSchemaFieldIdsInEveryDataFile) {
  ExpectParquetFieldIds(shared_->taxi);
  ExpectParquetFieldIds(shared_->types);
}

TEST_F(Interop, AvscReadsEveryManifestAndManifestList) {
  ExpectManifestsConsistent(shared_->taxi, ReadAvroWithAvsc);
  ExpectManifestsConsistent(shared_->types, ReadAvroWithAvsc);
}

TEST_F(Interop, PythonAvroReadsEveryManifestAndManifestList) {
  ASSERT_TRUE(HavePythonAvro()) << kPythonAvroMissing;
  for (const TableCase* t : {&shared_->taxi, &shared_->types}) {
    std::map<std::string, json> python;
    ExpectManifestsConsistent(*t, ReadAvroWithPython, &python);
    // And the two parsers decode the same header metadata and records, value for value.
    for (const auto& [path, dump] : python) {
      const json avsc = ReadAvroWithAvsc(path);
      ASSERT_TRUE(avsc.is_object()) << path;
      EXPECT_EQ(dump["metadata"], avsc["metadata"]) << path;
      EXPECT_EQ(dump["records"], avsc["records"]) << path;
    }
  }
}


// ---------------------------------------------------------------------------------------------
// After maintenance (manifest rewrite, snapshot expiry with a branch on an old snapshot) icebird
// still reads every retained version with exactly the rows written up to it.

class InteropMaintenance : public CliTest {
 protected:
  void SetUp() override {
    const std::string& missing = MissingNodeReaders();
    ASSERT_TRUE(missing.empty()) << missing;
    CliTest::SetUp();
  }

  std::string Source(int k) {
    std::string path = tmp_.Join("src_" + std::to_string(k) + ".parquet");
    Copy(fmt::format("SELECT i AS id, 'v' || i AS label, i * 0.25 AS amount, DATE '2023-01-01' + (i % 30)::INTEGER "
                     "AS day FROM range({}, {}) t(i)",
                     k * 1000, k * 1000 + 700 + k),
         path);
    return path;
  }

  std::string MetadataFile() { return LocalPath(CatalogTable("ns", "t")->metadata_location); }

  /// icebird's read of ns.t (at `snapshot` or the current one) agrees with DuckDB over `relation`.
  void ExpectIcebird(const std::string& relation, const std::optional<int64_t>& snapshot) {
    SCOPED_TRACE(snapshot ? "snapshot " + std::to_string(*snapshot) : "current snapshot");
    std::vector<std::string> args;
    if (snapshot) args = {"--snapshot", std::to_string(*snapshot)};
    std::vector<std::string> read_args = args;
    read_args.push_back(MetadataFile());
    const json ice = NodeJson("read_table.mjs", read_args);
    ASSERT_TRUE(ice.is_object());
    std::vector<std::string> sql_args = args;
    sql_args.insert(sql_args.end(), {"--duckdb-sql", relation, MetadataFile()});
    ProcessResult sql = RunNode("read_table.mjs", sql_args);
    ASSERT_EQ(sql.exit_code, 0) << sql.Describe();
    const json duck = json::parse(Scalar(sql.out), nullptr, false);
    ASSERT_TRUE(duck.is_object());
    EXPECT_EQ(Int(ice["rows"]), Count(relation));
    ASSERT_EQ(ice["columns"].size(), duck["columns"].size());
    for (const auto& [name, c] : ice["columns"].items()) {
      EXPECT_EQ(Int(c["non_null"]), Int(duck["columns"][name]["non_null"])) << name;
      EXPECT_EQ(c["checksum"], duck["columns"][name]["checksum"]) << name;
    }
  }

  std::string Relation(const std::vector<std::string>& files) {
    std::string list;
    for (const auto& f : files) list += (list.empty() ? "" : ", ") + engine::QuoteLiteral(f);
    return "read_parquet([" + list + "])";
  }
};

TEST_F(InteropMaintenance, IcebirdReadsAfterManifestRewriteAndExpiry) {
  std::vector<std::string> sources;
  std::vector<int64_t> snapshots;
  for (int k = 0; k < 4; ++k) {
    sources.push_back(Source(k));
    json j = Ingest(sources.back(), "ns.t");
    snapshots.push_back(j.value("snapshot_id", int64_t{0}));
  }
  json rewrite = LdpJson({"maintain", "rewrite-manifests", "ns.t"});
  ASSERT_TRUE(rewrite.value("committed", false)) << rewrite.dump();
  const int64_t rewritten = rewrite["snapshot_id"].get<int64_t>();
  ExpectIcebird(Relation(sources), std::nullopt);
  ExpectIcebird(Relation({sources[0], sources[1]}), snapshots[1]);

  // An overwrite, a branch kept on the rewritten snapshot, then everything else expires.
  std::string fifth = Source(9);
  Ingest(fifth, "ns.t", {"--mode", "overwrite"});
  ASSERT_EQ(Ldp({"branch", "create", "ns.t", "keep", "--snapshot", std::to_string(rewritten)}).exit_code, 0);
  json expired = LdpJson({"maintain", "expire-snapshots", "ns.t", "--older-than", "0d"});
  EXPECT_EQ(expired["expired_snapshots"].size(), 4u) << expired.dump();
  ExpectIcebird(Relation({fifth}), std::nullopt);
  ExpectIcebird(Relation(sources), rewritten);
  // Every manifest list, manifest and data file of the retained snapshots is still on disk.
  const json md = json::parse(ReadFile(MetadataFile()));
  ASSERT_EQ(md["snapshots"].size(), 2u);
  for (const auto& s : md["snapshots"]) {
    EXPECT_TRUE(fs::exists(LocalPath(Text(s["manifest-list"])))) << s.dump();
  }
}

}  // namespace
}  // namespace ldp::testing

namespace ldp::testing {
namespace {

// A partitioned table, with several transforms and a spec change between two ingests: icebird
// reads every row; python3-avro and avsc parse the manifests with their partition tuples (named
// and typed per spec) and the manifest lists with partition summaries.
TEST_F(Interop, PartitionedTableAfterASpecChange) {
  TableCase t{"pt", "trips", {tmp_.Join("pa.parquet"), tmp_.Join("pb.parquet")}};
  constexpr const char* src =
      "SELECT i AS id, (i % 40)::INTEGER AS small, 'n' || (i % 23) AS name, DATE '2024-03-01' + (i % 9)::INTEGER AS day, "
      "TIMESTAMP '2024-03-01' + INTERVAL (i * 700) SECOND AS ts, (i * 0.5)::DOUBLE AS amount FROM range({}, {}) r(i)";
  Copy(fmt::format(fmt::runtime(src), 0, 3000), t.sources[0]);
  Copy(fmt::format(fmt::runtime(src), 3000, 5000), t.sources[1]);
  json a = Ingest(t.sources[0], t.Qualified(), {"--partition-by", "day(ts), bucket(8, id), truncate(3, name)"});
  ASSERT_TRUE(a.value("committed", false)) << a.dump();
  json alt = LdpJson({"alter", t.Qualified(), "--partition-by", "month(ts), bucket(8, id), day, truncate(10, small)"});
  ASSERT_TRUE(alt.value("changed", false)) << alt.dump();
  json b = Ingest(t.sources[1], t.Qualified());
  ASSERT_TRUE(b.value("committed", false)) << b.dump();

  ExpectIcebirdMatchesSources(t, MetadataPath(t), SourceRelation(t, 2), std::nullopt);

  const json md = Metadata(t);
  std::map<int64_t, std::vector<std::string>> names;  // spec id -> partition field names
  for (const auto& s : md["partition-specs"])
    for (const auto& f : s["fields"]) names[Int(s["spec-id"])].push_back(Text(f["name"]));
  ASSERT_EQ(names.size(), 2u);
  EXPECT_EQ(names[0], (std::vector<std::string>{"ts_day", "id_bucket", "name_trunc"}));
  EXPECT_EQ(names[1], (std::vector<std::string>{"ts_month", "id_bucket", "day", "small_trunc"}));
  std::string list_path;
  for (const auto& s : md["snapshots"])
    if (Int(s["snapshot-id"]) == Int(md["current-snapshot-id"])) list_path = LocalPath(Text(s["manifest-list"]));
  for (const AvroReader& read : {AvroReader(ReadAvroWithAvsc), AvroReader(ReadAvroWithPython)}) {
    const json list = read(list_path);
    ASSERT_TRUE(list.is_object()) << list_path;
    ASSERT_EQ(list["records"].size(), 2u);
    int64_t rows = 0;
    std::set<int64_t> specs_seen;
    for (const auto& m : list["records"]) {
      const int64_t spec_id = Int(m["partition_spec_id"]);
      specs_seen.insert(spec_id);
      ASSERT_EQ(m["partitions"].size(), names[spec_id].size()) << m.dump();
      for (const auto& s : m["partitions"]) {
        EXPECT_FALSE(s["lower_bound"].is_null()) << s.dump();
        EXPECT_FALSE(s["upper_bound"].is_null()) << s.dump();
      }
      const json manifest = read(LocalPath(Text(m["manifest_path"])));
      ASSERT_TRUE(manifest.is_object());
      EXPECT_EQ(manifest["metadata"].value("partition-spec-id", ""), std::to_string(spec_id));
      for (const auto& e : manifest["records"]) {
        const json& p = e["data_file"]["partition"];
        ASSERT_TRUE(p.is_object()) << e.dump();
        std::vector<std::string> keys;
        for (const auto& [k, v] : p.items()) {
          keys.push_back(k);
          EXPECT_FALSE(v.is_null()) << k << " in " << e.dump();
        }
        std::vector<std::string> want = names[spec_id];
        std::sort(want.begin(), want.end());
        std::sort(keys.begin(), keys.end());
        EXPECT_EQ(keys, want);
        // The bucket is an int in [0, 8) for both parsers.
        EXPECT_TRUE(p["id_bucket"].is_number_integer()) << p.dump();
        EXPECT_GE(Int(p["id_bucket"]), 0);
        EXPECT_LT(Int(p["id_bucket"]), 8);
        EXPECT_NE(Text(e["data_file"]["file_path"]).find("/id_bucket=" + std::to_string(Int(p["id_bucket"])) + "/"),
                  std::string::npos);
        rows += Int(e["data_file"]["record_count"]);
      }
    }
    EXPECT_EQ(specs_seen, (std::set<int64_t>{0, 1}));
    EXPECT_EQ(rows, 5000);
  }
}

}  // namespace
}  // namespace ldp::testing

namespace ldp::testing {
namespace {

// ---------------------------------------------------------------------------------------------
// Row-level changes: icebird applies ldp's position deletes (and an equality delete written the
// way other engines do) and sees exactly ldp's rows; avsc and python3-avro parse the delete
// manifests; hyparquet finds the reserved field ids in the position delete files.

class InteropRowDelta : public CliTest {
 protected:
  void MakeTable(const std::string& mode) {
    for (int f = 0; f < 2; ++f) {
      std::string src = tmp_.Join(fmt::format("rd{}.parquet", f));
      Copy(fmt::format("SELECT i::BIGINT AS id, 'n' || i AS name, (i * 0.25)::DOUBLE AS v, "
                       "TIMESTAMP '2024-01-01' + to_seconds(i) AS ts FROM range({}, {}) t(i)",
                       f * 500, (f + 1) * 500),
           src);
      Ingest(src, "ir.t");
    }
    ASSERT_EQ(Ldp({"properties", "ir.t", "--set", "write.delete.mode=" + mode, "--set", "write.update.mode=" + mode,
                   "--set", "write.merge.mode=" + mode})
                  .exit_code,
              0);
  }

  std::string MetadataFile() { return LocalPath(CatalogTable("ir", "t")->metadata_location); }

  // icebird's rows and column checksums == those of ldp's export of the table.
  void ExpectIcebirdMatchesLdp(const std::string& step) {
    SCOPED_TRACE(step);
    const std::string out = tmp_.Join(fmt::format("ir-export-{}.parquet", exports_++));
    ProcessResult e = Ldp({"export", "ir.t", "--to", out});
    ASSERT_EQ(e.exit_code, 0) << e.Describe();
    const json ice = NodeJson("read_table.mjs", {MetadataFile()});
    ASSERT_TRUE(ice.is_object());
    ProcessResult sql = RunNode("read_table.mjs", {"--duckdb-sql", Parquet(out), MetadataFile()});
    ASSERT_EQ(sql.exit_code, 0) << sql.Describe();
    const json duck = json::parse(Scalar(sql.out), nullptr, false);
    ASSERT_TRUE(duck.is_object());
    EXPECT_EQ(Int(ice["rows"]), Count(Parquet(out)));
    for (const auto& [name, c] : ice["columns"].items()) {
      EXPECT_EQ(Int(c["non_null"]), Int(duck["columns"][name]["non_null"])) << name;
      EXPECT_EQ(c["checksum"], duck["columns"][name]["checksum"]) << name;
    }
  }

  // Every delete manifest of the current snapshot, read by both Avro parsers; returns the
  // position delete files they list.
  std::vector<std::string> ExpectDeleteManifestsParse() {
    json md = CurrentMetadata("ir", "t");
    std::string list;
    for (const auto& snap : md["snapshots"])
      if (snap["snapshot-id"] == md["current-snapshot-id"]) list = LocalPath(snap["manifest-list"].get<std::string>());
    std::vector<std::string> delete_files;
    const json manifests = ReadAvroWithAvsc(list);
    int delete_manifests = 0;
    for (const auto& m : manifests["records"]) {
      if (Int(m["content"]) != 1) continue;
      ++delete_manifests;
      const std::string path = LocalPath(m["manifest_path"].get<std::string>());
      for (int reader = 0; reader < 2; ++reader) {
        const json dm = reader == 0 ? ReadAvroWithAvsc(path) : ReadAvroWithPython(path);
        EXPECT_EQ(Text(dm["metadata"]["content"]), "deletes") << path;
        for (const auto& r : dm["records"]) {
          const json& df = r["data_file"];
          EXPECT_EQ(Int(df["content"]), 1) << path;
          EXPECT_FALSE(df["referenced_data_file"].is_null()) << path;
          EXPECT_GT(Int(df["record_count"]), 0);
          if (reader == 0 && Int(r["status"]) != 2)
            delete_files.push_back(LocalPath(df["file_path"].get<std::string>()));
        }
      }
    }
    EXPECT_GT(delete_manifests, 0);
    return delete_files;
  }

  int exports_ = 0;
};

TEST_F(InteropRowDelta, IcebirdReadsCopyOnWriteChanges) {
  MakeTable("copy-on-write");
  LdpJson({"delete", "ir.t", "--where", "id % 10 = 3"});
  ExpectIcebirdMatchesLdp("delete");
  LdpJson({"update", "ir.t", "--set", "name = name || '!', v = -v", "--where", "id BETWEEN 100 AND 700"});
  ExpectIcebirdMatchesLdp("update");
  const std::string src = tmp_.Join("ir-merge.parquet");
  Copy("SELECT i::BIGINT AS id, 'm' AS name, 1.0::DOUBLE AS v, TIMESTAMP '2030-01-01' AS ts FROM range(950, 1050) t(i)", src);
  Ingest(src, "ir.t", {"--mode", "merge", "--key", "id"});
  ExpectIcebirdMatchesLdp("merge");
  EXPECT_EQ(Ldp({"query", "SELECT count(*) FROM ir.t", "--format", "csv"}).out, "count_star()\n955\n");
}

TEST_F(InteropRowDelta, IcebirdAppliesMergeOnReadPositionDeletes) {
  MakeTable("merge-on-read");
  LdpJson({"delete", "ir.t", "--where", "id % 10 = 3"});
  ExpectIcebirdMatchesLdp("delete");
  LdpJson({"update", "ir.t", "--set", "name = name || '!', v = -v", "--where", "id BETWEEN 100 AND 700"});
  ExpectIcebirdMatchesLdp("update");
  const std::string src = tmp_.Join("ir-merge.parquet");
  Copy("SELECT i::BIGINT AS id, 'm' AS name, 1.0::DOUBLE AS v, TIMESTAMP '2030-01-01' AS ts FROM range(950, 1050) t(i)", src);
  Ingest(src, "ir.t", {"--mode", "merge", "--key", "id"});
  ExpectIcebirdMatchesLdp("merge");
  ProcessResult q = Ldp({"query", "SELECT count(*) FROM ir.t", "--format", "csv"});
  // 1000 rows, 100 deleted, merge adds 50 new ids (1000..1049) and replaces 950..999 (5 of them deleted before)
  EXPECT_EQ(q.out, "count_star()\n955\n") << q.Describe();

  std::vector<std::string> delete_files = ExpectDeleteManifestsParse();
  ASSERT_FALSE(delete_files.empty());
  std::vector<std::string> args(delete_files.begin(), delete_files.end());
  const json ids = NodeJson("check_parquet_ids.mjs", args);
  ASSERT_TRUE(ids.is_object());
  for (const auto& f : ids["files"]) {
    ASSERT_EQ(f["fields"].size(), 2u) << f.dump();
    EXPECT_EQ(f["fields"][0]["name"], "file_path");
    EXPECT_EQ(Int(f["fields"][0]["field_id"]), 2147483546);
    EXPECT_EQ(f["fields"][1]["name"], "pos");
    EXPECT_EQ(Int(f["fields"][1]["field_id"]), 2147483545);
  }
}

// A partitioned table (day(ts), bucket(4, id)): after copy-on-write and merge-on-read delete,
// update (moving rows to other partitions) and merge, and after a merge-on-read delete of rows in
// files of an older spec, icebird's rows and checksums match ldp's, and ldp's are the expected ones.
class InteropRowDeltaPartitioned : public InteropRowDelta, public ::testing::WithParamInterface<std::string> {};

TEST_P(InteropRowDeltaPartitioned, IcebirdReadsPartitionedRowChanges) {
  const std::string mode = GetParam();
  const std::string src = tmp_.Join("prd.parquet");
  Copy("SELECT i::BIGINT AS id, 'n' || i AS name, (i * 0.25)::DOUBLE AS v, "
       "TIMESTAMP '2024-01-01' + INTERVAL (i * 37) MINUTE AS ts FROM range(0, 1200) t(i)",
       src);
  Ingest(src, "ir.t", {"--partition-by", "day(ts), bucket(4, id)"});
  ASSERT_EQ(Ldp({"properties", "ir.t", "--set", "write.delete.mode=" + mode, "--set", "write.update.mode=" + mode,
                 "--set", "write.merge.mode=" + mode})
                .exit_code,
            0);
  auto expect_rows = [&](const std::string& expected, const std::string& step) {
    SCOPED_TRACE(step);
    const std::string out = tmp_.Join(fmt::format("prd-check-{}.parquet", exports_++));
    ASSERT_EQ(Ldp({"export", "ir.t", "--to", out}).exit_code, 0);
    EXPECT_EQ(Difference(Parquet(out), expected), 0);
    ExpectIcebirdMatchesLdp(step);
  };
  std::string expected = "(SELECT * FROM " + Parquet(src) + " WHERE id % 10 <> 3)";
  json del = LdpJson({"delete", "ir.t", "--where", "id % 10 = 3"});
  EXPECT_EQ(del.value("write_mode", ""), mode);
  expect_rows(expected, "delete");
  json upd = LdpJson({"update", "ir.t", "--set", "ts = ts + INTERVAL 3 DAY, v = -v", "--where", "id BETWEEN 100 AND 300"});
  EXPECT_EQ(upd.value("rows_updated", -1), 181);
  expected = "(SELECT id, name, CASE WHEN id BETWEEN 100 AND 300 THEN -v ELSE v END AS v, CASE WHEN id BETWEEN 100 AND "
             "300 THEN ts + INTERVAL 3 DAY ELSE ts END AS ts FROM " + expected + ")";
  expect_rows(expected, "update");
  const std::string changes = tmp_.Join("prd-merge.parquet");
  Copy("SELECT i::BIGINT AS id, 'm' AS name, 1.0::DOUBLE AS v, TIMESTAMP '2024-02-01' AS ts FROM range(1150, 1250) t(i)",
       changes);
  Ingest(changes, "ir.t", {"--mode", "merge", "--key", "id"});
  expected = "(SELECT * FROM " + expected + " WHERE id < 1150 UNION ALL SELECT * FROM " + Parquet(changes) + ")";
  expect_rows(expected, "merge");
  // a new spec, then a delete over files of both specs
  ASSERT_EQ(Ldp({"alter", "ir.t", "--partition-by", "month(ts)"}).exit_code, 0);
  const std::string more = tmp_.Join("prd-more.parquet");
  Copy("SELECT i::BIGINT AS id, 'x' AS name, 2.0::DOUBLE AS v, TIMESTAMP '2024-03-01' + INTERVAL (i) HOUR AS ts "
       "FROM range(2000, 2100) t(i)",
       more);
  Ingest(more, "ir.t");
  json del2 = LdpJson({"delete", "ir.t", "--where", "id % 10 = 7"});
  EXPECT_TRUE(del2.value("committed", false)) << del2.dump();
  expected = "(SELECT * FROM (SELECT * FROM " + expected + " UNION ALL SELECT * FROM " + Parquet(more) +
             ") WHERE id % 10 <> 7)";
  expect_rows(expected, "delete over two specs");
  if (mode == "merge-on-read") ExpectDeleteManifestsParse();
}

INSTANTIATE_TEST_SUITE_P(Modes, InteropRowDeltaPartitioned, ::testing::Values("copy-on-write", "merge-on-read"),
                         [](const auto& info) { return info.param == "copy-on-write" ? "CopyOnWrite" : "MergeOnRead"; });

TEST_F(InteropRowDelta, EqualityDeletesFollowSequenceNumbers) {
  // An equality delete file as Java or Flink would write it (field id 1 = id), committed with
  // ldp's own snapshot producer; rows with those ids written later must survive.
  MakeTable("copy-on-write");
  const std::string eq = TableDir("ir", "t") + "/data/eq-delete-0.parquet";
  Copy("SELECT * FROM (VALUES (5::BIGINT), (600::BIGINT)) v(id)", eq,
       "FORMAT parquet, FIELD_IDS {id: 1}");
  {
    auto project = services::Project::Open(project_);
    ASSERT_TRUE(project.ok()) << project.status().ToString();
    auto table = services::LoadTable(**project, {{"ir"}, "t"});
    ASSERT_TRUE(table.ok()) << table.status().ToString();
    iceberg::DataFile del;
    del.content = iceberg::FileContent::kEqualityDeletes;
    del.file_path = "file://" + eq;
    del.record_count = 2;
    del.file_size_in_bytes = static_cast<int64_t>(std::filesystem::file_size(eq));
    del.equality_ids = {1};
    iceberg::RowDelta delta;
    int64_t snapshot_id = iceberg::NewSnapshotId();
    delta.added_deletes = {del};
    auto m = iceberg::WriteAddedDeleteManifest((*project)->fs(), *table->metadata, snapshot_id, delta.added_deletes);
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    delta.added_delete_manifest = *m;
    auto pending = iceberg::ProduceRowDelta((*project)->fs(), *table->metadata, snapshot_id, delta, services::NowMs());
    ASSERT_TRUE(pending.ok()) << pending.status().ToString();
    EXPECT_EQ(pending->metadata->snapshots.back().summary.at("total-equality-deletes"), "2");
    auto committed = services::CommitMetadata(**project, *table, pending->metadata);
    ASSERT_TRUE(committed.ok()) << committed.status().ToString();
  }
  ProcessResult q = Ldp({"query", "SELECT count(*) FROM ir.t WHERE id IN (5, 600)", "--format", "csv"});
  EXPECT_EQ(q.out, "count_star()\n0\n") << q.Describe();
  // Appended after the delete (higher sequence number): not deleted.
  const std::string again = tmp_.Join("again.parquet");
  Copy("SELECT 5::BIGINT AS id, 'again' AS name, 0.0::DOUBLE AS v, TIMESTAMP '2024-01-01' AS ts", again);
  Ingest(again, "ir.t");
  q = Ldp({"query", "SELECT count(*) AS n, min(name) AS m FROM ir.t WHERE id IN (5, 600)", "--format", "csv"});
  EXPECT_EQ(q.out, "n,m\n1,again\n") << q.Describe();
  EXPECT_EQ(Ldp({"query", "SELECT count(*) FROM ir.t", "--format", "csv"}).out, "count_star()\n999\n");
  ExpectIcebirdMatchesLdp("equality delete");
  // A copy-on-write delete afterwards rewrites files through the same read path.
  LdpJson({"delete", "ir.t", "--where", "id < 10"});
  EXPECT_EQ(Ldp({"query", "SELECT count(*) FROM ir.t", "--format", "csv"}).out, "count_star()\n989\n");
  ExpectIcebirdMatchesLdp("delete after equality delete");
  // Compaction applies the equality delete and drops it.
  auto compacted = LdpJson({"maintain", "compact", "ir.t"});
  EXPECT_TRUE(compacted.value("committed", false));
  EXPECT_EQ(CurrentMetadata("ir", "t")["snapshots"].back()["summary"].value("total-equality-deletes", ""), "0");
  EXPECT_EQ(Ldp({"query", "SELECT count(*) FROM ir.t", "--format", "csv"}).out, "count_star()\n989\n");
  ExpectIcebirdMatchesLdp("compacted after equality delete");
}

TEST_F(InteropRowDelta, IcebirdReadsACompactedSortedTableWithDeletes) {
  MakeTable("merge-on-read");
  LdpJson({"delete", "ir.t", "--where", "id % 10 = 3"});
  for (int f = 0; f < 3; ++f) {
    const std::string src = tmp_.Join(fmt::format("ir-small{}.parquet", f));
    Copy(fmt::format("SELECT i::BIGINT AS id, 's' || i AS name, (i % 13)::DOUBLE AS v, TIMESTAMP '2025-01-01' AS ts "
                     "FROM range({}, {}) t(i)",
                     1000 + f * 50, 1050 + f * 50),
         src);
    Ingest(src, "ir.t");
  }
  ASSERT_EQ(Ldp({"alter", "ir.t", "--sort-by", "v desc nulls last, id"}).exit_code, 0);
  ExpectIcebirdMatchesLdp("before compaction");
  auto j = LdpJson({"maintain", "compact", "ir.t"});
  EXPECT_TRUE(j.value("committed", false));
  EXPECT_EQ(j.value("data_files_added", -1), 1);
  EXPECT_EQ(j["removed_delete_files"].size(), 2u);
  EXPECT_EQ(j.value("sort_order_id", -1), 1);
  EXPECT_EQ(Ldp({"query", "SELECT count(*) FROM ir.t", "--format", "csv"}).out, "count_star()\n1050\n");
  ExpectIcebirdMatchesLdp("compacted and sorted");
}

}  // namespace
}  // namespace ldp::testing
