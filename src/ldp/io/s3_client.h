#pragma once
// A small S3 REST client: SigV4-signed requests over io/http.h, path-style or
// virtual-hosted addressing, retries with exponential back-off on 5xx / 429 / network errors,
// ranged and streamed-to-disk reads, multipart upload streamed from a local file (memory bounded by
// one part), ListObjectsV2 with continuation tokens. S3 XML error bodies become Status messages
// naming the operation, bucket, key, HTTP status and S3 error code.
//
// Thread-safety: thread-safe (each request uses its own connection).

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ldp/core/status.h"
#include "ldp/io/sigv4.h"

namespace ldp::io {

struct S3Options {
  /// "http://127.0.0.1:8080"; empty = AWS (https://s3.<region>.amazonaws.com).
  std::string endpoint;
  std::string region = "us-east-1";
  /// Path-style (`endpoint/bucket/key`) instead of virtual-hosted (`bucket.host/key`).
  bool path_style = true;
  AwsCredentials credentials;
  int max_attempts = 5;           ///< per request, first try included
  int64_t base_backoff_ms = 100;  ///< doubled per retry, with jitter, capped at 5 s
  int64_t part_size = 16LL << 20; ///< multipart part size (S3's minimum is 5 MiB)
  double timeout_seconds = 300;
  int list_page_size = 1000;      ///< max-keys of ListObjectsV2 (S3's own maximum is 1000)
};

struct S3Object {
  std::string key;
  int64_t size = 0;
  int64_t mtime_ms = 0;
  std::string etag;
};

struct S3Listing {
  std::vector<S3Object> objects;
  std::vector<std::string> common_prefixes;  ///< with the trailing delimiter
};

class S3Client {
 public:
  explicit S3Client(S3Options options);

  const S3Options& options() const { return options_; }

  /// Whole object, or `length` bytes from `offset` (a ranged GET) when length >= 0.
  Result<std::string> GetObject(const std::string& bucket, const std::string& key, int64_t offset = 0,
                                int64_t length = -1);
  /// Streams the object into `local_path` (written to a temp file, renamed when complete).
  Status GetObjectToFile(const std::string& bucket, const std::string& key, const std::string& local_path);
  /// `if_none_match`: create only (If-None-Match: *); AlreadyExists when the key exists.
  Status PutObject(const std::string& bucket, const std::string& key, const std::string& data,
                   bool if_none_match = false);
  /// Uploads a local file: one PUT below the part size, else a multipart upload reading one part at
  /// a time (aborted on failure, so no parts are left behind).
  Status PutObjectFromFile(const std::string& bucket, const std::string& key, const std::string& local_path);
  /// NotFound when the object does not exist.
  Result<S3Object> HeadObject(const std::string& bucket, const std::string& key);
  /// OK when the object did not exist.
  Status DeleteObject(const std::string& bucket, const std::string& key);
  /// Every object under `prefix` (all pages); with a delimiter, the common prefixes too.
  Result<S3Listing> ListObjects(const std::string& bucket, const std::string& prefix, const std::string& delimiter);
  Status CreateBucket(const std::string& bucket);

  /// Number of HTTP requests sent (for tests and benchmarks).
  int64_t request_count() const;

  struct Request;
  struct Response {
    long status = 0;
    std::string body;
    std::map<std::string, std::string> headers;  ///< lower-case names
  };

  /// The URL and Host header of a request (exposed for tests).
  std::pair<std::string, std::string> UrlFor(const std::string& bucket, const std::string& key) const;

 private:
  Result<Response> Send(const Request& req);
  Result<Response> SendOnce(const Request& req, std::string* curl_error, bool* retryable);
  Status MultipartUpload(const std::string& bucket, const std::string& key, const std::string& local_path,
                         int64_t size);

  S3Options options_;
  mutable std::atomic<int64_t> requests_{0};
};

/// Extracts the text of the first <tag>...</tag> (XML entities decoded); empty when absent.
std::string XmlTag(std::string_view xml, std::string_view tag, size_t* pos = nullptr);

}  // namespace ldp::io
