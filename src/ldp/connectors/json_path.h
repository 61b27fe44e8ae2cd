#pragma once
// A small JSONPath subset for selecting records and values in API responses: `$`, `.name`,
// `['name']`, `[N]` and a trailing `[*]` (which is the same as naming the array). Enough for the
// record selectors and cursor/next-URL paths of REST APIs; filters and recursion are not supported.
//
// Thread-safety: pure functions.

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ldp/core/status.h"

namespace ldp::connectors {

/// A parsed path: object keys and array indexes in order.
struct JsonPath {
  struct Step {
    std::string key;
    int index = -1;  ///< >= 0: an array index; -1: `key`; -2: [*]
  };
  std::vector<Step> steps;
  std::string text;
};

/// Parses "$.data.items", "data.items", "$['data'][0]"; InvalidArgument names the position.
Result<JsonPath> ParseJsonPath(const std::string& text);

/// The value at `path`, or nullptr when any step is missing.
const nlohmann::json* Select(const nlohmann::json& doc, const JsonPath& path);

}  // namespace ldp::connectors
