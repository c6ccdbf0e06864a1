// common/duration.hpp — durations as written in workflows: "250ms", "5s", "2m",
// "1h", "1d", compounds like "1m30s", or a plain integer meaning milliseconds.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "famulor/status.hpp"
#include "famulor/value.hpp"

namespace famulor::detail {

// Parses a duration string; invalid_argument names what is wrong.
Result<std::chrono::milliseconds> parse_duration(std::string_view text);
// A duration Value: a non-negative integer (ms) or a duration string.
Result<std::chrono::milliseconds> duration_from_value(const Value& v);
// "1m30s", "250ms", "0ms".
std::string format_duration(std::chrono::milliseconds d);

}  // namespace famulor::detail
