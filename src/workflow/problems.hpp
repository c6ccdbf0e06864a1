// workflow/problems.hpp — ProblemSink: collects validation problems and locates them
// in the source text through the parser's SourceMap (internal API).
//
// Locations are computed from JSON paths: a value's own offset, a member key's offset
// (for unknown keys), or an offset inside a string value (expression errors). Without
// a SourceMap (re-reading an already validated definition) every location is 0:0.
//
// Thread-safety: none; one sink belongs to one parse.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "famulor/workflow.hpp"

namespace famulor::detail {

class SourceMap;

class ProblemSink {
 public:
  // `text` and `map` (may be null) must outlive the sink.
  ProblemSink(std::string file, std::string_view text, const SourceMap* map)
      : file_(std::move(file)), text_(text), map_(map) {}

  // At the value at `path` (or its nearest located ancestor).
  void at(const std::string& path, std::string message);
  // At the key of the member at `path` (falls back to the value).
  void at_key(const std::string& path, std::string message);
  // Inside the string value at `path`: `delta` bytes after its opening quote
  // (approximate when the string holds escapes).
  void in_string(const std::string& path, std::size_t delta, std::string message);
  // At a byte offset of the text.
  void at_offset(std::size_t offset, const std::string& path, std::string message);

  bool empty() const noexcept { return problems_.empty(); }
  std::size_t size() const noexcept { return problems_.size(); }
  // The problems, ordered by line and column (stable for equal positions).
  std::vector<Problem> take();

 private:
  std::string file_;
  std::string_view text_;
  const SourceMap* map_;
  struct Entry {
    std::size_t offset;
    Problem problem;
  };
  std::vector<Entry> problems_;
};

// Path helpers (the value parser's format: "$.nodes[2].params[\"a b\"]").
std::string member(std::string_view parent, std::string_view key);
std::string element(std::string_view parent, std::size_t index);

}  // namespace famulor::detail
