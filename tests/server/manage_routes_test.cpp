// /v1/runs (list, show, retry, cancel) and /v1/workflows (GET/PUT/DELETE), /v1/connectors.
#include <catch2/catch.hpp>

#include "server_fixture.hpp"

using famulor::Value;
using famulor::test::Files;
using famulor::test::ServerFixture;

namespace {

const char* kFlaky = R"({"id":"flaky","trigger":{"type":"webhook","path":"flaky","sync":true},
  "nodes":[{"id":"f","type":"fail","params":{"message":"down"}}]})";
const char* kHold = R"({"id":"hold","trigger":{"type":"webhook","path":"hold"},
  "nodes":[{"id":"w","type":"wait","params":{"duration":"1h"}}]})";

}  // namespace

TEST_CASE("runs: list with filters and cursor, show, cancel, retry", "[server][runs]") {
  ServerFixture f(Files{{"flaky.json", kFlaky}, {"hold.json", kHold}});
  std::map<std::string, std::string> op{{"Authorization", "Bearer " + f.token("operator")}};
  REQUIRE(f.send("POST", "/v1/hooks/flaky", "{}").status == 500);  // the run failed
  auto held = f.send("POST", "/v1/hooks/hold", "{}");
  REQUIRE(held.status == 202);
  std::string hold_id = ServerFixture::json(held)["run_ids"].as_array()[0].as_string();
  REQUIRE(f.send("POST", "/v1/hooks/hold", "{}").status == 202);

  auto all = ServerFixture::json(f.send("GET", "/v1/runs", "", op));
  CHECK(all["runs"].size() == 3);
  CHECK(all["next"].is_null());
  auto failed = ServerFixture::json(f.send("GET", "/v1/runs?status=failed", "", op));
  REQUIRE(failed["runs"].size() == 1);
  std::string failed_id = failed["runs"].as_array()[0].get_string("id");
  auto page1 = ServerFixture::json(f.send("GET", "/v1/runs?workflow=hold&limit=1", "", op));
  REQUIRE(page1["runs"].size() == 1);
  REQUIRE(page1["next"].is_string());
  auto page2 = ServerFixture::json(f.send("GET", "/v1/runs?workflow=hold&limit=1&cursor=" + page1["next"].as_string(), "", op));
  REQUIRE(page2["runs"].size() == 1);
  CHECK(page2["runs"].as_array()[0].get_string("id") != page1["runs"].as_array()[0].get_string("id"));
  CHECK(f.send("GET", "/v1/runs?status=bogus", "", op).status == 400);
  CHECK(f.send("GET", "/v1/runs?limit=0", "", op).status == 400);

  auto shown = f.send("GET", "/v1/runs/" + failed_id, "", op);
  REQUIRE(shown.status == 200);
  auto run = ServerFixture::json(shown);
  CHECK(run["status"].as_string() == "failed");
  CHECK(run["nodes"]["f"]["status"].as_string() == "failed");

  auto cancel = f.send("POST", "/v1/runs/" + hold_id + "/cancel", "", op);
  CHECK(cancel.status == 200);
  CHECK(ServerFixture::json(f.send("GET", "/v1/runs/" + hold_id, "", op))["status"].as_string() == "cancelled");
  auto again = f.send("POST", "/v1/runs/" + hold_id + "/cancel", "", op);
  CHECK(again.status == 409);  // already final
  CHECK(ServerFixture::json(again)["error"]["code"].is_string());

  CHECK(f.send("POST", "/v1/runs/" + failed_id + "/retry", R"({"from_node":"nope"})", op).status == 404);
  CHECK(f.send("POST", "/v1/runs/" + failed_id + "/retry", "[1]", op).status == 400);
  auto retry = f.send("POST", "/v1/runs/" + failed_id + "/retry", R"({"from_node":"f"})", op);
  CHECK(retry.status == 202);
  CHECK(ServerFixture::json(retry)["run_id"].as_string() == failed_id);
}

TEST_CASE("workflows: PUT installs (422 with located problems), GET, DELETE", "[server][workflows]") {
  ServerFixture f;
  std::map<std::string, std::string> admin{{"Authorization", "Bearer " + f.token("admin")}};
  auto bad = f.send("PUT", "/v1/workflows/w1",
                    "{\"id\":\"w1\",\"trigger\":{\"type\":\"webhook\",\"path\":\"p\"},\n"
                    "\"nodes\":[{\"id\":\"a\",\"type\":\"no_such_type\"}]}",
                    admin);
  REQUIRE(bad.status == 422);
  auto err = ServerFixture::json(bad)["error"];
  CHECK(err["code"].as_string() == "invalid_workflow");
  REQUIRE(err["problems"].size() >= 1);
  CHECK(err["problems"].as_array()[0].find("line")->as_int() == 2);
  CHECK(err["problems"].as_array()[0].get_string("message").find("no_such_type") != std::string::npos);
  CHECK(f.send("PUT", "/v1/workflows/w1", "{\"id\":\"other\",\"trigger\":{\"type\":\"manual\"},\"nodes\":[]}", admin)
            .status == 422);  // id differs from the URL
  CHECK(f.send("PUT", "/v1/workflows/w1", "id: w1", {{"Authorization", admin["Authorization"]}, {"Content-Type", "text/yaml"}})
            .status == 415);

  const std::string good =
      R"({"id":"w1","trigger":{"type":"webhook","path":"p","sync":true},"nodes":[{"id":"r","type":"respond","params":{"value":1}}]})";
  auto put = f.send("PUT", "/v1/workflows/w1", good, admin);
  REQUIRE(put.status == 200);
  CHECK(ServerFixture::json(put)["id"].as_string() == "w1");
  CHECK(f.send("POST", "/v1/hooks/p", "{}").body == "1");  // live without a restart

  auto list = ServerFixture::json(f.send("GET", "/v1/workflows", "", admin));
  REQUIRE(list["workflows"].size() == 1);
  auto one = ServerFixture::json(f.send("GET", "/v1/workflows/w1", "", admin));
  CHECK(one["definition"]["trigger"]["path"].as_string() == "p");

  CHECK(f.send("DELETE", "/v1/workflows/w1", "", admin).status == 204);
  CHECK(f.send("GET", "/v1/workflows/w1", "", admin).status == 404);
  CHECK(f.send("POST", "/v1/hooks/p", "{}").status == 404);
}

TEST_CASE("connectors lists the compiled-in apps", "[server]") {
  ServerFixture f;
  auto r = f.send("GET", "/v1/connectors", "", {{"Authorization", "Bearer " + f.token("viewer")}});
  REQUIRE(r.status == 200);
  CHECK(ServerFixture::json(r)["connectors"].size() > 5);
  CHECK(r.body.find("\"hubspot\"") != std::string::npos);
}

TEST_CASE("invalid workflow files are skipped, the valid ones are served", "[server][workflows]") {
  std::vector<std::string> logged;
  ServerFixture f(Files{{"good.json", kHold}, {"bad.json", "{\"id\":\"b\",\n\"nodes\": 3}"}},
                  [&logged](famulor::server::ServerOptions& o) { o.log = [&logged](const std::string& l) { logged.push_back(l); }; });
  auto health = ServerFixture::json(f.send("GET", "/v1/health"));
  CHECK(health["workflows"].as_int() == 1);
  std::string all;
  for (auto& l : logged) all += l + "\n";
  CHECK(all.find("bad.json:2:") != std::string::npos);
}
