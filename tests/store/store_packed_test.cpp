// The packed form of node records (runs.nodes, schema 4) and the migration from
// the schema before it: what the writer packs, that every read and operation on
// runs sees packed and row checkpoints alike, and that a file written by the
// previous schema opens with its runs intact.
#include <set>

#include "store/sqlite_db.hpp"
#include "store/sqlite_schema.hpp"
#include "store_test_util.hpp"

using namespace famulor;
using famulor::test::accept_one;
using famulor::test::cp;
using famulor::test::new_run;
using famulor::test::open_store;

namespace {

// Raw counts from the file, read by a connection of the test's own.
std::int64_t count(const std::filesystem::path& db, const std::string& sql) {
  store::sql::Db raw(db.string(), {.create = false});
  return raw.query_int(sql);
}

const NodeRecord* node(const RunRecord& r, const std::string& id) { return r.node(id); }

}  // namespace

TEST_CASE("checkpoints queued with their run's outcome are packed into the run's row", "[store]") {
  test::TempDir dir;
  auto path = dir / "p.db";
  auto s = open_store(path);
  auto run = new_run("wf", Value::object({{"from", "+4930123"}}));
  std::string id = run.id;
  REQUIRE(s->accept_sync(accept_one(std::move(run))).ok());

  // A wait node's timer committed on its own (a row), then resolved with the rest.
  auto w = cp(id, "wait", NodeStatus::waiting);
  w.due_ms = 5'000'000;
  s->checkpoint(w);
  REQUIRE(s->flush().ok());

  s->checkpoint(cp(id, "a", NodeStatus::succeeded, Value::object({{"x", 1}, {"s", "quote \" and \\ back"}})));
  auto b = cp(id, "b", NodeStatus::failed);
  b.input = Value::object({{"method", "POST"}, {"url", "https://api.example.com/x"}});
  b.port = "error";
  b.error_code = StatusCode::unavailable;
  b.error = "http.request: 503 from api.example.com";
  b.attempts = 3;
  s->checkpoint(b);
  s->checkpoint(cp(id, "wait", NodeStatus::succeeded, Value::object({{"late", true}})));
  s->finish_run({.run_id = id, .status = RunStatus::failed, .error_code = StatusCode::unavailable,
                 .error = "b failed", .finished_ms = 1'000'300});
  REQUIRE(s->flush().ok());

  // Packed: one row for the run, only the earlier waiting row in checkpoints.
  CHECK(count(path, "SELECT count(*) FROM checkpoints WHERE run = '" + id + "'") == 1);
  CHECK(count(path, "SELECT count(*) FROM runs WHERE id = '" + id + "' AND nodes IS NOT NULL") == 1);

  auto r = s->get_run(id);
  REQUIRE(r.ok());
  CHECK(r->status == RunStatus::failed);
  CHECK(r->trigger.get_string("from") == "+4930123");
  REQUIRE(r->nodes.size() == 3);
  REQUIRE(node(*r, "a"));
  CHECK(node(*r, "a")->output.get_string("s") == "quote \" and \\ back");
  CHECK(node(*r, "a")->started_at_ms == 1'000'000);
  CHECK(node(*r, "a")->finished_at_ms == 1'000'250);
  REQUIRE(node(*r, "b"));
  CHECK(node(*r, "b")->status == NodeStatus::failed);
  CHECK(node(*r, "b")->input.get_string("url") == "https://api.example.com/x");
  CHECK(node(*r, "b")->port == "error");
  CHECK(node(*r, "b")->error_code == StatusCode::unavailable);
  CHECK(node(*r, "b")->error == "http.request: 503 from api.example.com");
  CHECK(node(*r, "b")->attempts == 3);
  REQUIRE(node(*r, "wait"));
  CHECK(node(*r, "wait")->status == NodeStatus::succeeded);  // the packed record is newer than the row
  CHECK(node(*r, "wait")->output.get_bool("late"));
  auto page = s->list_runs({});
  REQUIRE(page.ok());
  REQUIRE(page->runs.size() == 1);
  CHECK(page->runs[0].nodes.size() == 3);

  SECTION("a retry keeps the packed nodes before the retried one") {
    REQUIRE(s->reset_for_retry(id, {"b"}, 1).ok());
    CHECK(count(path, "SELECT count(*) FROM runs WHERE nodes IS NOT NULL") == 0);
    auto open = s->unfinished_runs();
    REQUIRE(open.ok());
    REQUIRE(open->size() == 1);
    CHECK(open->front().run.trigger.get_string("from") == "+4930123");
    std::set<std::string> kept;
    for (const auto& c : open->front().checkpoints) kept.insert(c.node_id);
    CHECK(kept == std::set<std::string>{"a", "wait"});
    s->checkpoint(cp(id, "b", NodeStatus::succeeded, Value::object({{"ok", true}})));
    s->finish_run({.run_id = id, .status = RunStatus::succeeded, .finished_ms = 1'000'900});
    REQUIRE(s->flush().ok());
    auto again = s->get_run(id);
    REQUIRE(again.ok());
    CHECK(again->status == RunStatus::succeeded);
    CHECK(node(*again, "a")->output.get_int("x") == 1);
    CHECK(node(*again, "b")->status == NodeStatus::succeeded);
    CHECK(node(*again, "wait")->status == NodeStatus::succeeded);
  }
  SECTION("retention deletes the run, its trigger and its checkpoints") {
    auto n = s->apply_retention({.max_age_ms = 1, .now_ms = 10'000'000});
    REQUIRE(n.ok());
    CHECK(*n == 1);
    CHECK(count(path, "SELECT count(*) FROM runs") == 0);
    CHECK(count(path, "SELECT count(*) FROM run_triggers") == 0);
    CHECK(count(path, "SELECT count(*) FROM checkpoints") == 0);
  }
  CHECK(s->check_integrity().ok());
}

TEST_CASE("a run cancelled first keeps its outcome and its late checkpoints as rows", "[store]") {
  test::TempDir dir;
  auto path = dir / "c.db";
  auto s = open_store(path);
  auto run = new_run();
  std::string id = run.id;
  REQUIRE(s->accept_sync(accept_one(std::move(run))).ok());
  REQUIRE(s->cancel_run(id, "cancelled by operator", 7).ok());  // e.g. another process
  s->checkpoint(cp(id, "a", NodeStatus::succeeded, Value::object({{"x", 1}})));
  s->finish_run({.run_id = id, .status = RunStatus::succeeded, .finished_ms = 9});
  REQUIRE(s->flush().ok());
  auto r = s->get_run(id);
  REQUIRE(r.ok());
  CHECK(r->status == RunStatus::cancelled);
  CHECK(r->error == "cancelled by operator");
  REQUIRE(r->node("a"));
  CHECK(r->node("a")->output.get_int("x") == 1);
  CHECK(count(path, "SELECT count(*) FROM checkpoints") == 1);
}

TEST_CASE("a file of schema 3 (before packed nodes) is migrated with its runs", "[store]") {
  test::TempDir dir;
  auto path = dir / "old.db";
  const std::string done_id = "01OLDRUN0000000000000DONE1", open_id = "01OLDRUN0000000000000OPEN1";
  {
    // What the previous famulor wrote: schema 3, the trigger in runs, one row per checkpoint.
    store::sql::Db db(path.string(), {});
    store::sql::configure(db, {});
    store::sql::migrate(db, 3);
    REQUIRE(db.query_int("SELECT max(version) FROM schema_version") == 3);
    db.exec(R"sql(
INSERT INTO workflows(id, current_version) VALUES('wf', 1);
INSERT INTO workflow_versions(workflow, version, definition, installed_ms)
  VALUES('wf', 1, '{"id":"wf","nodes":[{"id":"a","type":"set"},{"id":"b","type":"respond"}]}', 5);
INSERT INTO runs(id, workflow, version, status, trigger, response, error_code, error, created_ms, finished_ms)
  VALUES('01OLDRUN0000000000000DONE1', 'wf', 1, 4, '{"from":"+4930111"}', NULL, 14, 'b failed', 10, 20);
INSERT INTO runs(id, workflow, version, status, trigger, created_ms)
  VALUES('01OLDRUN0000000000000OPEN1', 'wf', 1, 0, '{"from":"+4930222"}', 30);
INSERT INTO checkpoints(run, node, status, output, attempts, started_ms, finished_ms)
  VALUES('01OLDRUN0000000000000DONE1', 'a', 3, '{"x":1}', 1, 11, 12);
INSERT INTO checkpoints(run, node, status, error_code, error, attempts, started_ms, finished_ms)
  VALUES('01OLDRUN0000000000000DONE1', 'b', 4, 14, 'b failed', 2, 13, 19);
INSERT INTO checkpoints(run, node, status, output, attempts, started_ms, finished_ms)
  VALUES('01OLDRUN0000000000000OPEN1', 'a', 3, '{"x":2}', 1, 31, 32);
INSERT INTO dedupe(key, run_ids, created_ms) VALUES('call-1', '["01OLDRUN0000000000000DONE1"]', 10);
)sql");
  }
  auto s = open_store(path);
  CHECK(count(path, "SELECT max(version) FROM schema_version") == store::sql::schema_version());
  CHECK(s->check_integrity().ok());

  auto done = s->get_run(done_id);
  REQUIRE(done.ok());
  CHECK(done->status == RunStatus::failed);
  CHECK(done->trigger.get_string("from") == "+4930111");
  REQUIRE(done->node("a"));
  CHECK(done->node("a")->output.get_int("x") == 1);
  CHECK(done->node("b")->error == "b failed");
  CHECK(done->node("b")->attempts == 2);

  auto open = s->unfinished_runs();
  REQUIRE(open.ok());
  REQUIRE(open->size() == 1);
  CHECK(open->front().run.id == open_id);
  CHECK(open->front().run.trigger.get_string("from") == "+4930222");
  REQUIRE(open->front().checkpoints.size() == 1);
  CHECK(open->front().checkpoints[0].output.get_int("x") == 2);

  // Dedupe keys still answer the first delivery; old runs can be retried and finish.
  auto dup = s->accept_sync(accept_one(new_run(), "call-1"));
  REQUIRE(dup.ok());
  CHECK(dup->duplicate);
  CHECK(dup->run_ids == std::vector<std::string>{done_id});
  REQUIRE(s->reset_for_retry(done_id, {"b"}, 1).ok());
  s->checkpoint(cp(done_id, "b", NodeStatus::succeeded, Value::object({{"y", 3}})));
  s->finish_run({.run_id = done_id, .status = RunStatus::succeeded, .finished_ms = 40});
  REQUIRE(s->flush().ok());
  auto retried = s->get_run(done_id);
  REQUIRE(retried.ok());
  CHECK(retried->status == RunStatus::succeeded);
  CHECK(retried->node("a")->output.get_int("x") == 1);
  CHECK(retried->node("b")->output.get_int("y") == 3);
  CHECK(s->check_integrity().ok());
}
