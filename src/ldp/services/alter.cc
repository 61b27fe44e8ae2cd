#include "ldp/services/alter.h"

#include <cctype>

#include "ldp/services/tables.h"

namespace ldp::services {
namespace {

std::string Trim(const std::string& s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return s.substr(b, e - b);
}

// Splits "name rest": the name is the first word, or a double-quoted string.
Result<std::pair<std::string, std::string>> NameAndRest(const std::string& text, const char* what) {
  std::string t = Trim(text);
  if (t.empty()) return InvalidArgument("{}: empty value", what);
  if (t[0] == '"') {
    size_t e = t.find('"', 1);
    if (e == std::string::npos) return InvalidArgument("{} '{}': unclosed quote", what, text);
    return std::make_pair(t.substr(1, e - 1), Trim(t.substr(e + 1)));
  }
  size_t sp = t.find_first_of(" \t");
  if (sp == std::string::npos) return std::make_pair(t, std::string());
  return std::make_pair(t.substr(0, sp), Trim(t.substr(sp + 1)));
}

std::string Lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

Status ParsePosition(const std::string& text, iceberg::SchemaChange* change) {
  using P = iceberg::SchemaChange::Position;
  std::string t = Trim(text);
  if (t.empty()) return Status::OK();
  LDP_ASSIGN_OR_RAISE(auto parts, NameAndRest(t, "position"));
  std::string kw = Lower(parts.first);
  if (kw == "first" && parts.second.empty()) {
    change->position = P::kFirst;
    return Status::OK();
  }
  if (kw == "last" && parts.second.empty()) {
    change->position = P::kLast;
    return Status::OK();
  }
  if ((kw == "after" || kw == "before") && !parts.second.empty()) {
    change->position = kw == "after" ? P::kAfter : P::kBefore;
    LDP_ASSIGN_OR_RAISE(auto ref, NameAndRest(parts.second, "position"));
    if (!ref.second.empty()) return InvalidArgument("position '{}': unexpected '{}'", text, ref.second);
    change->reference = ref.first;
    return Status::OK();
  }
  return InvalidArgument("position '{}': use first, last, after COLUMN or before COLUMN", text);
}

Result<iceberg::SchemaChange> ParseAddColumn(const std::string& text) {
  LDP_ASSIGN_OR_RAISE(auto parts, NameAndRest(text, "--add-column"));
  if (parts.second.empty())
    return InvalidArgument("--add-column '{}': expected \"NAME TYPE [first|after COL|before COL]\"", text);
  iceberg::SchemaChange c;
  c.kind = iceberg::SchemaChange::Kind::kAdd;
  c.column = parts.first;
  std::string type_text = parts.second;
  // A trailing position: " first", " after X", " before X" outside any <...> or (...).
  std::string lower = Lower(type_text);
  int depth = 0;
  for (size_t i = 0; i < lower.size(); ++i) {
    char ch = lower[i];
    if (ch == '<' || ch == '(' || ch == '[') ++depth;
    if (ch == '>' || ch == ')' || ch == ']') --depth;
    if (depth != 0 || !std::isspace(static_cast<unsigned char>(ch))) continue;
    std::string rest = Trim(lower.substr(i));
    if (rest == "first" || rest == "last" || rest.rfind("after ", 0) == 0 || rest.rfind("before ", 0) == 0) {
      LDP_RETURN_NOT_OK(ParsePosition(Trim(type_text.substr(i)), &c));
      type_text = Trim(type_text.substr(0, i));
      break;
    }
  }
  auto type = iceberg::ParseTypeString(type_text);
  if (!type.ok()) return type.status().WithContext(fmt::format("--add-column '{}'", text));
  c.type = *type;
  return c;
}

Result<iceberg::SchemaChange> ParseRename(const std::string& text) {
  iceberg::SchemaChange c;
  c.kind = iceberg::SchemaChange::Kind::kRename;
  std::string t = Trim(text);
  size_t sep = t.find(':');
  if (sep == std::string::npos) sep = t.find('=');
  if (sep != std::string::npos) {
    c.column = Trim(t.substr(0, sep));
    c.new_name = Trim(t.substr(sep + 1));
  } else {
    LDP_ASSIGN_OR_RAISE(auto parts, NameAndRest(t, "--rename-column"));
    c.column = parts.first;
    LDP_ASSIGN_OR_RAISE(auto to, NameAndRest(parts.second.empty() ? "\"\"" : parts.second, "--rename-column"));
    c.new_name = to.first;
  }
  if (c.column.empty() || c.new_name.empty())
    return InvalidArgument("--rename-column '{}': expected \"OLD:NEW\" (a nested column as s.old:new)", text);
  return c;
}

Result<iceberg::SchemaChange> ParseTypeChange(const std::string& text) {
  LDP_ASSIGN_OR_RAISE(auto parts, NameAndRest(text, "--change-type"));
  if (parts.second.empty()) return InvalidArgument("--change-type '{}': expected \"NAME TYPE\"", text);
  iceberg::SchemaChange c;
  c.kind = iceberg::SchemaChange::Kind::kUpdateType;
  c.column = parts.first;
  auto type = iceberg::ParseTypeString(parts.second);
  if (!type.ok()) return type.status().WithContext(fmt::format("--change-type '{}'", text));
  c.type = *type;
  return c;
}

Result<iceberg::SchemaChange> ParseMove(const std::string& text) {
  LDP_ASSIGN_OR_RAISE(auto parts, NameAndRest(text, "--move-column"));
  iceberg::SchemaChange c;
  c.kind = iceberg::SchemaChange::Kind::kMove;
  c.column = parts.first;
  if (parts.second.empty())
    return InvalidArgument("--move-column '{}': expected \"NAME first|after COL|before COL\"", text);
  LDP_RETURN_NOT_OK(ParsePosition(parts.second, &c));
  if (c.position == iceberg::SchemaChange::Position::kLast)
    return InvalidArgument("--move-column '{}': use first, after COL or before COL", text);
  return c;
}

Result<AlterResult> AlterTable(Project& project, const AlterOptions& options) {
  AlterResult result;
  result.table = options.table;
  if (options.changes.empty()) return InvalidArgument("alter {}: no change given (see `ldp help alter`)", options.table.ToString());
  for (const auto& c : options.changes) result.applied.push_back(c.Describe());
  auto change = [&](const LoadedTable& table) -> Result<std::shared_ptr<iceberg::TableMetadata>> {
    const auto& base = *table.metadata;
    auto current = base.CurrentSchema();
    auto updated = iceberg::ApplySchemaChanges(*current, base.last_column_id, options.changes, iceberg::ContextFor(base));
    if (!updated.ok()) return updated.status().WithContext(fmt::format("alter {}", options.table.ToString()));
    result.previous_schema_id = current->schema_id();
    iceberg::Schema candidate(0, updated->fields, updated->identifier_field_ids);
    if (candidate.SameFields(*current)) {
      result.schema_id = current->schema_id();
      result.last_column_id = base.last_column_id;
      result.new_schema = false;
      result.committed = false;
      return std::shared_ptr<iceberg::TableMetadata>();  // nothing changed: no commit
    }
    auto next = std::make_shared<iceberg::TableMetadata>(base);
    size_t before = next->schemas.size();
    result.schema_id = iceberg::SetCurrentSchema(*next, updated->fields, updated->identifier_field_ids,
                                                 updated->last_column_id);
    result.new_schema = next->schemas.size() > before;
    result.last_column_id = next->last_column_id;
    result.committed = true;
    return next;
  };
  LDP_ASSIGN_OR_RAISE(LoadedTable done,
                      UpdateTableMetadata(project, options.table, "a schema change", change, &result.commit_attempts));
  result.metadata_location = done.metadata_location;
  return result;
}

}  // namespace ldp::services
