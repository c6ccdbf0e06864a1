// A webhook's answer follows its accept's commit, and no server thread waits for
// that commit (EngineImpl::emit_async): while the store's writer is held back,
// other requests are still served; the answer comes once the accept is written;
// a refused accept answers the store's error; a run that failed before its commit
// starts its error workflow after it (posted: the commit's callback runs on the
// writer thread, which an error workflow's own accept would wait for).
//
// The writer is held back deterministically by a second connection that owns the
// file's write lock (BEGIN IMMEDIATE), as in tests/store/early_accept_test.cpp.
#include <catch2/catch.hpp>

#include <atomic>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/metrics.hpp"
#include "server_fixture.hpp"
#include "store/sqlite_db.hpp"
#include "support/eventually.hpp"

using famulor::Value;
using famulor::test::eventually;
using famulor::test::Files;
using famulor::test::RawResponse;
using famulor::test::ServerFixture;

namespace {

std::string post(const std::string& target, const std::string& body) {
  return "POST " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: application/json\r\n" +
         "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

// A request on a thread of its own; `done` once its answer (or failure) is in.
struct Request {
  std::optional<RawResponse> answer;
  std::atomic<bool> done{false};
  std::thread t;
  Request(std::uint16_t port, std::string bytes)
      : t([this, port, bytes = std::move(bytes)] {
          answer = famulor::test::roundtrip(port, bytes);
          done = true;
        }) {}
  ~Request() {
    if (t.joinable()) t.join();
  }
  const std::optional<RawResponse>& join() {
    t.join();
    return answer;
  }
};

// Once the server has handed `n` requests to their handlers (besides `before`),
// it answers another request: no thread is held by those still waiting.
bool answers_while_held(ServerFixture& f, std::uint64_t before, std::uint64_t n,
                        const std::vector<std::unique_ptr<Request>>& held) {
  if (!eventually([&] { return f.server->http_stats().requests >= before + n; })) return false;
  auto health = famulor::test::roundtrip(f.server->port(),
                                         "GET /v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
  if (!health || health->status != 200) return false;
  for (const auto& r : held)
    if (r->done) return false;  // answered before its commit
  return true;
}

bool metric_shows(const std::string& line) { return famulor::metrics::render().find(line) != std::string::npos; }

std::int64_t count(const std::string& db, const std::string& sql) {
  famulor::store::sql::Db raw(db, {.create = false});
  return raw.query_int(sql);
}

}  // namespace

TEST_CASE("hooks waiting for their commit hold no server thread: other requests are answered meanwhile",
          "[server][hooks][durable]") {
  ServerFixture f(Files{{"held.json", R"({"id":"held","trigger":{"type":"webhook","path":"held"},
    "nodes":[{"id":"a","type":"set","params":{"fields":{"n":"{{ trigger.body.n }}"}}}]})"}});
  const std::uint16_t port = f.server->port();
  famulor::store::sql::Db lock(f.db, {.create = false});
  lock.exec("BEGIN IMMEDIATE");  // the writer cannot write the accepts yet
  const std::uint64_t before = f.server->http_stats().requests;
  // More hooks than the server has threads (the fixture's engine has 2).
  std::vector<std::unique_ptr<Request>> hooks;
  for (int i = 0; i < 6; ++i) hooks.push_back(std::make_unique<Request>(port, post("/v1/hooks/held", R"({"n":1})")));
  REQUIRE(eventually([] { return metric_shows("famulor_runs_finished_total{workflow=\"held\",status=\"succeeded\"} 6"); }));
  // Every run is done, every accept is still queued: no hook is answered, and yet
  // the server answers another request.
  CHECK(answers_while_held(f, before, hooks.size(), hooks));
  lock.exec("COMMIT");
  for (auto& h : hooks) {
    const auto& r = h->join();
    REQUIRE(r.has_value());
    CHECK(r->status == 202);
    auto ids = ServerFixture::json(*r)["run_ids"];
    REQUIRE(ids.size() == 1);
    // Answered after the commit: the run is in the file, finished.
    CHECK(count(f.db, "SELECT status FROM runs WHERE id = '" + ids.as_array()[0].as_string() + "'") ==
          static_cast<int>(famulor::RunStatus::succeeded));
  }
}

TEST_CASE("a sync hook's run done before its commit is answered only after the commit", "[server][hooks][durable]") {
  ServerFixture f(Files{{"quick.json", R"({"id":"quick","trigger":{"type":"webhook","path":"quick","sync":true},
    "nodes":[{"id":"r","type":"respond","params":{"value":{"got":"{{ trigger.body.x }}"}}}]})"}});
  famulor::store::sql::Db lock(f.db, {.create = false});
  lock.exec("BEGIN IMMEDIATE");
  Request hook(f.server->port(), post("/v1/hooks/quick", R"({"x":"hi"})"));
  REQUIRE(eventually([] { return metric_shows("famulor_runs_finished_total{workflow=\"quick\",status=\"succeeded\"} 1"); }));
  CHECK_FALSE(hook.done);  // finished, not yet accepted: the caller must not hear of it
  CHECK(count(f.db, "SELECT count(*) FROM runs") == 0);
  lock.exec("COMMIT");
  const auto& r = hook.join();
  REQUIRE(r.has_value());
  REQUIRE(r->status == 200);
  CHECK(ServerFixture::json(*r)["got"].as_string() == "hi");
  const std::string id = r->header("Famulor-Run-Id");
  REQUIRE(!id.empty());
  CHECK(count(f.db, "SELECT status FROM runs WHERE id = '" + id + "'") ==
        static_cast<int>(famulor::RunStatus::succeeded));
}

TEST_CASE("a hook whose accept the store refuses answers the store's error and nothing runs on",
          "[server][hooks][durable]") {
  ServerFixture f(Files{{"refused.json", R"({"id":"refused","trigger":{"type":"webhook","path":"refused","sync":true},
    "nodes":[{"id":"r","type":"respond","params":{"value":{"ok":true}}}]})"}});
  {
    famulor::store::sql::Db side(f.db, {.create = false});
    side.exec("CREATE TRIGGER refuse BEFORE INSERT ON runs BEGIN SELECT RAISE(ABORT, 'disk says no'); END");
  }
  auto r = f.send("POST", "/v1/hooks/refused", R"({})");
  CHECK(r.status >= 500);
  CHECK(ServerFixture::json(r)["error"]["message"].as_string().find("disk says no") != std::string::npos);
  CHECK(count(f.db, "SELECT count(*) FROM runs") == 0);
  {
    famulor::store::sql::Db side(f.db, {.create = false});
    side.exec("DROP TRIGGER refuse");
  }
  auto ok = f.send("POST", "/v1/hooks/refused", R"({})");
  CHECK(ok.status == 200);
  CHECK(count(f.db, "SELECT count(*) FROM runs") == 1);
}

TEST_CASE("a hook's run that fails before its commit starts its error workflow after the commit",
          "[server][hooks][durable]") {
  ServerFixture f(Files{{"failing.json", R"({"id":"failing","trigger":{"type":"webhook","path":"failing"},
      "settings":{"error_workflow":"failing_alert"},
      "nodes":[{"id":"boom","type":"fail","params":{"message":"the CRM said no"}}]})"},
                        {"failing_alert.json", R"({"id":"failing_alert","trigger":{"type":"manual"},
      "nodes":[{"id":"keep","type":"respond","params":{"value":"{{ trigger.run.id }}"}}]})"}});
  famulor::store::sql::Db lock(f.db, {.create = false});
  lock.exec("BEGIN IMMEDIATE");
  Request hook(f.server->port(), post("/v1/hooks/failing", R"({})"));
  REQUIRE(eventually([] { return metric_shows("famulor_runs_finished_total{workflow=\"failing\",status=\"failed\"} 1"); }));
  CHECK_FALSE(metric_shows("famulor_runs_started_total{workflow=\"failing_alert\"}"));
  lock.exec("COMMIT");
  const auto& r = hook.join();
  REQUIRE(r.has_value());
  CHECK(r->status == 202);
  // The error workflow accepts its own run: it must not run on the writer thread
  // that called back (it would wait for itself).
  CHECK(eventually(
      [] { return metric_shows("famulor_runs_finished_total{workflow=\"failing_alert\",status=\"succeeded\"} 1"); }));
  CHECK(count(f.db, "SELECT count(*) FROM runs WHERE workflow = 'failing_alert'") == 1);
}

TEST_CASE("a hook's trigger filter reads the request it starts runs for", "[server][hooks]") {
  ServerFixture f(Files{{"big.json", R"({"id":"big","trigger":{"type":"webhook","path":"orders",
      "filter":"{{ trigger.body.total > 100 }}"},
    "nodes":[{"id":"a","type":"set","params":{"fields":{"t":"{{ trigger.body.total }}"}}}]})"}});
  auto big = f.send("POST", "/v1/hooks/orders", R"({"total":250})");
  REQUIRE(big.status == 202);
  CHECK(ServerFixture::json(big)["run_ids"].size() == 1);
  auto small = f.send("POST", "/v1/hooks/orders", R"({"total":5})");
  REQUIRE(small.status == 202);
  CHECK(ServerFixture::json(small)["run_ids"].size() == 0);
}

TEST_CASE("call events waiting for their commit hold no server thread, and a redelivery answers the same runs",
          "[server][calls][durable]") {
  ServerFixture f(Files{{"ended_crm.json", R"({"id":"ended_crm","trigger":{"type":"call.ended","platform":"famulor"},
    "nodes":[{"id":"a","type":"set","params":{"fields":{"from":"{{ trigger.from }}"}}}]})"}});
  const std::uint16_t port = f.server->port();
  auto ended = [](int i) {
    return post("/v1/calls/ended", R"({"call_id":"held-)" + std::to_string(i) +
                                        R"(","platform":"famulor","direction":"inbound","from":"+4930123"})");
  };
  famulor::store::sql::Db lock(f.db, {.create = false});
  lock.exec("BEGIN IMMEDIATE");
  const std::uint64_t before = f.server->http_stats().requests;
  std::vector<std::unique_ptr<Request>> calls;
  for (int i = 0; i < 6; ++i) calls.push_back(std::make_unique<Request>(port, ended(i)));
  // A call event's runs start after its accept (it may be a redelivery), so none
  // has started; the server still answers.
  CHECK(answers_while_held(f, before, calls.size(), calls));
  CHECK_FALSE(metric_shows("famulor_runs_started_total{workflow=\"ended_crm\"}"));
  lock.exec("COMMIT");
  std::vector<std::string> first_ids;
  for (auto& c : calls) {
    const auto& r = c->join();
    REQUIRE(r.has_value());
    REQUIRE(r->status == 202);
    auto ids = ServerFixture::json(*r)["run_ids"];
    REQUIRE(ids.size() == 1);
    first_ids.push_back(ids.as_array()[0].as_string());
  }
  CHECK(count(f.db, "SELECT count(*) FROM runs WHERE workflow = 'ended_crm'") == 6);
  // The platform redelivers the first call: no new run, the first one's id.
  auto again = f.send("POST", "/v1/calls/ended", R"({"call_id":"held-0","platform":"famulor","direction":"inbound"})");
  REQUIRE(again.status == 202);
  CHECK(ServerFixture::json(again)["run_ids"].as_array()[0].as_string() == first_ids[0]);
  CHECK(count(f.db, "SELECT count(*) FROM runs WHERE workflow = 'ended_crm'") == 6);
}
