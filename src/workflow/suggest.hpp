// workflow/suggest.hpp — "did you mean" suggestions for misspelt names (internal API).
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace famulor::detail {

// The candidate closest to `name` by edit distance when it is close enough to be a
// plausible typo (distance <= max(1, size/3)), else "". Ties keep the first candidate.
std::string closest_name(std::string_view name, const std::vector<std::string>& candidates);

// " (did you mean 'x'?)" or "".
std::string did_you_mean(std::string_view name, const std::vector<std::string>& candidates);

// "a, b, c" (quoted when `quote`).
std::string join_names(const std::vector<std::string>& names, bool quote = false);

}  // namespace famulor::detail
