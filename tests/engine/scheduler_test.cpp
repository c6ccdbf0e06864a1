// The scheduler's promises: ports, transitive skips, join all/any, disabled nodes,
// parallel branches, expressions reading upstream outputs.
#include <array>
#include <atomic>
#include <chrono>
#include <memory>

#include "engine/engine_helpers.hpp"

using namespace famulor;
using famulor::test::Gate;
using famulor::test::install;
using famulor::test::node;
using famulor::test::register_fn;
using famulor::test::run_and_wait;


TEST_CASE("the six-node workflow runs both branches and merges them", "[engine]") {
  Engine engine({.threads = 2});
  install(engine, R"({
    "id": "six", "trigger": {"type": "manual"},
    "nodes": [
      {"id": "prep", "type": "set", "params": {"fields": {"name": "{{ trigger.name }}", "n": "{{ trigger.n }}"}}},
      {"id": "check", "type": "if", "after": "prep", "params": {"condition": "{{ nodes.prep.output.n > 1 }}"}},
      {"id": "a", "type": "set", "after": "check.true", "params": {"fields": {"a": "{{ nodes.prep.output.name }}"}}},
      {"id": "b", "type": "set", "after": "check.true", "params": {"fields": {"b": "{{ nodes.prep.output.n * 2 }}"}}},
      {"id": "both", "type": "merge", "after": ["a", "b"]},
      {"id": "answer", "type": "respond", "after": "both", "params": {"value": "{{ nodes.both.output }}"}}
    ]})");
  REQUIRE(engine.start().ok());
  RunRecord r = run_and_wait(engine, "six", Value::object({{"name", "Ada"}, {"n", 3}}));
  INFO(r.to_json().pretty());
  CHECK(r.status == RunStatus::succeeded);
  CHECK(r.response == Value::object({{"a", "Ada"}, {"b", 6}}));
  CHECK(node(r, "check").port == "true");
  CHECK(node(r, "check").output == Value(true));
  for (const auto& n : r.nodes) CHECK(n.status == NodeStatus::succeeded);
  CHECK(node(r, "a").input == Value::object({{"fields", Value::object({{"a", "Ada"}})}}));

  // The false port: both branches, the merge and the respond are skipped transitively.
  RunRecord f = run_and_wait(engine, "six", Value::object({{"name", "Bob"}, {"n", 1}}));
  CHECK(f.status == RunStatus::succeeded);
  CHECK(node(f, "check").port == "false");
  CHECK(node(f, "a").status == NodeStatus::skipped);
  CHECK(node(f, "b").status == NodeStatus::skipped);
  CHECK(node(f, "both").status == NodeStatus::skipped);
  CHECK(node(f, "answer").status == NodeStatus::skipped);
  CHECK(f.response.is_null());
}

TEST_CASE("join all skips on a dead edge, join any runs on the first live one", "[engine]") {
  Engine engine({.threads = 2});
  install(engine, R"({
    "id": "joins", "trigger": {"type": "manual"},
    "nodes": [
      {"id": "check", "type": "if", "params": {"condition": "{{ trigger.yes }}"}},
      {"id": "yes", "type": "noop", "after": "check.true", "params": {"value": "Y"}},
      {"id": "no", "type": "noop", "after": "check.false", "params": {"value": "N"}},
      {"id": "all", "type": "noop", "after": ["yes", "no"], "params": {"value": 1}},
      {"id": "any", "type": "merge", "after": ["yes", "no"], "join": "any", "params": {"mode": "array"}},
      {"id": "after_any", "type": "noop", "after": "any", "params": {"value": "{{ nodes.any.output }}"}}
    ]})");
  REQUIRE(engine.start().ok());
  RunRecord r = run_and_wait(engine, "joins", Value::object({{"yes", false}}));
  INFO(r.to_json().pretty());
  CHECK(r.status == RunStatus::succeeded);
  CHECK(node(r, "yes").status == NodeStatus::skipped);
  CHECK(node(r, "no").status == NodeStatus::succeeded);
  CHECK(node(r, "all").status == NodeStatus::skipped);
  CHECK(node(r, "any").status == NodeStatus::succeeded);
  CHECK(node(r, "any").output == Value::array({"N"}));
  CHECK(node(r, "after_any").output == Value::array({"N"}));
}

TEST_CASE("a disabled node is skipped", "[engine]") {
  // The scheduler passes a disabled node through to its successors (null output),
  // but the validator currently refuses successors of disabled nodes.
  Engine engine({.threads = 1});
  install(engine, R"({
    "id": "dis", "trigger": {"type": "manual"},
    "nodes": [
      {"id": "first", "type": "noop", "params": {"value": 1}},
      {"id": "off", "type": "set", "after": "first", "disabled": true, "params": {"fields": {"x": 1}}}
    ]})");
  REQUIRE(engine.start().ok());
  RunRecord r = run_and_wait(engine, "dis");
  CHECK(r.status == RunStatus::succeeded);
  CHECK(node(r, "first").status == NodeStatus::succeeded);
  CHECK(node(r, "off").status == NodeStatus::skipped);
  CHECK(node(r, "off").attempts == 0);
}

TEST_CASE("independent branches run in parallel", "[engine]") {
  // Each node opens its own gate and then waits for the other's: that completes
  // only when both run at the same time (on two pool threads).
  Engine engine({.threads = 2});
  auto gates = std::make_shared<std::array<Gate, 2>>();
  REQUIRE(register_fn(engine, "test.rendezvous", [gates](NodeCall call) {
            auto me = call.params().get_int("me");
            (*gates)[static_cast<std::size_t>(me)].open();
            (*gates)[static_cast<std::size_t>(1 - me)].wait();
            call.succeed(Value(me));
          }).ok());
  install(engine, R"({
    "id": "par", "trigger": {"type": "manual"},
    "nodes": [
      {"id": "start", "type": "noop"},
      {"id": "left", "type": "test.rendezvous", "after": "start", "params": {"me": 0}},
      {"id": "right", "type": "test.rendezvous", "after": "start", "params": {"me": 1}},
      {"id": "join", "type": "merge", "after": ["left", "right"], "params": {"mode": "array"}}
    ]})");
  REQUIRE(engine.start().ok());
  RunRecord r = run_and_wait(engine, "par");
  CHECK(r.status == RunStatus::succeeded);
  CHECK(node(r, "join").output == Value::array({0, 1}));
}

TEST_CASE("expressions read trigger, vars, run id and upstream outputs", "[engine]") {
  Engine engine({.threads = 1});
  install(engine, R"({
    "id": "exprs", "trigger": {"type": "manual"},
    "settings": {"vars": {"greeting": "hi"}},
    "nodes": [
      {"id": "one", "type": "set", "params": {"fields": {"deep.x": "{{ trigger.x }}"}}},
      {"id": "two", "type": "noop", "after": "one",
       "params": {"value": {"g": "{{ vars.greeting }}", "x": "{{ nodes.one.output.deep.x }}", "id": "{{ run.id }}",
                            "text": "x={{ nodes.one.output.deep.x }}"}}}
    ]})");
  REQUIRE(engine.start().ok());
  RunRecord r = run_and_wait(engine, "exprs", Value::object({{"x", 42}}));
  REQUIRE(r.status == RunStatus::succeeded);
  const Value& out = node(r, "two").output;
  CHECK(out.get_string("g") == "hi");
  CHECK(out.find("x") != nullptr);
  CHECK(*out.find("x") == Value(42));
  CHECK(out.get_string("id") == r.id);
  CHECK(out.get_string("text") == "x=42");
}

TEST_CASE("many concurrent runs all finish with their own data", "[engine]") {
  Engine engine({.threads = 2});
  install(engine, R"({
    "id": "many", "trigger": {"type": "event", "name": "go"},
    "nodes": [
      {"id": "a", "type": "set", "params": {"fields": {"v": "{{ trigger.i }}"}}},
      {"id": "b", "type": "noop", "after": "a", "params": {"value": "{{ nodes.a.output.v + 1 }}"}},
      {"id": "c", "type": "noop", "after": "a", "params": {"value": "{{ nodes.a.output.v + 2 }}"}},
      {"id": "d", "type": "respond", "after": ["b", "c"], "params": {"value": "{{ nodes.b.output + nodes.c.output }}"}}
    ]})");
  REQUIRE(engine.start().ok());
  std::vector<RunHandle> handles;
  for (int i = 0; i < 500; ++i) {
    auto r = engine.emit({.type = "event", .payload = Value::object({{"i", i}}), .name = "go"});
    REQUIRE(r.ok());
    REQUIRE(r.value().size() == 1);
    handles.push_back(r.value().front());
  }
  for (int i = 0; i < 500; ++i) {
    RunRecord rec = handles[static_cast<std::size_t>(i)].wait();
    REQUIRE(rec.status == RunStatus::succeeded);
    CHECK(rec.response == Value(2 * i + 3));
  }
}
