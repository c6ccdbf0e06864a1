// expr_bench — cost of evaluating compiled templates on the hot path (src/expr).
//
//   expr_bench [--iterations N]
//
// Target (PERFORMANCE.md): the engine's overhead per node is < 2 µs, so evaluating a
// node's typical params (a few paths, a comparison, a short text template) must
// take well under that. Prints ns per evaluation for each case, median of 5 passes.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "expr/expr.hpp"
#include "famulor/value.hpp"

using famulor::Value;
namespace expr = famulor::expr;

namespace {

volatile std::size_t g_sink = 0;

double ns_per_eval(const expr::Template& t, const expr::EvalEnv& env, long iterations) {
  std::vector<double> passes;
  for (int pass = 0; pass < 5; ++pass) {
    auto start = std::chrono::steady_clock::now();
    for (long i = 0; i < iterations; ++i) {
      auto r = t.evaluate(env);
      g_sink = g_sink + (r.ok() ? r.value().size() : 1);
    }
    auto ns = std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start).count();
    passes.push_back(ns / static_cast<double>(iterations));
  }
  std::sort(passes.begin(), passes.end());
  return passes[2];
}

}  // namespace

int main(int argc, char** argv) {
  long iterations = 200'000;
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], "--iterations") == 0) iterations = std::atol(argv[i + 1]);
  }
  auto trigger = Value::parse(R"({"call": {"id": "c-1", "from": "+4930123456", "duration_s": 95,
    "transcript": ")" + std::string(2000, 'x') + R"("},
    "customer": {"name": "Ada", "email": "ada@example.com", "tags": ["vip", "beta"]}})");
  if (!trigger.ok()) {
    std::fprintf(stderr, "bad trigger: %s\n", trigger.status().message().c_str());
    return 1;
  }
  Value crm = Value::object({{"contact_id", "c-42"}, {"owner", Value::object({{"name", "Grace"}})}});

  expr::CompileEnv cenv;
  cenv.resolve_node = [](std::string_view id) { return id == "crm" ? 0 : -1; };
  expr::EvalEnv env;
  env.trigger = &trigger.value();
  env.node_output = [&](int) { return &crm; };

  struct Case {
    const char* name;
    const char* text;
  };
  const Case cases[] = {
      {"literal text", "no expressions here"},
      {"one path (typed)", "{{ trigger.call.duration_s }}"},
      {"comparison", "{{ trigger.call.duration_s > 60 }}"},
      {"text with 2 paths", "Hi {{ trigger.customer.name }}, your id is {{ nodes.crm.output.contact_id }}"},
      {"2 KB string (copy)", "{{ trigger.call.transcript }}"},
      {"function calls", "{{ upper(trim(trigger.customer.name)) + ' <' + lower(trigger.customer.email) + '>' }}"},
      {"e164", "{{ e164(trigger.call.from, 'DE') }}"},
      {"to_timezone", "{{ to_timezone(1774744200000, 'Europe/Berlin') }}"},
  };
  std::printf("expr_bench: %ld evaluations per pass, median of 5 passes\n", iterations);
  for (const Case& c : cases) {
    std::vector<expr::CompileError> errs;
    auto t = expr::Template::compile(c.text, cenv, errs);
    if (!errs.empty()) {
      std::fprintf(stderr, "%s: compile error: %s\n", c.name, errs[0].message.c_str());
      return 1;
    }
    const long n = std::strstr(c.text, "e164") ? iterations / 20 : iterations;
    std::printf("  %-22s %8.0f ns\n", c.name, ns_per_eval(t, env, n));
  }
  std::printf("target: a node's params well under 2000 ns\n");
  return 0;
}
