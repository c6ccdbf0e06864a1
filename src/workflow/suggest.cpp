#include "workflow/suggest.hpp"

#include <algorithm>
#include <cctype>

namespace famulor::detail {
namespace {

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      char ca = static_cast<char>(std::tolower(static_cast<unsigned char>(a[i - 1])));
      char cb = static_cast<char>(std::tolower(static_cast<unsigned char>(b[j - 1])));
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca == cb ? 0 : 1)});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

}  // namespace

std::string closest_name(std::string_view name, const std::vector<std::string>& candidates) {
  if (name.empty() || name.size() > 200) return {};
  std::size_t limit = std::max<std::size_t>(1, name.size() / 3);
  std::size_t best = limit + 1;
  std::string out;
  for (const auto& c : candidates) {
    if (c == name || c.size() > name.size() + limit + 1 || c.size() + limit + 1 < name.size()) continue;
    std::size_t d = edit_distance(name, c);
    if (d < best) {
      best = d;
      out = c;
    }
  }
  return out;
}

std::string did_you_mean(std::string_view name, const std::vector<std::string>& candidates) {
  std::string c = closest_name(name, candidates);
  return c.empty() ? std::string() : " (did you mean '" + c + "'?)";
}

std::string join_names(const std::vector<std::string>& names, bool quote) {
  std::string out;
  for (const auto& n : names) {
    if (!out.empty()) out += ", ";
    if (quote) out += '\'';
    out += n;
    if (quote) out += '\'';
  }
  return out;
}

}  // namespace famulor::detail
