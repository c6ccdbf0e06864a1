// The http.request node inside workflow runs, against a loopback server.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdlib>
#include <mutex>
#include <vector>

#include "famulor/engine.hpp"
#include "loopback_server.hpp"

using namespace famulor;
using famulor::test::LoopbackServer;
using famulor::test::Responder;
using famulor::test::ServerReply;
using famulor::test::ServerRequest;

namespace {

// Requests seen, answered by a script (one reply per request, the last repeats).
struct Script {
  std::mutex mu;
  std::vector<ServerRequest> seen;
  std::vector<ServerReply> replies;
  std::function<ServerReply(const ServerRequest&)> fn;

  LoopbackServer::Handler handler() {
    return [this](const ServerRequest& req, Responder r) {
      ServerReply reply;
      {
        std::lock_guard<std::mutex> lock(mu);
        seen.push_back(req);
        if (fn) {
          reply = fn(req);
        } else if (!replies.empty()) {
          reply = replies[std::min(seen.size(), replies.size()) - 1];
        }
      }
      r.reply(std::move(reply));
    };
  }
  std::vector<ServerRequest> requests() {
    std::lock_guard<std::mutex> lock(mu);
    return seen;
  }
};

// An engine whose outbound policy allows the loopback server.
struct Fixture {
  explicit Fixture(bool allow_loopback = true) {
    if (allow_loopback) {
      ::setenv("FAMULOR_ALLOW_HOSTS", "127.0.0.1", 1);
    } else {
      ::unsetenv("FAMULOR_ALLOW_HOSTS");
    }
    engine = std::make_unique<Engine>(EngineOptions{.threads = 2});
    ::unsetenv("FAMULOR_ALLOW_HOSTS");
  }
  std::unique_ptr<Engine> engine;

  Status install(const std::string& node_json) {
    std::string wf = R"({"id": "w", "trigger": {"type": "manual"}, "nodes": [)" + node_json +
                     R"(, {"id": "out", "type": "respond", "after": "h", "params": {"value": "{{ nodes.h.output }}"}}]})";
    auto parsed = engine->parse(wf);
    if (!parsed.ok()) return parsed.status();
    return engine->install(std::move(parsed).value());
  }
  RunRecord run(Value payload = Value::object()) {
    if (!engine->start().ok()) FAIL("engine did not start");
    auto h = engine->run("w", std::move(payload));
    REQUIRE(h.ok());
    return h->wait();
  }
};

}  // namespace

TEST_CASE("http.request POSTs JSON and outputs the parsed response", "[client][node]") {
  Script script;
  script.replies = {{201, {{"Content-Type", "application/json"}}, R"({"id": 7, "tags": ["a"]})"}};
  LoopbackServer server(script.handler());
  Fixture f;
  REQUIRE(f.install(R"({"id": "h", "type": "http.request", "params": {
      "method": "post", "url": ")" + server.url("/contacts") + R"(",
      "query": {"expand": ["owner", "deals"], "q": "a b"},
      "headers": {"Authorization": "Bearer {{ trigger.token }}"},
      "body": {"email": "{{ trigger.email }}", "score": 3}}})")
              .ok());
  RunRecord r = f.run(Value::object({{"email", "a@example.com"}, {"token", "t0k"}}));
  REQUIRE(r.status == RunStatus::succeeded);
  CHECK(r.response == Value::object({{"id", 7}, {"tags", Value::array({"a"})}}));

  auto seen = script.requests();
  REQUIRE(seen.size() == 1);
  CHECK(seen[0].method == "POST");
  CHECK(seen[0].target == "/contacts?expand=owner&expand=deals&q=a%20b");
  CHECK(seen[0].header("authorization") == "Bearer t0k");
  CHECK(seen[0].header("content-type") == "application/json");
  CHECK(Value::parse(seen[0].body).value() == Value::object({{"email", "a@example.com"}, {"score", 3}}));
  CHECK_FALSE(seen[0].header("idempotency-key").empty());
}

TEST_CASE("http.request retries a 503 with the same idempotency key", "[client][node]") {
  Script script;
  script.replies = {{503, {}, R"({"error":"busy"})"}, {200, {}, R"({"ok":true})"}};
  LoopbackServer server(script.handler());
  Fixture f;
  REQUIRE(f.install(R"({"id": "h", "type": "http.request", "retry": {"max_attempts": 3, "initial_interval": "1ms"},
      "params": {"method": "PUT", "url": ")" + server.url("/x") + R"(", "body": {"a": 1}}})")
              .ok());
  RunRecord r = f.run();
  REQUIRE(r.status == RunStatus::succeeded);
  const NodeRecord* h = r.node("h");
  REQUIRE(h != nullptr);
  CHECK(h->attempts == 2);
  auto seen = script.requests();
  REQUIRE(seen.size() == 2);
  CHECK(seen[0].header("idempotency-key") == seen[1].header("idempotency-key"));
  CHECK_FALSE(seen[0].header("idempotency-key").empty());
}

TEST_CASE("http.request fails on non-2xx with the status and the app's body", "[client][node]") {
  Script script;
  script.replies = {{404, {}, R"({"message":"contact 99 not found"})"}};
  LoopbackServer server(script.handler());
  Fixture f;
  REQUIRE(f.install(R"({"id": "h", "type": "http.request", "params": {"url": ")" + server.url("/contacts/99") + R"("}})")
              .ok());
  RunRecord r = f.run();
  CHECK(r.status == RunStatus::failed);
  const NodeRecord* h = r.node("h");
  REQUIRE(h != nullptr);
  CHECK(h->status == NodeStatus::failed);
  CHECK(h->error_code == StatusCode::not_found);
  CHECK(h->error.find("404") != std::string::npos);
  CHECK(h->error.find("contact 99 not found") != std::string::npos);
  CHECK(script.requests().size() == 1);  // not retryable: sent once
}

TEST_CASE("http.request full response, form bodies and raw text", "[client][node]") {
  Script script;
  script.fn = [](const ServerRequest& req) {
    return ServerReply{200, {{"Content-Type", "text/plain"}, {"X-Id", "9"}}, "got " + req.body};
  };
  LoopbackServer server(script.handler());
  Fixture f;
  REQUIRE(f.install(R"({"id": "h", "type": "http.request", "params": {"method": "POST", "url": ")" +
                    server.url("/v1/charges") + R"(", "body_type": "form", "response": "full",
      "body": {"amount": 2000, "metadata": {"call": "c 1"}}}})")
              .ok());
  RunRecord r = f.run();
  REQUIRE(r.status == RunStatus::succeeded);
  CHECK(r.response.get_int("status") == 200);
  REQUIRE(r.response.find("headers") != nullptr);
  CHECK(r.response.find("headers")->get_string("x-id") == "9");
  CHECK(r.response.get_string("body") == "got amount=2000&metadata[call]=c+1");
  auto seen = script.requests();
  REQUIRE(seen.size() == 1);
  CHECK(seen[0].header("content-type") == "application/x-www-form-urlencoded");
}

TEST_CASE("http.request follows a cursor across pages", "[client][node]") {
  Script script;
  script.fn = [](const ServerRequest& req) {
    if (req.target.find("cursor=p2") != std::string::npos)
      return ServerReply{200, {}, R"({"data":[3],"next":null})"};
    return ServerReply{200, {}, R"({"data":[1,2],"next":"p2"})"};
  };
  LoopbackServer server(script.handler());
  Fixture f;
  REQUIRE(f.install(R"({"id": "h", "type": "http.request", "params": {"url": ")" + server.url("/items") + R"(",
      "query": {"limit": 2},
      "pagination": {"type": "cursor", "items": "data", "cursor_path": "next"}}})")
              .ok());
  RunRecord r = f.run();
  REQUIRE(r.status == RunStatus::succeeded);
  CHECK(r.response == Value::object({{"items", Value::array({1, 2, 3})}, {"pages", 2}}));
  auto seen = script.requests();
  REQUIRE(seen.size() == 2);
  CHECK(seen[1].target == "/items?limit=2&cursor=p2");
}

TEST_CASE("http.request refuses internal addresses unless allowed", "[client][node]") {
  Script script;
  LoopbackServer server(script.handler());
  Fixture f(/*allow_loopback=*/false);
  REQUIRE(f.install(R"({"id": "h", "type": "http.request", "params": {"url": ")" + server.url("/x") + R"("}})").ok());
  RunRecord r = f.run();
  CHECK(r.status == RunStatus::failed);
  const NodeRecord* h = r.node("h");
  REQUIRE(h != nullptr);
  CHECK(h->error_code == StatusCode::permission_denied);
  CHECK(script.requests().empty());
}

TEST_CASE("http.request rejects bad literal params at install", "[client][node]") {
  Fixture f;
  Status st = f.install(R"({"id": "h", "type": "http.request", "params": {"url": "http://127.0.0.1:9/", "body_type": "xml"}})");
  CHECK_FALSE(st.ok());
}

TEST_CASE("http.request: a 429 retries after its Retry-After, a 400 does not retry", "[client][node][retry]") {
  SECTION("429 with Retry-After: the retry waits at least that long, though the policy's backoff is 1 ms") {
    Script script;
    std::vector<std::chrono::steady_clock::time_point> arrivals;  // guarded by script.mu
    script.fn = [&](const ServerRequest&) {
      arrivals.push_back(std::chrono::steady_clock::now());
      if (arrivals.size() == 1) return ServerReply{429, {{"Retry-After", "1"}}, R"({"error":"slow down"})"};
      return ServerReply{200, {}, R"({"ok":true})"};
    };
    LoopbackServer server(script.handler());
    Fixture f;
    REQUIRE(f.install(R"({"id": "h", "type": "http.request",
        "retry": {"max_attempts": 3, "initial_interval": "1ms", "max_interval": "1ms"},
        "params": {"url": ")" + server.url("/limited") + R"("}})")
                .ok());
    RunRecord r = f.run();
    REQUIRE(r.status == RunStatus::succeeded);
    CHECK(r.node("h")->attempts == 2);
    std::lock_guard<std::mutex> lock(script.mu);
    REQUIRE(arrivals.size() == 2);
    CHECK(arrivals[1] - arrivals[0] >= std::chrono::milliseconds(1000));
  }
  SECTION("400: invalid_argument, sent once whatever the policy's attempts") {
    Script script;
    script.replies = {{400, {}, R"({"error":"bad email"})"}, {200, {}, R"({"ok":true})"}};
    LoopbackServer server(script.handler());
    Fixture f;
    REQUIRE(f.install(R"({"id": "h", "type": "http.request", "retry": {"max_attempts": 3, "initial_interval": "1ms"},
        "params": {"url": ")" + server.url("/strict") + R"("}})")
                .ok());
    RunRecord r = f.run();
    CHECK(r.status == RunStatus::failed);
    CHECK(r.node("h")->error_code == StatusCode::invalid_argument);
    CHECK(r.node("h")->attempts == 1);
    CHECK(script.requests().size() == 1);
  }
  SECTION("retry.on overrides the codes that retry: a 404 retried when listed") {
    Script script;
    script.replies = {{404, {}, R"({"error":"not yet"})"}, {200, {}, R"({"ok":true})"}};
    LoopbackServer server(script.handler());
    Fixture f;
    REQUIRE(f.install(R"({"id": "h", "type": "http.request",
        "retry": {"max_attempts": 2, "initial_interval": "1ms", "on": ["not_found"]},
        "params": {"url": ")" + server.url("/eventually") + R"("}})")
                .ok());
    RunRecord r = f.run();
    CHECK(r.status == RunStatus::succeeded);
    CHECK(script.requests().size() == 2);
  }
}
