// famulor serve behaviours around workflows and synchronous hooks: API-installed
// workflows survive a restart (files win), the respond node's status and headers,
// the synchronous hook timeout, and the HTTP limits as serve configures them.
#include <catch2/catch.hpp>

#include <fstream>
#include <memory>

#include "server_fixture.hpp"
#include "support/eventually.hpp"
#include "support/raw_http_client.hpp"

using famulor::Value;
using famulor::test::Files;
using famulor::test::ServerFixture;
using namespace famulor;

namespace {

std::string hook_wf(const std::string& id, const std::string& path, const std::string& answer) {
  return R"({"id":")" + id + R"(","trigger":{"type":"webhook","path":")" + path + R"(","sync":true},
    "nodes":[{"id":"r","type":"respond","params":{"value":{"answer":")" + answer + R"("}}}]})";
}

// Polls GET /v1/runs/{id} (bounded) until its status is `want`; returns the last one.
std::string await_run_status(ServerFixture& f, const std::string& id, const std::string& want) {
  std::string status;
  famulor::test::eventually([&] {
    auto run = ServerFixture::json(f.send("GET", "/v1/runs/" + id, "", {{"Authorization", "Bearer " + f.token("viewer")}}));
    status = run["status"].is_string() ? run["status"].as_string() : "";
    return status == want;
  });
  return status;
}

}  // namespace

TEST_CASE("a workflow PUT through the API survives a restart and a file with the same id wins", "[server][workflows]") {
  ServerFixture f(Files{{"filed.json", hook_wf("filed", "from-file", "file")}});
  std::map<std::string, std::string> admin{{"Authorization", "Bearer " + f.token("admin")}};
  REQUIRE(f.send("PUT", "/v1/workflows/api-only", hook_wf("api-only", "api", "api"), admin).status == 200);
  // The API replaces the file's workflow for now...
  REQUIRE(f.send("PUT", "/v1/workflows/filed", hook_wf("filed", "from-api", "api"), admin).status == 200);
  REQUIRE(f.send("PUT", "/v1/workflows/gone", hook_wf("gone", "gone", "x"), admin).status == 200);
  REQUIRE(f.send("DELETE", "/v1/workflows/gone", "", admin).status == 204);
  CHECK(ServerFixture::json(f.send("POST", "/v1/hooks/from-api", "{}"))["answer"].as_string() == "api");

  f.restart();
  auto api = f.send("POST", "/v1/hooks/api", "{}");
  REQUIRE(api.status == 200);
  CHECK(ServerFixture::json(api)["answer"].as_string() == "api");
  // ...but at start the file in --workflows wins over the stored version.
  CHECK(ServerFixture::json(f.send("POST", "/v1/hooks/from-file", "{}"))["answer"].as_string() == "file");
  CHECK(f.send("POST", "/v1/hooks/from-api", "{}").status == 404);
  // A deleted workflow stays deleted.
  CHECK(f.send("GET", "/v1/workflows/gone", "", admin).status == 404);
  CHECK(f.send("POST", "/v1/hooks/gone", "{}").status == 404);
  // A file removed while serve runs is forgotten too.
  std::filesystem::remove(f.dir / "wf" / "filed.json");
  f.server->reload_workflows();
  f.restart();
  CHECK(f.send("GET", "/v1/workflows/filed", "", admin).status == 404);
  CHECK(f.send("GET", "/v1/workflows/api-only", "", admin).status == 200);
}

TEST_CASE("a synchronous hook answers with the respond node's status and headers", "[server][hooks]") {
  const char* created = R"({"id":"book","trigger":{"type":"webhook","path":"book","sync":true},
    "nodes":[{"id":"r","type":"respond","params":{"value":{"booked":"{{ trigger.body.slot }}"},"status":201,
      "headers":{"Location":"/bookings/42","X-Attempt":3,"Content-Length":"999"}}}]})";
  const char* twiml = R"({"id":"twiml","trigger":{"type":"webhook","path":"twiml","sync":true},
    "nodes":[{"id":"r","type":"respond","params":{"value":"<Response><Say>Hi</Say></Response>",
      "headers":{"Content-Type":"text/xml"}}}]})";
  ServerFixture f(Files{{"book.json", created}, {"twiml.json", twiml}});
  auto r = f.send("POST", "/v1/hooks/book", R"({"slot":"Tue 10:00"})");
  CHECK(r.status == 201);
  CHECK(r.header("Location") == "/bookings/42");
  CHECK(r.header("X-Attempt") == "3");
  CHECK(r.header("Content-Type").find("application/json") == 0);
  CHECK(ServerFixture::json(r)["booked"].as_string() == "Tue 10:00");
  CHECK_FALSE(r.header("Famulor-Run-Id").empty());

  auto x = f.send("POST", "/v1/hooks/twiml", "{}");
  CHECK(x.status == 200);
  CHECK(x.header("Content-Type") == "text/xml");
  CHECK(x.body == "<Response><Say>Hi</Say></Response>");
}

TEST_CASE("a synchronous hook past its timeout answers 504 with the run id and the run goes on", "[server][hooks]") {
  const char* slow = R"({"id":"slow","trigger":{"type":"webhook","path":"slow","sync":true,"timeout":"50ms"},
    "nodes":[{"id":"w","type":"wait","params":{"duration":"1h"}},
             {"id":"r","type":"respond","after":"w","params":{"value":"late"}}]})";
  const char* slow_default = R"({"id":"slow2","trigger":{"type":"webhook","path":"slow2","sync":true},
    "nodes":[{"id":"w","type":"wait","params":{"duration":"1h"}}]})";
  ServerFixture f(Files{{"slow.json", slow}, {"slow2.json", slow_default}},
                  [](server::ServerOptions& o) { o.sync_timeout = std::chrono::milliseconds(80); });
  auto r = f.send("POST", "/v1/hooks/slow", "{}");
  REQUIRE(r.status == 504);
  std::string id = r.header("Famulor-Run-Id");
  REQUIRE_FALSE(id.empty());
  CHECK(ServerFixture::json(r)["error"]["code"].as_string() == "timeout");
  // Still going, durably: the 504 may come before the run reached its wait (slow machine).
  CHECK(await_run_status(f, id, "waiting") == "waiting");
  CHECK(f.send("POST", "/v1/hooks/slow2", "{}").status == 504);  // serve's sync_timeout
}

TEST_CASE("serve's HTTP limits: keep-alive and 413 and 431 and 503 beyond max_connections", "[server][http]") {
  ServerFixture f(Files{{"h.json", hook_wf("h", "h", "ok")}}, [](server::ServerOptions& o) {
    o.max_body_bytes = 1024;
    o.max_header_bytes = 2048;
    o.max_connections = 2;
  });
  CHECK(f.send("POST", "/v1/hooks/h", std::string(2000, ' ')).status == 413);
  CHECK(f.send("POST", "/v1/hooks/h", "{}", {{"X-Big", std::string(3000, 'b')}}).status == 431);
  // The two connections above end on the server's side asynchronously: until they
  // have, a new one may still be over max_connections (503, as a client sees it
  // under load). So each slot is taken by a connection that got its answer.
  const std::string post =
      "POST /v1/hooks/h HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}";
  auto take_slot = [&](const std::string& request) {
    std::unique_ptr<test::RawConnection> c;
    bool ok = test::eventually([&] {
      c = std::make_unique<test::RawConnection>(f.server->port());
      if (!c->connected() || !c->send(request)) return false;
      auto r = c->read_response();
      return r && r->status == 200;
    });
    REQUIRE(ok);
    return c;
  };
  auto keep = take_slot(post);
  for (int i = 0; i < 2; ++i) {  // two more requests on the same connection
    REQUIRE(keep->send(post));
    auto r = keep->read_response();
    REQUIRE(r);
    CHECK(r->status == 200);
  }
  // `keep` holds one slot; a second connection takes the other; the third is refused.
  auto second = take_slot("GET /v1/health HTTP/1.1\r\nHost: t\r\n\r\n");
  test::RawConnection third(f.server->port());
  REQUIRE(third.connected());
  auto refused = third.read_response();
  REQUIRE(refused);
  CHECK(refused->status == 503);
  CHECK_FALSE(refused->header("Retry-After").empty());
}

TEST_CASE("an accepted run stays durable across a restart of serve and resumes", "[server][shutdown]") {
  const char* hold = R"({"id":"hold","trigger":{"type":"webhook","path":"hold"},
    "nodes":[{"id":"w","type":"wait","params":{"duration":"1h"}}]})";
  ServerFixture f(Files{{"hold.json", hold}});
  auto accepted = f.send("POST", "/v1/hooks/hold", "{}");
  REQUIRE(accepted.status == 202);
  std::string id = ServerFixture::json(accepted)["run_ids"].as_array()[0].as_string();
  f.restart();
  // Resumed from the store, still sleeping (resumed runs are dispatched on pool threads: poll).
  CHECK(await_run_status(f, id, "waiting") == "waiting");
  auto cancel = f.send("POST", "/v1/runs/" + id + "/cancel", "", {{"Authorization", "Bearer " + f.token("operator")}});
  CHECK(cancel.status == 200);
}
