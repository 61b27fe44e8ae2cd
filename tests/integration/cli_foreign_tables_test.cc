// Tables written the way other engines write them (Spark/Trino/Flink through the Java library,
// pyiceberg) read correctly after `ldp register`. The tables are made at test time by
// tests/interop/foreign_tables.py, which writes manifests and manifest lists with python3-avro
// (the spec's schemas as Java lays them out: v1, v2, v3), metadata JSON and Puffin deletion
// vectors by hand, and only the Parquet data files through DuckDB — nothing of ldp's own writer.
// The answers expected are computed by the generator from the rows it wrote; the table files must
// be left exactly as they were.

#include <filesystem>

#include "cli_fixture.h"
#include "testing/python_avro.h"

namespace ldp::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class CliForeignTables : public CliTest {
 protected:
  /// Generates the fixtures of generator function `group` (fx_<group>) into a temp folder and
  /// returns fixtures.json.
  json Generate(const std::string& group) {
    if (!HavePythonAvro()) {
      ADD_FAILURE() << kPythonAvroMissing;
      return json::object();
    }
    out_ = tmp_.Join("fixtures");
    auto r = RunProcess({"/usr/bin/python3", std::string(LDP_SOURCE_DIR) + "/tests/interop/foreign_tables.py", out_,
                         LDP_BIN, group});
    EXPECT_TRUE(r.ok() && r->exit_code == 0) << (r.ok() ? r->Describe() : r.status().ToString());
    auto j = json::parse(ReadFile(out_ + "/fixtures.json"), nullptr, false);
    EXPECT_FALSE(j.is_discarded());
    return j.is_discarded() ? json::object() : j;
  }

  bool Registered(const std::string& table) {
    for (const auto& t : LdpJson({"tables"}))
      if (t.value("table", "") == table) return true;
    return false;
  }

  /// Every file under `dir` with its size and content (small fixtures).
  std::map<std::string, std::string> Snapshot(const std::string& dir) {
    std::map<std::string, std::string> out;
    for (const auto& f : FilesUnder(dir)) out[f] = ReadFile(f);
    return out;
  }

  /// Registers fixture `name` as fx.<name> and runs its checks (or expects its error).
  void ExpectFixture(const json& fixtures, const std::string& name) {
    SCOPED_TRACE(name);
    ASSERT_TRUE(fixtures.contains(name)) << "the generator made no fixture " << name;
    const json& f = fixtures[name];
    const std::string table = "fx." + name;
    const std::string location = f["location"].get<std::string>();
    auto before = Snapshot(location);
    std::vector<std::string> args = {"register", table, location};
    for (const auto& a : f["register_args"]) args.push_back(a.get<std::string>());
    if (f["error"].is_string()) {
      ProcessResult r = Ldp(args);
      EXPECT_NE(r.exit_code, 0) << r.Describe();
      EXPECT_TRUE(OneLine(r.err).has_value()) << "one line: " << r.err;
      EXPECT_NE(r.err.find(f["error"].get<std::string>()), std::string::npos) << r.Describe();
      EXPECT_FALSE(Registered(table)) << "a failed register must leave no catalog row";
      EXPECT_EQ(Snapshot(location), before) << "register must not touch the table's files";
      return;
    }
    auto reg = LdpJson(args);
    ASSERT_EQ(reg.value("table", ""), table) << reg.dump();
    ASSERT_FALSE(f["checks"].empty());
    for (const auto& c : f["checks"]) {
      std::string sql = c["sql"].get<std::string>();
      for (size_t p = sql.find("{t}"); p != std::string::npos; p = sql.find("{t}")) sql.replace(p, 3, table);
      ProcessResult r = Ldp({"query", sql, "--json"});
      ASSERT_EQ(r.exit_code, 0) << sql << "\n" << r.Describe();
      auto j = json::parse(r.out, nullptr, false);
      ASSERT_FALSE(j.is_discarded()) << r.out;
      EXPECT_EQ(j["rows"], c["rows"]) << sql;
      if (c.contains("planned_files")) {
        ASSERT_EQ(j["scans"].size(), 1u) << j.dump();
        EXPECT_EQ(j["scans"][0]["planned_files"], c["planned_files"]) << sql << " " << j["scans"].dump();
      }
    }
    EXPECT_EQ(Snapshot(location), before) << "reading must not touch the table's files";
  }

  void ExpectGroup(const std::string& group, const std::vector<std::string>& names) {
    json fixtures = Generate(group);
    for (const auto& n : names) ExpectFixture(fixtures, n);
  }

  std::string out_;
};

TEST_F(CliForeignTables, FormatV1OldestMetadataForm) { ExpectGroup("v1_oldest", {"v1_oldest"}); }

TEST_F(CliForeignTables, UpgradedFromV1ToV2) { ExpectGroup("v1_to_v2", {"v1_to_v2"}); }

TEST_F(CliForeignTables, PositionAndEqualityDeletesWithSequenceScoping) { ExpectGroup("v2_deletes", {"v2_deletes"}); }

TEST_F(CliForeignTables, EqualityDeletesScopedToSpecAndPartition) {
  ExpectGroup("v2_eq_partitioned", {"v2_eq_partitioned"});
}

TEST_F(CliForeignTables, FilesWithoutFieldIdsReadThroughNameMapping) { ExpectGroup("name_mapping", {"name_mapping"}); }

TEST_F(CliForeignTables, RenamesAndDropsResolvedByFieldId) { ExpectGroup("evolved_by_id", {"evolved_by_id"}); }

TEST_F(CliForeignTables, CaseSensitiveNamesAndNestedTypes) { ExpectGroup("case_nested", {"case_nested"}); }

TEST_F(CliForeignTables, IdentityPartitionColumnsMissingFromDataFiles) {
  ExpectGroup("identity_missing", {"identity_missing"});
}

TEST_F(CliForeignTables, IdentityPartitionsOnEveryType) { ExpectGroup("partition_types", {"partition_types"}); }

TEST_F(CliForeignTables, FixedAndWideDecimalsAsFixedLenByteArray) { ExpectGroup("fixed_decimal", {"fixed_decimal"}); }

TEST_F(CliForeignTables, EveryPartitionTransform) { ExpectGroup("partition_transforms", {"partition_transforms"}); }

TEST_F(CliForeignTables, PruningNeverDropsAFileThatCouldMatch) { ExpectGroup("pruning_edges", {"pruning_edges"}); }

TEST_F(CliForeignTables, PlainRelativeAndRelocatedPaths) {
  ExpectGroup("paths", {"paths_plain", "paths_relative", "relocated_without_option", "relocated"});
}

TEST_F(CliForeignTables, FormatV3) { ExpectGroup("v3", {"v3_table"}); }

TEST_F(CliForeignTables, RowLevelDeletesOnFilesReadThroughTheirFooter) {
  ExpectGroup("footer_deletes", {"nm_deletes", "identity_missing_deletes", "v3_footer_dv", "v3_unknown_schema_dv"});
}

TEST_F(CliForeignTables, LargeDeletionVectorAppliedThroughASpilledTable) { ExpectGroup("large_dv", {"large_dv"}); }

TEST_F(CliForeignTables, BadTablesRegisterNothing) {
  ExpectGroup("bad", {"bad_corrupt_manifest", "bad_missing_file", "bad_format_v4", "bad_outside", "bad_escape"});
}

}  // namespace
}  // namespace ldp::testing
