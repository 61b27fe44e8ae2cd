#pragma once
// The PostgreSQL source: a table or a query, whole or incremental (rows whose cursor column is
// greater than the last run's maximum), read with `COPY (...) TO STDOUT (FORMAT csv)` into
// staging CSV chunks that DuckDB reads with the types mapped from PostgreSQL's (PgTypeToDuck).
//
// Options: uri (postgresql://user:pw@host:port/db[?table=T|query=SQL]), table, query,
// incremental.cursor_field (alias cursor_column), chunk_bytes.
//
// Thread-safety: one thread.

#include <memory>

#include "ldp/connectors/postgres_client.h"
#include "ldp/connectors/source.h"

namespace ldp::connectors {

/// How one PostgreSQL column travels: the expression COPY sends, the DuckDB type read_csv
/// reads it as, and the expression that turns that into the final column.
struct PgColumnMapping {
  std::string pg_select;   ///< e.g. "encode(\"b\", 'hex')"
  std::string csv_type;    ///< type in read_csv's columns
  std::string duck_select; ///< e.g. "from_hex(\"b\") AS \"b\""
};

/// The mapping for a column (numeric(p,s) p<=38 -> DECIMAL(p,s), other numeric -> VARCHAR;
/// timestamptz -> TIMESTAMPTZ; json/jsonb -> VARCHAR (JSON text); arrays -> lists; uuid -> UUID;
/// bytea -> BLOB; unknown types -> VARCHAR in their text form).
PgColumnMapping MapPgColumn(const PgColumn& column);

class PostgresSource final : public Source {
 public:
  static Result<std::unique_ptr<Source>> Make(const ConnectorOptions& options);
  Result<Extracted> Extract(Stage& stage, const std::optional<std::string>& last_cursor) override;

 private:
  explicit PostgresSource(const ConnectorOptions& o) : o_(o) {}
  const ConnectorOptions& o_;
  std::string conninfo_, table_, query_, cursor_;
  int64_t chunk_bytes_ = 256 << 20;
};

}  // namespace ldp::connectors
