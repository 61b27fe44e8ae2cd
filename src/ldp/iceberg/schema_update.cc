#include "ldp/iceberg/schema_update.h"

#include <algorithm>
#include <cctype>

#include <nlohmann/json.hpp>

namespace ldp::iceberg {
namespace {

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::string Join(const std::vector<std::string>& parts, size_t n) {
  std::string out;
  for (size_t i = 0; i < n && i < parts.size(); ++i) out += (i ? "." : "") + parts[i];
  return out;
}

// A mutable copy of the schema tree: the changes edit it in place, and it is turned back into
// immutable Types at the end (Type values are shared and never modified).
struct Node {
  NestedField field;         // type kept for primitives; rebuilt from children for nested types
  std::vector<Node> children;
};

std::vector<Node> ToNodes(const std::vector<NestedField>& fields) {
  std::vector<Node> out;
  for (const auto& f : fields) {
    Node n{f, {}};
    if (f.type->is_nested()) n.children = ToNodes(f.type->fields());
    out.push_back(std::move(n));
  }
  return out;
}

std::vector<NestedField> FromNodes(const std::vector<Node>& nodes) {
  std::vector<NestedField> out;
  for (const auto& n : nodes) {
    NestedField f = n.field;
    if (f.type->is_nested()) {
      auto kids = FromNodes(n.children);
      switch (f.type->id()) {
        case TypeId::kStruct: f.type = Type::Struct(std::move(kids)); break;
        case TypeId::kList: f.type = Type::List(std::move(kids[0])); break;
        default: f.type = Type::Map(std::move(kids[0]), std::move(kids[1])); break;
      }
    }
    out.push_back(std::move(f));
  }
  return out;
}

void CollectIds(const Node& n, std::vector<int32_t>* ids) {
  ids->push_back(n.field.id);
  for (const auto& c : n.children) CollectIds(c, ids);
}

// The siblings that hold the column named by `parts` (all but the last segment name the parent).
// The parent must be a struct when `for_add`; list elements and map keys/values are reached by
// their names "element", "key", "value".
Result<std::vector<Node>*> Container(std::vector<Node>& top, const std::vector<std::string>& parts,
                                     bool for_add) {
  std::vector<Node>* level = &top;
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    Node* next = nullptr;
    for (auto& n : *level)
      if (n.field.name == parts[i]) next = &n;
    if (!next) return InvalidArgument("column '{}': no column '{}'", Join(parts, parts.size()), Join(parts, i + 1));
    if (!next->field.type->is_nested())
      return InvalidArgument("column '{}': '{}' is {}, not a struct", Join(parts, parts.size()), Join(parts, i + 1),
                             next->field.type->ToString());
    if (for_add && i + 2 == parts.size() && next->field.type->id() != TypeId::kStruct)
      return InvalidArgument("column '{}': '{}' is {}; columns can only be added to a struct",
                             Join(parts, parts.size()), Join(parts, i + 1), next->field.type->ToString());
    level = &next->children;
  }
  return level;
}

// Index of the column `parts` in its container, or InvalidArgument "unknown column".
Result<std::pair<std::vector<Node>*, size_t>> Locate(std::vector<Node>& top, const std::vector<std::string>& parts) {
  LDP_ASSIGN_OR_RAISE(auto* level, Container(top, parts, false));
  for (size_t i = 0; i < level->size(); ++i)
    if ((*level)[i].field.name == parts.back()) return std::make_pair(level, i);
  std::string hint;
  for (const auto& n : *level)
    if (Lower(n.field.name) == Lower(parts.back())) hint = fmt::format(" (did you mean '{}'?)", n.field.name);
  return InvalidArgument("unknown column '{}'{}", Join(parts, parts.size()), hint);
}

bool IsCollectionPart(const std::vector<Node>& top, const std::vector<Node>* level) {
  // The children of a list or map (element / key / value) have fixed names and positions.
  if (level == &top) return false;
  std::vector<const std::vector<Node>*> stack{&top};
  while (!stack.empty()) {
    const auto* l = stack.back();
    stack.pop_back();
    for (const auto& n : *l) {
      if (&n.children == level) return n.field.type->id() != TypeId::kStruct;
      stack.push_back(&n.children);
    }
  }
  return false;
}

Status CheckNameFree(const std::vector<Node>& siblings, const std::string& name, const std::string& path,
                     const Node* self) {
  if (name.empty()) return InvalidArgument("column '{}': a name cannot be empty", path);
  for (const auto& n : siblings) {
    if (&n == self) continue;
    if (n.field.name == name) return InvalidArgument("column '{}': name clash, a column '{}' already exists", path, name);
    if (Lower(n.field.name) == Lower(name))
      return InvalidArgument("column '{}': name clash with '{}' (names that differ only in case cannot be told apart in SQL)",
                             path, n.field.name);
  }
  return Status::OK();
}

Status Place(std::vector<Node>& siblings, Node node, const SchemaChange& c, const std::string& path) {
  using P = SchemaChange::Position;
  if (c.position == P::kLast) {
    siblings.push_back(std::move(node));
    return Status::OK();
  }
  if (c.position == P::kFirst) {
    siblings.insert(siblings.begin(), std::move(node));
    return Status::OK();
  }
  std::string ref = c.reference;
  if (auto dot = ref.rfind('.'); dot != std::string::npos) {
    bool whole = false;
    for (const auto& n : siblings) whole = whole || n.field.name == ref;
    if (!whole) ref = ref.substr(dot + 1);
  }
  for (size_t i = 0; i < siblings.size(); ++i) {
    if (siblings[i].field.name != ref) continue;
    siblings.insert(siblings.begin() + static_cast<std::ptrdiff_t>(c.position == P::kAfter ? i + 1 : i), std::move(node));
    return Status::OK();
  }
  return InvalidArgument("column '{}': cannot move {} '{}': no such column next to it", path,
                         c.position == P::kAfter ? "after" : "before", c.reference);
}

bool IsIdentifier(const std::vector<int32_t>& ids, int32_t id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

}  // namespace

std::string SchemaChange::Describe() const {
  std::string pos;
  switch (position) {
    case Position::kFirst: pos = " first"; break;
    case Position::kAfter: pos = " after " + reference; break;
    case Position::kBefore: pos = " before " + reference; break;
    default: break;
  }
  switch (kind) {
    case Kind::kAdd: return fmt::format("add column {} ({}){}", column, type ? type->ToString() : "?", pos);
    case Kind::kDrop: return fmt::format("drop column {}", column);
    case Kind::kRename: return fmt::format("rename column {} to {}", column, new_name);
    case Kind::kMove: return fmt::format("move column {}{}", column, pos);
    case Kind::kMakeOptional: return fmt::format("make column {} optional", column);
    case Kind::kMakeRequired: return fmt::format("make column {} required", column);
    case Kind::kUpdateType: return fmt::format("change type of {} to {}", column, type ? type->ToString() : "?");
  }
  return "?";
}

bool IsAllowedPromotion(const Type& from, const Type& to, int format_version, std::string* reason) {
  if (TypeEquals(from, to)) return true;
  if (from.is_nested() || to.is_nested()) {
    *reason = "nested types cannot change type (change their fields instead)";
    return false;
  }
  if (from.id() == TypeId::kInt && to.id() == TypeId::kLong) return true;
  if (from.id() == TypeId::kFloat && to.id() == TypeId::kDouble) return true;
  if (from.id() == TypeId::kDecimal && to.id() == TypeId::kDecimal) {
    if (from.scale() != to.scale()) {
      *reason = fmt::format("the scale of a decimal cannot change ({} -> {})", from.scale(), to.scale());
      return false;
    }
    if (to.precision() < from.precision()) {
      *reason = fmt::format("narrowing {} to {} could lose values", from.ToString(), to.ToString());
      return false;
    }
    return true;
  }
  if (from.id() == TypeId::kDate && (to.id() == TypeId::kTimestamp || to.id() == TypeId::kTimestampNs)) {
    if (format_version >= 3) return true;
    *reason = fmt::format("date -> {} needs Iceberg format version 3; this table is v{}", to.ToString(), format_version);
    return false;
  }
  bool narrowing = (from.id() == TypeId::kLong && to.id() == TypeId::kInt) ||
                   (from.id() == TypeId::kDouble && to.id() == TypeId::kFloat) ||
                   ((from.id() == TypeId::kTimestamp || from.id() == TypeId::kTimestampNs) && to.id() == TypeId::kDate);
  *reason = narrowing ? fmt::format("narrowing {} to {} could lose values", from.ToString(), to.ToString())
                      : fmt::format("{} -> {} is not an allowed promotion (allowed: int->long, float->double, "
                                    "decimal(P,S)->decimal(P2,S) with P2>=P, date->timestamp on v3)",
                                    from.ToString(), to.ToString());
  return false;
}

std::vector<std::string> SplitColumnPath(const Schema& schema, const std::string& path) {
  if (schema.FindTopLevelField(path)) return {path};
  std::vector<std::string> parts;
  size_t start = 0;
  for (;;) {
    size_t dot = path.find('.', start);
    if (dot == std::string::npos) {
      parts.push_back(path.substr(start));
      return parts;
    }
    parts.push_back(path.substr(start, dot - start));
    start = dot + 1;
  }
}

Result<SchemaUpdateResult> ApplySchemaChanges(const Schema& base, int32_t last_column_id,
                                              const std::vector<SchemaChange>& changes,
                                              const SchemaUpdateContext& context) {
  using K = SchemaChange::Kind;
  std::vector<Node> top = ToNodes(base.fields());
  SchemaUpdateResult out;
  out.identifier_field_ids = base.identifier_field_ids();
  out.last_column_id = std::max(last_column_id, base.HighestFieldId());
  for (const auto& c : changes) {
    // Paths resolve against the schema as changed so far (a column renamed earlier has its new name).
    Schema current(0, FromNodes(top), out.identifier_field_ids);
    std::vector<std::string> parts = SplitColumnPath(current, c.column);
    if (parts.empty() || parts.back().empty()) return InvalidArgument("empty column name in '{}'", c.Describe());
    const std::string path = c.column;
    if (c.kind == K::kAdd) {
      if (!c.type) return InvalidArgument("column '{}': no type given", path);
      LDP_ASSIGN_OR_RAISE(auto* level, Container(top, parts, true));
      LDP_RETURN_NOT_OK(CheckNameFree(*level, parts.back(), path, nullptr));
      // A new column has no value in existing rows: always optional. Ids (also of nested children)
      // follow last-column-id, numbered as Java's assignFreshIds does.
      std::vector<NestedField> fresh =
          AssignFreshFieldIds({NestedField{0, parts.back(), false, c.type, c.doc}}, &out.last_column_id);
      NestedField f = fresh[0];
      auto nodes = ToNodes({f});
      LDP_RETURN_NOT_OK(Place(*level, std::move(nodes[0]), c, path));
      continue;
    }
    LDP_ASSIGN_OR_RAISE(auto loc, Locate(top, parts));
    std::vector<Node>& siblings = *loc.first;
    size_t idx = loc.second;
    Node& node = siblings[idx];
    bool fixed_part = IsCollectionPart(top, &siblings);
    switch (c.kind) {
      case K::kDrop: {
        if (fixed_part)
          return InvalidArgument("column '{}': the {} of a {} cannot be dropped", path, node.field.name,
                                 node.field.name == "element" ? "list" : "map");
        std::vector<int32_t> ids;
        CollectIds(node, &ids);
        for (int32_t id : ids) {
          const NestedField* f = current.FindFieldById(id);
          std::string what = id == node.field.id ? "" : fmt::format(" (its field '{}')", f ? f->name : "?");
          if (context.partition_source_ids.count(id))
            return InvalidArgument("column '{}'{}: cannot drop a partition source column; change the partition spec first",
                                   path, what);
          if (IsIdentifier(out.identifier_field_ids, id))
            return InvalidArgument("column '{}'{}: cannot drop an identifier column", path, what);
        }
        if (&siblings == &top && siblings.size() == 1)
          return InvalidArgument("column '{}': cannot drop the last column of the table", path);
        if (&siblings != &top && siblings.size() == 1)
          return InvalidArgument("column '{}': cannot drop the last field of a struct; drop the struct instead", path);
        siblings.erase(siblings.begin() + static_cast<std::ptrdiff_t>(idx));
        break;
      }
      case K::kRename: {
        if (fixed_part) return InvalidArgument("column '{}': list elements and map keys/values cannot be renamed", path);
        LDP_RETURN_NOT_OK(CheckNameFree(siblings, c.new_name, path, &node));
        if (c.new_name.find('.') != std::string::npos)
          return InvalidArgument("column '{}': new name '{}' contains a dot", path, c.new_name);
        node.field.name = c.new_name;
        break;
      }
      case K::kMove: {
        if (fixed_part) return InvalidArgument("column '{}': list elements and map keys/values cannot be moved", path);
        if (c.position == SchemaChange::Position::kAfter || c.position == SchemaChange::Position::kBefore) {
          std::string ref = c.reference;
          if (ref == node.field.name || ref == path)
            return InvalidArgument("column '{}': cannot move a column next to itself", path);
        }
        Node moved = std::move(node);
        siblings.erase(siblings.begin() + static_cast<std::ptrdiff_t>(idx));
        LDP_RETURN_NOT_OK(Place(siblings, std::move(moved), c, path));
        break;
      }
      case K::kMakeOptional: {
        if (IsIdentifier(out.identifier_field_ids, node.field.id))
          return InvalidArgument("column '{}': an identifier column must stay required", path);
        if (fixed_part && node.field.name == "key")
          return InvalidArgument("column '{}': map keys are always required", path);
        node.field.required = false;
        break;
      }
      case K::kMakeRequired: {
        if (node.field.required) break;  // nothing to change
        return InvalidArgument("column '{}': cannot make an optional column required (existing rows may hold NULL)",
                               path);
      }
      case K::kUpdateType: {
        if (!c.type) return InvalidArgument("column '{}': no type given", path);
        std::string reason;
        if (!IsAllowedPromotion(*node.field.type, *c.type, context.format_version, &reason))
          return InvalidArgument("column '{}': cannot change type {} to {}: {}", path, node.field.type->ToString(),
                                 c.type->ToString(), reason);
        if (!node.field.type->is_nested()) node.field.type = c.type;
        break;
      }
      case K::kAdd:
        break;
    }
  }
  out.fields = FromNodes(top);
  return out;
}

int32_t SetCurrentSchema(TableMetadata& md, std::vector<NestedField> fields, std::vector<int32_t> identifier_field_ids,
                         int32_t last_column_id) {
  md.last_column_id = std::max(md.last_column_id, last_column_id);
  Schema candidate(0, fields, identifier_field_ids);
  for (const auto& s : md.schemas) {
    if (s->SameFields(candidate)) {
      md.current_schema_id = s->schema_id();
      return s->schema_id();
    }
  }
  int32_t next_id = 0;
  for (const auto& s : md.schemas) next_id = std::max(next_id, s->schema_id() + 1);
  md.schemas.push_back(std::make_shared<const Schema>(next_id, std::move(fields), std::move(identifier_field_ids)));
  md.current_schema_id = next_id;
  return next_id;
}

SchemaUpdateContext ContextFor(const TableMetadata& md) {
  SchemaUpdateContext c;
  c.format_version = md.format_version;
  for (const auto& spec : md.partition_specs)
    for (const auto& f : spec.fields) c.partition_source_ids.insert(f.source_id);
  return c;
}

// ---- type strings -------------------------------------------------------------------------------
// Iceberg's type names in `ldp describe` form (Type::ToString) have no parser in a library, so a
// small recursive-descent one is written here; DuckDB spellings go to TypeFromDuckType.

namespace {

class TypeParser {
 public:
  explicit TypeParser(const std::string& s) : s_(s) {}

  Result<TypePtr> ParseAll() {
    LDP_ASSIGN_OR_RAISE(auto t, Parse());
    Skip();
    if (pos_ != s_.size()) return Err("unexpected text");
    return t;
  }

 private:
  Status Err(const char* what) const {
    return InvalidArgument("type '{}': {} at position {}", s_, what, pos_ + 1);
  }
  void Skip() {
    while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
  }
  bool Eat(char c) {
    Skip();
    if (pos_ < s_.size() && s_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  std::string Word() {
    Skip();
    size_t b = pos_;
    while (pos_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '_')) ++pos_;
    return s_.substr(b, pos_ - b);
  }
  std::string FieldName() {
    Skip();
    if (pos_ < s_.size() && s_[pos_] == '"') {
      size_t e = s_.find('"', pos_ + 1);
      if (e == std::string::npos) return "";
      std::string n = s_.substr(pos_ + 1, e - pos_ - 1);
      pos_ = e + 1;
      return n;
    }
    size_t b = pos_;
    while (pos_ < s_.size() && s_[pos_] != ':' && !std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
    return s_.substr(b, pos_ - b);
  }

  Result<TypePtr> Parse() {
    std::string w = Lower(Word());
    if (w.empty()) return Err("expected a type");
    if (w == "struct") {
      if (!Eat('<')) return Err("expected '<'");
      std::vector<NestedField> fields;
      do {
        NestedField f;
        f.name = FieldName();
        if (f.name.empty()) return Err("expected a field name");
        if (!Eat(':')) return Err("expected ':' after a field name");
        LDP_ASSIGN_OR_RAISE(f.type, Parse());
        fields.push_back(std::move(f));
      } while (Eat(','));
      if (!Eat('>')) return Err("expected '>'");
      return Type::Struct(std::move(fields));
    }
    if (w == "list") {
      if (!Eat('<')) return Err("expected '<'");
      NestedField e{0, "element", false, nullptr, ""};
      LDP_ASSIGN_OR_RAISE(e.type, Parse());
      if (!Eat('>')) return Err("expected '>'");
      return Type::List(std::move(e));
    }
    if (w == "map") {
      if (!Eat('<')) return Err("expected '<'");
      NestedField k{0, "key", true, nullptr, ""};
      NestedField v{0, "value", false, nullptr, ""};
      LDP_ASSIGN_OR_RAISE(k.type, Parse());
      if (!Eat(',')) return Err("expected ','");
      LDP_ASSIGN_OR_RAISE(v.type, Parse());
      if (!Eat('>')) return Err("expected '>'");
      return Type::Map(std::move(k), std::move(v));
    }
    std::string name = w;
    Skip();
    if (pos_ < s_.size() && (s_[pos_] == '(' || s_[pos_] == '[')) {
      char close = s_[pos_] == '(' ? ')' : ']';
      size_t e = s_.find(close, pos_);
      if (e == std::string::npos) return Err("unclosed parameter list");
      name += s_.substr(pos_, e - pos_ + 1);
      pos_ = e + 1;
    }
    std::string compact;
    for (char ch : name)
      if (!std::isspace(static_cast<unsigned char>(ch))) compact += ch;
    auto t = TypeFromJson(nlohmann::json(compact));
    if (!t.ok()) return InvalidArgument("unknown type '{}' in '{}'", name, s_);
    return *t;
  }

  const std::string& s_;
  size_t pos_ = 0;
};

}  // namespace

Result<TypePtr> ParseTypeString(const std::string& text) {
  auto iceberg_form = TypeParser(text).ParseAll();
  if (iceberg_form.ok()) return iceberg_form;
  // DuckDB's spelling (BIGINT, VARCHAR, STRUCT(a INTEGER), INTEGER[]).
  auto duck = TypeFromDuckType(text);
  if (duck.ok()) return duck;
  return iceberg_form.status();
}

}  // namespace ldp::iceberg

namespace ldp::iceberg {
namespace {

void MergeStruct(const std::vector<NestedField>& table, const std::vector<NestedField>& source, const std::string& prefix,
                 const SchemaUpdateContext& context, SchemaMerge* out, bool top) {
  for (const auto& s : source) {
    const NestedField* t = nullptr;
    for (const auto& f : table)
      if (f.name == s.name) t = &f;
    if (!t) {
      const NestedField* ci = nullptr;
      int matches = 0;
      for (const auto& f : table) {
        if (Lower(f.name) != Lower(s.name)) continue;
        // A table column that another source column names exactly is taken.
        bool exact_elsewhere = false;
        for (const auto& o : source) exact_elsewhere = exact_elsewhere || o.name == f.name;
        if (exact_elsewhere) continue;
        ci = &f;
        ++matches;
      }
      if (matches == 1 && top) {
        t = ci;
        out->source_names[t->name] = s.name;
        out->notes.push_back(fmt::format("source column '{}' matched table column '{}' (same field id {}; names differ only in case)",
                                         s.name, t->name, t->id));
      }
    }
    std::string path = prefix + (t ? t->name : s.name);
    if (!t) {
      SchemaChange c;
      c.kind = SchemaChange::Kind::kAdd;
      c.column = path;
      c.type = s.type;
      out->changes.push_back(c);
      out->notes.push_back(fmt::format("added column '{}' ({})", path, s.type->ToString()));
      continue;
    }
    if (t->type->id() == TypeId::kStruct && s.type->id() == TypeId::kStruct) {
      MergeStruct(t->type->fields(), s.type->fields(), path + ".", context, out, false);
      continue;
    }
    if (t->type->ToString() == s.type->ToString()) continue;
    std::string reason;
    if (t->type->is_primitive() && IsAllowedPromotion(*t->type, *s.type, context.format_version, &reason)) {
      SchemaChange c;
      c.kind = SchemaChange::Kind::kUpdateType;
      c.column = path;
      c.type = s.type;
      out->changes.push_back(c);
      out->notes.push_back(fmt::format("promoted column '{}' from {} to {}", path, t->type->ToString(), s.type->ToString()));
    }
  }
}

}  // namespace

Result<SchemaMerge> MergeSourceSchema(const Schema& table, const Schema& source, const SchemaUpdateContext& context) {
  SchemaMerge out;
  MergeStruct(table.fields(), source.fields(), "", context, &out, true);
  return out;
}

}  // namespace ldp::iceberg
