#pragma once
// Text helpers shared by the parsers of user-written term lists: partition specs
// ("day(ts), bucket(16, id)") and sort orders ("v desc nulls last, day(ts)"). Internal to iceberg/.

#include <string>
#include <string_view>
#include <vector>

#include "ldp/core/status.h"

namespace ldp::iceberg::internal {

/// `s` without leading and trailing white space.
std::string TrimText(std::string_view s);
/// `s` in ASCII lower case.
std::string LowerText(std::string_view s);
/// Splits `text` on commas outside parentheses, brackets and double quotes, trimming each part.
/// InvalidArgument "<what> '<text>': unbalanced ..." when they do not balance.
Result<std::vector<std::string>> SplitTopLevelTerms(std::string_view text, std::string_view what);

}  // namespace ldp::iceberg::internal
