// POST /v1/hooks/{path}: 202 after commit, sync answers, content rules, dedupe,
// signatures.
#include <catch2/catch.hpp>

#include <chrono>

#include "server/hook_signature.hpp"
#include "server_fixture.hpp"
#include "store/sqlite_store.hpp"

using famulor::Value;
using famulor::test::Files;
using famulor::test::ServerFixture;

namespace {

const char* kAsync = R"({"id":"orders","trigger":{"type":"webhook","path":"orders/new"},
  "nodes":[{"id":"hold","type":"wait","params":{"duration":"1h"}}]})";
const char* kSync = R"({"id":"echo","trigger":{"type":"webhook","path":"echo","sync":true},
  "nodes":[{"id":"r","type":"respond","params":{"value":{"got":"{{ trigger.body.x }}","q":"{{ trigger.query.a }}"}}}]})";
const char* kSyncFail = R"({"id":"boom","trigger":{"type":"webhook","path":"boom","sync":true},
  "nodes":[{"id":"f","type":"fail","params":{"message":"nope"}}]})";

std::int64_t now_s() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

TEST_CASE("async webhook answers 202 once the run is in the store", "[server][hooks]") {
  ServerFixture f(Files{{"orders.json", kAsync}});
  auto r = f.send("POST", "/v1/hooks/orders/new?src=t", R"({"order":42})", {{"Authorization", "Bearer secret-x"}});
  REQUIRE(r.status == 202);
  auto ids = ServerFixture::json(r)["run_ids"];
  REQUIRE(ids.size() == 1);
  // A separate store connection reads the run: it was committed before the 202.
  auto store = famulor::store::open_sqlite_store(f.db);
  REQUIRE(store.ok());
  auto run = (*store)->get_run(ids.as_array()[0].as_string());
  REQUIRE(run.ok());
  CHECK(run->workflow == "orders");
  CHECK(run->trigger["body"].dump() == R"({"order":42})");
  CHECK(run->trigger["query"]["src"].as_string() == "t");
  CHECK(run->trigger["path"].as_string() == "orders/new");
  CHECK(run->trigger["headers"].find("authorization") == nullptr);  // never stored
}

TEST_CASE("sync webhook answers the respond node's value, or a JSON error", "[server][hooks]") {
  ServerFixture f(Files{{"echo.json", kSync}, {"boom.json", kSyncFail}});
  auto r = f.send("POST", "/v1/hooks/echo?a=b", R"({"x":"hi"})");
  REQUIRE(r.status == 200);
  auto v = ServerFixture::json(r);
  CHECK(v["got"].as_string() == "hi");
  CHECK(v["q"].as_string() == "b");
  CHECK(!r.header("Famulor-Run-Id").empty());
  auto b = f.send("POST", "/v1/hooks/boom", R"({})");
  CHECK(b.status == 500);
  CHECK(ServerFixture::json(b)["error"]["message"].as_string().find("nope") != std::string::npos);
}

TEST_CASE("webhook errors: 404, 405, 415, 400 with where, 413", "[server][hooks]") {
  ServerFixture f(Files{{"orders.json", kAsync}}, [](famulor::server::ServerOptions& o) { o.max_body_bytes = 1024; });
  auto nf = f.send("POST", "/v1/hooks/unknown", "{}");
  CHECK(nf.status == 404);
  CHECK(ServerFixture::json(nf)["error"]["code"].as_string() == "not_found");
  CHECK(f.send("PUT", "/v1/hooks/orders/new", "{}").status == 405);
  auto ct = f.send("POST", "/v1/hooks/orders/new", "a=1", {{"Content-Type", "application/x-www-form-urlencoded"}});
  CHECK(ct.status == 415);
  CHECK(ServerFixture::json(ct)["error"]["code"].is_string());
  auto bad = f.send("POST", "/v1/hooks/orders/new", "{\n  \"a\": }");
  CHECK(bad.status == 400);
  CHECK(ServerFixture::json(bad)["error"]["message"].as_string().find("line 2") != std::string::npos);
  auto big = f.send("POST", "/v1/hooks/orders/new", "{\"a\":\"" + std::string(2000, 'x') + "\"}");
  CHECK(big.status == 413);
  CHECK(ServerFixture::json(big)["error"]["code"].is_string());
}

TEST_CASE("a redelivery with the same Idempotency-Key answers the same run ids", "[server][hooks]") {
  ServerFixture f(Files{{"orders.json", kAsync}});
  auto a = f.send("POST", "/v1/hooks/orders/new", "{}", {{"Idempotency-Key", "d-1"}});
  auto b = f.send("POST", "/v1/hooks/orders/new", "{}", {{"Idempotency-Key", "d-1"}});
  auto c = f.send("POST", "/v1/hooks/orders/new", "{}", {{"Idempotency-Key", "d-2"}});
  REQUIRE(a.status == 202);
  REQUIRE(b.status == 202);
  CHECK(ServerFixture::json(a)["run_ids"] == ServerFixture::json(b)["run_ids"]);
  CHECK(ServerFixture::json(a)["run_ids"] != ServerFixture::json(c)["run_ids"]);
}

TEST_CASE("FAMULOR_SECRET_HOOKS: signed accepted, unsigned/wrong/stale refused", "[server][hooks][signature]") {
  ServerFixture f(Files{{"orders.json", kAsync}},
                  [](famulor::server::ServerOptions& o) { o.hook_secrets = {"old-secret", "new-secret"}; });
  const std::string body = R"({"n":1})";
  using famulor::server::sign_hook;
  CHECK(f.send("POST", "/v1/hooks/orders/new", body, {{"Famulor-Signature", sign_hook("new-secret", now_s(), body)}})
            .status == 202);
  CHECK(f.send("POST", "/v1/hooks/orders/new", body, {{"Famulor-Signature", sign_hook("old-secret", now_s(), body)}})
            .status == 202);  // rotation: every listed secret is accepted
  auto unsigned_ = f.send("POST", "/v1/hooks/orders/new", body);
  CHECK(unsigned_.status == 401);
  CHECK(f.send("POST", "/v1/hooks/orders/new", body, {{"Famulor-Signature", sign_hook("other", now_s(), body)}})
            .status == 401);
  CHECK(f.send("POST", "/v1/hooks/orders/new", R"({"n":2})",
               {{"Famulor-Signature", sign_hook("new-secret", now_s(), body)}})
            .status == 401);  // signed another body
  CHECK(f.send("POST", "/v1/hooks/orders/new", body,
               {{"Famulor-Signature", sign_hook("new-secret", now_s() - 301, body)}})
            .status == 401);  // outside the tolerance
  CHECK(f.send("POST", "/v1/hooks/orders/new", body,
               {{"Famulor-Signature", sign_hook("new-secret", now_s() - 200, body)}})
            .status == 202);  // inside it
  // Several v1= values: one match suffices.
  std::string t = std::to_string(now_s());
  std::string good = sign_hook("new-secret", now_s(), body);
  std::string v1 = good.substr(good.find("v1="));
  CHECK(f.send("POST", "/v1/hooks/orders/new", body,
               {{"Famulor-Signature", good.substr(0, good.find(',')) + ",v1=00ff," + v1}})
            .status == 202);
  // Nothing was started by the refused ones: 4 accepted runs.
  auto admin = f.token("viewer");
  auto runs = f.send("GET", "/v1/runs?workflow=orders", "", {{"Authorization", "Bearer " + admin}});
  CHECK(ServerFixture::json(runs)["runs"].size() == 4);
}

TEST_CASE("a non-loopback listen address needs hook secrets", "[server][hooks]") {
  famulor::test::TempDir dir;
  famulor::server::ServerOptions o;
  o.host = "0.0.0.0";
  o.port = 0;
  o.engine.db = (dir / "f.db").string();
  famulor::server::Server s(o);
  famulor::Status st = s.start();
  CHECK(st.code() == famulor::StatusCode::invalid_argument);
  CHECK(st.message().find("FAMULOR_SECRET_HOOKS") != std::string::npos);
}
