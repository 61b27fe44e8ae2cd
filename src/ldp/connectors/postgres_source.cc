#include "ldp/connectors/postgres_source.h"

#include <fmt/format.h>

#include <cstdio>

#include "ldp/engine/engine.h"

namespace ldp::connectors {
namespace {

// OIDs from PostgreSQL's pg_type.dat (stable across versions).
enum : uint32_t {
  kBool = 16, kBytea = 17, kName = 19, kInt8 = 20, kInt2 = 21, kInt4 = 23, kText = 25, kOid = 26, kJson = 114,
  kFloat4 = 700, kFloat8 = 701, kBpchar = 1042, kVarchar = 1043, kDate = 1082, kTime = 1083, kTimestamp = 1114,
  kTimestamptz = 1184, kNumeric = 1700, kUuid = 2950, kJsonb = 3802,
  kBoolArr = 1000, kInt2Arr = 1005, kInt4Arr = 1007, kTextArr = 1009, kVarcharArr = 1015, kInt8Arr = 1016,
  kFloat4Arr = 1021, kFloat8Arr = 1022, kDateArr = 1182, kTimestampArr = 1115, kTimestamptzArr = 1185,
  kNumericArr = 1231, kUuidArr = 2951,
};

std::optional<std::string> ArrayElement(uint32_t oid) {
  switch (oid) {
    case kBoolArr: return "BOOLEAN";
    case kInt2Arr: return "SMALLINT";
    case kInt4Arr: return "INTEGER";
    case kInt8Arr: return "BIGINT";
    case kFloat4Arr: return "FLOAT";
    case kFloat8Arr: return "DOUBLE";
    case kNumericArr: return "DOUBLE";
    case kTextArr: case kVarcharArr: return "VARCHAR";
    case kDateArr: return "DATE";
    case kTimestampArr: return "TIMESTAMP";
    case kTimestamptzArr: return "TIMESTAMPTZ";
    case kUuidArr: return "UUID";
    default: return std::nullopt;
  }
}

}  // namespace

PgColumnMapping MapPgColumn(const PgColumn& c) {
  std::string pg = PgQuoteIdent(c.name), dq = engine::QuoteIdent(c.name);
  auto plain = [&](const std::string& type) { return PgColumnMapping{pg, type, dq}; };
  switch (c.type_oid) {
    case kBool: return plain("BOOLEAN");
    case kInt2: return plain("SMALLINT");
    case kInt4: return plain("INTEGER");
    case kInt8: return plain("BIGINT");
    case kOid: return plain("BIGINT");
    case kFloat4: return plain("FLOAT");
    case kFloat8: return plain("DOUBLE");
    case kNumeric: {
      if (c.type_mod >= 4) {
        int p = ((c.type_mod - 4) >> 16) & 0xffff, s = (c.type_mod - 4) & 0xffff;
        if (p >= 1 && p <= 38 && s <= p) return plain(fmt::format("DECIMAL({},{})", p, s));
      }
      // Unconstrained or wider than 38 digits: kept exactly, as text.
      return PgColumnMapping{pg + "::text", "VARCHAR", dq};
    }
    case kText: case kVarchar: case kBpchar: case kName: return plain("VARCHAR");
    case kDate: return plain("DATE");
    case kTime: return plain("TIME");
    case kTimestamp: return plain("TIMESTAMP");
    case kTimestamptz: return plain("TIMESTAMPTZ");
    case kUuid: return plain("UUID");
    case kJson: case kJsonb: return PgColumnMapping{pg + "::text", "VARCHAR", dq};
    case kBytea:
      return PgColumnMapping{fmt::format("encode({}, 'hex')", pg), "VARCHAR", fmt::format("from_hex({0}) AS {0}", dq)};
    default:
      break;
  }
  if (auto elem = ArrayElement(c.type_oid)) {
    // Arrays travel as JSON text ([1,2,null]) and become lists; multi-dimensional arrays nest.
    return PgColumnMapping{fmt::format("array_to_json({})::text", pg), "VARCHAR",
                           fmt::format("from_json({0}, '[\"{1}\"]') AS {0}", dq, *elem)};
  }
  return PgColumnMapping{pg + "::text", "VARCHAR", dq};
}

Result<std::unique_ptr<Source>> PostgresSource::Make(const ConnectorOptions& o) {
  std::unique_ptr<PostgresSource> s(new PostgresSource(o));
  std::map<std::string, std::string> params;
  s->conninfo_ = SplitPgUri(o.uri(), &params);
  s->table_ = o.Str("table", params["table"]);
  s->query_ = o.Str("query", params["query"]);
  s->cursor_ = o.Str("incremental.cursor_field", o.Str("cursor_column", params["cursor"]));
  LDP_ASSIGN_OR_RAISE(s->chunk_bytes_, o.Int("chunk_bytes", 256 << 20));
  if (s->table_.empty() == s->query_.empty())
    return InvalidArgument("source {}: give either a table (table: or ?table=) or a query, not both", o.Describe());
  return std::unique_ptr<Source>(std::move(s));
}

Result<Extracted> PostgresSource::Extract(Stage& stage, const std::optional<std::string>& last_cursor) {
  Extracted out;
  out.cursor_field = cursor_;
  std::string shown = o_.Describe();
  auto conn = PgConnection::Connect(conninfo_, shown);
  if (!conn.ok()) return o_.Redact(conn.status());
  auto& pg = **conn;
  std::string from = table_.empty() ? "(" + query_ + ") AS _ldp_q" : PgQuoteQualified(table_);
  std::string what = table_.empty() ? "query" : "table " + table_;
  // Timestamps in UTC and ISO form, floats with every digit: the text DuckDB reads back is exact.
  LDP_RETURN_NOT_OK(o_.Redact(pg.Exec("SET TIME ZONE 'UTC'; SET DateStyle = 'ISO, YMD'; SET extra_float_digits = 3; "
                                       "SET IntervalStyle = 'iso_8601'; BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                                  .status()));
  auto probe = pg.Exec(fmt::format("SELECT * FROM {} LIMIT 0", from));
  if (!probe.ok()) return o_.Redact(probe.status().WithContext(fmt::format("reading {}", what)));
  if (probe->columns.empty()) return InvalidArgument("source {}: {} has no columns", shown, what);
  std::string pg_select, csv_columns, duck_select;
  bool cursor_found = cursor_.empty();
  for (const auto& c : probe->columns) {
    auto m = MapPgColumn(c);
    pg_select += (pg_select.empty() ? "" : ", ") + m.pg_select;
    csv_columns += fmt::format("{}{}: {}", csv_columns.empty() ? "" : ", ", engine::QuoteLiteral(c.name),
                               engine::QuoteLiteral(m.csv_type));
    duck_select += (duck_select.empty() ? "" : ", ") + m.duck_select;
    if (c.name == cursor_) cursor_found = true;
  }
  if (!cursor_found) return InvalidArgument("source {}: cursor column '{}' is not a column of {}", shown, cursor_, what);
  std::string where;
  if (!cursor_.empty() && last_cursor)
    where = fmt::format(" WHERE {} > {}", PgQuoteIdent(cursor_), PgQuoteLiteral(*last_cursor));
  std::string copy = fmt::format("COPY (SELECT {} FROM {}{}) TO STDOUT (FORMAT csv)", pg_select, from, where);

  std::FILE* f = nullptr;
  int64_t bytes = 0;
  Status write_status;
  auto on_row = [&](const char* data, size_t n) -> Status {
    if (!f || bytes >= chunk_bytes_) {
      if (f && std::fclose(f) != 0) return IOError("closing staging file {}", out.files.back());
      std::string path = stage.NextFile("rows", "csv");
      f = std::fopen(path.c_str(), "wb");
      if (!f) return IOError("creating staging file {}", path);
      out.files.push_back(path);
      bytes = 0;
      ++out.pages;
    }
    if (std::fwrite(data, 1, n, f) != n) return IOError("writing staging file {} (disk full?)", out.files.back());
    bytes += static_cast<int64_t>(n);
    return Status::OK();
  };
  auto rows = pg.CopyOut(copy, on_row);
  if (f && std::fclose(f) != 0 && rows.ok()) return IOError("closing staging file {}", out.files.back());
  if (!rows.ok()) return o_.Redact(rows.status().WithContext(fmt::format("reading {}", what)));
  (void)pg.Exec("COMMIT");
  out.records = *rows;
  if (out.files.empty()) return out;
  std::string list;
  for (const auto& p : out.files) list += (list.empty() ? "" : ", ") + engine::QuoteLiteral(p);
  // PostgreSQL's CSV: NULL is an unquoted empty field, "" an empty string.
  out.relation_sql = fmt::format(
      "(SELECT {} FROM read_csv([{}], columns = {{{}}}, header = false, auto_detect = false, delim = ',', "
      "quote = '\"', escape = '\"', allow_quoted_nulls = false))",
      duck_select, list, csv_columns);
  return out;
}

}  // namespace ldp::connectors
