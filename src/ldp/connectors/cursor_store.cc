#include "ldp/connectors/cursor_store.h"

#include <sqlite3.h>

#include <filesystem>

namespace ldp::connectors {
namespace {

Status Err(sqlite3* db, const char* what) { return IOError("connector state ({}): {}", what, sqlite3_errmsg(db)); }

std::string Text(sqlite3_stmt* s, int i) {
  auto* t = sqlite3_column_text(s, i);
  return t ? reinterpret_cast<const char*>(t) : "";
}

CursorRecord Read(sqlite3_stmt* s) {
  CursorRecord r;
  r.source = Text(s, 0);
  r.cursor_field = Text(s, 1);
  r.value = Text(s, 2);
  r.target = Text(s, 3);
  r.updated_at = sqlite3_column_double(s, 4);
  r.snapshot_id = sqlite3_column_int64(s, 5);
  return r;
}

constexpr const char* kColumns = "source, cursor_field, value, target, updated_at, snapshot_id";

}  // namespace

Result<std::unique_ptr<CursorStore>> CursorStore::Open(const std::string& path) {
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                      nullptr) != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return IOError("opening connector state {}: {}", path, msg);
  }
  sqlite3_busy_timeout(db, 10000);
  std::unique_ptr<CursorStore> s(new CursorStore(db));
  const char* init =
      "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
      "CREATE TABLE IF NOT EXISTS cursors (source TEXT PRIMARY KEY, cursor_field TEXT NOT NULL, "
      "value TEXT NOT NULL, target TEXT, updated_at REAL, snapshot_id INTEGER)";
  if (sqlite3_exec(db, init, nullptr, nullptr, nullptr) != SQLITE_OK) return Err(db, path.c_str());
  return s;
}

CursorStore::~CursorStore() { sqlite3_close(db_); }

Result<std::optional<CursorRecord>> CursorStore::Get(const std::string& source) {
  std::lock_guard<std::mutex> l(mu_);
  sqlite3_stmt* s = nullptr;
  std::string sql = std::string("SELECT ") + kColumns + " FROM cursors WHERE source = ?1";
  if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &s, nullptr) != SQLITE_OK) return Err(db_, "get");
  sqlite3_bind_text(s, 1, source.c_str(), -1, SQLITE_TRANSIENT);
  std::optional<CursorRecord> out;
  int rc = sqlite3_step(s);
  if (rc == SQLITE_ROW) out = Read(s);
  sqlite3_finalize(s);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) return Err(db_, "get");
  return out;
}

Result<std::vector<CursorRecord>> CursorStore::List() {
  std::lock_guard<std::mutex> l(mu_);
  sqlite3_stmt* s = nullptr;
  std::string sql = std::string("SELECT ") + kColumns + " FROM cursors ORDER BY source";
  if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &s, nullptr) != SQLITE_OK) return Err(db_, "list");
  std::vector<CursorRecord> out;
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) out.push_back(Read(s));
  sqlite3_finalize(s);
  if (rc != SQLITE_DONE) return Err(db_, "list");
  return out;
}

Status CursorStore::Put(const CursorRecord& r) {
  std::lock_guard<std::mutex> l(mu_);
  sqlite3_stmt* s = nullptr;
  const char* sql =
      "INSERT INTO cursors (source, cursor_field, value, target, updated_at, snapshot_id) VALUES (?1,?2,?3,?4,?5,?6) "
      "ON CONFLICT (source) DO UPDATE SET cursor_field = excluded.cursor_field, value = excluded.value, "
      "target = excluded.target, updated_at = excluded.updated_at, snapshot_id = excluded.snapshot_id";
  if (sqlite3_prepare_v2(db_, sql, -1, &s, nullptr) != SQLITE_OK) return Err(db_, "put");
  sqlite3_bind_text(s, 1, r.source.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(s, 2, r.cursor_field.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(s, 3, r.value.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(s, 4, r.target.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_double(s, 5, r.updated_at);
  sqlite3_bind_int64(s, 6, r.snapshot_id);
  int rc = sqlite3_step(s);
  sqlite3_finalize(s);
  if (rc != SQLITE_DONE) return Err(db_, "put");
  return Status::OK();
}

Status CursorStore::Reset(const std::string& source) {
  std::lock_guard<std::mutex> l(mu_);
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v2(db_, "DELETE FROM cursors WHERE source = ?1", -1, &s, nullptr) != SQLITE_OK)
    return Err(db_, "reset");
  sqlite3_bind_text(s, 1, source.c_str(), -1, SQLITE_TRANSIENT);
  int rc = sqlite3_step(s);
  sqlite3_finalize(s);
  if (rc != SQLITE_DONE) return Err(db_, "reset");
  if (sqlite3_changes(db_) == 0) return NotFound("source '{}' has no saved cursor", source);
  return Status::OK();
}

}  // namespace ldp::connectors
