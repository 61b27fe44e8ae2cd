#include "ldp/services/partitioned_write.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <map>

#include "ldp/iceberg/literal.h"
#include "ldp/iceberg/partitioning.h"
#include "ldp/iceberg/transforms.h"

namespace ldp::services {
namespace fs = std::filesystem;
using engine::QuoteIdent;
using iceberg::Literal;
using iceberg::TransformKind;
using iceberg::TypeId;

namespace {

constexpr const char* kHashFunction = "ldp_iceberg_hash";
constexpr const char* kKeyPrefix = "__ldp_p";

// Microseconds since the epoch of a timestamp column (nanoseconds floored, as the spec's
// transforms see them).
std::string EpochMicros(const std::string& c, TypeId t) {
  if (t == TypeId::kTimestampNs) return fmt::format("((epoch_ns({0}) - ((epoch_ns({0}) % 1000) + 1000) % 1000) // 1000)", c);
  return fmt::format("epoch_us({})", c);
}

// A timestamp (without zone, in UTC) or date expression for year/month/day extraction: a
// TIMESTAMPTZ goes through its epoch so that the session's time zone plays no part.
std::string UtcTimestamp(const std::string& c, TypeId t) {
  if (t == TypeId::kDate || t == TypeId::kTimestamp) return c;
  return fmt::format("make_timestamp({})", EpochMicros(c, t));
}

// The unscaled value of a decimal column as HUGEINT: DuckDB renders a DECIMAL(p,s) with exactly s
// fraction digits, so dropping the point is exact (a multiplication could overflow precision).
std::string Unscaled(const std::string& c) {
  return fmt::format("CAST(replace(CAST({} AS VARCHAR), '.', '') AS HUGEINT)", c);
}

// The argument of the bucket hash for a column of type t (spec Appendix B).
std::string HashInput(const std::string& c, const iceberg::Type& t) {
  switch (t.id()) {
    case TypeId::kInt:
    case TypeId::kLong:
      return fmt::format("CAST({} AS BIGINT)", c);
    case TypeId::kDate:
      return fmt::format("CAST({} - DATE '1970-01-01' AS BIGINT)", c);
    case TypeId::kTime:
      return fmt::format("CAST(epoch_us({}) AS BIGINT)", c);
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz:
    case TypeId::kTimestampNs:
    case TypeId::kTimestampTzNs:
      return EpochMicros(c, t.id());
    case TypeId::kDecimal:
      return Unscaled(c);
    case TypeId::kUuid:
      return fmt::format("unhex(replace(CAST({} AS VARCHAR), '-', ''))", c);
    default:  // string (VARCHAR), binary and fixed (BLOB)
      return c;
  }
}

bool BytesResult(TypeId t) {
  return t == TypeId::kString || t == TypeId::kBinary || t == TypeId::kFixed;
}

// Types whose DuckDB text is path-safe and parses back exactly: the key column holds the value.
bool PlainKey(TypeId t) { return t == TypeId::kInt || t == TypeId::kLong || t == TypeId::kDate; }

// Percent-encodes a partition value for a path, as Java's URLEncoder would (space as %20).
std::string EscapePathValue(const std::string& v) {
  std::string out;
  for (unsigned char c : v) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

std::optional<std::string> Unhex(const std::string& hex) {
  if (hex.size() % 2) return std::nullopt;
  std::string out;
  auto nib = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  for (size_t i = 0; i < hex.size(); i += 2) {
    int a = nib(hex[i]), b = nib(hex[i + 1]);
    if (a < 0 || b < 0) return std::nullopt;
    out += static_cast<char>(a * 16 + b);
  }
  return out;
}

struct KeyField {
  size_t spec_index = 0;
  const iceberg::PartitionField* field = nullptr;
  iceberg::Transform transform;
  iceberg::TypePtr result_type;
  bool decimal_unscaled = false;  // truncate of a decimal: the key is the unscaled value
  int scale = 0;
};

Result<std::vector<KeyField>> KeyFields(const iceberg::Schema& schema, const iceberg::PartitionSpec& spec) {
  std::vector<KeyField> out;
  for (size_t i = 0; i < spec.fields.size(); ++i) {
    const auto& f = spec.fields[i];
    const iceberg::NestedField* src = schema.FindFieldById(f.source_id);
    if (!src || !src->type)
      return InvalidArgument("partition field '{}': source column {} is not in the schema", f.name, f.source_id);
    KeyField k;
    k.spec_index = i;
    k.field = &f;
    LDP_ASSIGN_OR_RAISE(k.transform, iceberg::ParseTransform(f.transform));
    if (k.transform.kind == TransformKind::kUnknown)
      return NotImplemented("partition field '{}': cannot write transform '{}'", f.name, f.transform);
    LDP_ASSIGN_OR_RAISE(k.result_type, iceberg::TransformResultType(k.transform, *src->type));
    k.decimal_unscaled = k.transform.kind == TransformKind::kTruncate && src->type->id() == TypeId::kDecimal;
    k.scale = src->type->id() == TypeId::kDecimal ? src->type->scale() : 0;
    out.push_back(std::move(k));
  }
  return out;
}

// Parses a staged key folder value back into the partition value.
Result<std::optional<Literal>> ParseKey(const KeyField& k, const std::string& text) {
  const iceberg::Type& rt = *k.result_type;
  auto bad = [&]() { return Internal("partition field '{}': cannot read staged value '{}'", k.field->name, text); };
  if (text.empty() || text == "NULL" || text == "__HIVE_DEFAULT_PARTITION__") return std::optional<Literal>();
  if (PlainKey(rt.id()) && !k.decimal_unscaled) {
    auto l = iceberg::ParseLiteral(rt, text);
    if (!l) return bad();
    return std::optional<Literal>(*l);
  }
  char tag = text[0];
  auto raw = Unhex(text.substr(1));
  if (!raw) return bad();
  Literal l;
  l.type = rt.id();
  if (tag == 'h') {
    l.value = *raw;
    return std::optional<Literal>(l);
  }
  if (tag == 'u') {
    __int128 u = 0;
    bool neg = !raw->empty() && (*raw)[0] == '-';
    for (size_t i = neg ? 1 : 0; i < raw->size(); ++i) {
      char c = (*raw)[i];
      if (c < '0' || c > '9') return bad();
      u = u * 10 + (c - '0');
    }
    l.value = iceberg::DecimalValue{neg ? -u : u, k.scale};
    return std::optional<Literal>(l);
  }
  if (tag == 'x') {
    auto p = iceberg::ParseLiteral(rt, *raw);
    if (!p) return bad();
    return std::optional<Literal>(*p);
  }
  return bad();
}

}  // namespace

Status RegisterPartitionFunctions(engine::Connection& conn) {
  engine::Int32Function fn;
  // Iceberg's bucket hash on the spec's byte forms; the same code that passes the spec's vectors.
  fn.of_bigint = [](int64_t v) {
    iceberg::Literal l;
    l.type = TypeId::kLong;
    l.value = v;
    return *iceberg::BucketHash(*iceberg::Type::Primitive(TypeId::kLong), l);
  };
  fn.of_hugeint = [](__int128 v) {
    static const iceberg::TypePtr kDecimal = iceberg::Type::Decimal(38, 0);
    iceberg::Literal l;
    l.type = TypeId::kDecimal;
    l.value = iceberg::DecimalValue{v, 0};
    return *iceberg::BucketHash(*kDecimal, l);
  };
  fn.of_bytes = [](std::string_view b) { return iceberg::MurmurHash3_x86_32(b); };
  return conn.RegisterInt32Function(kHashFunction, std::move(fn));
}

Result<std::string> PartitionValueSql(const iceberg::Schema& schema, const iceberg::PartitionField& field) {
  const iceberg::NestedField* src = schema.FindFieldById(field.source_id);
  if (!src || !src->type)
    return InvalidArgument("partition field '{}': source column {} is not in the schema", field.name, field.source_id);
  LDP_ASSIGN_OR_RAISE(iceberg::Transform t, iceberg::ParseTransform(field.transform));
  const iceberg::Type& type = *src->type;
  if (!iceberg::CanTransform(t, type))
    return InvalidArgument("partition field '{}': {} cannot be applied to column '{}' of type {}", field.name,
                           t.ToString(), src->name, type.ToString());
  const std::string c = QuoteIdent(src->name);
  const TypeId id = type.id();
  switch (t.kind) {
    case TransformKind::kIdentity:
      return c;
    case TransformKind::kVoid:
      return std::string("NULL");
    case TransformKind::kBucket:
      return fmt::format("(({}({}) & 2147483647) % {})", kHashFunction, HashInput(c, type), t.param);
    case TransformKind::kTruncate: {
      const int64_t w = t.param;
      if (id == TypeId::kInt || id == TypeId::kLong) {
        std::string v = fmt::format("CAST({} AS BIGINT)", c);
        std::string r = fmt::format("({0} - ((({0} % {1}) + {1}) % {1}))", v, w);
        return id == TypeId::kInt ? fmt::format("CAST({} AS INTEGER)", r) : r;
      }
      if (id == TypeId::kDecimal) {
        std::string u = Unscaled(c);
        return fmt::format("({0} - ((({0} % {1}) + {1}) % {1}))", u, w);  // unscaled, see KeyField
      }
      if (id == TypeId::kString) return fmt::format("left({}, {})", c, w);  // code points, as the spec says
      return fmt::format("{}[1:{}]", c, w);                                  // binary: bytes
    }
    case TransformKind::kYear:
      return fmt::format("(year({}) - 1970)", UtcTimestamp(c, id));
    case TransformKind::kMonth: {
      std::string ts = UtcTimestamp(c, id);
      return fmt::format("((year({0}) - 1970) * 12 + month({0}) - 1)", ts);
    }
    case TransformKind::kDay:
      return fmt::format("CAST({} AS DATE)", UtcTimestamp(c, id));
    case TransformKind::kHour: {
      std::string us = EpochMicros(c, id);
      return fmt::format("CAST(({0} - ((({0} % 3600000000) + 3600000000) % 3600000000)) // 3600000000 AS INTEGER)", us);
    }
    case TransformKind::kUnknown:
      break;
  }
  return NotImplemented("partition field '{}': cannot write transform '{}'", field.name, field.transform);
}

Result<PartitionKeys> BuildPartitionKeys(const iceberg::Schema& schema, const iceberg::PartitionSpec& spec,
                                         const std::string& inner_select) {
  LDP_ASSIGN_OR_RAISE(auto keys, KeyFields(schema, spec));
  PartitionKeys out;
  std::string extra;
  for (const auto& k : keys) {
    if (k.transform.kind == TransformKind::kVoid) continue;
    LDP_ASSIGN_OR_RAISE(std::string value, PartitionValueSql(schema, *k.field));
    std::string key;
    // The staged folder names must survive any value: plain integers and dates as they are, bytes
    // as 'h' + hex, a decimal's unscaled truncation as 'u' + hex of its digits, others as 'x' + hex
    // of DuckDB's text (read back with ParseLiteral). NULL stays NULL.
    if (k.decimal_unscaled) {
      key = fmt::format("'u' || hex(CAST({} AS VARCHAR))", value);
    } else if (PlainKey(k.result_type->id())) {
      key = value;
    } else if (BytesResult(k.result_type->id())) {
      key = fmt::format("'h' || hex({})", value);
    } else {
      key = fmt::format("'x' || hex(CAST({} AS VARCHAR))", value);
    }
    std::string name = fmt::format("{}{}", kKeyPrefix, k.spec_index);
    extra += fmt::format(", {} AS {}", key, QuoteIdent(name));
    out.key_columns.push_back(name);
  }
  out.select_sql = fmt::format("SELECT *{} FROM ({})", extra, inner_select);
  return out;
}

Result<std::string> PartitionedWriteSource(engine::Connection& conn, const PartitionKeys& keys,
                                           bool memory_limit_configured, int64_t* partitions) {
  *partitions = 0;
  if (keys.key_columns.empty()) return keys.select_sql;
  std::string by;
  for (const auto& k : keys.key_columns) by += (by.empty() ? "" : ", ") + QuoteIdent(k);
  LDP_ASSIGN_OR_RAISE(auto n, conn.QueryScalar(fmt::format("SELECT count(*) FROM (SELECT DISTINCT {} FROM ({}))", by,
                                                           keys.select_sql)));
  *partitions = n ? std::stoll(*n) : 0;
  if (*partitions <= kSortedWriteMinPartitions) return keys.select_sql;
  if (!memory_limit_configured)
    LDP_RETURN_NOT_OK(conn.Execute(fmt::format("SET memory_limit = '{}'", kSortedWriteMemoryLimit)));
  // Flush the per-thread partition buffers often: with sorted rows each flush touches few partitions.
  LDP_RETURN_NOT_OK(conn.Execute("SET partitioned_write_flush_threshold = 20000"));
  return fmt::format("{} ORDER BY {}", keys.select_sql, by);
}

Result<std::vector<PlacedFile>> PlaceStagedFiles(const std::string& staging_dir, const std::string& data_dir,
                                                 const iceberg::Schema& schema, const iceberg::PartitionSpec& spec,
                                                 std::vector<std::string>* moved) {
  LDP_ASSIGN_OR_RAISE(auto keys, KeyFields(schema, spec));
  std::vector<std::string> staged;
  std::error_code ec;
  if (!fs::exists(staging_dir, ec)) return std::vector<PlacedFile>();  // an empty source writes nothing
  for (auto it = fs::recursive_directory_iterator(staging_dir, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (it->is_regular_file() && it->path().extension() == ".parquet") staged.push_back(it->path().string());
  }
  if (ec) return IOError("listing {}: {}", staging_dir, ec.message());
  std::sort(staged.begin(), staged.end());
  std::vector<PlacedFile> out;
  for (const auto& path : staged) {
    // Key folders: __ldp_p<index>=<value>
    std::map<size_t, std::string> values;
    fs::path rel = fs::path(path).lexically_relative(staging_dir);
    for (const auto& part : rel.parent_path()) {
      std::string s = part.string();
      if (s.rfind(kKeyPrefix, 0) != 0) continue;
      auto eq = s.find('=');
      if (eq == std::string::npos) continue;
      values[std::stoul(s.substr(std::string(kKeyPrefix).size(), eq - std::string(kKeyPrefix).size()))] =
          s.substr(eq + 1);
    }
    PlacedFile pf;
    pf.partition.resize(spec.fields.size());
    fs::path target = data_dir;
    for (const auto& k : keys) {
      std::optional<Literal> v;
      if (k.transform.kind != TransformKind::kVoid) {
        auto it = values.find(k.spec_index);
        if (it == values.end()) return Internal("staged file {} has no folder for partition field '{}'", path, k.field->name);
        LDP_ASSIGN_OR_RAISE(v, ParseKey(k, it->second));
      }
      pf.partition[k.spec_index] = iceberg::ToPartitionValue(*k.result_type, v);
      std::string human = v ? iceberg::HumanString(k.transform, *v) : "null";
      if (v && BytesResult(k.result_type->id()) && k.result_type->id() != TypeId::kString) {
        // Binary values in paths: hex, as there is no text form.
        human.clear();
        for (unsigned char c : std::get<std::string>(v->value)) human += fmt::format("{:02x}", c);
      }
      target /= EscapePathValue(k.field->name) + "=" + EscapePathValue(human);
    }
    fs::create_directories(target, ec);
    if (ec) return IOError("creating {}: {}", target.string(), ec.message());
    target /= fs::path(path).filename();
    fs::rename(path, target, ec);
    if (ec) return IOError("moving {} to {}: {}", path, target.string(), ec.message());
    moved->push_back(target.string());
    pf.local_path = target.string();
    out.push_back(std::move(pf));
  }
  return out;
}

void RemoveFilesAndEmptyFolders(const std::vector<std::string>& paths, const std::string& data_dir) {
  std::error_code ec;
  fs::path root = fs::path(data_dir).lexically_normal();
  for (const auto& p : paths) {
    fs::remove(p, ec);
    for (fs::path dir = fs::path(p).parent_path().lexically_normal();
         !dir.empty() && dir != root && dir.string().size() > root.string().size(); dir = dir.parent_path()) {
      if (!fs::is_empty(dir, ec) || ec) break;
      fs::remove(dir, ec);
    }
  }
}

}  // namespace ldp::services

namespace ldp::services {

Result<iceberg::PartitionSpec> SpecForNewTable(const std::string& text, const iceberg::Schema& schema) {
  LDP_ASSIGN_OR_RAISE(auto terms, iceberg::ParsePartitionTerms(text));
  auto spec = iceberg::BindPartitionSpec(terms, schema, 0, {}, 999);
  if (!spec.ok()) return spec.status().WithContext("--partition-by");
  return spec;
}

Status CheckSpecOfExistingTable(const std::string& text, const iceberg::TableMetadata& metadata,
                                const std::string& table_name) {
  LDP_ASSIGN_OR_RAISE(auto terms, iceberg::ParsePartitionTerms(text));
  iceberg::SchemaPtr schema = metadata.CurrentSchema();
  const iceberg::PartitionSpec* current = metadata.DefaultSpec();
  if (!schema || !current) return Internal("table {} has no current schema or spec", table_name);
  auto spec = iceberg::BindPartitionSpec(terms, *schema, 0, metadata.partition_specs, metadata.last_partition_id);
  if (!spec.ok()) return spec.status().WithContext("--partition-by");
  if (iceberg::SameLayout(*spec, *current)) return Status::OK();
  return InvalidArgument(
      "table {} exists and is partitioned by '{}', not '{}'; --partition-by applies when a table is created: "
      "change the spec with `ldp alter {} --partition-by \"{}\"`",
      table_name, iceberg::PartitionSpecText(*current, *schema), iceberg::PartitionSpecText(*spec, *schema),
      table_name, iceberg::PartitionSpecText(*spec, *schema));
}

}  // namespace ldp::services
