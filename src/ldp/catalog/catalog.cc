#include "ldp/catalog/catalog.h"

namespace ldp::catalog {
namespace {

// Splits on '.', keeping empty parts so callers can reject them.
std::vector<std::string> SplitDots(const std::string& text) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t dot = text.find('.', start);
    if (dot == std::string::npos) {
      parts.push_back(text.substr(start));
      return parts;
    }
    parts.push_back(text.substr(start, dot - start));
    start = dot + 1;
  }
}

}  // namespace

std::string NamespaceToString(const Namespace& ns) {
  std::string out;
  for (size_t i = 0; i < ns.size(); ++i) {
    if (i > 0) out += '.';
    out += ns[i];
  }
  return out;
}

Result<Namespace> ParseNamespace(const std::string& text) {
  if (text.empty()) return InvalidArgument("empty namespace");
  Namespace ns = SplitDots(text);
  for (const auto& level : ns) {
    if (level.empty()) return InvalidArgument("namespace '{}' has an empty level", text);
  }
  return ns;
}

std::string TableIdentifier::ToString() const {
  if (ns.empty()) return name;
  return NamespaceToString(ns) + "." + name;
}

Result<TableIdentifier> TableIdentifier::Parse(const std::string& text) {
  std::vector<std::string> parts = SplitDots(text);
  if (parts.size() < 2) {
    return InvalidArgument("table identifier '{}' needs a namespace: expected 'namespace.table'",
                           text);
  }
  for (const auto& part : parts) {
    if (part.empty()) return InvalidArgument("table identifier '{}' has an empty part", text);
  }
  TableIdentifier id;
  id.name = std::move(parts.back());
  parts.pop_back();
  id.ns = std::move(parts);
  return id;
}

}  // namespace ldp::catalog
