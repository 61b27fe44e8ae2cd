#pragma once
// Incremental cursors: the last cursor value of each source, in a SQLite file under the warehouse
// (<warehouse>/_ldp/connectors.db), the same way the orchestrator keeps its run state
// (orchestrator/state_store.h: WAL, busy timeout). A cursor is saved only after the target commit
// succeeded, so a failed run fetches the same records again next time.
//
// Thread-safety: thread-safe (one connection behind a mutex); several processes may share the file.

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "ldp/core/status.h"

struct sqlite3;

namespace ldp::connectors {

struct CursorRecord {
  std::string source;        ///< the state name (config `name:`, else the target table)
  std::string cursor_field;
  std::string value;
  std::string target;        ///< the table or sink the cursor's rows went to
  double updated_at = 0;     ///< seconds since the epoch
  int64_t snapshot_id = 0;   ///< the snapshot that committed the rows (0 for non-Iceberg targets)
};

class CursorStore {
 public:
  /// Opens (creating when missing) the store at `path`.
  static Result<std::unique_ptr<CursorStore>> Open(const std::string& path);
  ~CursorStore();

  /// The cursor of `source`, or nullopt when it has none.
  Result<std::optional<CursorRecord>> Get(const std::string& source);
  Result<std::vector<CursorRecord>> List();
  Status Put(const CursorRecord& record);
  /// Removes the cursor of `source`; NotFound when there is none.
  Status Reset(const std::string& source);

 private:
  explicit CursorStore(sqlite3* db) : db_(db) {}
  std::mutex mu_;
  sqlite3* db_;
};

}  // namespace ldp::connectors
