// Engine::inject / inject_async: choosing the call.incoming workflow, answering at
// the respond node, the hard deadline with defaults, variable types, and the run
// record written after the answer.
#include <condition_variable>
#include <future>
#include <memory>
#include <mutex>

#include "common/metrics.hpp"
#include "engine/engine_helpers.hpp"
#include "store/sqlite_store.hpp"
#include "support/paths.hpp"

using namespace famulor;
using famulor::test::Gate;
using famulor::test::install;
using famulor::test::register_fn;
using namespace std::chrono_literals;

namespace {

// famulor_injection_deadline_misses_total as /metrics would show it now.
double deadline_misses() {
  const std::string text = metrics::render();
  const std::string name = "\nfamulor_injection_deadline_misses_total ";
  auto at = text.find(name);
  return at == std::string::npos ? 0 : std::stod(text.substr(at + name.size()));
}

// A node that completes only when the test releases it (after the answer).
struct Held {
  std::mutex m;
  std::vector<NodeCall> calls;
  Gate invoked;
  void release() {
    std::vector<NodeCall> cs;
    {
      std::lock_guard lk(m);
      cs = std::move(calls);
    }
    for (auto& c : cs) c.succeed(Value::object({{"late", true}}));
  }
};

void register_held(Engine& e, const std::shared_ptr<Held>& held) {
  Status s = register_fn(e, "test.held", [held](NodeCall call) {
    {
      std::lock_guard lk(held->m);
      held->calls.push_back(std::move(call));
    }
    held->invoked.open();
  });
  REQUIRE(s.ok());
}

IncomingCall caller(std::string assistant = "sales", std::string platform = "vapi") {
  IncomingCall c;
  c.call_id = "call-1";
  c.platform = std::move(platform);
  c.from = "+4930123456";
  c.to = "+4989000";
  c.assistant_id = std::move(assistant);
  return c;
}

const char* kLookup = R"({"id": "lookup", "trigger": {"type": "call.incoming",
    "defaults": {"name": "there", "vip": false},
    "variable_types": {"vip": "boolean", "deals": "number", "profile": "json"}},
  "nodes": [
    {"id": "who", "type": "set", "params": {"fields": {"name": "Jana", "caller": "{{ trigger.from }}"}}},
    {"id": "answer", "type": "respond", "after": "who", "params": {"value": {
       "name": "{{ nodes.who.output.name }}", "caller": "{{ nodes.who.output.caller }}", "vip": "true",
       "deals": "3", "count": 2, "ratio": 0.5, "flag": true, "none": null, "profile": {"tier": "gold"},
       "tags": ["a", "b"], "assistant_id": "asst_vip"}}}]})";

}  // namespace

TEST_CASE("inject answers the respond node's variables as strings unless typed", "[voice]") {
  Engine engine({.threads = 2});
  install(engine, kLookup);
  REQUIRE(engine.start().ok());
  Variables v = engine.inject(caller(), 10s);
  INFO(v.error);
  CHECK_FALSE(v.partial);
  CHECK(v.workflow == "lookup");
  CHECK_FALSE(v.run_id.empty());
  CHECK(v.assistant_id == "asst_vip");  // the override is not a variable
  CHECK(v.values.find("assistant_id") == nullptr);
  CHECK(v.values.get_string("name") == "Jana");
  CHECK(v.values.get_string("caller") == "+4930123456");
  CHECK(*v.values.find("vip") == Value(true));
  CHECK(*v.values.find("deals") == Value(3));
  CHECK(*v.values.find("profile") == Value::object({{"tier", "gold"}}));
  CHECK(*v.values.find("count") == Value("2"));
  CHECK(*v.values.find("ratio") == Value("0.5"));
  CHECK(*v.values.find("flag") == Value("true"));
  CHECK(*v.values.find("none") == Value(""));
  CHECK(*v.values.find("tags") == Value(R"(["a","b"])"));
  // The run is recorded like any other.
  auto rec = engine.find_run(v.run_id);
  REQUIRE(rec.ok());
  CHECK(rec.value().wait().status == RunStatus::succeeded);
}

TEST_CASE("inject picks the most specific call.incoming workflow, then the first by id", "[voice]") {
  Engine engine({.threads = 2});
  auto wf = [](const std::string& id, const std::string& params) {
    return R"({"id": ")" + id + R"(", "trigger": {"type": "call.incoming")" + params +
           R"(}, "nodes": [{"id": "r", "type": "respond", "params": {"value": {"by": ")" + id + R"("}}}]})";
  };
  install(engine, wf("b_general", ""));
  install(engine, wf("a_general", ""));
  install(engine, wf("vapi", R"(, "platform": "vapi")"));
  install(engine, wf("sales", R"(, "assistant": ["sales", "sales2"])"));
  install(engine, wf("sales_retell", R"(, "assistant": "sales", "platform": "retell")"));
  REQUIRE(engine.start().ok());
  CHECK(engine.inject(caller("sales", "retell"), 10s).values.get_string("by") == "sales_retell");
  CHECK(engine.inject(caller("sales2", "vapi"), 10s).values.get_string("by") == "sales");
  CHECK(engine.inject(caller("other", "vapi"), 10s).values.get_string("by") == "vapi");
  CHECK(engine.inject(caller("other", "twilio"), 10s).values.get_string("by") == "a_general");
}

TEST_CASE("inject without a matching workflow answers no variables, not partial", "[voice]") {
  Engine engine({.threads = 2});
  install(engine, R"({"id": "only_support", "trigger": {"type": "call.incoming", "assistant": "support"},
    "nodes": [{"id": "r", "type": "respond", "params": {"value": {"x": 1}}}]})");
  REQUIRE(engine.start().ok());
  Variables v = engine.inject(caller("sales"), 10s);
  CHECK_FALSE(v.partial);
  CHECK(v.values.as_object().empty());
  CHECK(v.run_id.empty());
}

TEST_CASE("inject answers at the respond node without waiting for the rest of the run", "[voice]") {
  Engine engine({.threads = 2});
  auto held = std::make_shared<Held>();
  register_held(engine, held);
  install(engine, R"({"id": "w", "trigger": {"type": "call.incoming"}, "nodes": [
    {"id": "r", "type": "respond", "params": {"value": {"greeting": "hi"}}},
    {"id": "slow", "type": "test.held", "after": "r"}]})");
  REQUIRE(engine.start().ok());
  Variables v = engine.inject(caller(), 30s);
  CHECK_FALSE(v.partial);
  CHECK(v.values.get_string("greeting") == "hi");
  auto h = engine.find_run(v.run_id);
  REQUIRE(h.ok());
  held->invoked.wait();
  CHECK_FALSE(h.value().done());  // the run goes on after the answer
  held->release();
  CHECK(h.value().wait().status == RunStatus::succeeded);
}

TEST_CASE("at the deadline inject answers the defaults and what finished set nodes computed", "[voice]") {
  Engine engine({.threads = 2});
  auto held = std::make_shared<Held>();
  register_held(engine, held);
  install(engine, R"({"id": "w", "trigger": {"type": "call.incoming",
      "defaults": {"name": "there", "open_deals": "0", "last_summary": ""}},
    "nodes": [
      {"id": "quick", "type": "set", "params": {"fields": {"name": "Jana", "unrelated": "x"}}},
      {"id": "crm", "type": "test.held", "after": "quick"},
      {"id": "r", "type": "respond", "after": "crm", "params": {"value": {"name": "late"}}}]})");
  REQUIRE(engine.start().ok());
  const double misses = deadline_misses();
  // The deadline must expire (crm is held), but only after `quick` finished: 2 s
  // leaves a slow machine (ASan, loaded) ample time for one set node.
  Variables v = engine.inject(caller(), 2s);
  CHECK(v.partial);
  CHECK(v.error_code == StatusCode::deadline_exceeded);
  CHECK(deadline_misses() == misses + 1);  // counted on /metrics
  CHECK(v.values == Value::object({{"name", "Jana"}, {"open_deals", "0"}, {"last_summary", ""}}));
  auto h = engine.find_run(v.run_id);
  REQUIRE(h.ok());
  held->invoked.wait();
  held->release();
  RunRecord rec = h.value().wait();
  CHECK(rec.status == RunStatus::succeeded);  // the run finished after its late answer
  CHECK(rec.response.get_string("name") == "late");
}

TEST_CASE("a failed run, a run without respond and a non-object respond answer partial defaults", "[voice]") {
  Engine engine({.threads = 2});
  REQUIRE(register_fn(engine, "test.down", [](NodeCall call) { call.fail(unavailable("CRM down")); }).ok());
  install(engine, R"({"id": "a_fails", "trigger": {"type": "call.incoming", "assistant": "f", "defaults": {"x": "d"}},
    "nodes": [{"id": "boom", "type": "test.down"},
              {"id": "r", "type": "respond", "after": "boom", "params": {"value": {"x": "y"}}}]})");
  install(engine, R"({"id": "b_silent", "trigger": {"type": "call.incoming", "assistant": "s", "defaults": {"x": "d"}},
    "nodes": [{"id": "n", "type": "noop"}]})");
  install(engine, R"({"id": "c_scalar", "trigger": {"type": "call.incoming", "assistant": "n", "defaults": {"x": "d"}},
    "nodes": [{"id": "r", "type": "respond", "params": {"value": "just text"}}]})");
  REQUIRE(engine.start().ok());
  Variables f = engine.inject(caller("f"), 10s);
  CHECK(f.partial);
  CHECK(f.error_code == StatusCode::unavailable);
  CHECK(f.error.find("CRM down") != std::string::npos);
  CHECK(f.values == Value::object({{"x", "d"}}));
  Variables s = engine.inject(caller("s"), 10s);
  CHECK(s.partial);
  CHECK(s.error.find("without running its respond node") != std::string::npos);
  CHECK(s.values == Value::object({{"x", "d"}}));
  Variables n = engine.inject(caller("n"), 10s);
  CHECK(n.partial);
  CHECK(n.error.find("must be an object") != std::string::npos);
  CHECK(n.values == Value::object({{"x", "d"}}));
}

TEST_CASE("a variable that is not its declared type falls back to its default", "[voice]") {
  Engine engine({.threads = 2});
  install(engine, R"({"id": "w", "trigger": {"type": "call.incoming", "defaults": {"deals": 0},
      "variable_types": {"deals": "number"}},
    "nodes": [{"id": "r", "type": "respond", "params": {"value": {"deals": "many", "name": "x"}}}]})");
  REQUIRE(engine.start().ok());
  Variables v = engine.inject(caller(), 10s);
  CHECK(v.partial);
  CHECK(v.error.find("'deals' is not a number") != std::string::npos);
  CHECK(*v.values.find("deals") == Value(0));
  CHECK(v.values.get_string("name") == "x");
}

TEST_CASE("variable_types must name a known type", "[voice]") {
  Engine engine;
  auto wf = engine.parse(R"({"id": "w", "trigger": {"type": "call.incoming", "variable_types": {"a": "float"}},
    "nodes": [{"id": "r", "type": "respond", "params": {"value": {}}}]})");
  REQUIRE_FALSE(wf.ok());
  CHECK(wf.status().message().find("variable_types.a") != std::string::npos);
}

TEST_CASE("inject_async answers on time from a timer, and at the respond node", "[voice]") {
  Engine engine({.threads = 2});
  auto held = std::make_shared<Held>();
  register_held(engine, held);
  install(engine, R"({"id": "slow", "trigger": {"type": "call.incoming", "assistant": "slow", "defaults": {"v": "d"}},
    "nodes": [{"id": "h", "type": "test.held"},
              {"id": "r", "type": "respond", "after": "h", "params": {"value": {"v": "late"}}}]})");
  install(engine, R"({"id": "fast", "trigger": {"type": "call.incoming", "assistant": "fast"},
    "nodes": [{"id": "r", "type": "respond", "params": {"value": {"v": "{{ trigger.call_id }}"}}}]})");
  REQUIRE(engine.start().ok());

  std::promise<Variables> late;
  engine.inject_async(caller("slow"), 20ms, [&](Variables v) { late.set_value(std::move(v)); });
  Variables l = late.get_future().get();  // answered by the deadline timer: nothing released the node
  CHECK(l.partial);
  CHECK(l.values == Value::object({{"v", "d"}}));

  std::promise<Variables> fast;
  engine.inject_async(caller("fast"), 10s, [&](Variables v) { fast.set_value(std::move(v)); });
  Variables f = fast.get_future().get();
  CHECK_FALSE(f.partial);
  CHECK(f.values.get_string("v") == "call-1");
  held->invoked.wait();
  held->release();
}

TEST_CASE("an injection run is written to the store after its answer, with no accept before", "[voice]") {
  famulor::test::TempDir dir;
  const std::string db = (dir / "famulor.db").string();
  std::string run_id;
  {
    Engine engine({.threads = 2, .db = db});
    install(engine, kLookup);
    REQUIRE(engine.start().ok());
    Variables v = engine.inject(caller(), 10s);
    REQUIRE_FALSE(v.partial);
    run_id = v.run_id;
    REQUIRE(engine.find_run(run_id).ok());
    engine.find_run(run_id).value().wait();
  }  // stop() flushes the store
  Engine engine({.threads = 2, .db = db});
  auto rec = engine.get_run(run_id);
  INFO(rec.status().to_string());
  REQUIRE(rec.ok());
  CHECK(rec.value().status == RunStatus::succeeded);
  CHECK(rec.value().workflow == "lookup");
  CHECK(rec.value().trigger.get_string("from") == "+4930123456");
  REQUIRE(rec.value().node("who") != nullptr);
  CHECK(rec.value().node("who")->output.get_string("name") == "Jana");
  CHECK(rec.value().response.get_string("name") == "Jana");
}

TEST_CASE("injection answers while post-call work occupies every worker thread", "[voice]") {
  Engine engine({.threads = 2});
  // test.block occupies its worker thread until the gate opens (deliberately, to
  // stand for a burst of post-call work).
  auto gate = std::make_shared<Gate>();
  auto entered = std::make_shared<std::pair<std::mutex, std::condition_variable>>();
  auto count = std::make_shared<int>(0);
  REQUIRE(register_fn(engine, "test.block", [gate, entered, count](NodeCall call) {
            {
              std::lock_guard lk(entered->first);
              ++*count;
              entered->second.notify_all();
            }
            gate->wait();
            call.succeed(Value());
          }).ok());
  REQUIRE(register_fn(engine, "test.quick", [](NodeCall call) { call.succeed(Value::object({{"name", "Jana"}})); }).ok());
  auto held = std::make_shared<Held>();
  register_held(engine, held);
  install(engine, R"({"id": "crm", "trigger": {"type": "call.ended"}, "nodes": [{"id": "b", "type": "test.block"}]})");
  install(engine, R"({"id": "lookup", "trigger": {"type": "call.incoming", "assistant": "quick"}, "nodes": [
    {"id": "q", "type": "test.quick"},
    {"id": "r", "type": "respond", "after": "q", "params": {"value": "{{ nodes.q.output }}"}}]})");
  install(engine, R"({"id": "slow", "trigger": {"type": "call.incoming", "assistant": "slow", "defaults": {"name": "there"}},
    "nodes": [{"id": "h", "type": "test.held"},
              {"id": "r", "type": "respond", "after": "h", "params": {"value": {"name": "late"}}}]})");
  REQUIRE(engine.start().ok());
  for (const char* id : {"c1", "c2"}) {
    CallEvent c;
    c.call_id = id;
    REQUIRE(engine.emit(c).ok());
  }
  {
    std::unique_lock lk(entered->first);
    entered->second.wait(lk, [&] { return *count == 2; });  // both workers are busy now
  }
  std::promise<Variables> quick;
  engine.inject_async(caller("quick"), 30s, [&](Variables v) { quick.set_value(std::move(v)); });
  Variables q = quick.get_future().get();
  CHECK_FALSE(q.partial);
  CHECK(q.values.get_string("name") == "Jana");
  std::promise<Variables> slow;
  engine.inject_async(caller("slow"), 20ms, [&](Variables v) { slow.set_value(std::move(v)); });
  Variables s = slow.get_future().get();  // the deadline timer is not queued behind the blocked workers
  CHECK(s.partial);
  CHECK(s.values.get_string("name") == "there");
  gate->open();
  held->invoked.wait();
  held->release();
}

TEST_CASE("an injection run is not in the store before it is final", "[voice]") {
  famulor::test::TempDir dir;
  const std::string db = (dir / "famulor.db").string();
  Engine engine({.threads = 2, .db = db});
  auto held = std::make_shared<Held>();
  register_held(engine, held);
  install(engine, R"({"id": "w", "trigger": {"type": "call.incoming"}, "nodes": [
    {"id": "r", "type": "respond", "params": {"value": {"greeting": "hi"}}},
    {"id": "slow", "type": "test.held", "after": "r"}]})");
  REQUIRE(engine.start().ok());
  Variables v = engine.inject(caller(), 30s);
  REQUIRE_FALSE(v.partial);
  held->invoked.wait();
  auto other = store::open_sqlite_store(db);  // another connection, as another process would read
  REQUIRE(other.ok());
  CHECK((*other)->get_run(v.run_id).status().code() == StatusCode::not_found);  // answered, nothing written yet
  held->release();
  auto h = engine.find_run(v.run_id);
  REQUIRE(h.ok());
  CHECK(h.value().wait().status == RunStatus::succeeded);
  engine.stop();  // flushes
  auto rec = (*other)->get_run(v.run_id);
  REQUIRE(rec.ok());
  CHECK(rec->status == RunStatus::succeeded);
  CHECK(rec->node("slow")->output.get_bool("late"));
}
