// Evaluation: operators, precedence, short-circuit, paths into the environment,
// types.
#include <catch2/catch.hpp>

#include "expr_fixture.hpp"

using famulor::Value;
using famulor::test::ExprFixture;
using famulor::test::show;

namespace {

ExprFixture with_data() {
  ExprFixture f;
  auto parsed = Value::parse(R"({
    "name": "Ada", "age": 36, "score": 2.5, "vip": true, "empty": "", "none": null,
    "tags": ["a", "b", "c"], "n": 0,
    "caller": {"phone": "+4930123456", "address": {"city": "Berlin"}}
  })");
  REQUIRE(parsed.ok());
  f.trigger = std::move(parsed).value();
  f.vars = Value::object({{"greeting", "Hello"}});
  f.env_values = Value::object({{"API_BASE", "https://api.example.com"}});
  return f;
}

}  // namespace

TEST_CASE("literals", "[expr]") {
  ExprFixture f;
  CHECK(show(f.expr("42")) == "42");
  CHECK(show(f.expr("-7")) == "-7");
  CHECK(show(f.expr("'it\\'s'")) == "\"it's\"");
  CHECK(show(f.expr("\"tab\\tnew\\nline \\u00e9 \\ud83d\\ude00\"")) == "\"tab\\tnew\\nline é 😀\"");
  CHECK(show(f.expr("true")) == "true");
  CHECK(show(f.expr("null")) == "null");
  CHECK(show(f.expr("[1, 'two', [3]]")) == "[1,\"two\",[3]]");
  CHECK(show(f.expr("{a: 1, \"b c\": [true]}")) == "{\"a\":1,\"b c\":[true]}");
  CHECK(show(f.expr("{}")) == "{}");
  CHECK(show(f.expr("[]")) == "[]");
  CHECK(f.expr("99999999999999999999").value().type() == Value::Type::number);  // too big for int64
  CHECK(f.expr("1.5e3").value() == Value(1500.0));
}

TEST_CASE("precedence and associativity", "[expr]") {
  ExprFixture f;
  CHECK(show(f.expr("1 + 2 * 3")) == "7");
  CHECK(show(f.expr("(1 + 2) * 3")) == "9");
  CHECK(show(f.expr("10 - 4 - 3")) == "3");
  CHECK(show(f.expr("2 * 3 % 4")) == "2");
  CHECK(show(f.expr("-2 * -3")) == "6");
  CHECK(show(f.expr("1 + 2 == 3")) == "true");
  CHECK(show(f.expr("1 < 2 == 2 < 3")) == "true");
  CHECK(show(f.expr("!false && false")) == "false");
  CHECK(show(f.expr("true || false && false")) == "true");
  CHECK(show(f.expr("null ?? 1 + 1")) == "2");
  CHECK(show(f.expr("false ? 1 : true ? 2 : 3")) == "2");
  CHECK(show(f.expr("1 > 2 ? 'a' : 'b'")) == "\"b\"");
}

TEST_CASE("arithmetic: integers stay integers, exact division, errors", "[expr]") {
  auto f = with_data();
  CHECK(f.expr("7 / 2").value().type() == Value::Type::number);
  CHECK(show(f.expr("7 / 2")) == "3.5");
  CHECK(f.expr("8 / 2").value().type() == Value::Type::integer);
  CHECK(show(f.expr("8 / 2")) == "4");
  CHECK(show(f.expr("-7 % 3")) == "-1");
  CHECK(f.expr("trigger.score * 2").value() == Value(5.0));
  CHECK(f.expr("trigger.score * 2").value().type() == Value::Type::number);
  CHECK(show(f.expr("7.5 % 2")) == "1.5");
  // Overflow promotes to a double rather than wrapping.
  CHECK(f.expr("9223372036854775807 + 1").value().type() == Value::Type::number);
  CHECK(f.expr("-9223372036854775807 - 2").value().type() == Value::Type::number);
  auto r = f.expr("trigger.age / trigger.n");
  REQUIRE(!r.ok());
  CHECK(r.status().code() == famulor::StatusCode::invalid_argument);
  CHECK(r.status().message().find("division by zero") != std::string::npos);
  CHECK(r.status().message().find("at offset 14") != std::string::npos);
  CHECK(!f.expr("trigger.age % trigger.n").ok());
  CHECK(show(f.expr("trigger.name - 1")).find("needs numbers, got string and integer") != std::string::npos);
}

TEST_CASE("+ concatenates when either side is a string", "[expr]") {
  auto f = with_data();
  CHECK(show(f.expr("'a' + 1")) == "\"a1\"");
  CHECK(show(f.expr("trigger.age + ' years'")) == "\"36 years\"");
  CHECK(show(f.expr("'x' + null")) == "\"x\"");
  CHECK(show(f.expr("'tags: ' + trigger.tags")) == "\"tags: [\\\"a\\\",\\\"b\\\",\\\"c\\\"]\"");
  CHECK(!f.expr("trigger.tags + 1").ok());
}

TEST_CASE("comparisons: deep equality, ordering numbers and strings only", "[expr]") {
  auto f = with_data();
  CHECK(show(f.expr("1 == 1.0")) == "true");
  CHECK(show(f.expr("'1' == 1")) == "false");
  CHECK(show(f.expr("trigger.tags == ['a', 'b', 'c']")) == "true");
  CHECK(show(f.expr("trigger.caller == {phone: '+4930123456', address: {city: 'Berlin'}}")) == "true");
  CHECK(show(f.expr("trigger.none == null")) == "true");
  CHECK(show(f.expr("trigger.missing == null")) == "true");
  CHECK(show(f.expr("trigger.age >= 18")) == "true");
  CHECK(show(f.expr("2.5 < 3")) == "true");
  CHECK(show(f.expr("'apple' < 'banana'")) == "true");
  auto r = f.expr("trigger.tags < 3");
  REQUIRE(!r.ok());
  CHECK(r.status().message().find("cannot order array and integer") != std::string::npos);
  CHECK(!f.expr("trigger.none < 1").ok());
}

TEST_CASE("&& and || short-circuit and return the deciding operand", "[expr]") {
  auto f = with_data();
  // The right side would fail (division by zero) if it were evaluated.
  CHECK(show(f.expr("true || trigger.age / trigger.n")) == "true");
  CHECK(show(f.expr("false && trigger.age / trigger.n")) == "false");
  CHECK(show(f.expr("trigger.none ?? 'x' ?? trigger.age / trigger.n")) == "\"x\"");
  CHECK(show(f.expr("trigger.vip ? 'yes' : trigger.age / trigger.n")) == "\"yes\"");
  CHECK(!f.expr("trigger.n || trigger.age / trigger.n").ok());
  CHECK(show(f.expr("trigger.empty || 'fallback'")) == "\"fallback\"");
  CHECK(show(f.expr("trigger.name || 'fallback'")) == "\"Ada\"");
  CHECK(show(f.expr("trigger.name && trigger.age")) == "36");
  CHECK(show(f.expr("trigger.n && 'never'")) == "0");
  CHECK(show(f.expr("trigger.empty ?? 'not null'")) == "\"\"");
  CHECK(show(f.expr("!trigger.tags")) == "false");
  CHECK(show(f.expr("![]")) == "true");
  CHECK(show(f.expr("!{}")) == "true");
}

TEST_CASE("paths: members, indexing, negative indices, missing is null", "[expr]") {
  auto f = with_data();
  CHECK(show(f.expr("trigger.caller.address.city")) == "\"Berlin\"");
  CHECK(show(f.expr("trigger['caller']['phone']")) == "\"+4930123456\"");
  CHECK(show(f.expr("trigger.tags[0]")) == "\"a\"");
  CHECK(show(f.expr("trigger.tags[-1]")) == "\"c\"");
  CHECK(show(f.expr("trigger.tags[1 + 1]")) == "\"c\"");
  CHECK(show(f.expr("trigger.tags[3]")) == "null");
  CHECK(show(f.expr("trigger.tags[-4]")) == "null");
  CHECK(show(f.expr("trigger.nope.deeper.still")) == "null");
  CHECK(show(f.expr("trigger.name.first")) == "null");
  CHECK(show(f.expr("trigger.tags.length")) == "3");
  CHECK(show(f.expr("trigger.name.length")) == "3");
  CHECK(show(f.expr("[10, 20, 30][1]")) == "20");
  CHECK(show(f.expr("{a: {b: 5}}.a.b")) == "5");
  CHECK(show(f.expr("split('a,b', ',')[1]")) == "\"b\"");
  CHECK(show(f.expr("vars.greeting")) == "\"Hello\"");
  CHECK(show(f.expr("env.API_BASE + '/v1'")) == "\"https://api.example.com/v1\"");
  CHECK(show(f.expr("run.id + ' ' + run.workflow")) == "\"run-1 wf-1\"");
  CHECK(!f.expr("trigger.tags[true]").ok());
}

TEST_CASE("nodes.<id>.output reads the resolved node, absent output is null", "[expr]") {
  auto f = with_data();
  CHECK(show(f.expr("nodes.fetch.output")) == "null");
  f.set_output(0, Value::object({{"status", 200}, {"body", Value::array({1, 2})}}));
  f.set_output(1, Value::object({{"id", "c-9"}}));
  CHECK(show(f.expr("nodes.fetch.output.status")) == "200");
  CHECK(show(f.expr("nodes.fetch.output.body[-1]")) == "2");
  CHECK(show(f.expr("nodes['lookup-contact'].output.id")) == "\"c-9\"");
  std::vector<famulor::expr::CompileError> errs;
  auto t = famulor::expr::Template::compile("{{ nodes.crm.output }} {{ nodes.fetch.output.x }} {{ nodes.crm.output }}",
                                            f.cenv, errs);
  REQUIRE(errs.empty());
  CHECK(t.node_refs() == std::vector<int>{0, 2});
}

TEST_CASE("nodes.<id>.status and .error read the optional callbacks", "[expr]") {
  auto f = with_data();
  CHECK(show(f.expr("nodes.fetch.status")) == "null");  // callbacks not set
  Value status("failed");
  Value error = Value::object({{"code", "unavailable"}, {"message", "timeout"}});
  auto env = f.eval_env();
  env.node_status = [&](int i) { return i == 0 ? &status : nullptr; };
  env.node_error = [&](int i) { return i == 0 ? &error : nullptr; };
  std::vector<famulor::expr::CompileError> errs;
  auto t = famulor::expr::Template::compile(
      "{{ nodes.fetch.status == 'failed' ? nodes.fetch.error.message : nodes.crm.status }}", f.cenv, errs);
  REQUIRE(errs.empty());
  CHECK(show(t.evaluate(env)) == "\"timeout\"");
  CHECK(t.node_refs() == std::vector<int>{0, 2});
}

TEST_CASE("item and index inside foreach/filter", "[expr]") {
  ExprFixture f(true);
  f.item = Value::object({{"sku", "X1"}});
  CHECK(show(f.expr("item.sku + '#' + index")) == "\"X1#3\"");
}

TEST_CASE("static_type is known for literals, comparisons and functions", "[expr]") {
  ExprFixture f;
  auto type_of = [&](std::string_view text) {
    std::vector<famulor::expr::CompileError> errs;
    auto t = famulor::expr::Template::compile(text, f.cenv, errs);
    REQUIRE(errs.empty());
    return t.static_type();
  };
  using T = Value::Type;
  CHECK(type_of("plain text") == T::string);
  CHECK(type_of("Hi {{ trigger.name }}") == T::string);
  CHECK(type_of("{{ trigger.a == 1 }}") == T::boolean);
  CHECK(type_of("{{ !trigger.a }}") == T::boolean);
  CHECK(type_of("{{ 42 }}") == T::integer);
  CHECK(type_of("{{ [trigger.a] }}") == T::array);
  CHECK(type_of("{{ join(trigger.a, ',') }}") == T::string);
  CHECK(type_of("{{ 'n=' + trigger.a }}") == T::string);
  CHECK(type_of("{{ trigger.a }}") == std::nullopt);
  CHECK(type_of("{{ trigger.a || 1 }}") == std::nullopt);
  CHECK(type_of("{{ trigger.a ? 1 : 2 }}") == T::integer);
}

TEST_CASE("truthy", "[expr]") {
  using famulor::expr::truthy;
  CHECK(!truthy(Value()));
  CHECK(!truthy(Value(false)));
  CHECK(!truthy(Value(0)));
  CHECK(!truthy(Value(0.0)));
  CHECK(!truthy(Value("")));
  CHECK(!truthy(Value::array()));
  CHECK(!truthy(Value::object()));
  CHECK(truthy(Value("0")));
  CHECK(truthy(Value(-1)));
  CHECK(truthy(Value::array({Value()})));
}
