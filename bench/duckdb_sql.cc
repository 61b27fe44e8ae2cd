// ldp_duckdb_sql: the "DuckDB alone" baseline of the benchmarks, and a stand-in for the duckdb CLI
// (which this project does not ship). It runs each SQL statement given on the command line, in
// order, in one connection, and prints the rows of every statement that returns some as CSV.
//
//   ldp_duckdb_sql [--db PATH] [--threads N] [--no-header] SQL [SQL...]
//
// It talks to the DuckDB C API directly, not through ldp::engine, so that a baseline timing
// contains no ldp code at all. Exit status: 0 on success, 1 when a statement fails, 2 on misuse.

#include <duckdb.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace {

void PrintCsvField(std::string_view v) {
  bool quote = v.find_first_of(",\"\n\r") != std::string_view::npos;
  if (!quote) {
    std::fwrite(v.data(), 1, v.size(), stdout);
    return;
  }
  std::fputc('"', stdout);
  for (char c : v) {
    if (c == '"') std::fputc('"', stdout);
    std::fputc(c, stdout);
  }
  std::fputc('"', stdout);
}

void PrintResult(duckdb_result* r, bool header) {
  idx_t ncols = duckdb_column_count(r);
  if (duckdb_result_return_type(*r) != DUCKDB_RESULT_TYPE_QUERY_RESULT || ncols == 0) return;
  if (header) {
    for (idx_t c = 0; c < ncols; ++c) {
      if (c) std::fputc(',', stdout);
      PrintCsvField(duckdb_column_name(r, c));
    }
    std::fputc('\n', stdout);
  }
  idx_t nrows = duckdb_row_count(r);
  for (idx_t i = 0; i < nrows; ++i) {
    for (idx_t c = 0; c < ncols; ++c) {
      if (c) std::fputc(',', stdout);
      if (duckdb_value_is_null(r, c, i)) continue;  // NULL prints as an empty field
      char* v = duckdb_value_varchar(r, c, i);
      if (v) {
        PrintCsvField(v);
        duckdb_free(v);
      }
    }
    std::fputc('\n', stdout);
  }
}

int Usage() {
  std::fprintf(stderr,
               "usage: ldp_duckdb_sql [--db PATH] [--threads N] [--no-header] SQL [SQL...]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string db_path;
  std::string threads;
  bool header = true;
  std::vector<std::string> statements;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a == "--db" && i + 1 < argc) {
      db_path = argv[++i];
    } else if (a == "--threads" && i + 1 < argc) {
      threads = argv[++i];
    } else if (a == "--no-header") {
      header = false;
    } else if (a == "-h" || a == "--help") {
      Usage();
      return 0;
    } else if (a.size() > 1 && a[0] == '-' && a[1] == '-') {
      return Usage();
    } else {
      statements.emplace_back(a);
    }
  }
  if (statements.empty()) return Usage();

  duckdb_config config;
  if (duckdb_create_config(&config) != DuckDBSuccess) return 1;
  if (!threads.empty()) duckdb_set_config(config, "threads", threads.c_str());
  duckdb_set_config(config, "autoinstall_known_extensions", "false");
  duckdb_database db;
  char* err = nullptr;
  if (duckdb_open_ext(db_path.empty() ? nullptr : db_path.c_str(), &db, config, &err) !=
      DuckDBSuccess) {
    std::fprintf(stderr, "ldp_duckdb_sql: cannot open database: %s\n", err ? err : "unknown error");
    if (err) duckdb_free(err);
    duckdb_destroy_config(&config);
    return 1;
  }
  duckdb_destroy_config(&config);
  duckdb_connection conn;
  if (duckdb_connect(db, &conn) != DuckDBSuccess) {
    std::fprintf(stderr, "ldp_duckdb_sql: cannot connect\n");
    duckdb_close(&db);
    return 1;
  }

  int rc = 0;
  for (const std::string& sql : statements) {
    duckdb_result r;
    if (duckdb_query(conn, sql.c_str(), &r) != DuckDBSuccess) {
      const char* msg = duckdb_result_error(&r);
      std::fprintf(stderr, "ldp_duckdb_sql: %s\n", msg ? msg : "unknown error");
      duckdb_destroy_result(&r);
      rc = 1;
      break;
    }
    PrintResult(&r, header);
    duckdb_destroy_result(&r);
  }
  std::fflush(stdout);
  duckdb_disconnect(&conn);
  duckdb_close(&db);
  return rc;
}
