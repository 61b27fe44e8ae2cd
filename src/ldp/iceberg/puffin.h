#pragma once
// Deletion vectors of format v3 (spec "Deletion Vectors"; Puffin spec, blob type
// `deletion-vector-v1`): a blob in a Puffin file, named by a delete manifest entry's file_path,
// content_offset and content_size_in_bytes, holding the deleted row positions of one data file as
// a 64-bit roaring bitmap in the portable serialization, framed by a big-endian length, the magic
// D1 D3 39 64 and a big-endian CRC-32.
//
// Hand-written: no Debian package reads roaring bitmaps from C++ (libroaring is not in Debian 12),
// and the format is small (array, bitmap and run containers).
//
// Thread-safety: free functions.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ldp/core/status.h"
#include "ldp/io/file_system.h"

namespace ldp::iceberg {

/// Deleted positions as sorted, disjoint, non-adjacent inclusive ranges [first, last].
using PositionRanges = std::vector<std::pair<int64_t, int64_t>>;

/// Receives the deleted positions of a vector as sorted, disjoint, non-adjacent inclusive ranges
/// [first, last], in ascending order; an error stops the decoding and is returned.
using PositionRangeSink = std::function<Status(int64_t first, int64_t last)>;

/// Decodes one deletion-vector-v1 blob into `sink`, streaming: nothing but the current range is
/// held. InvalidArgument naming `where` when the framing, magic, CRC or bitmap is damaged (the
/// framing and CRC are checked before the first range is handed over).
Status DecodeDeletionVector(std::string_view blob, const std::string& where, const PositionRangeSink& sink);

/// The blob at [offset, offset + length) of a Puffin file's bytes; InvalidArgument naming `path`
/// when it lies outside.
Result<std::string_view> DeletionVectorBlob(std::string_view puffin_file, const std::string& path, int64_t offset,
                                            int64_t length);

/// Reads the blob at [offset, offset + length) of the Puffin file at `path` and decodes it into
/// `sink`.
Status ReadDeletionVector(io::FileSystem& fs, const std::string& path, int64_t offset, int64_t length,
                          const PositionRangeSink& sink);

/// Decodes one deletion-vector-v1 blob (length + magic + bitmap + CRC). InvalidArgument naming
/// `where` when the framing, magic, CRC or bitmap is damaged.
Result<PositionRanges> DecodeDeletionVector(std::string_view blob, const std::string& where);

/// Reads the blob at [offset, offset + length) of the Puffin file at `path` and decodes it.
Result<PositionRanges> ReadDeletionVector(io::FileSystem& fs, const std::string& path, int64_t offset,
                                          int64_t length);

}  // namespace ldp::iceberg
