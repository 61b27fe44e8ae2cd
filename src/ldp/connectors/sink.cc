#include "ldp/connectors/sink.h"

#include <fmt/format.h>

#include <algorithm>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <thread>

#include "ldp/connectors/postgres_client.h"
#include "ldp/connectors/source.h"

namespace ldp::connectors {
namespace {
using engine::QuoteIdent;
using engine::QuoteLiteral;

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string JoinIdents(const std::vector<std::string>& cols, const std::string& prefix = "") {
  std::string out;
  for (const auto& c : cols) out += (out.empty() ? "" : ", ") + prefix + QuoteIdent(c);
  return out;
}

struct Column {
  std::string name, type;
};

Result<std::vector<Column>> Describe(engine::Connection& conn, const std::string& select) {
  LDP_ASSIGN_OR_RAISE(auto r, conn.Query(fmt::format("DESCRIBE SELECT * FROM ({})", select)));
  std::vector<Column> out;
  for (const auto& row : r.rows) out.push_back({row[0].value_or(""), row[1].value_or("")});
  return out;
}

Status CheckKeys(const std::vector<Column>& cols, const std::vector<std::string>& keys, const std::string& target) {
  for (const auto& k : keys) {
    bool found = false;
    for (const auto& c : cols) found = found || c.name == k;
    if (!found) return InvalidArgument("merge into {}: key column '{}' is not a column of the rows", target, k);
  }
  return Status::OK();
}

// "?table=x" off a target, returning the rest.
std::string SplitTable(const std::string& to, std::string* table) {
  size_t q = to.find('?');
  if (q == std::string::npos) return to;
  std::string rest = to.substr(q + 1);
  size_t start = 0;
  while (start <= rest.size()) {
    size_t amp = rest.find('&', start);
    std::string kv = rest.substr(start, amp == std::string::npos ? std::string::npos : amp - start);
    if (kv.rfind("table=", 0) == 0) *table = kv.substr(6);
    if (amp == std::string::npos) break;
    start = amp + 1;
  }
  return to.substr(0, q);
}

// ---- files ---------------------------------------------------------------------------------------

class FileSink final : public Sink {
 public:
  FileSink(std::string path, SinkOptions o) : path_(std::move(path)), o_(std::move(o)) {}
  Result<SinkResult> Write(engine::Connection& conn, const std::string& select) override {
    std::string format = o_.format;
    if (format.empty()) {
      format = EndsWith(path_, ".parquet") ? "parquet"
               : (EndsWith(path_, ".json") || EndsWith(path_, ".ndjson") || EndsWith(path_, ".jsonl")) ? "json"
                                                                                                       : "csv";
    }
    std::string options = format == "parquet" ? "FORMAT parquet, COMPRESSION zstd"
                          : format == "json"   ? "FORMAT json"
                                               : "FORMAT csv, HEADER true";
    if (o_.disposition == WriteDisposition::kMerge)
      return InvalidArgument("export to {}: merge needs a keyed target (a DuckDB file or PostgreSQL); files take "
                             "append or replace", path_);
    std::error_code ec;
    bool folder = !o_.partition_by.empty() || EndsWith(path_, "/") || std::filesystem::is_directory(path_, ec);
    if (!folder) {
      if (o_.disposition == WriteDisposition::kAppend && std::filesystem::exists(path_, ec))
        return InvalidArgument("export to {}: cannot append to an existing single file; write to a folder "
                               "(a path ending in / or --partition-by) to append files", path_);
    } else {
      // Files named by a fresh id: append adds files beside the folder's, replace empties it first.
      options += fmt::format(", FILENAME_PATTERN 'data_{{uuid}}', {}",
                             o_.disposition == WriteDisposition::kAppend ? "APPEND" : "OVERWRITE");
      if (!o_.partition_by.empty()) options += ", PARTITION_BY (" + JoinIdents(o_.partition_by) + ")";
      else options += ", PER_THREAD_OUTPUT true";
    }
    LDP_ASSIGN_OR_RAISE(auto r, conn.Query(fmt::format("COPY ({}) TO {} ({})", select, QuoteLiteral(path_), options)));
    SinkResult out;
    out.target = path_;
    if (!r.rows.empty() && r.rows[0][0]) out.rows = std::stoll(*r.rows[0][0]);
    return out;
  }

 private:
  std::string path_;
  SinkOptions o_;
};

// ---- DuckDB database file ------------------------------------------------------------------------

class DuckDbSink final : public Sink {
 public:
  DuckDbSink(std::string path, std::string table, SinkOptions o)
      : path_(std::move(path)), table_(std::move(table)), o_(std::move(o)) {}
  Result<SinkResult> Write(engine::Connection& conn, const std::string& select) override {
    SinkResult out;
    out.target = fmt::format("{} (table {})", path_, table_);
    LDP_ASSIGN_OR_RAISE(auto cols, Describe(conn, select));
    if (o_.disposition == WriteDisposition::kMerge) LDP_RETURN_NOT_OK(CheckKeys(cols, o_.keys, out.target));
    LDP_RETURN_NOT_OK(conn.Execute(fmt::format("ATTACH {} AS ldp_sink", QuoteLiteral(path_))));
    std::string t = "ldp_sink.main." + QuoteIdent(table_);
    auto run = [&]() -> Result<int64_t> {
      LDP_ASSIGN_OR_RAISE(auto exists, conn.QueryScalar(fmt::format(
          "SELECT count(*) FROM duckdb_tables() WHERE database_name = 'ldp_sink' AND schema_name = 'main' AND table_name = {}",
          QuoteLiteral(table_))));
      out.created = exists.value_or("0") == "0";
      LDP_RETURN_NOT_OK(conn.Execute("BEGIN TRANSACTION"));
      if (o_.disposition == WriteDisposition::kReplace || out.created)
        LDP_RETURN_NOT_OK(conn.Execute(fmt::format("CREATE OR REPLACE TABLE {} AS SELECT * FROM ({}) LIMIT 0", t, select)));
      if (o_.disposition == WriteDisposition::kMerge && !out.created) {
        std::string on;
        for (const auto& k : o_.keys) on += fmt::format("{}t.{} = s.{}", on.empty() ? "" : " AND ", QuoteIdent(k), QuoteIdent(k));
        LDP_RETURN_NOT_OK(conn.Execute(fmt::format("DELETE FROM {} AS t USING (SELECT DISTINCT {} FROM ({})) AS s WHERE {}",
                                                   t, JoinIdents(o_.keys), select, on)));
      }
      LDP_ASSIGN_OR_RAISE(auto n, conn.QueryScalar(fmt::format("INSERT INTO {} BY NAME SELECT * FROM ({})", t, select)));
      LDP_RETURN_NOT_OK(conn.Execute("COMMIT"));
      return n ? std::stoll(*n) : 0;
    };
    auto n = run();
    if (!n.ok()) (void)conn.Execute("ROLLBACK");
    (void)conn.Execute("DETACH ldp_sink");
    if (!n.ok()) return n.status().WithContext(fmt::format("writing {}", out.target));
    out.rows = *n;
    return out;
  }

 private:
  std::string path_, table_;
  SinkOptions o_;
};

// ---- PostgreSQL ----------------------------------------------------------------------------------

// The PostgreSQL type for a DuckDB column, and the expression DuckDB writes to the CSV for it.
std::pair<std::string, std::string> PgTypeFor(const Column& c) {
  const std::string& t = c.type;
  std::string q = QuoteIdent(c.name);
  auto plain = [&](const std::string& pg) { return std::make_pair(pg, q); };
  if (t == "BOOLEAN") return plain("boolean");
  if (t == "TINYINT" || t == "SMALLINT" || t == "UTINYINT") return plain("smallint");
  if (t == "INTEGER" || t == "USMALLINT") return plain("integer");
  if (t == "BIGINT" || t == "UINTEGER") return plain("bigint");
  if (t == "HUGEINT" || t == "UBIGINT" || t == "UHUGEINT") return plain("numeric");
  if (t == "FLOAT") return plain("real");
  if (t == "DOUBLE") return plain("double precision");
  if (t.rfind("DECIMAL", 0) == 0) return plain("numeric" + t.substr(7));
  if (t == "VARCHAR") return plain("text");
  if (t == "DATE") return plain("date");
  if (t == "TIME") return plain("time");
  if (t == "TIMESTAMP" || t == "TIMESTAMP_NS" || t == "TIMESTAMP_MS" || t == "TIMESTAMP_S") return plain("timestamp");
  if (t == "TIMESTAMP WITH TIME ZONE") return plain("timestamptz");
  if (t == "UUID") return plain("uuid");
  if (t == "BLOB") return {"bytea", fmt::format("'\\x' || hex({})", q)};
  if (t == "JSON") return plain("jsonb");
  if (t == "INTERVAL") return plain("interval");
  // Lists, structs and maps travel as JSON.
  return {"jsonb", fmt::format("to_json({})::VARCHAR", q)};
}

// A CSV file that PostgreSQL can read itself: the file of `SELECT * FROM read_csv('FILE')` when
// DuckDB's sniffer finds a dialect PostgreSQL's CSV parser reads the same way (quote and escape
// '"' or none, ISO dates, no skipped or comment lines) and every column has a plain type. Its
// bytes then go to COPY as they are, with no parse and re-format by DuckDB.
struct CsvPassthrough {
  std::string path;
  std::string delimiter;
  bool header = true;
};

std::optional<CsvPassthrough> PlainCsvFile(engine::Connection& conn, const std::string& select,
                                           const std::vector<Column>& cols);

}  // namespace

std::optional<std::string> PostgresPassthroughCsv(engine::Connection& conn, const std::string& select) {
  auto cols = Describe(conn, select);
  if (!cols.ok()) return std::nullopt;
  auto p = PlainCsvFile(conn, select, *cols);
  return p ? std::optional<std::string>(p->path) : std::nullopt;
}

namespace {

std::optional<CsvPassthrough> PlainCsvFile(engine::Connection& conn, const std::string& select,
                                           const std::vector<Column>& cols) {
  static const std::regex kRe(R"(^\s*select\s+\*\s+from\s+read_csv(?:_auto)?\s*\(\s*'((?:[^']|'')*)'\s*\)\s*;?\s*$)",
                              std::regex::icase);
  std::smatch m;
  if (!std::regex_match(select, m, kRe)) return std::nullopt;
  std::string path;
  for (size_t i = 0; i < m[1].str().size(); ++i) {
    path += m[1].str()[i];
    if (m[1].str()[i] == '\'') ++i;
  }
  if (path.find_first_of("*?[") != std::string::npos || path.find("://") != std::string::npos ||
      EndsWith(path, ".gz") || EndsWith(path, ".zst"))
    return std::nullopt;
  static const std::set<std::string> kPlain = {"BOOLEAN", "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "FLOAT", "DOUBLE",
                                               "VARCHAR", "DATE", "TIME", "TIMESTAMP", "TIMESTAMP WITH TIME ZONE"};
  for (const auto& c : cols)
    if (!kPlain.count(c.type) && c.type.rfind("DECIMAL", 0) != 0) return std::nullopt;
  auto r = conn.Query(fmt::format("SELECT Delimiter, Quote, Escape, HasHeader::VARCHAR, DateFormat, TimestampFormat, "
                                  "SkipRows::VARCHAR, Comment FROM sniff_csv({})", QuoteLiteral(path)));
  if (!r.ok() || r->rows.size() != 1) return std::nullopt;
  const auto& row = r->rows[0];
  // sniff_csv spells "none" as "(empty)".
  auto v = [&](size_t i) {
    std::string x = row[i].value_or("");
    return x == "(empty)" || x == std::string(1, '\0') ? std::string() : x;
  };
  auto empty_or_quote = [](const std::string& x) { return x.empty() || x == "\""; };
  if (v(0).size() != 1 || v(0) == "\"" || !empty_or_quote(v(1)) || !empty_or_quote(v(2)) || !v(4).empty() ||
      !v(5).empty() || v(6) != "0" || !v(7).empty())
    return std::nullopt;
  return CsvPassthrough{path, v(0), v(3) == "true"};
}

class PostgresSink final : public Sink {
 public:
  PostgresSink(std::string conninfo, std::string shown, std::string table, SinkOptions o)
      : conninfo_(std::move(conninfo)), shown_(std::move(shown)), table_(std::move(table)), o_(std::move(o)) {}

  Result<SinkResult> Write(engine::Connection& conn, const std::string& select) override {
    SinkResult out;
    out.target = fmt::format("{} (table {})", shown_, table_);
    LDP_ASSIGN_OR_RAISE(auto cols, Describe(conn, select));
    if (o_.disposition == WriteDisposition::kMerge) {
      if (o_.keys.empty()) return InvalidArgument("merge into {} needs key columns (--key)", out.target);
      LDP_RETURN_NOT_OK(CheckKeys(cols, o_.keys, out.target));
    }
    std::string csv_select, pg_cols, col_list;
    for (const auto& c : cols) {
      auto [pg_type, expr] = PgTypeFor(c);
      csv_select += (csv_select.empty() ? "" : ", ") + expr;
      pg_cols += fmt::format("{}{} {}", pg_cols.empty() ? "" : ", ", PgQuoteIdent(c.name), pg_type);
      col_list += (col_list.empty() ? "" : ", ") + PgQuoteIdent(c.name);
    }
    // A plain CSV file goes to COPY as it is. Otherwise DuckDB writes the rows as CSV into a named
    // pipe while this thread reads the pipe and hands each piece to COPY FROM STDIN: both run at
    // once, nothing is written to disk, and memory holds one pipe buffer (ADR 0020).
    auto passthrough = PlainCsvFile(conn, select, cols);
    LDP_ASSIGN_OR_RAISE(auto stage, Stage::Make(o_.staging_dir.empty() ? std::filesystem::temp_directory_path().string()
                                                                        : o_.staging_dir));
    std::string fifo = stage->NextFile("export", "csv");
    if (!passthrough && mkfifo(fifo.c_str(), 0600) != 0) return IOError("creating pipe {}: {}", fifo, std::strerror(errno));
    LDP_ASSIGN_OR_RAISE(auto pg, PgConnection::Connect(conninfo_, shown_));
    std::string target = PgQuoteQualified(table_);
    std::string copy_rows = fmt::format("COPY (SELECT {} FROM ({})) TO {} (FORMAT csv, HEADER false, USE_TMP_FILE false)", csv_select,
                                        select, QuoteLiteral(fifo));
    // After COPY: the merge step, then COMMIT.
    bool merging = false;
    auto finish = [&](int64_t rows) -> Result<int64_t> {
      if (merging) {
        std::string set, keys;
        for (const auto& k : o_.keys) keys += (keys.empty() ? "" : ", ") + PgQuoteIdent(k);
        for (const auto& c : cols) {
          bool is_key = std::find(o_.keys.begin(), o_.keys.end(), c.name) != o_.keys.end();
          if (!is_key) set += fmt::format("{}{} = EXCLUDED.{}", set.empty() ? "" : ", ", PgQuoteIdent(c.name), PgQuoteIdent(c.name));
        }
        LDP_RETURN_NOT_OK(pg->Exec(fmt::format("INSERT INTO {0} ({1}) SELECT {1} FROM _ldp_merge ON CONFLICT ({2}) DO {3}",
                                               target, col_list, keys, set.empty() ? "NOTHING" : "UPDATE SET " + set))
                              .status());
      }
      LDP_RETURN_NOT_OK(pg->Exec("COMMIT").status());
      return rows;
    };
    auto run = [&]() -> Result<int64_t> {
      LDP_ASSIGN_OR_RAISE(auto exists, pg->Exec(fmt::format("SELECT to_regclass({}) IS NOT NULL", PgQuoteLiteral(target))));
      out.created = exists.rows.empty() || exists.rows[0][0].value_or("f") != "t";
      LDP_RETURN_NOT_OK(pg->Exec("BEGIN").status());
      if (out.created) {
        std::string pk = o_.disposition == WriteDisposition::kMerge
                             ? fmt::format(", PRIMARY KEY ({})", [&] {
                                 std::string k;
                                 for (const auto& c : o_.keys) k += (k.empty() ? "" : ", ") + PgQuoteIdent(c);
                                 return k;
                               }())
                             : "";
        LDP_RETURN_NOT_OK(pg->Exec(fmt::format("CREATE TABLE {} ({}{})", target, pg_cols, pk)).status());
      } else if (o_.disposition == WriteDisposition::kReplace) {
        LDP_RETURN_NOT_OK(pg->Exec(fmt::format("TRUNCATE {}", target)).status());
      }
      std::string copy_into = target;
      if (o_.disposition == WriteDisposition::kMerge && !out.created) {
        LDP_RETURN_NOT_OK(pg->Exec(fmt::format("CREATE TEMP TABLE _ldp_merge (LIKE {} INCLUDING DEFAULTS) ON COMMIT DROP",
                                               target)).status());
        copy_into = "_ldp_merge";
        merging = true;
      }
      if (passthrough) {
        std::FILE* f = std::fopen(passthrough->path.c_str(), "rb");
        if (!f) return IOError("reading {}: {}", passthrough->path, std::strerror(errno));
        std::string buf;
        auto next = [&]() -> Result<std::string> {
          buf.resize(1 << 20);
          size_t n = std::fread(buf.data(), 1, buf.size(), f);
          if (n == 0 && std::ferror(f)) return IOError("reading {}", passthrough->path);
          buf.resize(n);
          return buf;
        };
        // FORCE_NULL: a quoted empty field is NULL, as DuckDB's read_csv reads it.
        auto copied = pg->CopyIn(fmt::format("COPY {} ({}) FROM STDIN (FORMAT csv, HEADER {}, DELIMITER {}, FORCE_NULL ({}))",
                                             copy_into, col_list, passthrough->header ? "true" : "false",
                                             PgQuoteLiteral(passthrough->delimiter), col_list),
                                 next);
        std::fclose(f);
        if (!copied.ok()) return copied.status().WithContext(fmt::format("copying {}", passthrough->path));
        return finish(*copied);
      }
      // The read end opens without waiting for a writer; a write end of our own keeps the pipe
      // from reading as ended before DuckDB opens it, and is closed once DuckDB is done (so a
      // DuckDB error that never opens the pipe still ends the read).
      int rd = open(fifo.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
      if (rd < 0) return IOError("opening pipe {}: {}", fifo, std::strerror(errno));
      int keep = open(fifo.c_str(), O_WRONLY | O_CLOEXEC);
      if (keep < 0) {
        close(rd);
        return IOError("opening pipe {}: {}", fifo, std::strerror(errno));
      }
      fcntl(rd, F_SETFL, fcntl(rd, F_GETFL) & ~O_NONBLOCK);
      fcntl(rd, F_SETPIPE_SZ, 1 << 20);  // fewer, larger pieces; the default 64 KiB also works
      Status produced;
      std::thread producer([&] {
        produced = conn.Execute(copy_rows);
        close(keep);
      });
      std::string buf;
      Status read_failed;
      auto next = [&]() -> Result<std::string> {
        buf.resize(1 << 20);
        ssize_t n;
        do {
          n = read(rd, buf.data(), buf.size());
        } while (n < 0 && errno == EINTR);
        if (n < 0) {
          read_failed = IOError("reading pipe {}: {}", fifo, std::strerror(errno));
          return read_failed;
        }
        buf.resize(static_cast<size_t>(n));
        return buf;
      };
      auto copied = pg->CopyIn(fmt::format("COPY {} ({}) FROM STDIN (FORMAT csv)", copy_into, col_list), next);
      // Whatever happened to COPY, drain the pipe so that DuckDB finishes instead of blocking.
      char sink[1 << 16];
      while (read(rd, sink, sizeof(sink)) > 0) {
      }
      producer.join();
      close(rd);
      // Rows that DuckDB failed to produce in full must not be committed.
      if (!produced.ok()) return produced.WithContext("producing the rows");
      if (!copied.ok()) return copied.status();
      return finish(*copied);
    };
    auto rows = run();
    if (!rows.ok()) {
      (void)pg->Exec("ROLLBACK");
      return rows.status().WithContext(fmt::format("writing {}", out.target));
    }
    out.rows = *rows;
    return out;
  }

 private:
  std::string conninfo_, shown_, table_;
  SinkOptions o_;
};

}  // namespace

Result<WriteDisposition> ParseWriteDisposition(const std::string& t) {
  if (t == "append") return WriteDisposition::kAppend;
  if (t == "replace" || t.empty()) return WriteDisposition::kReplace;
  if (t == "merge") return WriteDisposition::kMerge;
  return InvalidArgument("unknown write disposition '{}' (use append, replace or merge)", t);
}

Result<SinkOptions> MakeSinkOptions(const std::string& mode, std::vector<std::string> keys,
                                    std::vector<std::string> partition_by, std::string table, std::string format) {
  SinkOptions o;
  LDP_ASSIGN_OR_RAISE(o.disposition, ParseWriteDisposition(mode));
  if (o.disposition == WriteDisposition::kMerge && keys.empty())
    return InvalidArgument("mode merge needs the key columns to match rows on (--key COL[,COL], or key: in a pipeline)");
  o.keys = std::move(keys);
  o.partition_by = std::move(partition_by);
  o.table = std::move(table);
  o.format = std::move(format);
  return o;
}

const char* WriteDispositionName(WriteDisposition d) {
  switch (d) {
    case WriteDisposition::kAppend: return "append";
    case WriteDisposition::kReplace: return "replace";
    case WriteDisposition::kMerge: return "merge";
  }
  return "?";
}

SinkKind KindOfTarget(const std::string& to) {
  if (to.rfind("postgresql://", 0) == 0 || to.rfind("postgres://", 0) == 0) return SinkKind::kPostgres;
  std::string base = to.substr(0, to.find('?'));
  if (to.rfind("duckdb://", 0) == 0 || EndsWith(base, ".duckdb") || EndsWith(base, ".ddb")) return SinkKind::kDuckDb;
  return SinkKind::kFile;
}

Result<std::unique_ptr<Sink>> MakeSink(const std::string& to, const SinkOptions& o) {
  std::string table = o.table;
  switch (KindOfTarget(to)) {
    case SinkKind::kPostgres: {
      std::map<std::string, std::string> params;
      std::string conninfo = SplitPgUri(to, &params);
      if (table.empty()) table = params["table"];
      if (table.empty()) return InvalidArgument("export to {}: name the table (?table=NAME or --target-table)", RedactUri(conninfo));
      return std::unique_ptr<Sink>(new PostgresSink(conninfo, RedactUri(conninfo), table, o));
    }
    case SinkKind::kDuckDb: {
      std::string path = SplitTable(to.rfind("duckdb://", 0) == 0 ? to.substr(9) : to, &table);
      if (table.empty()) return InvalidArgument("export to {}: name the table (?table=NAME or --target-table)", path);
      if (o.disposition == WriteDisposition::kMerge && o.keys.empty())
        return InvalidArgument("merge into {} needs key columns (--key)", path);
      return std::unique_ptr<Sink>(new DuckDbSink(path, table, o));
    }
    case SinkKind::kFile:
      return std::unique_ptr<Sink>(new FileSink(to, o));
  }
  return Internal("unknown sink kind");
}

}  // namespace ldp::connectors
