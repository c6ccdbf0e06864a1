// Expressions stay closed: the published n8n expression-injection payloads
// (CVE-2025-68613 and friends: reaching Function/process through constructor
// chains, prototype pollution, template recursion) and other escape attempts are
// inert here — a located compile error or a plain value, never a side effect, and
// always within the step limit.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "expr_fixture.hpp"

using famulor::StatusCode;
using famulor::Value;
using famulor::test::ExprFixture;
using famulor::test::show;

namespace {

const std::vector<std::string> kPayloads = {
    // n8n: the function constructor reached through any object.
    "{{ $jmespath.constructor.constructor('return process')() }}",
    "{{ this.constructor.constructor('return process.mainModule.require(\"child_process\").execSync(\"id\")')() }}",
    "{{ [].constructor.constructor('return process')() }}",
    "{{ ''.constructor.constructor('return this')() }}",
    "{{ (() => {}).constructor('return process')() }}",
    "{{ trigger.constructor.constructor('return process')() }}",
    "{{ trigger['constructor']['constructor']('return 1')() }}",
    "{{ trigger.__proto__ }}",
    "{{ trigger['__proto__']['polluted'] = 1 }}",
    "{{ Object.prototype.polluted = 1 }}",
    "{{ $json.__proto__.polluted }}",
    "{{ process.env }}",
    "{{ process.mainModule.require('fs') }}",
    "{{ require('child_process').execSync('id') }}",
    "{{ globalThis }}",
    "{{ eval('1+1') }}",
    "{{ Function('return process')() }}",
    "{{ import('fs') }}",
    "{{ $env.HOME }}",
    "{{ env.PATH }}",
    "{{ env['HOME'] }}",
    "{{ $execution.customData.set('x', 1) }}",
    "{{ `${process}` }}",
    "{{ a = 1 }}",
    "{{ trigger.x; trigger.y }}",
    "{{ {{ trigger.inner }} }}",
    "{{ trigger.inner }}{{",
    "}}{{ trigger.a }}",
    "{{ " + std::string(2000, '(') + " }}",
    "{{ " + std::string(2000, '[') + " }}",
    "{{ " + std::string(5000, '!') + "true }}",
    "{{ " + std::string(3000, '-') + "1 }}",
};

// Codes a refused expression may fail with: never internal, never a crash.
bool clean_error(StatusCode c) {
  return c == StatusCode::invalid_argument || c == StatusCode::resource_exhausted || c == StatusCode::not_found ||
         c == StatusCode::failed_precondition || c == StatusCode::out_of_range;
}

}  // namespace

TEST_CASE("published expression-injection payloads are inert", "[expr][security]") {
  ExprFixture f;
  f.limits.max_steps = 10'000;
  f.trigger = Value::parse(R"({"a": 1, "inner": "{{ env.API_BASE }}", "x": "{{ 1 + 1 }}"})").value();
  f.env_values = Value::object({{"API_BASE", "https://api.example"}});
  const Value trigger_before = f.trigger;
  for (const std::string& payload : kPayloads) {
    INFO(payload.substr(0, 120));
    auto r = f.eval(payload);
    INFO(show(r).substr(0, 300));
    if (r.ok()) {
      // A plain value, computed from data only.
      CHECK((r->is_null() || r->is_string() || r->is_number() || r->is_bool() || r->is_object() || r->is_array()));
      CHECK(r->dump().find("process") == std::string::npos);
    } else {
      CHECK(clean_error(r.status().code()));
      CHECK_FALSE(r.status().message().empty());
    }
    CHECK(f.trigger == trigger_before);  // nothing was written anywhere
  }
}

TEST_CASE("data that looks like a template is never evaluated again", "[expr][security]") {
  ExprFixture f;
  f.trigger = Value::parse(R"({"inner": "{{ env.API_BASE }}", "x": "{{ 1 + 1 }}"})").value();
  f.env_values = Value::object({{"API_BASE", "https://api.example"}});
  CHECK(f.eval("{{ trigger.inner }}").value() == Value("{{ env.API_BASE }}"));
  CHECK(f.eval("say {{ trigger.x }}").value() == Value("say {{ 1 + 1 }}"));
  CHECK(f.expr("trigger.x + trigger.x").value() == Value("{{ 1 + 1 }}{{ 1 + 1 }}"));
}

TEST_CASE("prototype names are ordinary keys", "[expr][security]") {
  ExprFixture f;
  f.trigger = Value::parse(R"({"__proto__": {"admin": true}, "constructor": "c", "user": {}})").value();
  CHECK(f.expr("trigger.__proto__.admin").value() == Value(true));  // it is just the key's data
  CHECK(f.expr("trigger.constructor").value() == Value("c"));
  CHECK(f.expr("trigger.user.admin").value().is_null());  // no inheritance between objects
  CHECK(f.expr("trigger.user.__proto__").value().is_null());
  CHECK(f.expr("trigger.user.constructor").value().is_null());
}

TEST_CASE("huge repetition stays within the limits", "[expr][security]") {
  ExprFixture f;
  f.limits.max_steps = 10'000;
  f.trigger = Value::object({{"s", std::string(1000, 'x')}});
  for (const char* e : {"repeat(repeat(repeat(trigger.s, 1000), 1000), 1000)", "range(100000000)",
                        "count(range(100000))", "join(range(100000), ',') + join(range(100000), ',')",
                        "repeat('ab', 9223372036854775807)", "pad_start('', 2000000000, 'xy')"}) {
    INFO(e);
    auto r = f.expr(e);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == StatusCode::resource_exhausted);
  }
}
