#pragma once
// `ldp alter`: schema evolution of a table as one commit (iceberg/schema_update.h does the
// schema logic; this loads the table, applies the changes and commits with retries).
//
// Thread-safety: free functions; safe when each thread uses its own Project.

#include <cstdint>
#include <string>
#include <vector>

#include "ldp/catalog/catalog.h"
#include "ldp/core/status.h"
#include "ldp/iceberg/schema_update.h"
#include "ldp/services/project.h"

namespace ldp::services {

struct AlterOptions {
  catalog::TableIdentifier table;
  std::vector<iceberg::SchemaChange> changes;
};

struct AlterResult {
  catalog::TableIdentifier table;
  bool committed = false;       ///< false when the changes left the schema as it was
  bool new_schema = false;      ///< a schema id was added (else an equal earlier one was reused)
  int32_t previous_schema_id = 0;
  int32_t schema_id = 0;        ///< current schema id afterwards
  int32_t last_column_id = 0;
  std::vector<std::string> applied;  ///< SchemaChange::Describe() of each change
  std::string metadata_location;
  int commit_attempts = 0;
};

/// Applies the changes as one new schema (or an equal earlier one) and commits it. On a lost
/// race the changes are applied again to the new base (and refused if they no longer fit).
/// InvalidArgument names the column and the reason; nothing is written then.
Result<AlterResult> AlterTable(Project& project, const AlterOptions& options);

/// Parses `--add-column "name type"` (the type as `ldp describe` writes it; the name may be a
/// dotted path into a struct; a name with spaces goes in double quotes).
Result<iceberg::SchemaChange> ParseAddColumn(const std::string& text);
/// Parses `--rename-column "old:new"` / "old new" / "old=new".
Result<iceberg::SchemaChange> ParseRename(const std::string& text);
/// Parses `--change-type "name type"`.
Result<iceberg::SchemaChange> ParseTypeChange(const std::string& text);
/// Parses `--move-column "name first"`, "name after other", "name before other".
Result<iceberg::SchemaChange> ParseMove(const std::string& text);
/// Parses a position suffix ("first", "after X", "before X") into `change`.
Status ParsePosition(const std::string& text, iceberg::SchemaChange* change);

}  // namespace ldp::services
