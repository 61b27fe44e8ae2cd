#include "ldp/connectors/source.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>

#include <fmt/format.h>

#include "ldp/connectors/bigquery_source.h"
#include "ldp/connectors/postgres_source.h"
#include "ldp/connectors/rest_source.h"

namespace ldp::connectors {
namespace fs = std::filesystem;

Result<std::unique_ptr<Stage>> Stage::Make(const std::string& parent) {
  static std::atomic<int> seq{0};
  auto now = std::chrono::steady_clock::now().time_since_epoch().count();
  std::string dir = fmt::format("{}/stage-{}-{}-{}", parent, getpid(), now, seq++);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return IOError("creating staging folder {}: {}", dir, ec.message());
  return std::unique_ptr<Stage>(new Stage(dir));
}

Stage::~Stage() {
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

std::string Stage::NextFile(const std::string& prefix, const std::string& ext) {
  return fmt::format("{}/{}-{:05}.{}", dir_, prefix, ++counter_, ext);
}

NdjsonWriter::~NdjsonWriter() {
  if (out_) std::fclose(out_);
}

Status NdjsonWriter::Write(const std::string& line) {
  if (!out_ || bytes_ >= max_bytes_) {
    LDP_RETURN_NOT_OK(Close());
    std::string path = stage_->NextFile("records", "ndjson");
    out_ = std::fopen(path.c_str(), "wb");
    if (!out_) return IOError("creating staging file {}", path);
    files_.push_back(path);
    bytes_ = 0;
  }
  if (std::fwrite(line.data(), 1, line.size(), out_) != line.size() || std::fputc('\n', out_) == EOF)
    return IOError("writing staging file {} (disk full?)", files_.back());
  bytes_ += static_cast<int64_t>(line.size()) + 1;
  ++records_;
  return Status::OK();
}

Status NdjsonWriter::Close() {
  if (!out_) return Status::OK();
  int rc = std::fclose(out_);
  out_ = nullptr;
  if (rc != 0) return IOError("closing staging file {}", files_.back());
  return Status::OK();
}

Result<std::unique_ptr<Source>> MakeSource(const ConnectorOptions& options, const SourceContext& ctx) {
  switch (options.kind()) {
    case SourceKind::kRest:
      return RestSource::Make(options, ctx);
    case SourceKind::kPostgres:
      return PostgresSource::Make(options);
    case SourceKind::kBigQuery:
      return BigQuerySource::Make(options, ctx);
    case SourceKind::kFile:
      return InvalidArgument("source {} is a file source; it is read by the file ingest path", options.Describe());
  }
  return Internal("unknown source kind");
}

}  // namespace ldp::connectors
