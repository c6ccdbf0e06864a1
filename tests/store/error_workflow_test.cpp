// Error workflows: a failed run starts its settings.error_workflow (and the
// workflow.failed workflows that watch it) with the failed run as the trigger; an
// error workflow's own failure starts none (no loops); succeeded and cancelled
// runs start none.
#include "engine/engine_helpers.hpp"
#include "store_test_util.hpp"

using namespace famulor;
using famulor::test::install;

namespace {

constexpr const char* kMain = R"({"id": "main", "trigger": {"type": "event", "name": "go"},
  "settings": {"error_workflow": "alert"},
  "nodes": [{"id": "a", "type": "set", "params": {"fields": {"x": 1}}},
            {"id": "b", "type": "if", "after": "a", "params": {"condition": "{{ trigger.fail }}"}},
            {"id": "boom", "type": "fail", "after": "b.true", "params": {"message": "the CRM said no"}}]})";

// Records its trigger as its response; fails when told to (to test loops).
constexpr const char* kAlert = R"({"id": "alert", "trigger": {"type": "manual"},
  "settings": {"error_workflow": "main"},
  "nodes": [{"id": "keep", "type": "respond", "params": {"value": "{{ trigger }}"}},
            {"id": "check", "type": "if", "after": "keep", "params": {"condition": "{{ trigger.run.trigger.alert_fails == true }}"}},
            {"id": "oops", "type": "fail", "after": "check.true", "params": {"message": "alerting is down"}}]})";

constexpr const char* kWatchMain = R"({"id": "watch_main", "trigger": {"type": "workflow.failed", "workflows": ["main"]},
  "nodes": [{"id": "keep", "type": "respond", "params": {"value": "{{ trigger.run_id }}"}}]})";

constexpr const char* kWatchOther = R"({"id": "watch_other", "trigger": {"type": "workflow.failed", "workflows": ["other"]},
  "nodes": [{"id": "keep", "type": "respond", "params": {"value": "{{ trigger.run_id }}"}}]})";

std::vector<RunRecord> runs_of(Engine& e, const std::string& workflow) {
  auto p = e.list_runs({.workflow = workflow});
  INFO(p.status().to_string());
  REQUIRE(p.ok());
  return p->runs;
}

}  // namespace

TEST_CASE("a failed run starts its error workflow with the failed run as the trigger", "[store][engine][ops]") {
  test::TempDir dir;
  const std::string db = (dir / "err.db").string();
  Engine e{EngineOptions{.threads = 2, .db = db}};
  install(e, kMain);
  install(e, kAlert);
  install(e, kWatchMain);
  install(e, kWatchOther);
  REQUIRE(e.start().ok());

  SECTION("the error workflow and the watching workflow.failed workflow get the run") {
    auto ok = e.emit({.type = "event", .payload = Value::object({{"fail", false}}), .name = "go"});
    REQUIRE(ok.ok());
    CHECK(ok->front().wait().status == RunStatus::succeeded);
    auto bad = e.emit({.type = "event", .payload = Value::object({{"fail", true}}), .name = "go"});
    REQUIRE(bad.ok());
    const std::string failed_id = bad->front().id();
    CHECK(bad->front().wait().status == RunStatus::failed);
    e.stop();  // waits for the error runs (the failed run counts until they started)

    auto alerts = runs_of(e, "alert");
    REQUIRE(alerts.size() == 1);  // for the failed run only
    const RunRecord& alert = alerts.front();
    CHECK(alert.status == RunStatus::succeeded);
    const Value& t = alert.trigger;
    CHECK(t.get_string("run_id") == failed_id);
    CHECK(t.get_string("workflow") == "main");
    CHECK(t.get_int("workflow_version") == 1);
    CHECK(t.get_string("failed_node") == "boom");
    REQUIRE(t.find("error"));
    CHECK(t.find("error")->get_string("code") == "failed_precondition");
    CHECK(t.find("error")->get_string("message").find("the CRM said no") != std::string::npos);
    const Value* run = t.find("run");
    REQUIRE(run);
    CHECK(run->get_string("status") == "failed");
    CHECK(run->find("nodes")->find("a")->find("output")->get_int("x") == 1);
    CHECK(run->find("nodes")->find("boom")->get_string("status") == "failed");
    CHECK(alert.response == t);

    auto watched = runs_of(e, "watch_main");
    REQUIRE(watched.size() == 1);
    CHECK(watched.front().response == Value(failed_id));
    CHECK(runs_of(e, "watch_other").empty());
  }
  SECTION("an error workflow's own failure starts no error workflow (no loops)") {
    auto bad = e.emit({.type = "event", .payload = Value::object({{"fail", true}, {"alert_fails", true}}), .name = "go"});
    REQUIRE(bad.ok());
    CHECK(bad->front().wait().status == RunStatus::failed);
    e.stop();
    auto alerts = runs_of(e, "alert");
    REQUIRE(alerts.size() == 1);
    CHECK(alerts.front().status == RunStatus::failed);  // its error_workflow ("main") is not started
    CHECK(runs_of(e, "main").size() == 1);
    CHECK(runs_of(e, "watch_main").size() == 1);
  }
  SECTION("a cancelled run starts none") {
    constexpr const char* kSlow = R"({"id": "slow", "trigger": {"type": "event", "name": "slow"},
      "settings": {"error_workflow": "alert"},
      "nodes": [{"id": "w", "type": "wait", "params": {"duration": "1h"}}]})";
    install(e, kSlow);
    auto r = e.emit({.type = "event", .payload = Value::object(), .name = "slow"});
    REQUIRE(r.ok());
    REQUIRE(e.cancel(r->front().id()).ok());
    CHECK(r->front().wait().status == RunStatus::cancelled);
    e.stop();
    CHECK(runs_of(e, "alert").empty());
  }
}
