// The Engine API: event routing, dedupe, custom triggers, run records, resume,
// versions and shutdown.
#include <atomic>
#include <memory>

#include "engine/engine_helpers.hpp"
#include "engine/engine_impl.hpp"

using namespace famulor;
using famulor::test::Gate;
using famulor::test::install;
using famulor::test::node;
using famulor::test::register_fn;
using famulor::test::run_and_wait;

TEST_CASE("emit routes events by type, name, filter and workflow", "[engine]") {
  Engine engine({.threads = 2});
  install(engine, R"({"id": "named", "trigger": {"type": "event", "name": "order"},
    "nodes": [{"id": "r", "type": "respond", "params": {"value": "named"}}]})");
  install(engine, R"({"id": "anyname", "trigger": {"type": "event"},
    "nodes": [{"id": "r", "type": "respond", "params": {"value": "any"}}]})");
  install(engine, R"({"id": "big", "trigger": {"type": "event", "name": "order", "filter": "{{ trigger.total > 100 }}"},
    "nodes": [{"id": "r", "type": "respond", "params": {"value": "big"}}]})");
  install(engine, R"({"id": "manual", "trigger": {"type": "manual"},
    "nodes": [{"id": "r", "type": "respond", "params": {"value": "manual"}}]})");

  CHECK(engine.emit({.type = "event", .payload = Value::object()}).status().code() == StatusCode::failed_precondition);
  REQUIRE(engine.start().ok());

  auto responses = [&](Event ev) {
    auto r = engine.emit(std::move(ev));
    REQUIRE(r.ok());
    std::vector<std::string> out;
    for (auto& h : r.value()) out.push_back(h.wait().response.as_string());
    std::sort(out.begin(), out.end());
    return out;
  };
  using V = std::vector<std::string>;
  CHECK(responses({.type = "event", .payload = Value::object({{"total", 5}}), .name = "order"}) == V{"any", "named"});
  CHECK(responses({.type = "event", .payload = Value::object({{"total", 500}}), .name = "order"}) ==
        V{"any", "big", "named"});
  CHECK(responses({.type = "event", .payload = Value::object(), .name = "other"}) == V{"any"});
  CHECK(responses({.type = "event", .payload = Value::object({{"total", 500}}), .name = "order", .workflow = "big"}) ==
        V{"big"});
  CHECK(responses({.type = "call.ended", .payload = Value::object()}).empty());
  CHECK(run_and_wait(engine, "named").response == Value("named"));  // a manual run of any workflow
  CHECK(engine.run("nope", Value()).status().code() == StatusCode::not_found);
}

TEST_CASE("a dedupe key starts no second run", "[engine]") {
  Engine engine({.threads = 2});
  install(engine, R"({"id": "d", "trigger": {"type": "event"}, "nodes": [{"id": "n", "type": "noop"}]})");
  REQUIRE(engine.start().ok());
  auto first = engine.emit({.type = "event", .payload = Value::object(), .dedupe_key = "call-1"});
  auto again = engine.emit({.type = "event", .payload = Value::object(), .dedupe_key = "call-1"});
  auto other = engine.emit({.type = "event", .payload = Value::object(), .dedupe_key = "call-2"});
  REQUIRE(first.ok());
  REQUIRE(again.ok());
  REQUIRE(other.ok());
  REQUIRE(first.value().size() == 1);
  REQUIRE(again.value().size() == 1);
  CHECK(first.value()[0].id() == again.value()[0].id());
  CHECK(other.value()[0].id() != first.value()[0].id());
}

namespace {

struct TriggerProbe {
  std::atomic<int> started{0}, stopped{0};
  TriggerSink* sink = nullptr;
};

class ProbeTrigger final : public Trigger {
 public:
  explicit ProbeTrigger(std::shared_ptr<TriggerProbe> p) : p_(std::move(p)) {}
  Status start(TriggerSink& sink) override {
    p_->sink = &sink;
    ++p_->started;
    return {};
  }
  void stop() override { ++p_->stopped; }

 private:
  std::shared_ptr<TriggerProbe> p_;
};

}  // namespace

TEST_CASE("a custom trigger type feeds its workflow", "[engine]") {
  Engine engine({.threads = 2});
  auto probe = std::make_shared<TriggerProbe>();
  TriggerTypeInfo info;
  info.type = "test.bell";
  info.allow_extra_params = true;
  REQUIRE(engine
              .register_trigger(info,
                                [probe](const Workflow&) -> Result<std::unique_ptr<Trigger>> {
                                  return std::unique_ptr<Trigger>(std::make_unique<ProbeTrigger>(probe));
                                })
              .ok());
  CHECK(engine.register_trigger(info, [](const Workflow&) -> Result<std::unique_ptr<Trigger>> {
                return internal_error("x");
              }).code() == StatusCode::already_exists);
  install(engine, R"({"id": "bell", "trigger": {"type": "test.bell"},
    "nodes": [{"id": "r", "type": "respond", "params": {"value": "{{ trigger.ring }}"}}]})");
  install(engine, R"({"id": "other", "trigger": {"type": "manual"}, "nodes": [{"id": "r", "type": "noop"}]})");
  CHECK(probe->started == 0);
  REQUIRE(engine.start().ok());
  REQUIRE(probe->started == 1);
  REQUIRE(probe->sink != nullptr);
  auto ids = probe->sink->emit({.payload = Value::object({{"ring", "ding"}})});
  REQUIRE(ids.ok());
  REQUIRE(ids.value().size() == 1);
  auto h = engine.find_run(ids.value()[0]);
  REQUIRE(h.ok());
  RunRecord r = h.value().wait();
  CHECK(r.workflow == "bell");
  CHECK(r.response == Value("ding"));
  engine.stop();
  CHECK(probe->stopped == 1);
}

TEST_CASE("a custom node type and its factory errors", "[engine]") {
  Engine engine({.threads = 1});
  REQUIRE(register_fn(engine, "test.double", [](NodeCall call) {
            call.succeed(Value(call.params().get_int("x") * 2));
          }).ok());
  CHECK(register_fn(engine, "test.double", [](NodeCall) {}).code() == StatusCode::already_exists);
  CHECK(engine.catalog().find_node("test.double") != nullptr);
  install(engine, R"({"id": "c", "trigger": {"type": "manual"},
    "nodes": [{"id": "d", "type": "test.double", "params": {"x": "{{ trigger.x }}"}}]})");
  REQUIRE(engine.start().ok());
  RunRecord r = run_and_wait(engine, "c", Value::object({{"x", 21}}));
  CHECK(node(r, "d").output == Value(42));
  CHECK(node(r, "d").input == Value::object({{"x", 21}}));
}

TEST_CASE("RunRecord JSON has the contract's shape", "[engine]") {
  Engine engine({.threads = 1});
  install(engine, R"({"id": "shape", "version": 3, "trigger": {"type": "manual"},
    "nodes": [{"id": "a", "type": "set", "params": {"fields": {"x": 1}}},
              {"id": "b", "type": "respond", "after": "a", "params": {"value": "{{ nodes.a.output }}"}}]})");
  REQUIRE(engine.start().ok());
  RunRecord r = run_and_wait(engine, "shape", Value::object({{"t", true}}));
  Value j = r.to_json();
  INFO(j.pretty());
  CHECK(j.get_string("id") == r.id);
  CHECK(j.get_string("workflow") == "shape");
  CHECK(j.get_int("workflow_version") == 3);
  CHECK(j.get_string("status") == "succeeded");
  CHECK(*j.find("trigger") == Value::object({{"t", true}}));
  CHECK(j.find("started_at")->is_string());
  CHECK(j.find("finished_at")->is_string());
  CHECK(*j.find("response") == Value::object({{"x", 1}}));
  const Value* a = j.find("nodes")->find("a");
  REQUIRE(a != nullptr);
  for (const char* k : {"status", "input", "output", "error", "attempts", "duration_ms"}) {
    INFO(k);
    CHECK(a->find(k) != nullptr);
  }
  CHECK(a->get_string("status") == "succeeded");
  CHECK(a->get_int("attempts") == 1);
  CHECK(a->find("error")->is_null());
  // get_run finds it after it finished.
  auto again = engine.get_run(r.id);
  REQUIRE(again.ok());
  CHECK(again.value().to_json() == j);
}

TEST_CASE("keep_finished_runs bounds the finished runs kept", "[engine]") {
  Engine engine({.threads = 1, .keep_finished_runs = 2});
  install(engine, R"({"id": "k", "trigger": {"type": "manual"}, "nodes": [{"id": "n", "type": "noop"}]})");
  REQUIRE(engine.start().ok());
  std::vector<std::string> ids;
  for (int i = 0; i < 4; ++i) ids.push_back(run_and_wait(engine, "k").id);
  CHECK(engine.get_run(ids[0]).status().code() == StatusCode::not_found);
  CHECK(engine.get_run(ids[1]).status().code() == StatusCode::not_found);
  CHECK(engine.get_run(ids[3]).ok());
}

TEST_CASE("a running run keeps its workflow version while a new one is installed", "[engine]") {
  Engine engine({.threads = 2});
  Gate gate;
  REQUIRE(register_fn(engine, "test.gate", [&gate](NodeCall call) {
            gate.wait();
            call.succeed(Value());
          }).ok());
  install(engine, R"({"id": "v", "version": 1, "trigger": {"type": "manual"},
    "nodes": [{"id": "g", "type": "test.gate"}, {"id": "r", "type": "respond", "after": "g", "params": {"value": 1}}]})");
  REQUIRE(engine.start().ok());
  auto h = engine.run("v", Value());
  REQUIRE(h.ok());
  install(engine, R"({"id": "v", "version": 2, "trigger": {"type": "manual"},
    "nodes": [{"id": "r", "type": "respond", "params": {"value": 2}}]})");
  gate.open();
  RunRecord old = h.value().wait();
  CHECK(old.workflow_version == 1);
  CHECK(old.response == Value(1));
  CHECK(run_and_wait(engine, "v").response == Value(2));
  CHECK(engine.workflow("v")->version() == 2);
}

TEST_CASE("resume skips checkpointed nodes and runs the rest", "[engine]") {
  Engine engine({.threads = 1});
  auto runs = std::make_shared<std::atomic<int>>(0);
  REQUIRE(register_fn(engine, "test.count", [runs](NodeCall call) {
            ++*runs;
            call.succeed(Value::object({{"n", call.params().get_int("n")}}));
          }).ok());
  install(engine, R"({"id": "res", "trigger": {"type": "manual"},
    "nodes": [{"id": "one", "type": "test.count", "params": {"n": 1}},
              {"id": "two", "type": "test.count", "after": "one", "params": {"n": "{{ nodes.one.output.n + 1 }}"}},
              {"id": "out", "type": "respond", "after": "two", "params": {"value": "{{ nodes.two.output.n }}"}}]})");
  REQUIRE(engine.start().ok());
  store::UnfinishedRun u;
  u.run.id = "01RESUMEDRUN0000000000000";
  u.run.workflow = "res";
  u.run.trigger = Value::object();
  store::Checkpoint cp;
  cp.run_id = u.run.id;
  cp.node_id = "one";
  cp.status = NodeStatus::succeeded;
  cp.output = Value::object({{"n", 10}});
  cp.attempts = 1;
  u.checkpoints.push_back(cp);
  auto h = engine.impl().resume(u);
  REQUIRE(h.ok());
  RunRecord r = h.value().wait();
  CHECK(r.id == u.run.id);
  CHECK(r.status == RunStatus::succeeded);
  CHECK(*runs == 1);  // only "two" ran
  CHECK(r.response == Value(11));
}

TEST_CASE("stop cancels what is left and shuts down cleanly", "[engine]") {
  Engine engine({.threads = 2});
  install(engine, R"({"id": "long", "trigger": {"type": "manual"},
    "nodes": [{"id": "w", "type": "wait", "params": {"duration": "1h"}}]})");
  REQUIRE(engine.start().ok());
  auto h = engine.run("long", Value());
  REQUIRE(h.ok());
  std::atomic<bool> called{false};
  h.value().on_done([&](const RunRecord& r) { called = r.status == RunStatus::cancelled; });
  engine.stop(std::chrono::milliseconds(0));
  CHECK(h.value().done());
  CHECK(h.value().wait().status == RunStatus::cancelled);
  CHECK(called);
  CHECK(engine.run("long", Value()).status().code() == StatusCode::failed_precondition);
}
