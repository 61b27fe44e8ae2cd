#pragma once
// Avro Object Container Files (spec "Object Container Files"): a header with the schema, the codec
// and any other string metadata (Iceberg keeps its manifest metadata there), then blocks of
// datums, each followed by the file's 16-byte sync marker.
//
// Files are built and parsed in memory: ldp's FileSystem reads and writes whole files, and
// manifests are small (a 100k-entry manifest is a few MB).
//
// Thread-safety: a Writer or Reader is used by one thread at a time.

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ldp/avro/schema.h"
#include "ldp/avro/value.h"
#include "ldp/core/status.h"

namespace ldp::avro {

enum class Codec { kNull, kDeflate };

/// "null" / "deflate".
std::string_view CodecName(Codec codec);

using SyncMarker = std::array<uint8_t, 16>;

struct WriterOptions {
  Codec codec = Codec::kDeflate;
  /// zlib level 0-9, or -1 for zlib's default.
  int deflate_level = -1;
  /// A block is closed once its encoded (uncompressed) data reaches this many bytes.
  size_t block_size = 64 * 1024;
  /// Extra header keys, written after avro.schema and avro.codec in this order. Keys starting
  /// with "avro." are reserved by Avro and rejected.
  std::vector<std::pair<std::string, std::string>> metadata;
  /// The sync marker; random when unset (tests pin it to get identical bytes).
  std::optional<SyncMarker> sync_marker;
};

/// Builds an Object Container File in memory.
class Writer {
 public:
  /// InvalidArgument when an option is out of range or a metadata key is reserved.
  static Result<std::unique_ptr<Writer>> Make(Schema schema, WriterOptions options = {});

  /// Encodes one datum. InvalidArgument (naming the field) when it does not fit the schema; the
  /// file is unchanged then.
  Status Append(const Value& datum);

  int64_t records_written() const { return records_; }

  /// Flushes the last block and returns the file's bytes. Internal when compression fails.
  /// REQUIRES: called once; no Append afterwards.
  Result<std::string> Finish();

  const Schema& schema() const { return schema_; }

 private:
  Writer(Schema schema, WriterOptions options, SyncMarker sync);
  Status FlushBlock();

  Schema schema_;
  WriterOptions options_;
  SyncMarker sync_;
  std::string out_;
  std::string block_;
  int64_t block_records_ = 0;
  int64_t records_ = 0;
  bool finished_ = false;
};

/// Reads an Object Container File held in memory, decoding datums with the writer's schema from
/// the header. Errors name the file and what is wrong: InvalidArgument for bad magic, a bad
/// header schema, truncated or corrupt blocks, a wrong sync marker; NotImplemented for codecs
/// other than null and deflate (and recursive schemas).
class Reader {
 public:
  /// Parses the header. `file_name` is used in error messages only.
  static Result<std::unique_ptr<Reader>> Open(std::string data, std::string file_name);

  const Schema& schema() const { return schema_; }
  Codec codec() const { return codec_; }
  /// All header metadata, including avro.schema and avro.codec.
  const std::map<std::string, std::string>& metadata() const { return metadata_; }
  /// One header value, or nullopt.
  std::optional<std::string> GetMetadata(std::string_view key) const;

  /// Decodes the next datum into *out; false (and *out untouched) at the end of the file.
  Result<bool> Next(Value* out);
  /// Every remaining datum.
  Result<std::vector<Value>> ReadAll();

 private:
  Reader(std::string data, std::string file_name, Schema schema);
  Status LoadBlock();
  Status Error(std::string_view what) const;

  std::string data_;
  std::string file_name_;
  Schema schema_;
  Codec codec_ = Codec::kNull;
  std::map<std::string, std::string> metadata_;
  std::string sync_;
  size_t pos_ = 0;              // next block in data_
  int64_t block_index_ = -1;
  size_t block_offset_ = 0;     // file offset of the current block, for messages
  std::string block_;           // the current block, decompressed
  size_t block_pos_ = 0;
  int64_t block_remaining_ = 0; // datums left in the current block
};

/// Decompresses raw deflate (RFC 1951, no zlib header), as Avro's "deflate" codec stores it.
Result<std::string> InflateRaw(std::string_view data);
/// Compresses to raw deflate.
Result<std::string> DeflateRaw(std::string_view data, int level = -1);

}  // namespace ldp::avro
