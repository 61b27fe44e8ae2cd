#pragma once
// A synthetic month of NYC yellow-taxi trips with exactly the schema of the TLC's
// yellow_tripdata_2023-01.parquet (19 columns, same names, order and Parquet types), so demos,
// tests and benchmarks have realistic data without downloading anything.
//
// The rows are made inside DuckDB by one COPY statement. Every random draw is a hash of
// (row number, stream, seed), never DuckDB's random(), so a given seed yields the same file byte
// for byte whatever the thread count. Rows come out in pickup-time order (apart from a few minutes
// of jitter and a handful of deliberate outliers), as the real file roughly is.
//
// What is modelled (approximately, from research/orchestration.md 6.2): pickups over the month with
// a weekday and weekend daily cycle; trip durations (median ~11 min, ~98% between 1 and 60 min,
// a long tail); distance from duration and speed; skewed pickup/dropoff zones with JFK and
// LaGuardia; metered fares, JFK flat fares, negotiated fares; card tips; tolls; the correlated
// block of ~2.3% rows with NULL passenger_count/RatecodeID/store_and_fwd_flag/
// congestion_surcharge/airport_fee and payment_type 0; ~0.9% refunds with negated amounts;
// total_amount equal to the sum of its components; rare outliers (odd years, absurd distances).
//
// Thread-safety: the functions are stateless; the Connection must not be used concurrently.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ldp/core/status.h"
#include "ldp/engine/engine.h"

namespace ldp::demo {

/// Rows in the real yellow_tripdata_2023-01.parquet.
inline constexpr int64_t kTaxiMonthRows = 3066766;

struct TaxiOptions {
  int64_t rows = kTaxiMonthRows;  ///< >= 0
  uint64_t seed = 42;             ///< same seed, same bytes
  int year = 2023;                ///< 1900..9999; the month the pickups fall in
  int month = 1;                  ///< 1..12
};

/// One output column: its name and DuckDB type.
struct TaxiColumn {
  std::string_view name;
  std::string_view duckdb_type;
};

/// The 19 columns of the 2023-01 file, in order.
const std::vector<TaxiColumn>& TaxiColumns();

/// The SELECT that produces the month's rows, in output order. For callers that want another
/// format (CSV) or a table instead of Parquet. InvalidArgument when an option is out of range.
Result<std::string> TaxiMonthQuery(const TaxiOptions& options);

/// Writes the month as one zstd Parquet file at `parquet_path` (overwritten if present), row
/// groups of 1,048,576 rows; the same bytes as COPY of TaxiMonthQuery(), only faster on several
/// threads. Uses (and drops) a temporary table `ldp_demo_taxi_row_ids` on `conn`.
/// `progress`, when set, is called from this thread while DuckDB works.
/// InvalidArgument for bad options; IOError (or DuckDB's error) when the file cannot be written.
Status GenerateTaxiMonth(engine::Connection& conn, const TaxiOptions& options,
                         const std::string& parquet_path,
                         const engine::ProgressCallback& progress = {});

}  // namespace ldp::demo
