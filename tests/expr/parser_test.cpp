// Compile-time checks: syntax errors, name resolution, arity, limits, and
// injection payloads — every error with the byte offset of the problem.
#include <catch2/catch.hpp>

#include "expr_fixture.hpp"

using famulor::test::ExprFixture;
using famulor::test::show;

namespace {

bool has_error(const std::vector<famulor::expr::CompileError>& errs, std::size_t offset, std::string_view needle) {
  for (const auto& e : errs) {
    if (e.offset == offset && e.message.find(needle) != std::string::npos) return true;
  }
  return false;
}

std::string dump(const std::vector<famulor::expr::CompileError>& errs) {
  std::string s;
  for (const auto& e : errs) {
    s += '[';
    s += std::to_string(e.offset);
    s += "] ";
    s += e.message;
    s += '\n';
  }
  return s;
}

}  // namespace

TEST_CASE("syntax errors name the offset and what is wrong", "[expr]") {
  ExprFixture f;
  auto errs = f.errors("Hi {{ trigger.name + }}!");
  INFO(dump(errs));
  REQUIRE(errs.size() == 1);
  CHECK(errs[0].offset == 21);
  CHECK(errs[0].message.find("expected a value") != std::string::npos);

  errs = f.errors("{{ (1 + 2 }}");
  INFO(dump(errs));
  CHECK(has_error(errs, 10, "expected ')'"));

  errs = f.errors("{{ 'abc }}");
  INFO(dump(errs));
  CHECK(has_error(errs, 3, "unterminated string"));

  errs = f.errors("text {{ trigger.name");
  INFO(dump(errs));
  CHECK(has_error(errs, 7, "never closed"));

  errs = f.errors("{{ a = 1 }}");
  CHECK(has_error(errs, 5, "use '=='"));

  errs = f.errors("{{ }}");
  CHECK(has_error(errs, 3, "empty expression"));

  errs = f.errors("{{ 'x' 'y' }}");
  CHECK(has_error(errs, 7, "expected '}}'"));
}

TEST_CASE("all errors of a template are collected, not only the first", "[expr]") {
  ExprFixture f;
  auto errs = f.errors("{{ tigger.a }} and {{ nodes.nope.output }} and {{ upper(1, 2) }} and {{ 1 + }}");
  INFO(dump(errs));
  CHECK(errs.size() == 4);
  CHECK(has_error(errs, 3, "did you mean 'trigger'"));
  CHECK(has_error(errs, 28, "unknown node 'nope'"));
  CHECK(has_error(errs, 50, "upper() takes 1 argument, got 2"));
  CHECK(has_error(errs, 76, "expected a value"));
}

TEST_CASE("roots: unknown names, nodes, env and item are checked at compile time", "[expr]") {
  ExprFixture f;
  CHECK(has_error(f.errors("{{ nodes.fetc.output }}"), 9, "unknown node 'fetc'"));
  CHECK(has_error(f.errors("{{ nodes.fetch.outptu }}"), 15, "available: nodes.fetch.output"));
  CHECK(has_error(f.errors("{{ nodes.fetch }}"), 15, "expected .output"));
  CHECK(f.errors("{{ nodes['lookup-contact'].output.id }}").empty());
  CHECK(has_error(f.errors("{{ env.SECRET_KEY }}"), 7, "'SECRET_KEY' is not allowed"));
  CHECK(has_error(f.errors("{{ env.API_BAS }}"), 7, "did you mean 'API_BASE'"));
  CHECK(f.errors("{{ env.API_BASE }}").empty());
  CHECK(has_error(f.errors("{{ item.name }}"), 3, "only available inside foreach"));
  CHECK(has_error(f.errors("{{ index }}"), 3, "only available inside foreach"));
  ExprFixture in_loop(true);
  CHECK(in_loop.errors("{{ item.name + index }}").empty());
  CHECK(has_error(f.errors("{{ run.started }}"), 7, "run.id, run.workflow"));
  CHECK(has_error(f.errors("{{ upper }}"), 3, "is a function"));
}

TEST_CASE("an empty resolve_node makes every node reference an error", "[expr]") {
  famulor::expr::CompileEnv env;
  std::vector<famulor::expr::CompileError> errs;
  (void)famulor::expr::Template::compile("{{ nodes.a.output }}", env, errs);
  REQUIRE(errs.size() == 1);
  CHECK(errs[0].message.find("unknown node 'a'") != std::string::npos);
}

TEST_CASE("functions: unknown names and arity are compile errors", "[expr]") {
  ExprFixture f;
  CHECK(has_error(f.errors("{{ uper('a') }}"), 3, "did you mean 'upper'"));
  CHECK(has_error(f.errors("{{ eval('1') }}"), 3, "unknown function 'eval'"));
  CHECK(has_error(f.errors("{{ substring('abc') }}"), 3, "takes 2 to 3 arguments, got 1"));
  CHECK(has_error(f.errors("{{ concat() }}"), 3, "at least 1"));
  CHECK(has_error(f.errors("{{ trigger.name() }}"), 15, "only library functions can be called"));
}

TEST_CASE("type errors among literals are compile errors", "[expr]") {
  ExprFixture f;
  CHECK(has_error(f.errors("{{ 'a' - 1 }}"), 7, "needs numbers, got string and integer"));
  CHECK(has_error(f.errors("{{ 1 / 0 }}"), 5, "division by zero"));
  CHECK(has_error(f.errors("{{ [1] < 2 }}"), 7, "cannot order"));
  CHECK(has_error(f.errors("{{ -'x' }}"), 3, "unary '-'"));
  CHECK(has_error(f.errors("{{ upper(1) }}"), 3, "upper(): the first argument must be a string"));
  CHECK(has_error(f.errors("{{ {a: 1, a: 2} }}"), 10, "duplicate key 'a'"));
}

TEST_CASE("source length and nesting depth are bounded", "[expr]") {
  ExprFixture f;
  std::string deep = "{{ " + std::string(200, '(') + "1" + std::string(200, ')') + " }}";
  auto errs = f.errors(deep);
  INFO(dump(errs));
  REQUIRE(errs.size() == 1);
  CHECK(errs[0].message.find("deeper than 128 levels") != std::string::npos);

  std::string chain = "{{ trigger.a";
  for (int i = 0; i < 300; ++i) chain += " + trigger.a";
  chain += " }}";
  CHECK(!f.errors(chain).empty());

  std::string nots = "{{ " + std::string(500, '!') + "true }}";
  CHECK(!f.errors(nots).empty());

  std::string longexpr = "{{ '" + std::string(70 * 1024, 'x') + "' }}";
  errs = f.errors(longexpr);
  REQUIRE(errs.size() == 1);
  CHECK(errs[0].offset == 2);
  CHECK(errs[0].message.find("longer than 64 KiB") != std::string::npos);

  // 40 levels is fine.
  std::string ok = "{{ " + std::string(40, '[') + "1" + std::string(40, ']') + " }}";
  CHECK(f.errors(ok).empty());
}

TEST_CASE("injection payloads stay inert: compile errors, never evaluation", "[expr]") {
  ExprFixture f;
  const char* payloads[] = {
      "{{ constructor.constructor('return process')() }}",
      "{{ this.process }}",
      "{{ process.env.HOME }}",
      "{{ require('fs').readFileSync('/etc/passwd') }}",
      "{{ globalThis }}",
      "{{ __proto__.polluted }}",
      "{{ trigger.__proto__.constructor('x')() }}",
      "{{ env.PATH }}",
      "{{ system('ls') }}",
      "{{ `ls` }}",
      "{{ trigger.name; rm -rf / }}",
      "{{ import('os') }}",
      "{{ ${7*7} }}",
  };
  for (const char* p : payloads) {
    INFO(p);
    auto errs = f.errors(p);
    CHECK(!errs.empty());
    auto r = f.eval(p);
    REQUIRE(!r.ok());
    CHECK(r.status().message().rfind("compile:", 0) == 0);
  }
  // Template-looking text inside data is data: it is never compiled again.
  f.trigger = famulor::Value::object({{"name", "{{ env.PATH }}"}});
  CHECK(show(f.eval("Hi {{ trigger.name }}")) == "\"Hi {{ env.PATH }}\"");
}
