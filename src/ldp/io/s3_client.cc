#include "ldp/io/s3_client.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <mutex>
#include <random>
#include <thread>

#include "ldp/io/crypto.h"
#include "ldp/io/http.h"

namespace ldp::io {

struct S3Client::Request {
  std::string method;
  std::string bucket;
  std::string key;
  std::vector<std::pair<std::string, std::string>> query;
  std::vector<std::pair<std::string, std::string>> headers;  ///< extra headers (signed)
  const std::string* body = nullptr;                          ///< in-memory body
  std::string download_to;  ///< stream a 2xx body into this file instead of memory
  bool head = false;
  std::string what;  ///< "GET", "PUT", ... for messages
};

namespace {

constexpr const char* kEmptySha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

std::string XmlDecode(std::string s) {
  static const std::pair<const char*, const char*> kEntities[] = {
      {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&apos;", "'"}, {"&#34;", "\""}, {"&#39;", "'"}, {"&amp;", "&"}};
  for (const auto& [from, to] : kEntities) {
    size_t pos = 0;
    while ((pos = s.find(from, pos)) != std::string::npos) {
      s.replace(pos, std::strlen(from), to);
      pos += std::strlen(to);
    }
  }
  return s;
}

int64_t ParseIsoMs(const std::string& s) {
  std::tm tm{};
  if (s.size() < 19 || !strptime(s.c_str(), "%Y-%m-%dT%H:%M:%S", &tm)) return 0;
  return static_cast<int64_t>(timegm(&tm)) * 1000;
}

int64_t ParseHttpDateMs(const std::string& s) {
  std::tm tm{};
  if (!strptime(s.c_str(), "%a, %d %b %Y %H:%M:%S", &tm)) return 0;
  return static_cast<int64_t>(timegm(&tm)) * 1000;
}

std::string Location(const std::string& bucket, const std::string& key) {
  return key.empty() ? "s3://" + bucket : "s3://" + bucket + "/" + key;
}

}  // namespace

std::string XmlTag(std::string_view xml, std::string_view tag, size_t* pos) {
  // A handful of fixed elements of S3's responses are read by name; a general XML parser is not
  // needed for them (S3 responses have no namespaces prefixes, CDATA or attributes on these tags).
  std::string open = "<" + std::string(tag) + ">", close = "</" + std::string(tag) + ">";
  size_t from = pos ? *pos : 0;
  size_t a = xml.find(open, from);
  if (a == std::string_view::npos) {
    if (pos) *pos = std::string_view::npos;
    return "";
  }
  a += open.size();
  size_t b = xml.find(close, a);
  if (b == std::string_view::npos) {
    if (pos) *pos = std::string_view::npos;
    return "";
  }
  if (pos) *pos = b + close.size();
  return XmlDecode(std::string(xml.substr(a, b - a)));
}

S3Client::S3Client(S3Options options) : options_(std::move(options)) {
  if (options_.endpoint.empty()) options_.endpoint = "https://s3." + options_.region + ".amazonaws.com";
  while (!options_.endpoint.empty() && options_.endpoint.back() == '/') options_.endpoint.pop_back();
}

int64_t S3Client::request_count() const { return requests_.load(); }

std::pair<std::string, std::string> S3Client::UrlFor(const std::string& bucket, const std::string& key) const {
  const std::string& ep = options_.endpoint;
  size_t scheme_end = ep.find("://");
  std::string scheme = scheme_end == std::string::npos ? "https" : ep.substr(0, scheme_end);
  std::string rest = scheme_end == std::string::npos ? ep : ep.substr(scheme_end + 3);
  size_t slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  std::string base_path = slash == std::string::npos ? "" : rest.substr(slash);
  std::string path;
  std::string host = authority;
  if (options_.path_style || bucket.empty()) {
    path = base_path + "/" + UriEncode(bucket, false);
    if (!key.empty()) path += "/" + UriEncode(key, true);
  } else {
    host = bucket + "." + authority;
    path = base_path + "/" + UriEncode(key, true);
  }
  return {scheme + "://" + host + path, host};
}

Result<S3Client::Response> S3Client::SendOnce(const Request& req, std::string* curl_error, bool* retryable) {
  if (!HttpAvailable()) return Unavailable("libcurl.so.4 is needed for S3 storage: apt-get install libcurl4");
  auto [url, host] = UrlFor(req.bucket, req.key);
  std::string payload_hash = kEmptySha256;
  if (req.body) {
    LDP_ASSIGN_OR_RAISE(std::string h, Sha256(*req.body));
    payload_hash = Hex(h);
  }
  std::string amz_date = AmzDate(std::time(nullptr));
  SigningRequest s;
  s.method = req.head ? "HEAD" : req.method;
  s.path = url.substr(url.find(host) + host.size());
  s.query = req.query;
  s.headers = req.headers;
  s.headers.emplace_back("host", host);
  s.headers.emplace_back("x-amz-date", amz_date);
  s.headers.emplace_back("x-amz-content-sha256", payload_hash);
  if (!options_.credentials.session_token.empty())
    s.headers.emplace_back("x-amz-security-token", options_.credentials.session_token);
  s.payload_hash = payload_hash;
  s.amz_date = amz_date;
  s.region = options_.region;
  LDP_ASSIGN_OR_RAISE(std::string auth, SignRequest(s, options_.credentials));
  // The query string exactly as signed: sorted, encoded.
  std::vector<std::pair<std::string, std::string>> q;
  for (const auto& [k, v] : req.query) q.emplace_back(UriEncode(k, false), UriEncode(v, false));
  std::sort(q.begin(), q.end());
  std::string qs;
  for (const auto& [k, v] : q) qs += (qs.empty() ? "?" : "&") + k + "=" + v;

  HttpRequest http;
  http.method = req.head ? "HEAD" : req.method;
  http.url = url + qs;
  for (const auto& [k, v] : s.headers) http.headers[k] = v;
  http.headers["Authorization"] = auth;
  if (req.body) http.headers["Content-Type"] = "application/octet-stream";
  http.body_ref = req.body;
  http.timeout_seconds = options_.timeout_seconds;
  http.follow_redirects = false;
  http.decode_content = false;  // the bytes stored, exactly (ranged reads count them)
  FILE* file = nullptr;
  std::string tmp_path;
  bool write_error = false;
  if (!req.download_to.empty()) {
    tmp_path = req.download_to + ".part-" + std::to_string(::getpid()) + "-" +
               std::to_string(std::hash<std::thread::id>()(std::this_thread::get_id()) % 100000);
    file = std::fopen(tmp_path.c_str(), "wb");
    if (!file) return IOError("writing {}: {}", tmp_path, std::strerror(errno));
    http.on_body = [&](const char* data, size_t n) {
      write_error = std::fwrite(data, 1, n, file) != n;
      return !write_error;
    };
  }
  requests_++;
  auto r = HttpPerform(http);
  Response resp;
  if (r.ok()) {
    resp.status = r->status;
    resp.body = std::move(r->body);
    resp.headers = std::move(r->headers);
  }
  if (file) {
    bool close_ok = std::fclose(file) == 0;
    bool ok = r.ok() && !write_error && close_ok && resp.status >= 200 && resp.status < 300;
    if (ok && std::rename(tmp_path.c_str(), req.download_to.c_str()) != 0) ok = false;
    if (!ok) std::remove(tmp_path.c_str());
    if (write_error || !close_ok) {
      *retryable = false;
      return IOError("writing {}: disk full or not writable", req.download_to);
    }
  }
  if (!r.ok()) {
    *curl_error = r.status().message();
    *retryable = true;
    return Unavailable("{}", *curl_error);
  }
  // 501 Not Implemented (e.g. a conditional PUT on a server without it) will not change on retry.
  *retryable = (resp.status >= 500 && resp.status != 501) || resp.status == 429;
  return resp;
}

Result<S3Client::Response> S3Client::Send(const Request& req) {
  thread_local std::mt19937_64 rng(std::random_device{}());
  std::string last;
  for (int attempt = 1;; ++attempt) {
    std::string curl_error;
    bool retryable = false;
    auto r = SendOnce(req, &curl_error, &retryable);
    bool done = attempt >= options_.max_attempts || !retryable;
    if (r.ok() && !retryable) return r;
    if (done) {
      if (r.ok()) return r;  // the caller turns the error body into a message
      return Unavailable("S3 {} {}: {} (after {} attempts)", req.what, Location(req.bucket, req.key),
                         r.status().message(), attempt);
    }
    int64_t cap = std::min<int64_t>(5000, options_.base_backoff_ms << std::min(attempt - 1, 10));
    std::uniform_int_distribution<int64_t> jitter(cap / 2, cap);
    std::this_thread::sleep_for(std::chrono::milliseconds(jitter(rng)));
  }
}

namespace {

Status ErrorFrom(const S3Client::Response& r, const std::string& what, const std::string& bucket,
                 const std::string& key) {
  std::string code = XmlTag(r.body, "Code");
  std::string message = XmlTag(r.body, "Message");
  if (code.empty()) {
    static const std::map<long, const char*> kNames = {{400, "BadRequest"}, {403, "Forbidden"}, {404, "NotFound"},
                                                      {409, "Conflict"},    {412, "PreconditionFailed"},
                                                      {503, "SlowDown"}};
    auto it = kNames.find(r.status);
    code = it == kNames.end() ? "HTTP" + std::to_string(r.status) : it->second;
  }
  std::string text = fmt::format("S3 {} {}: HTTP {} {}{}{}", what, Location(bucket, key), r.status, code,
                                 message.empty() ? "" : ": ", message);
  if (r.status == 404) return NotFound("{}", text);
  if (r.status == 412) return AlreadyExists("{}", text);
  if (r.status == 401 || r.status == 403) return NotAuthorized("{}", text);
  if (r.status == 501) return NotImplemented("{}", text);
  if (r.status >= 500 || r.status == 429) return Unavailable("{}", text);
  return IOError("{}", text);
}

bool Ok(const S3Client::Response& r) { return r.status >= 200 && r.status < 300; }

}  // namespace

Result<std::string> S3Client::GetObject(const std::string& bucket, const std::string& key, int64_t offset,
                                        int64_t length) {
  Request req{"GET", bucket, key};
  req.what = "GET";
  if (length >= 0) {
    if (length == 0) return std::string();
    req.headers.emplace_back("range", fmt::format("bytes={}-{}", offset, offset + length - 1));
  }
  LDP_ASSIGN_OR_RAISE(Response r, Send(req));
  if (!Ok(r)) return ErrorFrom(r, "GET", bucket, key);
  return std::move(r.body);
}

Status S3Client::GetObjectToFile(const std::string& bucket, const std::string& key, const std::string& local_path) {
  Request req{"GET", bucket, key};
  req.what = "GET";
  req.download_to = local_path;
  LDP_ASSIGN_OR_RAISE(Response r, Send(req));
  if (!Ok(r)) return ErrorFrom(r, "GET", bucket, key);
  return Status::OK();
}

Status S3Client::PutObject(const std::string& bucket, const std::string& key, const std::string& data,
                           bool if_none_match) {
  Request req{"PUT", bucket, key};
  req.what = "PUT";
  req.body = &data;
  if (if_none_match) req.headers.emplace_back("if-none-match", "*");
  LDP_ASSIGN_OR_RAISE(Response r, Send(req));
  if (!Ok(r)) return ErrorFrom(r, "PUT", bucket, key);
  return Status::OK();
}

Result<S3Object> S3Client::HeadObject(const std::string& bucket, const std::string& key) {
  Request req{"HEAD", bucket, key};
  req.what = "HEAD";
  req.head = true;
  LDP_ASSIGN_OR_RAISE(Response r, Send(req));
  if (!Ok(r)) return ErrorFrom(r, "HEAD", bucket, key);
  S3Object o;
  o.key = key;
  try {
    o.size = std::stoll(r.headers["content-length"]);
  } catch (...) {
    o.size = 0;
  }
  o.etag = r.headers["etag"];
  o.mtime_ms = ParseHttpDateMs(r.headers["last-modified"]);
  return o;
}

Status S3Client::DeleteObject(const std::string& bucket, const std::string& key) {
  Request req{"DELETE", bucket, key};
  req.what = "DELETE";
  LDP_ASSIGN_OR_RAISE(Response r, Send(req));
  if (!Ok(r) && r.status != 404) return ErrorFrom(r, "DELETE", bucket, key);
  return Status::OK();
}

Status S3Client::CreateBucket(const std::string& bucket) {
  Request req{"PUT", bucket, ""};
  req.what = "CreateBucket";
  LDP_ASSIGN_OR_RAISE(Response r, Send(req));
  if (!Ok(r)) {
    std::string code = XmlTag(r.body, "Code");
    if (code == "BucketAlreadyOwnedByYou") return Status::OK();
    return ErrorFrom(r, "CreateBucket", bucket, "");
  }
  return Status::OK();
}

Result<S3Listing> S3Client::ListObjects(const std::string& bucket, const std::string& prefix,
                                        const std::string& delimiter) {
  S3Listing out;
  std::string token;
  for (;;) {
    Request req{"GET", bucket, ""};
    req.what = "ListObjectsV2";
    req.query = {{"list-type", "2"}, {"prefix", prefix}};
    if (!delimiter.empty()) req.query.emplace_back("delimiter", delimiter);
    if (!token.empty()) req.query.emplace_back("continuation-token", token);
    if (options_.list_page_size != 1000) req.query.emplace_back("max-keys", std::to_string(options_.list_page_size));
    LDP_ASSIGN_OR_RAISE(Response r, Send(req));
    if (!Ok(r)) return ErrorFrom(r, "ListObjectsV2", bucket, prefix);
    size_t pos = 0;
    for (;;) {
      std::string item = XmlTag(r.body, "Contents", &pos);
      if (pos == std::string::npos) break;
      S3Object o;
      o.key = XmlTag(item, "Key");
      try {
        o.size = std::stoll(XmlTag(item, "Size"));
      } catch (...) {
        o.size = 0;
      }
      o.mtime_ms = ParseIsoMs(XmlTag(item, "LastModified"));
      o.etag = XmlTag(item, "ETag");
      out.objects.push_back(std::move(o));
    }
    pos = 0;
    for (;;) {
      std::string item = XmlTag(r.body, "CommonPrefixes", &pos);
      if (pos == std::string::npos) break;
      out.common_prefixes.push_back(XmlTag(item, "Prefix"));
    }
    if (XmlTag(r.body, "IsTruncated") != "true") break;
    token = XmlTag(r.body, "NextContinuationToken");
    if (token.empty()) return IOError("S3 ListObjectsV2 {}: truncated listing without a continuation token",
                                      Location(bucket, prefix));
  }
  return out;
}

Status S3Client::PutObjectFromFile(const std::string& bucket, const std::string& key, const std::string& local_path) {
  struct stat st{};
  if (::stat(local_path.c_str(), &st) != 0) return IOError("uploading {}: {}", local_path, std::strerror(errno));
  int64_t size = st.st_size;
  if (size > options_.part_size) return MultipartUpload(bucket, key, local_path, size);
  std::string data(static_cast<size_t>(size), '\0');
  FILE* f = std::fopen(local_path.c_str(), "rb");
  if (!f) return IOError("uploading {}: {}", local_path, std::strerror(errno));
  size_t got = std::fread(data.data(), 1, data.size(), f);
  std::fclose(f);
  if (got != data.size()) return IOError("uploading {}: short read", local_path);
  return PutObject(bucket, key, data);
}

Status S3Client::MultipartUpload(const std::string& bucket, const std::string& key, const std::string& local_path,
                                 int64_t size) {
  Request init{"POST", bucket, key};
  init.what = "CreateMultipartUpload";
  init.query = {{"uploads", ""}};
  static const std::string kEmpty;
  init.body = &kEmpty;
  LDP_ASSIGN_OR_RAISE(Response r, Send(init));
  if (!Ok(r)) return ErrorFrom(r, init.what, bucket, key);
  std::string upload_id = XmlTag(r.body, "UploadId");
  if (upload_id.empty()) return IOError("S3 CreateMultipartUpload {}: no UploadId in the response", Location(bucket, key));
  auto abort = [&](const Status& cause) {
    Request a{"DELETE", bucket, key};
    a.what = "AbortMultipartUpload";
    a.query = {{"uploadId", upload_id}};
    (void)Send(a);
    return cause;
  };
  FILE* f = std::fopen(local_path.c_str(), "rb");
  if (!f) return abort(IOError("uploading {}: {}", local_path, std::strerror(errno)));
  std::string complete = "<CompleteMultipartUpload>";
  std::string part;  // the one part in memory
  int part_number = 0;
  for (int64_t off = 0; off < size; off += options_.part_size) {
    ++part_number;
    part.resize(static_cast<size_t>(std::min(options_.part_size, size - off)));
    if (std::fread(part.data(), 1, part.size(), f) != part.size()) {
      std::fclose(f);
      return abort(IOError("uploading {}: short read at byte {}", local_path, off));
    }
    Request p{"PUT", bucket, key};
    p.what = fmt::format("UploadPart {}", part_number);
    p.query = {{"partNumber", std::to_string(part_number)}, {"uploadId", upload_id}};
    p.body = &part;
    auto pr = Send(p);
    if (!pr.ok()) {
      std::fclose(f);
      return abort(pr.status());
    }
    if (!Ok(*pr)) {
      std::fclose(f);
      return abort(ErrorFrom(*pr, p.what, bucket, key));
    }
    complete += fmt::format("<Part><PartNumber>{}</PartNumber><ETag>{}</ETag></Part>", part_number,
                            pr->headers["etag"]);
  }
  std::fclose(f);
  complete += "</CompleteMultipartUpload>";
  Request done{"POST", bucket, key};
  done.what = "CompleteMultipartUpload";
  done.query = {{"uploadId", upload_id}};
  done.body = &complete;
  auto dr = Send(done);
  if (!dr.ok()) return abort(dr.status());
  // S3 may answer 200 with an <Error> body when completing fails late.
  if (!Ok(*dr) || dr->body.find("<Error>") != std::string::npos) return abort(ErrorFrom(*dr, done.what, bucket, key));
  return Status::OK();
}

}  // namespace ldp::io
