// /v1/calls/*: famulor's own call routes over real loopback HTTP.
#include <catch2/catch.hpp>

#include <chrono>

#include "server/hook_signature.hpp"
#include "server_fixture.hpp"
#include "store/sqlite_store.hpp"

using famulor::Value;
using famulor::test::Files;
using famulor::test::ServerFixture;

namespace {

const char* kEnded = R"({"id":"crm","trigger":{"type":"call.ended","direction":"inbound"},
  "nodes":[{"id":"hold","type":"wait","params":{"duration":"1h"}}]})";
const char* kIncoming = R"({"id":"lookup","trigger":{"type":"call.incoming","defaults":{"name":"there"}},
  "nodes":[{"id":"r","type":"respond","params":{"value":{"name":"Jana","from":"{{ trigger.from }}","deals":2}}}]})";
const char* kSlowIncoming = R"({"id":"slow","trigger":{"type":"call.incoming","assistant":"slow","defaults":{"name":"there"}},
  "nodes":[{"id":"w","type":"wait","params":{"duration":"1h"}},
           {"id":"r","type":"respond","after":"w","params":{"value":{"name":"late"}}}]})";
const char* kTool = R"({"id":"book","trigger":{"type":"call.tool","name":"book","description":"Books a slot",
    "parameters":{"type":"object","properties":{"slot":{"type":"string"}}}},
  "nodes":[{"id":"r","type":"respond","params":{"value":"Booked {{ trigger.arguments.slot }}"}}]})";

std::int64_t now_s() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

Files all() {
  return Files{{"crm.json", kEnded}, {"lookup.json", kIncoming}, {"slow.json", kSlowIncoming}, {"book.json", kTool}};
}

}  // namespace

TEST_CASE("POST /v1/calls/ended answers 202 once stored, and the same run ids on redelivery", "[server][calls]") {
  ServerFixture f(all());
  const std::string body = R"({"call_id":"c-1","platform":"famulor","direction":"inbound","from":"+4930123",
    "transcript":"user: hi","duration_s":42})";
  auto r = f.send("POST", "/v1/calls/ended", body, {{"Content-Type", "application/json"}});
  REQUIRE(r.status == 202);
  Value ids = ServerFixture::json(r)["run_ids"];
  REQUIRE(ids.size() == 1);
  auto store = famulor::store::open_sqlite_store(f.db);
  REQUIRE(store.ok());
  auto run = (*store)->get_run(ids.as_array()[0].as_string());
  REQUIRE(run.ok());  // committed before the 202
  CHECK(run->workflow == "crm");
  CHECK(run->trigger["duration_s"] == Value(42.0));
  CHECK(run->trigger["platform"].as_string() == "famulor");

  auto again = f.send("POST", "/v1/calls/ended", body);
  REQUIRE(again.status == 202);
  CHECK(ServerFixture::json(again)["run_ids"] == ids);

  auto outbound = f.send("POST", "/v1/calls/ended", R"({"call_id":"c-2","direction":"outbound"})");
  REQUIRE(outbound.status == 202);
  CHECK(ServerFixture::json(outbound)["run_ids"].size() == 0);  // no workflow matches

  auto bad = f.send("POST", "/v1/calls/ended", R"({"call_id":"c-3","turns":[{"role":"user","at_s":"x"}]})");
  CHECK(bad.status == 400);
  CHECK(ServerFixture::json(bad)["error"]["message"].as_string() == "call.turns[0].at_s: must be a number, not string");
  CHECK(f.send("POST", "/v1/calls/ended", "call_id=x", {{"Content-Type", "application/x-www-form-urlencoded"}}).status ==
        415);
}

TEST_CASE("POST /v1/calls/incoming answers variables, and partial defaults by the deadline", "[server][calls]") {
  ServerFixture f(all());
  auto r = f.send("POST", "/v1/calls/incoming", R"({"call_id":"c-1","from":"+4930123","assistant_id":"sales"})");
  REQUIRE(r.status == 200);
  Value v = ServerFixture::json(r);
  CHECK(v["variables"] == Value::object({{"name", "Jana"}, {"from", "+4930123"}, {"deals", "2"}}));
  CHECK(v["partial"] == Value(false));
  CHECK(v["run_id"].is_string());

  auto late = f.send("POST", "/v1/calls/incoming", R"({"call_id":"c-2","assistant_id":"slow","deadline_ms":30})");
  REQUIRE(late.status == 200);
  Value l = ServerFixture::json(late);
  CHECK(l["variables"] == Value::object({{"name", "there"}}));
  CHECK(l["partial"] == Value(true));
  CHECK(l["error"]["code"].as_string() == "timeout");

  auto bad = f.send("POST", "/v1/calls/incoming", R"({"call_id":"c-3","deadline_ms":"soon"})");
  CHECK(bad.status == 400);
  CHECK(ServerFixture::json(bad)["error"]["message"].as_string().find("body.deadline_ms") == 0);
}

TEST_CASE("POST /v1/calls/tool answers the result, an unknown tool is 404 with the fallback", "[server][calls]") {
  ServerFixture f(all());
  auto r = f.send("POST", "/v1/calls/tool",
                  R"({"call":{"call_id":"c-1","from":"+4930123"},"tool":"book","arguments":{"slot":"Tue 10:00"}})");
  REQUIRE(r.status == 200);
  Value v = ServerFixture::json(r);
  CHECK(v["result"] == Value("Booked Tue 10:00"));
  CHECK(v["partial"] == Value(false));
  CHECK(v["run_id"].is_string());

  auto u = f.send("POST", "/v1/calls/tool", R"({"tool":"nope","arguments":{}})");
  CHECK(u.status == 404);
  Value uv = ServerFixture::json(u);
  CHECK(uv["error"]["code"].as_string() == "not_found");
  CHECK(uv["result"].is_string());
  CHECK(uv["partial"] == Value(true));
}

TEST_CASE("GET /v1/calls/tools lists the tool definitions for a viewer token", "[server][calls]") {
  ServerFixture f(all());
  CHECK(f.send("GET", "/v1/calls/tools").status == 401);
  auto r = f.send("GET", "/v1/calls/tools", "", {{"Authorization", "Bearer " + f.token("viewer")}});
  REQUIRE(r.status == 200);
  Value tools = ServerFixture::json(r)["tools"];
  REQUIRE(tools.size() == 1);
  CHECK(tools.as_array()[0]["name"].as_string() == "book");
  CHECK(tools.as_array()[0]["description"].as_string() == "Books a slot");
  CHECK(tools.as_array()[0]["parameters"]["properties"]["slot"]["type"].as_string() == "string");
}

TEST_CASE("/v1/calls/* take the Famulor-Signature of FAMULOR_SECRET_HOOKS", "[server][calls][signature]") {
  ServerFixture f(all(), [](famulor::server::ServerOptions& o) { o.hook_secrets = {"s3cret"}; });
  const std::string body = R"({"call_id":"c-9","direction":"inbound"})";
  CHECK(f.send("POST", "/v1/calls/ended", body).status == 401);
  CHECK(f.send("POST", "/v1/calls/ended", body,
               {{"Famulor-Signature", famulor::server::sign_hook("wrong", now_s(), body)}})
            .status == 401);
  CHECK(f.send("POST", "/v1/calls/incoming", body).status == 401);
  CHECK(f.send("POST", "/v1/calls/tool", R"({"tool":"book"})").status == 401);
  CHECK(f.send("POST", "/v1/calls/ended", body,
               {{"Famulor-Signature", famulor::server::sign_hook("s3cret", now_s(), body)}})
            .status == 202);
}
