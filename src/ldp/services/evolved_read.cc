#include "ldp/services/evolved_read.h"

#include "ldp/engine/engine.h"

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

std::string ProjectValue(const std::string& expr, const iceberg::Type& from, const iceberg::Type& to, int depth) {
  using iceberg::TypeId;
  if (SameShape(from, to)) return expr;
  if (from.id() != to.id() && (from.is_nested() || to.is_nested())) return NullOf(to);  // cannot happen by id
  switch (to.id()) {
    case TypeId::kStruct: {
      std::string fields;
      for (const auto& f : to.fields()) {
        const iceberg::NestedField* old = ById(from.fields(), f.id);
        std::string v = old ? ProjectValue(fmt::format("struct_extract({}, {})", expr, QuoteLiteral(old->name)),
                                           *old->type, *f.type, depth + 1)
                            : NullOf(*f.type);
        fields += (fields.empty() ? "" : ", ") + fmt::format("{} := {}", QuoteIdent(f.name), v);
      }
      // struct_pack of NULL children would turn a NULL struct into a struct of NULLs.
      return fmt::format("CASE WHEN ({0}) IS NULL THEN NULL ELSE struct_pack({1}) END", expr, fields);
    }
    case TypeId::kList: {
      std::string var = fmt::format("__ldp_x{}", depth);
      return fmt::format("list_transform({}, lambda {}: {})", expr, var,
                         ProjectValue(var, *from.fields()[0].type, *to.fields()[0].type, depth + 1));
    }
    case TypeId::kMap: {
      std::string var = fmt::format("__ldp_e{}", depth);
      std::string k = ProjectValue(fmt::format("struct_extract({}, 'key')", var), *from.fields()[0].type,
                                   *to.fields()[0].type, depth + 1);
      std::string v = ProjectValue(fmt::format("struct_extract({}, 'value')", var), *from.fields()[1].type,
                                   *to.fields()[1].type, depth + 1);
      return fmt::format("CASE WHEN ({0}) IS NULL THEN NULL ELSE map_from_entries(list_transform(map_entries({0}), "
                         "lambda {1}: struct_pack(key := {2}, value := {3}))) END",
                         expr, var, k, v);
    }
    default:
      return fmt::format("CAST({} AS {})", expr, iceberg::ToDuckType(to));
  }
}

std::string ProjectionSelectList(const iceberg::Schema& file_schema, const iceberg::Schema& current) {
  std::string out;
  for (const auto& f : current.fields()) {
    const iceberg::NestedField* old = ById(file_schema.fields(), f.id);
    std::string v = old ? ProjectValue(QuoteIdent(old->name), *old->type, *f.type) : NullOf(*f.type);
    out += (out.empty() ? "" : ", ") + fmt::format("{} AS {}", v, QuoteIdent(f.name));
  }
  return out;
}

}  // namespace ldp::services
