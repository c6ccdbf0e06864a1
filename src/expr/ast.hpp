// expr/ast.hpp — the syntax tree of one `{{ }}` expression, as the parser builds it
// and the evaluator walks it.
//
// Names are resolved at compile time: roots are enum values, nodes are indices,
// functions are pointers into the static function table. A tree is immutable after
// compilation.
//
// Thread-safety: immutable after construction; concurrent reads are safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "famulor/value.hpp"

namespace famulor::expr::detail {

struct FunctionDef;

enum class NodeKind : std::uint8_t {
  literal,      // value
  root,         // root (+ node_index / name)
  member,       // kids[0].name
  index,        // kids[0][kids[1]]
  array,        // [kids...]
  object,       // {keys[i]: kids[i]}
  negate,       // -kids[0]
  logical_not,  // !kids[0]
  binary,       // kids[0] op kids[1]
  logical_and,  // kids[0] && kids[1]
  logical_or,   // kids[0] || kids[1]
  coalesce,     // kids[0] ?? kids[1]
  conditional,  // kids[0] ? kids[1] : kids[2]
  call,         // fn(kids...)
};

enum class Root : std::uint8_t { trigger, vars, item, index, run_id, run_workflow, node_output, node_status, node_error, env };

enum class BinaryOp : std::uint8_t { add, sub, mul, div, mod, eq, ne, lt, le, gt, ge };

struct Node {
  NodeKind kind = NodeKind::literal;
  Root root = Root::trigger;
  BinaryOp op = BinaryOp::add;
  int node_index = -1;               // Root::node_output / node_status / node_error
  std::size_t offset = 0;            // byte offset in the template text
  const FunctionDef* fn = nullptr;   // NodeKind::call
  Value value;                       // NodeKind::literal
  std::string name;                  // member name, env name
  std::vector<std::unique_ptr<Node>> kids;
  std::vector<std::string> keys;     // NodeKind::object
  std::optional<Value::Type> type;   // static type when known
};

using NodePtr = std::unique_ptr<Node>;

}  // namespace famulor::expr::detail
