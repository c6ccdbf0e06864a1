// Engine::call_tool / call_tool_async / tools(): the call.tool workflow named by
// the call, its respond value as the result, and the fallback when late or failed.
#include <future>

#include "engine/engine_helpers.hpp"

using namespace famulor;
using famulor::test::install;
using famulor::test::register_fn;
using namespace std::chrono_literals;

namespace {

ToolCall tool_call(std::string tool, Value args = Value::object()) {
  ToolCall t;
  t.tool = std::move(tool);
  t.arguments = std::move(args);
  t.tool_call_id = "tc_1";
  t.call.call_id = "call-7";
  t.call.from = "+4930111";
  return t;
}

void install_tools(Engine& engine) {
  REQUIRE(register_fn(engine, "test.down", [](NodeCall call) { call.fail(unavailable("calendar down")); }).ok());
  install(engine, R"({"id": "check_slot", "name": "Check a slot", "trigger": {"type": "call.tool", "name": "check_slot",
      "description": "Is a slot free?",
      "parameters": {"type": "object", "properties": {"slot": {"type": "string"}}, "required": ["slot"]}},
    "nodes": [{"id": "r", "type": "respond", "params": {"value":
      {"slot": "{{ trigger.arguments.slot }}", "free": true, "for": "{{ trigger.call.from }}",
       "id": "{{ trigger.tool_call_id }}", "tool": "{{ trigger.tool }}"}}}]})");
  install(engine, R"({"id": "broken", "trigger": {"type": "call.tool", "name": "broken",
      "fallback": "The calendar is not reachable, I will call you back."},
    "nodes": [{"id": "f", "type": "test.down"},
              {"id": "r", "type": "respond", "after": "f", "params": {"value": "ok"}}]})");
  install(engine, R"({"id": "slow", "trigger": {"type": "call.tool", "name": "slow"},
    "nodes": [{"id": "h", "type": "test.never"},
              {"id": "r", "type": "respond", "after": "h", "params": {"value": "ok"}}]})");
}

}  // namespace

TEST_CASE("call_tool answers the respond node's value", "[voice]") {
  Engine engine({.threads = 2});
  REQUIRE(register_fn(engine, "test.never", [](NodeCall call) { call.fail(Status(StatusCode::cancelled, "n/a")); }).ok());
  install_tools(engine);
  REQUIRE(engine.start().ok());
  ToolResult r = engine.call_tool(tool_call("check_slot", Value::object({{"slot", "2026-12-01T10:00"}})), 10s);
  INFO(r.error);
  CHECK_FALSE(r.partial);
  CHECK(r.result == Value::object({{"slot", "2026-12-01T10:00"},
                                   {"free", true},
                                   {"for", "+4930111"},
                                   {"id", "tc_1"},
                                   {"tool", "check_slot"}}));
  CHECK_FALSE(r.run_id.empty());
}

TEST_CASE("a failed tool answers its fallback, an unknown tool is not_found with the default fallback", "[voice]") {
  Engine engine({.threads = 2});
  REQUIRE(register_fn(engine, "test.never", [](NodeCall call) { call.fail(Status(StatusCode::cancelled, "n/a")); }).ok());
  install_tools(engine);
  REQUIRE(engine.start().ok());
  ToolResult f = engine.call_tool(tool_call("broken"), 10s);
  CHECK(f.partial);
  CHECK(f.result == Value("The calendar is not reachable, I will call you back."));
  CHECK(f.error.find("calendar down") != std::string::npos);
  ToolResult u = engine.call_tool(tool_call("nope"), 10s);
  CHECK(u.partial);
  CHECK(u.error_code == StatusCode::not_found);
  CHECK(u.result == Value("Sorry, I could not do that right now."));
  CHECK(u.run_id.empty());
}

TEST_CASE("a late tool answers the fallback by the deadline", "[voice]") {
  Engine engine({.threads = 2});
  std::mutex m;
  std::vector<NodeCall> held;
  REQUIRE(register_fn(engine, "test.never", [&](NodeCall call) {
            std::lock_guard lk(m);
            held.push_back(std::move(call));
          }).ok());
  install_tools(engine);
  REQUIRE(engine.start().ok());
  ToolResult r = engine.call_tool(tool_call("slow"), 20ms);
  CHECK(r.partial);
  CHECK(r.error_code == StatusCode::deadline_exceeded);
  CHECK(r.result == Value("Sorry, I could not do that right now."));

  std::promise<ToolResult> p;
  engine.call_tool_async(tool_call("slow"), 20ms, [&](ToolResult t) { p.set_value(std::move(t)); });
  ToolResult a = p.get_future().get();
  CHECK(a.partial);
  CHECK(a.result == Value("Sorry, I could not do that right now."));
  engine.stop(std::chrono::milliseconds(0));  // cancels the held runs
  std::lock_guard lk(m);
  held.clear();
}

TEST_CASE("tools() lists the call.tool workflows as tool definitions", "[voice]") {
  Engine engine({.threads = 1});
  REQUIRE(register_fn(engine, "test.never", [](NodeCall call) { call.fail(Status(StatusCode::cancelled, "n/a")); }).ok());
  install_tools(engine);
  auto tools = engine.tools();
  REQUIRE(tools.size() == 3);
  CHECK(tools[1].name == "check_slot");
  CHECK(tools[1].workflow == "check_slot");
  CHECK(tools[1].description == "Is a slot free?");
  CHECK(tools[1].parameters.find("required") != nullptr);
  CHECK(tools[0].name == "broken");
  CHECK(tools[0].parameters == Value::object({{"type", "object"}, {"properties", Value::object()}}));
}
