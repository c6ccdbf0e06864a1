// The synchronous built-in nodes: if, switch, set, merge, filter, fail, respond, noop.
#include "engine/engine_helpers.hpp"

using namespace famulor;
using famulor::test::install;
using famulor::test::node;
using famulor::test::run_and_wait;

namespace {

// Installs a one-node-under-test workflow `id` and runs it with `payload`.
RunRecord run_nodes(Engine& engine, const std::string& id, const std::string& nodes, Value payload = Value::object()) {
  install(engine, R"({"id": ")" + id + R"(", "trigger": {"type": "manual"}, "nodes": )" + nodes + "}");
  return run_and_wait(engine, id, std::move(payload));
}

}  // namespace

TEST_CASE("if takes the true or false port", "[nodes]") {
  Engine engine({.threads = 1});
  REQUIRE(engine.start().ok());
  auto nodes = R"([{"id": "c", "type": "if", "params": {"condition": "{{ trigger.v }}"}},
                   {"id": "t", "type": "noop", "after": "c.true"}, {"id": "f", "type": "noop", "after": "c.false"}])";
  RunRecord yes = run_nodes(engine, "if1", nodes, Value::object({{"v", "text"}}));
  CHECK(node(yes, "c").output == Value(true));
  CHECK(node(yes, "t").status == NodeStatus::succeeded);
  CHECK(node(yes, "f").status == NodeStatus::skipped);
  RunRecord no = run_and_wait(engine, "if1", Value::object({{"v", 0}}));
  CHECK(node(no, "c").output == Value(false));
  CHECK(node(no, "c").port == "false");
  CHECK(node(no, "t").status == NodeStatus::skipped);
  CHECK(node(no, "f").status == NodeStatus::succeeded);
}

TEST_CASE("switch takes the first matching rule, else fallback", "[nodes]") {
  Engine engine({.threads = 1});
  REQUIRE(engine.start().ok());
  auto nodes = R"([{"id": "s", "type": "switch", "params": {"value": "{{ trigger.p }}", "rules": [
                      {"name": "solar", "equals": "solar"},
                      {"condition": "{{ trigger.p == 'heat' }}"},
                      {"name": "late", "equals": "heat"}]}},
                   {"id": "a", "type": "noop", "after": "s.solar"},
                   {"id": "b", "type": "noop", "after": "s.1"},
                   {"id": "c", "type": "noop", "after": "s.late"},
                   {"id": "d", "type": "noop", "after": "s.fallback"}])";
  RunRecord solar = run_nodes(engine, "sw", nodes, Value::object({{"p", "solar"}}));
  INFO(solar.to_json().pretty());
  CHECK(node(solar, "s").port == "solar");
  CHECK(node(solar, "s").output == Value::object({{"port", "solar"}, {"value", "solar"}}));
  CHECK(node(solar, "a").status == NodeStatus::succeeded);
  CHECK(node(solar, "b").status == NodeStatus::skipped);
  RunRecord heat = run_and_wait(engine, "sw", Value::object({{"p", "heat"}}));
  CHECK(node(heat, "s").port == "1");
  CHECK(node(heat, "b").status == NodeStatus::succeeded);
  CHECK(node(heat, "c").status == NodeStatus::skipped);
  RunRecord other = run_and_wait(engine, "sw", Value::object({{"p", "wind"}}));
  CHECK(node(other, "s").port == "fallback");
  CHECK(node(other, "d").status == NodeStatus::succeeded);
}

TEST_CASE("set builds objects at dot paths over an optional base", "[nodes]") {
  Engine engine({.threads = 1});
  REQUIRE(engine.start().ok());
  RunRecord r = run_nodes(engine, "set", R"([
      {"id": "a", "type": "set", "params": {"fields": {"contact.name": "{{ trigger.n }}", "contact.age": 3, "top": true}}},
      {"id": "b", "type": "set", "after": "a", "params": {"base": "{{ nodes.a.output }}", "fields": {"contact.name": "X", "extra": [1]}}}])",
                          Value::object({{"n", "Ada"}}));
  INFO(r.to_json().pretty());
  CHECK(node(r, "a").output ==
        Value::object({{"contact", Value::object({{"name", "Ada"}, {"age", 3}})}, {"top", true}}));
  CHECK(node(r, "b").output == Value::object({{"contact", Value::object({{"name", "X"}, {"age", 3}})},
                                              {"top", true},
                                              {"extra", Value::array({1})}}));
}

TEST_CASE("merge combines predecessors in after order", "[nodes]") {
  Engine engine({.threads = 2});
  REQUIRE(engine.start().ok());
  RunRecord r = run_nodes(engine, "merge", R"([
      {"id": "x", "type": "noop", "params": {"value": {"a": 1, "b": 1}}},
      {"id": "y", "type": "noop", "params": {"value": {"b": 2, "c": 2}}},
      {"id": "gone", "type": "if", "params": {"condition": false}},
      {"id": "z", "type": "noop", "after": "gone.true", "params": {"value": {"z": 1}}},
      {"id": "obj", "type": "merge", "after": ["x", "y"]},
      {"id": "arr", "type": "merge", "after": ["y", "x"], "params": {"mode": "array"}},
      {"id": "first", "type": "merge", "after": ["z", "y", "x"], "join": "any", "params": {"mode": "first"}}])");
  INFO(r.to_json().pretty());
  CHECK(node(r, "obj").output == Value::object({{"a", 1}, {"b", 2}, {"c", 2}}));
  CHECK(node(r, "arr").output == Value::array({Value::object({{"b", 2}, {"c", 2}}), Value::object({{"a", 1}, {"b", 1}})}));
  const Value& first = node(r, "first").output;  // join any: y or x, whichever came first
  CHECK((first == Value::object({{"b", 2}, {"c", 2}}) || first == Value::object({{"a", 1}, {"b", 1}})));
}

TEST_CASE("filter keeps items whose condition is truthy", "[nodes]") {
  Engine engine({.threads = 1});
  REQUIRE(engine.start().ok());
  RunRecord r = run_nodes(engine, "filter", R"([
      {"id": "f", "type": "filter", "params": {"items": "{{ trigger.xs }}", "condition": "{{ item.v > 1 && index < 3 }}"}}])",
                          Value::object({{"xs", Value::array({Value::object({{"v", 1}}), Value::object({{"v", 2}}),
                                                              Value::object({{"v", 3}}), Value::object({{"v", 4}})})}}));
  INFO(r.to_json().pretty());
  CHECK(node(r, "f").output == Value::array({Value::object({{"v", 2}}), Value::object({{"v", 3}})}));
}

TEST_CASE("fail fails with its message and code", "[nodes]") {
  Engine engine({.threads = 1});
  REQUIRE(engine.start().ok());
  RunRecord r = run_nodes(engine, "fail", R"([{"id": "f", "type": "fail", "params": {"message": "stop {{ trigger.x }}"}}])",
                          Value::object({{"x", 1}}));
  CHECK(r.status == RunStatus::failed);
  CHECK(node(r, "f").error == "stop 1");
  CHECK(node(r, "f").error_code == StatusCode::failed_precondition);
  RunRecord t = run_nodes(engine, "fail2", R"([{"id": "f", "type": "fail", "params": {"message": "m", "code": "timeout"}}])");
  CHECK(node(t, "f").error_code == StatusCode::deadline_exceeded);
}

TEST_CASE("respond sets the run's response, the first respond wins", "[nodes]") {
  Engine engine({.threads = 1});
  REQUIRE(engine.start().ok());
  RunRecord r = run_nodes(engine, "resp", R"([
      {"id": "r1", "type": "respond", "params": {"value": {"a": "{{ trigger.a }}"}, "status": 201}},
      {"id": "r2", "type": "respond", "after": "r1", "params": {"value": "second"}}])",
                          Value::object({{"a", 5}}));
  CHECK(r.response == Value::object({{"a", 5}}));
  CHECK(node(r, "r1").output == Value::object({{"a", 5}}));
  CHECK(node(r, "r1").input.get_int("status") == 201);
  CHECK(node(r, "r2").output == Value("second"));
}

TEST_CASE("noop outputs its value (null by default)", "[nodes]") {
  Engine engine({.threads = 1});
  REQUIRE(engine.start().ok());
  RunRecord r = run_nodes(engine, "noop", R"([{"id": "a", "type": "noop"},
      {"id": "b", "type": "noop", "after": "a", "params": {"value": [1, "{{ trigger.x }}"]}}])",
                          Value::object({{"x", "y"}}));
  CHECK(node(r, "a").output.is_null());
  CHECK(node(r, "b").output == Value::array({1, "y"}));
}
