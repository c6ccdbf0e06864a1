// expr/expr.hpp — the expression language behind `{{ ... }}` (internal API).
//
// A template is a string parameter that may hold `{{ expr }}` parts. A string that
// is exactly one expression evaluates to the expression's value with its type; any
// other template evaluates to a string (each part converted: strings as-is, null as
// "", everything else as compact JSON).
//
// Compilation resolves names once: `nodes.<id>` becomes a node index through
// CompileEnv::resolve_node, so evaluation never looks names up by string. Unknown
// functions, wrong arity, unknown nodes, roots not available here (`item` outside a
// foreach/filter) and literal type errors are compile errors with an offset.
//
// Evaluation is bounded: every AST step and every unit of work a function does
// (bytes produced, elements visited) is charged against EvalLimits; a runaway
// expression fails with resource_exhausted, never hangs. There is no access to
// files, network, clock-free randomness or environment: `env.NAME` reads only the
// variables the workflow's settings allow (EvalEnv::env).
//
// Thread-safety: a compiled Expr / Template / ValueTemplate is immutable and may be
// evaluated concurrently from many threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "famulor/status.hpp"
#include "famulor/value.hpp"

namespace famulor::expr {

struct CompileError {
  std::size_t offset = 0;  // byte offset into the template string where the problem is
  std::string message;
};

// What names exist where the expression is compiled.
struct CompileEnv {
  // Node id -> index; -1 when unknown. May be empty (then every `nodes.x` is an error).
  std::function<int(std::string_view node_id)> resolve_node;
  bool has_item = false;  // `item` and `index` are in scope (foreach / filter bodies)
  std::vector<std::string> allowed_env;  // names readable as env.NAME
};

struct EvalLimits {
  std::uint64_t max_steps = 100'000;        // AST steps + function work units
  std::size_t max_string_bytes = 1 << 20;  // any produced string
  std::size_t max_array_items = 100'000;    // any produced array
};

// What an evaluation reads. All pointers may be null (then the root is null).
struct EvalEnv {
  const Value* trigger = nullptr;
  const Value* vars = nullptr;
  const Value* item = nullptr;
  std::int64_t index = 0;
  std::string_view run_id;
  std::string_view workflow_id;
  // Output of node `index` (as resolved at compile time), or nullptr when that node
  // has not produced one (skipped, failed, not yet run).
  std::function<const Value*(int node_index)> node_output;
  // Values of allowed environment variables (name -> value), or null.
  const Value* env = nullptr;
  EvalLimits limits;
  // Optional: the status (e.g. "succeeded", "failed", "skipped") and the error
  // (e.g. {"code": ..., "message": ...}) of node `index`, read by
  // `nodes.<id>.status` and `nodes.<id>.error`; nullptr or unset means null.
  std::function<const Value*(int node_index)> node_status;
  std::function<const Value*(int node_index)> node_error;
};

class Expr;  // one parsed `{{ }}` body

// A compiled template string.
class Template {
 public:
  Template();
  ~Template();
  Template(Template&&) noexcept;
  Template& operator=(Template&&) noexcept;
  Template(const Template&) = delete;
  Template& operator=(const Template&) = delete;

  // Compiles `text`. Errors are appended to `errors` (all of them, not only the
  // first); the result is usable only when no error was added.
  static Template compile(std::string_view text, const CompileEnv& env, std::vector<CompileError>& errors);

  // True when the text holds no `{{` at all (evaluate returns the text itself).
  bool is_literal() const noexcept;
  // Indices of every node the template reads (`nodes.<id>`), sorted, unique.
  const std::vector<int>& node_refs() const noexcept;
  // The type every evaluation yields when it is known at compile time: string for
  // literal and mixed templates, boolean for comparisons and `!`, a function's
  // declared return type; nullopt when it depends on data (paths, `||`, ternary).
  std::optional<Value::Type> static_type() const noexcept;

  Result<Value> evaluate(const EvalEnv& env) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// A Value tree (a node's params) whose string leaves are templates. Object keys are
// never templates.
class ValueTemplate {
 public:
  ValueTemplate();
  ~ValueTemplate();
  ValueTemplate(ValueTemplate&&) noexcept;
  ValueTemplate& operator=(ValueTemplate&&) noexcept;

  // `path` is the JSON path of `value` for error messages ("$.nodes[2].params");
  // each error is reported with the path of the string it was found in.
  struct PathError {
    std::string path;     // e.g. "$.nodes[2].params.text"
    CompileError error;
  };
  static ValueTemplate compile(const Value& value, const CompileEnv& env, std::string_view path,
                               std::vector<PathError>& errors);

  bool is_literal() const noexcept;  // nothing to evaluate: evaluate() copies the value
  const std::vector<int>& node_refs() const noexcept;
  Result<Value> evaluate(const EvalEnv& env) const;
  // The same into `out` (the scheduler's per-node path: no Result to move the
  // value through). On error `out` holds a partial value.
  Status evaluate(const EvalEnv& env, Value& out) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Truthiness used by `if`, `filter`, `&&`, `||`, `!`: false, null, 0, "" , [] and {}
// are false; everything else is true.
bool truthy(const Value& v) noexcept;

// Names of every function in the library (for docs and validation messages).
std::vector<std::string> function_names();

}  // namespace famulor::expr
