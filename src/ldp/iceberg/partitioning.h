#pragma once
// Partition specs as users write them ("day(ts), bucket(16, id)"), their binding to a schema,
// spec evolution (format v2 rules), partition values in manifests, and partition pruning: the
// spec's inclusive projection of row predicates onto partition values and manifest summaries.
//
// Thread-safety: free functions over values; safe from any thread.

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ldp/core/status.h"
#include "ldp/iceberg/literal.h"
#include "ldp/iceberg/manifest.h"
#include "ldp/iceberg/scan.h"
#include "ldp/iceberg/schema.h"
#include "ldp/iceberg/table_metadata.h"
#include "ldp/iceberg/transforms.h"

namespace ldp::iceberg {

/// One term of a partition text: `col` or `identity(col)`, `bucket(N, col)`, `truncate(W, col)`,
/// `year(col)`, `month(col)`, `day(col)`, `hour(col)`, `void(col)`. Also accepted: the spec's own
/// spelling `bucket[N](col)` and `truncate[W](col)`.
struct PartitionTerm {
  Transform transform;
  std::string column;
  std::string text;  ///< the term as written, for error messages
};

/// Parses a comma-separated partition text. "" and "unpartitioned" (any case) give no terms.
/// InvalidArgument names the bad term ("partition term 'bucket(0, id)': ...").
Result<std::vector<PartitionTerm>> ParsePartitionTerms(std::string_view text);

/// Binds terms to `schema`: resolves each column (exact name, else a unique case-insensitive
/// match; top-level primitive columns only), checks that the transform applies to its type, names
/// the field as Java does (`col`, `col_bucket`, `col_trunc`, `col_year`, `col_month`, `col_day`,
/// `col_hour`, `col_null`) and assigns field ids: a field with the same source column and
/// transform as a field of any spec in `previous` keeps that field's id and name (v2 evolution);
/// other fields get ids after `last_partition_id` (999 for a new table). InvalidArgument names
/// the term and column at fault; a column or a (column, transform) pair given twice is refused.
Result<PartitionSpec> BindPartitionSpec(const std::vector<PartitionTerm>& terms, const Schema& schema,
                                        int32_t spec_id, const std::vector<PartitionSpec>& previous,
                                        int32_t last_partition_id);

/// Whether two specs partition the same way (same fields: source, transform, in order; names
/// and ids are not compared).
bool SameLayout(const PartitionSpec& a, const PartitionSpec& b);

/// The outcome of evolving a table's partition spec.
struct SpecEvolution {
  std::shared_ptr<TableMetadata> metadata;  ///< base with the new default spec
  bool changed = false;                     ///< false when the spec already was the default
  int32_t spec_id = 0;                      ///< the new default spec id
};

/// Evolves `base` to partition by `text` (v2 rules): a spec with the same layout as an existing one
/// becomes the default again; otherwise a new spec (id = highest + 1) is added with field ids from
/// BindPartitionSpec, last-partition-id is raised, and it becomes the default. Data files keep the
/// spec they were written with. `text` "" / "unpartitioned" goes back to an unpartitioned spec.
Result<SpecEvolution> EvolvePartitionSpec(const TableMetadata& base, std::string_view text);

/// The spec as a user would write it: "day(tpep_pickup_datetime), bucket(16, PULocationID)", or
/// "unpartitioned". Columns that no longer exist show as their source id ("#7").
std::string PartitionSpecText(const PartitionSpec& spec, const Schema& schema);

/// The manifest (Avro) description of a spec's partition struct: field ids, names and the
/// transforms' result types against `schema`. InvalidArgument when a source column is missing.
Result<std::vector<PartitionFieldInfo>> PartitionFieldInfos(const PartitionSpec& spec, const Schema& schema);

/// A partition value in its manifest form from a transform result of `type` (nullopt = null), and
/// back (nullopt when the stored value does not fit the type).
PartitionValue ToPartitionValue(const Type& type, const std::optional<Literal>& value);
std::optional<Literal> FromPartitionValue(const Type& type, const PartitionValue& value);

/// Predicates on partition values: field_id is the partition field id, values are literals of the
/// transform's result type.
struct PartitionFilter {
  int32_t spec_id = 0;
  std::vector<ColumnPredicate> predicates;
  std::vector<TypePtr> result_types;  ///< per spec field
  std::vector<int32_t> field_ids;     ///< per spec field
};

/// The inclusive projection (spec "Scan Planning") of row predicates on source columns through
/// `spec`'s transforms: every row that matches the predicates lies in a partition that matches the
/// projection. Predicates on columns the spec does not partition by, and those a transform cannot
/// project (a range on a bucket), are left out.
PartitionFilter ProjectPredicates(const PartitionSpec& spec, const Schema& schema,
                                  const std::vector<ColumnPredicate>& predicates);

/// Whether a partition tuple may hold matching rows (false only when the projection proves not).
bool PartitionMayMatch(const PartitionFilter& filter, const std::vector<PartitionValue>& partition);

/// Whether a manifest may hold matching files, by its partition field summaries.
bool ManifestMayMatch(const PartitionFilter& filter, const ManifestFile& manifest);

/// Whether a data file may hold matching rows: first its partition tuple (through the spec it was
/// written with, `file.spec_id`), then its column metrics (FileMayMatch).
bool DataFileMayMatch(const TableMetadata& metadata, const Schema& schema, const DataFile& file,
                      const std::vector<ColumnPredicate>& predicates);

}  // namespace ldp::iceberg
