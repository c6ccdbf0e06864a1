// Runs that start while their accept commits (EngineImpl::accept_early_and_launch,
// store::EarlyOutcome): a run done before the writer reaches its accept is written
// by the accept, finished, in one row; calls out and error workflows wait for the
// commit; a refused accept leaves nothing behind that anyone outside saw.
//
// The writer is held back deterministically by a second connection that owns the
// file's write lock (BEGIN IMMEDIATE): the writer's own BEGIN IMMEDIATE waits for
// it (busy timeout), so the run gets ahead of its accept whatever the machine's speed.
#include <atomic>
#include <chrono>
#include <mutex>
#include <memory>
#include <optional>
#include <thread>

#include "common/metrics.hpp"
#include "engine/engine_helpers.hpp"
#include "engine/engine_impl.hpp"
#include "store/sqlite_db.hpp"
#include "store_test_util.hpp"
#include "support/eventually.hpp"

using namespace famulor;
using famulor::test::eventually;
using famulor::test::install;
using famulor::test::register_fn;

namespace {

std::int64_t count(const std::string& db, const std::string& sql) {
  store::sql::Db raw(db, {.create = false});
  return raw.query_int(sql);
}

bool metric_shows(const std::string& line) { return metrics::render().find(line) != std::string::npos; }

// emit() on a thread of its own (it blocks until the accept is committed).
struct EmitThread {
  std::optional<Result<std::vector<RunHandle>>> result;
  std::thread t;
  EmitThread(Engine& e, Event ev) : t([this, &e, ev = std::move(ev)]() mutable { result.emplace(e.emit(std::move(ev))); }) {}
  Result<std::vector<RunHandle>>& join() {
    t.join();
    return *result;
  }
};

}  // namespace

TEST_CASE("a run that finishes while its accept waits is written finished by the accept itself", "[store][engine]") {
  test::TempDir dir;
  const std::string db = (dir / "early.db").string();
  Engine e{EngineOptions{.threads = 2, .db = db}};
  install(e, R"({"id": "early_pure", "trigger": {"type": "event"},
    "nodes": [{"id": "a", "type": "set", "params": {"fields": {"caller": "{{ trigger.from }}"}}},
              {"id": "b", "type": "if", "after": "a", "params": {"condition": "{{ trigger.long }}"}},
              {"id": "c", "type": "respond", "after": "b.true", "params": {"value": "{{ nodes.a.output.caller }}"}}]})");
  REQUIRE(e.start().ok());

  store::sql::Db lock(db, {.create = false});
  lock.exec("BEGIN IMMEDIATE");  // the writer cannot write the accept yet
  EmitThread emit(e, {.type = "event", .payload = Value::object({{"from", "+4930123"}, {"long", true}})});
  // The run ends while its accept is still queued...
  REQUIRE(eventually([] { return metric_shows("famulor_runs_finished_total{workflow=\"early_pure\",status=\"succeeded\"} 1"); }));
  lock.exec("COMMIT");
  auto& r = emit.join();
  INFO(r.status().to_string());
  REQUIRE(r.ok());
  REQUIRE(r->size() == 1);
  const std::string id = r->front().id();

  // ...so at the moment emit() returns, the store holds it finished: one row, its
  // node records packed inside, no checkpoint rows, never in the open-runs index.
  CHECK(count(db, "SELECT status FROM runs WHERE id = '" + id + "'") == static_cast<int>(RunStatus::succeeded));
  CHECK(count(db, "SELECT count(*) FROM runs WHERE id = '" + id + "' AND nodes IS NOT NULL") == 1);
  CHECK(count(db, "SELECT count(*) FROM checkpoints WHERE run = '" + id + "'") == 0);
  CHECK(count(db, "SELECT count(*) FROM runs INDEXED BY runs_open WHERE status < 3") == 0);
  e.stop();

  Engine again{EngineOptions{.threads = 1, .db = db}};
  auto rec = again.get_run(id);
  INFO(rec.status().to_string());
  REQUIRE(rec.ok());
  CHECK(rec->status == RunStatus::succeeded);
  CHECK(rec->response == Value("+4930123"));
  CHECK(rec->trigger.get_string("from") == "+4930123");
  REQUIRE(rec->nodes.size() == 3);
  REQUIRE(rec->node("a"));
  CHECK(rec->node("a")->output.get_string("caller") == "+4930123");
  REQUIRE(rec->node("b"));
  CHECK(rec->node("b")->port == "true");
  REQUIRE(rec->node("c"));
  CHECK(rec->node("c")->status == NodeStatus::succeeded);
}

TEST_CASE("a call out waits for its run's accept, and a refused accept sends nothing", "[store][engine]") {
  test::TempDir dir;
  const std::string db = (dir / "calls.db").string();
  std::atomic<int> calls{0};
  Engine e{EngineOptions{.threads = 2, .db = db}};
  REQUIRE(register_fn(e, "test.crm", [&calls](NodeCall call) {
            ++calls;
            call.succeed(Value::object({{"ok", true}}));
          }).ok());
  install(e, R"({"id": "early_call", "trigger": {"type": "event"},
    "nodes": [{"id": "a", "type": "set", "params": {"fields": {"x": 1}}},
              {"id": "crm", "type": "test.crm", "after": "a"},
              {"id": "done", "type": "respond", "after": "crm", "params": {"value": "{{ nodes.crm.output.ok }}"}}]})");
  REQUIRE(e.start().ok());

  SECTION("the call is made once the accept is committed") {
    store::sql::Db lock(db, {.create = false});
    lock.exec("BEGIN IMMEDIATE");
    EmitThread emit(e, {.type = "event", .payload = Value::object({{"n", 1}})});
    // The set node runs ahead of the commit; the call out does not.
    REQUIRE(eventually([] { return metric_shows("famulor_node_duration_seconds_count{type=\"set\",status=\"succeeded\"}"); }));
    CHECK(calls.load() == 0);
    lock.exec("COMMIT");
    auto& r = emit.join();
    REQUIRE(r.ok());
    RunRecord rec = r->front().wait();
    CHECK(rec.status == RunStatus::succeeded);
    CHECK(rec.response == Value(true));
    CHECK(calls.load() == 1);
    e.stop();
    Engine again{EngineOptions{.threads = 1, .db = db}};
    auto stored = again.get_run(rec.id);
    REQUIRE(stored.ok());
    CHECK(stored->status == RunStatus::succeeded);
    CHECK(stored->nodes.size() == 3);  // the node that ran before the commit is recorded too
  }

  SECTION("an accept the store refuses fails emit(); the run never called out and is not stored") {
    {
      store::sql::Db side(db, {.create = false});
      side.exec("CREATE TRIGGER refuse BEFORE INSERT ON runs BEGIN SELECT RAISE(ABORT, 'disk says no'); END");
    }
    auto r = e.emit({.type = "event", .payload = Value::object({{"n", 2}})});
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().message().find("disk says no") != std::string::npos);
    CHECK(calls.load() == 0);
    CHECK(count(db, "SELECT count(*) FROM runs") == 0);
    {
      store::sql::Db side(db, {.create = false});
      side.exec("DROP TRIGGER refuse");
    }
    auto ok = e.emit({.type = "event", .payload = Value::object({{"n", 3}})});
    REQUIRE(ok.ok());
    CHECK(ok->front().wait().status == RunStatus::succeeded);
    CHECK(calls.load() == 1);
  }
}

TEST_CASE("a run that fails before its accept is committed starts its error workflow after the commit",
          "[store][engine]") {
  test::TempDir dir;
  const std::string db = (dir / "errs.db").string();
  Engine e{EngineOptions{.threads = 2, .db = db}};
  install(e, R"({"id": "early_fails", "trigger": {"type": "event"}, "settings": {"error_workflow": "early_alert"},
    "nodes": [{"id": "boom", "type": "fail", "params": {"message": "the CRM said no"}}]})");
  install(e, R"({"id": "early_alert", "trigger": {"type": "manual"},
    "nodes": [{"id": "keep", "type": "respond", "params": {"value": "{{ trigger.run.id }}"}}]})");
  REQUIRE(e.start().ok());

  store::sql::Db lock(db, {.create = false});
  lock.exec("BEGIN IMMEDIATE");
  EmitThread emit(e, {.type = "event", .payload = Value::object({{"n", 1}})});
  REQUIRE(eventually([] { return metric_shows("famulor_runs_finished_total{workflow=\"early_fails\",status=\"failed\"} 1"); }));
  // Failed, but not accepted yet: nobody may hear of it.
  CHECK_FALSE(metric_shows("famulor_runs_started_total{workflow=\"early_alert\"}"));
  lock.exec("COMMIT");
  auto& r = emit.join();
  REQUIRE(r.ok());
  const std::string failed_id = r->front().id();
  CHECK(r->front().wait().status == RunStatus::failed);
  REQUIRE(eventually([&] {
    auto p = e.list_runs({.workflow = "early_alert"});
    return p.ok() && p->runs.size() == 1 && p->runs.front().status == RunStatus::succeeded;
  }));
  auto alerts = e.list_runs({.workflow = "early_alert"});
  REQUIRE(alerts.ok());
  CHECK(alerts->runs.front().response == Value(failed_id));
}

TEST_CASE("a run the engine's stop suspends before its accept is committed resumes at the next start",
          "[store][engine]") {
  test::TempDir dir;
  const std::string db = (dir / "stop.db").string();
  std::atomic<int> calls{0};
  auto make = [&] {
    auto e = std::make_unique<Engine>(EngineOptions{.threads = 2, .db = db});
    REQUIRE(register_fn(*e, "test.crm", [&calls](NodeCall call) {
              ++calls;
              call.succeed(Value::object({{"ok", true}}));
            }).ok());
    install(*e, R"({"id": "early_stop", "trigger": {"type": "event"},
      "nodes": [{"id": "a", "type": "set", "params": {"fields": {"x": 1}}},
                {"id": "crm", "type": "test.crm", "after": "a"}]})");
    REQUIRE(e->start().ok());
    return e;
  };
  std::string id;
  {
    auto e = make();
    store::sql::Db lock(db, {.create = false});
    lock.exec("BEGIN IMMEDIATE");
    EmitThread emit(*e, {.type = "event", .payload = Value::object({{"n", 1}})});
    REQUIRE(eventually([] { return metric_shows("famulor_node_duration_seconds_count{type=\"set\",status=\"succeeded\"}"); }));
    // The run waits at `crm` for its accept; stop() gives it no grace, suspends it
    // and then waits for the store, which waits for the lock.
    std::thread stopper([&] { e->stop(std::chrono::milliseconds(0)); });
    std::this_thread::sleep_for(std::chrono::milliseconds(200));  // (a slower machine only takes another path to the same end)
    lock.exec("COMMIT");
    auto& r = emit.join();
    stopper.join();
    REQUIRE(r.ok());
    id = r->front().id();
    CHECK(calls.load() == 0);
  }
  // Not recorded as cancelled: the next start resumes it and it finishes.
  auto again = make();
  REQUIRE(eventually([&] {
    auto rec = again->get_run(id);
    return rec.ok() && rec->status == RunStatus::succeeded;
  }));
  CHECK(calls.load() == 1);
}

TEST_CASE("emit_async(CallEvent) answers after the commit without blocking its caller, once per call",
          "[store][engine][voice]") {
  test::TempDir dir;
  const std::string db = (dir / "async.db").string();
  Engine e{EngineOptions{.threads = 2, .db = db}};
  install(e, R"({"id": "async_ended", "trigger": {"type": "call.ended"},
    "nodes": [{"id": "a", "type": "set", "params": {"fields": {"from": "{{ trigger.from }}"}}}]})");
  REQUIRE(e.start().ok());

  CallEvent call;
  call.call_id = "call-1";
  call.platform = "vapi";
  call.from = "+4930123";
  struct Answer {
    std::mutex m;
    std::optional<Result<std::vector<RunHandle>>> r;
    bool has() {
      std::lock_guard lk(m);
      return r.has_value();
    }
  };
  auto emit = [&](const CallEvent& c) {
    auto a = std::make_shared<Answer>();
    e.emit_async(c, [a](Result<std::vector<RunHandle>> r) {
      std::lock_guard lk(a->m);
      a->r.emplace(std::move(r));
    });
    return a;  // emit_async has returned: the caller was not held for the commit
  };

  store::sql::Db lock(db, {.create = false});
  lock.exec("BEGIN IMMEDIATE");
  auto first = emit(call);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  CHECK_FALSE(first->has());  // not committed: no answer yet
  lock.exec("COMMIT");
  REQUIRE(eventually([&] { return first->has(); }));
  REQUIRE(first->r->ok());
  REQUIRE((*first->r)->size() == 1);
  const std::string id = (*first->r)->front().id();
  CHECK((*first->r)->front().wait().status == RunStatus::succeeded);

  auto again = emit(call);  // the platform redelivers
  REQUIRE(eventually([&] { return again->has(); }));
  REQUIRE(again->r->ok());
  REQUIRE((*again->r)->size() == 1);
  CHECK((*again->r)->front().id() == id);
  CHECK(count(db, "SELECT count(*) FROM runs") == 1);

  CallEvent nameless;
  auto refused = emit(nameless);  // no call id: refused at once, on this thread
  REQUIRE(refused->has());
  CHECK(refused->r->status().code() == StatusCode::invalid_argument);
}

TEST_CASE("a call event whose accept commits while the engine stops starts its run once, from the store, at the next start",
          "[store][engine][voice]") {
  test::TempDir dir;
  const std::string db = (dir / "life.db").string();
  std::atomic<int> calls{0};
  Engine e{EngineOptions{.threads = 2, .db = db}};
  REQUIRE(register_fn(e, "test.crm", [&calls](NodeCall call) {
            ++calls;
            call.succeed(Value::object({{"ok", true}}));
          }).ok());
  install(e, R"({"id": "life_ended", "trigger": {"type": "call.ended"},
    "nodes": [{"id": "crm", "type": "test.crm"}]})");
  REQUIRE(e.start().ok());

  CallEvent call;
  call.call_id = "call-life";
  call.platform = "vapi";
  std::mutex m;
  std::optional<Result<std::vector<RunHandle>>> answer;
  store::sql::Db lock(db, {.create = false});
  lock.exec("BEGIN IMMEDIATE");
  e.emit_async(call, [&](Result<std::vector<RunHandle>> r) {
    std::lock_guard lk(m);
    answer.emplace(std::move(r));
  });
  std::thread stopper([&] { e.stop(); });  // waits in its store flush for the held writer
  REQUIRE(eventually([&] { return !e.impl().pool.running(); }));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // its threads gone
  lock.exec("COMMIT");  // the accept commits now: its continuation cannot run
  stopper.join();

  REQUIRE(e.start().ok());  // resumes the accepted run from the store...
  REQUIRE(eventually([&] {
    std::lock_guard lk(m);
    return answer.has_value();
  }));
  {
    std::lock_guard lk(m);
    CHECK_FALSE(answer->ok());  // ...so the continuation left behind starts nothing
  }
  REQUIRE(eventually([&] {
    auto p = e.list_runs({.workflow = "life_ended"});
    return p.ok() && p->runs.size() == 1 && p->runs.front().status == RunStatus::succeeded;
  }));
  e.stop();
  CHECK(calls.load() == 1);
  CHECK(count(db, "SELECT count(*) FROM runs") == 1);
}
