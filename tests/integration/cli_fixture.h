#pragma once
// Shared fixture of the CLI integration tests: a fresh project made by the real `ldp init`, a
// way to run the built binary against it, an in-process DuckDB to make inputs and compute
// expected answers from the sources themselves, and read-only looks at the catalog (SQLite,
// directly) and the warehouse files.

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "ldp/engine/engine.h"
#include "testing/subprocess.h"
#include "testing/temp_dir.h"

namespace ldp::testing {

/// Runs the built binary: `ldp ARGS...` (LDP_PROJECT removed from the environment so that only
/// --project decides). Fails the test when the process cannot be started.
inline ProcessResult RunLdp(const std::vector<std::string>& args,
                            const SubprocessOptions& options = {}) {
  std::vector<std::string> argv = {LDP_BIN};
  argv.insert(argv.end(), args.begin(), args.end());
  SubprocessOptions o = options;
  if (!o.env.count("LDP_PROJECT")) o.env["LDP_PROJECT"] = std::nullopt;
  auto r = RunProcess(argv, o);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : ProcessResult{};
}

/// stderr without its final newline, when it is exactly one non-empty line; nullopt otherwise.
inline std::optional<std::string> OneLine(const std::string& err) {
  std::string s = err;
  if (!s.empty() && s.back() == '\n') s.pop_back();
  if (s.empty() || s.find('\n') != std::string::npos) return std::nullopt;
  return s;
}

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// The port of an `ldp serve --port 0` process, read from its "http://127.0.0.1:PORT" line;
/// 0 when it printed none within `seconds`.
inline int WaitForServePort(const Subprocess& server, int seconds = 20) {
  const std::string kPrefix = "http://127.0.0.1:";
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (std::chrono::steady_clock::now() < deadline) {
    std::string out = ReadFile(server.stdout_path());
    auto at = out.find(kPrefix);
    if (at != std::string::npos && out.find('\n', at) != std::string::npos)
      return std::atoi(out.c_str() + at + kPrefix.size());
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return 0;
}

inline void WriteFile(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
}

/// A local path from a file:// URI (or the path itself).
inline std::string LocalPath(const std::string& uri) {
  if (uri.rfind("file://", 0) == 0) return uri.substr(7);
  return uri;
}

/// Every regular file under `dir` (recursively), as paths; empty when `dir` does not exist.
inline std::set<std::string> FilesUnder(const std::string& dir) {
  std::set<std::string> out;
  std::error_code ec;
  if (!std::filesystem::exists(dir, ec)) return out;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file()) out.insert(it->path().string());
  }
  return out;
}

/// One row of the SQL catalog's iceberg_tables, read with SQLite directly.
struct CatalogRow {
  std::string metadata_location;
  std::optional<std::string> previous_metadata_location;
};

/// Test base: a project made by `ldp init` in a temp folder, plus an in-process DuckDB.
class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    project_ = tmp_.Join("project");
    ProcessResult r = RunLdp({"init", project_});
    ASSERT_EQ(r.exit_code, 0) << r.Describe();
    auto db = engine::Database::Open({});
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
    auto conn = db_->Connect();
    ASSERT_TRUE(conn.ok()) << conn.status().ToString();
    conn_ = std::move(conn).value();
  }

  /// `ldp ARGS... --project <project>`: global flags after the subcommand's own arguments, as
  /// people type them.
  ProcessResult Ldp(std::vector<std::string> args) {
    args.push_back("--project");
    args.push_back(project_);
    return RunLdp(args);
  }

  /// Runs `ldp ARGS... --json --project P`, expects exit 0 and returns the parsed stdout.
  nlohmann::json LdpJson(std::vector<std::string> args) {
    args.push_back("--json");
    ProcessResult r = Ldp(args);
    EXPECT_EQ(r.exit_code, 0) << r.Describe();
    auto j = nlohmann::json::parse(r.out, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << "stdout is not JSON:\n" << r.Describe();
    return j.is_discarded() ? nlohmann::json() : j;
  }

  /// Ingests and expects success; returns the --json result.
  nlohmann::json Ingest(const std::string& source, const std::string& table,
                        std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"ingest", source, "--table", table};
    args.insert(args.end(), extra.begin(), extra.end());
    return LdpJson(args);
  }

  engine::Connection& duck() { return *conn_; }

  /// Runs SQL in the test's DuckDB; fails the test on error.
  engine::MaterializedResult Sql(const std::string& sql) {
    auto r = conn_->Query(sql);
    EXPECT_TRUE(r.ok()) << sql << " -> " << r.status().ToString();
    return r.ok() ? *r : engine::MaterializedResult{};
  }
  /// First value of the first row ("NULL" for SQL NULL).
  std::string Scalar(const std::string& sql) {
    auto r = Sql(sql);
    if (r.rows.empty() || r.rows[0].empty()) {
      ADD_FAILURE() << "no rows from " << sql;
      return "";
    }
    return r.rows[0][0].value_or("NULL");
  }
  int64_t Count(const std::string& relation) {
    return std::stoll(Scalar("SELECT count(*) FROM " + relation));
  }

  /// Writes the result of `select` to `path` with DuckDB's COPY (format from `options`).
  void Copy(const std::string& select, const std::string& path,
            const std::string& options = "FORMAT parquet") {
    auto st = conn_->Execute(
        fmt::format("COPY ({}) TO {} ({})", select, engine::QuoteLiteral(path), options));
    ASSERT_TRUE(st.ok()) << st.ToString();
  }

  /// Rows in one relation but not the other, both ways (duplicates counted).
  int64_t Difference(const std::string& a, const std::string& b) {
    return std::stoll(Scalar(fmt::format(
        "SELECT count(*) FROM ((SELECT * FROM {0} EXCEPT ALL SELECT * FROM {1}) UNION ALL "
        "(SELECT * FROM {1} EXCEPT ALL SELECT * FROM {0}))",
        a, b)));
  }

  static std::string Parquet(const std::string& path) {
    return "read_parquet(" + engine::QuoteLiteral(path) + ")";
  }

  std::string warehouse() const { return project_ + "/warehouse"; }
  std::string catalog_db() const { return warehouse() + "/catalog.db"; }
  /// <warehouse>/<ns>.db/<name>, pyiceberg's layout.
  std::string TableDir(const std::string& ns, const std::string& name) const {
    return warehouse() + "/" + ns + ".db/" + name;
  }

  /// The iceberg_tables row of ns.name, or nullopt when there is none.
  std::optional<CatalogRow> CatalogTable(const std::string& ns, const std::string& name) {
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(catalog_db().c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
      ADD_FAILURE() << "cannot open " << catalog_db() << ": " << (db ? sqlite3_errmsg(db) : "?");
      sqlite3_close(db);
      return std::nullopt;
    }
    sqlite3_busy_timeout(db, 5000);
    sqlite3_stmt* stmt = nullptr;
    std::optional<CatalogRow> out;
    const char* q =
        "SELECT metadata_location, previous_metadata_location FROM iceberg_tables "
        "WHERE table_namespace = ?1 AND table_name = ?2";
    if (sqlite3_prepare_v2(db, q, -1, &stmt, nullptr) != SQLITE_OK) {
      ADD_FAILURE() << "prepare: " << sqlite3_errmsg(db);
    } else {
      sqlite3_bind_text(stmt, 1, ns.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(stmt, 2, name.c_str(), -1, SQLITE_TRANSIENT);
      if (sqlite3_step(stmt) == SQLITE_ROW) {
        CatalogRow row;
        auto text = [&](int i) -> std::optional<std::string> {
          const unsigned char* t = sqlite3_column_text(stmt, i);
          if (!t) return std::nullopt;
          return std::string(reinterpret_cast<const char*>(t));
        };
        row.metadata_location = text(0).value_or("");
        row.previous_metadata_location = text(1);
        out = row;
      }
    }
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return out;
  }

  /// SQL text query against the catalog (tests of its shape), each row's columns joined by '|'.
  std::vector<std::string> CatalogQuery(const std::string& sql) {
    std::vector<std::string> rows;
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(catalog_db().c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
      ADD_FAILURE() << "cannot open " << catalog_db();
      sqlite3_close(db);
      return rows;
    }
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
      ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db);
    } else {
      while (sqlite3_step(stmt) == SQLITE_ROW) {
        std::string line;
        for (int i = 0; i < sqlite3_column_count(stmt); ++i) {
          const unsigned char* t = sqlite3_column_text(stmt, i);
          line += (i ? "|" : "") +
                  (t ? std::string(reinterpret_cast<const char*>(t)) : std::string("NULL"));
        }
        rows.push_back(line);
      }
    }
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return rows;
  }

  /// The current metadata JSON of ns.name, read from the file the catalog points at.
  nlohmann::json CurrentMetadata(const std::string& ns, const std::string& name) {
    auto row = CatalogTable(ns, name);
    if (!row) {
      ADD_FAILURE() << "no catalog row for " << ns << "." << name;
      return {};
    }
    auto j = nlohmann::json::parse(ReadFile(LocalPath(row->metadata_location)), nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << row->metadata_location;
    return j;
  }

  TempDir tmp_;
  std::string project_;
  std::unique_ptr<engine::Database> db_;
  std::unique_ptr<engine::Connection> conn_;
};

/// What must not change when a command fails: the catalog row and the table's files.
struct TableState {
  std::optional<CatalogRow> row;
  std::set<std::string> files;  ///< everything under the table folder (metadata/ and data/)
};

}  // namespace ldp::testing
