#pragma once
// Avro binary encoding (spec "Binary Encoding"): zigzag varints, little-endian floats,
// length-prefixed bytes, blocked arrays and maps, and whole datums against a schema.
//
// Thread-safety: free functions are reentrant; a Decoder is used by one thread at a time.

#include <cstdint>
#include <string>
#include <string_view>

#include "ldp/avro/schema.h"
#include "ldp/avro/value.h"
#include "ldp/core/status.h"

namespace ldp::avro {

/// Appends `v` as a zigzag varint (1 to 10 bytes).
void EncodeLong(int64_t v, std::string* out);
inline void EncodeInt(int32_t v, std::string* out) { EncodeLong(v, out); }
inline void EncodeBool(bool v, std::string* out) { out->push_back(v ? 1 : 0); }
void EncodeFloat(float v, std::string* out);
void EncodeDouble(double v, std::string* out);
/// Length (long) followed by the bytes; also strings.
void EncodeBytes(std::string_view v, std::string* out);

/// Reads primitives from a byte range. Every read checks bounds and returns InvalidArgument
/// ("truncated ...", "varint longer than 10 bytes", ...) instead of reading past the end.
class Decoder {
 public:
  explicit Decoder(std::string_view data) : data_(data) {}

  Status ReadLong(int64_t* v);
  Status ReadInt(int32_t* v);
  Status ReadBool(bool* v);
  Status ReadFloat(float* v);
  Status ReadDouble(double* v);
  /// Length-prefixed bytes or string.
  Status ReadBytes(std::string* v);
  /// Exactly `n` bytes (fixed, sync markers, magic).
  Status ReadFixed(size_t n, std::string* v);
  Status Skip(size_t n);

  size_t position() const { return pos_; }
  size_t remaining() const { return data_.size() - pos_; }
  bool at_end() const { return pos_ == data_.size(); }

 private:
  std::string_view data_;
  size_t pos_ = 0;
};

/// True when a datum of this schema can take zero bytes (null, empty fixed, records of those).
bool CanEncodeEmpty(const Node& schema);

/// Appends the encoding of `value` as `schema`. InvalidArgument naming the field path when the
/// value does not fit the schema; `out` then holds a partial encoding the caller must discard.
Status EncodeValue(const Node& schema, const Value& value, std::string* out);

/// Decodes one datum written as `schema`. InvalidArgument naming the field path on truncated or
/// invalid input (bad union index, negative length, out-of-range int, ...).
Status DecodeValue(const Node& schema, Decoder* decoder, Value* out);

}  // namespace ldp::avro
