// Positions (line:column) and JSON paths, and the SourceMap that ties them together.
#include <string>

#include "value/json.hpp"

namespace famulor::detail {

LineCol line_col(std::string_view text, std::size_t offset) {
  if (offset > text.size()) offset = text.size();
  LineCol lc;
  std::size_t line_start = 0;
  for (std::size_t i = 0; i < offset; ++i) {
    char c = text[i];
    if (c == '\n' || (c == '\r' && (i + 1 >= text.size() || text[i + 1] != '\n'))) {
      ++lc.line;
      line_start = i + 1;
    }
  }
  lc.column = static_cast<int>(offset - line_start) + 1;
  return lc;
}

std::string describe_position(std::string_view text, std::size_t offset) {
  LineCol lc = line_col(text, offset);
  return "line " + std::to_string(lc.line) + ", column " + std::to_string(lc.column) + " (offset " +
         std::to_string(offset) + ")";
}

namespace {

bool is_identifier(std::string_view key) {
  if (key.empty()) return false;
  for (std::size_t i = 0; i < key.size(); ++i) {
    char c = key[i];
    bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    bool digit = c >= '0' && c <= '9';
    if (!(alpha || (digit && i > 0))) return false;
  }
  return true;
}

}  // namespace

std::string path_member(std::string_view parent, std::string_view key) {
  std::string out;
  out.reserve(parent.size() + key.size() + 4);
  out.append(parent);
  if (is_identifier(key)) {
    out.push_back('.');
    out.append(key);
  } else {
    out.push_back('[');
    write_json_string(out, key);
    out.push_back(']');
  }
  return out;
}

std::string path_index(std::string_view parent, std::size_t index) {
  std::string out;
  out.reserve(parent.size() + 8);
  out.append(parent);
  out.push_back('[');
  out.append(std::to_string(index));
  out.push_back(']');
  return out;
}

std::optional<std::string_view> path_parent(std::string_view path) {
  if (path.empty() || path[0] != '$') return std::nullopt;
  // Walk forward, remembering where the last component starts.
  std::size_t i = 1;
  std::size_t last = std::string_view::npos;
  while (i < path.size()) {
    last = i;
    if (path[i] == '.') {
      ++i;
      while (i < path.size() && path[i] != '.' && path[i] != '[') ++i;
    } else if (path[i] == '[') {
      ++i;
      if (i < path.size() && path[i] == '"') {
        ++i;
        while (i < path.size() && path[i] != '"') i += path[i] == '\\' ? 2 : 1;
        ++i;  // closing quote
      } else {
        while (i < path.size() && path[i] != ']') ++i;
      }
      if (i >= path.size() || path[i] != ']') return std::nullopt;
      ++i;
    } else {
      return std::nullopt;
    }
  }
  if (last == std::string_view::npos) return std::nullopt;
  return path.substr(0, last);
}

std::optional<std::size_t> SourceMap::value_offset(std::string_view path) const {
  auto it = values_.find(std::string(path));
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

std::optional<std::size_t> SourceMap::key_offset(std::string_view path) const {
  auto it = keys_.find(std::string(path));
  if (it == keys_.end()) return std::nullopt;
  return it->second;
}

std::size_t SourceMap::nearest(std::string_view path) const {
  std::optional<std::string_view> p = path;
  while (p) {
    if (auto off = value_offset(*p)) return *off;
    p = path_parent(*p);
  }
  return 0;
}

void SourceMap::add_value(std::string path, std::size_t offset) { values_[std::move(path)] = offset; }
void SourceMap::add_key(std::string path, std::size_t offset) { keys_[std::move(path)] = offset; }

}  // namespace famulor::detail
