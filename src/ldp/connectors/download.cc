#include "ldp/connectors/download.h"

#include <cmath>
#include <cstdio>

#include <fmt/format.h>

#include "ldp/connectors/http_client.h"

namespace ldp::connectors {

Result<DownloadResult> DownloadToFile(const std::string& url, const std::string& path, const DownloadOptions& o) {
  SystemClock system;
  Clock* clock = o.clock ? o.clock : &system;
  DownloadResult out;
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) return IOError("creating {}", path);
  int64_t have = 0;
  Status last;
  for (int attempt = 1; attempt <= o.retry.max_attempts; ++attempt) {
    out.attempts = attempt;
    HttpRequestSpec req;
    req.url = url;
    req.timeout_seconds = o.timeout_seconds;
    req.decode_content = false;
    if (have > 0) req.headers["Range"] = "bytes=" + std::to_string(have) + "-";
    bool write_failed = false;
    req.on_body = [&](const char* data, size_t n) {
      if (std::fwrite(data, 1, n, f) != n) {
        write_failed = true;
        return false;
      }
      have += static_cast<int64_t>(n);
      return true;
    };
    // A resumed request the server answers with 200 (no ranges) starts the file over.
    int64_t before = have;
    auto r = HttpFetch(req);
    if (write_failed) {
      std::fclose(f);
      return IOError("writing {} (disk full?)", path);
    }
    long status = r.ok() ? r->status : 0;
    if (r.ok() && before > 0 && status == 200) {
      // The server ignored the Range: what it sent is the whole file from byte 0; keep only that.
      std::fflush(f);
      std::fclose(f);
      f = nullptr;
      // The bytes just written follow the old partial content: move them to the front.
      std::FILE* in = std::fopen(path.c_str(), "rb");
      std::string tmp = path + ".part";
      std::FILE* outf = std::fopen(tmp.c_str(), "wb");
      if (!in || !outf) return IOError("rewriting {}", path);
      std::fseek(in, before, SEEK_SET);
      char buf[1 << 16];
      size_t n;
      while ((n = std::fread(buf, 1, sizeof buf, in)) > 0) std::fwrite(buf, 1, n, outf);
      std::fclose(in);
      std::fclose(outf);
      std::rename(tmp.c_str(), path.c_str());
      have -= before;
      f = std::fopen(path.c_str(), "ab");
      if (!f) return IOError("reopening {}", path);
    } else if (r.ok() && before > 0 && status == 206) {
      ++out.resumed;
    }
    if (r.ok() && (status == 200 || status == 206)) {
      // A connection that closed early can look like a complete answer: check the length.
      auto cl = r->headers.find("content-length");
      int64_t got = status == 206 ? have - before : have;
      if (cl != r->headers.end() && !cl->second.empty() && got < std::stoll(cl->second)) {
        last = Unavailable("{}: connection closed after {} of {} bytes", url, got, cl->second);
        if (attempt < o.retry.max_attempts) clock->SleepFor(o.retry.Delay(attempt));
        continue;
      }
      std::fclose(f);
      out.bytes = have;
      return out;
    }
    if (r.ok() && status == 416 && before > 0) {  // nothing left to send: the file was complete
      std::fclose(f);
      out.bytes = have;
      return out;
    }
    if (r.ok() && status == 404) {
      std::fclose(f);
      return NotFound("{}: HTTP 404 (not found)", url);
    }
    if (r.ok() && (status == 401 || status == 403)) {
      std::fclose(f);
      return NotAuthorized("{}: HTTP {}: access refused", url, status);
    }
    if (r.ok() && status >= 400 && status < 500 && status != 408 && status != 429) {
      std::fclose(f);
      return InvalidArgument("{}: HTTP {}", url, status);
    }
    last = r.ok() ? Unavailable("{}: HTTP {}", url, status) : r.status();
    if (attempt < o.retry.max_attempts) clock->SleepFor(o.retry.Delay(attempt));
  }
  std::fclose(f);
  return last.WithContext(fmt::format("downloading after {} attempts", o.retry.max_attempts));
}

}  // namespace ldp::connectors
