// Checkpoints and outcomes as RunRecords; paging; reset for retry; workflow versions.
#include <set>

#include "store_test_util.hpp"

using namespace famulor;
using famulor::test::accept_one;
using famulor::test::cp;
using famulor::test::new_run;
using famulor::test::open_store;

namespace {

Value three_node_workflow(std::string extra = {}) {
  return Value::object({{"id", "wf"},
                        {"name", extra},
                        {"nodes", Value::array({Value::object({{"id", "a"}, {"type", "set"}}),
                                                Value::object({{"id", "b"}, {"type", "http.request"}}),
                                                Value::object({{"id", "c"}, {"type", "respond"}})})}});
}

}  // namespace

TEST_CASE("checkpoints and outcomes come back as a RunRecord", "[store]") {
  test::TempDir dir;
  auto s = open_store(dir / "r.db");
  auto v = s->save_workflow("wf", three_node_workflow());
  REQUIRE(v.ok());
  auto run = new_run("wf", Value::object({{"from", "+4930123"}}), *v);
  std::string id = run.id;
  REQUIRE(s->accept_sync(accept_one(std::move(run))).ok());

  s->checkpoint(cp(id, "a", NodeStatus::succeeded, Value::object({{"x", 1}})));
  auto b = cp(id, "b", NodeStatus::failed);
  b.input = Value::object({{"method", "POST"}, {"url", "https://api.example.com/x"}});
  b.error_code = StatusCode::unavailable;
  b.error = "http.request: 503 from api.example.com";
  b.attempts = 3;
  s->checkpoint(b);
  REQUIRE(s->flush().ok());

  auto mid = s->get_run(id);
  REQUIRE(mid.ok());
  CHECK(mid->status == RunStatus::running);  // derived: checkpoints but no outcome

  store::RunOutcome out;
  out.run_id = id;
  out.status = RunStatus::failed;
  out.error_code = StatusCode::unavailable;
  out.error = "node b failed";
  out.finished_ms = 1'000'300;
  s->finish_run(out);
  REQUIRE(s->flush().ok());

  auto r = s->get_run(id);
  REQUIRE(r.ok());
  CHECK(r->workflow_version == *v);
  CHECK(r->status == RunStatus::failed);
  CHECK(r->error == "node b failed");
  CHECK(r->error_code == StatusCode::unavailable);
  CHECK(r->finished_at_ms == 1'000'300);
  REQUIRE(r->nodes.size() == 3);  // in workflow order, c never ran
  CHECK(r->nodes[0].id == "a");
  CHECK(r->nodes[0].status == NodeStatus::succeeded);
  CHECK(r->nodes[0].output == Value::object({{"x", 1}}));
  CHECK(r->nodes[0].duration_ms == 250);
  CHECK(r->nodes[1].id == "b");
  CHECK(r->nodes[1].status == NodeStatus::failed);
  CHECK(r->nodes[1].input.get_string("method") == "POST");
  CHECK(r->nodes[1].error == "http.request: 503 from api.example.com");
  CHECK(r->nodes[1].error_code == StatusCode::unavailable);
  CHECK(r->nodes[1].attempts == 3);
  CHECK(r->nodes[2].id == "c");
  CHECK(r->nodes[2].status == NodeStatus::pending);
  Value json = r->to_json();
  CHECK(json.get_string("status") == "failed");
  CHECK(json.find("nodes")->find("b")->find("error")->get_string("code") == "unavailable");

  SECTION("a waiting timer makes the run waiting and is resumable") {
    auto w = cp(id, "c", NodeStatus::waiting);
    w.due_ms = 5'000'000;
    REQUIRE(s->reset_run(id, {"b", "c"}).ok());
    s->checkpoint(w);
    REQUIRE(s->flush().ok());
    auto r2 = s->get_run(id);
    REQUIRE(r2.ok());
    CHECK(r2->status == RunStatus::waiting);
    CHECK(r2->error.empty());
    auto open = s->unfinished_runs();
    REQUIRE(open.ok());
    REQUIRE(open->size() == 1);
    REQUIRE(open->front().checkpoints.size() == 2);
    std::set<std::string> nodes;
    for (auto& c : open->front().checkpoints) {
      nodes.insert(c.node_id);
      if (c.node_id == "c") CHECK(c.due_ms == 5'000'000);
    }
    CHECK(nodes == std::set<std::string>{"a", "c"});
  }
  SECTION("reset with no nodes drops every checkpoint that did not succeed") {
    REQUIRE(s->reset_run(id, {}).ok());
    auto r2 = s->get_run(id);
    REQUIRE(r2.ok());
    CHECK(r2->status == RunStatus::running);
    CHECK(r2->node("a")->status == NodeStatus::succeeded);
    CHECK(r2->node("b")->status == NodeStatus::pending);
    CHECK(s->reset_run("nope", {}).code() == StatusCode::not_found);
  }
}

TEST_CASE("list_runs pages newest first with filters", "[store]") {
  test::TempDir dir;
  auto s = open_store(dir / "l.db");
  std::vector<std::string> a_ids;
  for (int i = 0; i < 25; ++i) {
    auto run = new_run(i % 5 == 0 ? "b" : "a", Value::object({{"i", i}}));
    std::string id = run.id;
    if (i % 5 != 0) a_ids.push_back(id);
    REQUIRE(s->accept_sync(accept_one(std::move(run))).ok());
    if (i % 2 == 0) s->finish_run({.run_id = id, .status = RunStatus::succeeded, .finished_ms = 1});
  }
  REQUIRE(s->flush().ok());

  std::vector<std::string> seen;
  store::RunQuery q{.workflow = "a", .limit = 7};
  for (int page = 0; page < 10; ++page) {
    auto p = s->list_runs(q);
    REQUIRE(p.ok());
    for (auto& r : p->runs) {
      CHECK(r.workflow == "a");
      seen.push_back(r.id);
    }
    if (p->next.empty()) break;
    q.cursor = p->next;
  }
  std::vector<std::string> newest_first(a_ids.rbegin(), a_ids.rend());
  CHECK(seen == newest_first);

  auto done = s->list_runs({.status = RunStatus::succeeded, .limit = 100});
  REQUIRE(done.ok());
  CHECK(done->runs.size() == 13);
  CHECK(done->next.empty());
  auto queued = s->list_runs({.status = RunStatus::queued, .limit = 5});
  REQUIRE(queued.ok());
  CHECK(queued->runs.size() == 5);
  CHECK_FALSE(queued->next.empty());
  CHECK(s->list_runs({.cursor = "x1"}).status().code() == StatusCode::invalid_argument);
}

TEST_CASE("every changed definition is a new workflow version", "[store]") {
  test::TempDir dir;
  auto s = open_store(dir / "w.db");
  CHECK(s->save_workflow("wf", three_node_workflow()).value() == 1);
  CHECK(s->save_workflow("wf", three_node_workflow()).value() == 1);
  CHECK(s->save_workflow("wf", three_node_workflow("changed")).value() == 2);
  CHECK(s->save_workflow("other", three_node_workflow()).value() == 1);
  auto v1 = s->load_workflow("wf", 1);
  REQUIRE(v1.ok());
  CHECK(v1->definition == three_node_workflow());
  auto cur = s->load_workflow("wf", 0);
  REQUIRE(cur.ok());
  CHECK(cur->version == 2);
  CHECK(s->load_workflow("wf", 7).status().code() == StatusCode::not_found);

  REQUIRE(s->delete_workflow("other").ok());
  CHECK(s->delete_workflow("other").code() == StatusCode::not_found);
  auto all = s->current_workflows();
  REQUIRE(all.ok());
  REQUIRE(all->size() == 1);
  CHECK(all->front().id == "wf");
  CHECK(all->front().version == 2);
  CHECK(s->save_workflow("other", three_node_workflow()).value() == 1);  // back, same definition
  CHECK(s->current_workflows()->size() == 2);
}
