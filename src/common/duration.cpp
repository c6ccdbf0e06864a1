#include "common/duration.hpp"

#include <cctype>
#include <cstdint>
#include <limits>

namespace famulor::detail {

Result<std::chrono::milliseconds> parse_duration(std::string_view text) {
  auto bad = [&](std::string why) {
    return Result<std::chrono::milliseconds>(invalid_argument("bad duration \"" + std::string(text) + "\": " + why +
                                                              " (use e.g. \"250ms\", \"5s\", \"2m\", \"1h30m\", \"1d\")"));
  };
  if (text.empty()) return bad("empty");
  std::int64_t total = 0;
  std::size_t i = 0;
  bool any = false;
  while (i < text.size()) {
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) return bad("expected a number");
    std::int64_t n = 0;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
      if (n > std::numeric_limits<std::int64_t>::max() / 10 - 10) return bad("too large");
      n = n * 10 + (text[i++] - '0');
    }
    std::size_t u = i;
    while (i < text.size() && std::isalpha(static_cast<unsigned char>(text[i]))) ++i;
    std::string_view unit = text.substr(u, i - u);
    std::int64_t mult;
    if (unit == "ms") mult = 1;
    else if (unit == "s") mult = 1000;
    else if (unit == "m") mult = 60'000;
    else if (unit == "h") mult = 3'600'000;
    else if (unit == "d") mult = 86'400'000;
    else if (unit.empty()) {
      if (!any && i == text.size()) return std::chrono::milliseconds(n);  // bare integer = ms
      return bad("missing unit after " + std::to_string(n));
    } else
      return bad("unknown unit \"" + std::string(unit) + "\"");
    if (n > (std::numeric_limits<std::int64_t>::max() - total) / mult) return bad("too large");
    total += n * mult;
    any = true;
  }
  return std::chrono::milliseconds(total);
}

Result<std::chrono::milliseconds> duration_from_value(const Value& v) {
  if (v.is_int()) {
    if (v.as_int() < 0) return invalid_argument("a duration must not be negative");
    return std::chrono::milliseconds(v.as_int());
  }
  if (v.is_string()) return parse_duration(v.as_string());
  return invalid_argument("a duration is a string like \"5s\" or an integer of milliseconds, not " +
                          std::string(to_string(v.type())));
}

std::string format_duration(std::chrono::milliseconds d) {
  std::int64_t ms = d.count();
  if (ms == 0) return "0ms";
  std::string out;
  struct U { std::int64_t size; const char* name; };
  for (U u : {U{86'400'000, "d"}, U{3'600'000, "h"}, U{60'000, "m"}, U{1000, "s"}, U{1, "ms"}}) {
    if (ms >= u.size) {
      out += std::to_string(ms / u.size) + u.name;
      ms %= u.size;
    }
  }
  return out;
}

}  // namespace famulor::detail
