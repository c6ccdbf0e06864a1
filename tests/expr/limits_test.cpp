// Evaluation limits: runaway expressions fail with resource_exhausted, naming the
// limit, before doing the work.
#include <catch2/catch.hpp>

#include "expr_fixture.hpp"

using famulor::StatusCode;
using famulor::Value;
using famulor::test::ExprFixture;

namespace {

void require_exhausted(const famulor::Result<Value>& r, std::string_view limit) {
  REQUIRE(!r.ok());
  INFO(r.status().message());
  CHECK(r.status().code() == StatusCode::resource_exhausted);
  CHECK(r.status().message().find(limit) != std::string::npos);
}

}  // namespace

TEST_CASE("repeat and range runaways fail cleanly", "[expr][limits]") {
  ExprFixture f;
  f.trigger = Value::object({{"big", 100000000}, {"huge", 1000000000}, {"x", "x"}});
  require_exhausted(f.expr("repeat(trigger.x, trigger.big)"), "max_string_bytes");
  require_exhausted(f.expr("repeat('x', 100000000)"), "max_string_bytes");
  require_exhausted(f.expr("range(trigger.huge)"), "max_array_items");
  require_exhausted(f.expr("range(1000000000)"), "max_array_items");
  require_exhausted(f.expr("range(0, 9223372036854775807, 1)"), "max_array_items");
  require_exhausted(f.expr("pad_start('x', trigger.huge)"), "max_string_bytes");
  require_exhausted(f.expr("pad_end('x', 9223372036854775807, '12345678')"), "max_string_bytes");
  // Steps near the int64 range neither overflow nor run away.
  CHECK(f.expr("range(9223372036854775800, 9223372036854775807, 4)").value() ==
        Value::array({9223372036854775800LL, 9223372036854775804LL}));
  CHECK(f.expr("range(0, 9223372036854775807, 4611686018427387904)").value() ==
        Value::array({0, 4611686018427387904LL}));
  // Within the limits the same functions work.
  CHECK(f.expr("length(repeat('ab', 1000))").value() == Value(2000));
  CHECK(f.expr("count(range(trigger.big / 10000))").value() == Value(10000));
}

TEST_CASE("max_steps bounds the work of one evaluation", "[expr][limits]") {
  ExprFixture f;
  f.limits.max_steps = 50;
  f.trigger = Value::object({{"a", 1}});
  std::string many = "trigger.a";
  for (int i = 0; i < 40; ++i) many += " + trigger.a";
  require_exhausted(f.expr(many), "max_steps (50 steps)");
  f.limits.max_steps = 100'000;
  CHECK(f.expr(many).value() == Value(41));
  // Functions charge for the elements they visit.
  f.limits.max_steps = 1000;
  require_exhausted(f.expr("sum(range(trigger.a, 5000))"), "max_steps");
}

TEST_CASE("string and array limits apply to operators and templates too", "[expr][limits]") {
  ExprFixture f;
  f.limits.max_string_bytes = 100;
  f.limits.max_array_items = 10;
  f.trigger = Value::object({{"s", std::string(60, 'a')}, {"n", 20}});
  require_exhausted(f.expr("trigger.s + trigger.s"), "max_string_bytes (100)");
  require_exhausted(f.eval("{{ trigger.s }}-{{ trigger.s }}"), "max_string_bytes");
  require_exhausted(f.expr("range(trigger.n)"), "max_array_items (10)");
  require_exhausted(f.expr("split(trigger.s, '')"), "max_array_items");
  CHECK(f.expr("trigger.s + 'b'").ok());
}

TEST_CASE("a step budget is shared across a ValueTemplate", "[expr][limits]") {
  ExprFixture f;
  f.limits.max_steps = 30;
  f.trigger = Value::object({{"a", 1}});
  famulor::Array items;
  for (int i = 0; i < 20; ++i) items.emplace_back("{{ trigger.a + trigger.a }}");
  std::vector<famulor::expr::ValueTemplate::PathError> errs;
  auto vt = famulor::expr::ValueTemplate::compile(Value(std::move(items)), f.cenv, "$", errs);
  REQUIRE(errs.empty());
  auto r = vt.evaluate(f.eval_env());
  REQUIRE(!r.ok());
  CHECK(r.status().code() == StatusCode::resource_exhausted);
}
