#include "ldp/iceberg/schema.h"

#include <algorithm>
#include <array>
#include <cassert>
#include <cctype>
#include <nlohmann/json.hpp>
#include <set>
#include <string_view>

#include "ldp/iceberg/json_internal.h"

namespace ldp::iceberg {

using internal::Json;

namespace {

constexpr int kMaxDecimalPrecision = 38;

const char* PrimitiveName(TypeId id) {
  switch (id) {
    case TypeId::kBoolean:
      return "boolean";
    case TypeId::kInt:
      return "int";
    case TypeId::kLong:
      return "long";
    case TypeId::kFloat:
      return "float";
    case TypeId::kDouble:
      return "double";
    case TypeId::kDecimal:
      return "decimal";
    case TypeId::kDate:
      return "date";
    case TypeId::kTime:
      return "time";
    case TypeId::kTimestamp:
      return "timestamp";
    case TypeId::kTimestampTz:
      return "timestamptz";
    case TypeId::kTimestampNs:
      return "timestamp_ns";
    case TypeId::kTimestampTzNs:
      return "timestamptz_ns";
    case TypeId::kString:
      return "string";
    case TypeId::kUuid:
      return "uuid";
    case TypeId::kFixed:
      return "fixed";
    case TypeId::kBinary:
      return "binary";
    case TypeId::kStruct:
      return "struct";
    case TypeId::kList:
      return "list";
    case TypeId::kMap:
      return "map";
  }
  return "?";
}

std::string Trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

/// Parses a non-negative decimal integer that is the whole of `s` (spaces around allowed).
std::optional<int> ParseSmallInt(std::string_view s) {
  std::string t = Trim(s);
  if (t.empty() || t.size() > 9) return std::nullopt;
  int v = 0;
  for (char c : t) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

void CollectIds(const std::vector<NestedField>& fields, std::vector<int32_t>* out) {
  for (const auto& f : fields) {
    out->push_back(f.id);
    if (f.type && f.type->is_nested()) CollectIds(f.type->fields(), out);
  }
}

const NestedField* FindById(const std::vector<NestedField>& fields, int32_t id) {
  for (const auto& f : fields) {
    if (f.id == id) return &f;
    if (f.type && f.type->is_nested()) {
      if (const NestedField* hit = FindById(f.type->fields(), id)) return hit;
    }
  }
  return nullptr;
}

// ---- JSON -----------------------------------------------------------------------------------

Result<NestedField> FieldFromJson(const Json& j, const std::string& ctx);

Result<TypePtr> TypeFromJsonCtx(const Json& j, const std::string& ctx) {
  if (j.is_string()) {
    const std::string raw = j.get<std::string>();
    const std::string s = Trim(raw);
    static const std::array<TypeId, 14> kSimple = {
        TypeId::kBoolean,     TypeId::kInt,         TypeId::kLong,          TypeId::kFloat,
        TypeId::kDouble,      TypeId::kDate,        TypeId::kTime,          TypeId::kTimestamp,
        TypeId::kTimestampTz, TypeId::kTimestampNs, TypeId::kTimestampTzNs, TypeId::kString,
        TypeId::kUuid,        TypeId::kBinary};
    for (TypeId id : kSimple) {
      if (s == PrimitiveName(id)) return Type::Primitive(id);
    }
    if (s.rfind("decimal(", 0) == 0 && s.back() == ')') {
      std::string_view inner = std::string_view(s).substr(8, s.size() - 9);
      size_t comma = inner.find(',');
      if (comma != std::string_view::npos) {
        auto p = ParseSmallInt(inner.substr(0, comma));
        auto sc = ParseSmallInt(inner.substr(comma + 1));
        if (p && sc && *p >= 1 && *p <= kMaxDecimalPrecision && *sc <= *p) {
          return Type::Decimal(*p, *sc);
        }
      }
      return InvalidArgument("{}: invalid decimal type '{}'", ctx, raw);
    }
    if (s.rfind("fixed[", 0) == 0 && s.back() == ']') {
      auto len = ParseSmallInt(std::string_view(s).substr(6, s.size() - 7));
      if (len && *len >= 1) return Type::Fixed(*len);
      return InvalidArgument("{}: invalid fixed type '{}'", ctx, raw);
    }
    return InvalidArgument("{}: unknown type '{}'", ctx, raw);
  }
  if (!j.is_object())
    return InvalidArgument("{}: a type must be a string or an object, got {}", ctx, j.dump());
  LDP_ASSIGN_OR_RAISE(std::string kind, internal::GetString(j, "type", ctx));
  if (kind == "struct") {
    const Json* fields = internal::Member(j, "fields");
    if (!fields) return internal::Missing(ctx, "fields");
    if (!fields->is_array()) return InvalidArgument("{}: field 'fields' must be an array", ctx);
    std::vector<NestedField> out;
    std::set<std::string> names;
    for (const Json& fj : *fields) {
      LDP_ASSIGN_OR_RAISE(NestedField f, FieldFromJson(fj, ctx));
      if (!names.insert(f.name).second) {
        return InvalidArgument("{}: duplicate field name '{}'", ctx, f.name);
      }
      out.push_back(std::move(f));
    }
    return Type::Struct(std::move(out));
  }
  if (kind == "list") {
    NestedField e;
    e.name = "element";
    LDP_ASSIGN_OR_RAISE(e.id, internal::GetInt32(j, "element-id", ctx));
    LDP_ASSIGN_OR_RAISE(e.required, internal::GetBool(j, "element-required", ctx));
    const Json* et = internal::Member(j, "element");
    if (!et) return internal::Missing(ctx, "element");
    LDP_ASSIGN_OR_RAISE(e.type, TypeFromJsonCtx(*et, ctx + ".element"));
    return Type::List(std::move(e));
  }
  if (kind == "map") {
    NestedField k, v;
    k.name = "key";
    k.required = true;
    v.name = "value";
    LDP_ASSIGN_OR_RAISE(k.id, internal::GetInt32(j, "key-id", ctx));
    LDP_ASSIGN_OR_RAISE(v.id, internal::GetInt32(j, "value-id", ctx));
    LDP_ASSIGN_OR_RAISE(v.required, internal::GetBool(j, "value-required", ctx));
    const Json* kt = internal::Member(j, "key");
    if (!kt) return internal::Missing(ctx, "key");
    const Json* vt = internal::Member(j, "value");
    if (!vt) return internal::Missing(ctx, "value");
    LDP_ASSIGN_OR_RAISE(k.type, TypeFromJsonCtx(*kt, ctx + ".key"));
    LDP_ASSIGN_OR_RAISE(v.type, TypeFromJsonCtx(*vt, ctx + ".value"));
    return Type::Map(std::move(k), std::move(v));
  }
  return InvalidArgument("{}: unknown nested type '{}'", ctx, kind);
}

Result<NestedField> FieldFromJson(const Json& j, const std::string& ctx) {
  if (!j.is_object())
    return InvalidArgument("{}: a field must be an object, got {}", ctx, j.dump());
  NestedField f;
  LDP_ASSIGN_OR_RAISE(f.name, internal::GetString(j, "name", ctx + " field"));
  const std::string fctx = fmt::format("{} field '{}'", ctx, f.name);
  LDP_ASSIGN_OR_RAISE(f.id, internal::GetInt32(j, "id", fctx));
  LDP_ASSIGN_OR_RAISE(f.required, internal::GetBool(j, "required", fctx));
  const Json* t = internal::Member(j, "type");
  if (!t) return internal::Missing(fctx, "type");
  LDP_ASSIGN_OR_RAISE(f.type, TypeFromJsonCtx(*t, fctx));
  if (const Json* d = internal::Member(j, "doc"); d && !d->is_null()) {
    if (!d->is_string()) return InvalidArgument("{}: field 'doc' must be a string", fctx);
    f.doc = d->get<std::string>();
  }
  if (const Json* d = internal::Member(j, "initial-default"); d && !d->is_null()) f.initial_default = d->dump();
  if (const Json* d = internal::Member(j, "write-default"); d && !d->is_null()) f.write_default = d->dump();
  return f;
}

template <typename J>
J FieldToJsonT(const NestedField& f) {
  J j;
  j["id"] = f.id;
  j["name"] = f.name;
  j["required"] = f.required;
  j["type"] = internal::TypeToJsonT<J>(*f.type);
  if (!f.doc.empty()) j["doc"] = f.doc;
  if (!f.initial_default.empty()) j["initial-default"] = J::parse(f.initial_default);
  if (!f.write_default.empty()) j["write-default"] = J::parse(f.write_default);
  return j;
}

// ---- DuckDB type strings --------------------------------------------------------------------

/// A parsed DuckDB type string. `name` is the upper-cased base name ("INTEGER", "STRUCT",
/// "TIMESTAMP WITH TIME ZONE"); postfix [] becomes name "LIST" and [N] name "ARRAY".
struct DuckTypeNode {
  std::string name;
  std::vector<std::pair<std::string, DuckTypeNode>> children;  // STRUCT/UNION named; MAP key,value
  std::vector<int> args;                                       // DECIMAL(p,s)
};

class DuckTypeParser {
 public:
  explicit DuckTypeParser(std::string_view s) : s_(s) {}

  Result<DuckTypeNode> ParseAll() {
    LDP_ASSIGN_OR_RAISE(DuckTypeNode t, ParseType());
    SkipSpace();
    if (pos_ != s_.size()) return Error("unexpected text");
    return t;
  }

 private:
  Status Error(std::string_view what) const {
    return InvalidArgument("cannot parse DuckDB type '{}': {} at offset {}", s_, what, pos_);
  }
  void SkipSpace() {
    while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
  }
  bool Peek(char c) {
    SkipSpace();
    return pos_ < s_.size() && s_[pos_] == c;
  }
  bool Consume(char c) {
    if (!Peek(c)) return false;
    ++pos_;
    return true;
  }
  static bool IsWordChar(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' ||
           static_cast<unsigned char>(c) >= 0x80;
  }
  std::string Word() {
    SkipSpace();
    size_t b = pos_;
    while (pos_ < s_.size() && IsWordChar(s_[pos_])) ++pos_;
    return std::string(s_.substr(b, pos_ - b));
  }
  /// Consumes the words of `phrase` (upper-case, single spaces) if they come next.
  bool ConsumePhrase(std::string_view phrase) {
    size_t save = pos_;
    size_t i = 0;
    while (i < phrase.size()) {
      size_t sp = phrase.find(' ', i);
      std::string_view want =
          phrase.substr(i, sp == std::string_view::npos ? std::string_view::npos : sp - i);
      if (Upper(Word()) != want) {
        pos_ = save;
        return false;
      }
      i = sp == std::string_view::npos ? phrase.size() : sp + 1;
    }
    return true;
  }
  /// A double-quoted identifier ("" escapes a quote) or a bare word.
  Result<std::string> Identifier() {
    SkipSpace();
    if (pos_ < s_.size() && s_[pos_] == '"') {
      std::string out;
      ++pos_;
      while (pos_ < s_.size()) {
        char c = s_[pos_++];
        if (c == '"') {
          if (pos_ < s_.size() && s_[pos_] == '"') {
            out += '"';
            ++pos_;
          } else {
            return out;
          }
        } else {
          out += c;
        }
      }
      return Error("unterminated quoted name");
    }
    std::string w = Word();
    if (w.empty()) return Error("expected a name");
    return w;
  }
  /// Skips a parenthesised argument list (already past '('), honouring quotes.
  Status SkipArgs() {
    int depth = 1;
    while (pos_ < s_.size()) {
      char c = s_[pos_++];
      if (c == '\'' || c == '"') {
        while (pos_ < s_.size()) {
          char d = s_[pos_++];
          if (d == c) {
            if (pos_ < s_.size() && s_[pos_] == c) {
              ++pos_;
            } else {
              break;
            }
          }
        }
      } else if (c == '(') {
        ++depth;
      } else if (c == ')') {
        if (--depth == 0) return Status::OK();
      }
    }
    return Error("unbalanced parentheses");
  }

  Result<DuckTypeNode> ParseType() {
    if (++depth_ > 64) return Error("type nested too deeply");
    DuckTypeNode t;
    LDP_ASSIGN_OR_RAISE(std::string base, Identifier());
    t.name = Upper(base);
    if (t.name == "TIMESTAMP" || t.name == "TIME") {
      if (ConsumePhrase("WITH TIME ZONE")) {
        t.name += " WITH TIME ZONE";
      } else {
        ConsumePhrase("WITHOUT TIME ZONE");
      }
    } else if (t.name == "DOUBLE") {
      ConsumePhrase("PRECISION");
    }
    if (Consume('(')) {
      if (t.name == "STRUCT" || t.name == "ROW" || t.name == "UNION") {
        if (t.name == "ROW") t.name = "STRUCT";
        if (!Consume(')')) {
          do {
            LDP_ASSIGN_OR_RAISE(std::string name, Identifier());
            LDP_ASSIGN_OR_RAISE(DuckTypeNode child, ParseType());
            t.children.emplace_back(std::move(name), std::move(child));
          } while (Consume(','));
          if (!Consume(')')) return Error("expected ')'");
        }
      } else if (t.name == "MAP") {
        LDP_ASSIGN_OR_RAISE(DuckTypeNode k, ParseType());
        if (!Consume(',')) return Error("expected ','");
        LDP_ASSIGN_OR_RAISE(DuckTypeNode v, ParseType());
        if (!Consume(')')) return Error("expected ')'");
        t.children.emplace_back("key", std::move(k));
        t.children.emplace_back("value", std::move(v));
      } else if (t.name == "DECIMAL" || t.name == "NUMERIC" || t.name == "DEC") {
        t.name = "DECIMAL";
        do {
          auto n = ParseSmallInt(Word());
          if (!n) return Error("expected a number");
          t.args.push_back(*n);
        } while (Consume(','));
        if (!Consume(')')) return Error("expected ')'");
      } else {
        LDP_RETURN_NOT_OK(SkipArgs());  // ENUM('a', 'b'), VARCHAR(10), ...
      }
    }
    // Postfix [] (list) and [N] (fixed-size array), applied left to right: INTEGER[][2] is an
    // array of two lists of integers.
    while (Consume('[')) {
      DuckTypeNode wrapped;
      if (Consume(']')) {
        wrapped.name = "LIST";
      } else {
        auto n = ParseSmallInt(Word());
        if (!n || !Consume(']')) return Error("expected ']'");
        wrapped.name = "ARRAY";
        wrapped.args.push_back(*n);
      }
      wrapped.children.emplace_back("element", std::move(t));
      t = std::move(wrapped);
    }
    --depth_;
    return t;
  }

  std::string_view s_;
  size_t pos_ = 0;
  int depth_ = 0;
};

/// Converts a parsed DuckDB type to an Iceberg type with all ids 0 (assigned later).
Result<TypePtr> IcebergTypeOf(const DuckTypeNode& t, NanosRule nanos, const std::string& column,
                              std::string_view full_type) {
  auto refuse = [&](std::string_view why) {
    return InvalidArgument("{}DuckDB type {} cannot be held by Iceberg{}{}",
                           column.empty() ? "" : fmt::format("column '{}': ", column), full_type,
                           why.empty() ? "" : ": ", why);
  };
  const std::string& n = t.name;
  auto is = [&](std::initializer_list<std::string_view> names) {
    return std::find(names.begin(), names.end(), n) != names.end();
  };
  if (is({"BOOLEAN", "BOOL", "LOGICAL"})) return Type::Primitive(TypeId::kBoolean);
  if (is({"TINYINT", "INT1", "SMALLINT", "INT2", "SHORT", "INTEGER", "INT4", "INT", "SIGNED",
          "UTINYINT", "UINT8", "USMALLINT", "UINT16"})) {
    return Type::Primitive(TypeId::kInt);
  }
  if (is({"BIGINT", "INT8", "LONG", "UINTEGER", "UINT32"})) return Type::Primitive(TypeId::kLong);
  if (is({"UBIGINT", "UINT64"})) return Type::Decimal(20, 0);
  if (is({"HUGEINT", "INT128"})) return Type::Decimal(38, 0);
  if (is({"FLOAT", "FLOAT4", "REAL"})) return Type::Primitive(TypeId::kFloat);
  if (is({"DOUBLE", "FLOAT8"})) return Type::Primitive(TypeId::kDouble);
  if (n == "DECIMAL") {
    int p = 18, s = 3;  // DuckDB's default for a bare DECIMAL
    if (!t.args.empty()) {
      p = t.args[0];
      s = t.args.size() > 1 ? t.args[1] : 0;
    }
    if (p < 1 || p > kMaxDecimalPrecision || s > p) return refuse("precision must be 1..38");
    return Type::Decimal(p, s);
  }
  if (n == "DATE") return Type::Primitive(TypeId::kDate);
  if (n == "TIME") return Type::Primitive(TypeId::kTime);
  if (is({"TIMESTAMP", "DATETIME", "TIMESTAMP_US", "TIMESTAMP_MS", "TIMESTAMP_S"})) {
    return Type::Primitive(TypeId::kTimestamp);
  }
  if (n == "TIMESTAMP_NS") {
    if (nanos == NanosRule::kError)
      return refuse("nanosecond timestamps are refused by the nanos rule");
    return Type::Primitive(TypeId::kTimestamp);
  }
  if (is({"TIMESTAMP WITH TIME ZONE", "TIMESTAMPTZ"})) return Type::Primitive(TypeId::kTimestampTz);
  if (is({"VARCHAR", "CHAR", "BPCHAR", "TEXT", "STRING", "NVARCHAR", "JSON", "ENUM"})) {
    return Type::Primitive(TypeId::kString);
  }
  if (n == "UUID") return Type::Primitive(TypeId::kUuid);
  if (is({"BLOB", "BYTEA", "BINARY", "VARBINARY"})) return Type::Primitive(TypeId::kBinary);
  if (n == "STRUCT") {
    if (t.children.empty()) return refuse("empty struct");
    std::vector<NestedField> fields;
    std::set<std::string> names;
    for (const auto& [name, child] : t.children) {
      if (!names.insert(name).second)
        return refuse(fmt::format("duplicate struct field '{}'", name));
      NestedField f;
      f.name = name;
      LDP_ASSIGN_OR_RAISE(f.type, IcebergTypeOf(child, nanos, column, full_type));
      fields.push_back(std::move(f));
    }
    return Type::Struct(std::move(fields));
  }
  if (n == "LIST" || n == "ARRAY") {
    NestedField e;
    e.name = "element";
    LDP_ASSIGN_OR_RAISE(e.type, IcebergTypeOf(t.children[0].second, nanos, column, full_type));
    return Type::List(std::move(e));
  }
  if (n == "MAP") {
    NestedField k, v;
    k.name = "key";
    k.required = true;
    v.name = "value";
    LDP_ASSIGN_OR_RAISE(k.type, IcebergTypeOf(t.children[0].second, nanos, column, full_type));
    LDP_ASSIGN_OR_RAISE(v.type, IcebergTypeOf(t.children[1].second, nanos, column, full_type));
    return Type::Map(std::move(k), std::move(v));
  }
  if (n == "TIME WITH TIME ZONE" || n == "TIMETZ")
    return refuse("no Iceberg type keeps a time's offset");
  return refuse("");
}

TypePtr AssignIds(const TypePtr& type, int32_t* last_id);

void AssignStructIds(std::vector<NestedField>* fields, int32_t* last_id) {
  // A struct's own fields are numbered together first, then each child type in order
  // (Java TypeUtil.assignFreshIds).
  for (auto& f : *fields) f.id = ++*last_id;
  for (auto& f : *fields) f.type = AssignIds(f.type, last_id);
}

TypePtr AssignIds(const TypePtr& type, int32_t* last_id) {
  switch (type->id()) {
    case TypeId::kStruct: {
      std::vector<NestedField> fields = type->fields();
      AssignStructIds(&fields, last_id);
      return Type::Struct(std::move(fields));
    }
    case TypeId::kList: {
      NestedField e = type->fields()[0];
      e.id = ++*last_id;
      e.type = AssignIds(e.type, last_id);
      return Type::List(std::move(e));
    }
    case TypeId::kMap: {
      NestedField k = type->fields()[0];
      NestedField v = type->fields()[1];
      k.id = ++*last_id;
      v.id = ++*last_id;
      k.type = AssignIds(k.type, last_id);
      v.type = AssignIds(v.type, last_id);
      return Type::Map(std::move(k), std::move(v));
    }
    default:
      return type;
  }
}

std::string DoubleQuote(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string SingleQuote(std::string_view value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

/// The FIELD_IDS value for one field: a bare id for primitives, a struct for nested types.
std::string FieldIdsValue(const NestedField& f) {
  const Type& t = *f.type;
  if (t.is_primitive()) return std::to_string(f.id);
  std::string out = fmt::format("{{__duckdb_field_id: {}", f.id);
  switch (t.id()) {
    case TypeId::kStruct:
      for (const auto& c : t.fields())
        out += fmt::format(", {}: {}", DoubleQuote(c.name), FieldIdsValue(c));
      break;
    case TypeId::kList:
      out += fmt::format(", element: {}", FieldIdsValue(t.fields()[0]));
      break;
    case TypeId::kMap:
      out += fmt::format(", key: {}, value: {}", FieldIdsValue(t.fields()[0]),
                         FieldIdsValue(t.fields()[1]));
      break;
    default:
      break;
  }
  return out + "}";
}

}  // namespace

// ---- Type -------------------------------------------------------------------------------------

std::string Type::ToString() const {
  switch (id_) {
    case TypeId::kDecimal:
      return fmt::format("decimal({},{})", precision_, scale_);
    case TypeId::kFixed:
      return fmt::format("fixed[{}]", length_);
    case TypeId::kStruct: {
      std::string out = "struct<";
      for (size_t i = 0; i < fields_.size(); ++i) {
        if (i) out += ", ";
        out += fields_[i].name + ": " + fields_[i].type->ToString();
      }
      return out + ">";
    }
    case TypeId::kList:
      return "list<" + fields_[0].type->ToString() + ">";
    case TypeId::kMap:
      return "map<" + fields_[0].type->ToString() + ", " + fields_[1].type->ToString() + ">";
    default:
      return PrimitiveName(id_);
  }
}

TypePtr Type::Primitive(TypeId id) {
  assert(id != TypeId::kDecimal && id != TypeId::kFixed && id < TypeId::kStruct);
  static const auto kTypes = [] {
    std::array<TypePtr, static_cast<size_t>(TypeId::kStruct)> types;
    for (size_t i = 0; i < types.size(); ++i) {
      auto t = std::make_shared<Type>();
      t->id_ = static_cast<TypeId>(i);
      types[i] = std::move(t);
    }
    return types;
  }();
  return kTypes[static_cast<size_t>(id)];
}

TypePtr Type::Decimal(int precision, int scale) {
  auto t = std::make_shared<Type>();
  t->id_ = TypeId::kDecimal;
  t->precision_ = precision;
  t->scale_ = scale;
  return t;
}

TypePtr Type::Fixed(int length) {
  auto t = std::make_shared<Type>();
  t->id_ = TypeId::kFixed;
  t->length_ = length;
  return t;
}

TypePtr Type::Struct(std::vector<NestedField> fields) {
  auto t = std::make_shared<Type>();
  t->id_ = TypeId::kStruct;
  t->fields_ = std::move(fields);
  return t;
}

TypePtr Type::List(NestedField element) {
  auto t = std::make_shared<Type>();
  t->id_ = TypeId::kList;
  if (element.name.empty()) element.name = "element";
  t->fields_.push_back(std::move(element));
  return t;
}

TypePtr Type::Map(NestedField key, NestedField value) {
  auto t = std::make_shared<Type>();
  t->id_ = TypeId::kMap;
  if (key.name.empty()) key.name = "key";
  if (value.name.empty()) value.name = "value";
  key.required = true;  // spec: map keys are always required
  t->fields_.push_back(std::move(key));
  t->fields_.push_back(std::move(value));
  return t;
}

bool TypeEquals(const Type& a, const Type& b) {
  if (a.id() != b.id() || a.precision() != b.precision() || a.scale() != b.scale() ||
      a.length() != b.length() || a.fields().size() != b.fields().size()) {
    return false;
  }
  for (size_t i = 0; i < a.fields().size(); ++i) {
    const NestedField& x = a.fields()[i];
    const NestedField& y = b.fields()[i];
    if (x.id != y.id || x.name != y.name || x.required != y.required || x.doc != y.doc ||
        !TypeEquals(*x.type, *y.type)) {
      return false;
    }
  }
  return true;
}

// ---- Schema -----------------------------------------------------------------------------------

Schema::Schema(int32_t schema_id, std::vector<NestedField> fields,
               std::vector<int32_t> identifier_field_ids)
    : schema_id_(schema_id),
      fields_(std::move(fields)),
      identifier_field_ids_(std::move(identifier_field_ids)) {}

int32_t Schema::HighestFieldId() const {
  std::vector<int32_t> ids;
  CollectIds(fields_, &ids);
  int32_t best = 0;
  for (int32_t id : ids) best = std::max(best, id);
  return best;
}

const NestedField* Schema::FindFieldById(int32_t id) const { return FindById(fields_, id); }

const NestedField* Schema::FindTopLevelField(const std::string& name) const {
  for (const auto& f : fields_) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

bool Schema::SameFields(const Schema& other) const {
  if (fields_.size() != other.fields_.size() ||
      identifier_field_ids_ != other.identifier_field_ids_) {
    return false;
  }
  return TypeEquals(*Type::Struct(fields_), *Type::Struct(other.fields_));
}

namespace internal {

template <typename J>
J TypeToJsonT(const Type& type) {
  switch (type.id()) {
    case TypeId::kStruct: {
      J j;
      j["type"] = "struct";
      J fields = J::array();
      for (const auto& f : type.fields()) fields.push_back(FieldToJsonT<J>(f));
      j["fields"] = std::move(fields);
      return j;
    }
    case TypeId::kList: {
      const NestedField& e = type.fields()[0];
      J j;
      j["type"] = "list";
      j["element-id"] = e.id;
      j["element"] = TypeToJsonT<J>(*e.type);
      j["element-required"] = e.required;
      return j;
    }
    case TypeId::kMap: {
      const NestedField& k = type.fields()[0];
      const NestedField& v = type.fields()[1];
      J j;
      j["type"] = "map";
      j["key-id"] = k.id;
      j["key"] = TypeToJsonT<J>(*k.type);
      j["value-id"] = v.id;
      j["value"] = TypeToJsonT<J>(*v.type);
      j["value-required"] = v.required;
      return j;
    }
    default:
      return J(type.ToString());
  }
}

template <typename J>
J SchemaToJsonT(const Schema& schema) {
  J j;
  j["type"] = "struct";
  j["schema-id"] = schema.schema_id();
  j["identifier-field-ids"] = schema.identifier_field_ids();
  J fields = J::array();
  for (const auto& f : schema.fields()) fields.push_back(FieldToJsonT<J>(f));
  j["fields"] = std::move(fields);
  return j;
}

template Json TypeToJsonT<Json>(const Type&);
template nlohmann::ordered_json TypeToJsonT<nlohmann::ordered_json>(const Type&);
template Json SchemaToJsonT<Json>(const Schema&);
template nlohmann::ordered_json SchemaToJsonT<nlohmann::ordered_json>(const Schema&);

}  // namespace internal

nlohmann::json Schema::ToJson() const { return internal::SchemaToJsonT<Json>(*this); }

std::string Schema::ToJsonString() const {
  return internal::SchemaToJsonT<nlohmann::ordered_json>(*this).dump();
}

Result<SchemaPtr> Schema::FromJson(const nlohmann::json& j, int32_t default_id) {
  if (!j.is_object()) return InvalidArgument("schema must be a JSON object");
  std::string ctx = "schema";
  int32_t schema_id = default_id;
  if (const Json* id = internal::Member(j, "schema-id"); id && !id->is_null()) {
    LDP_ASSIGN_OR_RAISE(schema_id, internal::AsInt32(*id, "schema: field 'schema-id'"));
    ctx = fmt::format("schema {}", schema_id);
  }
  if (const Json* t = internal::Member(j, "type"); t && !(t->is_string() && *t == "struct")) {
    return InvalidArgument("{}: field 'type' must be \"struct\"", ctx);
  }
  LDP_ASSIGN_OR_RAISE(TypePtr st, TypeFromJsonCtx(
                                      [&] {
                                        Json copy = j;
                                        copy["type"] = "struct";
                                        return copy;
                                      }(),
                                      ctx));
  std::vector<int32_t> ids;
  if (const Json* idf = internal::Member(j, "identifier-field-ids"); idf && !idf->is_null()) {
    if (!idf->is_array())
      return InvalidArgument("{}: field 'identifier-field-ids' must be an array", ctx);
    for (const Json& v : *idf) {
      LDP_ASSIGN_OR_RAISE(int32_t id, internal::AsInt32(v, ctx + ": identifier-field-ids entry"));
      ids.push_back(id);
    }
  }
  auto schema = std::make_shared<const Schema>(schema_id, st->fields(), ids);
  std::vector<int32_t> all;
  CollectIds(schema->fields(), &all);
  std::sort(all.begin(), all.end());
  if (auto dup = std::adjacent_find(all.begin(), all.end()); dup != all.end()) {
    return InvalidArgument("{}: duplicate field id {}", ctx, *dup);
  }
  for (int32_t id : ids) {
    if (!std::binary_search(all.begin(), all.end(), id)) {
      return InvalidArgument("{}: identifier-field-ids names unknown field id {}", ctx, id);
    }
  }
  return SchemaPtr(schema);
}

nlohmann::json TypeToJson(const Type& type) { return internal::TypeToJsonT<Json>(type); }

Result<TypePtr> TypeFromJson(const nlohmann::json& j) { return TypeFromJsonCtx(j, "type"); }

// ---- DuckDB mapping ---------------------------------------------------------------------------

std::vector<NestedField> AssignFreshFieldIds(std::vector<NestedField> fields, int32_t* last_id) {
  AssignStructIds(&fields, last_id);
  return fields;
}

Result<TypePtr> TypeFromDuckType(const std::string& duck_type, NanosRule nanos) {
  DuckTypeParser parser(duck_type);
  LDP_ASSIGN_OR_RAISE(DuckTypeNode node, parser.ParseAll());
  return IcebergTypeOf(node, nanos, "", duck_type);
}

Result<SchemaPtr> SchemaFromDuckColumns(const std::vector<DuckColumn>& columns, NanosRule nanos) {
  std::vector<NestedField> fields;
  std::set<std::string> names;
  for (const auto& c : columns) {
    if (!names.insert(c.name).second) return InvalidArgument("duplicate column name '{}'", c.name);
    DuckTypeParser parser(c.type);
    auto node = parser.ParseAll();
    if (!node.ok()) return node.status().WithContext(fmt::format("column '{}'", c.name));
    NestedField f;
    f.name = c.name;
    LDP_ASSIGN_OR_RAISE(f.type, IcebergTypeOf(*node, nanos, c.name, c.type));
    fields.push_back(std::move(f));
  }
  int32_t last_id = 0;
  fields = AssignFreshFieldIds(std::move(fields), &last_id);
  return std::make_shared<const Schema>(0, std::move(fields));
}

std::string ToDuckType(const Type& type) {
  switch (type.id()) {
    case TypeId::kBoolean:
      return "BOOLEAN";
    case TypeId::kInt:
      return "INTEGER";
    case TypeId::kLong:
      return "BIGINT";
    case TypeId::kFloat:
      return "FLOAT";
    case TypeId::kDouble:
      return "DOUBLE";
    case TypeId::kDecimal:
      return fmt::format("DECIMAL({},{})", type.precision(), type.scale());
    case TypeId::kDate:
      return "DATE";
    case TypeId::kTime:
      return "TIME";
    case TypeId::kTimestamp:
      return "TIMESTAMP";
    case TypeId::kTimestampTz:
      return "TIMESTAMP WITH TIME ZONE";
    case TypeId::kTimestampNs:
      return "TIMESTAMP_NS";
    // DuckDB has no nanosecond timestamp with time zone; microseconds keep the instant semantics.
    case TypeId::kTimestampTzNs:
      return "TIMESTAMP WITH TIME ZONE";
    case TypeId::kString:
      return "VARCHAR";
    case TypeId::kUuid:
      return "UUID";
    case TypeId::kFixed:  // DuckDB has no fixed-length binary
    case TypeId::kBinary:
      return "BLOB";
    case TypeId::kStruct: {
      std::string out = "STRUCT(";
      for (size_t i = 0; i < type.fields().size(); ++i) {
        if (i) out += ", ";
        out += DoubleQuote(type.fields()[i].name) + " " + ToDuckType(*type.fields()[i].type);
      }
      return out + ")";
    }
    case TypeId::kList:
      return ToDuckType(*type.fields()[0].type) + "[]";
    case TypeId::kMap:
      return "MAP(" + ToDuckType(*type.fields()[0].type) + ", " +
             ToDuckType(*type.fields()[1].type) + ")";
  }
  return "VARCHAR";
}

std::string DuckFieldIdsClause(const Schema& schema) {
  std::string out = "{";
  for (size_t i = 0; i < schema.fields().size(); ++i) {
    const NestedField& f = schema.fields()[i];
    if (i) out += ", ";
    out += DoubleQuote(f.name) + ": " + FieldIdsValue(f);
  }
  return out + "}";
}

std::string DuckReadSchemaMap(const Schema& schema) {
  std::string out = "MAP{";
  for (size_t i = 0; i < schema.fields().size(); ++i) {
    const NestedField& f = schema.fields()[i];
    if (i) out += ", ";
    // NULL for every field: DuckDB needs one type for all default_value entries of the MAP (a
    // v3 initial-default is applied by the projection paths instead, services/evolved_read.h).
    out += fmt::format("{}: {{name: {}, type: {}, default_value: NULL}}", f.id, SingleQuote(f.name),
                       SingleQuote(ToDuckType(*f.type)));
  }
  return out + "}";
}

std::string MissingFieldSql(const NestedField& field) {
  const std::string duck = ToDuckType(*field.type);
  if (field.initial_default.empty() || !field.type->is_primitive()) return fmt::format("CAST(NULL AS {})", duck);
  Json d = Json::parse(field.initial_default, nullptr, false);
  if (d.is_boolean()) return d.get<bool>() ? "TRUE" : "FALSE";
  if (d.is_number()) return fmt::format("CAST({} AS {})", d.dump(), duck);
  if (d.is_string()) {
    std::string v = d.get<std::string>();
    // binary and fixed defaults are hex strings (spec "JSON single-value serialization").
    if (field.type->id() == TypeId::kBinary || field.type->id() == TypeId::kFixed)
      return fmt::format("from_hex({})", SingleQuote(v));
    return fmt::format("CAST({} AS {})", SingleQuote(v), duck);
  }
  return fmt::format("CAST(NULL AS {})", duck);
}

}  // namespace ldp::iceberg
