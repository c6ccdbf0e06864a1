// Templates and expressions: any text compiles to a template or to located
// errors, and evaluating it against a small document ends within the limits.
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "expr/expr.hpp"
#include "famulor/value.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace famulor;
  static const Value trigger =
      Value::parse(R"({"from": "+4930123456", "n": 3, "list": [1, "two", {"x": null}], "s": "Hello", "ok": true})")
          .value();
  static const Value vars = Value::object({{"region", "eu"}});
  static const Value env = Value::object({{"API_BASE", "https://api.example"}});
  static const Value output = Value::object({{"id", 7}, {"items", Value::array({1, 2, 3})}});
  std::string_view text(reinterpret_cast<const char*>(data), size);
  expr::CompileEnv cenv;
  cenv.resolve_node = [](std::string_view id) { return id == "crm" ? 0 : -1; };
  cenv.allowed_env = {"API_BASE"};
  std::vector<expr::CompileError> errors;
  expr::Template t = expr::Template::compile(text, cenv, errors);
  if (!errors.empty()) {
    for (const auto& e : errors)
      if (e.offset > size || e.message.empty()) std::abort();  // errors point into the text
    return 0;
  }
  expr::EvalEnv env_eval;
  env_eval.trigger = &trigger;
  env_eval.vars = &vars;
  env_eval.env = &env;
  env_eval.node_output = [](int i) -> const Value* { return i == 0 ? &output : nullptr; };
  env_eval.limits.max_steps = 20'000;
  env_eval.limits.max_string_bytes = 1 << 16;
  env_eval.limits.max_array_items = 10'000;
  auto r = t.evaluate(env_eval);
  if (!r.ok() && r.status().code() == StatusCode::internal) std::abort();  // an evaluator bug
  return 0;
}
