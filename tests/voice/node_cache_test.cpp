// The per-node lookup cache: hits, misses, keys, errors, LRU bound, and
// stale-while-revalidate, in the engine and in NodeCache itself.
#include <atomic>
#include <thread>

#include "engine/engine_helpers.hpp"
#include "engine/node_cache.hpp"
#include "support/paths.hpp"

using namespace famulor;
using famulor::test::install;
using famulor::test::register_fn;
using famulor::test::run_and_wait;
using namespace std::chrono_literals;

namespace {

// test.count: succeeds with {"n": <calls so far>, "q": params.q}, or fails when params.fail.
void register_counter(Engine& e, std::atomic<int>& calls) {
  REQUIRE(register_fn(e, "test.count", [&calls](NodeCall call) {
            int n = ++calls;
            if (call.params().get_bool("fail")) return call.fail(unavailable("lookup failed"));
            call.succeed(Value::object({{"n", n}, {"q", call.params().get_string("q")}}));
          }).ok());
}

const char* kCached = R"({"id": "w", "trigger": {"type": "manual"}, "nodes": [
  {"id": "look", "type": "test.count", "cache": "5m", "params": {"q": "{{ trigger.q }}", "fail": "{{ trigger.fail }}"}},
  {"id": "r", "type": "respond", "after": "look", "params": {"value": "{{ nodes.look.output }}"}}]})";

Value payload(const char* q, bool fail = false) { return Value::object({{"q", q}, {"fail", fail}}); }

}  // namespace

TEST_CASE("a cached node answers repeat params from memory and says so", "[voice][cache]") {
  std::atomic<int> calls{0};
  Engine engine({.threads = 2});
  register_counter(engine, calls);
  install(engine, kCached);
  REQUIRE(engine.start().ok());
  RunRecord a = run_and_wait(engine, "w", payload("+491"));
  RunRecord b = run_and_wait(engine, "w", payload("+491"));
  RunRecord c = run_and_wait(engine, "w", payload("+492"));
  CHECK(calls == 2);
  CHECK(a.response.get_int("n") == 1);
  CHECK(b.response.get_int("n") == 1);  // from the cache
  CHECK(c.response.get_int("n") == 2);  // other params: another key
  CHECK_FALSE(a.node("look")->cached);
  CHECK(b.node("look")->cached);
  CHECK(b.node("look")->status == NodeStatus::succeeded);
  CHECK(b.to_json().find("nodes")->find("look")->get_bool("cached"));
}

TEST_CASE("errors are never cached", "[voice][cache]") {
  std::atomic<int> calls{0};
  Engine engine({.threads = 2});
  register_counter(engine, calls);
  install(engine, kCached);
  REQUIRE(engine.start().ok());
  CHECK(run_and_wait(engine, "w", payload("x", true)).status == RunStatus::failed);
  CHECK(run_and_wait(engine, "w", payload("x", true)).status == RunStatus::failed);
  CHECK(calls == 2);
}

TEST_CASE("the cache is bounded by EngineOptions::cache_entries, least recently used out first", "[voice][cache]") {
  std::atomic<int> calls{0};
  Engine engine({.threads = 2, .cache_entries = 2});
  register_counter(engine, calls);
  install(engine, kCached);
  REQUIRE(engine.start().ok());
  (void)run_and_wait(engine, "w", payload("a"));  // 1
  (void)run_and_wait(engine, "w", payload("b"));  // 2
  (void)run_and_wait(engine, "w", payload("a"));  // hit: a is now the most recent
  (void)run_and_wait(engine, "w", payload("c"));  // 3, evicts b
  CHECK(calls == 3);
  CHECK(run_and_wait(engine, "w", payload("a")).node("look")->cached);
  CHECK_FALSE(run_and_wait(engine, "w", payload("b")).node("look")->cached);
  CHECK(calls == 4);
}

TEST_CASE("a bad cache value is a located validation error", "[voice][cache]") {
  Engine engine;
  auto wf = engine.parse(R"({"id": "w", "trigger": {"type": "manual"}, "nodes": [
    {"id": "n", "type": "noop", "cache": {"ttl": "soon"}}]})");
  REQUIRE_FALSE(wf.ok());
  CHECK(wf.status().message().find("cache.ttl") != std::string::npos);
  CHECK(wf.status().message().find("node 'n'") != std::string::npos);
}

TEST_CASE("stale-while-revalidate answers the stale value and refreshes it in the background", "[voice][cache]") {
  std::atomic<int> calls{0};
  Engine engine({.threads = 2});
  register_counter(engine, calls);
  install(engine, R"({"id": "w", "trigger": {"type": "manual"}, "nodes": [
    {"id": "look", "type": "test.count", "cache": {"ttl": "1ms", "stale": "1h"}, "params": {"q": "k"}},
    {"id": "r", "type": "respond", "after": "look", "params": {"value": "{{ nodes.look.output.n }}"}}]})");
  REQUIRE(engine.start().ok());
  CHECK(run_and_wait(engine, "w").response == Value(1));
  std::this_thread::sleep_for(5ms);  // past the ttl: the entry is stale
  RunRecord stale = run_and_wait(engine, "w");
  CHECK(stale.response == Value(1));  // answered stale ...
  CHECK(stale.node("look")->cached);
  // ... while the node runs again in the background and refreshes the entry.
  Value seen;
  for (int i = 0; i < 2000 && seen != Value(2); ++i) {
    std::this_thread::sleep_for(5ms);
    seen = run_and_wait(engine, "w").response;
  }
  CHECK(seen == Value(2));
}

TEST_CASE("NodeCache keys are canonical and entries expire", "[voice][cache]") {
  using detail::NodeCache;
  auto p1 = Value::parse(R"({"a": 1, "b": {"y": 2, "x": [1, {"k": 1, "j": 2}]}})").value();
  auto p2 = Value::parse(R"({"b": {"x": [1, {"j": 2, "k": 1}], "y": 2}, "a": 1})").value();
  CHECK(NodeCache::key("hubspot.search", p1, "crm") == NodeCache::key("hubspot.search", p2, "crm"));
  CHECK(NodeCache::key("hubspot.search", p1, "crm") != NodeCache::key("hubspot.search", p1, "other"));
  CHECK(NodeCache::key("hubspot.search", p1, "") != NodeCache::key("salesforce.query", p1, ""));

  NodeCache cache(10);
  auto t0 = NodeCache::Clock::now();
  cache.put("k", Value(1), {.ttl = 1000ms, .stale = 1000ms}, t0);
  CHECK(cache.get("k", t0 + 999ms).hit == NodeCache::Hit::fresh);
  auto s1 = cache.get("k", t0 + 1500ms);
  CHECK(s1.hit == NodeCache::Hit::stale);
  CHECK(s1.revalidate);
  CHECK_FALSE(cache.get("k", t0 + 1500ms).revalidate);  // one refresh at a time
  cache.revalidate_failed("k");
  CHECK(cache.get("k", t0 + 1600ms).revalidate);
  CHECK(cache.get("k", t0 + 2000ms).hit == NodeCache::Hit::miss);
  CHECK(cache.size() == 0);
}

TEST_CASE("the store's run record says which node came from the cache", "[voice][cache]") {
  famulor::test::TempDir dir;
  const std::string db = (dir / "famulor.db").string();
  std::string first, second;
  {
    std::atomic<int> calls{0};
    Engine engine({.threads = 2, .db = db});
    register_counter(engine, calls);
    install(engine, kCached);
    REQUIRE(engine.start().ok());
    first = run_and_wait(engine, "w", payload("q")).id;
    RunRecord b = run_and_wait(engine, "w", payload("q"));
    second = b.id;
    CHECK(b.node("look")->attempts == 0);
  }
  Engine engine({.threads = 1, .db = db});
  auto a = engine.get_run(first);
  auto b = engine.get_run(second);
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK_FALSE(a->node("look")->cached);
  CHECK(a->node("look")->attempts == 1);
  CHECK(b->node("look")->cached);
  CHECK(b->node("look")->output.get_int("n") == 1);
}
