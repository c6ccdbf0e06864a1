// expr/parser.hpp — parses one `{{ }}` body into a checked, name-resolved tree.
//
// Syntax errors stop the part (the caller resynchronizes at the next `}}`); name
// errors (unknown root, node, env variable, function, wrong arity) are collected and
// parsing continues. Sub-trees made only of literals are folded at compile time,
// so `"a" - 1` is a compile error and `[1, 2]` costs nothing at run time.
//
// Thread-safety: a Parser is used once, from one thread.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "expr/ast.hpp"
#include "expr/expr.hpp"

namespace famulor::expr::detail {

inline constexpr std::size_t kMaxExpressionBytes = 64 * 1024;
inline constexpr std::size_t kMaxTemplateBytes = 1024 * 1024;
inline constexpr int kMaxNesting = 128;

struct ParsedPart {
  NodePtr root;          // null when a syntax error stopped the part
  std::size_t end = 0;   // offset just past the closing `}}` (or where parsing stopped)
  bool closed = false;   // the closing `}}` was found
};

// Parses the expression starting at `pos` (just after `{{`) up to and including the
// closing `}}`. Errors are appended with offsets into `text`; node indices read are
// appended to `node_refs`.
ParsedPart parse_part(std::string_view text, std::size_t pos, const CompileEnv& env,
                      std::vector<CompileError>& errors, std::vector<int>& node_refs);

// The closest of `candidates` to `name` within a small edit distance, or "".
std::string_view closest_name(std::string_view name, const std::vector<std::string_view>& candidates);

}  // namespace famulor::expr::detail
