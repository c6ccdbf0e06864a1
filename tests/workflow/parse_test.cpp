// Valid workflows parse into the NodeSpec / TriggerSpec values the engine runs.
#include <catch2/catch.hpp>

#include "famulor/workflow.hpp"
#include "support/paths.hpp"
#include "workflow/nested.hpp"

using namespace famulor;
using namespace std::chrono_literals;

namespace {

Workflow parse_ok(std::string_view json) {
  std::vector<Problem> problems;
  auto wf = Workflow::parse(json, {}, &problems);
  for (const auto& p : problems) UNSCOPED_INFO(p.to_string());
  REQUIRE(wf.ok());
  REQUIRE(problems.empty());
  return std::move(wf).value();
}

}  // namespace

TEST_CASE("the annotated example workflow has no problem", "[workflow]") {
  auto path = (test::source_dir() / "examples/workflows/format_example.json").string();
  std::vector<Problem> problems;
  auto wf = Workflow::parse_file(path, {}, &problems);
  for (const auto& p : problems) UNSCOPED_INFO(p.to_string());
  REQUIRE(wf.ok());
  CHECK(problems.empty());
  CHECK(wf->id() == "post_call_followup");
  CHECK(wf->name() == "Post-call follow-up");
  CHECK(wf->version() == 3);
  CHECK(wf->file() == path);
  CHECK(wf->trigger().type == "call.ended");
  CHECK(wf->trigger().config.get_string("direction") == "inbound");
  CHECK(wf->settings().get_int("concurrency") == 20);
  CHECK(wf->nodes().size() == 11);

  const NodeSpec* notify = wf->find_node("notify_sales");
  REQUIRE(notify);
  CHECK(notify->type == "subworkflow");
  CHECK(notify->retry.max_attempts == 4);
  CHECK(notify->retry.initial_interval == 1s);
  CHECK(notify->retry.multiplier == 2.0);
  CHECK(notify->retry.max_interval == 30s);
  CHECK(notify->retry.retry_on == std::vector<StatusCode>{StatusCode::unavailable, StatusCode::deadline_exceeded});
  CHECK(notify->timeout == std::optional<std::chrono::milliseconds>(45s));
  CHECK(notify->on_error == OnError::route);

  const NodeSpec* lead = wf->find_node("lead");
  REQUIRE(lead);
  CHECK(lead->join == Join::any);
  REQUIRE(lead->after.size() == 2);
  CHECK(lead->after[0].node == "solar_lead");
  CHECK(lead->after[0].port.empty());

  const NodeSpec* failed = wf->find_node("notify_failed");
  REQUIRE(failed);
  REQUIRE(failed->after.size() == 1);
  CHECK(failed->after[0].node == "notify_sales");
  CHECK(failed->after[0].port == "error");

  const NodeSpec* tasks = wf->find_node("tasks");
  REQUIRE(tasks);
  CHECK(tasks->on_error == OnError::continue_run);
  auto body = detail::nested_nodes(*tasks);
  REQUIRE(body.size() == 2);
  CHECK(body[0].id == "task");
  CHECK(body[1].after.at(0).node == "task");
  CHECK(wf->find_node("task") == nullptr);  // body nodes are not top-level nodes

  const NodeSpec* check_in = wf->find_node("check_in");
  REQUIRE(check_in);
  CHECK(check_in->raw.get_string("x-note").find("x-") != std::string::npos);
  CHECK(wf->find_node("contact")->position == Value::array({100, 200}));
}

TEST_CASE("node fields parse to their NodeSpec values and defaults", "[workflow]") {
  auto wf = parse_ok(R"({
    "id": "w1",
    "trigger": {"type": "manual"},
    "nodes": [
      {"id": "a", "type": "noop"},
      {"id": "b", "type": "if", "after": "a", "params": {"condition": true}, "timeout": 1500,
       "credential": "crm", "disabled": false, "cache": {"ttl": "1h"}, "fallback": {"value": 1}},
      {"id": "c", "type": "noop", "after": ["b.true", "a"], "join": "all", "on_error": "continue",
       "retry": {"max_attempts": 3}},
      {"id": "d-2", "type": "noop", "after": ["b.false"], "on_error": "stop", "timeout": "2m"}
    ]})");
  CHECK(wf.name() == "w1");  // defaults to the id
  CHECK(wf.version() == 1);
  CHECK(wf.settings().is_object());
  REQUIRE(wf.nodes().size() == 4);
  const NodeSpec& a = wf.nodes()[0];
  CHECK(a.params == Value::object());
  CHECK(a.after.empty());
  CHECK(a.join == Join::all);
  CHECK(a.retry.max_attempts == 1);
  CHECK(a.retry.initial_interval == 500ms);
  CHECK(a.retry.retry_on.empty());
  CHECK_FALSE(a.timeout.has_value());
  CHECK(a.on_error == OnError::stop);
  CHECK(a.credential.empty());
  CHECK_FALSE(a.disabled);

  const NodeSpec& b = wf.nodes()[1];
  CHECK(b.timeout == std::optional<std::chrono::milliseconds>(1500ms));
  CHECK(b.credential == "crm");
  CHECK(b.raw.find("cache")->get_string("ttl") == "1h");
  CHECK(b.raw.find("fallback") != nullptr);

  const NodeSpec& c = wf.nodes()[2];
  REQUIRE(c.after.size() == 2);
  CHECK(c.after[0].node == "b");
  CHECK(c.after[0].port == "true");
  CHECK(c.after[1].node == "a");
  CHECK(c.after[1].port.empty());
  CHECK(c.on_error == OnError::continue_run);
  CHECK(c.retry.max_attempts == 3);
  CHECK(c.retry.multiplier == 2.0);

  CHECK(wf.nodes()[3].timeout == std::optional<std::chrono::milliseconds>(120s));
  CHECK(wf.find_node("d-2") == &wf.nodes()[3]);
  CHECK(wf.definition().get_string("id") == "w1");
}

TEST_CASE("a workflow without a trigger is started by hand", "[workflow]") {
  auto wf = parse_ok(R"({"id": "w", "nodes": []})");
  CHECK(wf.trigger().type == "manual");
  CHECK(wf.trigger().config.get_string("type") == "manual");
}

TEST_CASE("switch ports come from its rules", "[workflow]") {
  auto wf = parse_ok(R"({"id": "w", "nodes": [
      {"id": "s", "type": "switch", "params": {"value": 1, "rules": [{"name": "one", "equals": 1}, {"equals": 2}]}},
      {"id": "x", "type": "noop", "after": "s.one"},
      {"id": "y", "type": "noop", "after": "s.1"},
      {"id": "z", "type": "noop", "after": "s.fallback"}]})");
  CHECK(wf.find_node("y")->after[0].port == "1");
}

TEST_CASE("triggers keep their whole object as config", "[workflow]") {
  auto wf = parse_ok(R"({"id": "hook", "trigger": {"type": "webhook", "path": "orders/new", "method": "POST",
      "sync": true, "custom": 1}, "nodes": [{"id": "r", "type": "respond", "params": {"value": {"ok": true},
      "status": 201}}]})");
  CHECK(wf.trigger().type == "webhook");
  CHECK(wf.trigger().config.get_string("path") == "orders/new");
  CHECK(wf.trigger().config.get_int("custom") == 1);

  parse_ok(R"({"id": "s", "trigger": {"type": "schedule", "cron": "0 9 * * 1-5", "timezone": "Europe/Berlin",
      "catch_up": "last"}, "nodes": []})");
  parse_ok(R"({"id": "s", "trigger": {"type": "call.tool", "name": "lookup", "parameters": {"type": "object"}},
      "nodes": []})");
}

TEST_CASE("parse_file names the file in problems and fails on a missing file", "[workflow]") {
  test::TempDir dir;
  std::vector<Problem> problems;
  auto missing = Workflow::parse_file((dir / "nope.json").string(), {}, &problems);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().code() == StatusCode::not_found);
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].where.file == (dir / "nope.json").string());
}

TEST_CASE("expressions may read upstream nodes, item in bodies, and allowed env", "[workflow]") {
  parse_ok(R"({"id": "scopes", "settings": {"env": ["REGION"], "vars": {"x": 1}},
    "trigger": {"type": "event", "name": "order", "filter": "{{ trigger.total > 0 }}"},
    "nodes": [
      {"id": "a", "type": "noop", "params": {"value": "{{ env.REGION }} {{ vars.x }} {{ run.id }}"}},
      {"id": "b", "type": "noop", "after": "a"},
      {"id": "c", "type": "noop", "after": "b", "params": {"value": {"deep": ["{{ nodes.a.output }}"]}}},
      {"id": "loop", "type": "foreach", "after": "c", "params": {
        "items": "{{ nodes.c.output }}",
        "nodes": [
          {"id": "first", "type": "noop", "params": {"value": "{{ item }} {{ index }} {{ nodes.a.output }}"}},
          {"id": "second", "type": "noop", "after": "first", "params": {"value": "{{ nodes.first.output }}"}}
        ],
        "result": "{{ nodes.second.output }}"}},
      {"id": "keep", "type": "filter", "after": "loop", "params": {"items": "{{ nodes.loop.output }}",
        "condition": "{{ item != null }}"}},
      {"id": "either", "type": "noop", "after": ["keep", "a"], "join": "any",
        "params": {"value": "{{ nodes.keep.output }}"}}
    ]})");
}

TEST_CASE("an on_error route or continue keeps successors of a fail node reachable", "[workflow]") {
  parse_ok(R"({"id": "routes", "nodes": [
      {"id": "f", "type": "fail", "params": {"message": "no", "code": "unavailable"}, "on_error": "route"},
      {"id": "h", "type": "noop", "after": "f.error"},
      {"id": "g", "type": "fail", "params": {"message": "no"}, "on_error": "continue"},
      {"id": "k", "type": "noop", "after": "g"},
      {"id": "off", "type": "noop", "disabled": true},
      {"id": "any", "type": "noop", "after": ["off", "k"], "join": "any"}]})");
}

TEST_CASE("the example in docs/workflow-format.md is examples/workflows/format_example.json", "[workflow]") {
  std::string doc = test::read_file(test::source_dir() / "docs/workflow-format.md");
  auto start = doc.find("```json\n", doc.find("## A complete example"));
  REQUIRE(start != std::string::npos);
  start += 8;
  auto end = doc.find("```", start);
  REQUIRE(end != std::string::npos);
  auto in_doc = Value::parse(doc.substr(start, end - start));
  REQUIRE(in_doc.ok());
  auto in_file = Value::parse(test::read_file(test::source_dir() / "examples/workflows/format_example.json"));
  REQUIRE(in_file.ok());
  CHECK(in_doc.value() == in_file.value());
}
