#include "ldp/connectors/json_path.h"

namespace ldp::connectors {

Result<JsonPath> ParseJsonPath(const std::string& text) {
  JsonPath p;
  p.text = text;
  size_t i = 0;
  if (i < text.size() && text[i] == '$') ++i;
  bool first = true;
  while (i < text.size()) {
    if (text[i] == '.' || (first && i == 0 && text[i] != '[')) {
      if (text[i] == '.') ++i;
      size_t start = i;
      while (i < text.size() && text[i] != '.' && text[i] != '[') ++i;
      if (i == start) return InvalidArgument("JSON path '{}': empty name at position {}", text, start);
      p.steps.push_back({text.substr(start, i - start), -1});
    } else if (text[i] == '[') {
      size_t close = text.find(']', i);
      if (close == std::string::npos) return InvalidArgument("JSON path '{}': unclosed '[' at position {}", text, i);
      std::string inner = text.substr(i + 1, close - i - 1);
      if (inner == "*") {
        p.steps.push_back({"", -2});
      } else if (inner.size() >= 2 && (inner[0] == '\'' || inner[0] == '"') && inner.back() == inner[0]) {
        p.steps.push_back({inner.substr(1, inner.size() - 2), -1});
      } else {
        if (inner.empty() || inner.find_first_not_of("0123456789") != std::string::npos)
          return InvalidArgument("JSON path '{}': '[{}]' is not an index, a quoted name or [*]", text, inner);
        p.steps.push_back({"", std::stoi(inner)});
      }
      i = close + 1;
    } else {
      return InvalidArgument("JSON path '{}': unexpected '{}' at position {}", text, text[i], i);
    }
    first = false;
  }
  return p;
}

const nlohmann::json* Select(const nlohmann::json& doc, const JsonPath& path) {
  const nlohmann::json* cur = &doc;
  for (const auto& s : path.steps) {
    if (s.index == -2) {
      if (!cur->is_array()) return nullptr;
      continue;
    }
    if (s.index >= 0) {
      if (!cur->is_array() || static_cast<size_t>(s.index) >= cur->size()) return nullptr;
      cur = &(*cur)[s.index];
      continue;
    }
    if (!cur->is_object()) return nullptr;
    auto it = cur->find(s.key);
    if (it == cur->end()) return nullptr;
    cur = &*it;
  }
  return cur;
}

}  // namespace ldp::connectors
