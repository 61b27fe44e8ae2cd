#include "ldp/services/evolved_read.h"

#include "ldp/engine/engine.h"

#include <map>

namespace ldp::services {
namespace {

using engine::QuoteIdent;
using engine::QuoteLiteral;

const iceberg::NestedField* ById(const std::vector<iceberg::NestedField>& fields, int32_t id) {
  for (const auto& f : fields)
    if (f.id == id) return &f;
  return nullptr;
}

std::string NullOf(const iceberg::Type& t) { return fmt::format("CAST(NULL AS {})", iceberg::ToDuckType(t)); }

// Whether reading `from` by its own names already gives `to` (same names and types all the way).
bool SameShape(const iceberg::Type& from, const iceberg::Type& to) {
  if (from.ToString() != to.ToString()) return false;
  // ToString carries names and types; field ids must line up too, or a drop+add of the same name
  // would read the old values.
  for (size_t i = 0; i < from.fields().size(); ++i)
    if (from.fields()[i].id != to.fields()[i].id || !SameShape(*from.fields()[i].type, *to.fields()[i].type))
      return false;
  return true;
}

}  // namespace

namespace {
std::string Project(const std::string& expr, const iceberg::Type& from, const iceberg::Type& to, int depth, bool exact);
}  // namespace

std::string ProjectValue(const std::string& expr, const iceberg::Type& from, const iceberg::Type& to, int depth) {
  return Project(expr, from, to, depth, true);
}

namespace {

std::string Project(const std::string& expr, const iceberg::Type& from, const iceberg::Type& to, int depth, bool exact) {
  using iceberg::TypeId;
  if (exact && SameShape(from, to)) return expr;
  if (from.id() != to.id() && (from.is_nested() || to.is_nested())) return NullOf(to);  // cannot happen by id
  switch (to.id()) {
    case TypeId::kStruct: {
      std::string fields;
      for (const auto& f : to.fields()) {
        const iceberg::NestedField* old = ById(from.fields(), f.id);
        std::string v = old ? Project(fmt::format("struct_extract({}, {})", expr, QuoteLiteral(old->name)),
                                           *old->type, *f.type, depth + 1, exact)
                            : iceberg::MissingFieldSql(f);
        fields += (fields.empty() ? "" : ", ") + fmt::format("{} := {}", QuoteIdent(f.name), v);
      }
      // struct_pack of NULL children would turn a NULL struct into a struct of NULLs.
      return fmt::format("CASE WHEN ({0}) IS NULL THEN NULL ELSE struct_pack({1}) END", expr, fields);
    }
    case TypeId::kList: {
      std::string var = fmt::format("__ldp_x{}", depth);
      return fmt::format("list_transform({}, lambda {}: {})", expr, var,
                         Project(var, *from.fields()[0].type, *to.fields()[0].type, depth + 1, exact));
    }
    case TypeId::kMap: {
      std::string var = fmt::format("__ldp_e{}", depth);
      std::string k = Project(fmt::format("struct_extract({}, 'key')", var), *from.fields()[0].type,
                              *to.fields()[0].type, depth + 1, exact);
      std::string v = Project(fmt::format("struct_extract({}, 'value')", var), *from.fields()[1].type,
                              *to.fields()[1].type, depth + 1, exact);
      return fmt::format("CASE WHEN ({0}) IS NULL THEN NULL ELSE map_from_entries(list_transform(map_entries({0}), "
                         "lambda {1}: struct_pack(key := {2}, value := {3}))) END",
                         expr, var, k, v);
    }
    default:
      return fmt::format("CAST({} AS {})", expr, iceberg::ToDuckType(to));
  }
}

}  // namespace

namespace {
std::string SelectList(const iceberg::Schema& file_schema, const iceberg::Schema& current, bool exact,
                       const std::map<int32_t, std::string>* constants = nullptr) {
  std::string out;
  for (const auto& f : current.fields()) {
    const iceberg::NestedField* old = ById(file_schema.fields(), f.id);
    auto constant = constants ? constants->find(f.id) : std::map<int32_t, std::string>::const_iterator{};
    std::string v = old                                            ? Project(QuoteIdent(old->name), *old->type, *f.type, 0, exact)
                    : (constants && constant != constants->end()) ? constant->second
                                                                   : iceberg::MissingFieldSql(f);
    out += (out.empty() ? "" : ", ") + fmt::format("{} AS {}", v, QuoteIdent(f.name));
  }
  return out;
}

// Builds the field at elements[*pos] (and its children), advancing *pos past them.
iceberg::NestedField BuildElement(const std::vector<ParquetSchemaElement>& el, size_t* pos, const iceberg::Schema& current) {
  using iceberg::NestedField;
  using iceberg::Type;
  const ParquetSchemaElement& e = el[(*pos)++];
  NestedField f{e.field_id, e.name, false, nullptr, ""};
  if (e.num_children == 0) {
    const NestedField* cur = e.field_id ? current.FindFieldById(e.field_id) : nullptr;
    f.type = cur && cur->type->is_primitive() ? cur->type : Type::Primitive(iceberg::TypeId::kBinary);
    return f;
  }
  std::vector<NestedField> kids;
  // LIST: group -> repeated group "list" -> element; MAP: group -> repeated group key_value -> key, value.
  bool is_list = e.converted_type == "LIST" && *pos < el.size() && el[*pos].num_children == 1;
  bool is_map = (e.converted_type == "MAP" || e.converted_type == "MAP_KEY_VALUE") && *pos < el.size() &&
                el[*pos].num_children == 2;
  if (is_list || is_map) {
    ++*pos;  // the repeated middle group
    for (int i = 0; i < (is_list ? 1 : 2); ++i) kids.push_back(BuildElement(el, pos, current));
    if (is_list) {
      kids[0].name = "element";
      f.type = Type::List(std::move(kids[0]));
    } else {
      kids[0].name = "key";
      kids[1].name = "value";
      f.type = Type::Map(std::move(kids[0]), std::move(kids[1]));
    }
    return f;
  }
  for (int i = 0; i < e.num_children && *pos < el.size(); ++i) kids.push_back(BuildElement(el, pos, current));
  f.type = Type::Struct(std::move(kids));
  return f;
}

}  // namespace

std::string ProjectionSelectList(const iceberg::Schema& file_schema, const iceberg::Schema& current) {
  return SelectList(file_schema, current, true);
}

std::string ProjectionSelectListCastAll(const iceberg::Schema& file_schema, const iceberg::Schema& current,
                                        const std::map<int32_t, std::string>& constants) {
  return SelectList(file_schema, current, false, &constants);
}

iceberg::Schema SchemaFromParquetElements(const std::vector<ParquetSchemaElement>& elements,
                                          const iceberg::Schema& current) {
  std::vector<iceberg::NestedField> fields;
  if (elements.empty()) return iceberg::Schema(-1, {});
  size_t pos = 1;  // elements[0] is the root
  for (int i = 0; i < elements[0].num_children && pos < elements.size(); ++i)
    fields.push_back(BuildElement(elements, &pos, current));
  return iceberg::Schema(-1, std::move(fields));
}

}  // namespace ldp::services
