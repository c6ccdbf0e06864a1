// Operating on runs with a real SQLite store: retry from the failed node (earlier
// nodes keep their checkpoints and are not called again), retry with the current
// version, cancel a run waiting on a durable timer (no restart resumes it),
// cancel a live run, list runs with filters and pages.
#include <atomic>
#include <memory>
#include <thread>

#include "engine/engine_helpers.hpp"
#include "store_test_util.hpp"
#include "support/eventually.hpp"

using namespace famulor;
using famulor::test::install;
using famulor::test::register_fn;

namespace {

// Calls per node id, and a switch that makes `test.flaky` fail until cleared.
struct Counters {
  std::atomic<int> a{0}, b{0}, c{0};
  std::atomic<bool> broken{true};
  std::atomic<int>& of(std::string_view id) { return id == "a" ? a : id == "b" ? b : c; }
};

constexpr const char* kChain = R"({"id": "chain", "trigger": {"type": "event"},
  "nodes": [{"id": "a", "type": "test.count"},
            {"id": "b", "type": "test.flaky", "after": "a"},
            {"id": "c", "type": "test.count", "after": "b"}]})";

// An engine on `db` with test.count (counts, outputs {"node": id, "call": n}) and
// test.flaky (counts; fails with unavailable while broken).
std::unique_ptr<Engine> chain_engine(const std::string& db, std::shared_ptr<Counters> n) {
  auto e = std::make_unique<Engine>(EngineOptions{.threads = 2, .db = db});
  REQUIRE(register_fn(*e, "test.count", [n](NodeCall call) {
            int k = ++n->of(call.node_id());
            call.succeed(Value::object({{"node", std::string(call.node_id())}, {"call", k}}));
          }).ok());
  REQUIRE(register_fn(*e, "test.flaky", [n](NodeCall call) {
            ++n->of(call.node_id());
            if (n->broken) return call.fail(Status(StatusCode::unavailable, "the CRM is down"));
            call.succeed(Value::object({{"fixed", true}}));
          }).ok());
  return e;
}

std::string emit_one(Engine& e) {
  auto r = e.emit({.type = "event", .payload = Value::object({{"caller", "+4930123"}})});
  INFO(r.status().to_string());
  REQUIRE(r.ok());
  REQUIRE(r->size() == 1);
  return r->front().id();
}

constexpr const char* kNap = R"({"id": "nap", "trigger": {"type": "event"},
  "nodes": [{"id": "a", "type": "set", "params": {"fields": {"x": 1}}},
            {"id": "w", "type": "wait", "after": "a", "params": {"duration": "1h"}},
            {"id": "r", "type": "respond", "after": "w", "params": {"value": "done"}}]})";

// Polls the store (bounded) until node w of run `id` is recorded waiting.
void await_waiting(const std::string& db, const std::string& id) {
  auto s = test::open_store(db);
  if (test::eventually([&] {
        auto r = s->get_run(id);
        return r.ok() && r->node("w") && r->node("w")->status == NodeStatus::waiting;
      }))
    return;
  FAIL("node w of run " << id << " was never recorded waiting");
}

}  // namespace

TEST_CASE("retry runs a failed run again from its failed node and does not call earlier nodes again",
          "[store][engine][ops]") {
  test::TempDir dir;
  const std::string db = (dir / "retry.db").string();
  auto n = std::make_shared<Counters>();
  std::string id;
  RunRecord first;
  {
    auto e = chain_engine(db, n);
    install(*e, kChain);
    REQUIRE(e->start().ok());
    id = emit_one(*e);
    first = e->find_run(id)->wait();
    REQUIRE(first.status == RunStatus::failed);
    e->stop();
  }
  CHECK(n->a == 1);
  CHECK(n->b == 1);
  CHECK(n->c == 0);
  {  // the history shows the node that failed the run, with its error
    auto s = test::open_store(db);
    auto stored = s->get_run(id);
    REQUIRE(stored.ok());
    REQUIRE(stored->node("b"));
    CHECK(stored->node("b")->status == NodeStatus::failed);
    CHECK(stored->node("b")->error == "the CRM is down");
    CHECK(stored->node("b")->error_code == StatusCode::unavailable);
  }

  // A restarted engine (the store is all it knows of the run); the CRM is back.
  n->broken = false;
  auto e = chain_engine(db, n);
  install(*e, kChain);
  REQUIRE(e->start().ok());

  SECTION("default: from the failed node") {
    auto h = e->retry(id);
    INFO(h.status().to_string());
    REQUIRE(h.ok());
    CHECK(h->id() == id);
    RunRecord r = h->wait();
    CHECK(r.status == RunStatus::succeeded);
    CHECK(n->a == 1);  // restored from its checkpoint
    CHECK(n->b == 2);
    CHECK(n->c == 1);
    CHECK(r.node("a")->output == Value::object({{"node", "a"}, {"call", 1}}));
    CHECK(r.node("a")->started_at_ms == first.node("a")->started_at_ms);
    CHECK(r.node("b")->output == Value::object({{"fixed", true}}));
    e->stop();
    auto stored = e->get_run(id);
    REQUIRE(stored.ok());
    CHECK(stored->status == RunStatus::succeeded);
    CHECK(stored->error.empty());
    CHECK(stored->node("c")->status == NodeStatus::succeeded);
    auto page = e->list_runs({});
    REQUIRE(page.ok());
    CHECK(page->runs.size() == 1);  // the same run, not a new one

    auto again = e->retry(id);
    CHECK(again.status().code() == StatusCode::failed_precondition);  // succeeded now
  }
  SECTION("from an earlier node: it and everything after it run again") {
    auto h = e->retry(id, {.from_node = "a"});
    REQUIRE(h.ok());
    CHECK(h->wait().status == RunStatus::succeeded);
    CHECK(n->a == 2);
    CHECK(n->b == 2);
    CHECK(n->c == 1);
  }
  SECTION("errors name what is wrong") {
    auto unknown_node = e->retry(id, {.from_node = "zz"});
    CHECK(unknown_node.status().code() == StatusCode::not_found);
    CHECK(unknown_node.status().message().find("'zz'") != std::string::npos);
    CHECK(e->retry("01NOSUCHRUN").status().code() == StatusCode::not_found);
    CHECK(n->b == 1);  // nothing ran
  }
}

TEST_CASE("retry runs the version the run ran, or the current one on request", "[store][engine][ops]") {
  test::TempDir dir;
  const std::string db = (dir / "versions.db").string();
  constexpr const char* kV1 = R"({"id": "vers", "trigger": {"type": "event"},
    "nodes": [{"id": "a", "type": "set", "params": {"fields": {"x": 1}}},
              {"id": "b", "type": "fail", "after": "a", "params": {"message": "v1 is broken"}}]})";
  constexpr const char* kV2 = R"({"id": "vers", "trigger": {"type": "event"},
    "nodes": [{"id": "a", "type": "set", "params": {"fields": {"x": 1}}},
              {"id": "b", "type": "set", "after": "a", "params": {"fields": {"fixed": true}}}]})";
  Engine e{EngineOptions{.threads = 2, .db = db}};
  install(e, kV1);
  REQUIRE(e.start().ok());
  std::string id = emit_one(e);
  REQUIRE(e.find_run(id)->wait().status == RunStatus::failed);
  install(e, kV2);  // version 2

  RunRecord same = e.retry(id).value().wait();
  CHECK(same.status == RunStatus::failed);
  CHECK(same.workflow_version == 1);
  CHECK(same.node("b")->error == "v1 is broken");

  auto h = e.retry(id, {.use_current_version = true});
  REQUIRE(h.ok());
  RunRecord current = h->wait();
  CHECK(current.status == RunStatus::succeeded);
  CHECK(current.workflow_version == 2);
  CHECK(current.node("b")->output == Value::object({{"fixed", true}}));
  e.stop();
  auto stored = e.get_run(id);
  REQUIRE(stored.ok());
  CHECK(stored->workflow_version == 2);  // the run records the version it ran
  CHECK(stored->status == RunStatus::succeeded);
}

TEST_CASE("cancel a run waiting on a durable timer: recorded cancelled, never resumed", "[store][engine][ops]") {
  test::TempDir dir;
  const std::string db = (dir / "cancel.db").string();
  std::string id;
  {
    Engine e{EngineOptions{.threads = 2, .db = db}};
    install(e, kNap);
    REQUIRE(e.start().ok());
    id = emit_one(e);
    await_waiting(db, id);
    e.stop(std::chrono::milliseconds(0));  // suspended: a restart would resume it
  }
  {
    Engine ops{EngineOptions{.threads = 1, .db = db}};  // not started: the run is only in the store
    Status s = ops.cancel(id);
    INFO(s.to_string());
    REQUIRE(s.ok());
    Status again = ops.cancel(id);
    CHECK(again.code() == StatusCode::failed_precondition);
    CHECK(again.message().find("already cancelled") != std::string::npos);
    CHECK(ops.cancel("01NOSUCHRUN").code() == StatusCode::not_found);
  }
  Engine e{EngineOptions{.threads = 2, .db = db}};
  install(e, kNap);
  REQUIRE(e.start().ok());
  CHECK_FALSE(e.find_run(id).ok());  // not resumed: not live in this engine
  auto rec = e.get_run(id);
  REQUIRE(rec.ok());
  CHECK(rec->status == RunStatus::cancelled);
  CHECK(rec->error_code == StatusCode::cancelled);
  CHECK(rec->node("a")->status == NodeStatus::succeeded);
  CHECK(rec->node("w")->status == NodeStatus::cancelled);
  e.stop();
  auto s = test::open_store(db);
  CHECK(s->unfinished_runs()->empty());

  SECTION("a cancelled run can be retried") {
    Engine again{EngineOptions{.threads = 2, .db = db}};
    install(again, kNap);
    REQUIRE(again.start().ok());
    auto h = again.retry(id);
    REQUIRE(h.ok());
    await_waiting(db, id);  // from the cancelled node: the wait starts over
    CHECK(test::await_status(again, id, RunStatus::waiting) == RunStatus::waiting);
    REQUIRE(again.cancel(id).ok());  // live in this engine now
    RunRecord r = h->wait();
    CHECK(r.status == RunStatus::cancelled);
    again.stop();
    auto stored = again.get_run(id);
    REQUIRE(stored.ok());
    CHECK(stored->status == RunStatus::cancelled);
    CHECK(stored->node("w")->status == NodeStatus::cancelled);  // the cancelled node is recorded
  }
}

TEST_CASE("list_runs filters by workflow and status and pages newest first", "[store][engine][ops]") {
  test::TempDir dir;
  const std::string db = (dir / "list.db").string();
  constexpr const char* kOk = R"({"id": "ok", "trigger": {"type": "event", "name": "ok"},
    "nodes": [{"id": "a", "type": "set", "params": {"fields": {"x": 1}}}]})";
  constexpr const char* kBad = R"({"id": "bad", "trigger": {"type": "event", "name": "bad"},
    "nodes": [{"id": "a", "type": "fail", "params": {"message": "no"}}]})";
  for (bool with_store : {true, false}) {
    DYNAMIC_SECTION((with_store ? "from the store" : "in memory")) {
      Engine e{EngineOptions{.threads = 2, .db = with_store ? db : std::string()}};
      install(e, kOk);
      install(e, kBad);
      REQUIRE(e.start().ok());
      std::vector<std::string> ok_ids;
      for (int i = 0; i < 5; ++i) {
        auto r = e.emit({.type = "event", .payload = Value::object({{"i", i}}), .name = "ok"});
        REQUIRE(r.ok());
        r->front().wait();
        ok_ids.push_back(r->front().id());
        std::this_thread::sleep_for(std::chrono::milliseconds(2));  // distinct start times for the order
      }
      auto bad = e.emit({.type = "event", .payload = Value::object(), .name = "bad"});
      REQUIRE(bad.ok());
      bad->front().wait();
      e.stop();

      auto failed = e.list_runs({.status = RunStatus::failed});
      REQUIRE(failed.ok());
      REQUIRE(failed->runs.size() == 1);
      CHECK(failed->runs[0].workflow == "bad");

      std::vector<std::string> seen;
      std::string cursor;
      for (int page = 0; page < 10; ++page) {
        auto p = e.list_runs({.workflow = "ok", .limit = 2, .cursor = cursor});
        REQUIRE(p.ok());
        CHECK(p->runs.size() <= 2);
        for (const auto& r : p->runs) seen.push_back(r.id);
        cursor = p->next;
        if (cursor.empty()) break;
      }
      CHECK(seen == std::vector<std::string>(ok_ids.rbegin(), ok_ids.rend()));
      CHECK(e.list_runs({.cursor = "not-a-cursor"}).status().code() == StatusCode::invalid_argument);
    }
  }
}

TEST_CASE("without a store, retry and cancel work on the runs the engine keeps in memory", "[engine][ops]") {
  auto n = std::make_shared<Counters>();
  auto e = chain_engine("", n);
  install(*e, kChain);
  REQUIRE(e->start().ok());
  const std::string id = emit_one(*e);
  REQUIRE(e->find_run(id)->wait().status == RunStatus::failed);
  n->broken = false;
  auto h = e->retry(id);
  REQUIRE(h.ok());
  CHECK(h->wait().status == RunStatus::succeeded);
  CHECK(n->a == 1);
  CHECK(n->b == 2);
  CHECK(n->c == 1);
  auto rec = e->get_run(id);  // the retried run took the id's place
  REQUIRE(rec.ok());
  CHECK(rec->status == RunStatus::succeeded);
  auto page = e->list_runs({});
  REQUIRE(page.ok());
  CHECK(page->runs.size() == 1);
  CHECK(e->cancel(id).code() == StatusCode::failed_precondition);
  CHECK(e->cancel("nope").code() == StatusCode::not_found);
  e->stop();
  CHECK(e->retry(id).status().code() == StatusCode::failed_precondition);  // stopped
}
