// The asynchronous built-ins: foreach, subworkflow, wait.
#include <algorithm>
#include <atomic>
#include <memory>

#include "engine/engine_helpers.hpp"
#include "engine/engine_impl.hpp"

using namespace famulor;
using famulor::test::install;
using famulor::test::node;
using famulor::test::register_fn;
using famulor::test::run_and_wait;

TEST_CASE("foreach runs its body per item and collects results in order", "[nodes]") {
  Engine engine({.threads = 2});
  install(engine, R"({"id": "loop", "trigger": {"type": "manual"},
    "nodes": [
      {"id": "base", "type": "noop", "params": {"value": 100}},
      {"id": "each", "type": "foreach", "after": "base", "params": {
        "items": "{{ trigger.xs }}",
        "nodes": [
          {"id": "double", "type": "noop", "params": {"value": "{{ item * 2 + nodes.base.output }}"}},
          {"id": "tag", "type": "set", "after": "double", "params": {"fields": {"i": "{{ index }}", "v": "{{ nodes.double.output }}"}}}
        ]}},
      {"id": "sum", "type": "foreach", "after": "base", "params": {
        "items": "{{ trigger.xs }}", "concurrency": 1,
        "nodes": [{"id": "sq", "type": "noop", "params": {"value": "{{ item * item }}"}}],
        "result": "{{ nodes.sq.output + index }}"}},
      {"id": "none", "type": "foreach", "params": {"items": [], "nodes": [{"id": "x", "type": "noop"}]}}
    ]})");
  REQUIRE(engine.start().ok());
  RunRecord r = run_and_wait(engine, "loop", Value::object({{"xs", Value::array({1, 2, 3})}}));
  INFO(r.to_json().pretty());
  REQUIRE(r.status == RunStatus::succeeded);
  CHECK(node(r, "each").output == Value::array({Value::object({{"i", 0}, {"v", 102}}),
                                                Value::object({{"i", 1}, {"v", 104}}),
                                                Value::object({{"i", 2}, {"v", 106}})}));
  CHECK(node(r, "sum").output == Value::array({1, 5, 11}));
  CHECK(node(r, "none").output == Value::array());
}

TEST_CASE("foreach honours its concurrency limit", "[nodes]") {
  Engine engine({.threads = 2});
  struct Count {
    std::mutex m;
    std::int64_t max = 0;
    std::vector<NodeCall> waiting;
  };
  auto c = std::make_shared<Count>();
  // Each item's node parks its call and releases the oldest parked one once two are
  // parked (the last item releases all). It records how many item runs are alive
  // (the engine's active runs minus the parent): an unbounded foreach would have
  // started all ten before the first node ran.
  Engine* e = &engine;
  REQUIRE(register_fn(engine, "test.park", [c, e](NodeCall call) {
            std::vector<NodeCall> release;
            {
              std::lock_guard lk(c->m);
              c->max = std::max(c->max, e->impl().active_runs() - 1);
              c->waiting.push_back(std::move(call));
              if (c->waiting.back().params().get_bool("last")) {
                release.swap(c->waiting);
              } else if (c->waiting.size() >= 2) {
                release.push_back(std::move(c->waiting.front()));
                c->waiting.erase(c->waiting.begin());
              }
            }
            for (auto& r : release) r.succeed(Value(1));
          }).ok());
  install(engine, R"({"id": "limit", "trigger": {"type": "manual"},
    "nodes": [{"id": "each", "type": "foreach", "params": {
      "items": "{{ trigger.xs }}", "concurrency": 2,
      "nodes": [{"id": "p", "type": "test.park", "params": {"last": "{{ index == 9 }}"}}]}}]})");
  REQUIRE(engine.start().ok());
  Array xs;
  for (int i = 0; i < 10; ++i) xs.push_back(i);
  RunRecord r = run_and_wait(engine, "limit", Value::object({{"xs", Value(xs)}}));
  INFO(r.to_json().pretty());
  CHECK(r.status == RunStatus::succeeded);
  CHECK(node(r, "each").output.size() == 10);
  CHECK(c->max == 2);
}

TEST_CASE("foreach fails on a failing item and refuses too many items", "[nodes]") {
  Engine engine({.threads = 2});
  install(engine, R"({"id": "bad", "trigger": {"type": "manual"},
    "nodes": [{"id": "each", "type": "foreach", "params": {
      "items": "{{ trigger.xs }}",
      "nodes": [{"id": "chk", "type": "if", "params": {"condition": "{{ item == 2 }}"}},
                {"id": "f", "type": "fail", "after": "chk.true", "params": {"message": "two"}}]}}]})");
  REQUIRE(engine.start().ok());
  RunRecord r = run_and_wait(engine, "bad", Value::object({{"xs", Value::array({1, 2, 3})}}));
  CHECK(r.status == RunStatus::failed);
  CHECK(node(r, "each").error.find("item 1") != std::string::npos);
  CHECK(node(r, "each").error.find("two") != std::string::npos);

  Array many(10'001, Value(1));
  RunRecord big = run_and_wait(engine, "bad", Value::object({{"xs", Value(many)}}));
  CHECK(big.status == RunStatus::failed);
  CHECK(node(big, "each").error_code == StatusCode::resource_exhausted);
  CHECK(node(big, "each").error.find("10000") != std::string::npos);
}

TEST_CASE("subworkflow runs a child and returns its response", "[nodes]") {
  Engine engine({.threads = 2});
  install(engine, R"({"id": "child", "trigger": {"type": "manual"},
    "nodes": [{"id": "c", "type": "if", "params": {"condition": "{{ trigger.ok }}"}},
              {"id": "r", "type": "respond", "after": "c.true", "params": {"value": {"got": "{{ trigger.x }}"}}},
              {"id": "f", "type": "fail", "after": "c.false", "params": {"message": "child says no", "code": "not_found"}}]})");
  install(engine, R"({"id": "parent", "trigger": {"type": "manual"},
    "nodes": [{"id": "sub", "type": "subworkflow", "on_error": "continue",
               "params": {"workflow": "child", "input": {"ok": "{{ trigger.ok }}", "x": 7}}},
              {"id": "fire", "type": "subworkflow", "params": {"workflow": "child", "wait": false}}]})");
  REQUIRE(engine.start().ok());
  RunRecord ok = run_and_wait(engine, "parent", Value::object({{"ok", true}}));
  INFO(ok.to_json().pretty());
  CHECK(ok.status == RunStatus::succeeded);
  CHECK(node(ok, "sub").output == Value::object({{"got", 7}}));
  std::string child_id = node(ok, "fire").output.get_string("run_id");
  REQUIRE_FALSE(child_id.empty());
  auto child = engine.find_run(child_id);
  REQUIRE(child.ok());
  CHECK(child.value().wait().workflow == "child");

  RunRecord bad = run_and_wait(engine, "parent", Value::object({{"ok", false}}));
  CHECK(node(bad, "sub").status == NodeStatus::failed);
  CHECK(node(bad, "sub").error_code == StatusCode::not_found);
  CHECK(node(bad, "sub").error.find("child says no") != std::string::npos);
}

TEST_CASE("wait sleeps for a duration or until a time", "[nodes]") {
  Engine engine({.threads = 2});
  install(engine, R"({"id": "w", "trigger": {"type": "manual"},
    "nodes": [{"id": "short", "type": "wait", "params": {"duration": "5ms"}},
              {"id": "past", "type": "wait", "params": {"until": "2020-01-01T00:00:00+01:00"}},
              {"id": "bad", "type": "wait", "on_error": "continue", "params": {"until": "{{ trigger.when }}"}}]})");
  REQUIRE(engine.start().ok());
  RunRecord r = run_and_wait(engine, "w", Value::object({{"when", "yesterday"}}));
  INFO(r.to_json().pretty());
  CHECK(r.status == RunStatus::succeeded);
  CHECK(node(r, "short").output.find("waited_ms")->is_int());
  CHECK(node(r, "short").output.get_int("waited_ms") >= 0);
  CHECK(node(r, "past").output == Value::object({{"waited_ms", 0}}));
  CHECK(node(r, "bad").error_code == StatusCode::invalid_argument);
}
