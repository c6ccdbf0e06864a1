// Engine::emit(CallEvent): call.ended matching (platform, direction, status,
// assistant, events, filter), `trigger` in expressions, dedupe per call and event.
#include <algorithm>

#include "engine/engine_helpers.hpp"
#include "support/paths.hpp"

using namespace famulor;
using famulor::test::install;

namespace {

std::vector<std::string> started(Engine& engine, const CallEvent& call) {
  auto r = engine.emit(call);
  INFO(r.status().to_string());
  REQUIRE(r.ok());
  std::vector<std::string> out;
  for (auto& h : r.value()) {
    RunRecord rec = h.wait();
    out.push_back(rec.workflow);
  }
  std::sort(out.begin(), out.end());
  return out;
}

CallEvent call(std::string id, std::string platform = "vapi", std::string event = "") {
  CallEvent c;
  c.call_id = std::move(id);
  c.platform = std::move(platform);
  c.event = std::move(event);
  c.direction = "inbound";
  c.status = "completed";
  c.assistant_id = "sales";
  c.duration_s = 95;
  return c;
}

void install_ended(Engine& e, const std::string& id, const std::string& params) {
  install(e, R"({"id": ")" + id + R"(", "trigger": {"type": "call.ended")" + params +
                 R"(}, "nodes": [{"id": "r", "type": "respond", "params": {"value": "{{ trigger.call_id }}"}}]})");
}

}  // namespace

TEST_CASE("call.ended triggers match on platform, direction, status, assistant and filter", "[voice]") {
  Engine engine({.threads = 2});
  install_ended(engine, "all", "");
  install_ended(engine, "vapi_only", R"(, "platform": "vapi")");
  install_ended(engine, "retell_or_famulor", R"(, "platform": ["retell", "famulor"])");
  install_ended(engine, "outbound", R"(, "direction": "outbound")");
  install_ended(engine, "missed", R"(, "status": ["no-answer", "busy"])");
  install_ended(engine, "support", R"(, "assistant": "support")");
  install_ended(engine, "long", R"(, "filter": "{{ trigger.duration_s > 60 }}")");
  REQUIRE(engine.start().ok());

  using V = std::vector<std::string>;
  CHECK(started(engine, call("c1")) == V{"all", "long", "vapi_only"});
  CallEvent c2 = call("c2", "famulor");
  c2.duration_s = 20;
  c2.status = "busy";
  CHECK(started(engine, c2) == V{"all", "missed", "retell_or_famulor"});
  CallEvent c3 = call("c3", "twilio");
  c3.direction = "outbound";
  c3.assistant_id = "support";
  CHECK(started(engine, c3) == V{"all", "long", "outbound", "support"});

  // The run sees the normalized call as `trigger`.
  auto r = engine.emit(call("c4"));
  REQUIRE(r.ok());
  for (auto& h : r.value()) CHECK(h.wait().response == Value("c4"));
}

TEST_CASE("a redelivered call starts nothing and answers the first runs, another event of it may", "[voice]") {
  Engine engine({.threads = 2});
  install_ended(engine, "any", "");
  install_ended(engine, "ended_too", R"(, "events": ["call_ended", "call_analyzed"])");
  REQUIRE(engine.start().ok());

  auto first = engine.emit(call("c1", "vapi", "end-of-call-report"));
  auto again = engine.emit(call("c1", "vapi", "end-of-call-report"));
  REQUIRE(first.ok());
  REQUIRE(again.ok());
  REQUIRE(first.value().size() == 1);
  REQUIRE(again.value().size() == 1);
  CHECK(again.value()[0].id() == first.value()[0].id());
  // The same call id on another platform is another call.
  auto other = engine.emit(call("c1", "famulor"));
  REQUIRE(other.ok());
  REQUIRE(other.value().size() == 1);
  CHECK(other.value()[0].id() != first.value()[0].id());

  // Retell: call_ended only reaches workflows that list it; call_analyzed (same call) reaches both.
  using V = std::vector<std::string>;
  CHECK(started(engine, call("r1", "retell", "call_ended")) == V{"ended_too"});
  CHECK(started(engine, call("r1", "retell", "call_analyzed")) == V{"any", "ended_too"});
  CHECK(started(engine, call("r1", "retell", "call_analyzed")) == V{"any", "ended_too"});  // the same runs again

  CallEvent no_id;
  CHECK(engine.emit(no_id).status().code() == StatusCode::invalid_argument);
}

TEST_CASE("call.ended runs are durable and deduplicated across restarts", "[voice]") {
  famulor::test::TempDir dir;
  const std::string db = (dir / "famulor.db").string();
  std::string first_id;
  {
    Engine engine({.threads = 2, .db = db});
    install_ended(engine, "any", "");
    REQUIRE(engine.start().ok());
    auto r = engine.emit(call("c9"));
    REQUIRE(r.ok());
    REQUIRE(r.value().size() == 1);
    first_id = r.value()[0].id();
    CHECK(r.value()[0].wait().status == RunStatus::succeeded);
  }
  Engine engine({.threads = 2, .db = db});
  install_ended(engine, "any", "");
  REQUIRE(engine.start().ok());
  auto r = engine.emit(call("c9"));
  REQUIRE(r.ok());
  REQUIRE(r.value().size() == 1);
  CHECK(r.value()[0].id() == first_id);
}
