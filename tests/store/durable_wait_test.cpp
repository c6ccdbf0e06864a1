// Durable `wait` timers: a waiting run survives a restart with its due time; a
// timer that fell due while the engine was down fires at once, marked late.
#include <chrono>
#include <thread>

#include <famulor/engine.hpp>

#include "store_test_util.hpp"
#include "support/eventually.hpp"

using namespace famulor;

namespace {

constexpr const char* kWaitFlow = R"({"id": "nap", "trigger": {"type": "event"},
  "nodes": [{"id": "a", "type": "set", "params": {"fields": {"x": 1}}},
            {"id": "w", "type": "wait", "after": "a", "params": {"duration": "1h"}},
            {"id": "r", "type": "respond", "after": "w", "params": {"value": "{{ nodes.w.output }}"}}]})";

void install(Engine& e) {
  auto wf = e.parse(kWaitFlow);
  INFO(wf.status().to_string());
  REQUIRE(wf.ok());
  REQUIRE(e.install(std::move(wf.value())).ok());
}

// Polls the store (bounded) until node w of `id` is recorded waiting; its due time.
std::int64_t wait_until_waiting(const std::string& db, const std::string& id) {
  auto s = test::open_store(db);
  std::int64_t due = 0;
  bool seen = test::eventually([&] {
    auto r = s->unfinished_runs();
    REQUIRE(r.ok());
    for (const auto& u : *r)
      if (u.run.id == id)
        for (const auto& cp : u.checkpoints)
          if (cp.node_id == "w" && cp.status == NodeStatus::waiting) {
            due = cp.due_ms;
            return true;
          }
    return false;
  });
  if (seen) return due;
  FAIL("node w of run " << id << " was never recorded waiting");
  return 0;
}

}  // namespace

TEST_CASE("a wait survives a restart and keeps its due time", "[store][engine]") {
  test::TempDir dir;
  const std::string db = (dir / "w.db").string();
  std::string id;
  std::int64_t due = 0;
  {
    Engine e{EngineOptions{.threads = 2, .db = db}};
    install(e);
    REQUIRE(e.start().ok());
    auto r = e.emit({.type = "event", .payload = Value::object()});
    REQUIRE(r.ok());
    id = r->front().id();
    due = wait_until_waiting(db, id);
    CHECK(due > detail::now_ms() + 50 * 60 * 1000);
    e.stop(std::chrono::milliseconds(0));  // the run is not cancelled: it resumes later
  }
  {
    Engine e{EngineOptions{.threads = 2, .db = db}};
    install(e);
    REQUIRE(e.start().ok());
    CHECK(test::eventually([&] {  // the resumed run reaches w
      auto rec = e.get_run(id);
      REQUIRE(rec.ok());
      return rec->status == RunStatus::waiting;
    }));
    CHECK(wait_until_waiting(db, id) == due);  // the clock did not restart
    e.stop(std::chrono::milliseconds(0));
  }
  SECTION("a timer that fell due while the engine was down fires at once, marked late") {
    {
      auto s = test::open_store(db);
      s->checkpoint({.run_id = id,
                     .node_id = std::string("w"),
                     .status = NodeStatus::waiting,
                     .attempts = 1,
                     .due_ms = detail::now_ms() - 5000});
      REQUIRE(s->flush().ok());
    }
    Engine e{EngineOptions{.threads = 2, .db = db}};
    install(e);
    REQUIRE(e.start().ok());
    auto h = e.find_run(id);
    REQUIRE(h.ok());
    RunRecord rec = h->wait();
    CHECK(rec.status == RunStatus::succeeded);
    const NodeRecord* w = rec.node("w");
    REQUIRE(w != nullptr);
    CHECK(w->output.get_bool("late") == true);
    CHECK(w->output.get_int("late_ms") >= 5000);
    CHECK(rec.node("a")->attempts == 1);  // restored, not run again
  }
}
