#include "ldp/avro/file.h"

#include <zlib.h>

#include <algorithm>
#include <limits>
#include <random>
#include <set>

#include "ldp/avro/encoding.h"

namespace ldp::avro {

namespace {

constexpr std::string_view kMagic("Obj\x01", 4);
constexpr size_t kSyncSize = 16;
// A corrupt length field must not make us allocate without bound.
constexpr size_t kMaxInflatedBlock = size_t{1} << 30;

SyncMarker RandomSync() {
  std::random_device rd;
  SyncMarker s;
  for (size_t i = 0; i < s.size(); i += 4) {
    uint32_t r = rd();
    for (size_t j = 0; j < 4; ++j) s[i + j] = static_cast<uint8_t>(r >> (8 * j));
  }
  return s;
}

}  // namespace

std::string_view CodecName(Codec codec) {
  return codec == Codec::kDeflate ? "deflate" : "null";
}

// ---------------------------------------------------------------- zlib

Result<std::string> DeflateRaw(std::string_view data, int level) {
  z_stream zs{};
  if (deflateInit2(&zs, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    return Internal("deflateInit2 failed (level {})", level);
  }
  std::string out;
  out.resize(deflateBound(&zs, static_cast<uLong>(std::min<size_t>(data.size(), 1u << 30))) + 64);
  size_t in_pos = 0;
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    size_t in_chunk = std::min<size_t>(data.size() - in_pos, 1u << 30);
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data() + in_pos));
    zs.avail_in = static_cast<uInt>(in_chunk);
    const bool last = in_pos + in_chunk == data.size();
    if (zs.total_out == out.size()) out.resize(out.size() * 2);
    zs.next_out = reinterpret_cast<Bytef*>(out.data() + zs.total_out);
    zs.avail_out = static_cast<uInt>(std::min<size_t>(out.size() - zs.total_out, 1u << 30));
    rc = deflate(&zs, last ? Z_FINISH : Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) {
      deflateEnd(&zs);
      return Internal("deflate failed ({})", rc);
    }
    in_pos += in_chunk - zs.avail_in;
  }
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

Result<std::string> InflateRaw(std::string_view data) {
  z_stream zs{};
  if (data.size() > std::numeric_limits<uInt>::max()) {
    return InvalidArgument("deflate block of {} bytes is too large", data.size());
  }
  if (inflateInit2(&zs, -15) != Z_OK) return Internal("inflateInit2 failed");
  std::string out;
  out.resize(std::max<size_t>(data.size() * 4, 1024));
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  while (true) {
    if (zs.total_out == out.size()) {
      if (out.size() >= kMaxInflatedBlock) {
        inflateEnd(&zs);
        return InvalidArgument("deflate block inflates beyond {} bytes", kMaxInflatedBlock);
      }
      out.resize(std::min(out.size() * 2, kMaxInflatedBlock));
    }
    zs.next_out = reinterpret_cast<Bytef*>(out.data() + zs.total_out);
    zs.avail_out = static_cast<uInt>(out.size() - zs.total_out);
    int rc = inflate(&zs, Z_NO_FLUSH);
    if (rc == Z_STREAM_END) break;
    if (rc == Z_OK) continue;
    if (rc == Z_BUF_ERROR && zs.avail_out == 0) continue;  // needs more room
    std::string msg = zs.msg ? zs.msg : (rc == Z_BUF_ERROR ? "data cut off" : "corrupt data");
    inflateEnd(&zs);
    return InvalidArgument("bad deflate data: {}", msg);
  }
  out.resize(zs.total_out);
  inflateEnd(&zs);
  return out;
}

// ---------------------------------------------------------------- Writer

Writer::Writer(Schema schema, WriterOptions options, SyncMarker sync)
    : schema_(std::move(schema)), options_(std::move(options)), sync_(sync) {}

Result<std::unique_ptr<Writer>> Writer::Make(Schema schema, WriterOptions options) {
  if (options.block_size == 0) return InvalidArgument("avro writer: block_size must be > 0");
  if (options.deflate_level < -1 || options.deflate_level > 9) {
    return InvalidArgument("avro writer: deflate_level {} is not in -1..9", options.deflate_level);
  }
  std::set<std::string_view> keys;
  for (const auto& [key, value] : options.metadata) {
    if (key.rfind("avro.", 0) == 0) {
      return InvalidArgument("avro writer: metadata key '{}' is reserved by Avro", key);
    }
    if (!keys.insert(key).second) {
      return InvalidArgument("avro writer: metadata key '{}' given twice", key);
    }
  }
  SyncMarker sync = options.sync_marker ? *options.sync_marker : RandomSync();
  auto w = std::unique_ptr<Writer>(new Writer(std::move(schema), std::move(options), sync));

  std::string& out = w->out_;
  out.append(kMagic);
  EncodeLong(static_cast<int64_t>(w->options_.metadata.size() + 2), &out);
  EncodeBytes("avro.schema", &out);
  EncodeBytes(w->schema_.ToJsonString(), &out);
  EncodeBytes("avro.codec", &out);
  EncodeBytes(CodecName(w->options_.codec), &out);
  for (const auto& [key, value] : w->options_.metadata) {
    EncodeBytes(key, &out);
    EncodeBytes(value, &out);
  }
  EncodeLong(0, &out);
  out.append(reinterpret_cast<const char*>(w->sync_.data()), w->sync_.size());
  return w;
}

Status Writer::Append(const Value& datum) {
  if (finished_) return Internal("avro writer: Append after Finish");
  const size_t before = block_.size();
  Status st = EncodeValue(schema_.root(), datum, &block_);
  if (!st.ok()) {
    block_.resize(before);
    return st.WithContext(fmt::format("avro record #{}", records_));
  }
  ++block_records_;
  ++records_;
  if (block_.size() >= options_.block_size) return FlushBlock();
  return Status::OK();
}

Status Writer::FlushBlock() {
  if (block_records_ == 0) return Status::OK();
  std::string compressed;
  std::string_view payload = block_;
  if (options_.codec == Codec::kDeflate) {
    LDP_ASSIGN_OR_RAISE(compressed, DeflateRaw(block_, options_.deflate_level));
    payload = compressed;
  }
  EncodeLong(block_records_, &out_);
  EncodeLong(static_cast<int64_t>(payload.size()), &out_);
  out_.append(payload);
  out_.append(reinterpret_cast<const char*>(sync_.data()), sync_.size());
  block_.clear();
  block_records_ = 0;
  return Status::OK();
}

Result<std::string> Writer::Finish() {
  if (finished_) return Internal("avro writer: Finish called twice");
  LDP_RETURN_NOT_OK(FlushBlock());
  finished_ = true;
  return std::move(out_);
}

// ---------------------------------------------------------------- Reader

Reader::Reader(std::string data, std::string file_name, Schema schema)
    : data_(std::move(data)), file_name_(std::move(file_name)), schema_(std::move(schema)) {}

Status Reader::Error(std::string_view what) const {
  if (block_index_ < 0) return InvalidArgument("avro file '{}': {}", file_name_, what);
  return InvalidArgument("avro file '{}': block {} at offset {}: {}", file_name_, block_index_,
                         block_offset_, what);
}

Result<std::unique_ptr<Reader>> Reader::Open(std::string data, std::string file_name) {
  auto fail = [&](std::string_view what) {
    return InvalidArgument("avro file '{}': {}", file_name, what);
  };
  if (data.size() < kMagic.size() || std::string_view(data).substr(0, 4) != kMagic) {
    return fail(data.empty() ? "empty file, not an Avro container"
                             : "not an Avro container file (bad magic bytes)");
  }
  Decoder in(std::string_view(data).substr(kMagic.size()));
  std::map<std::string, std::string> metadata;
  while (true) {
    int64_t count;
    Status st = in.ReadLong(&count);
    if (st.ok() && count < 0) {
      if (count == std::numeric_limits<int64_t>::min()) {
        st = InvalidArgument("invalid block count");
      } else {
        count = -count;
        int64_t ignored_size;
        st = in.ReadLong(&ignored_size);
      }
    }
    if (st.ok() && static_cast<uint64_t>(count) > in.remaining()) {
      st = InvalidArgument("truncated data: {} entries announced, {} bytes left", count,
                           in.remaining());
    }
    if (!st.ok()) return fail("header metadata: " + st.message());
    if (count == 0) break;
    for (int64_t i = 0; i < count; ++i) {
      std::string key, value;
      st = in.ReadBytes(&key);
      if (st.ok()) st = in.ReadBytes(&value);
      if (!st.ok()) return fail("header metadata: " + st.message());
      metadata[std::move(key)] = std::move(value);
    }
  }
  std::string sync;
  if (!in.ReadFixed(kSyncSize, &sync).ok()) return fail("truncated header: sync marker cut off");

  auto schema_it = metadata.find("avro.schema");
  if (schema_it == metadata.end()) return fail("header has no avro.schema");
  auto schema = Schema::Parse(schema_it->second);
  if (!schema.ok()) {
    return Status(schema.status().code(),
                  fmt::format("avro file '{}': header avro.schema: {}", file_name,
                              schema.status().message()));
  }
  Codec codec = Codec::kNull;
  auto codec_it = metadata.find("avro.codec");
  if (codec_it != metadata.end() && codec_it->second != "null") {
    if (codec_it->second != "deflate") {
      return NotImplemented("avro file '{}': codec '{}' is not supported (only null and deflate)",
                            file_name, codec_it->second);
    }
    codec = Codec::kDeflate;
  }
  const size_t body = kMagic.size() + in.position();
  auto r = std::unique_ptr<Reader>(
      new Reader(std::move(data), std::move(file_name), std::move(schema).value()));
  r->codec_ = codec;
  r->metadata_ = std::move(metadata);
  r->sync_ = std::move(sync);
  r->pos_ = body;
  return r;
}

std::optional<std::string> Reader::GetMetadata(std::string_view key) const {
  auto it = metadata_.find(std::string(key));
  if (it == metadata_.end()) return std::nullopt;
  return it->second;
}

Status Reader::LoadBlock() {
  ++block_index_;
  block_offset_ = pos_;
  Decoder in(std::string_view(data_).substr(pos_));
  int64_t count, size;
  Status st = in.ReadLong(&count);
  if (st.ok()) st = in.ReadLong(&size);
  if (!st.ok()) return Error("block header: " + st.message());
  if (count < 0) return Error(fmt::format("negative record count {}", count));
  if (size < 0) return Error(fmt::format("negative block size {}", size));
  if (static_cast<uint64_t>(size) > in.remaining()) {
    return Error(fmt::format("truncated file: block of {} bytes, {} bytes left", size,
                             in.remaining()));
  }
  std::string_view payload = std::string_view(data_).substr(pos_ + in.position(), size);
  LDP_RETURN_NOT_OK(in.Skip(static_cast<size_t>(size)));
  std::string sync;
  if (!in.ReadFixed(kSyncSize, &sync).ok()) return Error("truncated file: sync marker cut off");
  if (sync != sync_) return Error("sync marker does not match the header's (corrupt file)");
  if (codec_ == Codec::kDeflate) {
    auto inflated = InflateRaw(payload);
    if (!inflated.ok()) return Error(inflated.status().message());
    block_ = std::move(inflated).value();
  } else {
    block_.assign(payload);
  }
  // Only a schema of nulls encodes in zero bytes; anything else needs a byte per record.
  const bool empty_records = CanEncodeEmpty(schema_.root());
  if ((!empty_records && static_cast<uint64_t>(count) > block_.size()) ||
      (empty_records && count > (int64_t{1} << 24))) {
    return Error(fmt::format("record count {} is impossible for a block of {} bytes", count,
                             block_.size()));
  }
  block_pos_ = 0;
  block_remaining_ = count;
  pos_ += in.position();
  return Status::OK();
}

Result<bool> Reader::Next(Value* out) {
  while (block_remaining_ == 0) {
    if (block_index_ >= 0 && block_pos_ != block_.size()) {
      return Error(fmt::format("{} bytes left over after the block's last record",
                               block_.size() - block_pos_));
    }
    if (pos_ >= data_.size()) return false;
    LDP_RETURN_NOT_OK(LoadBlock());
  }
  Decoder in(std::string_view(block_).substr(block_pos_));
  Value v;
  Status st = DecodeValue(schema_.root(), &in, &v);
  if (!st.ok()) return Error(st.message());
  block_pos_ += in.position();
  --block_remaining_;
  *out = std::move(v);
  return true;
}

Result<std::vector<Value>> Reader::ReadAll() {
  std::vector<Value> out;
  while (true) {
    Value v;
    LDP_ASSIGN_OR_RAISE(bool more, Next(&v));
    if (!more) break;
    out.push_back(std::move(v));
  }
  return out;
}

}  // namespace ldp::avro
