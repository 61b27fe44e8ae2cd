#include "ldp/orchestrator/state_store.h"

#include <signal.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cerrno>
#include <variant>

#include <nlohmann/json.hpp>

namespace ldp::orchestrator {
namespace {

using Value = std::variant<std::nullptr_t, int64_t, double, std::string>;

const char* kSchema = R"(
CREATE TABLE IF NOT EXISTS runs (
  run_id TEXT PRIMARY KEY, pipeline TEXT NOT NULL, logical_date TEXT NOT NULL,
  interval_start INTEGER NOT NULL, interval_end INTEGER NOT NULL, status TEXT NOT NULL,
  run_trigger TEXT NOT NULL, started_at REAL, ended_at REAL, owner_pid INTEGER);
CREATE INDEX IF NOT EXISTS runs_by_pipeline ON runs (pipeline, interval_start);
CREATE TABLE IF NOT EXISTS task_instances (
  run_id TEXT NOT NULL, task_id TEXT NOT NULL, status TEXT NOT NULL, started_at REAL,
  ended_at REAL, message TEXT, PRIMARY KEY (run_id, task_id));
CREATE TABLE IF NOT EXISTS attempts (
  run_id TEXT NOT NULL, task_id TEXT NOT NULL, attempt INTEGER NOT NULL, status TEXT NOT NULL,
  started_at REAL, ended_at REAL, exit_code INTEGER, log_path TEXT, message TEXT,
  snapshot_id INTEGER, table_name TEXT, inputs TEXT, PRIMARY KEY (run_id, task_id, attempt));
CREATE TABLE IF NOT EXISTS pipeline_state (pipeline TEXT PRIMARY KEY, paused INTEGER NOT NULL);
)";

class Stmt {
 public:
  Stmt(sqlite3* db, const std::string& sql, const std::vector<Value>& args) : db_(db) {
    rc_ = sqlite3_prepare_v2(db, sql.c_str(), -1, &s_, nullptr);
    for (size_t i = 0; rc_ == SQLITE_OK && i < args.size(); ++i) {
      int idx = static_cast<int>(i + 1);
      const Value& v = args[i];
      if (std::holds_alternative<std::nullptr_t>(v)) sqlite3_bind_null(s_, idx);
      else if (auto* n = std::get_if<int64_t>(&v)) sqlite3_bind_int64(s_, idx, *n);
      else if (auto* d = std::get_if<double>(&v)) sqlite3_bind_double(s_, idx, *d);
      else sqlite3_bind_text(s_, idx, std::get<std::string>(v).c_str(), -1, SQLITE_TRANSIENT);
    }
  }
  ~Stmt() { sqlite3_finalize(s_); }
  // SQLITE_ROW, SQLITE_DONE or an error.
  int Step() {
    if (rc_ != SQLITE_OK) return rc_;
    return sqlite3_step(s_);
  }
  Status Error(const char* what) const { return IOError("orchestrator state ({}): {}", what, sqlite3_errmsg(db_)); }
  std::string Text(int i) const {
    auto* t = sqlite3_column_text(s_, i);
    return t ? reinterpret_cast<const char*>(t) : "";
  }
  int64_t Int(int i) const { return sqlite3_column_int64(s_, i); }
  double Real(int i) const { return sqlite3_column_double(s_, i); }
  bool Null(int i) const { return sqlite3_column_type(s_, i) == SQLITE_NULL; }

 private:
  sqlite3* db_;
  sqlite3_stmt* s_ = nullptr;
  int rc_;
};

Status Run(sqlite3* db, const std::string& sql, const std::vector<Value>& args, const char* what) {
  Stmt s(db, sql, args);
  int rc = s.Step();
  if (rc != SQLITE_DONE && rc != SQLITE_ROW) return s.Error(what);
  return Status::OK();
}

RunRecord ReadRun(const Stmt& s) {
  RunRecord r;
  r.run_id = s.Text(0);
  r.pipeline = s.Text(1);
  r.logical_date = s.Text(2);
  r.interval_start = s.Int(3);
  r.interval_end = s.Int(4);
  r.status = s.Text(5);
  r.trigger = s.Text(6);
  r.started_at = s.Real(7);
  r.ended_at = s.Real(8);
  return r;
}

const char* kRunCols = "run_id, pipeline, logical_date, interval_start, interval_end, status, run_trigger, started_at, ended_at";

}  // namespace

Result<std::unique_ptr<StateStore>> StateStore::Open(const std::string& path) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr) !=
      SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return IOError("opening orchestrator state {}: {}", path, msg);
  }
  sqlite3_busy_timeout(db, 10000);
  std::unique_ptr<StateStore> s(new StateStore(db));
  LDP_RETURN_NOT_OK(s->Exec("PRAGMA journal_mode=WAL"));
  // WAL with synchronous=NORMAL cannot corrupt the file; a power cut may lose the last state changes,
  // which the next run treats as an interrupted run.
  LDP_RETURN_NOT_OK(s->Exec("PRAGMA synchronous=NORMAL"));
  LDP_RETURN_NOT_OK(s->Exec(kSchema));
  return s;
}

StateStore::~StateStore() { sqlite3_close(db_); }

Status StateStore::Exec(const std::string& sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "?";
    sqlite3_free(err);
    return IOError("orchestrator state: {}", msg);
  }
  return Status::OK();
}

Status StateStore::UpsertRun(const RunRecord& r) {
  std::lock_guard<std::mutex> l(mu_);
  // The lock on an interval: inside one write transaction (BEGIN IMMEDIATE serialises writers
  // across processes), a run that is `running` in another live process is left alone.
  LDP_RETURN_NOT_OK(Exec("BEGIN IMMEDIATE"));
  struct Rollback {
    StateStore* s;
    bool done = false;
    ~Rollback() {
      if (!done) (void)s->Exec("ROLLBACK");
    }
  } rollback{this};
  {
    Stmt s(db_, "SELECT status, owner_pid FROM runs WHERE run_id = ?1", {r.run_id});
    int rc = s.Step();
    if (rc == SQLITE_ROW && s.Text(0) == state::kRunning) {
      pid_t pid = static_cast<pid_t>(s.Int(1));
      bool alive = pid > 0 && pid != getpid() && (kill(pid, 0) == 0 || errno == EPERM);
      if (alive)
        return Status(ErrorCode::kAlreadyExists,
                      fmt::format("run {} is already running in process {}; wait for it to end (`ldp runs {}`)",
                                  r.run_id, pid, r.pipeline));
    } else if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
      return s.Error("reading run");
    }
  }
  LDP_RETURN_NOT_OK(Run(db_,
             "INSERT INTO runs (run_id, pipeline, logical_date, interval_start, interval_end, status, run_trigger, "
             "started_at, ended_at, owner_pid) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, NULL, ?9) "
             "ON CONFLICT (run_id) DO UPDATE SET status = ?6, run_trigger = ?7, started_at = ?8, ended_at = NULL, "
             "owner_pid = ?9",
             {r.run_id, r.pipeline, r.logical_date, r.interval_start, r.interval_end, r.status, r.trigger, r.started_at,
              static_cast<int64_t>(getpid())},
             "saving run"));
  rollback.done = true;
  return Exec("COMMIT");
}

Status StateStore::FinishRun(const std::string& run_id, const std::string& status, double ended_at) {
  std::lock_guard<std::mutex> l(mu_);
  return Run(db_, "UPDATE runs SET status = ?2, ended_at = ?3 WHERE run_id = ?1", {run_id, status, ended_at},
             "finishing run");
}

Result<std::optional<RunRecord>> StateStore::GetRun(const std::string& run_id) {
  std::lock_guard<std::mutex> l(mu_);
  Stmt s(db_, fmt::format("SELECT {} FROM runs WHERE run_id = ?1", kRunCols), {run_id});
  int rc = s.Step();
  if (rc == SQLITE_ROW) return std::optional<RunRecord>(ReadRun(s));
  if (rc == SQLITE_DONE) return std::optional<RunRecord>();
  return s.Error("reading run");
}

Result<std::vector<RunRecord>> StateStore::ListRuns(const std::string& pipeline, int limit) {
  std::lock_guard<std::mutex> l(mu_);
  Stmt s(db_,
         fmt::format("SELECT {} FROM runs WHERE ?1 = '' OR pipeline = ?1 ORDER BY interval_start DESC, pipeline "
                     "LIMIT ?2",
                     kRunCols),
         {pipeline, static_cast<int64_t>(limit)});
  std::vector<RunRecord> out;
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) out.push_back(ReadRun(s));
  if (rc != SQLITE_DONE) return s.Error("listing runs");
  return out;
}

namespace {

Status SaveTaskState(sqlite3* db, const std::string& run_id, const std::string& task_id, const std::string& status,
                     double at, const std::string& message) {
  bool starting = status == state::kRunning || status == state::kQueued;
  return Run(db,
             "INSERT INTO task_instances (run_id, task_id, status, started_at, ended_at, message) "
             "VALUES (?1, ?2, ?3, CASE WHEN ?5 THEN ?4 END, CASE WHEN ?5 THEN NULL ELSE ?4 END, ?6) "
             "ON CONFLICT (run_id, task_id) DO UPDATE SET status = ?3, message = ?6, "
             "started_at = CASE WHEN ?5 AND status != 'running' THEN ?4 ELSE started_at END, "
             "ended_at = CASE WHEN ?5 THEN NULL ELSE ?4 END",
             {run_id, task_id, status, at, static_cast<int64_t>(starting), message}, "saving task state");
}

}  // namespace

Status StateStore::SetTaskState(const std::string& run_id, const std::string& task_id, const std::string& status,
                                double at, const std::string& message) {
  std::lock_guard<std::mutex> l(mu_);
  return SaveTaskState(db_, run_id, task_id, status, at, message);
}

Status StateStore::SetTaskStates(const std::string& run_id, const std::vector<std::string>& task_ids,
                                 const std::string& status, double at) {
  std::lock_guard<std::mutex> l(mu_);
  LDP_RETURN_NOT_OK(Exec("BEGIN IMMEDIATE"));
  for (const auto& id : task_ids) {
    Status st = SaveTaskState(db_, run_id, id, status, at, "");
    if (!st.ok()) {
      (void)Exec("ROLLBACK");
      return st;
    }
  }
  return Exec("COMMIT");
}

Result<std::vector<TaskInstanceRecord>> StateStore::TaskInstances(const std::string& run_id) {
  std::lock_guard<std::mutex> l(mu_);
  Stmt s(db_,
         "SELECT t.task_id, t.status, t.started_at, t.ended_at, t.message, "
         "(SELECT count(*) FROM attempts a WHERE a.run_id = t.run_id AND a.task_id = t.task_id) "
         "FROM task_instances t WHERE t.run_id = ?1 ORDER BY t.started_at IS NULL, t.started_at, t.task_id",
         {run_id});
  std::vector<TaskInstanceRecord> out;
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) {
    TaskInstanceRecord t;
    t.run_id = run_id;
    t.task_id = s.Text(0);
    t.status = s.Text(1);
    t.started_at = s.Real(2);
    t.ended_at = s.Real(3);
    t.message = s.Text(4);
    t.attempts = static_cast<int>(s.Int(5));
    out.push_back(t);
  }
  if (rc != SQLITE_DONE) return s.Error("reading task instances");
  return out;
}

Result<int> StateStore::NextAttempt(const std::string& run_id, const std::string& task_id) {
  std::lock_guard<std::mutex> l(mu_);
  Stmt s(db_, "SELECT coalesce(max(attempt), 0) + 1 FROM attempts WHERE run_id = ?1 AND task_id = ?2",
         {run_id, task_id});
  if (s.Step() != SQLITE_ROW) return s.Error("numbering attempts");
  return static_cast<int>(s.Int(0));
}

Status StateStore::StartAttempt(const AttemptRecord& a) {
  std::lock_guard<std::mutex> l(mu_);
  return Run(db_,
             "INSERT OR REPLACE INTO attempts (run_id, task_id, attempt, status, started_at, log_path) "
             "VALUES (?1, ?2, ?3, 'running', ?4, ?5)",
             {a.run_id, a.task_id, static_cast<int64_t>(a.attempt), a.started_at, a.log_path}, "saving attempt");
}

Status StateStore::FinishAttempt(const AttemptRecord& a) {
  std::lock_guard<std::mutex> l(mu_);
  Value snap = a.snapshot_id ? Value(*a.snapshot_id) : Value(nullptr);
  return Run(db_,
             "UPDATE attempts SET status = ?4, ended_at = ?5, exit_code = ?6, message = ?7, snapshot_id = ?8, "
             "table_name = ?9, inputs = ?10 WHERE run_id = ?1 AND task_id = ?2 AND attempt = ?3",
             {a.run_id, a.task_id, static_cast<int64_t>(a.attempt), a.status, a.ended_at,
              static_cast<int64_t>(a.exit_code), a.message, snap, a.table, nlohmann::json(a.inputs).dump()},
             "finishing attempt");
}

Result<std::vector<AttemptRecord>> StateStore::Attempts(const std::string& run_id, const std::string& task_id) {
  std::lock_guard<std::mutex> l(mu_);
  Stmt s(db_,
         "SELECT task_id, attempt, status, started_at, ended_at, exit_code, log_path, message, snapshot_id, "
         "table_name, inputs FROM attempts WHERE run_id = ?1 AND (?2 = '' OR task_id = ?2) ORDER BY started_at, attempt",
         {run_id, task_id});
  std::vector<AttemptRecord> out;
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) {
    AttemptRecord a;
    a.run_id = run_id;
    a.task_id = s.Text(0);
    a.attempt = static_cast<int>(s.Int(1));
    a.status = s.Text(2);
    a.started_at = s.Real(3);
    a.ended_at = s.Real(4);
    a.exit_code = s.Null(5) ? -1 : static_cast<int>(s.Int(5));
    a.log_path = s.Text(6);
    a.message = s.Text(7);
    if (!s.Null(8)) a.snapshot_id = s.Int(8);
    a.table = s.Text(9);
    auto in = nlohmann::json::parse(s.Text(10), nullptr, false);
    if (in.is_array())
      for (const auto& x : in)
        if (x.is_string()) a.inputs.push_back(x.get<std::string>());
    out.push_back(a);
  }
  if (rc != SQLITE_DONE) return s.Error("reading attempts");
  return out;
}

Result<bool> StateStore::QueueRun(const RunRecord& r) {
  std::lock_guard<std::mutex> l(mu_);
  LDP_RETURN_NOT_OK(Run(db_,
                        "INSERT INTO runs (run_id, pipeline, logical_date, interval_start, interval_end, status, "
                        "run_trigger, started_at, ended_at, owner_pid) VALUES (?1, ?2, ?3, ?4, ?5, 'queued', ?6, NULL, "
                        "NULL, 0) ON CONFLICT (run_id) DO UPDATE SET status = 'queued', run_trigger = ?6, "
                        "owner_pid = 0 WHERE status != 'running'",
                        {r.run_id, r.pipeline, r.logical_date, r.interval_start, r.interval_end, r.trigger},
                        "queueing run"));
  return sqlite3_changes(db_) > 0;
}

Status StateStore::SetPaused(const std::string& pipeline, bool paused) {
  std::lock_guard<std::mutex> l(mu_);
  return Run(db_,
             "INSERT INTO pipeline_state (pipeline, paused) VALUES (?1, ?2) "
             "ON CONFLICT (pipeline) DO UPDATE SET paused = ?2",
             {pipeline, static_cast<int64_t>(paused)}, "pausing pipeline");
}

Result<bool> StateStore::IsPaused(const std::string& pipeline) {
  std::lock_guard<std::mutex> l(mu_);
  Stmt s(db_, "SELECT paused FROM pipeline_state WHERE pipeline = ?1", {pipeline});
  int rc = s.Step();
  if (rc == SQLITE_ROW) return s.Int(0) != 0;
  if (rc == SQLITE_DONE) return false;
  return s.Error("reading pipeline state");
}

Result<int> StateStore::FailInterrupted(const std::string& pipeline, double now) {
  std::lock_guard<std::mutex> l(mu_);
  std::vector<std::string> dead;
  {
    Stmt s(db_, "SELECT run_id, owner_pid FROM runs WHERE pipeline = ?1 AND status = 'running'",
           {pipeline});
    int rc;
    while ((rc = s.Step()) == SQLITE_ROW) {
      pid_t pid = static_cast<pid_t>(s.Int(1));
      bool alive = pid > 0 && pid != getpid() && (kill(pid, 0) == 0 || errno == EPERM);
      if (!alive) dead.push_back(s.Text(0));
    }
    if (rc != SQLITE_DONE) return s.Error("finding interrupted runs");
  }
  int marked = 0;
  for (const auto& run_id : dead) {
    LDP_RETURN_NOT_OK(Run(db_,
                          "UPDATE attempts SET status = 'failed', ended_at = ?2, message = 'interrupted: the process "
                          "running it ended' WHERE run_id = ?1 AND status = 'running'",
                          {run_id, now}, "marking interrupted attempts"));
    marked += sqlite3_changes(db_);
    LDP_RETURN_NOT_OK(Run(db_,
                          "UPDATE task_instances SET status = 'failed', ended_at = ?2, message = 'interrupted' "
                          "WHERE run_id = ?1 AND status IN ('running', 'queued', 'up_for_retry')",
                          {run_id, now}, "marking interrupted tasks"));
    LDP_RETURN_NOT_OK(Run(db_, "UPDATE runs SET status = 'interrupted', ended_at = ?2 WHERE run_id = ?1",
                          {run_id, now}, "marking interrupted runs"));
  }
  return marked;
}

}  // namespace ldp::orchestrator
