#include "ldp/iceberg/term_text.h"

#include <cctype>

namespace ldp::iceberg::internal {

std::string TrimText(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

std::string LowerText(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

Result<std::vector<std::string>> SplitTopLevelTerms(std::string_view text, std::string_view what) {
  std::vector<std::string> out;
  std::string cur;
  int depth = 0;
  bool quoted = false;
  for (char c : text) {
    if (c == '"') quoted = !quoted;
    if (!quoted) {
      if (c == '(' || c == '[') depth++;
      if (c == ')' || c == ']') depth--;
      if (depth < 0) return InvalidArgument("{} '{}': unbalanced parentheses", what, text);
      if (c == ',' && depth == 0) {
        out.push_back(TrimText(cur));
        cur.clear();
        continue;
      }
    }
    cur += c;
  }
  if (depth != 0 || quoted) return InvalidArgument("{} '{}': unbalanced parentheses or quotes", what, text);
  out.push_back(TrimText(cur));
  return out;
}

}  // namespace ldp::iceberg::internal
