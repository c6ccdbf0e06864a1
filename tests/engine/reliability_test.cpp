// Reliability: circuit breakers and rate limits as units (with an injected clock),
// and inside a real Engine over loopback HTTP: an open breaker fails fast and the
// retry waits for its half-open time; a rate-limited call waits on a timer, not a
// pool thread; a 429 Retry-After holds the credential's bucket. (Run concurrency
// limits: run_limits_test.cpp.)
#include <catch2/catch.hpp>

#include <atomic>
#include <cstdlib>
#include <thread>

#include "common/circuit_breaker.hpp"
#include "common/rate_limiter.hpp"
#include "connectors/manifest.hpp"
#include "engine_helpers.hpp"
#include "support/fake_http_server.hpp"
#include "support/paths.hpp"

using namespace famulor;
using namespace famulor::test;
using namespace std::chrono_literals;
using famulor::detail::BreakerConfig;
using famulor::detail::CircuitBreaker;
using famulor::detail::TokenBucket;

namespace {

struct EnvVar {
  EnvVar(const char* name, const std::string& value) : name_(name) { ::setenv(name, value.c_str(), 1); }
  ~EnvVar() { ::unsetenv(name_); }
  const char* name_;
};

std::string http_workflow(const std::string& id, const std::string& url, int attempts = 1) {
  return R"({"id": ")" + id + R"(", "trigger": {"type": "manual"}, "nodes": [
    {"id": "call", "type": "http.request", "params": {"method": "GET", "url": ")" + url + R"("},
     "retry": {"max_attempts": )" + std::to_string(attempts) + R"(, "initial_interval": "1ms", "max_interval": "1ms"}}]})";
}

EngineOptions loopback_options() {
  EngineOptions o;
  o.threads = 2;
  o.allow_hosts = {"127.0.0.1"};
  return o;
}

}  // namespace

TEST_CASE("a breaker opens at the failure ratio, refuses until the cool-down, then probes", "[reliability]") {
  BreakerConfig cfg;
  cfg.min_calls = 10;
  cfg.failure_ratio = 0.5;
  cfg.window = 30s;
  cfg.cool_down = 10s;
  CircuitBreaker b("hubspot", cfg);
  const auto t0 = CircuitBreaker::Clock::time_point{} + 1000h;
  // 5 successes and 4 failures: under min_calls, stays closed.
  for (int i = 0; i < 5; ++i) b.record(b.admit(t0), false, t0);
  for (int i = 0; i < 4; ++i) b.record(b.admit(t0), true, t0);
  CHECK(b.state(t0) == CircuitBreaker::State::closed);
  // The 10th call fails: 5 of 10 >= 50 %.
  b.record(b.admit(t0 + 1s), true, t0 + 1s);
  REQUIRE(b.state(t0 + 1s) == CircuitBreaker::State::open);
  auto refused = b.admit(t0 + 2s);
  REQUIRE_FALSE(refused.allowed);
  CHECK(refused.retry_at == t0 + 11s);
  Status why = b.refusal(refused, t0 + 2s);
  CHECK(why.code() == StatusCode::unavailable);
  CHECK(why.message().rfind("circuit open for hubspot until ", 0) == 0);
  CHECK(why.message().find("5 of 10 calls failed in the last 30s") != std::string::npos);

  // After the cool-down: one probe at a time.
  auto probe = b.admit(t0 + 11s);
  REQUIRE(probe.allowed);
  CHECK(probe.probe);
  CHECK_FALSE(b.admit(t0 + 11s).allowed);
  // The probe fails: open for another cool-down.
  b.record(probe, true, t0 + 12s);
  CHECK(b.state(t0 + 12s) == CircuitBreaker::State::open);
  CHECK_FALSE(b.admit(t0 + 21s).allowed);
  // The next probe succeeds: closed, the old failures forgotten.
  auto probe2 = b.admit(t0 + 22s);
  REQUIRE(probe2.probe);
  b.record(probe2, false, t0 + 23s);
  CHECK(b.state(t0 + 23s) == CircuitBreaker::State::closed);
  b.record(b.admit(t0 + 23s), true, t0 + 23s);
  CHECK(b.state(t0 + 23s) == CircuitBreaker::State::closed);
}

TEST_CASE("a breaker forgets failures older than its window, abandoned probes free their place", "[reliability]") {
  BreakerConfig cfg;
  cfg.min_calls = 4;
  cfg.window = 10s;
  cfg.cool_down = 5s;
  CircuitBreaker b("api", cfg);
  const auto t0 = CircuitBreaker::Clock::time_point{} + 1000h;
  for (int i = 0; i < 3; ++i) b.record(b.admit(t0), true, t0);
  // 20 s later those three are out of the window: one more failure is 1 of 1.
  b.record(b.admit(t0 + 20s), true, t0 + 20s);
  CHECK(b.state(t0 + 20s) == CircuitBreaker::State::closed);
  for (int i = 0; i < 3; ++i) b.record(b.admit(t0 + 21s), true, t0 + 21s);
  REQUIRE(b.state(t0 + 21s) == CircuitBreaker::State::open);
  auto probe = b.admit(t0 + 27s);
  REQUIRE(probe.probe);
  b.abandon(probe);  // never sent: the next caller may probe
  CHECK(b.admit(t0 + 27s).probe);
}

TEST_CASE("what counts against a breaker: timeouts, connection errors, 5xx, 429, not 4xx", "[reliability]") {
  using detail::counts_against_breaker;
  CHECK(counts_against_breaker(StatusCode::deadline_exceeded, 0));
  CHECK(counts_against_breaker(StatusCode::unavailable, 0));
  CHECK_FALSE(counts_against_breaker(StatusCode::permission_denied, 0));  // the outbound policy refused
  CHECK_FALSE(counts_against_breaker(StatusCode::cancelled, 0));
  CHECK(counts_against_breaker(StatusCode::ok, 503));
  CHECK(counts_against_breaker(StatusCode::ok, 500));
  CHECK(counts_against_breaker(StatusCode::ok, 429));
  CHECK_FALSE(counts_against_breaker(StatusCode::ok, 400));
  CHECK_FALSE(counts_against_breaker(StatusCode::ok, 404));
  CHECK_FALSE(counts_against_breaker(StatusCode::ok, 200));
}

TEST_CASE("a cancelled or refused probe neither closes nor reopens a breaker", "[reliability]") {
  BreakerConfig cfg;
  cfg.min_calls = 1;
  cfg.cool_down = std::chrono::seconds(5);
  CircuitBreaker b("api", cfg);
  const auto t0 = CircuitBreaker::Clock::time_point{} + 1000h;
  b.settle(b.admit(t0), StatusCode::ok, 500, t0);
  REQUIRE(b.state(t0) == CircuitBreaker::State::open);
  auto probe = b.admit(t0 + 6s);
  REQUIRE(probe.probe);
  b.settle(probe, StatusCode::cancelled, 0, t0 + 6s);
  CHECK(b.state(t0 + 6s) == CircuitBreaker::State::half_open);
  auto probe2 = b.admit(t0 + 6s);
  REQUIRE(probe2.probe);  // the cancelled probe gave its place back
  b.settle(probe2, StatusCode::permission_denied, 0, t0 + 6s);
  CHECK(b.state(t0 + 6s) == CircuitBreaker::State::half_open);
  b.settle(b.admit(t0 + 6s), StatusCode::ok, 404, t0 + 6s);  // the service answered
  CHECK(b.state(t0 + 6s) == CircuitBreaker::State::closed);
}

TEST_CASE("breaker configs parse with clear errors", "[reliability]") {
  auto ok = detail::parse_breaker_config(
      Value::parse(R"({"failure_ratio":0.25,"min_calls":4,"window":"1m","cool_down":"5s","probes":2})").value(), "$.cb");
  REQUIRE(ok.ok());
  CHECK(ok->failure_ratio == 0.25);
  CHECK(ok->window == 60s);
  CHECK(ok->cool_down == 5s);
  CHECK(ok->probes == 2);
  auto bad = detail::parse_breaker_config(Value::parse(R"({"failure_ratio":2})").value(), "$.circuit_breaker");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().message() == "$.circuit_breaker.failure_ratio must be a number above 0 and at most 1");
  auto unknown = detail::parse_breaker_config(Value::parse(R"({"ratio":0.5})").value(), "$.cb");
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.status().message().find("unknown key 'ratio'") != std::string::npos);
}

TEST_CASE("a token bucket lets a burst through, then spaces calls, a pause holds every call", "[reliability]") {
  TokenBucket b({2.0, 3.0});  // 2 per second, burst 3
  const auto t0 = TokenBucket::Clock::time_point{} + 1000h;
  CHECK(b.reserve(t0) == 0s);
  CHECK(b.reserve(t0) == 0s);
  CHECK(b.reserve(t0) == 0s);
  CHECK(b.reserve(t0) == 500ms);  // the 4th token comes half a second later
  CHECK(b.reserve(t0) == 1000ms);
  // Much later the bucket is full again.
  const auto t1 = t0 + 1h;
  CHECK(b.reserve(t1) == 0s);
  // A 429 with Retry-After: 30 s: the next call waits for it, and gets no burst.
  b.pause_until(t1 + 30s);
  CHECK(b.reserve(t1 + 1s) == 29s);
  CHECK(b.reserve(t1 + 1s) == 29s + 500ms);
}

TEST_CASE("an open breaker for an http.request host fails runs fast, without calling the host", "[reliability][engine]") {
  FakeHttpServer down, up;
  down.on("GET", "/x", FakeResponse::status_only(503));
  up.on("GET", "/x", FakeResponse::json(200, "{}"));
  EngineOptions o = loopback_options();
  o.circuit_breaker.min_calls = 3;
  o.circuit_breaker.cool_down = 1h;
  Engine engine(o);
  install(engine, http_workflow("down", down.url() + "/x"));
  install(engine, http_workflow("up", up.url() + "/x"));
  REQUIRE(engine.start().ok());
  for (int i = 0; i < 3; ++i) {
    RunRecord r = run_and_wait(engine, "down");
    REQUIRE(r.status == RunStatus::failed);
    CHECK(node(r, "call").error.find("503") != std::string::npos);
  }
  RunRecord fast = run_and_wait(engine, "down");
  REQUIRE(fast.status == RunStatus::failed);
  const NodeRecord& n = node(fast, "call");
  CHECK(n.error_code == StatusCode::unavailable);
  std::string host = down.url().substr(std::string("http://").size());
  INFO(n.error);
  CHECK(n.error.rfind("circuit open for " + host + " until ", 0) == 0);
  CHECK(down.requests().size() == 3);  // the 4th never reached it
  // Another host has its own breaker.
  CHECK(run_and_wait(engine, "up").status == RunStatus::succeeded);
}

TEST_CASE("4xx answers do not open a breaker", "[reliability][engine]") {
  FakeHttpServer api;
  api.on("GET", "/x", FakeResponse::status_only(404));
  EngineOptions o = loopback_options();
  o.circuit_breaker.min_calls = 2;
  o.circuit_breaker.cool_down = 1h;
  Engine engine(o);
  install(engine, http_workflow("w", api.url() + "/x"));
  REQUIRE(engine.start().ok());
  for (int i = 0; i < 4; ++i) {
    RunRecord r = run_and_wait(engine, "w");
    CHECK(node(r, "call").error_code == StatusCode::not_found);
  }
  CHECK(api.requests().size() == 4);
}

TEST_CASE("a retry refused by an open breaker waits for the half-open time, then its probe closes it",
          "[reliability][engine]") {
  FakeHttpServer api;
  api.on("GET", "/x", FakeResponse::json(200, R"({"ok":true})")).fail_first(2, FakeResponse::status_only(503));
  EngineOptions o = loopback_options();
  o.circuit_breakers["127.0.0.1:" + std::to_string(api.port())] = [] {
    CircuitBreakerOptions b;
    b.min_calls = 2;
    // Long enough that "retrying" surely starts while the breaker is still open,
    // however slow this machine is (its first attempt must be refused).
    b.cool_down = 3s;
    return b;
  }();
  Engine engine(o);
  install(engine, http_workflow("once", api.url() + "/x"));
  install(engine, http_workflow("retrying", api.url() + "/x", 2));
  REQUIRE(engine.start().ok());
  CHECK(run_and_wait(engine, "once").status == RunStatus::failed);
  CHECK(run_and_wait(engine, "once").status == RunStatus::failed);  // now open
  RunRecord r = run_and_wait(engine, "retrying");
  INFO(r.to_json().dump());
  REQUIRE(r.status == RunStatus::succeeded);
  CHECK(node(r, "call").attempts == 2);
  auto reqs = api.requests();
  REQUIRE(reqs.size() == 3);  // the refused attempt sent nothing; the probe did
  // Not before the half-open time: the breaker opened after the 2nd request arrived.
  CHECK(reqs[2].received_at - reqs[1].received_at >= 3s - 50ms);
}

TEST_CASE("a manifest's circuit_breaker is read and checked", "[reliability][connector]") {
  auto m = connectors::parse_manifest_text(R"({"app":"acme","title":"Acme","base_url":"https://acme.test",
      "auth":[{"kind":"none"}],"circuit_breaker":{"min_calls":3,"cool_down":"2m"},
      "operations":{"ping":{"method":"GET","path":"/ping"}}})", "acme.json");
  INFO((m.ok() ? std::string() : m.status().message()));
  REQUIRE(m.ok());
  REQUIRE(m->circuit_breaker);
  CHECK(m->circuit_breaker->min_calls == 3);
  CHECK(m->circuit_breaker->cool_down == 120s);
  auto bad = connectors::parse_manifest_text(R"({"app":"acme","title":"Acme","base_url":"https://acme.test",
      "auth":[{"kind":"none"}],"circuit_breaker":{"probes":0},
      "operations":{"ping":{"method":"GET","path":"/ping"}}})", "acme.json");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().message().find("probes must be an integer") != std::string::npos);
}

namespace {

const char* kSlackFlow = R"({"id": "notify", "trigger": {"type": "manual"}, "nodes": [
  {"id": "post", "type": "slack.post_message", "credential": "slack",
   "params": {"channel": "#sales", "text": "hi"}}]})";

EngineOptions slack_options() {
  EngineOptions o;
  o.threads = 1;
  o.credentials = [](const std::string& name) -> std::optional<Value> {
    if (name == "slack") return Value::object({{"access_token", "xoxb-T"}});
    return std::nullopt;
  };
  return o;
}

}  // namespace

TEST_CASE("a call over its credential's rate waits on a timer: the only pool thread keeps running other runs",
          "[reliability][engine][connector]") {
  FakeHttpServer slack;
  slack.on("POST", "/chat.postMessage", FakeResponse::json(200, R"({"ok":true,"ts":"1.2"})"));
  EnvVar base("FAMULOR_SLACK_BASE_URL", slack.url());
  EngineOptions o = slack_options();
  o.rate_limits["slack"] = RateLimit{0.001, 1};  // one call, then the next token in ~17 minutes
  Engine engine(o);
  install(engine, kSlackFlow);
  install(engine, R"({"id": "other", "trigger": {"type": "manual"}, "nodes": [
    {"id": "s", "type": "set", "params": {"fields": {"x": 1}}}]})");
  REQUIRE(engine.start().ok());
  CHECK(run_and_wait(engine, "notify").status == RunStatus::succeeded);
  auto waiting = engine.run("notify", Value::object());
  REQUIRE(waiting.ok());
  // One worker thread: if the limited call held it, this run could not finish.
  CHECK(run_and_wait(engine, "other").status == RunStatus::succeeded);
  CHECK_FALSE(waiting->done());
  waiting->cancel();
  RunRecord r = waiting->wait();
  CHECK(r.status == RunStatus::cancelled);
  CHECK(slack.requests().size() == 1);
}

TEST_CASE("a 429 with Retry-After holds back the credential's next calls until then",
          "[reliability][engine][connector]") {
  FakeHttpServer slack;
  slack.on("POST", "/chat.postMessage", FakeResponse::json(200, R"({"ok":true,"ts":"1.2"})"))
      .fail_first(1, FakeResponse::json(429, R"({"ok":false,"error":"ratelimited"})").header("Retry-After", "1"));
  EnvVar base("FAMULOR_SLACK_BASE_URL", slack.url());
  EngineOptions o = slack_options();
  o.threads = 2;
  Engine engine(o);  // slack.json: 1 per second, burst 5
  install(engine, kSlackFlow);
  REQUIRE(engine.start().ok());
  RunRecord first = run_and_wait(engine, "notify");
  REQUIRE(first.status == RunStatus::failed);
  RunRecord second = run_and_wait(engine, "notify");
  INFO(second.to_json().dump());
  CHECK(second.status == RunStatus::succeeded);
  auto reqs = slack.requests();
  REQUIRE(reqs.size() == 2);
  CHECK(reqs[1].received_at - reqs[0].received_at >= 900ms);  // Retry-After: 1 (s), minus clock granularity
}

TEST_CASE("a connector app's breaker opens on 5xx and names the app", "[reliability][engine][connector]") {
  FakeHttpServer slack;
  slack.on("POST", "/chat.postMessage", FakeResponse::json(503, R"({"ok":false,"error":"fatal_error"})"));
  EnvVar base("FAMULOR_SLACK_BASE_URL", slack.url());
  EngineOptions o = slack_options();
  o.rate_limits["slack"] = RateLimit{};  // no limit: this test is about the breaker
  o.circuit_breakers["slack"] = [] {
    CircuitBreakerOptions b;
    b.min_calls = 3;
    b.cool_down = std::chrono::hours(1);
    return b;
  }();
  Engine engine(o);
  install(engine, kSlackFlow);
  REQUIRE(engine.start().ok());
  for (int i = 0; i < 3; ++i) CHECK(run_and_wait(engine, "notify").status == RunStatus::failed);
  RunRecord r = run_and_wait(engine, "notify");
  REQUIRE(r.status == RunStatus::failed);
  INFO(node(r, "post").error);
  CHECK(node(r, "post").error_code == StatusCode::unavailable);
  CHECK(node(r, "post").error.rfind("circuit open for slack until ", 0) == 0);
  CHECK(slack.requests().size() == 3);
}
