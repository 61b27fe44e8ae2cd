#include "ldp/catalog/sql/sql_catalog.h"

#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "ldp/catalog/catalog.h"
#include "ldp/catalog/sql/sql_connection.h"
#include "testing/postgres_server.h"
#include "testing/subprocess.h"
#include "testing/temp_dir.h"

namespace ldp::catalog {

// Readable failure output for TableIdentifier.
void PrintTo(const TableIdentifier& id, std::ostream* os) { *os << id.ToString(); }

namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;

using Props = std::map<std::string, std::string>;

TableIdentifier Id(Namespace ns, std::string name) {
  return TableIdentifier{std::move(ns), std::move(name)};
}

/// A plain SQLite connection, to look at (or prepare) the file the way another tool would.
class RawDb {
 public:
  explicit RawDb(const std::string& path) {
    if (sqlite3_open(path.c_str(), &db_) != SQLITE_OK) ADD_FAILURE() << "cannot open " << path;
    sqlite3_busy_timeout(db_, 5000);
  }
  ~RawDb() { sqlite3_close(db_); }
  RawDb(const RawDb&) = delete;
  RawDb& operator=(const RawDb&) = delete;

  void Exec(const std::string& sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      ADD_FAILURE() << sql << ": " << (err ? err : "?");
    }
    sqlite3_free(err);
  }
  /// All rows, columns joined by '|', NULL as "NULL".
  std::vector<std::string> Query(const std::string& sql) {
    std::vector<std::string> out;
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
      ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db_);
      return out;
    }
    while (sqlite3_step(stmt) == SQLITE_ROW) {
      std::string row;
      for (int i = 0; i < sqlite3_column_count(stmt); ++i) {
        if (i > 0) row += '|';
        const auto* text = sqlite3_column_text(stmt, i);
        row += text ? reinterpret_cast<const char*>(text) : "NULL";
      }
      out.push_back(row);
    }
    sqlite3_finalize(stmt);
    return out;
  }

 private:
  sqlite3* db_ = nullptr;
};

TEST(CatalogIdentifierTest, ParseAndFormat) {
  ASSERT_OK_AND_ASSIGN(auto id, TableIdentifier::Parse("nyc.yellow_trips"));
  EXPECT_EQ(id.ns, Namespace{"nyc"});
  EXPECT_EQ(id.name, "yellow_trips");
  EXPECT_EQ(id.ToString(), "nyc.yellow_trips");

  ASSERT_OK_AND_ASSIGN(auto deep, TableIdentifier::Parse("a.b.t"));
  EXPECT_EQ(deep.ns, (Namespace{"a", "b"}));
  EXPECT_EQ(deep.name, "t");
  EXPECT_EQ(deep.ToString(), "a.b.t");

  EXPECT_THAT(TableIdentifier::Parse("t"), IsError(ErrorCode::kInvalidArgument));
  EXPECT_THAT(TableIdentifier::Parse(""), IsError(ErrorCode::kInvalidArgument));
  EXPECT_THAT(TableIdentifier::Parse("a..t"), IsError(ErrorCode::kInvalidArgument));
  EXPECT_THAT(TableIdentifier::Parse("a.t."), IsError(ErrorCode::kInvalidArgument));
  EXPECT_THAT(TableIdentifier::Parse(".t"), IsError(ErrorCode::kInvalidArgument));

  EXPECT_EQ(NamespaceToString({"a", "b"}), "a.b");
  EXPECT_EQ(NamespaceToString({}), "");
  ASSERT_OK_AND_ASSIGN(auto ns, ParseNamespace("a.b.c"));
  EXPECT_EQ(ns, (Namespace{"a", "b", "c"}));
  EXPECT_THAT(ParseNamespace(""), IsError(ErrorCode::kInvalidArgument));
  EXPECT_THAT(ParseNamespace("a."), IsError(ErrorCode::kInvalidArgument));

  EXPECT_LT(Id({"a"}, "z"), Id({"b"}, "a"));
  EXPECT_LT(Id({"a"}, "a"), Id({"a"}, "b"));
}

/// One catalog on SQLite (a file) or PostgreSQL (a fresh database on the test server).
class CatalogBackend {
 protected:
  void Init(bool postgres) {
    postgres_ = postgres;
    if (postgres_) {
      auto* pg = ldp::testing::PostgresServer::Get();
      if (!pg->ok()) GTEST_SKIP() << pg->error();
      path_ = pg->NewDatabase("catalog");
    } else {
      path_ = dir_.Join("catalog.db");
    }
    ASSERT_OK_AND_ASSIGN(catalog_, OpenNamed("local"));
  }

  Result<std::unique_ptr<SqlCatalog>> OpenNamed(const std::string& name) {
    return postgres_ ? SqlCatalog::OpenPostgres(path_, "", name) : SqlCatalog::Open(path_, name);
  }

  /// All rows of `sql` run by another client (sqlite3 / psql), columns joined by '|', NULL as
  /// "NULL".
  std::vector<std::string> Raw(const std::string& sql) {
    if (!postgres_) return RawDb(path_).Query(sql);
    auto r = ldp::testing::RunProcess(
        {"/usr/bin/psql", path_, "-v", "ON_ERROR_STOP=1", "-P", "null=NULL", "-Atc", sql});
    std::vector<std::string> rows;
    if (!r.ok() || r->exit_code != 0) {
      ADD_FAILURE() << sql << ": " << (r.ok() ? r->Describe() : r.status().ToString());
      return rows;
    }
    std::istringstream in(r->out);
    for (std::string line; std::getline(in, line);) rows.push_back(line);
    return rows;
  }

  bool postgres_ = false;
  ldp::testing::TempDir dir_;
  std::string path_;  // SQLite file or PostgreSQL URI
  std::unique_ptr<SqlCatalog> catalog_;
};

/// The behaviour both databases must share.
class SqlCatalogTest : public ::testing::TestWithParam<std::string>, protected CatalogBackend {
 protected:
  void SetUp() override { Init(GetParam() == "postgres"); }
};
INSTANTIATE_TEST_SUITE_P(Databases, SqlCatalogTest, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

/// What only the SQLite file does (opening files, locks, older file layouts).
class SqliteCatalogTest : public ::testing::Test, protected CatalogBackend {
 protected:
  void SetUp() override { Init(false); }
};

TEST_F(SqliteCatalogTest, OpenRejectsBadArguments) {
  EXPECT_THAT(SqlCatalog::Open(path_, ""), IsError(ErrorCode::kInvalidArgument));
  EXPECT_THAT(SqlCatalog::Open("", "local"), IsError(ErrorCode::kInvalidArgument));
  auto missing_dir = SqlCatalog::Open(dir_.Join("no/such/dir/c.db"), "local");
  EXPECT_THAT(missing_dir, IsError(ErrorCode::kIOError));
  EXPECT_THAT(missing_dir, HasMessage("no/such/dir/c.db"));
}

TEST_F(SqliteCatalogTest, OpenRejectsAFileThatIsNotADatabase) {
  std::string junk = dir_.Join("junk.db");
  std::ofstream(junk)
      << "this is not a sqlite database, just some text long enough to matter....."
         "..........................................................................";
  auto opened = SqlCatalog::Open(junk, "local");
  EXPECT_THAT(opened, IsError(ErrorCode::kIOError));
  EXPECT_THAT(opened, HasMessage(junk));
}

TEST_P(SqlCatalogTest, NamespacesCreateExistsAndList) {
  EXPECT_EQ(catalog_->name(), "local");
  EXPECT_EQ(catalog_->path(), path_);
  EXPECT_EQ(catalog_->schema_version(), SqlCatalog::SchemaVersion::kV1);

  ASSERT_OK_AND_ASSIGN(auto none, catalog_->ListNamespaces({}));
  EXPECT_THAT(none, IsEmpty());

  ASSERT_OK(catalog_->CreateNamespace({"nyc"}, {}));
  ASSERT_OK(catalog_->CreateNamespace({"a", "b"}, {{"owner", "ana"}, {"comment", "x"}}));
  ASSERT_OK(catalog_->CreateNamespace({"a", "b", "c"}, {}));
  ASSERT_OK(catalog_->CreateNamespace({"a", "d"}, {}));

  EXPECT_THAT(catalog_->CreateNamespace({"nyc"}, {}), IsError(ErrorCode::kAlreadyExists));
  EXPECT_THAT(catalog_->CreateNamespace({"nyc"}, {}), HasMessage(path_));

  EXPECT_TRUE(*catalog_->NamespaceExists({"nyc"}));
  EXPECT_TRUE(*catalog_->NamespaceExists({"a", "b"}));
  EXPECT_TRUE(*catalog_->NamespaceExists({"a", "b", "c"}));
  // "a" exists through its children (pyiceberg's rule) ...
  EXPECT_TRUE(*catalog_->NamespaceExists({"a"}));
  EXPECT_THAT(catalog_->CreateNamespace({"a"}, {}), IsError(ErrorCode::kAlreadyExists));
  // ... but prefixes that are not whole levels do not count.
  EXPECT_FALSE(*catalog_->NamespaceExists({"ny"}));
  EXPECT_FALSE(*catalog_->NamespaceExists({"a", "b", "c", "d"}));
  EXPECT_FALSE(*catalog_->NamespaceExists({"A"}));

  EXPECT_THAT(*catalog_->ListNamespaces({}), ElementsAre(Namespace{"a"}, Namespace{"nyc"}));
  EXPECT_THAT(*catalog_->ListNamespaces({"a"}),
              ElementsAre(Namespace{"a", "b"}, Namespace{"a", "d"}));
  EXPECT_THAT(*catalog_->ListNamespaces({"a", "b"}), ElementsAre(Namespace{"a", "b", "c"}));
  EXPECT_THAT(*catalog_->ListNamespaces({"nyc"}), IsEmpty());
  EXPECT_THAT(catalog_->ListNamespaces({"zzz"}), IsError(ErrorCode::kNoSuchNamespace));

  EXPECT_THAT(*catalog_->LoadNamespaceProperties({"nyc"}), ElementsAre(Pair("exists", "true")));
  EXPECT_THAT(*catalog_->LoadNamespaceProperties({"a", "b"}),
              ElementsAre(Pair("comment", "x"), Pair("owner", "ana")));
  EXPECT_THAT(*catalog_->LoadNamespaceProperties({"a"}), IsEmpty());
  EXPECT_THAT(catalog_->LoadNamespaceProperties({"zzz"}), IsError(ErrorCode::kNoSuchNamespace));
  EXPECT_THAT(catalog_->LoadNamespaceProperties({"zzz"}), HasMessage("zzz"));
}

TEST_P(SqlCatalogTest, NamespaceNamesAreValidated) {
  EXPECT_THAT(catalog_->CreateNamespace({}, {}), IsError(ErrorCode::kInvalidArgument));
  EXPECT_THAT(catalog_->CreateNamespace({""}, {}), IsError(ErrorCode::kInvalidArgument));
  EXPECT_THAT(catalog_->CreateNamespace({"a.b"}, {}), IsError(ErrorCode::kInvalidArgument));
  EXPECT_THAT(catalog_->CreateNamespace({"a"}, {{"", "v"}}), IsError(ErrorCode::kInvalidArgument));
  EXPECT_THAT(catalog_->NamespaceExists({"a", ""}), IsError(ErrorCode::kInvalidArgument));
  ASSERT_OK(catalog_->CreateNamespace({"a"}, {}));
  EXPECT_THAT(catalog_->CreateTable(Id({"a"}, "t.x"), "m"), IsError(ErrorCode::kInvalidArgument));
  EXPECT_THAT(catalog_->CreateTable(Id({"a"}, ""), "m"), IsError(ErrorCode::kInvalidArgument));
  EXPECT_THAT(catalog_->CreateTable(Id({}, "t"), "m"), IsError(ErrorCode::kInvalidArgument));
  EXPECT_THAT(catalog_->CreateTable(Id({"a"}, "t"), ""), IsError(ErrorCode::kInvalidArgument));
}

TEST_P(SqlCatalogTest, DropNamespaceRefusesWhenNotEmpty) {
  ASSERT_OK(catalog_->CreateNamespace({"a"}, {}));
  ASSERT_OK(catalog_->CreateNamespace({"a", "b"}, {}));
  ASSERT_OK(catalog_->CreateTable(Id({"a", "b"}, "t"), "m1"));

  EXPECT_THAT(catalog_->DropNamespace({"zzz"}), IsError(ErrorCode::kNoSuchNamespace));
  EXPECT_THAT(catalog_->DropNamespace({"a", "b"}), IsError(ErrorCode::kNamespaceNotEmpty));
  EXPECT_THAT(catalog_->DropNamespace({"a", "b"}), HasMessage("a.b"));
  // A child namespace makes the parent non-empty too.
  EXPECT_THAT(catalog_->DropNamespace({"a"}), IsError(ErrorCode::kNamespaceNotEmpty));

  ASSERT_OK(catalog_->DropTable(Id({"a", "b"}, "t")));
  ASSERT_OK(catalog_->DropNamespace({"a", "b"}));
  EXPECT_FALSE(*catalog_->NamespaceExists({"a", "b"}));
  ASSERT_OK(catalog_->DropNamespace({"a"}));
  EXPECT_FALSE(*catalog_->NamespaceExists({"a"}));
  EXPECT_THAT(*catalog_->ListNamespaces({}), IsEmpty());
  // Gone for good: it can be created again.
  ASSERT_OK(catalog_->CreateNamespace({"a"}, {}));
}

TEST_P(SqlCatalogTest, UpdateNamespaceProperties) {
  ASSERT_OK(catalog_->CreateNamespace({"ns"}, {{"k1", "v1"}, {"k2", "v2"}}));
  ASSERT_OK(catalog_->UpdateNamespaceProperties({"ns"}, {{"k1", "new"}, {"k3", "v3"}},
                                                {"k2", "not-there"}));
  EXPECT_THAT(*catalog_->LoadNamespaceProperties({"ns"}),
              ElementsAre(Pair("k1", "new"), Pair("k3", "v3")));

  EXPECT_THAT(catalog_->UpdateNamespaceProperties({"ns"}, {{"k1", "x"}}, {"k1"}),
              IsError(ErrorCode::kInvalidArgument));
  EXPECT_THAT(catalog_->UpdateNamespaceProperties({"zzz"}, {{"k", "v"}}, {}),
              IsError(ErrorCode::kNoSuchNamespace));

  // Removing every property keeps the namespace alive.
  ASSERT_OK(catalog_->UpdateNamespaceProperties({"ns"}, {}, {"k1", "k3"}));
  EXPECT_TRUE(*catalog_->NamespaceExists({"ns"}));
  EXPECT_THAT(*catalog_->LoadNamespaceProperties({"ns"}), ElementsAre(Pair("exists", "true")));
}

TEST_P(SqlCatalogTest, TablesCreateListLoadCommitDrop) {
  const TableIdentifier trips = Id({"nyc"}, "trips");
  EXPECT_THAT(catalog_->CreateTable(trips, "m1"), IsError(ErrorCode::kNoSuchNamespace));
  EXPECT_THAT(catalog_->ListTables({"nyc"}), IsError(ErrorCode::kNoSuchNamespace));
  ASSERT_OK(catalog_->CreateNamespace({"nyc"}, {}));
  EXPECT_THAT(*catalog_->ListTables({"nyc"}), IsEmpty());

  ASSERT_OK(catalog_->CreateTable(trips, "file:///w/nyc.db/trips/metadata/00000-a.metadata.json"));
  ASSERT_OK(catalog_->CreateTable(Id({"nyc"}, "alpha"), "ma"));
  EXPECT_THAT(catalog_->CreateTable(trips, "other"), IsError(ErrorCode::kAlreadyExists));
  EXPECT_THAT(catalog_->CreateTable(trips, "other"), HasMessage("nyc.trips"));

  EXPECT_THAT(*catalog_->ListTables({"nyc"}), ElementsAre(Id({"nyc"}, "alpha"), trips));
  EXPECT_TRUE(*catalog_->TableExists(trips));
  EXPECT_FALSE(*catalog_->TableExists(Id({"nyc"}, "nope")));
  EXPECT_EQ(*catalog_->LoadTableLocation(trips),
            "file:///w/nyc.db/trips/metadata/00000-a.metadata.json");
  auto missing = catalog_->LoadTableLocation(Id({"nyc"}, "nope"));
  EXPECT_THAT(missing, IsError(ErrorCode::kNoSuchTable));
  EXPECT_THAT(missing, HasMessage("nyc.nope"));
  EXPECT_THAT(missing, HasMessage(path_));

  // Compare-and-swap: wins from the current pointer, loses from a stale one.
  ASSERT_OK(
      catalog_->CommitTable(trips, "file:///w/nyc.db/trips/metadata/00000-a.metadata.json", "m2"));
  EXPECT_EQ(*catalog_->LoadTableLocation(trips), "m2");
  auto lost =
      catalog_->CommitTable(trips, "file:///w/nyc.db/trips/metadata/00000-a.metadata.json", "m3");
  EXPECT_THAT(lost, IsError(ErrorCode::kCommitFailed));
  EXPECT_THAT(lost, HasMessage("m2"));
  EXPECT_EQ(*catalog_->LoadTableLocation(trips), "m2");
  EXPECT_THAT(catalog_->CommitTable(Id({"nyc"}, "nope"), "m2", "m3"),
              IsError(ErrorCode::kNoSuchTable));

  ASSERT_OK(catalog_->DropTable(trips));
  EXPECT_FALSE(*catalog_->TableExists(trips));
  EXPECT_THAT(catalog_->DropTable(trips), IsError(ErrorCode::kNoSuchTable));
  EXPECT_THAT(catalog_->CommitTable(trips, "m2", "m3"), IsError(ErrorCode::kNoSuchTable));
  EXPECT_THAT(*catalog_->ListTables({"nyc"}), ElementsAre(Id({"nyc"}, "alpha")));
}

TEST_P(SqlCatalogTest, CommitTablesIsAllOrNothing) {
  ASSERT_OK(catalog_->CreateNamespace({"db"}, {}));
  ASSERT_OK(catalog_->CreateTable(Id({"db"}, "a"), "a0"));
  ASSERT_OK(catalog_->CreateTable(Id({"db"}, "b"), "b0"));
  // Both move, and a new table is registered, in one commit.
  ASSERT_OK(catalog_->CommitTables({{Id({"db"}, "a"), "a0", "a1"},
                                    {Id({"db"}, "b"), "b0", "b1"},
                                    {Id({"db"}, "c"), std::nullopt, "c0"}}));
  EXPECT_EQ(*catalog_->LoadTableLocation(Id({"db"}, "a")), "a1");
  EXPECT_EQ(*catalog_->LoadTableLocation(Id({"db"}, "b")), "b1");
  EXPECT_EQ(*catalog_->LoadTableLocation(Id({"db"}, "c")), "c0");
  // b's expectation is stale: a does not move either.
  EXPECT_THAT(catalog_->CommitTables({{Id({"db"}, "a"), "a1", "a2"}, {Id({"db"}, "b"), "b0", "b2"}}),
              IsError(ErrorCode::kCommitFailed));
  EXPECT_EQ(*catalog_->LoadTableLocation(Id({"db"}, "a")), "a1");
  // Registering an existing name fails; so does a missing table or namespace.
  EXPECT_THAT(catalog_->CommitTables({{Id({"db"}, "c"), std::nullopt, "x"}}),
              IsError(ErrorCode::kCommitFailed));
  EXPECT_THAT(catalog_->CommitTables({{Id({"db"}, "zz"), "z0", "z1"}}),
              IsError(ErrorCode::kNoSuchTable));
  EXPECT_THAT(catalog_->CommitTables({{Id({"nope"}, "t"), std::nullopt, "t0"}}),
              IsError(ErrorCode::kNoSuchNamespace));
  EXPECT_THAT(catalog_->CommitTables({{Id({"db"}, "a"), "a1", "a2"}, {Id({"db"}, "a"), "a1", "a3"}}),
              IsError(ErrorCode::kInvalidArgument));
  EXPECT_EQ(*catalog_->LoadTableLocation(Id({"db"}, "a")), "a1");
  EXPECT_OK(catalog_->CommitTables({}));
}

TEST_P(SqlCatalogTest, RenameTableAcrossNamespaces) {
  ASSERT_OK(catalog_->CreateNamespace({"src"}, {}));
  ASSERT_OK(catalog_->CreateNamespace({"dst", "deep"}, {}));
  ASSERT_OK(catalog_->CreateTable(Id({"src"}, "t"), "m1"));
  ASSERT_OK(catalog_->CreateTable(Id({"src"}, "u"), "m2"));

  ASSERT_OK(catalog_->RenameTable(Id({"src"}, "t"), Id({"dst", "deep"}, "t2")));
  EXPECT_FALSE(*catalog_->TableExists(Id({"src"}, "t")));
  EXPECT_EQ(*catalog_->LoadTableLocation(Id({"dst", "deep"}, "t2")), "m1");
  EXPECT_THAT(*catalog_->ListTables({"dst", "deep"}), ElementsAre(Id({"dst", "deep"}, "t2")));

  EXPECT_THAT(catalog_->RenameTable(Id({"src"}, "t"), Id({"src"}, "x")),
              IsError(ErrorCode::kNoSuchTable));
  EXPECT_THAT(catalog_->RenameTable(Id({"src"}, "u"), Id({"dst", "deep"}, "t2")),
              IsError(ErrorCode::kAlreadyExists));
  EXPECT_THAT(catalog_->RenameTable(Id({"src"}, "u"), Id({"nowhere"}, "u")),
              IsError(ErrorCode::kNoSuchNamespace));
  // Same namespace, new name; the pointer and its history travel with it.
  ASSERT_OK(catalog_->CommitTable(Id({"src"}, "u"), "m2", "m3"));
  ASSERT_OK(catalog_->RenameTable(Id({"src"}, "u"), Id({"src"}, "v")));
  EXPECT_THAT(Raw("SELECT table_namespace, table_name, metadata_location, "
                  "previous_metadata_location FROM iceberg_tables ORDER BY table_name"),
              ElementsAre("dst.deep|t2|m1|NULL", "src|v|m3|m2"));
}

TEST_P(SqlCatalogTest, StatePersistsAcrossReopen) {
  ASSERT_OK(catalog_->CreateNamespace({"ns"}, {{"k", "v"}}));
  ASSERT_OK(catalog_->CreateTable(Id({"ns"}, "t"), "m1"));
  catalog_.reset();
  ASSERT_OK_AND_ASSIGN(auto again, OpenNamed("local"));
  EXPECT_THAT(*again->LoadNamespaceProperties({"ns"}), ElementsAre(Pair("k", "v")));
  EXPECT_EQ(*again->LoadTableLocation(Id({"ns"}, "t")), "m1");
}

TEST_P(SqlCatalogTest, CatalogNamesInOneFileAreIsolated) {
  ASSERT_OK_AND_ASSIGN(auto other, OpenNamed("other"));
  ASSERT_OK(catalog_->CreateNamespace({"ns"}, {{"who", "local"}}));
  ASSERT_OK(catalog_->CreateTable(Id({"ns"}, "t"), "local-m1"));

  EXPECT_FALSE(*other->NamespaceExists({"ns"}));
  EXPECT_THAT(*other->ListNamespaces({}), IsEmpty());
  EXPECT_FALSE(*other->TableExists(Id({"ns"}, "t")));
  EXPECT_THAT(other->LoadTableLocation(Id({"ns"}, "t")), IsError(ErrorCode::kNoSuchTable));
  EXPECT_THAT(other->CommitTable(Id({"ns"}, "t"), "local-m1", "x"),
              IsError(ErrorCode::kNoSuchTable));
  EXPECT_THAT(other->DropTable(Id({"ns"}, "t")), IsError(ErrorCode::kNoSuchTable));

  // The same names can live in both.
  ASSERT_OK(other->CreateNamespace({"ns"}, {{"who", "other"}}));
  ASSERT_OK(other->CreateTable(Id({"ns"}, "t"), "other-m1"));
  ASSERT_OK(other->CommitTable(Id({"ns"}, "t"), "other-m1", "other-m2"));
  EXPECT_EQ(*catalog_->LoadTableLocation(Id({"ns"}, "t")), "local-m1");
  EXPECT_EQ(*other->LoadTableLocation(Id({"ns"}, "t")), "other-m2");
  EXPECT_THAT(*catalog_->LoadNamespaceProperties({"ns"}), ElementsAre(Pair("who", "local")));

  ASSERT_OK(other->DropTable(Id({"ns"}, "t")));
  ASSERT_OK(other->DropNamespace({"ns"}));
  EXPECT_TRUE(*catalog_->TableExists(Id({"ns"}, "t")));
  EXPECT_TRUE(*catalog_->NamespaceExists({"ns"}));
}

// The file must be the one Java's JdbcCatalog and pyiceberg's SqlCatalog create and read.
TEST_F(SqliteCatalogTest, OnDiskLayoutMatchesJdbcAndPyiceberg) {
  RawDb raw(path_);
  // cid|name|type|notnull|dflt_value|pk
  EXPECT_THAT(
      raw.Query("PRAGMA table_info(iceberg_tables)"),
      ElementsAre("0|catalog_name|VARCHAR(255)|1|NULL|1", "1|table_namespace|VARCHAR(255)|1|NULL|2",
                  "2|table_name|VARCHAR(255)|1|NULL|3",
                  "3|metadata_location|VARCHAR(1000)|0|NULL|0",
                  "4|previous_metadata_location|VARCHAR(1000)|0|NULL|0",
                  "5|iceberg_type|VARCHAR(5)|0|NULL|0"));
  EXPECT_THAT(
      raw.Query("PRAGMA table_info(iceberg_namespace_properties)"),
      ElementsAre("0|catalog_name|VARCHAR(255)|1|NULL|1", "1|namespace|VARCHAR(255)|1|NULL|2",
                  "2|property_key|VARCHAR(255)|1|NULL|3",
                  "3|property_value|VARCHAR(1000)|1|NULL|0"));
  EXPECT_THAT(raw.Query("PRAGMA journal_mode"), ElementsAre("wal"));

  ASSERT_OK(catalog_->CreateNamespace({"a", "b"}, {}));
  ASSERT_OK(catalog_->CreateNamespace({"c"}, {{"owner", "ana"}}));
  ASSERT_OK(catalog_->CreateTable(Id({"a", "b"}, "t"), "m1"));
  ASSERT_OK(catalog_->CommitTable(Id({"a", "b"}, "t"), "m1", "m2"));
  EXPECT_THAT(raw.Query("SELECT * FROM iceberg_namespace_properties ORDER BY namespace"),
              ElementsAre("local|a.b|exists|true", "local|c|owner|ana"));
  EXPECT_THAT(raw.Query("SELECT * FROM iceberg_tables"), ElementsAre("local|a.b|t|m2|m1|TABLE"));
  // The primary keys are enforced: a second row for the same table is rejected by SQLite.
  char* err = nullptr;
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
  EXPECT_NE(sqlite3_exec(db,
                         "INSERT INTO iceberg_tables VALUES ('local', 'a.b', 't', 'x', NULL, "
                         "'TABLE')",
                         nullptr, nullptr, &err),
            SQLITE_OK);
  sqlite3_free(err);
  sqlite3_close(db);
}

// Rows written by pyiceberg (iceberg_type NULL) are tables; Java's view rows are not.
TEST_F(SqliteCatalogTest, RowsFromOtherWriters) {
  {
    RawDb raw(path_);
    raw.Exec("INSERT INTO iceberg_namespace_properties VALUES ('local', 'py', 'exists', 'true')");
    raw.Exec("INSERT INTO iceberg_tables VALUES ('local', 'py', 'from_py', 'p1', NULL, NULL)");
    raw.Exec("INSERT INTO iceberg_tables VALUES ('local', 'py', 'a_view', 'v1', NULL, 'VIEW')");
    raw.Exec("INSERT INTO iceberg_tables VALUES ('local', 'only.tables', 'x', 'x1', NULL, NULL)");
  }
  EXPECT_THAT(*catalog_->ListTables({"py"}), ElementsAre(Id({"py"}, "from_py")));
  EXPECT_EQ(*catalog_->LoadTableLocation(Id({"py"}, "from_py")), "p1");
  ASSERT_OK(catalog_->CommitTable(Id({"py"}, "from_py"), "p1", "p2"));

  EXPECT_FALSE(*catalog_->TableExists(Id({"py"}, "a_view")));
  EXPECT_THAT(catalog_->LoadTableLocation(Id({"py"}, "a_view")), IsError(ErrorCode::kNoSuchTable));
  EXPECT_THAT(catalog_->CommitTable(Id({"py"}, "a_view"), "v1", "v2"),
              IsError(ErrorCode::kNoSuchTable));
  EXPECT_THAT(catalog_->DropTable(Id({"py"}, "a_view")), IsError(ErrorCode::kNoSuchTable));
  EXPECT_THAT(catalog_->CreateTable(Id({"py"}, "a_view"), "t1"),
              IsError(ErrorCode::kAlreadyExists));

  // Namespaces that exist only through tables, as pyiceberg allows.
  EXPECT_TRUE(*catalog_->NamespaceExists({"only"}));
  EXPECT_TRUE(*catalog_->NamespaceExists({"only", "tables"}));
  EXPECT_THAT(*catalog_->ListNamespaces({}), ElementsAre(Namespace{"only"}, Namespace{"py"}));
  EXPECT_THAT(*catalog_->ListNamespaces({"only"}), ElementsAre(Namespace{"only", "tables"}));
  EXPECT_THAT(*catalog_->LoadNamespaceProperties({"only", "tables"}), IsEmpty());
  EXPECT_THAT(catalog_->DropNamespace({"only"}), IsError(ErrorCode::kNamespaceNotEmpty));
}

// A catalog written before the iceberg_type column existed is used as it is.
TEST(SqlCatalogV0Test, OpensAFileWithoutIcebergType) {
  ldp::testing::TempDir dir;
  const std::string path = dir.Join("v0.db");
  {
    RawDb raw(path);
    raw.Exec(
        "CREATE TABLE iceberg_tables (catalog_name VARCHAR(255) NOT NULL, table_namespace "
        "VARCHAR(255) NOT NULL, table_name VARCHAR(255) NOT NULL, metadata_location "
        "VARCHAR(1000), previous_metadata_location VARCHAR(1000), PRIMARY KEY (catalog_name, "
        "table_namespace, table_name));"
        "CREATE TABLE iceberg_namespace_properties (catalog_name VARCHAR(255) NOT NULL, namespace "
        "VARCHAR(255) NOT NULL, property_key VARCHAR(255), property_value VARCHAR(1000), PRIMARY "
        "KEY (catalog_name, namespace, property_key));"
        "INSERT INTO iceberg_namespace_properties VALUES ('local', 'ns', 'exists', 'true');"
        "INSERT INTO iceberg_namespace_properties VALUES ('local', 'ns', 'nullable', NULL);"
        "INSERT INTO iceberg_tables VALUES ('local', 'ns', 'old', 'o1', NULL);");
  }
  ASSERT_OK_AND_ASSIGN(auto catalog, SqlCatalog::Open(path, "local"));
  EXPECT_EQ(catalog->schema_version(), SqlCatalog::SchemaVersion::kV0);
  EXPECT_THAT(*catalog->LoadNamespaceProperties({"ns"}),
              ElementsAre(Pair("exists", "true"), Pair("nullable", "")));
  EXPECT_EQ(*catalog->LoadTableLocation(Id({"ns"}, "old")), "o1");
  ASSERT_OK(catalog->CommitTable(Id({"ns"}, "old"), "o1", "o2"));
  ASSERT_OK(catalog->CreateTable(Id({"ns"}, "new"), "n1"));
  EXPECT_THAT(*catalog->ListTables({"ns"}), ElementsAre(Id({"ns"}, "new"), Id({"ns"}, "old")));
  ASSERT_OK(catalog->RenameTable(Id({"ns"}, "new"), Id({"ns"}, "newer")));
  ASSERT_OK(catalog->DropTable(Id({"ns"}, "newer")));
  RawDb raw(path);
  EXPECT_THAT(raw.Query("SELECT * FROM iceberg_tables"), ElementsAre("local|ns|old|o2|o1"));
}

// Another process holding the write lock for longer than busy_timeout_ms gives Unavailable (not a
// hang, not a wrong CommitFailed), and the catalog works again once the lock is gone.
TEST_F(SqliteCatalogTest, LockedFileGivesUnavailable) {
  ASSERT_OK(catalog_->CreateNamespace({"ns"}, {}));
  ASSERT_OK(catalog_->CreateTable(Id({"ns"}, "t"), "m1"));
  SqlCatalog::Options options;
  options.busy_timeout_ms = 150;
  ASSERT_OK_AND_ASSIGN(auto impatient, SqlCatalog::Open(path_, "local", options));

  RawDb holder(path_);
  holder.Exec("BEGIN IMMEDIATE");
  auto st = impatient->CommitTable(Id({"ns"}, "t"), "m1", "m2");
  EXPECT_THAT(st, IsError(ErrorCode::kUnavailable));
  EXPECT_THAT(st, HasMessage(path_));
  EXPECT_THAT(st, HasMessage("ns.t"));
  // Readers are not blocked by a writer in WAL mode.
  EXPECT_EQ(*impatient->LoadTableLocation(Id({"ns"}, "t")), "m1");
  holder.Exec("ROLLBACK");

  ASSERT_OK(impatient->CommitTable(Id({"ns"}, "t"), "m1", "m2"));
  EXPECT_EQ(*catalog_->LoadTableLocation(Id({"ns"}, "t")), "m2");
}

/// One compare-and-swap increment "v<k>" -> "v<k+1>", retried until it wins. Returns the error
/// that stopped it, or OK.
Status Increment(Catalog& catalog, const TableIdentifier& id) {
  while (true) {
    LDP_ASSIGN_OR_RAISE(std::string current, catalog.LoadTableLocation(id));
    int k = std::stoi(current.substr(1));
    Status st = catalog.CommitTable(id, current, "v" + std::to_string(k + 1));
    if (st.code() != ErrorCode::kCommitFailed) return st;
  }
}

TEST_P(SqlCatalogTest, ThreadsSharingOneCatalogLoseNoCommit) {
  const TableIdentifier id = Id({"ns"}, "counter");
  ASSERT_OK(catalog_->CreateNamespace({"ns"}, {}));
  ASSERT_OK(catalog_->CreateTable(id, "v0"));
  constexpr int kThreads = 4;
  constexpr int kEach = 25;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kEach; ++i) {
        if (!Increment(*catalog_, id).ok()) failures++;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(*catalog_->LoadTableLocation(id), "v100");
}

/// Forks `n` children running `child` (its return value is the exit code) after they all started,
/// and returns their exit codes.
template <typename Fn>
std::vector<int> RunChildren(int n, Fn child) {
  int gate[2];
  if (pipe(gate) != 0) return {};
  std::vector<pid_t> pids;
  for (int i = 0; i < n; ++i) {
    pid_t pid = fork();
    if (pid == 0) {
      close(gate[1]);
      char c;
      // Blocks until the parent closes its end, so the children start together.
      while (read(gate[0], &c, 1) > 0) {
      }
      int code = child(i);
      fflush(stderr);
      _exit(code);
    }
    pids.push_back(pid);
  }
  close(gate[0]);
  close(gate[1]);
  std::vector<int> codes;
  for (pid_t pid : pids) {
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) != pid) {
      codes.push_back(-1);
    } else {
      codes.push_back(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
    }
  }
  return codes;
}

// The point of the SQL catalog: separate processes committing to one table lose no commit.
TEST_P(SqlCatalogTest, ProcessesRacingOnOneTableLoseNoCommit) {
  constexpr int kProcesses = 4;
  constexpr int kEach = 50;
  const TableIdentifier id = Id({"race"}, "counter");
  ASSERT_OK(catalog_->CreateNamespace({"race"}, {}));
  ASSERT_OK(catalog_->CreateTable(id, "v0"));
  catalog_.reset();  // no connection crosses fork()

  auto codes = RunChildren(kProcesses, [&](int) {
    auto catalog = OpenNamed("local");
    if (!catalog.ok()) {
      fprintf(stderr, "child open: %s\n", catalog.status().ToString().c_str());
      return 2;
    }
    for (int i = 0; i < kEach; ++i) {
      Status st = Increment(**catalog, id);
      if (!st.ok()) {
        fprintf(stderr, "child increment: %s\n", st.ToString().c_str());
        return 3;
      }
    }
    return 0;
  });
  EXPECT_THAT(codes, ElementsAre(0, 0, 0, 0));

  EXPECT_THAT(Raw("SELECT metadata_location, previous_metadata_location FROM iceberg_tables"),
              ElementsAre("v200|v199"));
}

// Several processes opening a file that does not exist yet all end up with one valid catalog.
TEST(SqlCatalogProcessTest, ConcurrentOpensOfAFreshFile) {
  ldp::testing::TempDir dir;
  const std::string path = dir.Join("fresh.db");
  auto codes = RunChildren(4, [&](int i) {
    auto catalog = SqlCatalog::Open(path, "local");
    if (!catalog.ok()) {
      fprintf(stderr, "child open: %s\n", catalog.status().ToString().c_str());
      return 2;
    }
    Status st = (*catalog)->CreateNamespace({"p" + std::to_string(i)}, {});
    if (!st.ok()) {
      fprintf(stderr, "child create: %s\n", st.ToString().c_str());
      return 3;
    }
    return 0;
  });
  EXPECT_THAT(codes, ElementsAre(0, 0, 0, 0));
  ASSERT_OK_AND_ASSIGN(auto catalog, SqlCatalog::Open(path, "local"));
  EXPECT_THAT(*catalog->ListNamespaces({}), UnorderedElementsAre(Namespace{"p0"}, Namespace{"p1"},
                                                                 Namespace{"p2"}, Namespace{"p3"}));
}

/// What only PostgreSQL needs checking for.
class PostgresCatalogTest : public ::testing::Test, protected CatalogBackend {
 protected:
  void SetUp() override { Init(true); }
};

// The tables pyiceberg's SqlCatalog and Java's JdbcCatalog create, so either can share the
// database with ldp.
TEST_F(PostgresCatalogTest, LayoutMatchesJdbcAndPyiceberg) {
  EXPECT_THAT(Raw("SELECT table_name || '.' || column_name || ':' || data_type FROM "
                  "information_schema.columns WHERE table_schema = current_schema() "
                  "ORDER BY table_name, ordinal_position"),
              ElementsAre("iceberg_namespace_properties.catalog_name:character varying",
                          "iceberg_namespace_properties.namespace:character varying",
                          "iceberg_namespace_properties.property_key:character varying",
                          "iceberg_namespace_properties.property_value:character varying",
                          "iceberg_tables.catalog_name:character varying",
                          "iceberg_tables.table_namespace:character varying",
                          "iceberg_tables.table_name:character varying",
                          "iceberg_tables.metadata_location:character varying",
                          "iceberg_tables.previous_metadata_location:character varying",
                          "iceberg_tables.iceberg_type:character varying"));
  // A row written by another tool is a table to ldp, and ldp's rows read back as pyiceberg's.
  Raw("INSERT INTO iceberg_tables VALUES ('local', 'ext', 't', 'm-ext', NULL, 'TABLE')");
  EXPECT_TRUE(*catalog_->NamespaceExists({"ext"}));
  EXPECT_EQ(*catalog_->LoadTableLocation(Id({"ext"}, "t")), "m-ext");
  ASSERT_OK(catalog_->CommitTable(Id({"ext"}, "t"), "m-ext", "m2"));
  EXPECT_THAT(Raw("SELECT catalog_name, table_namespace, table_name, metadata_location, "
                  "previous_metadata_location, iceberg_type FROM iceberg_tables"),
              ElementsAre("local|ext|t|m2|m-ext|TABLE"));
  // Opening again (tables present) keeps them.
  ASSERT_OK_AND_ASSIGN(auto again, OpenNamed("local"));
  EXPECT_EQ(again->schema_version(), SqlCatalog::SchemaVersion::kV1);
}

// Namespace prefixes compare byte-wise whatever the database's collation ("a.b" is under "a",
// "a-b" and "ab" are not).
TEST_F(PostgresCatalogTest, NamespacePrefixesAreByteWise) {
  ASSERT_OK(catalog_->CreateNamespace({"a", "b"}, {}));
  ASSERT_OK(catalog_->CreateNamespace({"a-b"}, {}));
  ASSERT_OK(catalog_->CreateNamespace({"ab"}, {}));
  EXPECT_THAT(*catalog_->ListNamespaces({"a"}), ElementsAre(Namespace{"a", "b"}));
  EXPECT_TRUE(*catalog_->NamespaceExists({"a"}));
  EXPECT_THAT(catalog_->DropNamespace({"a"}), IsError(ErrorCode::kNamespaceNotEmpty));
}

TEST(PostgresConnectionTest, PasswordIsNeverShown) {
  EXPECT_EQ(sql::RedactUri("postgresql://ldp:s3cret@db:5432/cat"), "postgresql://ldp@db:5432/cat");
  EXPECT_EQ(sql::RedactUri("postgresql://ldp@db/cat?password=s3cret&sslmode=require"),
            "postgresql://ldp@db/cat?password=***&sslmode=require");
  EXPECT_EQ(sql::RedactUri("postgresql://db/cat"), "postgresql://db/cat");
  // Port 1 refuses: the error names the server, never the password.
  auto opened = SqlCatalog::OpenPostgres("postgresql://ldp:s3cret@127.0.0.1:1/cat", "hunter2", "c");
  EXPECT_THAT(opened, IsError(ErrorCode::kUnavailable));
  EXPECT_THAT(opened, HasMessage("postgresql://ldp@127.0.0.1:1/cat"));
  EXPECT_EQ(opened.status().message().find("s3cret"), std::string::npos);
  EXPECT_EQ(opened.status().message().find("hunter2"), std::string::npos);
  EXPECT_THAT(SqlCatalog::OpenPostgres("", "", "c"), IsError(ErrorCode::kInvalidArgument));
}

}  // namespace
}  // namespace ldp::catalog
