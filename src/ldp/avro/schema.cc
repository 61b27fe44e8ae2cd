#include "ldp/avro/schema.h"

#include <map>
#include <set>
#include <utility>

namespace ldp::avro {

namespace {

constexpr int kMaxDepth = 64;

struct PrimitiveName {
  std::string_view name;
  Type type;
};
constexpr PrimitiveName kPrimitives[] = {
    {"null", Type::kNull},     {"boolean", Type::kBoolean}, {"int", Type::kInt},
    {"long", Type::kLong},     {"float", Type::kFloat},     {"double", Type::kDouble},
    {"bytes", Type::kBytes},   {"string", Type::kString},
};

std::optional<Type> PrimitiveType(std::string_view name) {
  for (const auto& p : kPrimitives)
    if (p.name == name) return p.type;
  return std::nullopt;
}

bool IsValidNamePart(std::string_view s) {
  if (s.empty()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    bool alpha = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
    bool digit = c >= '0' && c <= '9';
    if (!(alpha || (digit && i > 0))) return false;
  }
  return true;
}

bool IsValidFullName(std::string_view s) {
  size_t start = 0;
  while (true) {
    size_t dot = s.find('.', start);
    if (!IsValidNamePart(s.substr(start, dot == std::string_view::npos ? dot : dot - start)))
      return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

std::string NamespaceOf(const std::string& full_name) {
  size_t dot = full_name.rfind('.');
  return dot == std::string::npos ? std::string() : full_name.substr(0, dot);
}

std::string FullName(const std::string& name, const std::string& ns) {
  if (name.find('.') != std::string::npos || ns.empty()) return name;
  return ns + "." + name;
}

// A short rendering of a JSON value for error messages.
std::string Excerpt(const Json& j) {
  std::string s = j.dump();
  if (s.size() > 80) s = s.substr(0, 77) + "...";
  return s;
}

class Parser {
 public:
  Result<NodePtr> Parse(const Json& j, const std::string& ns, int depth) {
    if (depth > kMaxDepth) return InvalidArgument("schema nests deeper than {} levels", kMaxDepth);
    if (j.is_string()) return ParseName(j.get<std::string>(), ns);
    if (j.is_array()) return ParseUnion(j, ns, depth);
    if (!j.is_object()) return InvalidArgument("not a schema: {}", Excerpt(j));
    auto type_it = j.find("type");
    if (type_it == j.end()) return InvalidArgument("schema object without \"type\": {}", Excerpt(j));
    if (!type_it->is_string()) {
      return InvalidArgument("\"type\" of a schema object must be a string: {}", Excerpt(j));
    }
    const std::string type = type_it->get<std::string>();
    if (auto prim = PrimitiveType(type)) {
      auto node = std::make_shared<Node>();
      node->type = *prim;
      for (auto it = j.begin(); it != j.end(); ++it)
        if (it.key() != "type") node->attributes[it.key()] = it.value();
      return NodePtr(node);
    }
    if (type == "record" || type == "error") return ParseRecord(j, ns, depth);
    if (type == "enum") return ParseEnum(j, ns);
    if (type == "fixed") return ParseFixed(j, ns);
    if (type == "array" || type == "map") {
      const char* key = type == "array" ? "items" : "values";
      auto items_it = j.find(key);
      if (items_it == j.end()) return InvalidArgument("{} schema without \"{}\"", type, key);
      LDP_ASSIGN_OR_RAISE(NodePtr items, Parse(*items_it, ns, depth + 1));
      auto node = std::make_shared<Node>();
      node->type = type == "array" ? Type::kArray : Type::kMap;
      node->items = std::move(items);
      for (auto it = j.begin(); it != j.end(); ++it)
        if (it.key() != "type" && it.key() != key) node->attributes[it.key()] = it.value();
      return NodePtr(node);
    }
    // {"type": "SomeNamedType"} refers to a named type.
    return ParseName(type, ns);
  }

 private:
  Result<NodePtr> ParseName(const std::string& name, const std::string& ns) {
    if (auto prim = PrimitiveType(name)) {
      auto node = std::make_shared<Node>();
      node->type = *prim;
      return NodePtr(node);
    }
    for (const std::string& candidate : {FullName(name, ns), name}) {
      if (in_progress_.count(candidate)) {
        return NotImplemented("recursive schema: type '{}' refers to itself", candidate);
      }
      auto it = named_.find(candidate);
      if (it != named_.end()) return it->second;
    }
    return InvalidArgument("unknown type '{}'", name);
  }

  Result<std::string> DefineName(const Json& j, const std::string& ns, std::string_view what) {
    auto name_it = j.find("name");
    if (name_it == j.end() || !name_it->is_string() || name_it->get<std::string>().empty()) {
      return InvalidArgument("{} schema without a \"name\": {}", what, Excerpt(j));
    }
    std::string space = ns;
    auto ns_it = j.find("namespace");
    if (ns_it != j.end()) {
      if (ns_it->is_string()) {
        space = ns_it->get<std::string>();
      } else if (ns_it->is_null()) {
        space.clear();
      } else {
        return InvalidArgument("\"namespace\" of {} must be a string", what);
      }
    }
    std::string full = FullName(name_it->get<std::string>(), space);
    if (named_.count(full) || in_progress_.count(full) || PrimitiveType(full)) {
      return InvalidArgument("type name '{}' is defined twice", full);
    }
    return full;
  }

  static void CopyAttributes(const Json& j, std::initializer_list<std::string_view> skip,
                             Json* out) {
    for (auto it = j.begin(); it != j.end(); ++it) {
      bool skipped = false;
      for (auto s : skip) skipped = skipped || it.key() == s;
      if (!skipped) (*out)[it.key()] = it.value();
    }
  }

  Result<NodePtr> ParseRecord(const Json& j, const std::string& ns, int depth) {
    LDP_ASSIGN_OR_RAISE(std::string full, DefineName(j, ns, "record"));
    auto fields_it = j.find("fields");
    if (fields_it == j.end() || !fields_it->is_array()) {
      return InvalidArgument("record '{}' has no \"fields\" array", full);
    }
    auto node = std::make_shared<Node>();
    node->type = Type::kRecord;
    node->name = full;
    CopyAttributes(j, {"type", "name", "namespace", "fields"}, &node->attributes);
    in_progress_.insert(full);
    const std::string inner_ns = NamespaceOf(full);
    std::set<std::string> seen;
    for (const Json& fj : *fields_it) {
      if (!fj.is_object()) return InvalidArgument("record '{}': field is not an object", full);
      auto fname = fj.find("name");
      if (fname == fj.end() || !fname->is_string() || fname->get<std::string>().empty()) {
        return InvalidArgument("record '{}': field without a \"name\": {}", full, Excerpt(fj));
      }
      Field f;
      f.name = fname->get<std::string>();
      if (!seen.insert(f.name).second) {
        return InvalidArgument("record '{}': field '{}' appears twice", full, f.name);
      }
      auto ftype = fj.find("type");
      if (ftype == fj.end()) {
        return InvalidArgument("record '{}': field '{}' has no \"type\"", full, f.name);
      }
      auto type = Parse(*ftype, inner_ns, depth + 1);
      if (!type.ok()) {
        return type.status().WithContext(fmt::format("record '{}' field '{}'", full, f.name));
      }
      f.type = std::move(type).value();
      CopyAttributes(fj, {"name", "type"}, &f.attributes);
      node->fields.push_back(std::move(f));
    }
    in_progress_.erase(full);
    named_[full] = node;
    return NodePtr(node);
  }

  Result<NodePtr> ParseEnum(const Json& j, const std::string& ns) {
    LDP_ASSIGN_OR_RAISE(std::string full, DefineName(j, ns, "enum"));
    auto sym_it = j.find("symbols");
    if (sym_it == j.end() || !sym_it->is_array()) {
      return InvalidArgument("enum '{}' has no \"symbols\" array", full);
    }
    auto node = std::make_shared<Node>();
    node->type = Type::kEnum;
    node->name = full;
    std::set<std::string> seen;
    for (const Json& s : *sym_it) {
      if (!s.is_string()) return InvalidArgument("enum '{}': symbol is not a string", full);
      if (!seen.insert(s.get<std::string>()).second) {
        return InvalidArgument("enum '{}': symbol '{}' appears twice", full, s.get<std::string>());
      }
      node->symbols.push_back(s.get<std::string>());
    }
    CopyAttributes(j, {"type", "name", "namespace", "symbols"}, &node->attributes);
    named_[full] = node;
    return NodePtr(node);
  }

  Result<NodePtr> ParseFixed(const Json& j, const std::string& ns) {
    LDP_ASSIGN_OR_RAISE(std::string full, DefineName(j, ns, "fixed"));
    auto size_it = j.find("size");
    if (size_it == j.end() || !size_it->is_number_integer() || size_it->get<int64_t>() < 0 ||
        size_it->get<int64_t>() > (1 << 30)) {
      return InvalidArgument("fixed '{}' needs a \"size\" between 0 and 2^30", full);
    }
    auto node = std::make_shared<Node>();
    node->type = Type::kFixed;
    node->name = full;
    node->size = static_cast<int32_t>(size_it->get<int64_t>());
    CopyAttributes(j, {"type", "name", "namespace", "size"}, &node->attributes);
    named_[full] = node;
    return NodePtr(node);
  }

  Result<NodePtr> ParseUnion(const Json& j, const std::string& ns, int depth) {
    auto node = std::make_shared<Node>();
    node->type = Type::kUnion;
    for (const Json& b : j) {
      LDP_ASSIGN_OR_RAISE(NodePtr branch, Parse(b, ns, depth + 1));
      node->branches.push_back(std::move(branch));
    }
    return NodePtr(node);
  }

  std::map<std::string, NodePtr> named_;
  std::set<std::string> in_progress_;
};

// Checks what the parser cannot see in hand-built trees, and unions in both.
class Validator {
 public:
  explicit Validator(bool strict_names) : strict_names_(strict_names) {}

  Status Check(const NodePtr& node, int depth) {
    if (!node) return InvalidArgument("schema has an empty node");
    if (depth > kMaxDepth) return InvalidArgument("schema nests deeper than {} levels", kMaxDepth);
    if (node->is_named()) {
      if (node->name.empty()) return InvalidArgument("{} without a name", TypeName(node->type));
      if (strict_names_ && !IsValidFullName(node->name)) {
        return InvalidArgument("'{}' is not a valid Avro name", node->name);
      }
      auto [it, inserted] = named_.emplace(node->name, node.get());
      if (!inserted) {
        if (it->second != node.get()) {
          return InvalidArgument("type name '{}' is defined twice", node->name);
        }
        return Status::OK();  // already checked
      }
    }
    switch (node->type) {
      case Type::kRecord: {
        std::set<std::string_view> seen;
        for (const Field& f : node->fields) {
          if (strict_names_ ? !IsValidNamePart(f.name) : f.name.empty()) {
            return InvalidArgument("record '{}': '{}' is not a valid field name", node->name,
                                   f.name);
          }
          if (!seen.insert(f.name).second) {
            return InvalidArgument("record '{}': field '{}' appears twice", node->name, f.name);
          }
          LDP_RETURN_NOT_OK_CTX(Check(f.type, depth + 1), "record '{}' field '{}'", node->name,
                                f.name);
        }
        return Status::OK();
      }
      case Type::kArray:
      case Type::kMap:
        return Check(node->items, depth + 1);
      case Type::kUnion: {
        std::set<std::string> kinds;
        for (const NodePtr& b : node->branches) {
          if (!b) return InvalidArgument("union has an empty branch");
          if (b->type == Type::kUnion) return InvalidArgument("union directly inside a union");
          std::string key = b->is_named() ? b->name : std::string(TypeName(b->type));
          if (!kinds.insert(key).second) {
            return InvalidArgument("union has two branches of type '{}'", key);
          }
          LDP_RETURN_NOT_OK(Check(b, depth + 1));
        }
        return Status::OK();
      }
      case Type::kFixed:
        if (node->size < 0) return InvalidArgument("fixed '{}' has a negative size", node->name);
        return Status::OK();
      default:
        return Status::OK();
    }
  }

 private:
  bool strict_names_;
  std::map<std::string, const Node*> named_;
};

class Printer {
 public:
  Json Print(const Node& n, const std::string& ns) {
    if (n.is_named()) {
      if (!written_.insert(n.name).second) return n.name;
    }
    switch (n.type) {
      case Type::kRecord: {
        Json j = Json::object();
        j["type"] = "record";
        PutName(n, ns, &j);
        if (n.attributes.contains("doc")) j["doc"] = n.attributes["doc"];
        const std::string inner_ns = NamespaceOf(n.name);
        Json fields = Json::array();
        for (const Field& f : n.fields) {
          Json fj = Json::object();
          fj["name"] = f.name;
          fj["type"] = Print(*f.type, inner_ns);
          for (auto it = f.attributes.begin(); it != f.attributes.end(); ++it)
            fj[it.key()] = it.value();
          fields.push_back(std::move(fj));
        }
        j["fields"] = std::move(fields);
        PutAttributes(n, {"doc"}, &j);
        return j;
      }
      case Type::kEnum: {
        Json j = Json::object();
        j["type"] = "enum";
        PutName(n, ns, &j);
        j["symbols"] = n.symbols;
        PutAttributes(n, {}, &j);
        return j;
      }
      case Type::kFixed: {
        Json j = Json::object();
        j["type"] = "fixed";
        PutName(n, ns, &j);
        j["size"] = n.size;
        PutAttributes(n, {}, &j);
        return j;
      }
      case Type::kArray:
      case Type::kMap: {
        Json j = Json::object();
        const bool array = n.type == Type::kArray;
        j["type"] = array ? "array" : "map";
        j[array ? "items" : "values"] = Print(*n.items, ns);
        PutAttributes(n, {}, &j);
        return j;
      }
      case Type::kUnion: {
        Json j = Json::array();
        for (const NodePtr& b : n.branches) j.push_back(Print(*b, ns));
        return j;
      }
      default: {
        if (n.attributes.empty()) return std::string(TypeName(n.type));
        Json j = Json::object();
        j["type"] = std::string(TypeName(n.type));
        PutAttributes(n, {}, &j);
        return j;
      }
    }
  }

 private:
  static void PutName(const Node& n, const std::string& ns, Json* j) {
    (*j)["name"] = n.name;
    // A name without a namespace nested in a namespaced record would otherwise inherit it.
    if (n.name.find('.') == std::string::npos && !ns.empty()) (*j)["namespace"] = "";
  }
  static void PutAttributes(const Node& n, std::initializer_list<std::string_view> skip,
                            Json* j) {
    for (auto it = n.attributes.begin(); it != n.attributes.end(); ++it) {
      bool skipped = false;
      for (auto s : skip) skipped = skipped || it.key() == s;
      if (!skipped) (*j)[it.key()] = it.value();
    }
  }

  std::set<std::string> written_;
};

}  // namespace

std::string_view TypeName(Type type) {
  switch (type) {
    case Type::kNull: return "null";
    case Type::kBoolean: return "boolean";
    case Type::kInt: return "int";
    case Type::kLong: return "long";
    case Type::kFloat: return "float";
    case Type::kDouble: return "double";
    case Type::kBytes: return "bytes";
    case Type::kString: return "string";
    case Type::kFixed: return "fixed";
    case Type::kEnum: return "enum";
    case Type::kRecord: return "record";
    case Type::kArray: return "array";
    case Type::kMap: return "map";
    case Type::kUnion: return "union";
  }
  return "unknown";
}

std::optional<int32_t> Field::field_id() const {
  auto it = attributes.find("field-id");
  if (it == attributes.end() || !it->is_number_integer()) return std::nullopt;
  return it->get<int32_t>();
}

std::string Node::logical_type() const {
  auto it = attributes.find("logicalType");
  if (it == attributes.end() || !it->is_string()) return "";
  return it->get<std::string>();
}

int Node::FieldIndex(std::string_view field_name) const {
  for (size_t i = 0; i < fields.size(); ++i)
    if (fields[i].name == field_name) return static_cast<int>(i);
  return -1;
}

int Node::FieldIndexById(int32_t id) const {
  for (size_t i = 0; i < fields.size(); ++i)
    if (fields[i].field_id() == id) return static_cast<int>(i);
  return -1;
}

int Node::NullBranch() const {
  for (size_t i = 0; i < branches.size(); ++i)
    if (branches[i]->type == Type::kNull) return static_cast<int>(i);
  return -1;
}

NodePtr MakePrimitive(Type type, Json attributes) {
  auto n = std::make_shared<Node>();
  n->type = type;
  n->attributes = std::move(attributes);
  return n;
}

NodePtr MakeArray(NodePtr items, Json attributes) {
  auto n = std::make_shared<Node>();
  n->type = Type::kArray;
  n->items = std::move(items);
  n->attributes = std::move(attributes);
  return n;
}

NodePtr MakeMap(NodePtr values, Json attributes) {
  auto n = std::make_shared<Node>();
  n->type = Type::kMap;
  n->items = std::move(values);
  n->attributes = std::move(attributes);
  return n;
}

NodePtr MakeUnion(std::vector<NodePtr> branches) {
  auto n = std::make_shared<Node>();
  n->type = Type::kUnion;
  n->branches = std::move(branches);
  return n;
}

NodePtr MakeOptional(NodePtr type) { return MakeUnion({MakePrimitive(Type::kNull), std::move(type)}); }

NodePtr MakeFixed(std::string name, int32_t size, Json attributes) {
  auto n = std::make_shared<Node>();
  n->type = Type::kFixed;
  n->name = std::move(name);
  n->size = size;
  n->attributes = std::move(attributes);
  return n;
}

NodePtr MakeEnum(std::string name, std::vector<std::string> symbols) {
  auto n = std::make_shared<Node>();
  n->type = Type::kEnum;
  n->name = std::move(name);
  n->symbols = std::move(symbols);
  return n;
}

NodePtr MakeRecord(std::string name, std::vector<Field> fields, Json attributes) {
  auto n = std::make_shared<Node>();
  n->type = Type::kRecord;
  n->name = std::move(name);
  n->fields = std::move(fields);
  n->attributes = std::move(attributes);
  return n;
}

Field MakeField(std::string name, NodePtr type, Json attributes) {
  Field f;
  f.name = std::move(name);
  f.type = std::move(type);
  f.attributes = std::move(attributes);
  return f;
}

Result<Schema> Schema::Parse(std::string_view json) {
  Json j = Json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return InvalidArgument("schema is not valid JSON");
  return FromJson(j);
}

Result<Schema> Schema::FromJson(const Json& json) {
  Parser parser;
  LDP_ASSIGN_OR_RAISE(NodePtr root, parser.Parse(json, "", 0));
  LDP_RETURN_NOT_OK(Validator(/*strict_names=*/false).Check(root, 0));
  return Schema(std::move(root));
}

Result<Schema> Schema::Make(NodePtr root) {
  LDP_RETURN_NOT_OK(Validator(/*strict_names=*/true).Check(root, 0));
  return Schema(std::move(root));
}

Json Schema::ToJson() const { return Printer().Print(*root_, ""); }

}  // namespace ldp::avro
