// expr/compiled_template.hpp — a template string split into literal text and
// compiled expressions; the engine behind Template and ValueTemplate.
//
// Thread-safety: immutable after compile(); evaluate() may run concurrently.
#pragma once

#include <exception>
#include <new>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "expr/ast.hpp"
#include "expr/eval.hpp"
#include "expr/expr.hpp"

namespace famulor::expr::detail {

struct CompiledTemplate {
  struct Part {
    std::string text;  // literal text (when expr is null)
    NodePtr expr;
  };
  std::vector<Part> parts;
  bool literal = true;   // no `{{` at all
  bool single = false;   // exactly one `{{ }}` and nothing around it: keeps the type
  std::string text;      // the original text (returned as is when literal)
  std::vector<int> node_refs;
  std::optional<Value::Type> type;

  // Errors are appended; offsets are into `source`.
  void compile(std::string_view source, const CompileEnv& env, std::vector<CompileError>& errors);
  Status evaluate(EvalCtx& ctx, Value& out) const;
};

// Runs `body`, turning any exception into a Status (nothing escapes the API).
template <typename F>
Status guarded(F&& body) noexcept {
  try {
    return body();
  } catch (const std::bad_alloc&) {
    return {StatusCode::resource_exhausted, "out of memory while handling an expression"};
  } catch (const std::exception& e) {
    return {StatusCode::internal, std::string("expression failure: ") + e.what()};
  } catch (...) {
    return {StatusCode::internal, "expression failure"};
  }
}

}  // namespace famulor::expr::detail
