#pragma once
// A local JSON API for the REST connector tests (cpp-httplib, in the test process): 250 records
// {id, name, updated_at, owner: {login, level}, tags} served with every pagination style, auth
// scheme and failure the REST source handles. Header-only; the binary that includes it links
// cpp-httplib with the macros of tests/CMakeLists.txt.
//
//   /offset?limit&offset      {"data": {"items": [...]}, "total": 250}
//   /page?page=N&per_page=K   {"items": [...]}               (empty page after the last)
//   /cursor?cursor=C          {"items": [...], "meta": {"next_cursor": "C2" | null}}
//   /next?start=S             {"results": [...], "next": "/next?start=S2" | null}   (relative)
//   /link?page=N              [...] with Link: <.../link?page=N+1>; rel="next"
//   /since?since=T&limit&offset  offset pagination over records with updated_at > T
//   /flaky                    429 (Retry-After: 7), then 503, then the records (per server)
//   /fail-at-3?page=N         page 3 always answers 500
//   /malformed?page=N         page 2 is not JSON
//   /bearer /basic /key-header /key-query   401 unless the right credentials are sent
// Thread-safety: requests are served on httplib's threads; counters are atomic.

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include <httplib.h>
#include <nlohmann/json.hpp>

namespace ldp::testing {

class ApiTestServer {
 public:
  static constexpr int kRecords = 250;
  static constexpr const char* kToken = "s3cr3t-t0ken";
  static constexpr const char* kUser = "alice";
  static constexpr const char* kPassword = "pa55-w0rd";
  static constexpr const char* kApiKey = "k3y-123456";

  ApiTestServer() {
    using httplib::Request;
    using httplib::Response;
    auto json = [](Response& res, const nlohmann::json& j) { res.set_content(j.dump(), "application/json"); };
    auto num = [](const Request& req, const char* k, int def) {
      return req.has_param(k) ? std::stoi(req.get_param_value(k)) : def;
    };
    s_.Get("/offset", [=, this](const Request& req, Response& res) {
      int limit = num(req, "limit", 100), offset = num(req, "offset", 0);
      json(res, {{"data", {{"items", Slice(offset, limit)}}}, {"total", kRecords}});
    });
    s_.Get("/page", [=, this](const Request& req, Response& res) {
      int page = num(req, "page", 1), per = num(req, "per_page", 40);
      json(res, {{"items", Slice((page - 1) * per, per)}});
    });
    s_.Get("/cursor", [=, this](const Request& req, Response& res) {
      int start = req.has_param("cursor") ? std::stoi(req.get_param_value("cursor").substr(1)) : 0;
      nlohmann::json next = start + 60 < kRecords ? nlohmann::json("c" + std::to_string(start + 60)) : nlohmann::json();
      json(res, {{"items", Slice(start, 60)}, {"meta", {{"next_cursor", next}}}});
    });
    s_.Get("/next", [=, this](const Request& req, Response& res) {
      int start = num(req, "start", 0);
      nlohmann::json next = start + 70 < kRecords ? nlohmann::json("/next?start=" + std::to_string(start + 70)) : nlohmann::json();
      json(res, {{"results", Slice(start, 70)}, {"next", next}});
    });
    s_.Get("/link", [=, this](const Request& req, Response& res) {
      int page = num(req, "page", 1);
      if (page * 100 < kRecords)
        res.set_header("Link", "<http://127.0.0.1:" + std::to_string(port_) + "/link?page=" + std::to_string(page + 1) +
                                   ">; rel=\"next\", <http://127.0.0.1:" + std::to_string(port_) + "/link?page=3>; rel=\"last\"");
      json(res, Slice((page - 1) * 100, 100));
    });
    s_.Get("/since", [=, this](const Request& req, Response& res) {
      int since = req.has_param("since") ? std::stoi(req.get_param_value("since")) : -1;
      int limit = num(req, "limit", 100), offset = num(req, "offset", 0);
      nlohmann::json all = nlohmann::json::array();
      for (int i = 0; i < records_; ++i)
        if (1000 + i > since) all.push_back(Record(i));
      nlohmann::json page = nlohmann::json::array();
      for (int i = offset; i < offset + limit && i < static_cast<int>(all.size()); ++i) page.push_back(all[i]);
      json(res, {{"items", page}});
    });
    s_.Get("/flaky", [=, this](const Request&, Response& res) {
      int n = flaky_calls_++;
      if (n == 0) {
        res.status = 429;
        res.set_header("Retry-After", "7");
        res.set_content("slow down", "text/plain");
      } else if (n == 1) {
        res.status = 503;
        res.set_content("maintenance", "text/plain");
      } else {
        json(res, Slice(0, 30));
      }
    });
    s_.Get("/fail-at-3", [=, this](const Request& req, Response& res) {
      int page = num(req, "page", 1);
      if (page == 3) {
        res.status = 500;
        res.set_content("boom", "text/plain");
        return;
      }
      json(res, {{"items", Slice((page - 1) * 50, 50)}});
    });
    s_.Get("/malformed", [=, this](const Request& req, Response& res) {
      int page = num(req, "page", 1);
      if (page == 2) {
        res.set_content("{\"items\": [{\"id\": 1,", "application/json");
        return;
      }
      json(res, {{"items", Slice((page - 1) * 50, 50)}});
    });
    auto guarded = [=, this](const char* path, std::function<bool(const Request&)> ok) {
      s_.Get(path, [=, this](const Request& req, Response& res) {
        if (!ok(req)) {
          res.status = 401;
          res.set_content("{\"error\": \"unauthorized\"}", "application/json");
          return;
        }
        json(res, {{"items", Slice(0, 10)}});
      });
    };
    guarded("/bearer", [](const Request& r) { return r.get_header_value("Authorization") == std::string("Bearer ") + kToken; });
    guarded("/basic", [](const Request& r) {
      // base64("alice:pa55-w0rd")
      return r.get_header_value("Authorization") == "Basic YWxpY2U6cGE1NS13MHJk";
    });
    guarded("/key-header", [](const Request& r) { return r.get_header_value("X-API-Key") == kApiKey; });
    guarded("/key-query", [](const Request& r) { return r.get_param_value("api_key") == kApiKey; });
    // Files for the download path: a CSV, one that fails once with 503, and one whose first
    // answer breaks off half-way and that honours `Range` afterwards (206).
    s_.Get("/files/trips.csv", [=, this](const Request&, Response& res) { res.set_content(Csv(), "text/csv"); });
    s_.Get("/files/flaky.csv", [=, this](const Request&, Response& res) {
      if (file_calls_++ == 0) {
        res.status = 503;
        res.set_content("busy", "text/plain");
        return;
      }
      res.set_content(Csv(), "text/csv");
    });
    s_.Get("/files/resume.csv", [=, this](const Request& req, Response& res) {
      std::string body = Csv();
      std::string range = req.get_header_value("Range");
      if (range.rfind("bytes=", 0) == 0) {
        // cpp-httplib answers a Range request on a content provider itself (206, Content-Range).
        ++ranged_calls_;
        res.set_content_provider(body.size(), "text/csv", [body](size_t off, size_t len, httplib::DataSink& sink) {
          sink.write(body.data() + off, std::min(len, body.size() - off));
          return true;
        });
        return;
      }
      // Promise the whole file, send half, then drop the connection.
      res.set_header("Accept-Ranges", "bytes");
      res.set_content_provider(body.size(), "text/csv", [body](size_t off, size_t len, httplib::DataSink& sink) {
        if (off >= body.size() / 2) return false;
        sink.write(body.data() + off, std::min(len, body.size() / 2 - off));
        return true;
      });
    });
    port_ = s_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { s_.listen_after_bind(); });
    while (!s_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~ApiTestServer() {
    s_.stop();
    if (thread_.joinable()) thread_.join();
  }

  int port() const { return port_; }
  std::string Url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(port_) + path; }
  /// Records served by /since (new ones appear when this grows).
  void set_records(int n) { records_ = n; }
  int flaky_calls() const { return flaky_calls_; }
  int ranged_calls() const { return ranged_calls_; }
  /// The CSV behind /files/*: 5000 rows "id,name".
  static std::string Csv() {
    std::string s = "id,name\n";
    for (int i = 0; i < 5000; ++i) s += std::to_string(i) + ",name-" + std::to_string(i) + "\n";
    return s;
  }

  static nlohmann::json Record(int i) {
    return {{"id", i},
            {"name", "item-" + std::to_string(i)},
            {"updated_at", 1000 + i},
            {"owner", {{"login", "user" + std::to_string(i % 7)}, {"level", i % 3}}},
            {"tags", {"t" + std::to_string(i % 2), "x"}}};
  }

 private:
  nlohmann::json Slice(int start, int n) const {
    nlohmann::json a = nlohmann::json::array();
    for (int i = start; i < start + n && i < kRecords; ++i) a.push_back(Record(i));
    return a;
  }

  httplib::Server s_;
  int port_ = 0;
  std::thread thread_;
  std::atomic<int> records_{kRecords};
  std::atomic<int> flaky_calls_{0};
  std::atomic<int> file_calls_{0};
  std::atomic<int> ranged_calls_{0};
};

}  // namespace ldp::testing
