#include "ldp/iceberg/puffin.h"

#include <fmt/format.h>
#include <zlib.h>

#include <algorithm>

namespace ldp::iceberg {
namespace {

constexpr uint32_t kSerialCookieNoRun = 12346;
constexpr uint32_t kSerialCookie = 12347;
constexpr uint32_t kNoOffsetThreshold = 4;

struct Cursor {
  std::string_view data;
  size_t pos = 0;
  bool ok = true;
  uint64_t LE(int n) {
    if (pos + n > data.size()) {
      ok = false;
      return 0;
    }
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(data[pos + i]);
    pos += n;
    return v;
  }
  void Skip(size_t n) {
    if (pos + n > data.size()) ok = false;
    pos += n;
  }
};

uint32_t BE32(std::string_view s, size_t at) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(s[at + i]);
  return v;
}

// Merges adjacent positions into ranges and hands each finished range to the sink (values arrive
// in ascending order: roaring keys and container values are sorted).
struct Emitter {
  const PositionRangeSink& sink;
  bool open = false;
  int64_t first = 0, last = 0;
  Status status;
  void Add(int64_t f, int64_t l) {
    if (open && last + 1 >= f) {
      last = std::max(last, l);
      return;
    }
    if (open && status.ok()) status = sink(first, last);
    first = f;
    last = l;
    open = true;
  }
  Status Finish() {
    if (open && status.ok()) status = sink(first, last);
    open = false;
    return status;
  }
};

// One 32-bit roaring bitmap in the portable format (CRoaring's roaring_bitmap_portable_serialize),
// its values offset by `high` << 32.
Status ReadBitmap32(Cursor& c, int64_t high, Emitter* out, const std::string& where) {
  uint32_t cookie = static_cast<uint32_t>(c.LE(4));
  uint32_t size = 0;
  std::vector<uint8_t> run_flags;
  bool has_offsets = true;
  if ((cookie & 0xFFFF) == kSerialCookie) {
    size = (cookie >> 16) + 1;
    run_flags.resize((size + 7) / 8);
    for (auto& b : run_flags) b = static_cast<uint8_t>(c.LE(1));
    has_offsets = size >= kNoOffsetThreshold;
  } else if (cookie == kSerialCookieNoRun) {
    size = static_cast<uint32_t>(c.LE(4));
  } else {
    return InvalidArgument("{}: not a portable roaring bitmap (cookie {})", where, cookie);
  }
  if (!c.ok || size > 65536) return InvalidArgument("{}: roaring bitmap header is damaged", where);
  std::vector<std::pair<uint16_t, uint32_t>> headers(size);  // key, cardinality
  for (auto& [key, card] : headers) {
    key = static_cast<uint16_t>(c.LE(2));
    card = static_cast<uint32_t>(c.LE(2)) + 1;
  }
  if (has_offsets) c.Skip(4 * size);
  for (uint32_t i = 0; i < size && c.ok && out->status.ok(); ++i) {
    int64_t base = (high << 32) | (static_cast<int64_t>(headers[i].first) << 16);
    bool run = !run_flags.empty() && (run_flags[i / 8] >> (i % 8)) & 1;
    if (run) {
      uint32_t n = static_cast<uint32_t>(c.LE(2));
      for (uint32_t r = 0; r < n; ++r) {
        int64_t start = static_cast<int64_t>(c.LE(2));
        int64_t len = static_cast<int64_t>(c.LE(2));
        out->Add(base + start, base + start + len);
      }
    } else if (headers[i].second <= 4096) {
      for (uint32_t k = 0; k < headers[i].second; ++k) {
        int64_t v = static_cast<int64_t>(c.LE(2));
        out->Add(base + v, base + v);
      }
    } else {
      for (int w = 0; w < 1024; ++w) {
        uint64_t word = c.LE(8);
        for (int b = 0; word && b < 64; ++b, word >>= 1)
          if (word & 1) out->Add(base + w * 64 + b, base + w * 64 + b);
      }
    }
  }
  if (!c.ok) return InvalidArgument("{}: roaring bitmap is truncated", where);
  return out->status;
}

}  // namespace

Status DecodeDeletionVector(std::string_view blob, const std::string& where, const PositionRangeSink& sink) {
  if (blob.size() < 12) return InvalidArgument("{}: deletion vector blob of {} bytes is too short", where, blob.size());
  uint32_t length = BE32(blob, 0);
  if (length + 8ull != blob.size())
    return InvalidArgument("{}: deletion vector length {} does not match its blob ({} bytes)", where, length, blob.size());
  std::string_view payload = blob.substr(4, length);
  if (BE32(payload, 0) != 0xD1D33964u) return InvalidArgument("{}: deletion vector has a wrong magic number", where);
  uint32_t crc = static_cast<uint32_t>(
      crc32(0L, reinterpret_cast<const Bytef*>(payload.data()), static_cast<uInt>(payload.size())));
  if (crc != BE32(blob, 4 + length)) return InvalidArgument("{}: deletion vector CRC does not match", where);
  Cursor c{payload.substr(4)};
  uint64_t bitmaps = c.LE(8);
  if (!c.ok) return InvalidArgument("{}: deletion vector bitmap is truncated", where);
  Emitter out{sink};
  for (uint64_t i = 0; i < bitmaps; ++i) {
    int64_t high = static_cast<int64_t>(c.LE(4));
    if (!c.ok) return InvalidArgument("{}: deletion vector bitmap is truncated", where);
    LDP_RETURN_NOT_OK(ReadBitmap32(c, high, &out, where));
  }
  return out.Finish();
}

Result<PositionRanges> DecodeDeletionVector(std::string_view blob, const std::string& where) {
  PositionRanges out;
  LDP_RETURN_NOT_OK(DecodeDeletionVector(blob, where, [&](int64_t first, int64_t last) {
    out.emplace_back(first, last);
    return Status::OK();
  }));
  return out;
}

Result<std::string_view> DeletionVectorBlob(std::string_view puffin_file, const std::string& path, int64_t offset,
                                            int64_t length) {
  if (offset < 0 || length < 0 || static_cast<uint64_t>(offset) + static_cast<uint64_t>(length) > puffin_file.size())
    return InvalidArgument("Puffin file {} at offset {}: blob of {} bytes lies outside the file ({} bytes)", path,
                           offset, length, puffin_file.size());
  return puffin_file.substr(static_cast<size_t>(offset), static_cast<size_t>(length));
}

Status ReadDeletionVector(io::FileSystem& fs, const std::string& path, int64_t offset, int64_t length,
                          const PositionRangeSink& sink) {
  // The file is read whole: io::FileSystem has no ranged read, and a deletion vector is a compact
  // bitmap (at most 8 KiB per 65,536 rows of its data file), not its positions.
  LDP_ASSIGN_OR_RAISE(std::string bytes, fs.ReadFile(path));
  LDP_ASSIGN_OR_RAISE(std::string_view blob, DeletionVectorBlob(bytes, path, offset, length));
  return DecodeDeletionVector(blob, fmt::format("Puffin file {} at offset {}", path, offset), sink);
}

Result<PositionRanges> ReadDeletionVector(io::FileSystem& fs, const std::string& path, int64_t offset,
                                          int64_t length) {
  PositionRanges out;
  LDP_RETURN_NOT_OK(ReadDeletionVector(fs, path, offset, length, [&](int64_t first, int64_t last) {
    out.emplace_back(first, last);
    return Status::OK();
  }));
  return out;
}

}  // namespace ldp::iceberg
