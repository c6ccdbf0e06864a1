// Node fallbacks: a value (templates allowed) or another node run in the failed
// node's place once its retries are exhausted; the record shows it was used; the
// workflow parser checks both forms.
#include <catch2/catch.hpp>

#include <atomic>

#include "engine_helpers.hpp"

using namespace famulor;
using namespace famulor::test;

namespace {

struct Fixture {
  Engine engine{[] {
    EngineOptions o;
    o.threads = 2;
    return o;
  }()};
  std::shared_ptr<std::atomic<int>> failing_calls = std::make_shared<std::atomic<int>>(0);
  std::shared_ptr<std::atomic<int>> ok_calls = std::make_shared<std::atomic<int>>(0);
  Fixture() {
    auto f = failing_calls;
    REQUIRE(register_fn(engine, "test.down", [f](NodeCall call) {
              ++*f;
              call.fail(unavailable("crm is down"));
            }).ok());
    auto k = ok_calls;
    REQUIRE(register_fn(engine, "test.ok", [k](NodeCall call) {
              ++*k;
              call.succeed(Value::object({{"from", "backup"}, {"who", call.trigger().get_string("who")}}));
            }).ok());
  }
};

std::string problems_of(Engine& engine, const std::string& json) {
  std::vector<Problem> problems;
  auto wf = engine.parse(json, "wf.json", &problems);
  std::string out;
  for (const auto& p : problems) out += p.to_string() + "\n";
  return out;
}

}  // namespace

TEST_CASE("a fallback value answers for a node whose retries are exhausted", "[engine][fallback]") {
  Fixture fx;
  install(fx.engine, R"({"id": "fb", "trigger": {"type": "manual"}, "nodes": [
    {"id": "lookup", "type": "test.down", "retry": {"max_attempts": 2, "initial_interval": "1ms"},
     "fallback": {"name": "{{ trigger.who }}", "known": false}},
    {"id": "greet", "type": "set", "after": "lookup", "params": {"fields": {"hello": "{{ nodes.lookup.output.name }}"}}}]})");
  REQUIRE(fx.engine.start().ok());
  RunRecord r = run_and_wait(fx.engine, "fb", Value::object({{"who", "Ada"}}));
  INFO(r.to_json().dump());
  REQUIRE(r.status == RunStatus::succeeded);
  const NodeRecord& n = node(r, "lookup");
  CHECK(n.status == NodeStatus::succeeded);
  CHECK(n.attempts == 2);
  CHECK(fx.failing_calls->load() == 2);
  CHECK(n.output.get_string("name") == "Ada");
  CHECK(n.error.find("crm is down") != std::string::npos);
  CHECK(n.error.find("the fallback value was used") != std::string::npos);
  CHECK(r.to_json()["nodes"]["lookup"]["fallback_used"] == Value(true));
  CHECK(node(r, "greet").output.get_string("hello") == "Ada");
}

TEST_CASE("a fallback node runs in the failed node's place, and only then", "[engine][fallback]") {
  Fixture fx;
  install(fx.engine, R"({"id": "fbn", "trigger": {"type": "manual"}, "nodes": [
    {"id": "primary", "type": "test.down", "fallback": {"node": "backup"}},
    {"id": "backup", "type": "test.ok"},
    {"id": "after", "type": "set", "after": "primary", "params": {"fields": {"src": "{{ nodes.primary.output.from }}"}}}]})");
  install(fx.engine, R"({"id": "fine", "trigger": {"type": "manual"}, "nodes": [
    {"id": "primary", "type": "test.ok", "fallback": {"node": "backup"}},
    {"id": "backup", "type": "test.down"}]})");
  REQUIRE(fx.engine.start().ok());
  RunRecord r = run_and_wait(fx.engine, "fbn", Value::object({{"who", "Bo"}}));
  INFO(r.to_json().dump());
  REQUIRE(r.status == RunStatus::succeeded);
  CHECK(node(r, "primary").status == NodeStatus::succeeded);
  CHECK(node(r, "primary").output.get_string("from") == "backup");
  CHECK(node(r, "primary").error.find("its fallback node 'backup' answered instead") != std::string::npos);
  CHECK(node(r, "backup").status == NodeStatus::succeeded);
  CHECK(node(r, "after").output.get_string("src") == "backup");
  CHECK(fx.ok_calls->load() == 1);

  // When the node succeeds its fallback node never runs.
  fx.failing_calls->store(0);
  RunRecord fine = run_and_wait(fx.engine, "fine");
  REQUIRE(fine.status == RunStatus::succeeded);
  CHECK(node(fine, "backup").status == NodeStatus::skipped);
  CHECK(fx.failing_calls->load() == 0);
  CHECK(fine.to_json()["nodes"]["primary"].find("fallback_used") == nullptr);
}

TEST_CASE("when the fallback node fails too, the node fails with both errors and its on_error applies",
          "[engine][fallback]") {
  Fixture fx;
  install(fx.engine, R"({"id": "both", "trigger": {"type": "manual"}, "nodes": [
    {"id": "primary", "type": "test.down", "fallback": {"node": "backup"}},
    {"id": "backup", "type": "test.down"}]})");
  install(fx.engine, R"({"id": "routed", "trigger": {"type": "manual"}, "nodes": [
    {"id": "primary", "type": "test.down", "on_error": "route", "fallback": {"node": "backup"}},
    {"id": "backup", "type": "test.down"},
    {"id": "alert", "type": "set", "after": "primary.error", "params": {"fields": {"why": "{{ nodes.primary.output.message }}"}}}]})");
  REQUIRE(fx.engine.start().ok());
  RunRecord r = run_and_wait(fx.engine, "both");
  INFO(r.to_json().dump());
  REQUIRE(r.status == RunStatus::failed);
  CHECK(r.error_code == StatusCode::unavailable);
  CHECK(r.error.find("node 'primary' failed: crm is down; its fallback node 'backup' failed too: crm is down") !=
        std::string::npos);
  CHECK(node(r, "backup").status == NodeStatus::failed);

  RunRecord routed = run_and_wait(fx.engine, "routed");
  INFO(routed.to_json().dump());
  REQUIRE(routed.status == RunStatus::succeeded);
  CHECK(node(routed, "alert").output.get_string("why").find("failed too") != std::string::npos);
}

TEST_CASE("fallbacks are validated: node references, reserved fallback nodes, templates", "[engine][fallback]") {
  Fixture fx;
  auto head = std::string(R"({"id": "v", "trigger": {"type": "manual"}, "nodes": [)");
  CHECK(problems_of(fx.engine, head + R"({"id": "a", "type": "test.down", "fallback": {"node": "bakup"}},
                                          {"id": "backup", "type": "test.ok"}]})")
            .find("fallback node 'bakup' is not in the same node list (did you mean 'backup'?)") != std::string::npos);
  CHECK(problems_of(fx.engine, head + R"({"id": "a", "type": "test.down", "fallback": {"node": "b"}},
                                          {"id": "b", "type": "test.ok", "after": "a"}]})")
            .find("fallback node 'b' must have no `after`") != std::string::npos);
  CHECK(problems_of(fx.engine, head + R"({"id": "a", "type": "test.down", "fallback": {"node": "b"}},
                                          {"id": "b", "type": "test.ok"},
                                          {"id": "c", "type": "test.ok", "after": "b"}]})")
            .find("fallback node 'b' cannot have nodes after it ('c' runs after it)") != std::string::npos);
  CHECK(problems_of(fx.engine, head + R"({"id": "a", "type": "test.down", "fallback": {"node": "a"}}]})")
            .find("cannot be its own fallback") != std::string::npos);
  CHECK(problems_of(fx.engine, head + R"({"id": "a", "type": "test.down", "fallback": {"node": 3}}]})")
            .find("fallback.node must be a node id (a string), not") != std::string::npos);
  std::string tmpl = problems_of(fx.engine, head + R"({"id": "a", "type": "test.down", "fallback": "{{ nodes.zz.output }}"}]})");
  INFO(tmpl);
  CHECK(tmpl.find("$.nodes[0].fallback") != std::string::npos);
  CHECK(problems_of(fx.engine, head + R"({"id": "a", "type": "test.down", "fallback": {"name": "{{ trigger.x }}"}}]})")
            .empty());
}
