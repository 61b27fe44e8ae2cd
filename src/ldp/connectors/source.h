#pragma once
// Sources: where non-file data comes from (REST APIs, PostgreSQL, BigQuery). A source streams its
// records into local staging files in bounded memory (ldp never holds a dataset); DuckDB then reads
// them through `relation_sql`, and the Iceberg write path commits one snapshot from that relation
// (docs/adr/0019-connectors.md).
//
// Thread-safety: a Source is used by one thread.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ldp/connectors/options.h"
#include "ldp/core/clock.h"
#include "ldp/core/status.h"

namespace ldp::connectors {

/// A folder of staging files for one extraction, removed with everything in it when destroyed.
class Stage {
 public:
  /// Creates `<parent>/<unique name>`.
  static Result<std::unique_ptr<Stage>> Make(const std::string& parent);
  ~Stage();
  Stage(const Stage&) = delete;
  Stage& operator=(const Stage&) = delete;
  const std::string& dir() const { return dir_; }
  /// A fresh file name in the folder ("<prefix>-00001.<ext>").
  std::string NextFile(const std::string& prefix, const std::string& ext);

 private:
  explicit Stage(std::string dir) : dir_(std::move(dir)) {}
  std::string dir_;
  int counter_ = 0;
};

/// Newline-delimited JSON chunk files: records are appended as they arrive and a new file is
/// started every `max_bytes`, so memory holds at most one page.
class NdjsonWriter {
 public:
  NdjsonWriter(Stage* stage, int64_t max_bytes = 64 << 20) : stage_(stage), max_bytes_(max_bytes) {}
  ~NdjsonWriter();
  Status Write(const std::string& json_line);
  Status Close();
  const std::vector<std::string>& files() const { return files_; }
  int64_t records() const { return records_; }

 private:
  Stage* stage_;
  int64_t max_bytes_;
  std::FILE* out_ = nullptr;
  int64_t bytes_ = 0, records_ = 0;
  std::vector<std::string> files_;
};

/// What an extraction staged.
struct Extracted {
  /// A DuckDB relation over the staged files (a table function call or a subquery in
  /// parentheses); empty when the source had no records.
  std::string relation_sql;
  int64_t records = 0;
  int64_t pages = 0;  ///< requests / COPY chunks
  std::vector<std::string> files;
  /// The field (column of the relation) whose maximum becomes the incremental cursor; "" = none.
  std::string cursor_field;
};

class Source {
 public:
  virtual ~Source() = default;
  /// Stages every record (only those after `last_cursor` for an incremental source). Errors name
  /// the page/table at fault and never contain secrets.
  virtual Result<Extracted> Extract(Stage& stage, const std::optional<std::string>& last_cursor) = 0;
};

/// Per-run dependencies that tests replace.
struct SourceContext {
  Clock* clock = nullptr;  ///< waits between retries; nullptr = the system clock
};

/// The source the options pick (kRest, kPostgres, kBigQuery).
Result<std::unique_ptr<Source>> MakeSource(const ConnectorOptions& options, const SourceContext& ctx = {});

}  // namespace ldp::connectors
