// The REST catalog's routing and handlers, driven with plain request values over a real SQLite
// catalog and warehouse folder (no sockets).
#include "ldp/rest/catalog_service.h"

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "ldp/catalog/sql/sql_catalog.h"
#include "testing/temp_dir.h"

namespace ldp::rest {
namespace {

using nlohmann::json;

const json kSchema = json::parse(R"({
  "type": "struct", "schema-id": 0,
  "fields": [
    {"id": 1, "name": "id", "required": true, "type": "long"},
    {"id": 2, "name": "name", "required": false, "type": "string"}
  ]})");

class CatalogServiceTest : public ::testing::Test {
 protected:
  void SetUp() override { Start(ServiceOptions{}); }

  void Start(ServiceOptions opts) {
    service_.reset();
    catalog_.reset();
    std::filesystem::create_directories(dir_.Join("warehouse"));
    auto cat = catalog::SqlCatalog::Open(dir_.Join("warehouse/catalog.db"), "default");
    ASSERT_TRUE(cat.ok()) << cat.status().ToString();
    catalog_ = std::move(*cat);
    opts.warehouse = dir_.Join("warehouse");
    service_ = std::make_unique<CatalogService>(*catalog_, io::LocalFileSystem(), opts);
  }

  HttpResponse Call(const std::string& method, const std::string& target,
                    const std::string& body = "", std::map<std::string, std::string> headers = {}) {
    HttpRequest r;
    r.method = method;
    r.target = target;
    r.body = body;
    r.headers = std::move(headers);
    return service_->Handle(r);
  }
  HttpResponse Call(const std::string& method, const std::string& target, const char* body) {
    return Call(method, target, std::string(body));
  }
  HttpResponse Call(const std::string& method, const std::string& target, const json& body) {
    return Call(method, target, body.dump());
  }
  static json Body(const HttpResponse& r) { return json::parse(r.body); }

  /// Expects the spec's error body with this status and type.
  static void ExpectError(const HttpResponse& r, int status, const std::string& type) {
    EXPECT_EQ(r.status, status) << r.body;
    auto j = json::parse(r.body, nullptr, false);
    ASSERT_TRUE(j.is_object()) << r.body;
    EXPECT_EQ(j["error"]["code"], status) << r.body;
    EXPECT_EQ(j["error"]["type"], type) << r.body;
    EXPECT_FALSE(j["error"]["message"].get<std::string>().empty());
  }

  json CreateTable(const std::string& ns, const std::string& name, json extra = json::object()) {
    json req = {{"name", name}, {"schema", kSchema}};
    req.update(extra);
    auto r = Call("POST", "/v1/namespaces/" + ns + "/tables", req);
    EXPECT_EQ(r.status, 200) << r.body;
    return Body(r);
  }

  /// A snapshot for add-snapshot: it only needs to be well-formed for the catalog.
  static json Snapshot(int64_t id, std::optional<int64_t> parent, int64_t seq) {
    json s = {{"snapshot-id", id},
              {"sequence-number", seq},
              {"timestamp-ms", 1700000000000 + seq},
              {"manifest-list", fmt::format("/nowhere/snap-{}.avro", id)},
              {"summary", {{"operation", "append"}}},
              {"schema-id", 0}};
    if (parent) s["parent-snapshot-id"] = *parent;
    return s;
  }

  json Append(int64_t id, std::optional<int64_t> parent, int64_t seq) {
    return {
        {"requirements", json::array({{{"type", "assert-ref-snapshot-id"},
                                       {"ref", "main"},
                                       {"snapshot-id", parent ? json(*parent) : json(nullptr)}}})},
        {"updates",
         json::array({{{"action", "add-snapshot"}, {"snapshot", Snapshot(id, parent, seq)}},
                      {{"action", "set-snapshot-ref"},
                       {"ref-name", "main"},
                       {"type", "branch"},
                       {"snapshot-id", id}}})}};
  }

  testing::TempDir dir_;
  std::unique_ptr<catalog::SqlCatalog> catalog_;
  std::unique_ptr<CatalogService> service_;
};

TEST_F(CatalogServiceTest, ConfigListsEndpointsAndPrefix) {
  auto r = Call("GET", "/v1/config?warehouse=w");
  ASSERT_EQ(r.status, 200);
  auto j = Body(r);
  EXPECT_TRUE(j["defaults"].is_object());
  EXPECT_FALSE(j["overrides"].contains("prefix"));
  EXPECT_NE(std::find(j["endpoints"].begin(), j["endpoints"].end(),
                      "POST /v1/{prefix}/transactions/commit"),
            j["endpoints"].end());

  ServiceOptions opts;
  opts.prefix = "wh1";
  Start(opts);
  EXPECT_EQ(Body(Call("GET", "/v1/config"))["overrides"]["prefix"], "wh1");
  EXPECT_EQ(Call("POST", "/v1/wh1/namespaces", json{{"namespace", {"a"}}}).status, 200);
  EXPECT_EQ(Call("GET", "/v1/wh1/namespaces/a").status, 200);
  EXPECT_EQ(Call("GET", "/v1/namespaces/a").status, 200);  // the prefix is optional
  ExpectError(Call("GET", "/v1/other/namespaces/a"), 404, "NotFoundException");
}

TEST_F(CatalogServiceTest, NamespaceLifecycle) {
  auto r = Call("POST", "/v1/namespaces",
                json{{"namespace", {"nyc"}}, {"properties", {{"owner", "ana"}}}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Body(r)["namespace"], json({"nyc"}));
  ExpectError(Call("POST", "/v1/namespaces", json{{"namespace", {"nyc"}}}), 409,
              "AlreadyExistsException");
  EXPECT_EQ(Call("HEAD", "/v1/namespaces/nyc").status, 204);
  EXPECT_EQ(Call("HEAD", "/v1/namespaces/nope").status, 404);
  EXPECT_TRUE(Call("HEAD", "/v1/namespaces/nope").body.empty());
  EXPECT_EQ(Body(Call("GET", "/v1/namespaces/nyc"))["properties"]["owner"], "ana");
  ExpectError(Call("GET", "/v1/namespaces/nope"), 404, "NoSuchNamespaceException");

  r = Call("POST", "/v1/namespaces/nyc/properties",
           json{{"updates", {{"tier", "gold"}}}, {"removals", {"owner", "absent"}}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Body(r)["updated"], json({"tier"}));
  EXPECT_EQ(Body(r)["removed"], json({"owner"}));
  EXPECT_EQ(Body(r)["missing"], json({"absent"}));
  auto props = Body(Call("GET", "/v1/namespaces/nyc"))["properties"];
  EXPECT_EQ(props["tier"], "gold");
  EXPECT_FALSE(props.contains("owner"));
  ExpectError(Call("POST", "/v1/namespaces/nyc/properties",
                   json{{"updates", {{"k", "v"}}}, {"removals", {"k"}}}),
              422, "UnprocessableEntityException");

  CreateTable("nyc", "trips");
  ExpectError(Call("DELETE", "/v1/namespaces/nyc"), 409, "NamespaceNotEmptyException");
  EXPECT_EQ(Call("DELETE", "/v1/namespaces/nyc/tables/trips").status, 204);
  EXPECT_EQ(Call("DELETE", "/v1/namespaces/nyc").status, 204);
  EXPECT_EQ(Call("HEAD", "/v1/namespaces/nyc").status, 404);
}

TEST_F(CatalogServiceTest, MultiLevelNamespacesAndPaging) {
  for (const char* ns : {"a", "b", "c"}) {
    ASSERT_EQ(Call("POST", "/v1/namespaces", json{{"namespace", {ns}}}).status, 200);
  }
  ASSERT_EQ(Call("POST", "/v1/namespaces", json{{"namespace", {"a", "x"}}}).status, 200);
  ASSERT_EQ(Call("POST", "/v1/namespaces", json{{"namespace", {"a", "y"}}}).status, 200);
  EXPECT_EQ(Call("HEAD", "/v1/namespaces/a%1Fx").status, 204);
  EXPECT_EQ(Body(Call("GET", "/v1/namespaces/a%1Fx"))["namespace"], json({"a", "x"}));
  EXPECT_EQ(Body(Call("GET", "/v1/namespaces?parent=a"))["namespaces"],
            json::array({json::array({"a", "x"}), json::array({"a", "y"})}));

  auto page1 = Body(Call("GET", "/v1/namespaces?pageSize=2"));
  EXPECT_EQ(page1["namespaces"], json({{"a"}, {"b"}}));
  ASSERT_TRUE(page1.contains("next-page-token"));
  auto page2 = Body(Call(
      "GET", "/v1/namespaces?pageSize=2&pageToken=" + page1["next-page-token"].get<std::string>()));
  EXPECT_EQ(page2["namespaces"], json({{"c"}}));
  EXPECT_FALSE(page2.contains("next-page-token"));
  ExpectError(Call("GET", "/v1/namespaces?pageSize=zero"), 400, "BadRequestException");

  for (const char* t : {"t1", "t2", "t3"}) CreateTable("a%1Fx", t);
  auto tables = Body(Call("GET", "/v1/namespaces/a%1Fx/tables?pageSize=2"));
  ASSERT_EQ(tables["identifiers"].size(), 2u);
  EXPECT_EQ(tables["identifiers"][0], json({{"namespace", {"a", "x"}}, {"name", "t1"}}));
  auto rest = Body(Call("GET", "/v1/namespaces/a%1Fx/tables?pageSize=2&pageToken=" +
                                   tables["next-page-token"].get<std::string>()));
  ASSERT_EQ(rest["identifiers"].size(), 1u);
  EXPECT_EQ(rest["identifiers"][0]["name"], "t3");
  // The table lives at <warehouse>/a.x.db/t1, as ldp's own CLI would put it.
  auto loaded = Body(Call("GET", "/v1/namespaces/a%1Fx/tables/t1"));
  EXPECT_EQ(loaded["metadata"]["location"], "file://" + dir_.Join("warehouse/a.x.db/t1"));
}

TEST_F(CatalogServiceTest, CreateLoadExistsRenameDrop) {
  ASSERT_EQ(Call("POST", "/v1/namespaces", json{{"namespace", {"db"}}}).status, 200);
  auto created = CreateTable(
      "db", "t",
      {{"properties", {{"owner", "me"}}},
       {"partition-spec",
        {{"fields", {{{"source-id", 1}, {"transform", "bucket[4]"}, {"name", "id_bucket"}}}}}},
       {"write-order",
        {{"order-id", 1},
         {"fields",
          {{{"source-id", 2},
            {"transform", "identity"},
            {"direction", "asc"},
            {"null-order", "nulls-first"}}}}}}});
  const std::string loc = created["metadata-location"];
  EXPECT_TRUE(std::filesystem::exists(loc.substr(7))) << loc;
  EXPECT_NE(loc.find("/db.db/t/metadata/00000-"), std::string::npos) << loc;
  auto md = created["metadata"];
  EXPECT_EQ(md["format-version"], 2);
  EXPECT_EQ(md["properties"]["owner"], "me");
  EXPECT_EQ(md["partition-specs"][0]["fields"][0]["field-id"], 1000);
  EXPECT_EQ(md["last-partition-id"], 1000);
  EXPECT_EQ(md["default-sort-order-id"], 1);
  EXPECT_EQ(md["last-column-id"], 2);
  ExpectError(Call("POST", "/v1/namespaces/db/tables", json{{"name", "t"}, {"schema", kSchema}}),
              409, "AlreadyExistsException");
  ExpectError(Call("POST", "/v1/namespaces/nope/tables", json{{"name", "t"}, {"schema", kSchema}}),
              404, "NoSuchNamespaceException");

  auto r = Call("GET", "/v1/namespaces/db/tables/t");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(Body(r)["metadata-location"], loc);
  EXPECT_EQ(Body(r)["metadata"]["table-uuid"], md["table-uuid"]);
  ASSERT_TRUE(r.headers.count("ETag"));
  EXPECT_EQ(
      Call("GET", "/v1/namespaces/db/tables/t", "", {{"if-none-match", r.headers["ETag"]}}).status,
      304);
  EXPECT_EQ(Call("HEAD", "/v1/namespaces/db/tables/t").status, 204);
  EXPECT_EQ(Call("HEAD", "/v1/namespaces/db/tables/nope").status, 404);
  ExpectError(Call("GET", "/v1/namespaces/db/tables/nope"), 404, "NoSuchTableException");
  ExpectError(Call("GET", "/v1/namespaces/db/tables/t?snapshots=some"), 400, "BadRequestException");

  ASSERT_EQ(Call("POST", "/v1/namespaces", json{{"namespace", {"other"}}}).status, 200);
  json rename = {{"source", {{"namespace", {"db"}}, {"name", "t"}}},
                 {"destination", {{"namespace", {"other"}}, {"name", "u"}}}};
  EXPECT_EQ(Call("POST", "/v1/tables/rename", rename).status, 204);
  EXPECT_EQ(Call("HEAD", "/v1/namespaces/other/tables/u").status, 204);
  EXPECT_EQ(Call("HEAD", "/v1/namespaces/db/tables/t").status, 404);
  ExpectError(Call("POST", "/v1/tables/rename", rename), 404, "NoSuchTableException");

  EXPECT_EQ(
      Call("POST", "/v1/namespaces/other/tables/u/metrics", json{{"report-type", "scan-report"}})
          .status,
      204);
  ExpectError(Call("POST", "/v1/namespaces/other/tables/zz/metrics", json{{"report-type", "x"}}),
              404, "NoSuchTableException");

  // Drop without purge keeps the files; with purge they go.
  EXPECT_EQ(Call("DELETE", "/v1/namespaces/other/tables/u").status, 204);
  EXPECT_TRUE(std::filesystem::exists(loc.substr(7)));
  ExpectError(Call("DELETE", "/v1/namespaces/other/tables/u"), 404, "NoSuchTableException");
  auto again = CreateTable("db", "p");
  const std::string ploc = again["metadata-location"];
  EXPECT_EQ(Call("DELETE", "/v1/namespaces/db/tables/p?purgeRequested=true").status, 204);
  EXPECT_FALSE(std::filesystem::exists(ploc.substr(7)));
}

TEST_F(CatalogServiceTest, RegisterTable) {
  ASSERT_EQ(Call("POST", "/v1/namespaces", json{{"namespace", {"db"}}}).status, 200);
  auto created = CreateTable("db", "t");
  const std::string loc = created["metadata-location"];
  auto r = Call("POST", "/v1/namespaces/db/register",
                json{{"name", "copy"}, {"metadata-location", loc}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Body(Call("GET", "/v1/namespaces/db/tables/copy"))["metadata-location"], loc);
  ExpectError(Call("POST", "/v1/namespaces/db/register",
                   json{{"name", "copy"}, {"metadata-location", loc}}),
              409, "AlreadyExistsException");
  EXPECT_EQ(Call("POST", "/v1/namespaces/db/register",
                 json{{"name", "copy"}, {"metadata-location", loc}, {"overwrite", true}})
                .status,
            200);
  ExpectError(Call("POST", "/v1/namespaces/db/register",
                   json{{"name", "evil"}, {"metadata-location", "/etc/passwd"}}),
              400, "BadRequestException");
}

TEST_F(CatalogServiceTest, LocationsMustStayInsideTheWarehouse) {
  ASSERT_EQ(Call("POST", "/v1/namespaces", json{{"namespace", {"db"}}}).status, 200);
  const std::string wh = dir_.Join("warehouse");
  for (const std::string& bad :
       std::vector<std::string>{wh + "/../outside", "/tmp/elsewhere", "file://" + wh + "/a/../../x",
                                wh, "s3://bucket/t", wh + "/x/%2e%2e/y", "relative/path"}) {
    auto r = Call("POST", "/v1/namespaces/db/tables",
                  json{{"name", "t"}, {"schema", kSchema}, {"location", bad}});
    ExpectError(r, 400, "BadRequestException");
  }
  EXPECT_FALSE(std::filesystem::exists(dir_.Join("outside")));
  EXPECT_EQ(Call("HEAD", "/v1/namespaces/db/tables/t").status, 404);
  auto ok = Call("POST", "/v1/namespaces/db/tables",
                 json{{"name", "t"}, {"schema", kSchema}, {"location", wh + "/custom/t"}});
  ASSERT_EQ(ok.status, 200) << ok.body;

  // A commit may not move the table out either; nothing changes.
  const std::string before = Body(Call("GET", "/v1/namespaces/db/tables/t"))["metadata-location"];
  auto r = Call("POST", "/v1/namespaces/db/tables/t",
                json{{"updates", {{{"action", "set-location"}, {"location", wh + "/../x"}}}}});
  ExpectError(r, 400, "BadRequestException");
  EXPECT_EQ(Body(Call("GET", "/v1/namespaces/db/tables/t"))["metadata-location"], before);
  EXPECT_OK(CheckInsideWarehouse(wh + "/a/b", wh));
  EXPECT_OK(CheckInsideWarehouse("file://" + wh + "/a/b", wh));
  EXPECT_THAT(CheckInsideWarehouse(wh + "x/a", wh), IsError(ErrorCode::kInvalidArgument));
  EXPECT_THAT(CheckInsideWarehouse("s3://b" + wh + "/a", wh), IsError(ErrorCode::kInvalidArgument));
  // A warehouse on object storage: the same bucket, under the same prefix, no ".." segments.
  EXPECT_OK(CheckInsideWarehouse("s3://lake/wh/db/t", "s3://lake/wh"));
  EXPECT_OK(CheckInsideWarehouse("s3://lake/wh/db/t/metadata/00001-x.metadata.json", "s3://lake/wh/"));
  EXPECT_THAT(CheckInsideWarehouse("s3://other/wh/db/t", "s3://lake/wh"), IsError(ErrorCode::kInvalidArgument));
  EXPECT_THAT(CheckInsideWarehouse("s3://lake/wh2/t", "s3://lake/wh"), IsError(ErrorCode::kInvalidArgument));
  EXPECT_THAT(CheckInsideWarehouse("s3://lake/wh/../x", "s3://lake/wh"), IsError(ErrorCode::kInvalidArgument));
  EXPECT_THAT(CheckInsideWarehouse("/lake/wh/t", "s3://lake/wh"), IsError(ErrorCode::kInvalidArgument));
  EXPECT_THAT(CheckInsideWarehouse("s3://lake/wh", "s3://lake/wh"), IsError(ErrorCode::kInvalidArgument));
}

TEST_F(CatalogServiceTest, CommitAppendsAndRequirementFailures) {
  ASSERT_EQ(Call("POST", "/v1/namespaces", json{{"namespace", {"db"}}}).status, 200);
  auto created = CreateTable("db", "t");
  const std::string uuid = created["metadata"]["table-uuid"];

  auto r = Call("POST", "/v1/namespaces/db/tables/t", Append(11, std::nullopt, 1));
  ASSERT_EQ(r.status, 200) << r.body;
  auto md = Body(r)["metadata"];
  EXPECT_EQ(md["current-snapshot-id"], 11);
  EXPECT_EQ(md["last-sequence-number"], 1);
  EXPECT_EQ(md["refs"]["main"]["snapshot-id"], 11);
  EXPECT_EQ(md["snapshot-log"].size(), 1u);
  EXPECT_EQ(md["metadata-log"].size(), 1u);
  const std::string loc1 = Body(r)["metadata-location"];
  EXPECT_NE(loc1.find("/metadata/00001-"), std::string::npos);

  // A second append based on the old head is refused: 409, nothing changes.
  ExpectError(Call("POST", "/v1/namespaces/db/tables/t", Append(12, std::nullopt, 2)), 409,
              "CommitFailedException");
  EXPECT_EQ(Body(Call("GET", "/v1/namespaces/db/tables/t"))["metadata-location"], loc1);
  ASSERT_EQ(Call("POST", "/v1/namespaces/db/tables/t", Append(12, 11, 2)).status, 200);

  // Every requirement type fails with 409 when not met and passes when met.
  auto base = Body(Call("GET", "/v1/namespaces/db/tables/t"))["metadata"];
  std::vector<std::pair<json, json>> reqs = {
      {{{"type", "assert-table-uuid"}, {"uuid", "00000000-0000-4000-8000-000000000000"}},
       {{"type", "assert-table-uuid"}, {"uuid", uuid}}},
      {{{"type", "assert-ref-snapshot-id"}, {"ref", "main"}, {"snapshot-id", 11}},
       {{"type", "assert-ref-snapshot-id"}, {"ref", "main"}, {"snapshot-id", 12}}},
      {{{"type", "assert-ref-snapshot-id"}, {"ref", "dev"}, {"snapshot-id", 12}},
       {{"type", "assert-ref-snapshot-id"}, {"ref", "dev"}, {"snapshot-id", nullptr}}},
      {{{"type", "assert-last-assigned-field-id"}, {"last-assigned-field-id", 1}},
       {{"type", "assert-last-assigned-field-id"}, {"last-assigned-field-id", 2}}},
      {{{"type", "assert-current-schema-id"}, {"current-schema-id", 5}},
       {{"type", "assert-current-schema-id"}, {"current-schema-id", 0}}},
      {{{"type", "assert-last-assigned-partition-id"}, {"last-assigned-partition-id", 1000}},
       {{"type", "assert-last-assigned-partition-id"}, {"last-assigned-partition-id", 999}}},
      {{{"type", "assert-default-spec-id"}, {"default-spec-id", 3}},
       {{"type", "assert-default-spec-id"}, {"default-spec-id", 0}}},
      {{{"type", "assert-default-sort-order-id"}, {"default-sort-order-id", 2}},
       {{"type", "assert-default-sort-order-id"}, {"default-sort-order-id", 0}}},
      {{{"type", "assert-create"}}, {{"type", "assert-table-uuid"}, {"uuid", uuid}}}};
  for (const auto& [bad, good] : reqs) {
    json update = {{{"action", "set-properties"}, {"updates", {{"k", bad.dump()}}}}};
    ExpectError(Call("POST", "/v1/namespaces/db/tables/t",
                     json{{"requirements", {bad}}, {"updates", update}}),
                409, "CommitFailedException");
    auto ok = Call("POST", "/v1/namespaces/db/tables/t",
                   json{{"requirements", {good}}, {"updates", update}});
    EXPECT_EQ(ok.status, 200) << good.dump() << " " << ok.body;
  }
  ExpectError(Call("POST", "/v1/namespaces/db/tables/nope", Append(99, std::nullopt, 1)), 404,
              "NoSuchTableException");
}

TEST_F(CatalogServiceTest, CommitAppliesEveryUpdateType) {
  ASSERT_EQ(Call("POST", "/v1/namespaces", json{{"namespace", {"db"}}}).status, 200);
  CreateTable("db", "t", {{"properties", {{"format-version", "1"}, {"a", "1"}, {"b", "2"}}}});
  ASSERT_EQ(Call("POST", "/v1/namespaces/db/tables/t", Append(21, std::nullopt, 1)).status, 200);
  json schema1 = kSchema;
  schema1["schema-id"] = 1;
  schema1["fields"].push_back({{"id", 3}, {"name", "extra"}, {"required", false}, {"type", "int"}});
  const std::string wh = dir_.Join("warehouse");
  json updates = json::array({
      {{"action", "upgrade-format-version"}, {"format-version", 2}},
      {{"action", "add-schema"}, {"schema", schema1}, {"last-column-id", 3}},
      {{"action", "set-current-schema"}, {"schema-id", -1}},
      {{"action", "add-spec"},
       {"spec", {{"fields", {{{"source-id", 3}, {"transform", "identity"}, {"name", "extra"}}}}}}},
      {{"action", "set-default-spec"}, {"spec-id", -1}},
      {{"action", "add-sort-order"},
       {"sort-order",
        {{"fields",
          {{{"source-id", 1},
            {"transform", "identity"},
            {"direction", "desc"},
            {"null-order", "nulls-last"}}}}}}},
      {{"action", "set-default-sort-order"}, {"sort-order-id", -1}},
      {{"action", "add-snapshot"}, {"snapshot", Snapshot(22, 21, 2)}},
      {{"action", "set-snapshot-ref"},
       {"ref-name", "main"},
       {"type", "branch"},
       {"snapshot-id", 22}},
      {{"action", "set-snapshot-ref"},
       {"ref-name", "v1"},
       {"type", "tag"},
       {"snapshot-id", 21},
       {"max-ref-age-ms", 1000}},
      {{"action", "set-snapshot-ref"},
       {"ref-name", "dev"},
       {"type", "branch"},
       {"snapshot-id", 21}},
      {{"action", "remove-snapshot-ref"}, {"ref-name", "dev"}},
      {{"action", "set-properties"}, {"updates", {{"c", "3"}}}},
      {{"action", "remove-properties"}, {"removals", {"a"}}},
      {{"action", "set-statistics"},
       {"snapshot-id", 22},
       {"statistics",
        {{"snapshot-id", 22},
         {"statistics-path", wh + "/db.db/t/metadata/s.puffin"},
         {"file-size-in-bytes", 10},
         {"file-footer-size-in-bytes", 5},
         {"blob-metadata", json::array()}}}},
      {{"action", "set-location"}, {"location", wh + "/db.db/t2"}},
  });
  auto r = Call("POST", "/v1/namespaces/db/tables/t", json{{"updates", updates}});
  ASSERT_EQ(r.status, 200) << r.body;
  auto md = Body(r)["metadata"];
  EXPECT_EQ(md["format-version"], 2);
  EXPECT_EQ(md["current-schema-id"], 1);
  EXPECT_EQ(md["last-column-id"], 3);
  EXPECT_EQ(md["default-spec-id"], 1);
  EXPECT_EQ(md["partition-specs"][1]["fields"][0]["field-id"], 1000);
  EXPECT_EQ(md["default-sort-order-id"], 1);
  EXPECT_EQ(md["current-snapshot-id"], 22);
  EXPECT_EQ(md["refs"]["v1"]["type"], "tag");
  EXPECT_FALSE(md["refs"].contains("dev"));
  EXPECT_EQ(md["properties"], json({{"b", "2"}, {"c", "3"}}));
  EXPECT_EQ(md["statistics"][0]["snapshot-id"], 22);
  EXPECT_EQ(md["location"], wh + "/db.db/t2");

  // The written file parses back to the same document.
  std::string loc = Body(r)["metadata-location"];
  std::ifstream in(loc.substr(loc.rfind("file://", 0) == 0 ? 7 : 0));
  json written = json::parse(in);
  EXPECT_EQ(written["current-snapshot-id"], 22);
  EXPECT_EQ(written["statistics"][0]["file-size-in-bytes"], 10);

  updates = json::array({
      {{"action", "remove-statistics"}, {"snapshot-id", 22}},
      {{"action", "remove-snapshots"}, {"snapshot-ids", {21}}},
      {{"action", "assign-uuid"}, {"uuid", md["table-uuid"]}},
  });
  r = Call("POST", "/v1/namespaces/db/tables/t", json{{"updates", updates}});
  ASSERT_EQ(r.status, 200) << r.body;
  md = Body(r)["metadata"];
  EXPECT_FALSE(md.contains("statistics"));
  EXPECT_EQ(md["snapshots"].size(), 1u);
  EXPECT_FALSE(md["refs"].contains("v1"));  // the tag pointed at the removed snapshot
}

TEST_F(CatalogServiceTest, BadCommitsAre400AndChangeNothing) {
  ASSERT_EQ(Call("POST", "/v1/namespaces", json{{"namespace", {"db"}}}).status, 200);
  auto created = CreateTable("db", "t");
  const std::string loc = created["metadata-location"];
  auto files_before = 0;
  for (auto& e : std::filesystem::directory_iterator(dir_.Join("warehouse/db.db/t/metadata"))) {
    (void)e;
    ++files_before;
  }
  std::vector<std::pair<std::string, std::string>> bad = {
      {"{not json", "BadRequestException"},
      {"[1,2]", "BadRequestException"},
      {R"({"updates":[{"action":"frobnicate"}]})", "BadRequestException"},
      {R"({"updates":[{"action":"set-properties","updates":{"k":"v"}},{"action":"nope"}]})",
       "BadRequestException"},
      {R"({"requirements":[{"type":"assert-magic"}]})", "BadRequestException"},
      {R"({"updates":[{"action":"set-current-schema","schema-id":7}]})", "BadRequestException"},
      {R"({"updates":[{"action":"set-snapshot-ref","ref-name":"main","type":"branch","snapshot-id":5}]})",
       "BadRequestException"},
      {R"({"updates":[{"action":"upgrade-format-version","format-version":1}]})",
       "BadRequestException"},
      {R"({"updates":[{"action":"upgrade-format-version","format-version":3}]})",
       "UnsupportedOperationException"},
      {R"({"updates":[{"action":"set-properties","updates":{"k":1}}]})", "BadRequestException"},
      {R"({"updates":[{"action":"assign-uuid","uuid":"00000000-0000-4000-8000-000000000000"}]})",
       "BadRequestException"},
      {R"({"updates":"x"})", "BadRequestException"},
  };
  for (const auto& [body, type] : bad) {
    auto r = Call("POST", "/v1/namespaces/db/tables/t", body);
    ExpectError(r, type == "UnsupportedOperationException" ? 406 : 400, type);
  }
  EXPECT_EQ(Body(Call("GET", "/v1/namespaces/db/tables/t"))["metadata-location"], loc);
  int files_after = 0;
  for (auto& e : std::filesystem::directory_iterator(dir_.Join("warehouse/db.db/t/metadata"))) {
    (void)e;
    ++files_after;
  }
  EXPECT_EQ(files_after, files_before);
  ExpectError(Call("POST", "/v1/namespaces", "{"), 400, "BadRequestException");
  ExpectError(Call("POST", "/v1/namespaces", json{{"namespace", "flat"}}), 400,
              "BadRequestException");
  ExpectError(Call("PUT", "/v1/namespaces"), 405, "MethodNotAllowedException");
  ExpectError(Call("GET", "/v2/config"), 404, "NotFoundException");
}

TEST_F(CatalogServiceTest, StagedCreateThenCommit) {
  ASSERT_EQ(Call("POST", "/v1/namespaces", json{{"namespace", {"db"}}}).status, 200);
  auto r = Call("POST", "/v1/namespaces/db/tables",
                json{{"name", "s"}, {"schema", kSchema}, {"stage-create", true}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(Body(r)["metadata-location"].is_null());
  EXPECT_EQ(Call("HEAD", "/v1/namespaces/db/tables/s").status, 404);
  auto staged = Body(r)["metadata"];
  // What pyiceberg's create_table_transaction sends.
  json commit = {{"requirements", {{{"type", "assert-create"}}}},
                 {"updates",
                  {{{"action", "assign-uuid"}, {"uuid", staged["table-uuid"]}},
                   {{"action", "upgrade-format-version"}, {"format-version", 2}},
                   {{"action", "add-schema"}, {"schema", staged["schemas"][0]}},
                   {{"action", "set-current-schema"}, {"schema-id", -1}},
                   {{"action", "add-spec"}, {"spec", staged["partition-specs"][0]}},
                   {{"action", "set-default-spec"}, {"spec-id", -1}},
                   {{"action", "add-sort-order"}, {"sort-order", staged["sort-orders"][0]}},
                   {{"action", "set-default-sort-order"}, {"sort-order-id", -1}},
                   {{"action", "set-location"}, {"location", staged["location"]}},
                   {{"action", "add-snapshot"}, {"snapshot", Snapshot(31, std::nullopt, 1)}},
                   {{"action", "set-snapshot-ref"},
                    {"ref-name", "main"},
                    {"type", "branch"},
                    {"snapshot-id", 31}}}}};
  r = Call("POST", "/v1/namespaces/db/tables/s", commit);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(Body(r)["metadata-location"].get<std::string>().find("/metadata/00000-"),
            std::string::npos);
  auto loaded = Body(Call("GET", "/v1/namespaces/db/tables/s"));
  EXPECT_EQ(loaded["metadata"]["table-uuid"], staged["table-uuid"]);
  EXPECT_EQ(loaded["metadata"]["current-snapshot-id"], 31);
  // A second create-commit finds the table: 409.
  ExpectError(Call("POST", "/v1/namespaces/db/tables/s", commit), 409, "CommitFailedException");
}

TEST_F(CatalogServiceTest, TransactionsAreAllOrNothing) {
  ASSERT_EQ(Call("POST", "/v1/namespaces", json{{"namespace", {"db"}}}).status, 200);
  CreateTable("db", "a");
  CreateTable("db", "b");
  auto change = [&](const std::string& name, int64_t id, std::optional<int64_t> parent) {
    json c = Append(id, parent, parent ? 2 : 1);
    c["identifier"] = {{"namespace", {"db"}}, {"name", name}};
    return c;
  };
  auto r =
      Call("POST", "/v1/transactions/commit",
           json{{"table-changes", {change("a", 41, std::nullopt), change("b", 42, std::nullopt)}}});
  ASSERT_EQ(r.status, 204) << r.body;
  EXPECT_EQ(Body(Call("GET", "/v1/namespaces/db/tables/a"))["metadata"]["current-snapshot-id"], 41);
  EXPECT_EQ(Body(Call("GET", "/v1/namespaces/db/tables/b"))["metadata"]["current-snapshot-id"], 42);

  // b's requirement fails: a must not change either.
  const std::string a_loc = Body(Call("GET", "/v1/namespaces/db/tables/a"))["metadata-location"];
  r = Call("POST", "/v1/transactions/commit",
           json{{"table-changes", {change("a", 43, 41), change("b", 44, std::nullopt)}}});
  ExpectError(r, 409, "CommitFailedException");
  EXPECT_EQ(Body(Call("GET", "/v1/namespaces/db/tables/a"))["metadata-location"], a_loc);
  int a_files = 0;
  for (auto& e : std::filesystem::directory_iterator(dir_.Join("warehouse/db.db/a/metadata"))) {
    (void)e;
    ++a_files;
  }
  EXPECT_EQ(a_files, 2);  // 00000 and 00001; the attempt's file was removed

  json no_id = Append(45, 41, 2);
  ExpectError(Call("POST", "/v1/transactions/commit", json{{"table-changes", {no_id}}}), 400,
              "BadRequestException");
  ExpectError(Call("POST", "/v1/transactions/commit",
                   json{{"table-changes", {change("a", 46, 41), change("a", 47, 41)}}}),
              400, "BadRequestException");
}

TEST_F(CatalogServiceTest, LoadWithSnapshotsRefs) {
  ASSERT_EQ(Call("POST", "/v1/namespaces", json{{"namespace", {"db"}}}).status, 200);
  CreateTable("db", "t");
  ASSERT_EQ(Call("POST", "/v1/namespaces/db/tables/t", Append(51, std::nullopt, 1)).status, 200);
  ASSERT_EQ(Call("POST", "/v1/namespaces/db/tables/t", Append(52, 51, 2)).status, 200);
  EXPECT_EQ(
      Body(Call("GET", "/v1/namespaces/db/tables/t?snapshots=all"))["metadata"]["snapshots"].size(),
      2u);
  auto refs = Body(Call("GET", "/v1/namespaces/db/tables/t?snapshots=refs"))["metadata"];
  ASSERT_EQ(refs["snapshots"].size(), 1u);
  EXPECT_EQ(refs["snapshots"][0]["snapshot-id"], 52);
}

TEST_F(CatalogServiceTest, BearerTokensAndOAuthClientCredentials) {
  ServiceOptions opts;
  opts.auth.tokens = {"s3cret"};
  opts.auth.clients = {{"spark", "pw"}};
  int64_t now = 1000;
  opts.auth.now_s = [&] { return now; };
  opts.auth.token_lifetime_s = 60;
  Start(opts);
  ASSERT_TRUE(service_->auth_enabled());
  ExpectError(Call("GET", "/v1/config"), 401, "NotAuthorizedException");
  ExpectError(Call("GET", "/v1/config", "", {{"authorization", "Bearer wrong"}}), 401,
              "NotAuthorizedException");
  EXPECT_EQ(Call("GET", "/v1/config", "", {{"authorization", "Bearer s3cret"}}).status, 200);
  ExpectError(Call("POST", "/v1/namespaces", json{{"namespace", {"x"}}}.dump()), 401,
              "NotAuthorizedException");
  EXPECT_EQ(Call("HEAD", "/v1/namespaces/x").status, 401);
  EXPECT_FALSE(*catalog_->NamespaceExists({"x"}));

  auto r = Call("POST", "/v1/oauth/tokens",
                "grant_type=client_credentials&client_id=spark&client_secret=bad");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(Body(r)["error"], "invalid_client");
  r = Call("POST", "/v1/oauth/tokens", "grant_type=password&client_id=spark&client_secret=pw");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Body(r)["error"], "unsupported_grant_type");
  r = Call("POST", "/v1/oauth/tokens",
           "grant_type=client_credentials&client_id=spark&client_secret=pw&scope=catalog");
  ASSERT_EQ(r.status, 200) << r.body;
  std::string token = Body(r)["access_token"];
  EXPECT_EQ(Body(r)["token_type"], "bearer");
  EXPECT_EQ(Body(r)["expires_in"], 60);
  EXPECT_EQ(Call("GET", "/v1/namespaces", "", {{"authorization", "Bearer " + token}}).status, 200);
  // HTTP Basic client authentication (spark:pw).
  r = Call("POST", "/v1/oauth/tokens", "grant_type=client_credentials",
           {{"authorization", "Basic c3Bhcms6cHc="}});
  EXPECT_EQ(r.status, 200) << r.body;
  now += 61;
  ExpectError(Call("GET", "/v1/namespaces", "", {{"authorization", "Bearer " + token}}), 401,
              "NotAuthorizedException");
}

TEST(PercentCodingTest, RoundTripsAndQueries) {
  EXPECT_EQ(PercentDecode("a%1Fb%2fc", false), std::string("a\x1f"
                                                           "b/c"));
  EXPECT_EQ(PercentDecode("x+y%", true), "x y%");
  EXPECT_EQ(PercentEncode(std::string("a\x1f"
                                      "b c")),
            "a%1Fb%20c");
  auto q = ParseQuery("parent=a%1Fb&pageSize=2&flag");
  EXPECT_EQ(q["parent"], std::string("a\x1f"
                                     "b"));
  EXPECT_EQ(q["pageSize"], "2");
  EXPECT_EQ(q.count("flag"), 1u);
}

}  // namespace
}  // namespace ldp::rest
