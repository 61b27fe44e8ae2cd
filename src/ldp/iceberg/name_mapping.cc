#include "ldp/iceberg/name_mapping.h"

#include <nlohmann/json.hpp>

namespace ldp::iceberg {
namespace {

using Json = nlohmann::json;

Result<std::vector<MappedField>> ParseFields(const Json& j) {
  if (!j.is_array()) return InvalidArgument("{}: expected a JSON list of fields", kNameMappingProperty);
  std::vector<MappedField> out;
  for (const auto& e : j) {
    if (!e.is_object()) return InvalidArgument("{}: a field is not a JSON object", kNameMappingProperty);
    MappedField f;
    if (auto it = e.find("field-id"); it != e.end() && it->is_number_integer()) f.field_id = it->get<int32_t>();
    if (auto it = e.find("names"); it != e.end() && it->is_array())
      for (const auto& n : *it)
        if (n.is_string()) f.names.push_back(n.get<std::string>());
    if (auto it = e.find("fields"); it != e.end() && !it->is_null()) {
      LDP_ASSIGN_OR_RAISE(f.fields, ParseFields(*it));
    }
    out.push_back(std::move(f));
  }
  return out;
}

const MappedField* Find(const std::vector<MappedField>& fields, const std::string& name) {
  for (const auto& f : fields)
    for (const auto& n : f.names)
      if (n == name) return &f;
  return nullptr;
}

NestedField Map(const NestedField& field, const MappedField* m);

TypePtr MapType(const Type& t, const std::vector<MappedField>& fields) {
  std::vector<NestedField> kids;
  for (const auto& c : t.fields()) kids.push_back(Map(c, Find(fields, c.name)));
  switch (t.id()) {
    case TypeId::kStruct: return Type::Struct(std::move(kids));
    case TypeId::kList: return Type::List(std::move(kids[0]));
    case TypeId::kMap: return Type::Map(std::move(kids[0]), std::move(kids[1]));
    default: return nullptr;
  }
}

NestedField Map(const NestedField& field, const MappedField* m) {
  NestedField out = field;
  if (out.id == 0 && m && m->field_id) out.id = *m->field_id;
  if (field.type && field.type->is_nested()) out.type = MapType(*field.type, m ? m->fields : std::vector<MappedField>{});
  return out;
}

}  // namespace

Result<NameMapping> NameMapping::FromJson(const std::string& text) {
  Json j = Json::parse(text, nullptr, false);
  if (j.is_discarded()) return InvalidArgument("{} is not JSON", kNameMappingProperty);
  NameMapping m;
  LDP_ASSIGN_OR_RAISE(m.fields_, ParseFields(j));
  return m;
}

Schema NameMapping::Apply(const Schema& file_schema) const {
  std::vector<NestedField> fields;
  for (const auto& f : file_schema.fields()) fields.push_back(Map(f, Find(fields_, f.name)));
  return Schema(file_schema.schema_id(), std::move(fields));
}

}  // namespace ldp::iceberg
