#pragma once
// Reading data files that other writers left without what ldp's own files always have
// (docs/adr/0021-foreign-tables.md): Parquet field ids (files of migrated Hive tables, read
// through the table's schema.name-mapping.default) and identity-partition source columns (filled
// from the file's partition values). Such files are read through their Parquet schema
// (parquet_schema()) and projected into the current schema by field id.
//
// Thread-safety: free functions over values.

#include <functional>
#include <map>
#include <optional>
#include <string>

#include "ldp/core/status.h"
#include "ldp/iceberg/manifest.h"
#include "ldp/iceberg/name_mapping.h"
#include "ldp/iceberg/scan.h"
#include "ldp/iceberg/schema.h"
#include "ldp/iceberg/table_metadata.h"
#include "ldp/io/file_system.h"

namespace ldp::services {

/// Checks that every data and delete file of `plan` exists, before `ldp register` or `ldp clone`
/// writes anything: a stat each on the local disk; files on object storage (s3://, s3a://, gs://)
/// are left to the first read, which names a missing one (a request per file would be slow).
/// `missing(what, path)` makes the error for the first absent file ("data file" / "delete file").
Status CheckPlanFilesExist(io::FileSystem& fs, const iceberg::ScanPlan& plan,
                           const std::function<Status(const char* what, const std::string& path)>& missing);

/// Whether `file` must be read through its Parquet schema: the table has a name mapping, or an
/// identity partition source column of the file's spec has no metrics in the file (so the
/// column may be absent from it). ldp's own files never need this.
bool NeedsParquetSchema(const iceberg::TableMetadata& md, const iceberg::DataFile& file);

/// The table's name mapping, when it has one (InvalidArgument when it does not parse).
Result<std::optional<iceberg::NameMapping>> TableNameMapping(const iceberg::TableMetadata& md);

/// SQL constants for the current schema's top-level fields that `file_schema` lacks and that an
/// identity partition field of the file's spec fills: field id -> SQL expression.
std::map<int32_t, std::string> PartitionConstants(const iceberg::TableMetadata& md, const iceberg::Schema& current,
                                                  const iceberg::Schema& file_schema, const iceberg::DataFile& file);

}  // namespace ldp::services
