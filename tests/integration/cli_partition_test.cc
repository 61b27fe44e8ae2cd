// Partitioned tables through the binary: `ldp ingest --partition-by`, `ldp alter --partition-by`,
// pruning counts of `ldp query --json`, and the partition tuples in the manifests checked against
// the rows of each data file with ldp's own transforms (which pass the spec's test vectors).

#include <filesystem>

#include "integration/cli_fixture.h"
#include "ldp/iceberg/manifest.h"
#include "ldp/iceberg/partitioning.h"
#include "ldp/iceberg/table_metadata.h"
#include "ldp/io/file_system.h"

namespace ldp::testing {
namespace {

namespace fs = std::filesystem;

// Ten days of rows with every type a transform takes.
std::string Source(int64_t rows, int64_t offset, const std::string& start = "2024-03-01") {
  return fmt::format(
      "SELECT i AS id, (i % 50)::INTEGER AS small, 'name_' || (i % 37) AS name, "
      "CASE WHEN i % 11 = 0 THEN NULL ELSE 'k' || (i % 5) END AS maybe, "
      "((i % 1000) / 8 - 40)::DECIMAL(10, 2) AS price, (i * 0.25)::DOUBLE AS amount, "
      "TIMESTAMP '{2} 00:00:00' + INTERVAL (i * 864) SECOND AS ts, "
      "DATE '{2}' + (i % 400)::INTEGER AS day, encode('b' || (i % 13))::BLOB AS raw "
      "FROM range({0}, {0} + {1}) t(i)",
      offset, rows, start);
}

class CliPartition : public CliTest {
 protected:
  std::string MakeSource(const std::string& name, int64_t rows, int64_t offset,
                         const std::string& start = "2024-03-01") {
    std::string path = tmp_.Join(name + ".parquet");
    Copy(Source(rows, offset, start), path);
    return path;
  }

  // Rows of `sql` run by the CLI, as JSON.
  nlohmann::json Query(const std::string& sql) { return LdpJson({"query", sql}); }

  std::shared_ptr<const iceberg::TableMetadata> Metadata(const std::string& ns, const std::string& name) {
    auto row = CatalogTable(ns, name);
    EXPECT_TRUE(row);
    if (!row) return nullptr;
    auto md = iceberg::TableMetadata::FromJsonString(ReadFile(LocalPath(row->metadata_location)));
    EXPECT_TRUE(md.ok()) << md.status().ToString();
    return md.ok() ? *md : nullptr;
  }

  // Live data files of the current snapshot (with their spec ids), read through ldp's reader.
  std::vector<iceberg::DataFile> LiveFiles(const iceberg::TableMetadata& md,
                                           std::vector<iceberg::ManifestFile>* manifests = nullptr) {
    std::vector<iceberg::DataFile> out;
    auto lfs = io::LocalFileSystem();
    const iceberg::Snapshot* snap = md.CurrentSnapshot();
    if (!snap) return out;
    auto list = iceberg::ReadManifestList(*lfs, snap->manifest_list);
    EXPECT_TRUE(list.ok()) << list.status().ToString();
    if (!list.ok()) return out;
    if (manifests) *manifests = *list;
    for (const auto& mf : *list) {
      auto entries = iceberg::ReadManifest(*lfs, mf);
      EXPECT_TRUE(entries.ok()) << entries.status().ToString();
      if (!entries.ok()) continue;
      for (auto& e : *entries)
        if (e.status != iceberg::ManifestEntryStatus::kDeleted) out.push_back(e.data_file);
    }
    return out;
  }

  // For every data file, every row's source values, transformed by ldp's C++ transforms, equal
  // the partition tuple its manifest entry records; returns the number of rows checked.
  int64_t ExpectTuplesMatchRows(const iceberg::TableMetadata& md) {
    int64_t checked = 0;
    auto schema = md.CurrentSchema();
    for (const auto& f : LiveFiles(md)) {
      const iceberg::PartitionSpec* spec = md.SpecById(f.spec_id);
      EXPECT_NE(spec, nullptr) << f.file_path;
      if (!spec) continue;
      EXPECT_EQ(f.partition.size(), spec->fields.size()) << f.file_path;
      std::string cols;
      for (const auto& pf : spec->fields)
        cols += (cols.empty() ? "" : ", ") +
                fmt::format("CAST({} AS VARCHAR)", engine::QuoteIdent(schema->FindFieldById(pf.source_id)->name));
      if (cols.empty()) continue;
      auto rows = Sql(fmt::format("SELECT {} FROM read_parquet({})", cols, engine::QuoteLiteral(LocalPath(f.file_path))));
      EXPECT_EQ(static_cast<int64_t>(rows.rows.size()), f.record_count);
      for (const auto& row : rows.rows) {
        for (size_t i = 0; i < spec->fields.size(); ++i) {
          const auto& pf = spec->fields[i];
          const iceberg::Type& st = *schema->FindFieldById(pf.source_id)->type;
          auto t = iceberg::ParseTransform(pf.transform);
          auto rt = iceberg::TransformResultType(*t, st);
          std::optional<iceberg::Literal> expect;
          if (row[i]) {
            std::string text = *row[i];
            auto lit = st.id() == iceberg::TypeId::kBinary ? std::optional<iceberg::Literal>() : iceberg::ParseLiteral(st, text);
            if (st.id() == iceberg::TypeId::kBinary) {
              iceberg::Literal b;
              b.type = iceberg::TypeId::kBinary;
              b.value = text;  // the test's blobs are printable ASCII
              lit = b;
            }
            EXPECT_TRUE(lit) << text;
            if (!lit) continue;
            auto v = iceberg::ApplyTransform(*t, st, *lit);
            EXPECT_TRUE(v.ok()) << v.status().ToString();
            if (v.ok()) expect = *v;
          }
          iceberg::PartitionValue want = iceberg::ToPartitionValue(**rt, expect);
          EXPECT_TRUE(want == f.partition[i])
              << pf.name << " (" << pf.transform << ") of " << row[i].value_or("NULL") << " in " << f.file_path;
        }
        ++checked;
      }
    }
    return checked;
  }

  TableState State(const std::string& ns, const std::string& name) {
    return {CatalogTable(ns, name), FilesUnder(TableDir(ns, name))};
  }
};

TEST_F(CliPartition, IngestWithEveryTransformWritesMatchingTuplesAndFolders) {
  std::string src = MakeSource("all", 3000, 0);
  auto j = Ingest(src, "p.all",
                  {"--partition-by",
                   "day(ts), bucket(4, id), truncate(3, name), truncate(20, small), truncate(50, price), "
                   "identity(maybe), void(amount)"});
  EXPECT_TRUE(j.value("created_table", false));
  EXPECT_EQ(j.value("rows", 0), 3000);
  EXPECT_GT(j.value("partitions", 0), 30);
  auto md = Metadata("p", "all");
  ASSERT_TRUE(md);
  ASSERT_EQ(md->DefaultSpec()->fields.size(), 7u);
  EXPECT_EQ(md->last_partition_id, 1006);
  EXPECT_EQ(ExpectTuplesMatchRows(*md), 3000);
  // Hive-style folders with Java's value forms.
  bool saw = false;
  for (const auto& f : FilesUnder(TableDir("p", "all") + "/data")) {
    EXPECT_EQ(f.find(".ldp-staging"), std::string::npos) << f;
    if (f.find("/ts_day=2024-03-02/id_bucket=") != std::string::npos && f.find("/amount_null=null/") != std::string::npos)
      saw = true;
  }
  EXPECT_TRUE(saw);
  // Second table: the other transforms (temporal on a date, bucket on string, decimal, date and
  // timestamp, truncate on binary).
  auto j2 = Ingest(src, "p.more",
                   {"--partition-by", "year(day), month(ts), hour(ts), bucket(3, name), bucket(2, price), "
                                      "bucket(2, day), bucket(2, ts), truncate(2, raw)"});
  EXPECT_EQ(j2.value("rows", 0), 3000);
  auto md2 = Metadata("p", "more");
  ASSERT_TRUE(md2);
  EXPECT_EQ(ExpectTuplesMatchRows(*md2), 3000);
  // Both read back exactly the source.
  for (const char* t : {"p.all", "p.more"}) {
    std::string out = tmp_.Join(std::string(t) + ".parquet");
    LdpJson({"export", t, "--to", out});
    EXPECT_EQ(Difference(Parquet(out), Parquet(src)), 0) << t;
  }
}

TEST_F(CliPartition, OneDayQueryReadsOnlyThatDaysFilesAndMatchesUnpartitioned) {
  std::string a = MakeSource("a", 10000, 0);  // 100 days
  std::string b = MakeSource("b", 2000, 10000);
  Ingest(a, "p.trips", {"--partition-by", "day(ts)"});
  Ingest(b, "p.trips");  // append with the table's spec
  Ingest(a, "u.trips");
  Ingest(b, "u.trips");
  const std::string day = "ts >= TIMESTAMP '2024-03-05 00:00:00' AND ts < TIMESTAMP '2024-03-06 00:00:00'";
  for (const std::string& where : {day, std::string("ts BETWEEN '2024-03-05' AND '2024-03-05 23:59:59'"),
                                   std::string("id = 4321"), std::string("small < 3 AND ts > '2024-05-01'")}) {
    SCOPED_TRACE(where);
    auto p = Query("SELECT count(*) AS n, sum(id) AS s, min(ts) AS lo FROM p.trips WHERE " + where);
    auto u = Query("SELECT count(*) AS n, sum(id) AS s, min(ts) AS lo FROM u.trips WHERE " + where);
    EXPECT_EQ(p["rows"], u["rows"]);
  }
  auto p = Query("SELECT count(*) AS n FROM p.trips WHERE " + day);
  int64_t expect = std::stoll(Scalar(fmt::format("SELECT count(*) FROM ({}) WHERE {}", Source(12000, 0), day)));
  EXPECT_EQ(p["rows"][0]["n"].get<int64_t>(), expect);
  ASSERT_EQ(p["scans"].size(), 1u);
  auto md = Metadata("p", "trips");
  int64_t that_day = 0;
  for (const auto& f : LiveFiles(*md))
    if (std::get<int32_t>(f.partition[0]) == 19787) that_day++;  // 2024-03-05
  EXPECT_GE(that_day, 1);
  EXPECT_EQ(p["scans"][0]["planned_files"].get<int64_t>(), that_day);
  EXPECT_EQ(p["scans"][0]["total_files"].get<int64_t>(), static_cast<int64_t>(LiveFiles(*md).size()));
  EXPECT_GT(p["scans"][0]["total_files"].get<int64_t>(), 100);
  // --explain-scan says the same in words.
  auto r = Ldp({"query", "SELECT count(*) FROM p.trips WHERE " + day, "--explain-scan"});
  EXPECT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_NE(r.err.find(fmt::format("{} of {} data files planned", that_day, LiveFiles(*md).size())), std::string::npos)
      << r.err;
}

TEST_F(CliPartition, AlterEvolvesTheSpecOldFilesKeepTheirsEverythingStaysReadable) {
  std::string a = MakeSource("a", 3000, 0);
  std::string b = MakeSource("b", 3000, 3000);
  std::string c = MakeSource("c", 1000, 6000);
  Ingest(a, "p.t", {"--partition-by", "day(ts), bucket(4, id)"});
  auto alt = LdpJson({"alter", "p.t", "--partition-by", "month(ts), bucket(4, id)"});
  EXPECT_TRUE(alt.value("changed", false));
  EXPECT_EQ(alt.value("spec_id", -1), 1);
  EXPECT_EQ(alt.value("partition_spec", ""), "month(ts), bucket(4, id)");
  auto md = Metadata("p", "t");
  ASSERT_TRUE(md);
  EXPECT_EQ(md->default_spec_id, 1);
  EXPECT_EQ(md->SpecById(1)->fields[0].field_id, 1002);
  EXPECT_EQ(md->SpecById(1)->fields[1].field_id, 1001);  // same bucket field keeps its id
  EXPECT_EQ(md->last_partition_id, 1002);
  EXPECT_EQ(md->snapshots.size(), 1u);  // a metadata-only change

  // Ingest with the old spec text now differs from the table: refused, pointing to alter.
  auto refused = Ldp({"ingest", b, "--table", "p.t", "--partition-by", "day(ts), bucket(4, id)"});
  EXPECT_EQ(refused.exit_code, 2) << refused.Describe();
  EXPECT_NE(refused.err.find("ldp alter p.t"), std::string::npos) << refused.err;

  Ingest(b, "p.t");
  md = Metadata("p", "t");
  std::vector<iceberg::ManifestFile> manifests;
  auto files = LiveFiles(*md, &manifests);
  std::set<int32_t> spec_ids;
  for (const auto& m : manifests) spec_ids.insert(m.partition_spec_id);
  EXPECT_EQ(spec_ids, (std::set<int32_t>{0, 1}));
  bool month_folder = false;
  for (const auto& f : files)
    if (f.spec_id == 1 && f.file_path.find("/ts_month=2024-") != std::string::npos) month_folder = true;
  EXPECT_TRUE(month_folder);
  EXPECT_EQ(ExpectTuplesMatchRows(*md), 6000);

  // Back to unpartitioned, then another append; then overwrite the whole table.
  auto un = LdpJson({"alter", "p.t", "--partition-by", ""});
  EXPECT_EQ(un.value("partition_spec", ""), "unpartitioned");
  Ingest(c, "p.t");
  std::string out = tmp_.Join("all.parquet");
  LdpJson({"export", "p.t", "--to", out});
  EXPECT_EQ(Difference(Parquet(out), fmt::format("(SELECT * FROM {} UNION ALL SELECT * FROM {} UNION ALL SELECT * FROM {})",
                                                 Parquet(a), Parquet(b), Parquet(c))),
            0);
  // Pruning across specs: day 2024-03-02 lies in spec-0 files (by day) and spec-1 files (by month).
  auto q = Query("SELECT count(*) AS n FROM p.t WHERE ts >= '2024-03-02' AND ts < '2024-03-03'");
  int64_t expect = std::stoll(Scalar(fmt::format(
      "SELECT count(*) FROM ({}) WHERE ts >= '2024-03-02' AND ts < '2024-03-03'", Source(7000, 0))));
  EXPECT_EQ(q["rows"][0]["n"].get<int64_t>(), expect);
  EXPECT_LT(q["scans"][0]["planned_files"].get<int64_t>(), q["scans"][0]["total_files"].get<int64_t>());

  // describe lists every spec.
  auto d = LdpJson({"describe", "p.t"});
  EXPECT_EQ(d["partition_specs"].size(), 3u);
  EXPECT_EQ(d.value("default_spec_id", -1), 2);
  auto human = Ldp({"describe", "p.t"});
  EXPECT_NE(human.out.find("spec 0: day(ts), bucket(4, id)"), std::string::npos) << human.out;
  EXPECT_NE(human.out.find("spec 1: month(ts), bucket(4, id)"), std::string::npos) << human.out;

  auto ow = Ingest(a, "p.t", {"--mode", "overwrite"});
  EXPECT_TRUE(ow.value("committed", false));
  EXPECT_EQ(Count("(SELECT 1 FROM read_parquet(" + engine::QuoteLiteral(out) + "))"), 7000);
  std::string out2 = tmp_.Join("after.parquet");
  LdpJson({"export", "p.t", "--to", out2});
  EXPECT_EQ(Difference(Parquet(out2), Parquet(a)), 0);
}

TEST_F(CliPartition, BadSpecsFailBeforeAnythingIsWritten) {
  std::string a = MakeSource("a", 200, 0);
  struct Case {
    const char* spec;
    const char* needle;
  } cases[] = {
      {"day(nope)", "no column 'nope'"},
      {"bucket(4, amount)", "bucket[4] cannot be applied to column 'amount' of type double"},
      {"truncate(4, ts)", "truncate[4] cannot be applied to column 'ts' of type timestamp"},
      {"bucket(0, id)", "bucket(0, id)"},
      {"week(ts)", "unknown transform 'week'"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.spec);
    auto r = Ldp({"ingest", a, "--table", "bad.t", "--partition-by", c.spec});
    EXPECT_EQ(r.exit_code, 2) << r.Describe();
    auto line = OneLine(r.err);
    ASSERT_TRUE(line) << r.err;
    EXPECT_NE(line->find(c.needle), std::string::npos) << *line;
    EXPECT_FALSE(CatalogTable("bad", "t"));
    EXPECT_FALSE(fs::exists(TableDir("bad", "t")));
  }
  // alter: same errors, metadata untouched.
  Ingest(a, "p.t", {"--partition-by", "day(ts)"});
  TableState before = State("p", "t");
  for (const auto& c : cases) {
    auto r = Ldp({"alter", "p.t", "--partition-by", c.spec});
    EXPECT_EQ(r.exit_code, 2) << r.Describe();
    EXPECT_NE(r.err.find(c.needle), std::string::npos) << r.err;
  }
  auto missing = Ldp({"alter", "p.nope", "--partition-by", "day(ts)"});
  EXPECT_EQ(missing.exit_code, 3) << missing.Describe();
  TableState after = State("p", "t");
  EXPECT_EQ(before.row->metadata_location, after.row->metadata_location);
  EXPECT_EQ(before.files, after.files);
}

TEST_F(CliPartition, FailedPartitionedWriteLeavesNoFilesAndNoSnapshot) {
  std::string a = MakeSource("a", 500, 0);
  Ingest(a, "p.t", {"--partition-by", "day(ts), bucket(4, id)"});
  TableState before = State("p", "t");
  // A glob whose second file is damaged: DuckDB fails part-way through the partitioned write.
  fs::create_directories(tmp_.Join("in"));
  Copy(Source(3000, 1000), tmp_.Join("in/1.parquet"));
  WriteFile(tmp_.Join("in/2.parquet"), "PAR1 this is not parquet PAR1");
  auto r = Ldp({"ingest", tmp_.Join("in/*.parquet"), "--table", "p.t"});
  EXPECT_NE(r.exit_code, 0) << r.Describe();
  TableState after = State("p", "t");
  EXPECT_EQ(before.row->metadata_location, after.row->metadata_location);
  EXPECT_EQ(before.files, after.files);
  // No empty partition folders left behind either.
  std::set<std::string> dirs;
  for (auto it = fs::recursive_directory_iterator(TableDir("p", "t") + "/data"); it != fs::recursive_directory_iterator(); ++it)
    if (it->is_directory() && fs::is_empty(it->path())) dirs.insert(it->path().string());
  EXPECT_TRUE(dirs.empty()) << *dirs.begin();
}

TEST_F(CliPartition, ManyPartitionsStayCorrect) {
  // 365 days x 16 buckets: more partitions than DuckDB keeps writers open for.
  std::string src = tmp_.Join("year.parquet");
  Copy("SELECT i AS id, TIMESTAMP '2023-01-01' + INTERVAL (i * 5) MINUTE AS ts FROM range(105120) t(i)", src);
  auto j = Ingest(src, "p.year", {"--partition-by", "day(ts), bucket(16, id)"});
  EXPECT_EQ(j.value("rows", 0), 105120);
  EXPECT_EQ(j.value("partitions", 0), 365 * 16);
  auto q = Query("SELECT count(*) AS n FROM p.year WHERE ts >= '2023-07-01' AND ts < '2023-07-02' AND id = 52000");
  EXPECT_EQ(q["rows"][0]["n"].get<int64_t>(), std::stoll(Scalar(
      "SELECT count(*) FROM " + Parquet(src) + " WHERE ts >= '2023-07-01' AND ts < '2023-07-02' AND id = 52000")));
  EXPECT_LE(q["scans"][0]["planned_files"].get<int64_t>(), 2);
}

}  // namespace
}  // namespace ldp::testing
