#include "connectors/json_path.hpp"

#include <charconv>
#include <string>

namespace famulor::connectors {
namespace {

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

const Value* step_key(const Value* cur, std::string_view key) {
  if (cur == nullptr) return nullptr;
  if (cur->is_array() && all_digits(key)) {
    std::size_t i = 0;
    std::from_chars(key.data(), key.data() + key.size(), i);
    return cur->at(i);
  }
  return cur->find(key);
}

// `[...]` contents: an index or key=value selector.
const Value* step_bracket(const Value* cur, std::string_view inside) {
  if (cur == nullptr || !cur->is_array()) return nullptr;
  auto eq = inside.find('=');
  if (eq == std::string_view::npos) {
    if (!all_digits(inside)) return nullptr;
    std::size_t i = 0;
    std::from_chars(inside.data(), inside.data() + inside.size(), i);
    return cur->at(i);
  }
  std::string_view key = inside.substr(0, eq);
  std::string_view want = inside.substr(eq + 1);
  for (const Value& el : cur->as_array()) {
    const Value* m = el.find(key);
    if (m == nullptr) continue;
    if (m->is_string() ? m->as_string() == want : m->dump() == want) return &el;
  }
  return nullptr;
}

}  // namespace

const Value* find_path(const Value& root, std::string_view path) {
  const Value* cur = &root;
  std::size_t i = 0;
  while (i < path.size() && cur != nullptr) {
    if (path[i] == '.') {
      ++i;
      continue;
    }
    if (path[i] == '[') {
      auto j = path.find(']', i);
      if (j == std::string_view::npos) return nullptr;
      cur = step_bracket(cur, path.substr(i + 1, j - i - 1));
      i = j + 1;
      continue;
    }
    auto j = path.find_first_of(".[", i);
    if (j == std::string_view::npos) j = path.size();
    cur = step_key(cur, path.substr(i, j - i));
    i = j;
  }
  return cur;
}

}  // namespace famulor::connectors
