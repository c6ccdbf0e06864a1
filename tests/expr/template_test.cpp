// Templates (text with `{{ }}` parts) and ValueTemplate (a Value tree of templates).
#include <catch2/catch.hpp>

#include "expr_fixture.hpp"

using famulor::Value;
using famulor::expr::Template;
using famulor::expr::ValueTemplate;
using famulor::test::ExprFixture;
using famulor::test::show;

TEST_CASE("a template without {{ is literal", "[expr]") {
  ExprFixture f;
  std::vector<famulor::expr::CompileError> errs;
  auto t = Template::compile("just text }} with braces {", f.cenv, errs);
  REQUIRE(errs.empty());
  CHECK(t.is_literal());
  CHECK(show(t.evaluate(f.eval_env())) == "\"just text }} with braces {\"");
  CHECK(show(f.eval("")) == "\"\"");
}

TEST_CASE("mixed templates produce strings, a single expression keeps its type", "[expr]") {
  ExprFixture f;
  f.trigger = Value::object({{"name", "Ada"}, {"n", 3}, {"tags", Value::array({"x"})}, {"none", nullptr}});
  CHECK(show(f.eval("Hi {{ trigger.name }}!")) == "\"Hi Ada!\"");
  CHECK(show(f.eval("{{trigger.n}}")) == "3");
  CHECK(show(f.eval("{{   trigger.n   }}")) == "3");
  CHECK(show(f.eval("{{ trigger.tags }}")) == "[\"x\"]");
  CHECK(show(f.eval("{{ trigger.none }}")) == "null");
  CHECK(show(f.eval(" {{ trigger.n }}")) == "\" 3\"");
  CHECK(show(f.eval("{{ trigger.n }}{{ trigger.n }}")) == "\"33\"");
  CHECK(show(f.eval("[{{ trigger.none }}] {{ trigger.tags }} {{ true }}")) == "\"[] [\\\"x\\\"] true\"");
  CHECK(show(f.eval("{{ '}}' }}")) == "\"}}\"");
  CHECK(show(f.eval("{{ {a: {b: 1}} }}")) == "{\"a\":{\"b\":1}}");
  CHECK(show(f.eval("{{{a: 1}}}")) == "{\"a\":1}");
}

TEST_CASE("literal braces: backslash-escaped or a quoted '{{' expression", "[expr]") {
  ExprFixture f;
  f.trigger = Value::object({{"name", "Ada"}});
  CHECK(show(f.eval("\\{{ not an expression }}")) == "\"{{ not an expression }}\"");
  CHECK(show(f.eval("Use \\{{ name }} for {{ trigger.name }}")) == "\"Use {{ name }} for Ada\"");
  CHECK(show(f.eval("{{ '{{' }} x }}")) == "\"{{ x }}\"");
  CHECK(show(f.eval("a \\ b {{ trigger.name }}")) == "\"a \\\\ b Ada\"");
}

TEST_CASE("ValueTemplate compiles string leaves, reports JSON paths, keeps literals", "[expr]") {
  ExprFixture f;
  f.trigger = Value::object({{"name", "Ada"}, {"n", 2}});
  auto params = Value::parse(R"({
    "to": "{{ trigger.name }}",
    "count": "{{ trigger.n + 1 }}",
    "static": {"a": [1, 2, {"b": "no templates here"}]},
    "list": ["x", "{{ trigger.n * 10 }}"],
    "{{ key }}": "keys are never templates"
  })");
  REQUIRE(params.ok());
  std::vector<ValueTemplate::PathError> errs;
  auto vt = ValueTemplate::compile(params.value(), f.cenv, "$.nodes[2].params", errs);
  REQUIRE(errs.empty());
  CHECK(!vt.is_literal());
  auto r = vt.evaluate(f.eval_env());
  REQUIRE(r.ok());
  CHECK(r.value().dump() ==
        R"({"to":"Ada","count":3,"static":{"a":[1,2,{"b":"no templates here"}]},"list":["x",20],"{{ key }}":"keys are never templates"})");

  auto literal = ValueTemplate::compile(Value::object({{"a", Value::array({1, "b"})}}), f.cenv, "$", errs);
  CHECK(literal.is_literal());
  CHECK(literal.node_refs().empty());
  CHECK(show(literal.evaluate(f.eval_env())) == "{\"a\":[1,\"b\"]}");
}

TEST_CASE("ValueTemplate errors carry the path of each string", "[expr]") {
  ExprFixture f;
  auto params = Value::parse(R"({"text": "Hi {{ tigger.name }}", "items": [1, "{{ nodes.x.output }}"],
                                 "odd key": {"v": "{{ upper() }}"}})");
  REQUIRE(params.ok());
  std::vector<ValueTemplate::PathError> errs;
  (void)ValueTemplate::compile(params.value(), f.cenv, "$.nodes[2].params", errs);
  REQUIRE(errs.size() == 3);
  CHECK(errs[0].path == "$.nodes[2].params.text");
  CHECK(errs[0].error.offset == 6);
  CHECK(errs[1].path == "$.nodes[2].params.items[1]");
  CHECK(errs[1].error.message.find("unknown node 'x'") != std::string::npos);
  CHECK(errs[2].path == "$.nodes[2].params[\"odd key\"].v");
}

TEST_CASE("ValueTemplate: node_refs and run-time errors with paths", "[expr]") {
  ExprFixture f;
  f.trigger = Value::object({{"n", 0}});
  auto params = Value::object({{"a", "{{ nodes.crm.output.id }}"},
                               {"b", Value::array({"{{ nodes.fetch.output }}", "{{ 1 / trigger.n }}"})}});
  std::vector<ValueTemplate::PathError> errs;
  auto vt = ValueTemplate::compile(params, f.cenv, "$.p", errs);
  REQUIRE(errs.empty());
  CHECK(vt.node_refs() == std::vector<int>{0, 2});
  auto r = vt.evaluate(f.eval_env());
  REQUIRE(!r.ok());
  CHECK(r.status().message().rfind("$.p.b[1]: at offset 5: division by zero", 0) == 0);
}

TEST_CASE("a compiled template is reusable and independent of its source text", "[expr]") {
  ExprFixture f;
  std::vector<famulor::expr::CompileError> errs;
  Template t;
  {
    std::string text = "n={{ trigger.n * 2 }}";
    t = Template::compile(text, f.cenv, errs);
    text.assign(text.size(), '#');
  }
  REQUIRE(errs.empty());
  for (int i = 0; i < 3; ++i) {
    f.trigger = Value::object({{"n", i}});
    CHECK(show(t.evaluate(f.eval_env())) == "\"n=" + std::to_string(i * 2) + "\"");
  }
}
