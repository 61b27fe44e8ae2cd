// The `ldp` Python module: bindings of the public C++ API (include/ldp/) with pybind11.
//
//   import ldp
//   p = ldp.Project("path/to/project")          # or ldp.Project.init("path")
//   p.ingest("trips.parquet", "nyc.trips")
//   rows = p.query("SELECT count(*) FROM nyc.trips")   # [(3066766,)]
//
// Errors raise ldp.Error subclasses named after the error code (ldp.NoSuchTableError, ...) with the
// same messages as the `ldp` command. The GIL is released while ldp works (ingest, query batches,
// row changes), so other Python threads run meanwhile.

#include <Python.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <map>
#include <string>
#include <vector>

#include "ldp/ldp.h"

namespace py = pybind11;

namespace {

// ---- errors --------------------------------------------------------------------------------------

std::map<ldp::ErrorCode, PyObject*>& ErrorTypes() {
  static std::map<ldp::ErrorCode, PyObject*> types;
  return types;
}
PyObject* g_base_error = nullptr;

// Creates ldp.Error and one subclass per error code; a few also derive from the built-in
// exception a Python programmer would catch (ValueError, LookupError, OSError, TimeoutError...).
void RegisterErrors(py::module_& m) {
  g_base_error = PyErr_NewExceptionWithDoc("ldp.Error", "Base class of every error ldp raises.", nullptr, nullptr);
  m.add_object("Error", py::handle(g_base_error));
  struct Def {
    ldp::ErrorCode code;
    const char* name;
    PyObject* builtin;
    ldp::ErrorCode parent;
  };
  const Def defs[] = {
      {ldp::ErrorCode::kInvalidArgument, "InvalidArgumentError", PyExc_ValueError, ldp::ErrorCode::kOk},
      {ldp::ErrorCode::kNotFound, "NotFoundError", PyExc_LookupError, ldp::ErrorCode::kOk},
      {ldp::ErrorCode::kAlreadyExists, "AlreadyExistsError", nullptr, ldp::ErrorCode::kOk},
      {ldp::ErrorCode::kNoSuchNamespace, "NoSuchNamespaceError", nullptr, ldp::ErrorCode::kNotFound},
      {ldp::ErrorCode::kNoSuchTable, "NoSuchTableError", nullptr, ldp::ErrorCode::kNotFound},
      {ldp::ErrorCode::kNamespaceNotEmpty, "NamespaceNotEmptyError", nullptr, ldp::ErrorCode::kOk},
      {ldp::ErrorCode::kCommitFailed, "CommitFailedError", nullptr, ldp::ErrorCode::kOk},
      {ldp::ErrorCode::kCommitStateUnknown, "CommitStateUnknownError", nullptr, ldp::ErrorCode::kOk},
      {ldp::ErrorCode::kIOError, "IOError", PyExc_OSError, ldp::ErrorCode::kOk},
      {ldp::ErrorCode::kUnavailable, "UnavailableError", nullptr, ldp::ErrorCode::kOk},
      {ldp::ErrorCode::kTimeout, "TimeoutError", PyExc_TimeoutError, ldp::ErrorCode::kOk},
      {ldp::ErrorCode::kNotAuthorized, "NotAuthorizedError", PyExc_PermissionError, ldp::ErrorCode::kOk},
      {ldp::ErrorCode::kNotImplemented, "NotImplementedError", PyExc_NotImplementedError, ldp::ErrorCode::kOk},
      {ldp::ErrorCode::kInternal, "InternalError", nullptr, ldp::ErrorCode::kOk},
  };
  for (const auto& d : defs) {
    PyObject* parent = d.parent == ldp::ErrorCode::kOk ? g_base_error : ErrorTypes().at(d.parent);
    PyObject* bases = d.builtin ? PyTuple_Pack(2, parent, d.builtin) : PyTuple_Pack(1, parent);
    std::string qualified = std::string("ldp.") + d.name;
    PyObject* type = PyErr_NewException(qualified.c_str(), bases, nullptr);
    Py_DECREF(bases);
    ErrorTypes()[d.code] = type;
    m.add_object(d.name, py::handle(type));
  }
}

[[noreturn]] void Raise(const ldp::Status& st) {
  auto it = ErrorTypes().find(st.code());
  PyObject* type = it == ErrorTypes().end() ? g_base_error : it->second;
  PyErr_SetString(type, st.message().c_str());
  throw py::error_already_set();
}

template <typename T>
T Take(ldp::Result<T>&& r) {
  if (!r.ok()) Raise(r.status());
  return std::move(r).value();
}

// Runs `f` (returning an ldp::Result) with the GIL released, so other Python threads run while
// ldp works; converts an error to the matching exception once the GIL is held again.
template <typename F>
auto TakeWithoutGil(F&& f) {
  std::optional<decltype(f())> r;
  {
    py::gil_scoped_release release;
    r.emplace(f());
  }
  return Take(std::move(*r));
}

// ---- values --------------------------------------------------------------------------------------

py::object ToPython(const std::optional<std::string>& v, ldp::ValueKind kind) {
  if (!v) return py::none();
  switch (kind) {
    case ldp::ValueKind::kBoolean: return py::bool_(*v == "true");
    case ldp::ValueKind::kInteger: return py::reinterpret_steal<py::object>(PyLong_FromString(v->c_str(), nullptr, 10));
    case ldp::ValueKind::kFloat: return py::float_(std::stod(*v));
    case ldp::ValueKind::kDecimal: {
      static py::object decimal = py::module_::import("decimal").attr("Decimal");
      return decimal(*v);
    }
    default: return py::str(*v);
  }
}

const char* KindName(ldp::ValueKind k) {
  switch (k) {
    case ldp::ValueKind::kBoolean: return "boolean";
    case ldp::ValueKind::kInteger: return "integer";
    case ldp::ValueKind::kFloat: return "float";
    case ldp::ValueKind::kDecimal: return "decimal";
    case ldp::ValueKind::kString: return "string";
    case ldp::ValueKind::kTemporal: return "temporal";
    case ldp::ValueKind::kBlob: return "blob";
    case ldp::ValueKind::kNested: return "nested";
    case ldp::ValueKind::kOther: return "other";
  }
  return "other";
}

// A query being read: an iterator of row tuples that fetches a batch at a time.
class Cursor {
 public:
  explicit Cursor(ldp::QueryResult r) : result_(std::move(r)) {}

  py::list Columns() const {
    py::list out;
    for (const auto& c : result_.columns()) out.append(py::make_tuple(c.name, KindName(c.kind)));
    return out;
  }

  // Up to `n` more rows (all remaining when n < 0).
  py::list Fetch(long n) {
    py::list out;
    while (n < 0 || static_cast<long>(py::len(out)) < n) {
      if (pos_ >= buffer_.size()) {
        if (done_) break;
        ldp::Result<ldp::RowBatch> next = Next();
        buffer_ = Take(std::move(next)).rows;
        pos_ = 0;
        if (buffer_.empty()) {
          done_ = true;
          break;
        }
      }
      py::tuple t(buffer_[pos_].size());
      for (size_t c = 0; c < buffer_[pos_].size(); ++c) t[c] = ToPython(buffer_[pos_][c], result_.columns()[c].kind);
      out.append(std::move(t));
      ++pos_;
    }
    return out;
  }

  py::object NextRow() {
    py::list one = Fetch(1);
    if (py::len(one) == 0) throw py::stop_iteration();
    return one[0];
  }

 private:
  ldp::Result<ldp::RowBatch> Next() {
    py::gil_scoped_release release;
    return result_.Next();
  }

  ldp::QueryResult result_;
  std::vector<std::vector<std::optional<std::string>>> buffer_;
  size_t pos_ = 0;
  bool done_ = false;
};

py::dict Summary(const ldp::IngestSummary& s) {
  py::dict d;
  d["table"] = s.table;
  d["created_table"] = s.created_table;
  d["committed"] = s.committed;
  d["snapshot_id"] = s.committed ? py::object(py::int_(s.snapshot_id)) : py::none();
  d["rows"] = s.rows;
  d["data_files"] = s.data_files;
  d["bytes"] = s.bytes;
  d["rows_deleted"] = s.rows_deleted;
  d["rows_updated"] = s.rows_updated;
  d["rows_inserted"] = s.rows_inserted;
  return d;
}

py::dict Summary(const ldp::RowChangeSummary& s) {
  py::dict d;
  d["table"] = s.table;
  d["operation"] = s.operation;
  d["write_mode"] = s.write_mode;
  d["committed"] = s.committed;
  d["snapshot_id"] = s.committed ? py::object(py::int_(s.snapshot_id)) : py::none();
  d["rows_deleted"] = s.rows_deleted;
  d["rows_updated"] = s.rows_updated;
  d["files_rewritten"] = s.files_rewritten;
  d["delete_files_added"] = s.delete_files_added;
  return d;
}

py::dict Summary(const ldp::CloneSummary& s) {
  py::dict d;
  d["table"] = s.table;
  d["source"] = s.source;
  d["source_snapshot_id"] = s.source_snapshot_id >= 0 ? py::object(py::int_(s.source_snapshot_id)) : py::none();
  d["filter"] = s.filter;
  d["rows"] = s.rows;
  d["data_files"] = s.data_files;
  d["bytes"] = s.bytes;
  d["snapshot_id"] = s.snapshot_id ? py::object(py::int_(s.snapshot_id)) : py::none();
  return d;
}

std::vector<std::string> KeyList(const py::object& key) {
  if (key.is_none()) return {};
  if (py::isinstance<py::str>(key)) {
    std::vector<std::string> out;
    std::string s = key.cast<std::string>(), part;
    for (char c : s + ",") {
      if (c == ',') {
        size_t b = part.find_first_not_of(' '), e = part.find_last_not_of(' ');
        if (b != std::string::npos) out.push_back(part.substr(b, e - b + 1));
        part.clear();
      } else {
        part += c;
      }
    }
    return out;
  }
  return key.cast<std::vector<std::string>>();
}

}  // namespace

// A query result as an Arrow C stream not yet handed over. Implements the Arrow PyCapsule
// interface (`__arrow_c_stream__`), which pyarrow (>= 14), polars and others consume directly.
class ArrowStream {
 public:
  ArrowStream() : stream_(new ArrowArrayStream{}) {}
  ArrowStream(ArrowStream&&) = default;
  ~ArrowStream() {
    if (stream_ && stream_->release) stream_->release(stream_.get());
  }
  ArrowArrayStream* get() { return stream_.get(); }

  // Moves the stream into a capsule named "arrow_array_stream"; the capsule's destructor
  // releases it unless a consumer already moved it out (then release is NULL).
  py::object Capsule(const py::object& requested_schema) {
    if (!requested_schema.is_none())
      throw py::type_error("ldp cannot cast an Arrow stream to a requested schema; pass None");
    if (!stream_ || !stream_->release) throw py::value_error("the Arrow stream was already consumed");
    auto* moved = new ArrowArrayStream(*stream_);
    stream_->release = nullptr;
    PyObject* cap = PyCapsule_New(moved, "arrow_array_stream", [](PyObject* c) {
      auto* st = static_cast<ArrowArrayStream*>(PyCapsule_GetPointer(c, "arrow_array_stream"));
      if (st && st->release) st->release(st);
      delete st;
    });
    if (!cap) {
      moved->release(moved);
      delete moved;
      throw py::error_already_set();
    }
    return py::reinterpret_steal<py::object>(cap);
  }

 private:
  std::unique_ptr<ArrowArrayStream> stream_;
};

PYBIND11_MODULE(ldp, m) {
  m.doc() = "ldp: a local data platform (Iceberg tables, a SQL catalog, DuckDB).";
  m.attr("__version__") = ldp::Version();
  RegisterErrors(m);

  py::class_<ArrowStream>(m, "ArrowStream",
                          "A query result as an Arrow C stream (Arrow PyCapsule interface): pass it to "
                          "pyarrow.table(), polars.from_arrow() or any consumer of __arrow_c_stream__.")
      .def("__arrow_c_stream__", &ArrowStream::Capsule, py::arg("requested_schema") = py::none(),
           "The stream as a PyCapsule named 'arrow_array_stream' (once)");
  py::class_<Cursor>(m, "Cursor", "Rows of a query, read a batch at a time.")
      .def_property_readonly("columns", &Cursor::Columns, "[(name, kind)] of the result columns")
      .def("fetchmany", &Cursor::Fetch, py::arg("size") = 2048, "Up to `size` more rows as tuples")
      .def("fetchall", [](Cursor& c) { return c.Fetch(-1); }, "Every remaining row as tuples")
      .def("__iter__", [](py::object self) { return self; })
      .def("__next__", &Cursor::NextRow);

  py::class_<ldp::Project>(m, "Project", "An ldp project: ldp.yaml, a warehouse of Iceberg tables and its catalog.")
      .def(py::init([](const std::string& path) { return Take(ldp::Project::Open(path)); }), py::arg("path"),
           "Opens the project in `path` (NotFoundError when it has no ldp.yaml).")
      .def_static("init", [](const std::string& path) { return Take(ldp::Project::Init(path)); }, py::arg("path"),
                  "Creates a project in `path` and opens it.")
      .def_property_readonly("root", &ldp::Project::root)
      .def_property_readonly("warehouse", &ldp::Project::warehouse)
      .def(
          "ingest",
          [](ldp::Project& p, const std::string& source, const std::string& table, const std::string& mode,
             const std::optional<std::string>& format, const py::object& key, const std::optional<std::string>& where,
             const std::optional<std::string>& partition_by, const std::string& branch, bool evolve) {
            ldp::IngestOptions o;
            if (mode == "append") o.mode = ldp::IngestMode::kAppend;
            else if (mode == "replace" || mode == "overwrite") o.mode = ldp::IngestMode::kReplace;  // overwrite: deprecated
            else if (mode == "merge") o.mode = ldp::IngestMode::kMerge;
            else Raise(ldp::Status(ldp::ErrorCode::kInvalidArgument, "unknown mode '" + mode + "' (use append, replace or merge)"));
            o.format = format.value_or("");
            o.keys = KeyList(key);
            o.where = where.value_or("");
            o.partition_by = partition_by.value_or("");
            o.branch = branch;
            o.evolve = evolve;
            return Summary(TakeWithoutGil([&] { return p.Ingest(source, table, o); }));
          },
          py::arg("source"), py::arg("table"), py::arg("mode") = "append", py::arg("format") = py::none(),
          py::arg("key") = py::none(), py::arg("where") = py::none(), py::arg("partition_by") = py::none(),
          py::arg("branch") = "main", py::arg("evolve") = false,
          "Ingests a file, glob or folder into a table; returns a summary dict.")
      .def(
          "clone",
          [](ldp::Project& p, const std::string& source, const std::string& to, const std::optional<double>& sample,
             int64_t seed, const std::optional<std::string>& where, const std::optional<int64_t>& limit,
             const std::optional<std::string>& snapshot, const std::optional<std::string>& from_catalog,
             const std::optional<std::string>& from_token, bool replace) {
            ldp::CloneOptions o;
            o.sample_percent = sample.value_or(0);
            if (sample && *sample <= 0)
              Raise(ldp::Status(ldp::ErrorCode::kInvalidArgument, "sample must be a percentage above 0"));
            o.seed = seed;
            o.where = where.value_or("");
            o.limit = limit.value_or(-1);
            o.snapshot = snapshot.value_or("");
            o.from_catalog = from_catalog.value_or("");
            o.from_token = from_token.value_or("");
            o.replace = replace;
            return Summary(TakeWithoutGil([&] { return p.Clone(source, to, o); }));
          },
          py::arg("source"), py::arg("to"), py::arg("sample") = py::none(), py::arg("seed") = 0,
          py::arg("where") = py::none(), py::arg("limit") = py::none(), py::arg("snapshot") = py::none(),
          py::arg("from_catalog") = py::none(), py::arg("from_token") = py::none(), py::arg("replace") = false,
          "Clones a table (ns.name, a table folder or metadata file) into a new table; returns a summary dict.")
      .def(
          "stream",
          [](ldp::Project& p, const std::string& sql, const std::optional<std::string>& as_of) {
            ldp::QueryOptions o;
            o.as_of = as_of.value_or("");
            return Cursor(TakeWithoutGil([&] { return p.Query(sql, o); }));
          },
          py::arg("sql"), py::arg("as_of") = py::none(), "Runs SQL; returns a Cursor that reads the rows lazily.")
      .def(
          "query",
          [](ldp::Project& p, const std::string& sql, const std::optional<std::string>& as_of) {
            ldp::QueryOptions o;
            o.as_of = as_of.value_or("");
            return Cursor(TakeWithoutGil([&] { return p.Query(sql, o); })).Fetch(-1);
          },
          py::arg("sql"), py::arg("as_of") = py::none(), "Runs SQL; returns every row as a list of tuples.")
      .def(
          "query_arrow_stream",
          [](ldp::Project& p, const std::string& sql, const std::optional<std::string>& as_of) {
            ldp::QueryOptions o;
            o.as_of = as_of.value_or("");
            ArrowStream stream;
            ldp::Status st;
            {
              py::gil_scoped_release release;
              st = p.QueryArrow(sql, stream.get(), o);
            }
            if (!st.ok()) Raise(st);
            return stream;
          },
          py::arg("sql"), py::arg("as_of") = py::none(),
          "Runs SQL; returns an ArrowStream (Arrow PyCapsule interface) with the columns' real types.")
      .def(
          "query_arrow",
          [](ldp::Project& p, const std::string& sql, const std::optional<std::string>& as_of) {
            py::module_ pa;
            try {
              pa = py::module_::import("pyarrow");
            } catch (py::error_already_set&) {
              throw py::import_error(
                  "query_arrow needs pyarrow (>= 14), which is not installed; query_arrow_stream() gives the "
                  "same rows as an Arrow C stream without it");
            }
            ldp::QueryOptions o;
            o.as_of = as_of.value_or("");
            ArrowStream stream;
            ldp::Status st;
            {
              py::gil_scoped_release release;
              st = p.QueryArrow(sql, stream.get(), o);
            }
            if (!st.ok()) Raise(st);
            return pa.attr("table")(py::cast(std::move(stream)));
          },
          py::arg("sql"), py::arg("as_of") = py::none(), "Runs SQL; returns a pyarrow.Table (needs pyarrow).")
      .def(
          "tables", [](ldp::Project& p, const std::string& ns) { return Take(p.Tables(ns)); },
          py::arg("namespace") = "", "Tables as 'ns.name', sorted")
      .def(
          "describe",
          [](ldp::Project& p, const std::string& table) {
            auto d = Take(p.Describe(table));
            py::dict out;
            out["table"] = d.table;
            out["location"] = d.location;
            out["metadata_location"] = d.metadata_location;
            out["table_uuid"] = d.table_uuid;
            out["format_version"] = d.format_version;
            out["schema_id"] = d.schema_id;
            py::list fields;
            for (const auto& f : d.fields) {
              py::dict fd;
              fd["id"] = f.id;
              fd["name"] = f.name;
              fd["type"] = f.type;
              fd["required"] = f.required;
              fields.append(fd);
            }
            out["fields"] = fields;
            out["partition_spec"] = d.partition_spec;
            out["properties"] = d.properties;
            out["current_snapshot_id"] = d.current_snapshot_id ? py::object(py::int_(*d.current_snapshot_id)) : py::none();
            out["records"] = d.records;
            out["data_files"] = d.data_files;
            return out;
          },
          py::arg("table"), "Schema with field ids, partition spec, properties, current snapshot")
      .def(
          "snapshots",
          [](ldp::Project& p, const std::string& table) {
            py::list out;
            for (const auto& s : Take(p.Snapshots(table))) {
              py::dict d;
              d["snapshot_id"] = s.snapshot_id;
              d["parent_snapshot_id"] = s.parent_snapshot_id ? py::object(py::int_(*s.parent_snapshot_id)) : py::none();
              d["sequence_number"] = s.sequence_number;
              d["timestamp_ms"] = s.timestamp_ms;
              d["operation"] = s.operation;
              d["summary"] = s.summary;
              d["current"] = s.current;
              out.append(d);
            }
            return out;
          },
          py::arg("table"), "A table's snapshots, oldest first")
      .def(
          "delete",
          [](ldp::Project& p, const std::string& table, const std::string& where) {
            return Summary(TakeWithoutGil([&] { return p.Delete(table, where); }));
          },
          py::arg("table"), py::arg("where"), "Deletes the rows matching a SQL predicate")
      .def(
          "update",
          [](ldp::Project& p, const std::string& table, const std::string& set, const std::string& where) {
            return Summary(TakeWithoutGil([&] { return p.Update(table, set, where); }));
          },
          py::arg("table"), py::arg("set"), py::arg("where") = "", "Sets columns ('col = expr, ...') on matching rows")
      .def(
          "run_pipeline",
          [](ldp::Project& p, const std::string& name, const std::string& date, const std::string& from_date,
             const std::string& to_date, std::vector<std::string> tasks, bool downstream, const std::string& ldp_binary) {
            ldp::PipelineRunOptions o;
            o.date = date;
            o.from = from_date;
            o.to = to_date;
            o.tasks = std::move(tasks);
            o.downstream = downstream;
            o.ldp_binary = ldp_binary;
            // Tasks run for as long as they run: other Python threads go on meanwhile.
            auto r = TakeWithoutGil([&] { return p.RunPipeline(name, o); });
            py::list runs;
            for (const auto& run : r.runs) {
              py::list tasks_out;
              for (const auto& t : run.tasks) {
                py::dict d;
                d["task"] = t.task;
                d["status"] = t.status;
                d["attempts"] = t.attempts;
                d["message"] = t.message;
                tasks_out.append(d);
              }
              py::dict d;
              d["run_id"] = run.run_id;
              d["status"] = run.status;
              d["data_interval_start"] = run.data_interval_start;
              d["data_interval_end"] = run.data_interval_end;
              d["tasks"] = tasks_out;
              runs.append(d);
            }
            py::dict out;
            out["pipeline"] = r.pipeline;
            out["runs"] = runs;
            out["failed_runs"] = r.failed_runs;
            return out;
          },
          py::arg("name"), py::kw_only(), py::arg("date") = "", py::arg("from_date") = "", py::arg("to_date") = "",
          py::arg("tasks") = std::vector<std::string>{}, py::arg("downstream") = false, py::arg("ldp_binary") = "",
          "Runs a pipeline like `ldp run` (one interval, or from_date..to_date) and returns its runs and task "
          "states; failed tasks are in the result, not an exception. The ldp command runs each task: ldp_binary, "
          "else $LDP_BINARY, else the ldp installed beside the library, else PATH");
}
