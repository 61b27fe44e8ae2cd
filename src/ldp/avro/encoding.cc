#include "ldp/avro/encoding.h"

#include <bit>
#include <cstring>
#include <limits>
#include <vector>

namespace ldp::avro {

namespace {

// A datum made only of nulls/empty records could claim billions of zero-byte items; cap them.
constexpr int64_t kMaxZeroSizeItems = int64_t{1} << 24;

// Field names from the root to the current node, for error messages.
class Path {
 public:
  void Push(std::string_view part) { parts_.push_back(part); }
  void Pop() { parts_.pop_back(); }
  std::string ToString() const {
    if (parts_.empty()) return "<root>";
    std::string s;
    for (auto p : parts_) {
      if (!s.empty() && p != "[]" && p != "{}") s += '.';
      s += p;
    }
    return s;
  }

 private:
  std::vector<std::string_view> parts_;
};

class PathScope {
 public:
  PathScope(Path* path, std::string_view part) : path_(path) { path_->Push(part); }
  ~PathScope() { path_->Pop(); }
  PathScope(const PathScope&) = delete;
  PathScope& operator=(const PathScope&) = delete;

 private:
  Path* path_;
};

bool CanBeEmpty(const Node& n) {
  switch (n.type) {
    case Type::kNull: return true;
    case Type::kFixed: return n.size == 0;
    case Type::kRecord:
      for (const Field& f : n.fields)
        if (!CanBeEmpty(*f.type)) return false;
      return true;
    default: return false;
  }
}

// ---------------------------------------------------------------- encoding

bool Fits(const Node& n, const Value& v) {
  using K = Value::Kind;
  switch (n.type) {
    case Type::kNull: return v.kind() == K::kNull;
    case Type::kBoolean: return v.kind() == K::kBool;
    case Type::kInt: return v.kind() == K::kInt;
    case Type::kLong: return v.kind() == K::kLong || v.kind() == K::kInt;
    case Type::kFloat: return v.kind() == K::kFloat;
    case Type::kDouble: return v.kind() == K::kDouble || v.kind() == K::kFloat;
    case Type::kBytes:
    case Type::kString: return v.kind() == K::kBytes;
    case Type::kFixed:
      return v.kind() == K::kBytes && v.as_bytes().size() == static_cast<size_t>(n.size);
    case Type::kEnum: return v.kind() == K::kInt || v.kind() == K::kBytes;
    case Type::kRecord: return v.kind() == K::kRecord && v.fields().size() == n.fields.size();
    case Type::kArray: return v.kind() == K::kArray;
    case Type::kMap: return v.kind() == K::kMap;
    case Type::kUnion: return false;
  }
  return false;
}

class Encoder {
 public:
  explicit Encoder(std::string* out) : out_(out) {}

  Status Encode(const Node& n, const Value& v) {
    using K = Value::Kind;
    switch (n.type) {
      case Type::kNull:
        if (v.kind() != K::kNull) return Mismatch(n, v);
        return Status::OK();
      case Type::kBoolean:
        if (v.kind() != K::kBool) return Mismatch(n, v);
        EncodeBool(v.as_bool(), out_);
        return Status::OK();
      case Type::kInt:
        if (v.kind() == K::kInt) {
          EncodeInt(v.as_int(), out_);
        } else if (v.kind() == K::kLong && v.as_long() >= std::numeric_limits<int32_t>::min() &&
                   v.as_long() <= std::numeric_limits<int32_t>::max()) {
          EncodeLong(v.as_long(), out_);
        } else {
          return Mismatch(n, v);
        }
        return Status::OK();
      case Type::kLong:
        if (v.kind() == K::kLong) {
          EncodeLong(v.as_long(), out_);
        } else if (v.kind() == K::kInt) {
          EncodeLong(v.as_int(), out_);
        } else {
          return Mismatch(n, v);
        }
        return Status::OK();
      case Type::kFloat:
        if (v.kind() != K::kFloat) return Mismatch(n, v);
        EncodeFloat(v.as_float(), out_);
        return Status::OK();
      case Type::kDouble:
        if (v.kind() == K::kDouble) {
          EncodeDouble(v.as_double(), out_);
        } else if (v.kind() == K::kFloat) {
          EncodeDouble(v.as_float(), out_);
        } else {
          return Mismatch(n, v);
        }
        return Status::OK();
      case Type::kBytes:
      case Type::kString:
        if (v.kind() != K::kBytes) return Mismatch(n, v);
        EncodeBytes(v.as_bytes(), out_);
        return Status::OK();
      case Type::kFixed:
        if (v.kind() != K::kBytes) return Mismatch(n, v);
        if (v.as_bytes().size() != static_cast<size_t>(n.size)) {
          return InvalidArgument("{}: fixed '{}' needs {} bytes, got {}", path_.ToString(), n.name,
                                 n.size, v.as_bytes().size());
        }
        out_->append(v.as_bytes());
        return Status::OK();
      case Type::kEnum: return EncodeEnum(n, v);
      case Type::kRecord: {
        if (v.kind() != K::kRecord) return Mismatch(n, v);
        if (v.fields().size() != n.fields.size()) {
          return InvalidArgument("{}: record '{}' has {} fields, the value has {}",
                                 path_.ToString(), n.name, n.fields.size(), v.fields().size());
        }
        for (size_t i = 0; i < n.fields.size(); ++i) {
          PathScope scope(&path_, n.fields[i].name);
          LDP_RETURN_NOT_OK(Encode(*n.fields[i].type, v.fields()[i]));
        }
        return Status::OK();
      }
      case Type::kArray: {
        if (v.kind() != K::kArray) return Mismatch(n, v);
        const auto& items = v.items();
        if (!items.empty()) {
          EncodeLong(static_cast<int64_t>(items.size()), out_);
          PathScope scope(&path_, "[]");
          for (const Value& item : items) LDP_RETURN_NOT_OK(Encode(*n.items, item));
        }
        EncodeLong(0, out_);
        return Status::OK();
      }
      case Type::kMap: {
        if (v.kind() != K::kMap) return Mismatch(n, v);
        const auto& entries = v.entries();
        if (!entries.empty()) {
          EncodeLong(static_cast<int64_t>(entries.size()), out_);
          PathScope scope(&path_, "{}");
          for (const auto& [key, value] : entries) {
            EncodeBytes(key, out_);
            LDP_RETURN_NOT_OK(Encode(*n.items, value));
          }
        }
        EncodeLong(0, out_);
        return Status::OK();
      }
      case Type::kUnion: return EncodeUnion(n, v);
    }
    return Internal("unknown Avro type");
  }

 private:
  Status EncodeEnum(const Node& n, const Value& v) {
    if (v.kind() == Value::Kind::kInt) {
      if (v.as_int() < 0 || static_cast<size_t>(v.as_int()) >= n.symbols.size()) {
        return InvalidArgument("{}: enum '{}' has no symbol #{}", path_.ToString(), n.name,
                               v.as_int());
      }
      EncodeInt(v.as_int(), out_);
      return Status::OK();
    }
    if (v.kind() == Value::Kind::kBytes) {
      for (size_t i = 0; i < n.symbols.size(); ++i) {
        if (n.symbols[i] == v.as_bytes()) {
          EncodeInt(static_cast<int32_t>(i), out_);
          return Status::OK();
        }
      }
      return InvalidArgument("{}: enum '{}' has no symbol '{}'", path_.ToString(), n.name,
                             v.as_bytes());
    }
    return Mismatch(n, v);
  }

  Status EncodeUnion(const Node& n, const Value& v) {
    int branch = v.branch();
    if (branch >= static_cast<int>(n.branches.size())) {
      return InvalidArgument("{}: union branch {} out of range (union has {})", path_.ToString(),
                             branch, n.branches.size());
    }
    if (branch < 0) {
      for (size_t i = 0; i < n.branches.size() && branch < 0; ++i)
        if (Fits(*n.branches[i], v)) branch = static_cast<int>(i);
      if (branch < 0) {
        return InvalidArgument("{}: no branch of union {} fits a {} value", path_.ToString(),
                               UnionName(n), KindName(v.kind()));
      }
    }
    EncodeLong(branch, out_);
    return Encode(*n.branches[branch], v);
  }

  static std::string UnionName(const Node& n) {
    std::string s = "[";
    for (size_t i = 0; i < n.branches.size(); ++i) {
      if (i) s += ",";
      const Node& b = *n.branches[i];
      s += b.is_named() ? b.name : std::string(TypeName(b.type));
    }
    return s + "]";
  }

  Status Mismatch(const Node& n, const Value& v) {
    return InvalidArgument("{}: expected {} value, got {}", path_.ToString(),
                           n.is_named() ? n.name : std::string(TypeName(n.type)),
                           KindName(v.kind()));
  }

  std::string* out_;
  Path path_;
};

// ---------------------------------------------------------------- decoding

class DatumDecoder {
 public:
  explicit DatumDecoder(Decoder* in) : in_(in) {}

  Status Decode(const Node& n, Value* out) {
    switch (n.type) {
      case Type::kNull:
        *out = Value();
        return Status::OK();
      case Type::kBoolean: {
        bool b;
        LDP_RETURN_NOT_OK(Ctx(in_->ReadBool(&b)));
        *out = Value(b);
        return Status::OK();
      }
      case Type::kInt: {
        int32_t i;
        LDP_RETURN_NOT_OK(Ctx(in_->ReadInt(&i)));
        *out = Value(i);
        return Status::OK();
      }
      case Type::kLong: {
        int64_t l;
        LDP_RETURN_NOT_OK(Ctx(in_->ReadLong(&l)));
        *out = Value(l);
        return Status::OK();
      }
      case Type::kFloat: {
        float f;
        LDP_RETURN_NOT_OK(Ctx(in_->ReadFloat(&f)));
        *out = Value(f);
        return Status::OK();
      }
      case Type::kDouble: {
        double d;
        LDP_RETURN_NOT_OK(Ctx(in_->ReadDouble(&d)));
        *out = Value(d);
        return Status::OK();
      }
      case Type::kBytes:
      case Type::kString: {
        std::string s;
        LDP_RETURN_NOT_OK(Ctx(in_->ReadBytes(&s)));
        *out = Value(std::move(s));
        return Status::OK();
      }
      case Type::kFixed: {
        std::string s;
        LDP_RETURN_NOT_OK(Ctx(in_->ReadFixed(static_cast<size_t>(n.size), &s)));
        *out = Value(std::move(s));
        return Status::OK();
      }
      case Type::kEnum: {
        int32_t i;
        LDP_RETURN_NOT_OK(Ctx(in_->ReadInt(&i)));
        if (i < 0 || static_cast<size_t>(i) >= n.symbols.size()) {
          return InvalidArgument("{}: enum index {} out of range (enum '{}' has {} symbols)",
                                 path_.ToString(), i, n.name, n.symbols.size());
        }
        *out = Value(i);
        return Status::OK();
      }
      case Type::kRecord: {
        Value::List fields(n.fields.size());
        for (size_t i = 0; i < n.fields.size(); ++i) {
          PathScope scope(&path_, n.fields[i].name);
          LDP_RETURN_NOT_OK(Decode(*n.fields[i].type, &fields[i]));
        }
        *out = Value::Record(std::move(fields));
        return Status::OK();
      }
      case Type::kArray: {
        Value::List items;
        PathScope scope(&path_, "[]");
        const bool zero_size = CanBeEmpty(*n.items);
        int64_t total = 0;
        while (true) {
          int64_t count;
          LDP_RETURN_NOT_OK(ReadBlockCount(zero_size, &total, &count));
          if (count == 0) break;
          items.reserve(items.size() + static_cast<size_t>(count));
          for (int64_t i = 0; i < count; ++i) {
            items.emplace_back();
            LDP_RETURN_NOT_OK(Decode(*n.items, &items.back()));
          }
        }
        *out = Value::Array(std::move(items));
        return Status::OK();
      }
      case Type::kMap: {
        Value::MapEntries entries;
        PathScope scope(&path_, "{}");
        int64_t total = 0;
        while (true) {
          int64_t count;
          // Every entry has at least its key's length byte.
          LDP_RETURN_NOT_OK(ReadBlockCount(false, &total, &count));
          if (count == 0) break;
          entries.reserve(entries.size() + static_cast<size_t>(count));
          for (int64_t i = 0; i < count; ++i) {
            entries.emplace_back();
            LDP_RETURN_NOT_OK(Ctx(in_->ReadBytes(&entries.back().first)));
            LDP_RETURN_NOT_OK(Decode(*n.items, &entries.back().second));
          }
        }
        *out = Value::Map(std::move(entries));
        return Status::OK();
      }
      case Type::kUnion: {
        int64_t index;
        LDP_RETURN_NOT_OK(Ctx(in_->ReadLong(&index)));
        if (index < 0 || static_cast<uint64_t>(index) >= n.branches.size()) {
          return InvalidArgument("{}: union branch {} out of range (union has {})",
                                 path_.ToString(), index, n.branches.size());
        }
        LDP_RETURN_NOT_OK(Decode(*n.branches[index], out));
        out->WithBranch(static_cast<int>(index));
        return Status::OK();
      }
    }
    return Internal("unknown Avro type");
  }

 private:
  // Reads the item count of the next array/map block (a negative count is followed by the
  // block's byte size) and checks it against the bytes left.
  Status ReadBlockCount(bool zero_size_items, int64_t* total, int64_t* count) {
    LDP_RETURN_NOT_OK(Ctx(in_->ReadLong(count)));
    if (*count < 0) {
      if (*count == std::numeric_limits<int64_t>::min()) {
        return InvalidArgument("{}: invalid block count", path_.ToString());
      }
      *count = -*count;
      int64_t byte_size;
      LDP_RETURN_NOT_OK(Ctx(in_->ReadLong(&byte_size)));
      if (byte_size < 0) {
        return InvalidArgument("{}: negative block size {}", path_.ToString(), byte_size);
      }
    }
    if (zero_size_items) {
      if (*count > kMaxZeroSizeItems - *total) {
        return InvalidArgument("{}: implausible item count {}", path_.ToString(), *count);
      }
    } else if (static_cast<uint64_t>(*count) > in_->remaining()) {
      return InvalidArgument("{}: truncated data: block of {} items but only {} bytes left",
                             path_.ToString(), *count, in_->remaining());
    }
    *total += *count;
    return Status::OK();
  }

  Status Ctx(Status st) {
    if (st.ok()) return st;
    return st.WithContext(path_.ToString());
  }

  Decoder* in_;
  Path path_;
};

}  // namespace

void EncodeLong(int64_t v, std::string* out) {
  uint64_t z = (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
  char buf[10];
  int n = 0;
  while (z >= 0x80) {
    buf[n++] = static_cast<char>((z & 0x7f) | 0x80);
    z >>= 7;
  }
  buf[n++] = static_cast<char>(z);
  out->append(buf, n);
}

void EncodeFloat(float v, std::string* out) {
  uint32_t bits = std::bit_cast<uint32_t>(v);
  for (int i = 0; i < 4; ++i) out->push_back(static_cast<char>((bits >> (8 * i)) & 0xff));
}

void EncodeDouble(double v, std::string* out) {
  uint64_t bits = std::bit_cast<uint64_t>(v);
  for (int i = 0; i < 8; ++i) out->push_back(static_cast<char>((bits >> (8 * i)) & 0xff));
}

void EncodeBytes(std::string_view v, std::string* out) {
  EncodeLong(static_cast<int64_t>(v.size()), out);
  out->append(v);
}

Status Decoder::ReadLong(int64_t* v) {
  uint64_t z = 0;
  for (int shift = 0; shift < 70; shift += 7) {
    if (pos_ >= data_.size()) return InvalidArgument("truncated data: varint cut off");
    uint8_t b = static_cast<uint8_t>(data_[pos_++]);
    if (shift == 63 && b > 1) return InvalidArgument("varint overflows 64 bits");
    z |= static_cast<uint64_t>(b & 0x7f) << shift;
    if (!(b & 0x80)) {
      *v = static_cast<int64_t>(z >> 1) ^ -static_cast<int64_t>(z & 1);
      return Status::OK();
    }
  }
  return InvalidArgument("varint longer than 10 bytes");
}

Status Decoder::ReadInt(int32_t* v) {
  int64_t l;
  LDP_RETURN_NOT_OK(ReadLong(&l));
  if (l < std::numeric_limits<int32_t>::min() || l > std::numeric_limits<int32_t>::max()) {
    return InvalidArgument("int value {} out of range", l);
  }
  *v = static_cast<int32_t>(l);
  return Status::OK();
}

Status Decoder::ReadBool(bool* v) {
  if (pos_ >= data_.size()) return InvalidArgument("truncated data: boolean cut off");
  uint8_t b = static_cast<uint8_t>(data_[pos_++]);
  if (b > 1) return InvalidArgument("invalid boolean byte {}", b);
  *v = b == 1;
  return Status::OK();
}

Status Decoder::ReadFloat(float* v) {
  if (remaining() < 4) return InvalidArgument("truncated data: float cut off");
  uint32_t bits = 0;
  for (int i = 0; i < 4; ++i)
    bits |= static_cast<uint32_t>(static_cast<uint8_t>(data_[pos_ + i])) << (8 * i);
  pos_ += 4;
  *v = std::bit_cast<float>(bits);
  return Status::OK();
}

Status Decoder::ReadDouble(double* v) {
  if (remaining() < 8) return InvalidArgument("truncated data: double cut off");
  uint64_t bits = 0;
  for (int i = 0; i < 8; ++i)
    bits |= static_cast<uint64_t>(static_cast<uint8_t>(data_[pos_ + i])) << (8 * i);
  pos_ += 8;
  *v = std::bit_cast<double>(bits);
  return Status::OK();
}

Status Decoder::ReadBytes(std::string* v) {
  int64_t len;
  LDP_RETURN_NOT_OK(ReadLong(&len));
  if (len < 0) return InvalidArgument("negative length {}", len);
  if (static_cast<uint64_t>(len) > remaining()) {
    return InvalidArgument("truncated data: {} bytes announced, {} left", len, remaining());
  }
  v->assign(data_.data() + pos_, static_cast<size_t>(len));
  pos_ += static_cast<size_t>(len);
  return Status::OK();
}

Status Decoder::ReadFixed(size_t n, std::string* v) {
  if (n > remaining()) {
    return InvalidArgument("truncated data: {} bytes expected, {} left", n, remaining());
  }
  v->assign(data_.data() + pos_, n);
  pos_ += n;
  return Status::OK();
}

Status Decoder::Skip(size_t n) {
  if (n > remaining()) {
    return InvalidArgument("truncated data: {} bytes expected, {} left", n, remaining());
  }
  pos_ += n;
  return Status::OK();
}

bool CanEncodeEmpty(const Node& schema) { return CanBeEmpty(schema); }

Status EncodeValue(const Node& schema, const Value& value, std::string* out) {
  return Encoder(out).Encode(schema, value);
}

Status DecodeValue(const Node& schema, Decoder* decoder, Value* out) {
  return DatumDecoder(decoder).Decode(schema, out);
}

const char* KindName(Value::Kind kind) {
  switch (kind) {
    case Value::Kind::kNull: return "null";
    case Value::Kind::kBool: return "bool";
    case Value::Kind::kInt: return "int";
    case Value::Kind::kLong: return "long";
    case Value::Kind::kFloat: return "float";
    case Value::Kind::kDouble: return "double";
    case Value::Kind::kBytes: return "bytes/string";
    case Value::Kind::kRecord: return "record";
    case Value::Kind::kArray: return "array";
    case Value::Kind::kMap: return "map";
  }
  return "unknown";
}

}  // namespace ldp::avro
