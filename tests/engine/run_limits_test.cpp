// Run concurrency limits in a real Engine: settings.concurrency queues a
// workflow's runs in order; the global cap (max_running_runs) with a bounded queue
// (max_queued_runs) refuses emit() with resource_exhausted, storing nothing; a run
// held by its own workflow's limit does not hold up others; queued runs are stored
// and resume through the same limits after a stop.
#include <catch2/catch.hpp>

#include <atomic>
#include <mutex>
#include <thread>

#include "engine_helpers.hpp"
#include "support/paths.hpp"

using namespace famulor;
using namespace famulor::test;

namespace {

// Emits event "go" with payload {"n": i}; the run it started.
RunHandle emit_go(Engine& engine, int i) {
  Event ev;
  ev.type = "event";
  ev.name = "go";
  ev.payload = Value::object({{"n", i}});
  auto r = engine.emit(std::move(ev));
  REQUIRE(r.ok());
  return r->front();
}

}  // namespace

TEST_CASE("settings.concurrency runs one at a time, in order, the others wait queued", "[reliability][engine]") {
  EngineOptions o;
  o.threads = 2;
  Engine engine(o);
  std::mutex m;
  std::vector<std::string> order;
  auto gates = std::make_shared<std::vector<std::shared_ptr<Gate>>>();
  for (int i = 0; i < 3; ++i) gates->push_back(std::make_shared<Gate>());
  REQUIRE(register_fn(engine, "test.hold", [&, gates](NodeCall call) {
            auto n = call.trigger().get_int("n");
            {
              std::lock_guard lk(m);
              order.push_back(std::to_string(n));
            }
            (*gates)[static_cast<std::size_t>(n)]->wait();
            call.succeed(Value(n));
          }).ok());
  install(engine, R"({"id": "serial", "trigger": {"type": "event", "name": "go"}, "settings": {"concurrency": 1},
    "nodes": [{"id": "h", "type": "test.hold"}]})");
  REQUIRE(engine.start().ok());
  std::vector<RunHandle> runs;
  for (int i = 0; i < 3; ++i) {
    runs.push_back(emit_go(engine, i));
  }
  CHECK(runs[1].snapshot().status == RunStatus::queued);
  CHECK(runs[2].snapshot().status == RunStatus::queued);
  for (int i = 0; i < 3; ++i) {
    (*gates)[static_cast<std::size_t>(i)]->open();
    CHECK(runs[static_cast<std::size_t>(i)].wait().status == RunStatus::succeeded);
  }
  std::lock_guard lk(m);
  CHECK(order == std::vector<std::string>{"0", "1", "2"});
}

TEST_CASE("a full run queue refuses emit with resource_exhausted and stores nothing", "[reliability][engine]") {
  TempDir dir;
  EngineOptions o;
  o.threads = 2;
  o.db = (dir / "famulor.db").string();
  o.max_running_runs = 2;
  o.max_queued_runs = 1;
  Engine engine(o);
  auto gate = std::make_shared<Gate>();
  std::atomic<int> started{0};
  REQUIRE(register_fn(engine, "test.hold", [gate, &started](NodeCall call) {
            ++started;
            gate->wait();
            call.succeed(Value(true));
          }).ok());
  install(engine, R"({"id": "slow", "trigger": {"type": "event", "name": "go"},
    "nodes": [{"id": "h", "type": "test.hold"}]})");
  REQUIRE(engine.start().ok());
  auto emit = [&] {
    Event ev;
    ev.type = "event";
    ev.name = "go";
    ev.payload = Value::object();
    return engine.emit(std::move(ev));
  };
  std::vector<RunHandle> accepted;
  for (int i = 0; i < 3; ++i) {
    auto r = emit();
    REQUIRE(r.ok());
    accepted.push_back(r->front());
  }
  CHECK(accepted[2].snapshot().status == RunStatus::queued);
  auto refused = emit();
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().code() == StatusCode::resource_exhausted);
  CHECK(refused.status().message().find("overloaded") != std::string::npos);
  auto stored = engine.list_runs();
  REQUIRE(stored.ok());
  CHECK(stored->runs.size() == 3);
  gate->open();
  for (auto& h : accepted) CHECK(h.wait().status == RunStatus::succeeded);
  CHECK(started.load() == 3);
  // Room again.
  auto again = emit();
  REQUIRE(again.ok());
  CHECK(again->front().wait().status == RunStatus::succeeded);
}

TEST_CASE("a run held by its own workflow's limit does not hold up another workflow under the global cap",
          "[reliability][engine]") {
  EngineOptions o;
  o.threads = 2;
  o.max_running_runs = 4;
  o.max_queued_runs = 10;
  Engine engine(o);
  auto gate = std::make_shared<Gate>();
  REQUIRE(register_fn(engine, "test.hold", [gate](NodeCall call) {
            gate->wait();
            call.succeed(Value(true));
          }).ok());
  install(engine, R"({"id": "a", "trigger": {"type": "event", "name": "a"}, "settings": {"concurrency": 1},
    "nodes": [{"id": "h", "type": "test.hold"}]})");
  install(engine, R"({"id": "b", "trigger": {"type": "event", "name": "b"},
    "nodes": [{"id": "s", "type": "set", "params": {"fields": {"ok": true}}}]})");
  REQUIRE(engine.start().ok());
  auto emit = [&](const char* name) {
    Event ev;
    ev.type = "event";
    ev.name = name;
    ev.payload = Value::object();
    auto r = engine.emit(std::move(ev));
    REQUIRE(r.ok());
    return r->front();
  };
  RunHandle a1 = emit("a");
  RunHandle a2 = emit("a");
  CHECK(a2.snapshot().status == RunStatus::queued);
  // b is not queued behind a2: it finishes while a1 still holds a's only slot.
  CHECK(emit("b").wait().status == RunStatus::succeeded);
  CHECK(a2.snapshot().status == RunStatus::queued);
  gate->open();
  CHECK(a1.wait().status == RunStatus::succeeded);
  CHECK(a2.wait().status == RunStatus::succeeded);
}

TEST_CASE("queued runs are stored: after a stop they resume on the next start, through the same limits",
          "[reliability][engine]") {
  TempDir dir;
  const std::string db = (dir / "famulor.db").string();
  const char* wf = R"({"id": "serial", "trigger": {"type": "event", "name": "go"}, "settings": {"concurrency": 1},
    "nodes": [{"id": "w", "type": "wait", "params": {"duration": "1h"}}]})";
  std::vector<std::string> ids;
  {
    EngineOptions o;
    o.threads = 2;
    o.db = db;
    Engine engine(o);
    install(engine, wf);
    REQUIRE(engine.start().ok());
    for (int i = 0; i < 3; ++i) {
      ids.push_back(emit_go(engine, i).id());
    }
    CHECK(await_status(engine, ids[0], RunStatus::waiting) == RunStatus::waiting);  // in its wait node
    CHECK(engine.get_run(ids[2])->status == RunStatus::queued);
    engine.stop(std::chrono::milliseconds(0));  // suspends all three
  }
  EngineOptions o;
  o.threads = 2;
  o.db = db;
  Engine engine(o);
  install(engine, wf);
  REQUIRE(engine.start().ok());
  // One of them runs again (its wait sleeps on); the other two wait their turn.
  // The resumed one is dispatched on a pool thread after start(): poll, bounded.
  int running = 0, queued = 0;
  eventually([&] {
    running = queued = 0;
    for (const auto& id : ids) {
      auto h = engine.find_run(id);
      REQUIRE(h.ok());
      auto st = h->snapshot().status;
      running += st == RunStatus::running || st == RunStatus::waiting;
      queued += st == RunStatus::queued;
    }
    return running != 0;
  });
  CHECK(running == 1);
  CHECK(queued == 2);
}
