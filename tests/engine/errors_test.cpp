// Failures: on_error stop/continue/route, retries, timeouts, exceptions, dropped
// calls, cancellation, run timeouts and runaway expressions.
#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>

#include "engine/engine_helpers.hpp"

using namespace famulor;
using famulor::test::Gate;
using famulor::test::install;
using famulor::test::node;
using famulor::test::register_fn;
using famulor::test::run_and_wait;

namespace {

// Keeps the calls a node type received without completing them.
struct Held {
  std::mutex m;
  std::vector<NodeCall> calls;
  Gate arrived;
  bool any_cancelled() {
    std::lock_guard lk(m);
    for (auto& c : calls)
      if (c.cancelled()) return true;
    return false;
  }
  // The calls reference the engine's workflow, which references this: break the cycle.
  void clear() {
    std::lock_guard lk(m);
    calls.clear();
  }
};

Status register_fail(Engine& e) {
  return register_fn(e, "test.fail", [](NodeCall call) {
    call.fail(Status(StatusCode::not_found, call.params().get_string("message")));
  });
}

Status register_hold(Engine& e, std::shared_ptr<Held> held) {
  return register_fn(e, "test.hold", [held](NodeCall call) {
    {
      std::lock_guard lk(held->m);
      held->calls.push_back(std::move(call));
    }
    held->arrived.open();
  });
}

}  // namespace

TEST_CASE("on_error stop fails the run and starts nothing after it", "[engine]") {
  Engine engine({.threads = 2});
  REQUIRE(register_fail(engine).ok());
  install(engine, R"({
    "id": "stop", "trigger": {"type": "manual"},
    "nodes": [
      {"id": "boom", "type": "test.fail", "params": {"message": "no {{ trigger.what }}"}},
      {"id": "later", "type": "noop", "after": "boom"}
    ]})");
  REQUIRE(engine.start().ok());
  RunRecord r = run_and_wait(engine, "stop", Value::object({{"what", "luck"}}));
  INFO(r.to_json().pretty());
  CHECK(r.status == RunStatus::failed);
  CHECK(r.error_code == StatusCode::not_found);
  CHECK(r.error.find("no luck") != std::string::npos);
  CHECK(r.error.find("boom") != std::string::npos);
  CHECK(node(r, "boom").status == NodeStatus::failed);
  CHECK(node(r, "boom").error == "no luck");
  CHECK(node(r, "later").status == NodeStatus::skipped);
  CHECK(node(r, "later").started_at_ms == 0);
}

TEST_CASE("on_error continue runs successors with a null output", "[engine]") {
  Engine engine({.threads = 1});
  install(engine, R"({
    "id": "cont", "trigger": {"type": "manual"},
    "nodes": [
      {"id": "boom", "type": "fail", "on_error": "continue", "params": {"message": "bad"}},
      {"id": "next", "type": "noop", "after": "boom", "params": {"value": {"seen": "{{ nodes.boom.output }}"}}}
    ]})");
  REQUIRE(engine.start().ok());
  RunRecord r = run_and_wait(engine, "cont");
  CHECK(r.status == RunStatus::succeeded);
  CHECK(node(r, "boom").status == NodeStatus::failed);
  CHECK(node(r, "boom").error_code == StatusCode::failed_precondition);
  CHECK(node(r, "next").status == NodeStatus::succeeded);
  CHECK(node(r, "next").output == Value::object({{"seen", Value()}}));
}

TEST_CASE("on_error route takes the error port", "[engine]") {
  Engine engine({.threads = 1});
  REQUIRE(register_fail(engine).ok());
  install(engine, R"({
    "id": "route", "trigger": {"type": "manual"},
    "nodes": [
      {"id": "boom", "type": "test.fail", "on_error": "route", "params": {"message": "bad"}},
      {"id": "ok_path", "type": "noop", "after": "boom"},
      {"id": "handler", "type": "noop", "after": "boom.error", "params": {"value": "{{ nodes.boom.output.code }}"}}
    ]})");
  REQUIRE(engine.start().ok());
  RunRecord r = run_and_wait(engine, "route");
  INFO(r.to_json().pretty());
  CHECK(r.status == RunStatus::succeeded);
  CHECK(node(r, "boom").status == NodeStatus::failed);
  CHECK(node(r, "boom").port == "error");
  CHECK(node(r, "boom").output == Value::object({{"code", "not_found"}, {"message", "bad"}}));
  CHECK(node(r, "ok_path").status == NodeStatus::skipped);
  CHECK(node(r, "handler").output == Value("not_found"));
}

TEST_CASE("retries retryable errors with backoff and counts attempts", "[engine]") {
  Engine engine({.threads = 2});
  auto calls = std::make_shared<std::atomic<int>>(0);
  REQUIRE(register_fn(engine, "test.flaky", [calls](NodeCall call) {
            int n = ++*calls;
            int fail_first = static_cast<int>(call.params().get_int("fail_first"));
            std::string code = call.params().get_string("code", "unavailable");
            if (n <= fail_first)
              call.fail(Status(code == "unavailable" ? StatusCode::unavailable : StatusCode::invalid_argument,
                               "attempt " + std::to_string(call.attempt())));
            else
              call.succeed(Value(call.attempt()));
          }).ok());
  install(engine, R"({
    "id": "retry", "trigger": {"type": "manual"},
    "nodes": [{"id": "f", "type": "test.flaky", "params": {"fail_first": 2},
               "retry": {"max_attempts": 3, "initial_interval": "1ms", "max_interval": "5ms"}}]})");
  install(engine, R"({
    "id": "noretry", "trigger": {"type": "manual"},
    "nodes": [{"id": "f", "type": "test.flaky", "params": {"fail_first": 5, "code": "invalid_argument"},
               "retry": {"max_attempts": 3, "initial_interval": "1ms"}}]})");
  install(engine, R"({
    "id": "exhaust", "trigger": {"type": "manual"},
    "nodes": [{"id": "f", "type": "test.flaky", "params": {"fail_first": 100},
               "retry": {"max_attempts": 4, "initial_interval": "1ms", "max_interval": "2ms"}}]})");
  install(engine, R"({
    "id": "retry_on", "trigger": {"type": "manual"},
    "nodes": [{"id": "f", "type": "test.flaky", "params": {"fail_first": 1, "code": "invalid_argument"},
               "retry": {"max_attempts": 2, "initial_interval": "1ms", "on": ["invalid_argument"]}}]})");
  REQUIRE(engine.start().ok());

  RunRecord r = run_and_wait(engine, "retry");
  CHECK(r.status == RunStatus::succeeded);
  CHECK(node(r, "f").attempts == 3);
  CHECK(node(r, "f").output == Value(3));

  *calls = 0;
  RunRecord n = run_and_wait(engine, "noretry");
  CHECK(n.status == RunStatus::failed);
  CHECK(node(n, "f").attempts == 1);

  *calls = 0;
  RunRecord e = run_and_wait(engine, "exhaust");
  CHECK(e.status == RunStatus::failed);
  CHECK(node(e, "f").attempts == 4);
  CHECK(node(e, "f").error == "attempt 4");

  *calls = 0;
  RunRecord o = run_and_wait(engine, "retry_on");
  CHECK(o.status == RunStatus::succeeded);
  CHECK(node(o, "f").attempts == 2);
}

TEST_CASE("a node timeout fails the node with code timeout and cancels its call", "[engine]") {
  Engine engine({.threads = 2});
  auto held = std::make_shared<Held>();
  REQUIRE(register_hold(engine, held).ok());
  install(engine, R"({
    "id": "slow", "trigger": {"type": "manual"},
    "nodes": [{"id": "h", "type": "test.hold", "timeout": "20ms"},
              {"id": "w", "type": "wait", "timeout": "10ms", "on_error": "continue", "params": {"duration": "1h"}}]})");
  REQUIRE(engine.start().ok());
  RunRecord r = run_and_wait(engine, "slow");
  INFO(r.to_json().pretty());
  CHECK(r.status == RunStatus::failed);
  CHECK(node(r, "h").status == NodeStatus::failed);
  CHECK(node(r, "h").error_code == StatusCode::deadline_exceeded);
  CHECK(r.to_json().find("nodes")->find("h")->find("error")->get_string("code") == "timeout");
  CHECK(held->any_cancelled());
  // The late completion is ignored.
  {
    std::lock_guard lk(held->m);
    for (auto& c : held->calls) c.succeed(Value("late"));
  }
  CHECK(engine.get_run(r.id).value().node("h")->status == NodeStatus::failed);
  held->clear();
}

TEST_CASE("exceptions and dropped calls fail the node with internal", "[engine]") {
  Engine engine({.threads = 1});
  REQUIRE(register_fn(engine, "test.throw", [](NodeCall) { throw std::runtime_error("kaboom"); }).ok());
  REQUIRE(register_fn(engine, "test.drop", [](NodeCall) {}).ok());
  install(engine, R"({
    "id": "throws", "trigger": {"type": "manual"},
    "nodes": [{"id": "t", "type": "test.throw", "on_error": "continue"},
              {"id": "d", "type": "test.drop", "on_error": "continue"}]})");
  REQUIRE(engine.start().ok());
  RunRecord r = run_and_wait(engine, "throws");
  CHECK(r.status == RunStatus::succeeded);
  CHECK(node(r, "t").error_code == StatusCode::internal);
  CHECK(node(r, "t").error.find("kaboom") != std::string::npos);
  CHECK(node(r, "d").error_code == StatusCode::internal);
  CHECK(node(r, "d").error.find("without completing") != std::string::npos);
}

TEST_CASE("cancel ends the run cancelled, running nodes see cancelled()", "[engine]") {
  Engine engine({.threads = 2});
  auto held = std::make_shared<Held>();
  REQUIRE(register_hold(engine, held).ok());
  install(engine, R"({
    "id": "cancel", "trigger": {"type": "manual"},
    "nodes": [{"id": "h", "type": "test.hold"}, {"id": "after", "type": "noop", "after": "h"}]})");
  REQUIRE(engine.start().ok());
  auto h = engine.run("cancel", Value::object());
  REQUIRE(h.ok());
  held->arrived.wait();
  CHECK_FALSE(h.value().done());
  h.value().cancel();
  RunRecord r = h.value().wait();
  CHECK(r.status == RunStatus::cancelled);
  CHECK(r.error_code == StatusCode::cancelled);
  CHECK(node(r, "h").status == NodeStatus::cancelled);
  CHECK(node(r, "after").status == NodeStatus::cancelled);
  CHECK(held->any_cancelled());
  held->clear();
}

TEST_CASE("a run past settings.timeout fails with code timeout", "[engine]") {
  Engine engine({.threads = 2});
  install(engine, R"({
    "id": "runtimeout", "trigger": {"type": "manual"}, "settings": {"timeout": "20ms"},
    "nodes": [{"id": "w", "type": "wait", "params": {"duration": "1h"}}]})");
  REQUIRE(engine.start().ok());
  RunRecord r = run_and_wait(engine, "runtimeout");
  CHECK(r.status == RunStatus::failed);
  CHECK(r.error_code == StatusCode::deadline_exceeded);
  CHECK(r.to_json().find("error")->get_string("code") == "timeout");
  CHECK(node(r, "w").status == NodeStatus::cancelled);
}

TEST_CASE("a runaway expression fails its node with a clear error", "[engine]") {
  Engine engine({.threads = 1, .max_expression_steps = 20});
  install(engine, R"({
    "id": "runaway", "trigger": {"type": "manual"},
    "nodes": [{"id": "x", "type": "noop",
               "params": {"value": "{{ trigger.n+trigger.n+trigger.n+trigger.n+trigger.n+trigger.n+trigger.n+trigger.n+trigger.n+trigger.n+trigger.n+trigger.n+trigger.n+trigger.n+trigger.n+trigger.n+trigger.n+trigger.n+trigger.n+trigger.n+trigger.n+trigger.n+trigger.n+trigger.n+trigger.n+trigger.n+trigger.n+trigger.n+trigger.n+trigger.n }}"}}]})");
  REQUIRE(engine.start().ok());
  RunRecord r = run_and_wait(engine, "runaway", Value::object({{"n", 1}}));
  INFO(r.to_json().pretty());
  CHECK(r.status == RunStatus::failed);
  CHECK(node(r, "x").error_code == StatusCode::resource_exhausted);
  CHECK(node(r, "x").error.find("params") != std::string::npos);
}
