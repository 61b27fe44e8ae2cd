// `ldp serve` as a real process on a free port, talked to over HTTP with curl (and with the
// independent iceberg-js client from tests/interop).
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <sstream>
#include <thread>

#include "cli_fixture.h"
#include "ldp/iceberg/table_metadata.h"

namespace ldp::testing {
namespace {

using nlohmann::json;

struct HttpResult {
  int status = 0;
  std::string body;
  json Json() const { return json::parse(body, nullptr, false); }
};

class ServeTest : public CliTest {
 protected:
  void TearDown() override { StopServer(); }

  /// Starts `ldp serve --port 0 ARGS` and waits for its "listening" line.
  void StartServer(std::vector<std::string> args = {}) {
    std::vector<std::string> argv = {LDP_BIN, "--project", project_, "serve", "--port", "0"};
    argv.insert(argv.end(), args.begin(), args.end());
    auto p = Subprocess::Start(argv);
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    server_.emplace(std::move(*p));
    port_ = WaitForServePort(*server_);
    if (port_ == 0) FAIL() << "ldp serve did not start";
  }

  /// SIGTERM, then the exit; returns what the server printed.
  ProcessResult StopServer() {
    if (!server_) return {};
    kill(server_->pid(), SIGTERM);
    auto r = server_->Wait();
    server_.reset();
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : ProcessResult{};
  }

  std::string Url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }

  /// One request with curl; the body is sent from a file so that large bodies work.
  HttpResult Http(const std::string& method, const std::string& path, const std::string& body = "",
                  const std::string& token = "") {
    static std::atomic<int> counter{0};
    const std::string n = std::to_string(counter++);
    const std::string in = tmp_.Join("req" + n), out = tmp_.Join("resp" + n);
    std::vector<std::string> argv = {"/usr/bin/curl", "-s", "-o", out, "-w", "%{http_code}"};
    if (method == "HEAD") {
      argv.push_back("--head");
    } else {
      argv.insert(argv.end(), {"-X", method});
    }
    if (!body.empty()) {
      WriteFile(in, body);
      argv.insert(argv.end(), {"--data-binary", "@" + in, "-H", "Content-Type: application/json"});
    }
    if (!token.empty()) argv.insert(argv.end(), {"-H", "Authorization: Bearer " + token});
    argv.push_back(Url(path));
    auto r = RunProcess(argv);
    EXPECT_TRUE(r.ok());
    HttpResult h;
    if (r.ok()) h.status = std::atoi(r->out.c_str());
    h.body = method == "HEAD" ? "" : ReadFile(out);
    std::filesystem::remove(in);
    std::filesystem::remove(out);
    return h;
  }
  HttpResult Http(const std::string& method, const std::string& path, const json& body) {
    return Http(method, path, body.dump(), std::string());
  }

  static void ExpectError(const HttpResult& r, int status, const std::string& type) {
    EXPECT_EQ(r.status, status) << r.body;
    json j = r.Json();
    ASSERT_TRUE(j.is_object()) << r.body;
    EXPECT_EQ(j["error"]["code"], status) << r.body;
    EXPECT_EQ(j["error"]["type"], type) << r.body;
  }

  std::optional<Subprocess> server_;
  int port_ = 0;
};

const json kSchema = {{"type", "struct"},
                      {"schema-id", 0},
                      {"fields",
                       {{{"id", 1}, {"name", "id"}, {"required", true}, {"type", "long"}},
                        {{"id", 2}, {"name", "v"}, {"required", false}, {"type", "string"}}}}};

json AppendChange(const json& current, int64_t snapshot_id, int64_t records) {
  json md = current["metadata"];
  std::optional<int64_t> parent;
  int64_t total = 0;
  if (md["current-snapshot-id"].get<int64_t>() != -1) {
    parent = md["current-snapshot-id"].get<int64_t>();
    for (const auto& s : md["snapshots"]) {
      if (s["snapshot-id"] == *parent)
        total = std::stoll(s["summary"]["total-records"].get<std::string>());
    }
  }
  json snap = {{"snapshot-id", snapshot_id},
               {"sequence-number", md["last-sequence-number"].get<int64_t>() + 1},
               {"timestamp-ms", 1700000000000},
               {"manifest-list", md["location"].get<std::string>() + "/metadata/snap.avro"},
               {"summary",
                {{"operation", "append"},
                 {"added-records", std::to_string(records)},
                 {"total-records", std::to_string(total + records)}}}};
  if (parent) snap["parent-snapshot-id"] = *parent;
  return {{"requirements",
           {{{"type", "assert-ref-snapshot-id"},
             {"ref", "main"},
             {"snapshot-id", parent ? json(*parent) : json(nullptr)}}}},
          {"updates",
           {{{"action", "add-snapshot"}, {"snapshot", snap}},
            {{"action", "set-snapshot-ref"},
             {"ref-name", "main"},
             {"type", "branch"},
             {"snapshot-id", snapshot_id}}}}};
}

TEST_F(ServeTest, CrudErrorsAndCleanShutdown) {
  StartServer();
  auto config = Http("GET", "/v1/config");
  ASSERT_EQ(config.status, 200) << config.body;
  EXPECT_TRUE(config.Json()["endpoints"].is_array());

  EXPECT_EQ(Http("POST", "/v1/namespaces", json{{"namespace", {"a", "b"}}}).status, 200);
  EXPECT_EQ(Http("HEAD", "/v1/namespaces/a%1Fb").status, 204);
  EXPECT_EQ(Http("HEAD", "/v1/namespaces/zz").status, 404);
  auto created =
      Http("POST", "/v1/namespaces/a%1Fb/tables", json{{"name", "t"}, {"schema", kSchema}});
  ASSERT_EQ(created.status, 200) << created.body;
  const std::string loc = created.Json()["metadata-location"];
  EXPECT_TRUE(std::filesystem::exists(LocalPath(loc)));
  // The server's catalog is the project's: the CLI sees the table.
  auto row = CatalogTable("a.b", "t");
  ASSERT_TRUE(row.has_value());
  EXPECT_EQ(row->metadata_location, loc);
  EXPECT_EQ(Http("GET", "/v1/namespaces/a%1Fb/tables").Json()["identifiers"][0]["name"], "t");

  auto ok = Http("POST", "/v1/namespaces/a%1Fb/tables/t", AppendChange(created.Json(), 7, 10));
  ASSERT_EQ(ok.status, 200) << ok.body;
  const std::string loc1 = ok.Json()["metadata-location"];
  // A failed requirement, malformed JSON and an unknown update: right status, nothing changed.
  ExpectError(Http("POST", "/v1/namespaces/a%1Fb/tables/t", AppendChange(created.Json(), 8, 10)),
              409, "CommitFailedException");
  ExpectError(Http("POST", "/v1/namespaces/a%1Fb/tables/t", std::string("{\"updates\": [")), 400,
              "BadRequestException");
  ExpectError(Http("POST", "/v1/namespaces/a%1Fb/tables/t",
                   json{{"updates", {{{"action", "make-coffee"}}}}}),
              400, "BadRequestException");
  EXPECT_EQ(CatalogTable("a.b", "t")->metadata_location, loc1);

  ExpectError(Http("DELETE", "/v1/namespaces/a%1Fb"), 409, "NamespaceNotEmptyException");
  EXPECT_EQ(Http("POST", "/v1/tables/rename",
                 json{{"source", {{"namespace", {"a", "b"}}, {"name", "t"}}},
                      {"destination", {{"namespace", {"a", "b"}}, {"name", "u"}}}})
                .status,
            204);
  EXPECT_EQ(Http("DELETE", "/v1/namespaces/a%1Fb/tables/u?purgeRequested=true").status, 204);
  EXPECT_FALSE(std::filesystem::exists(LocalPath(loc1)));
  EXPECT_EQ(Http("DELETE", "/v1/namespaces/a%1Fb").status, 204);

  ProcessResult stopped = StopServer();
  EXPECT_EQ(stopped.exit_code, 0) << stopped.Describe();
  EXPECT_NE(stopped.err.find("GET /v1/config 200"), std::string::npos) << stopped.err;
  EXPECT_NE(stopped.err.find("POST /v1/namespaces/a%1Fb/tables/t 409"), std::string::npos);
  EXPECT_NE(stopped.out.find("stopped"), std::string::npos);
}

TEST_F(ServeTest, AuthBodyLimitAndBindRefusal) {
  ProcessResult refused = Ldp({"serve", "--host", "0.0.0.0", "--port", "0"});
  EXPECT_EQ(refused.exit_code, 2) << refused.Describe();
  EXPECT_NE(refused.err.find("without authentication"), std::string::npos) << refused.err;

  const std::string tokens = tmp_.Join("tokens");
  WriteFile(tokens, "# tokens\nfile-token\ncredential spark:pw\n");
  StartServer({"--token", "flag-token", "--tokens-file", tokens, "--max-body-mb", "1"});
  ExpectError(Http("GET", "/v1/config"), 401, "NotAuthorizedException");
  ExpectError(Http("GET", "/v1/config", "", "wrong"), 401, "NotAuthorizedException");
  EXPECT_EQ(Http("GET", "/v1/config", "", "flag-token").status, 200);
  EXPECT_EQ(Http("GET", "/v1/config", "", "file-token").status, 200);
  ExpectError(Http("POST", "/v1/namespaces", json{{"namespace", {"x"}}}), 401,
              "NotAuthorizedException");
  EXPECT_EQ(Http("HEAD", "/v1/namespaces/x", "", "flag-token").status, 404);

  // OAuth2 client credentials: the issued token works as a bearer token.
  auto r = RunProcess({"/usr/bin/curl", "-s", "-X", "POST", "-d",
                       "grant_type=client_credentials&client_id=spark&client_secret=pw",
                       Url("/v1/oauth/tokens")});
  ASSERT_TRUE(r.ok());
  json token = json::parse(r->out, nullptr, false);
  ASSERT_TRUE(token.contains("access_token")) << r->out;
  EXPECT_EQ(Http("GET", "/v1/namespaces", "", token["access_token"]).status, 200);

  std::string big(2 * 1024 * 1024, ' ');
  big = "{\"namespace\": [\"big\"]" + big + "}";
  auto too_big = Http("POST", "/v1/namespaces", big, "flag-token");
  EXPECT_EQ(too_big.status, 413) << too_big.body;
  EXPECT_EQ(Http("HEAD", "/v1/namespaces/big", "", "flag-token").status, 404);
}

TEST_F(ServeTest, EightConcurrentAppendersLoseNothing) {
  StartServer({"--threads", "8"});
  ASSERT_EQ(Http("POST", "/v1/namespaces", json{{"namespace", {"c"}}}).status, 200);
  ASSERT_EQ(
      Http("POST", "/v1/namespaces/c/tables", json{{"name", "t"}, {"schema", kSchema}}).status,
      200);
  constexpr int kClients = 8, kCommits = 5, kRecords = 10;
  std::atomic<int> conflicts{0}, failures{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      for (int i = 0; i < kCommits; ++i) {
        const int64_t id = 1000 * (c + 1) + i;
        for (int attempt = 0;; ++attempt) {
          auto current = Http("GET", "/v1/namespaces/c/tables/t");
          if (current.status != 200) {
            ++failures;
            return;
          }
          auto r =
              Http("POST", "/v1/namespaces/c/tables/t", AppendChange(current.Json(), id, kRecords));
          if (r.status == 200) break;
          if (r.status != 409 || attempt > 200) {
            ++failures;
            return;
          }
          ++conflicts;
        }
      }
    });
  }
  for (auto& t : clients) t.join();
  EXPECT_EQ(failures.load(), 0);
  auto final_md = Http("GET", "/v1/namespaces/c/tables/t").Json()["metadata"];
  ASSERT_EQ(final_md["snapshots"].size(), static_cast<size_t>(kClients * kCommits));
  const int64_t head = final_md["current-snapshot-id"];
  int64_t total = -1;
  for (const auto& s : final_md["snapshots"]) {
    if (s["snapshot-id"] == head)
      total = std::stoll(s["summary"]["total-records"].get<std::string>());
  }
  EXPECT_EQ(total, kClients * kCommits * kRecords);
  EXPECT_EQ(final_md["last-sequence-number"], kClients * kCommits);
  // One linear history: every snapshot is an ancestor of the head.
  auto md = iceberg::TableMetadata::FromJson(final_md);
  ASSERT_TRUE(md.ok()) << md.status().ToString();
  int chain = 0;
  for (const iceberg::Snapshot* s = (*md)->CurrentSnapshot(); s;
       s = s->parent_snapshot_id ? (*md)->SnapshotById(*s->parent_snapshot_id) : nullptr) {
    ++chain;
  }
  EXPECT_EQ(chain, kClients * kCommits);
  std::cerr << "409 answers retried: " << conflicts.load() << "\n";
}

TEST_F(ServeTest, IngestedTableLoadsThroughTheServer) {
  const std::string csv = tmp_.Join("rows.csv");
  std::string text = "id,name\n";
  for (int i = 0; i < 500; ++i) text += std::to_string(i) + ",n" + std::to_string(i % 7) + "\n";
  WriteFile(csv, text);
  ProcessResult ing = Ldp({"ingest", csv, "--table", "nyc.rows"});
  ASSERT_EQ(ing.exit_code, 0) << ing.Describe();
  StartServer();
  auto r = Http("GET", "/v1/namespaces/nyc/tables/rows");
  ASSERT_EQ(r.status, 200) << r.body;
  json j = r.Json();
  EXPECT_EQ(j["metadata-location"], CatalogTable("nyc", "rows")->metadata_location);
  auto md = iceberg::TableMetadata::FromJson(j["metadata"]);
  ASSERT_TRUE(md.ok()) << md.status().ToString();
  ASSERT_NE((*md)->CurrentSnapshot(), nullptr);
  EXPECT_EQ((*md)->CurrentSnapshot()->summary.at("total-records"), "500");
  // Byte for byte the metadata file the CLI wrote.
  auto file = json::parse(ReadFile(LocalPath(j["metadata-location"])));
  EXPECT_EQ(file, j["metadata"]);

  // A commit through the server is visible to the CLI (same catalog, same files).
  auto commit =
      Http("POST", "/v1/namespaces/nyc/tables/rows",
           json{{"updates", {{{"action", "set-properties"}, {"updates", {{"via", "rest"}}}}}}});
  ASSERT_EQ(commit.status, 200) << commit.body;
  ProcessResult q = Ldp({"query", "SELECT count(*) AS n FROM nyc.rows", "--json"});
  ASSERT_EQ(q.exit_code, 0) << q.Describe();
  EXPECT_NE(q.out.find("500"), std::string::npos) << q.out;
}

/// `node` from PATH, or empty.
std::string NodeBinary() {
  std::istringstream dirs(std::getenv("PATH") ? std::getenv("PATH") : "");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    if (!dir.empty() && access((dir + "/node").c_str(), X_OK) == 0) return dir + "/node";
  }
  return "";
}

TEST_F(ServeTest, IcebergJsClientDoesNamespaceAndTableCrud) {
  const std::string node = NodeBinary();
  const std::string interop = std::string(LDP_SOURCE_DIR) + "/tests/interop";
  if (node.empty() || !std::filesystem::exists(interop + "/node_modules/iceberg-js")) {
    GTEST_SKIP()
        << "node or tests/interop/node_modules/iceberg-js missing: run scripts/setup.sh --test";
  }
  const std::string csv = tmp_.Join("rows.csv");
  WriteFile(csv, "id,name\n1,a\n2,b\n3,c\n");
  ASSERT_EQ(Ldp({"ingest", csv, "--table", "nyc.small"}).exit_code, 0);
  StartServer({"--prefix", "wh1", "--token", "js-token"});
  auto r =
      RunProcess({node, interop + "/rest_client.mjs", Url(""), "js-token", "wh1", "nyc.small"});
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->exit_code, 0) << r->Describe();
  json out = json::parse(r->out, nullptr, false);
  ASSERT_TRUE(out.is_object()) << r->out;
  EXPECT_EQ(out["children"], json::array({{{"namespace", {"js", "inner"}}}}));
  EXPECT_EQ(out["namespaceExists"], true);
  EXPECT_EQ(out["missingNamespaceExists"], false);
  EXPECT_EQ(out["jsPropertiesAfter"], json({{"tier", "gold"}}));
  EXPECT_EQ(out["tableExists"], true);
  EXPECT_EQ(out["tables"][0]["name"], "events");
  EXPECT_EQ(out["updatedProperties"]["color"], "blue");
  EXPECT_EQ(out["conflict"], 409);
  EXPECT_EQ(out["renamedExists"], true);
  EXPECT_EQ(out["loaded"]["table-uuid"], out["createdUuid"]);
  EXPECT_EQ(out["droppedExists"], false);
  EXPECT_EQ(out["innerExistsAfterDrop"], false);
  EXPECT_EQ(out["existing"]["snapshots"][0]["summary"]["total-records"], "3");
  ProcessResult stopped = StopServer();
  // Every request went through the configured prefix.
  EXPECT_NE(stopped.err.find("/v1/wh1/namespaces/js%1Finner"), std::string::npos) << stopped.err;
}

// Brotli at httplib's level 11 cost ~70 ms per answer: the server answers gzip (or nothing) even
// to clients that prefer br, and the body still decodes.
TEST_F(ServeTest, AnswersGzipNotBrotli) {
  StartServer();
  for (const std::string enc : {"br", "br, gzip", "gzip, deflate, br"}) {
    auto r = RunProcess({"/usr/bin/curl", "-s", "-D", "-", "-o", "/dev/null", "-H", "Accept-Encoding: " + enc,
                         Url("/v1/config")});
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->out.find("Content-Encoding: br"), std::string::npos) << enc << "\n" << r->out;
    if (enc != "br") {
      EXPECT_NE(r->out.find("Content-Encoding: gzip"), std::string::npos) << enc << "\n" << r->out;
    }
  }
  EXPECT_EQ(Http("GET", "/v1/config").status, 200);
}

// `ldp serve` runs the project's pipelines too: it starts `ldp scheduler` beside the server and
// stops it with the server.
TEST_F(ServeTest, StartsAndStopsTheSchedulerForThePipelinesFolder) {
  std::filesystem::create_directories(project_ + "/pipelines");
  WriteFile(project_ + "/pipelines/daily.yaml", R"(name: daily
schedule: "@daily"
start_date: 2024-01-01
catchup: false
tasks:
  - id: stamp
    type: shell
    command: echo {{ ds }} >> served.txt
)");
  StartServer();
  std::string out = ReadFile(server_->stdout_path());
  auto at = out.find("scheduler pid ");
  ASSERT_NE(at, std::string::npos) << out;
  const pid_t scheduler = std::atoi(out.c_str() + at + std::strlen("scheduler pid "));
  ASSERT_GT(scheduler, 0);
  EXPECT_EQ(kill(scheduler, 0), 0);
  // Without catchup the latest interval runs (the day before today), once.
  for (int i = 0; i < 600 && ReadFile(project_ + "/served.txt").empty(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  std::string stamped = ReadFile(project_ + "/served.txt");
  ASSERT_FALSE(stamped.empty()) << "the scheduler started by ldp serve ran nothing";
  EXPECT_EQ(std::count(stamped.begin(), stamped.end(), '\n'), 1) << stamped;
  // The catalog is served at the same time.
  EXPECT_EQ(Http("GET", "/v1/config").status, 200);
  StopServer();
  // The scheduler was stopped and reaped with the server.
  EXPECT_EQ(kill(scheduler, 0), -1);
  EXPECT_EQ(errno, ESRCH);

  // --no-scheduler leaves the pipelines alone.
  StartServer({"--no-scheduler"});
  EXPECT_EQ(ReadFile(server_->stdout_path()).find("scheduler pid"), std::string::npos);
}

}  // namespace
}  // namespace ldp::testing
