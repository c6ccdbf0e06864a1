#include "workflow/problems.hpp"

#include <algorithm>

#include "value/json.hpp"

namespace famulor::detail {

void ProblemSink::at_offset(std::size_t offset, const std::string& path, std::string message) {
  Problem p;
  p.where.file = file_;
  p.where.path = path;
  p.message = std::move(message);
  if (map_) {
    offset = std::min(offset, text_.size());
    LineCol lc = line_col(text_, offset);
    p.where.line = lc.line;
    p.where.column = lc.column;
  } else {
    offset = 0;
  }
  problems_.push_back(Entry{offset, std::move(p)});
}

void ProblemSink::at(const std::string& path, std::string message) {
  std::size_t offset = map_ ? map_->nearest(path) : 0;
  at_offset(offset, path, std::move(message));
}

void ProblemSink::at_key(const std::string& path, std::string message) {
  if (map_) {
    if (auto k = map_->key_offset(path)) return at_offset(*k, path, std::move(message));
  }
  at(path, std::move(message));
}

void ProblemSink::in_string(const std::string& path, std::size_t delta, std::string message) {
  std::size_t offset = 0;
  if (map_) {
    if (auto v = map_->value_offset(path)) {
      offset = *v + 1 + delta;  // past the opening quote
    } else {
      offset = map_->nearest(path);
    }
  }
  at_offset(offset, path, std::move(message));
}

std::vector<Problem> ProblemSink::take() {
  std::stable_sort(problems_.begin(), problems_.end(),
                   [](const Entry& a, const Entry& b) { return a.offset < b.offset; });
  std::vector<Problem> out;
  out.reserve(problems_.size());
  for (auto& e : problems_) out.push_back(std::move(e.problem));
  problems_.clear();
  return out;
}

std::string member(std::string_view parent, std::string_view key) { return path_member(parent, key); }
std::string element(std::string_view parent, std::size_t index) { return path_index(parent, index); }

}  // namespace famulor::detail
