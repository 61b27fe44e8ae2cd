#include "ldp/demo/nyc_taxi.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ldp/engine/engine.h"
#include "testing/temp_dir.h"

namespace ldp::demo {
namespace {

constexpr int64_t kRows = 200000;

std::string ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// One 200k-row file (seed 42) shared by the tests that only read it.
class NycTaxiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir();
    path_ = new std::string(dir_->Join("taxi.parquet"));
    auto db = engine::Database::Open();
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value().release();
    auto conn = db_->Connect();
    ASSERT_TRUE(conn.ok()) << conn.status().ToString();
    conn_ = std::move(conn).value().release();
    TaxiOptions options;
    options.rows = kRows;
    Status st = GenerateTaxiMonth(*conn_, options, *path_);
    ASSERT_TRUE(st.ok()) << st.ToString();
    st = conn_->Execute(fmt::format(
        "CREATE VIEW taxi AS SELECT *, epoch(tpep_dropoff_datetime - tpep_pickup_datetime) / 60"
        " AS minutes FROM read_parquet({})",
        engine::QuoteLiteral(*path_)));
    ASSERT_TRUE(st.ok()) << st.ToString();
  }
  static void TearDownTestSuite() {
    delete conn_;
    delete db_;
    delete path_;
    delete dir_;
  }

  // The single value of `sql` as a double.
  static double Scalar(const std::string& sql) {
    auto v = conn_->QueryScalar(sql);
    EXPECT_TRUE(v.ok()) << sql << " -> " << v.status().ToString();
    if (!v.ok() || !v->has_value()) return -1e300;
    return std::stod(**v);
  }

  static testing::TempDir* dir_;
  static std::string* path_;
  static engine::Database* db_;
  static engine::Connection* conn_;
};
testing::TempDir* NycTaxiTest::dir_ = nullptr;
std::string* NycTaxiTest::path_ = nullptr;
engine::Database* NycTaxiTest::db_ = nullptr;
engine::Connection* NycTaxiTest::conn_ = nullptr;

TEST_F(NycTaxiTest, HasTheExactSchemaOfTheTlcFile) {
  ASSERT_OK_AND_ASSIGN(auto res, conn_->Query(fmt::format(
                                     "SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM "
                                     "read_parquet({}))",
                                     engine::QuoteLiteral(*path_))));
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"VendorID", "BIGINT"},
      {"tpep_pickup_datetime", "TIMESTAMP"},
      {"tpep_dropoff_datetime", "TIMESTAMP"},
      {"passenger_count", "DOUBLE"},
      {"trip_distance", "DOUBLE"},
      {"RatecodeID", "DOUBLE"},
      {"store_and_fwd_flag", "VARCHAR"},
      {"PULocationID", "BIGINT"},
      {"DOLocationID", "BIGINT"},
      {"payment_type", "BIGINT"},
      {"fare_amount", "DOUBLE"},
      {"extra", "DOUBLE"},
      {"mta_tax", "DOUBLE"},
      {"tip_amount", "DOUBLE"},
      {"tolls_amount", "DOUBLE"},
      {"improvement_surcharge", "DOUBLE"},
      {"total_amount", "DOUBLE"},
      {"congestion_surcharge", "DOUBLE"},
      {"airport_fee", "DOUBLE"}};
  ASSERT_EQ(res.rows.size(), expected.size());
  for (size_t k = 0; k < expected.size(); ++k) {
    EXPECT_EQ(res.rows[k][0].value_or(""), expected[k].first) << "column " << k;
    EXPECT_EQ(res.rows[k][1].value_or(""), expected[k].second) << "column " << k;
  }
  ASSERT_EQ(TaxiColumns().size(), expected.size());
  for (size_t k = 0; k < expected.size(); ++k) {
    EXPECT_EQ(TaxiColumns()[k].name, expected[k].first);
    EXPECT_EQ(TaxiColumns()[k].duckdb_type, expected[k].second);
  }

  // Parquet level: microsecond timestamps without UTC adjustment, 64-bit integers, zstd.
  EXPECT_EQ(Scalar(fmt::format("SELECT count(*) FROM parquet_schema({}) WHERE type = 'INT64' AND "
                               "converted_type = 'TIMESTAMP_MICROS' AND logical_type LIKE "
                               "'%isAdjustedToUTC=0%'",
                               engine::QuoteLiteral(*path_))),
            2);
  EXPECT_EQ(Scalar(fmt::format("SELECT count(*) FROM parquet_schema({}) WHERE type = 'INT64' AND "
                               "converted_type = 'INT_64'",
                               engine::QuoteLiteral(*path_))),
            4);
  EXPECT_EQ(Scalar(fmt::format("SELECT count(*) FROM parquet_metadata({}) WHERE compression <> "
                               "'ZSTD'",
                               engine::QuoteLiteral(*path_))),
            0);
}

TEST_F(NycTaxiTest, RowCount) { EXPECT_EQ(Scalar("SELECT count(*) FROM taxi"), kRows); }

TEST_F(NycTaxiTest, NullBlockIsCorrelatedAndAboutTwoPercent) {
  // Either all five columns are NULL and payment_type is 0, or none is NULL and payment_type > 0.
  EXPECT_EQ(Scalar("SELECT count(*) FROM taxi WHERE (passenger_count IS NULL)::INT + "
                   "(RatecodeID IS NULL)::INT + (store_and_fwd_flag IS NULL)::INT + "
                   "(congestion_surcharge IS NULL)::INT + (airport_fee IS NULL)::INT + "
                   "(payment_type = 0)::INT NOT IN (0, 6)"),
            0);
  double null_share = Scalar("SELECT avg((passenger_count IS NULL)::INT) FROM taxi");
  EXPECT_GT(null_share, 0.018);
  EXPECT_LT(null_share, 0.029);
  EXPECT_EQ(Scalar("SELECT count(*) FROM taxi WHERE VendorID IS NULL OR trip_distance IS NULL OR "
                   "PULocationID IS NULL OR fare_amount IS NULL OR total_amount IS NULL"),
            0);
}

TEST_F(NycTaxiTest, DurationsLookLikeTaxiTrips) {
  double in_range = Scalar("SELECT avg((minutes BETWEEN 1 AND 60)::INT) FROM taxi");
  EXPECT_GT(in_range, 0.965);
  EXPECT_LT(in_range, 0.99);
  double median = Scalar("SELECT median(minutes) FROM taxi");
  EXPECT_GT(median, 9);
  EXPECT_LT(median, 14);
  double sd = Scalar("SELECT stddev(minutes) FROM taxi");  // 42.59 in the real file
  EXPECT_GT(sd, 30);
  EXPECT_LT(sd, 55);
  // A few clock errors, not many.
  double negative = Scalar("SELECT avg((minutes < 0)::INT) FROM taxi");
  EXPECT_GT(negative, 0);
  EXPECT_LT(negative, 0.001);
}

TEST_F(NycTaxiTest, PickupsFillTheMonthWithADailyCycle) {
  double in_month = Scalar(
      "SELECT avg((tpep_pickup_datetime >= TIMESTAMP '2023-01-01' AND tpep_pickup_datetime < "
      "TIMESTAMP '2023-02-01')::INT) FROM taxi");
  EXPECT_GT(in_month, 0.999);
  EXPECT_LT(in_month, 1.0);  // with the usual handful of stray clocks
  EXPECT_EQ(Scalar("SELECT count(DISTINCT day(tpep_pickup_datetime)) FROM taxi WHERE "
                   "month(tpep_pickup_datetime) = 1 AND year(tpep_pickup_datetime) = 2023"),
            31);
  double night = Scalar("SELECT count(*) FROM taxi WHERE hour(tpep_pickup_datetime) = 4");
  double evening = Scalar("SELECT count(*) FROM taxi WHERE hour(tpep_pickup_datetime) = 18");
  EXPECT_GT(evening, 5 * night);
  // The file is in pickup order apart from a few minutes of jitter and the strays.
  EXPECT_LT(Scalar("SELECT count(*) FROM (SELECT tpep_pickup_datetime AS p, "
                   "lag(tpep_pickup_datetime) OVER (ORDER BY file_row_number) AS prev FROM "
                   "read_parquet(" +
                   engine::QuoteLiteral(*path_) +
                   ", file_row_number = true)) WHERE p < prev - INTERVAL 10 MINUTE"),
            20);
}

TEST_F(NycTaxiTest, MoneyIsPlausibleAndTotalsAddUp) {
  double mean_fare = Scalar("SELECT avg(fare_amount) FROM taxi");  // ~18.4 in the real file
  EXPECT_GT(mean_fare, 15);
  EXPECT_LT(mean_fare, 22);
  double mean_tip = Scalar("SELECT avg(tip_amount) FROM taxi");
  EXPECT_GT(mean_tip, 2.5);
  EXPECT_LT(mean_tip, 4.5);
  double refunds = Scalar("SELECT avg((fare_amount < 0)::INT) FROM taxi");
  EXPECT_GT(refunds, 0.003);
  EXPECT_LT(refunds, 0.02);
  EXPECT_EQ(Scalar("SELECT count(*) FROM taxi WHERE tip_amount > 0 AND payment_type = 2"), 0);
  EXPECT_LT(Scalar("SELECT max(abs(total_amount - (fare_amount + extra + mta_tax + tip_amount + "
                   "tolls_amount + improvement_surcharge + coalesce(congestion_surcharge, 0) + "
                   "coalesce(airport_fee, 0)))) FROM taxi"),
            0.011);
  // Payment types: card dominates, then cash; 0 only in the null block.
  double card = Scalar("SELECT avg((payment_type = 1)::INT) FROM taxi");
  double cash = Scalar("SELECT avg((payment_type = 2)::INT) FROM taxi");
  EXPECT_GT(card, 0.74);
  EXPECT_LT(card, 0.82);
  EXPECT_GT(cash, 0.14);
  EXPECT_LT(cash, 0.21);
  EXPECT_EQ(Scalar("SELECT count(*) FROM taxi WHERE payment_type NOT IN (0, 1, 2, 3, 4)"), 0);
  double vendor2 = Scalar("SELECT avg((VendorID = 2)::INT) FROM taxi");
  EXPECT_GT(vendor2, 0.70);
  EXPECT_LT(vendor2, 0.76);
}

TEST_F(NycTaxiTest, ZonesAreSkewedTowardsManhattanAndAirports) {
  EXPECT_EQ(Scalar("SELECT count(*) FROM taxi WHERE PULocationID NOT BETWEEN 1 AND 265 OR "
                   "DOLocationID NOT BETWEEN 1 AND 265"),
            0);
  EXPECT_GT(Scalar("SELECT count(DISTINCT PULocationID) FROM taxi"), 200);
  // The ten busiest pickup zones carry a large share, as in the real data.
  double top10 = Scalar("SELECT sum(n) / " + std::to_string(kRows) +
                        " FROM (SELECT count(*) AS n FROM taxi GROUP BY PULocationID ORDER BY n "
                        "DESC LIMIT 10)");
  EXPECT_GT(top10, 0.3);
  EXPECT_EQ(Scalar("SELECT count(*) FROM taxi WHERE abs(airport_fee) > 0 AND PULocationID NOT IN "
                   "(132, 138)"),
            0);
  double jfk_flat = Scalar("SELECT avg((RatecodeID = 2)::INT) FROM taxi");
  EXPECT_GT(jfk_flat, 0.02);
  EXPECT_LT(jfk_flat, 0.05);
}

// The same seed gives the same bytes whatever the number of threads; another seed other content.
TEST(NycTaxiDeterminismTest, SameSeedSameBytesAcrossThreadCounts) {
  testing::TempDir dir;
  TaxiOptions options;
  options.rows = 150000;
  std::vector<std::string> paths;
  std::vector<std::string> checksums;
  for (auto [threads, seed] : {std::pair{1, 42}, std::pair{4, 42}, std::pair{2, 7}}) {
    engine::DatabaseOptions db_options;
    db_options.threads = threads;
    ASSERT_OK_AND_ASSIGN(auto db, engine::Database::Open(db_options));
    ASSERT_OK_AND_ASSIGN(auto conn, db->Connect());
    options.seed = seed;
    std::string path = dir.Join(fmt::format("taxi_{}_{}.parquet", threads, seed));
    ASSERT_OK(GenerateTaxiMonth(*conn, options, path));
    // Order-sensitive: the row struct includes the row's position in the file.
    ASSERT_OK_AND_ASSIGN(
        auto sum, conn->QueryScalar(fmt::format("SELECT sum(hash(t) >> 8) FROM read_parquet({}, "
                                                "file_row_number = true) t",
                                                engine::QuoteLiteral(path))));
    ASSERT_TRUE(sum.has_value());
    paths.push_back(path);
    checksums.push_back(*sum);
  }
  EXPECT_EQ(checksums[0], checksums[1]);
  EXPECT_NE(checksums[0], checksums[2]);
  std::string a = ReadBytes(paths[0]);
  EXPECT_FALSE(a.empty());
  EXPECT_TRUE(a == ReadBytes(paths[1])) << "same seed, different bytes with 1 and 4 threads";

  // The public query over a plain range() gives the same file as GenerateTaxiMonth.
  engine::DatabaseOptions db_options;
  db_options.threads = 3;
  ASSERT_OK_AND_ASSIGN(auto db, engine::Database::Open(db_options));
  ASSERT_OK_AND_ASSIGN(auto conn, db->Connect());
  options.seed = 42;
  ASSERT_OK_AND_ASSIGN(std::string query, TaxiMonthQuery(options));
  std::string plain = dir.Join("plain.parquet");
  ASSERT_OK(conn->Execute(
      fmt::format("COPY ({}) TO {} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 1048576)",
                  query, engine::QuoteLiteral(plain))));
  EXPECT_TRUE(a == ReadBytes(plain)) << "TaxiMonthQuery and GenerateTaxiMonth differ";
}

TEST(NycTaxiOptionsTest, RejectsBadOptions) {
  TaxiOptions bad_rows;
  bad_rows.rows = -1;
  EXPECT_THAT(TaxiMonthQuery(bad_rows), IsError(ErrorCode::kInvalidArgument));
  TaxiOptions bad_month;
  bad_month.month = 13;
  EXPECT_THAT(TaxiMonthQuery(bad_month), IsError(ErrorCode::kInvalidArgument));
  ASSERT_OK_AND_ASSIGN(auto db, engine::Database::Open());
  ASSERT_OK_AND_ASSIGN(auto conn, db->Connect());
  EXPECT_THAT(GenerateTaxiMonth(*conn, TaxiOptions{}, ""), IsError(ErrorCode::kInvalidArgument));
}

TEST(NycTaxiOptionsTest, OtherMonthsAndEmptyFilesWork) {
  testing::TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto db, engine::Database::Open());
  ASSERT_OK_AND_ASSIGN(auto conn, db->Connect());
  TaxiOptions feb;
  feb.rows = 20000;
  feb.year = 2024;  // a leap year
  feb.month = 2;
  std::string path = dir.Join("feb.parquet");
  std::vector<double> progress;
  ASSERT_OK(GenerateTaxiMonth(*conn, feb, path, [&](double p) { progress.push_back(p); }));
  ASSERT_FALSE(progress.empty());
  EXPECT_EQ(progress.back(), 100.0);
  ASSERT_OK_AND_ASSIGN(
      auto days, conn->QueryScalar(fmt::format(
                     "SELECT count(DISTINCT day(tpep_pickup_datetime)) FROM read_parquet({}) "
                     "WHERE year(tpep_pickup_datetime) = 2024 AND month(tpep_pickup_datetime) = 2",
                     engine::QuoteLiteral(path))));
  EXPECT_EQ(days.value_or(""), "29");

  TaxiOptions empty;
  empty.rows = 0;
  std::string empty_path = dir.Join("empty.parquet");
  ASSERT_OK(GenerateTaxiMonth(*conn, empty, empty_path));
  ASSERT_OK_AND_ASSIGN(auto n,
                       conn->QueryScalar(fmt::format("SELECT count(*) FROM read_parquet({})",
                                                     engine::QuoteLiteral(empty_path))));
  EXPECT_EQ(n.value_or(""), "0");
}

}  // namespace
}  // namespace ldp::demo
