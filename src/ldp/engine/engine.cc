#include "ldp/engine/engine.h"

#include <duckdb.h>

#include <atomic>
#include <cerrno>
#include <cctype>
#include <chrono>
#include <memory>
#include <thread>
#include <utility>

#include "ldp/arrow.h"

namespace ldp::engine {
namespace {

// ---- scalar functions ----------------------------------------------------------------------------

enum class ArgKind { kBigint, kHugeint, kBytes };

struct FunctionState {
  std::shared_ptr<const Int32Function> fn;
  ArgKind arg;
};

void RunInt32Function(duckdb_function_info info, duckdb_data_chunk input, duckdb_vector output) {
  const auto* state = static_cast<const FunctionState*>(duckdb_scalar_function_get_extra_info(info));
  idx_t n = duckdb_data_chunk_get_size(input);
  duckdb_vector in = duckdb_data_chunk_get_vector(input, 0);
  uint64_t* in_valid = duckdb_vector_get_validity(in);
  duckdb_vector_ensure_validity_writable(output);
  uint64_t* out_valid = duckdb_vector_get_validity(output);
  auto* out = static_cast<int32_t*>(duckdb_vector_get_data(output));
  void* data = duckdb_vector_get_data(in);
  for (idx_t i = 0; i < n; ++i) {
    if (in_valid && !duckdb_validity_row_is_valid(in_valid, i)) {
      duckdb_validity_set_row_invalid(out_valid, i);
      continue;
    }
    switch (state->arg) {
      case ArgKind::kBigint:
        out[i] = state->fn->of_bigint(static_cast<int64_t*>(data)[i]);
        break;
      case ArgKind::kHugeint: {
        duckdb_hugeint h = static_cast<duckdb_hugeint*>(data)[i];
        __int128 v = (static_cast<__int128>(h.upper) << 64) | static_cast<__int128>(h.lower);
        out[i] = state->fn->of_hugeint(v);
        break;
      }
      case ArgKind::kBytes: {
        auto* s = &static_cast<duckdb_string_t*>(data)[i];
        out[i] = state->fn->of_bytes(std::string_view(duckdb_string_t_data(s), duckdb_string_t_length(*s)));
        break;
      }
    }
  }
}

ValueKind KindOf(duckdb_type t) {
  switch (t) {
    case DUCKDB_TYPE_BOOLEAN: return ValueKind::kBoolean;
    case DUCKDB_TYPE_TINYINT: case DUCKDB_TYPE_SMALLINT: case DUCKDB_TYPE_INTEGER:
    case DUCKDB_TYPE_BIGINT: case DUCKDB_TYPE_UTINYINT: case DUCKDB_TYPE_USMALLINT:
    case DUCKDB_TYPE_UINTEGER: case DUCKDB_TYPE_UBIGINT: case DUCKDB_TYPE_HUGEINT:
    case DUCKDB_TYPE_UHUGEINT:
      return ValueKind::kInteger;
    case DUCKDB_TYPE_FLOAT: case DUCKDB_TYPE_DOUBLE: return ValueKind::kFloat;
    case DUCKDB_TYPE_DECIMAL: return ValueKind::kDecimal;
    case DUCKDB_TYPE_VARCHAR: case DUCKDB_TYPE_UUID: case DUCKDB_TYPE_ENUM: return ValueKind::kString;
    case DUCKDB_TYPE_DATE: case DUCKDB_TYPE_TIME: case DUCKDB_TYPE_TIMESTAMP:
    case DUCKDB_TYPE_TIMESTAMP_S: case DUCKDB_TYPE_TIMESTAMP_MS: case DUCKDB_TYPE_TIMESTAMP_NS:
    case DUCKDB_TYPE_TIMESTAMP_TZ: case DUCKDB_TYPE_TIME_TZ: case DUCKDB_TYPE_INTERVAL:
      return ValueKind::kTemporal;
    case DUCKDB_TYPE_BLOB: return ValueKind::kBlob;
    case DUCKDB_TYPE_LIST: case DUCKDB_TYPE_STRUCT: case DUCKDB_TYPE_MAP: case DUCKDB_TYPE_ARRAY:
      return ValueKind::kNested;
    default: return ValueKind::kOther;
  }
}

Status ErrorFrom(duckdb_result* r) {
  const char* msg = duckdb_result_error(r);
  std::string m = msg ? msg : "unknown DuckDB error";
  // DuckDB appends the statement with a caret ("LINE 1: ..."); the statement is often ldp's own
  // generated SQL, which says nothing to the user, so only the message is kept.
  if (auto pos = m.find("\nLINE "); pos != std::string::npos) m.erase(pos);
  while (!m.empty() && std::isspace(static_cast<unsigned char>(m.back()))) m.pop_back();
  ErrorCode code = ErrorCode::kInvalidArgument;
  switch (duckdb_result_error_type(r)) {
    case DUCKDB_ERROR_IO: code = ErrorCode::kIOError; break;
    case DUCKDB_ERROR_INTERRUPT: code = ErrorCode::kTimeout; break;
    case DUCKDB_ERROR_OUT_OF_MEMORY: code = ErrorCode::kUnavailable; break;
    case DUCKDB_ERROR_INTERNAL: case DUCKDB_ERROR_FATAL: code = ErrorCode::kInternal; break;
    default: break;
  }
  return Status(code, std::move(m));
}

// Streams a query whose columns were all cast to VARCHAR (see DuckConnection::Stream), one DuckDB
// data chunk at a time.
class DuckResultStream final : public ResultStream {
 public:
  DuckResultStream(duckdb_result r, std::vector<ResultColumn> columns) : r_(r), columns_(std::move(columns)) {}
  ~DuckResultStream() override { duckdb_destroy_result(&r_); }

  const std::vector<ResultColumn>& columns() const override { return columns_; }

  Result<std::vector<std::vector<std::optional<std::string>>>> Next() override {
    std::vector<std::vector<std::optional<std::string>>> rows;
    if (done_) return rows;
    duckdb_data_chunk chunk = duckdb_fetch_chunk(r_);
    if (!chunk) {
      done_ = true;
      const char* err = duckdb_result_error(&r_);
      if (err && *err) return ErrorFrom(&r_);
      return rows;
    }
    idx_t n = duckdb_data_chunk_get_size(chunk);
    idx_t ncols = duckdb_data_chunk_get_column_count(chunk);
    rows.assign(n, std::vector<std::optional<std::string>>(ncols));
    for (idx_t c = 0; c < ncols; ++c) {
      duckdb_vector v = duckdb_data_chunk_get_vector(chunk, c);
      uint64_t* valid = duckdb_vector_get_validity(v);
      auto* data = static_cast<duckdb_string_t*>(duckdb_vector_get_data(v));
      for (idx_t i = 0; i < n; ++i) {
        if (valid && !duckdb_validity_row_is_valid(valid, i)) continue;
        rows[i][c] = std::string(duckdb_string_t_data(&data[i]), duckdb_string_t_length(data[i]));
      }
    }
    duckdb_destroy_data_chunk(&chunk);
    if (n == 0) done_ = true;
    return rows;
  }

 private:
  duckdb_result r_;
  std::vector<ResultColumn> columns_;
  bool done_ = false;
};

// The result of a statement that is not a query (or has no columns), handed out as one batch.
class MaterializedStream final : public ResultStream {
 public:
  explicit MaterializedStream(MaterializedResult m) : m_(std::move(m)) {}
  const std::vector<ResultColumn>& columns() const override { return m_.columns; }
  Result<std::vector<std::vector<std::optional<std::string>>>> Next() override {
    return std::exchange(m_.rows, {});
  }

 private:
  MaterializedResult m_;
};

// An Arrow C stream over a streaming DuckDB result (DuckConnection::StreamArrow). DuckDB converts
// its schema and each data chunk (duckdb_to_arrow_schema, duckdb_data_chunk_to_arrow); this class
// only adapts DuckDB's pull API to the stream's callbacks and owns what they need.
class ArrowResultStream {
 public:
  static void Export(duckdb_result result, duckdb_arrow_options options, std::shared_ptr<void> keep_alive,
                     ArrowArrayStream* out) {
    auto* self = new ArrowResultStream();
    self->result_ = result;
    self->options_ = options;
    self->keep_alive_ = std::move(keep_alive);
    out->get_schema = &GetSchema;
    out->get_next = &GetNext;
    out->get_last_error = &GetLastError;
    out->release = &Release;
    out->private_data = self;
  }

 private:
  static ArrowResultStream* Self(ArrowArrayStream* s) { return static_cast<ArrowResultStream*>(s->private_data); }

  // Records a DuckDB error (destroying it) and returns the errno-style code the interface wants.
  int Fail(duckdb_error_data err) {
    error_ = duckdb_error_data_message(err);
    duckdb_destroy_error_data(&err);
    return EIO;
  }

  static int GetSchema(ArrowArrayStream* s, ArrowSchema* out) {
    auto* self = Self(s);
    idx_t n = duckdb_column_count(&self->result_);
    std::vector<duckdb_logical_type> types(n);
    std::vector<const char*> names(n);
    for (idx_t c = 0; c < n; ++c) {
      types[c] = duckdb_column_logical_type(&self->result_, c);
      names[c] = duckdb_column_name(&self->result_, c);
    }
    duckdb_error_data err = duckdb_to_arrow_schema(self->options_, types.data(), names.data(), n, out);
    for (auto& t : types) duckdb_destroy_logical_type(&t);
    if (err && duckdb_error_data_has_error(err)) return self->Fail(err);
    if (err) duckdb_destroy_error_data(&err);
    return 0;
  }

  static int GetNext(ArrowArrayStream* s, ArrowArray* out) {
    auto* self = Self(s);
    duckdb_data_chunk chunk = self->done_ ? nullptr : duckdb_fetch_chunk(self->result_);
    if (!chunk) {
      self->done_ = true;
      const char* e = duckdb_result_error(&self->result_);
      if (e && *e) {
        self->error_ = ErrorFrom(&self->result_).message();
        return EIO;
      }
      out->release = nullptr;  // the end of the stream, as the interface marks it
      return 0;
    }
    duckdb_error_data err = duckdb_data_chunk_to_arrow(self->options_, chunk, out);
    duckdb_destroy_data_chunk(&chunk);
    if (err && duckdb_error_data_has_error(err)) return self->Fail(err);
    if (err) duckdb_destroy_error_data(&err);
    return 0;
  }

  static const char* GetLastError(ArrowArrayStream* s) {
    auto* self = Self(s);
    return self->error_.empty() ? nullptr : self->error_.c_str();
  }

  static void Release(ArrowArrayStream* s) {
    auto* self = Self(s);
    duckdb_destroy_result(&self->result_);
    duckdb_destroy_arrow_options(&self->options_);
    delete self;  // drops keep_alive: the connection goes after its result
    s->release = nullptr;
  }

  duckdb_result result_{};
  duckdb_arrow_options options_ = nullptr;
  std::shared_ptr<void> keep_alive_;
  std::string error_;
  bool done_ = false;
};

class DuckConnection final : public Connection {
 public:
  explicit DuckConnection(duckdb_connection c) : conn_(c) {}
  ~DuckConnection() override { duckdb_disconnect(&conn_); }

  Status Execute(std::string_view sql) override {
    duckdb_result r;
    std::string s(sql);
    if (duckdb_query(conn_, s.c_str(), &r) != DuckDBSuccess) {
      Status st = ErrorFrom(&r);
      duckdb_destroy_result(&r);
      return st;
    }
    duckdb_destroy_result(&r);
    return Status::OK();
  }

  Status ExecuteWithProgress(std::string_view sql, const ProgressCallback& progress) override {
    if (!progress) return Execute(sql);
    std::atomic<bool> done{false};
    Status result;
    std::thread worker([&] {
      result = Execute(sql);
      done = true;
    });
    while (!done) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      if (done) break;
      duckdb_query_progress_type p = duckdb_query_progress(conn_);
      progress(p.percentage);
    }
    worker.join();
    if (result.ok()) progress(100.0);
    return result;
  }

  Result<MaterializedResult> Query(std::string_view sql) override {
    // duckdb_value_varchar renders only some types (it returns NULL for UUID, TIMESTAMPTZ and
    // nested values). Prepare first to learn the result types; a SELECT with such columns is run
    // as a projection that casts them to VARCHAR with DuckDB's own rendering.
    std::string s(sql);
    duckdb_prepared_statement prep = nullptr;
    if (duckdb_prepare(conn_, s.c_str(), &prep) == DuckDBSuccess) {
      std::vector<std::string> names;
      std::vector<duckdb_type> types;
      bool needs_cast = false;
      idx_t n = duckdb_prepared_statement_column_count(prep);
      for (idx_t c = 0; c < n; ++c) {
        const char* nm = duckdb_prepared_statement_column_name(prep, c);
        names.push_back(nm ? nm : "");
        types.push_back(duckdb_prepared_statement_column_type(prep, c));
        needs_cast = needs_cast || !RendersAsText(types.back());
      }
      bool is_select = duckdb_prepared_statement_type(prep) == DUCKDB_STATEMENT_TYPE_SELECT;
      if (!needs_cast || !is_select) {
        duckdb_result r;
        duckdb_state state = duckdb_execute_prepared(prep, &r);
        duckdb_destroy_prepare(&prep);
        return Materialize(&r, state);
      }
      duckdb_destroy_prepare(&prep);
      {
        std::string body = s;
        while (!body.empty() && (std::isspace(static_cast<unsigned char>(body.back())) || body.back() == ';'))
          body.pop_back();
        std::string proj;
        for (idx_t c = 0; c < n; ++c) {
          if (c) proj += ", ";
          proj += RendersAsText(types[c]) ? "#" + std::to_string(c + 1)
                                          : "CAST(#" + std::to_string(c + 1) + " AS VARCHAR)";
        }
        LDP_ASSIGN_OR_RAISE(auto out, Run("SELECT " + proj + " FROM (" + body + "\n)"));
        for (idx_t c = 0; c < n && c < out.columns.size(); ++c) {
          out.columns[c].name = names[c];
          out.columns[c].kind = KindOf(types[c]);
        }
        return out;
      }
    } else if (prep) {
      duckdb_destroy_prepare(&prep);
    }
    return Run(s);
  }

  Result<std::unique_ptr<ResultStream>> Stream(std::string_view sql) override {
    // Every column is cast to VARCHAR by a projection over the statement, so that a chunk is read
    // the same way whatever the types (DuckDB's own rendering, as in Query); the real kinds are
    // learnt from the prepared statement first. Statements that are not a SELECT run whole.
    std::string s(sql);
    duckdb_prepared_statement prep = nullptr;
    LDP_RETURN_NOT_OK(Prepare(s, &prep));
    std::vector<ResultColumn> columns;
    idx_t n = duckdb_prepared_statement_column_count(prep);
    for (idx_t c = 0; c < n; ++c) {
      const char* nm = duckdb_prepared_statement_column_name(prep, c);
      columns.push_back({nm ? nm : "", KindOf(duckdb_prepared_statement_column_type(prep, c))});
    }
    bool is_select = duckdb_prepared_statement_type(prep) == DUCKDB_STATEMENT_TYPE_SELECT;
    duckdb_destroy_prepare(&prep);
    if (!is_select || n == 0) {
      LDP_ASSIGN_OR_RAISE(auto m, Run(s));
      return std::unique_ptr<ResultStream>(new MaterializedStream(std::move(m)));
    }
    std::string body = s;
    while (!body.empty() && (std::isspace(static_cast<unsigned char>(body.back())) || body.back() == ';'))
      body.pop_back();
    std::string proj;
    for (idx_t c = 0; c < n; ++c) {
      if (c) proj += ", ";
      proj += "CAST(#" + std::to_string(c + 1) + " AS VARCHAR)";
    }
    std::string wrapped = "SELECT " + proj + " FROM (" + body + "\n)";
    LDP_RETURN_NOT_OK(Prepare(wrapped, &prep));
    duckdb_result r;
    LDP_RETURN_NOT_OK(ExecuteStreaming(&prep, &r));
    return std::unique_ptr<ResultStream>(new DuckResultStream(r, std::move(columns)));
  }

  Status StreamArrow(std::string_view sql, ArrowArrayStream* out, std::shared_ptr<void> keep_alive) override {
    std::string s(sql);
    duckdb_prepared_statement prep = nullptr;
    LDP_RETURN_NOT_OK(Prepare(s, &prep));
    duckdb_result r;
    LDP_RETURN_NOT_OK(ExecuteStreaming(&prep, &r));
    duckdb_arrow_options options = nullptr;
    duckdb_connection_get_arrow_options(conn_, &options);
    ArrowResultStream::Export(r, options, std::move(keep_alive), out);
    return Status::OK();
  }

  Result<std::optional<std::string>> QueryScalar(std::string_view sql) override {
    LDP_ASSIGN_OR_RAISE(auto res, Query(sql));
    if (res.rows.empty() || res.columns.empty()) return NotFound("query returned no row");
    return res.rows[0][0];
  }

  Status RegisterInt32Function(const std::string& name, Int32Function fn) override {
    LDP_ASSIGN_OR_RAISE(auto exists,
                        QueryScalar("SELECT count(*) FROM duckdb_functions() WHERE function_name = " + QuoteLiteral(name)));
    if (exists && *exists != "0") return Status::OK();
    auto shared = std::make_shared<const Int32Function>(std::move(fn));
    duckdb_scalar_function_set set = duckdb_create_scalar_function_set(name.c_str());
    auto add = [&](ArgKind kind, std::initializer_list<duckdb_type> types) {
      for (duckdb_type t : types) {
        duckdb_scalar_function f = duckdb_create_scalar_function();
        duckdb_scalar_function_set_name(f, name.c_str());
        duckdb_logical_type arg = duckdb_create_logical_type(t);
        duckdb_logical_type ret = duckdb_create_logical_type(DUCKDB_TYPE_INTEGER);
        duckdb_scalar_function_add_parameter(f, arg);
        duckdb_scalar_function_set_return_type(f, ret);
        duckdb_destroy_logical_type(&arg);
        duckdb_destroy_logical_type(&ret);
        duckdb_scalar_function_set_extra_info(f, new FunctionState{shared, kind},
                                              [](void* p) { delete static_cast<FunctionState*>(p); });
        duckdb_scalar_function_set_function(f, RunInt32Function);
        duckdb_add_scalar_function_to_set(set, f);
        duckdb_destroy_scalar_function(&f);
      }
    };
    if (shared->of_bigint) add(ArgKind::kBigint, {DUCKDB_TYPE_BIGINT});
    if (shared->of_hugeint) add(ArgKind::kHugeint, {DUCKDB_TYPE_HUGEINT});
    if (shared->of_bytes) add(ArgKind::kBytes, {DUCKDB_TYPE_VARCHAR, DUCKDB_TYPE_BLOB});
    duckdb_state st = duckdb_register_scalar_function_set(conn_, set);
    duckdb_destroy_scalar_function_set(&set);
    if (st != DuckDBSuccess) return Internal("cannot register SQL function {}", name);
    return Status::OK();
  }

  Status AppendInt64Rows(const std::string& table, size_t columns,
                         const std::function<Status(const std::function<Status(const int64_t*)>&)>& produce) override {
    duckdb_appender app = nullptr;
    if (duckdb_appender_create_ext(conn_, "temp", "main", table.c_str(), &app) != DuckDBSuccess) {
      std::string m = app ? duckdb_appender_error(app) : "cannot create appender";
      if (app) duckdb_appender_destroy(&app);
      return InvalidArgument("appending to {}: {}", table, m);
    }
    auto fail = [&]() {
      std::string m = duckdb_appender_error(app) ? duckdb_appender_error(app) : "append failed";
      return Internal("appending to {}: {}", table, m);
    };
    Status st = produce([&](const int64_t* values) -> Status {
      for (size_t i = 0; i < columns; ++i)
        if (duckdb_append_int64(app, values[i]) != DuckDBSuccess) return fail();
      if (duckdb_appender_end_row(app) != DuckDBSuccess) return fail();
      return Status::OK();
    });
    if (st.ok() && duckdb_appender_close(app) != DuckDBSuccess) st = fail();
    duckdb_appender_destroy(&app);
    return st;
  }

 private:
  // Prepares `sql`; InvalidArgument with DuckDB's message (without its "LINE n:" excerpt).
  Status Prepare(const std::string& sql, duckdb_prepared_statement* prep) {
    *prep = nullptr;
    if (duckdb_prepare(conn_, sql.c_str(), prep) == DuckDBSuccess) return Status::OK();
    std::string m = *prep ? duckdb_prepare_error(*prep) : "cannot prepare statement";
    if (*prep) duckdb_destroy_prepare(prep);
    if (auto pos = m.find("\nLINE "); pos != std::string::npos) m.erase(pos);
    return InvalidArgument("{}", m);
  }

  // Runs a prepared statement as a streaming result (chunks are produced as they are fetched);
  // the statement is destroyed either way, `*r` is valid only on success.
  Status ExecuteStreaming(duckdb_prepared_statement* prep, duckdb_result* r) {
    duckdb_pending_result pending;
    if (duckdb_pending_prepared_streaming(*prep, &pending) != DuckDBSuccess) {
      std::string m = duckdb_pending_error(pending) ? duckdb_pending_error(pending) : "cannot start statement";
      duckdb_destroy_pending(&pending);
      duckdb_destroy_prepare(prep);
      return InvalidArgument("{}", m);
    }
    duckdb_state state = duckdb_execute_pending(pending, r);
    duckdb_destroy_pending(&pending);
    duckdb_destroy_prepare(prep);
    if (state != DuckDBSuccess) {
      Status st = ErrorFrom(r);
      duckdb_destroy_result(r);
      return st;
    }
    return Status::OK();
  }

  static bool RendersAsText(duckdb_type t) {
    switch (t) {
      case DUCKDB_TYPE_UUID: case DUCKDB_TYPE_TIMESTAMP_TZ: case DUCKDB_TYPE_TIME_TZ:
      case DUCKDB_TYPE_LIST: case DUCKDB_TYPE_STRUCT: case DUCKDB_TYPE_MAP: case DUCKDB_TYPE_ARRAY:
      case DUCKDB_TYPE_UNION: case DUCKDB_TYPE_ENUM: case DUCKDB_TYPE_BIT: case DUCKDB_TYPE_BIGNUM:
      case DUCKDB_TYPE_INVALID: case DUCKDB_TYPE_ANY:
        return false;
      default:
        return true;
    }
  }

  Result<MaterializedResult> Run(const std::string& s) {
    duckdb_result r;
    duckdb_state state = duckdb_query(conn_, s.c_str(), &r);
    return Materialize(&r, state);
  }

  static Result<MaterializedResult> Materialize(duckdb_result* rp, duckdb_state state) {
    duckdb_result& r = *rp;
    if (state != DuckDBSuccess) {
      Status st = ErrorFrom(&r);
      duckdb_destroy_result(&r);
      return st;
    }
    MaterializedResult out;
    idx_t ncols = duckdb_column_count(&r);
    for (idx_t c = 0; c < ncols; ++c) {
      out.columns.push_back({duckdb_column_name(&r, c), KindOf(duckdb_column_type(&r, c))});
    }
    idx_t nrows = duckdb_row_count(&r);
    out.rows.reserve(nrows);
    for (idx_t i = 0; i < nrows; ++i) {
      std::vector<std::optional<std::string>> row(ncols);
      for (idx_t c = 0; c < ncols; ++c) {
        if (duckdb_value_is_null(&r, c, i)) continue;
        char* v = duckdb_value_varchar(&r, c, i);
        if (v) {
          row[c] = std::string(v);
          duckdb_free(v);
        }
      }
      out.rows.push_back(std::move(row));
    }
    duckdb_destroy_result(&r);
    return out;
  }

  duckdb_connection conn_;
};

class DuckDatabase final : public Database {
 public:
  DuckDatabase(duckdb_database db, std::string time_zone) : db_(db), time_zone_(std::move(time_zone)) {}
  ~DuckDatabase() override { duckdb_close(&db_); }

  Result<std::unique_ptr<Connection>> Connect() override {
    duckdb_connection c;
    if (duckdb_connect(db_, &c) != DuckDBSuccess) return Internal("cannot open a DuckDB connection");
    std::unique_ptr<Connection> conn(new DuckConnection(c));
    if (!time_zone_.empty())
      LDP_RETURN_NOT_OK(conn->Execute("SET TimeZone = " + QuoteLiteral(time_zone_)));
    return conn;
  }

 private:
  duckdb_database db_;
  std::string time_zone_;
};

}  // namespace

int MaterializedResult::ColumnIndex(std::string_view name) const {
  for (size_t i = 0; i < columns.size(); ++i)
    if (columns[i].name == name) return static_cast<int>(i);
  return -1;
}

Result<std::unique_ptr<Database>> Database::Open(const DatabaseOptions& options) {
  duckdb_config config;
  if (duckdb_create_config(&config) != DuckDBSuccess) return Internal("cannot create DuckDB config");
  auto set = [&](const char* k, const std::string& v) {
    if (!v.empty()) duckdb_set_config(config, k, v.c_str());
  };
  if (options.threads > 0) set("threads", std::to_string(options.threads));
  set("memory_limit", options.memory_limit);
  set("temp_directory", options.temp_directory);
  // Nothing may be downloaded at run time: built-in extensions only.
  set("autoinstall_known_extensions", "false");
  set("autoload_known_extensions", "true");
  duckdb_database db;
  char* err = nullptr;
  const char* path = options.path.empty() ? nullptr : options.path.c_str();
  if (duckdb_open_ext(path, &db, config, &err) != DuckDBSuccess) {
    std::string m = err ? err : "unknown error";
    if (err) duckdb_free(err);
    duckdb_destroy_config(&config);
    return IOError("opening DuckDB database {}: {}", options.path.empty() ? ":memory:" : options.path, m);
  }
  duckdb_destroy_config(&config);
  return std::unique_ptr<Database>(new DuckDatabase(db, options.time_zone));
}

std::string QuoteIdent(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string QuoteLiteral(std::string_view value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

std::string DuckDBVersion() { return duckdb_library_version(); }

}  // namespace ldp::engine
