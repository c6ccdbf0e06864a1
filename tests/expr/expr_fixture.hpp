// Test helpers for the expression language: a compile environment with a few
// nodes, an evaluation environment around a trigger document, and one-call
// compile+evaluate.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "expr/expr.hpp"
#include "famulor/value.hpp"

namespace famulor::test {

struct ExprFixture {
  std::map<std::string, int, std::less<>> nodes{{"fetch", 0}, {"lookup-contact", 1}, {"crm", 2}};
  std::vector<Value> outputs{Value(), Value(), Value()};
  std::vector<bool> has_output{false, false, false};
  Value trigger;
  Value vars;
  Value item;
  Value env_values;
  expr::CompileEnv cenv;
  expr::EvalLimits limits;

  explicit ExprFixture(bool has_item = false) {
    cenv.resolve_node = [this](std::string_view id) {
      auto it = nodes.find(id);
      return it == nodes.end() ? -1 : it->second;
    };
    cenv.has_item = has_item;
    cenv.allowed_env = {"API_BASE", "REGION"};
  }

  void set_output(int index, Value v) {
    outputs[static_cast<std::size_t>(index)] = std::move(v);
    has_output[static_cast<std::size_t>(index)] = true;
  }

  expr::EvalEnv eval_env() const {
    expr::EvalEnv e;
    e.trigger = &trigger;
    e.vars = &vars;
    e.item = &item;
    e.index = 3;
    e.run_id = "run-1";
    e.workflow_id = "wf-1";
    e.env = &env_values;
    e.node_output = [this](int i) -> const Value* {
      auto k = static_cast<std::size_t>(i);
      return k < outputs.size() && has_output[k] ? &outputs[k] : nullptr;
    };
    e.limits = limits;
    return e;
  }

  // Compile errors of `text` ("offset: message" each).
  std::vector<expr::CompileError> errors(std::string_view text) const {
    std::vector<expr::CompileError> errs;
    (void)expr::Template::compile(text, cenv, errs);
    return errs;
  }

  // Compiles and evaluates; a compile error becomes an invalid_argument Result
  // whose message starts with "compile:".
  Result<Value> eval(std::string_view text) const {
    std::vector<expr::CompileError> errs;
    expr::Template t = expr::Template::compile(text, cenv, errs);
    if (!errs.empty()) {
      std::string msg = "compile:";
      for (const auto& e : errs) msg += " [" + std::to_string(e.offset) + "] " + e.message;
      return Status(StatusCode::invalid_argument, msg);
    }
    return t.evaluate(eval_env());
  }

  // eval() of `{{ text }}`, for tests that only care about the expression.
  Result<Value> expr(std::string_view text) const { return eval("{{" + std::string(text) + "}}"); }
};

// The value as compact JSON, or "error(<code>): <message>".
inline std::string show(const Result<Value>& r) {
  if (r.ok()) return r.value().dump();
  return "error(" + std::string(to_string(r.status().code())) + "): " + r.status().message();
}

}  // namespace famulor::test
