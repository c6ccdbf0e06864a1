// Access control over real resources: every management route × every caller (no
// token, malformed or unknown token, viewer, operator, admin). A refused request
// answers 401/403 and changes nothing — a viewer cannot retry or cancel a real run
// (the permission n8n once got wrong), an operator cannot replace a workflow.
#include <catch2/catch.hpp>

#include <chrono>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "server_fixture.hpp"
#include "support/eventually.hpp"

using famulor::Value;
using famulor::test::Files;
using famulor::test::ServerFixture;

namespace {

const char* kFlaky = R"({"id":"flaky","trigger":{"type":"webhook","path":"flaky","sync":true},
  "nodes":[{"id":"f","type":"fail","params":{"message":"down"}}]})";
const char* kHold = R"({"id":"hold","trigger":{"type":"webhook","path":"hold"},
  "nodes":[{"id":"w","type":"wait","params":{"duration":"1h"}}]})";
const char* kNew = R"({"id":"fresh","trigger":{"type":"webhook","path":"fresh","sync":true},
  "nodes":[{"id":"r","type":"respond","params":{"value":1}}]})";

enum Need { anyone = 0, viewer = 1, operator_ = 2, admin = 3 };

using Headers = std::map<std::string, std::string>;

Headers bearer(const std::string& token) { return {{"Authorization", "Bearer " + token}}; }

}  // namespace

TEST_CASE("access control: every management route x every role, over real resources", "[server][auth][security]") {
  ServerFixture f(Files{{"flaky.json", kFlaky}, {"hold.json", kHold}});
  const std::string roles[] = {"viewer", "operator", "admin"};
  std::map<std::string, std::string> tok;
  for (const auto& r : roles) tok[r] = f.token(r);
  Headers admin_h = bearer(tok["admin"]);

  REQUIRE(f.send("POST", "/v1/hooks/flaky", "{}").status == 500);
  auto held = f.send("POST", "/v1/hooks/hold", "{}");
  REQUIRE(held.status == 202);
  std::string hold_id = ServerFixture::json(held)["run_ids"].as_array()[0].as_string();
  auto failed = ServerFixture::json(f.send("GET", "/v1/runs?status=failed", "", admin_h));
  REQUIRE(failed["runs"].size() == 1);
  std::string failed_id = failed["runs"].as_array()[0].get_string("id");
  auto victim = ServerFixture::json(f.send("POST", "/v1/tokens", R"({"role":"viewer","name":"victim"})", admin_h));
  std::string victim_id = victim["id"].as_string();
  REQUIRE_FALSE(victim_id.empty());

  // State that a refused request must leave alone.
  auto state = [&] {
    auto runs = f.send("GET", "/v1/runs", "", admin_h).body;
    auto workflows = f.send("GET", "/v1/workflows", "", admin_h).body;
    auto tokens = ServerFixture::json(f.send("GET", "/v1/tokens", "", admin_h));
    return runs + "\n" + workflows + "\n" + std::to_string(tokens["tokens"].size());
  };

  struct Route {
    std::string method, target, body;
    Need need;
  };
  // The mutating routes come last in each group so earlier allowed calls see the resources.
  std::vector<Route> routes = {
      {"GET", "/v1/health", "", anyone},
      {"GET", "/v1/runs", "", viewer},
      {"GET", "/v1/runs?status=failed", "", viewer},
      {"GET", "/v1/runs/" + failed_id, "", viewer},
      {"GET", "/v1/workflows", "", viewer},
      {"GET", "/v1/workflows/flaky", "", viewer},
      {"GET", "/v1/connectors", "", viewer},
      {"GET", "/v1/tokens", "", admin},
      {"GET", "/v1/audit", "", admin},
      {"GET", "/v1/calls/tools", "", viewer},
      {"GET", "/v1/health/connectors", "", viewer},
      {"GET", "/metrics", "", viewer},
      {"GET", "/v1/credentials", "", admin},
      {"POST", "/v1/runs/" + failed_id + "/retry", R"({"from_node":"f"})", operator_},
      {"POST", "/v1/runs/" + hold_id + "/cancel", "", operator_},
      {"PUT", "/v1/workflows/fresh", kNew, admin},
      {"DELETE", "/v1/workflows/fresh", "", admin},
      {"POST", "/v1/tokens", R"({"role":"viewer","name":"made"})", admin},
      {"DELETE", "/v1/tokens/" + victim_id, "", admin},
  };

  for (const auto& rt : routes) {
    INFO(rt.method << " " << rt.target);
    if (rt.need == anyone) {
      CHECK(f.send(rt.method, rt.target, rt.body).status == 200);
      CHECK(f.send(rt.method, rt.target, rt.body, bearer("fam_bogus")).status == 200);
      continue;
    }
    std::string before = state();
    for (const Headers& h : std::vector<Headers>{{},
                                                 {{"Authorization", "Bearer"}},
                                                 {{"Authorization", "Basic YWRtaW46YWRtaW4="}},
                                                 {{"Authorization", "bearer " + tok["admin"] + "x"}},
                                                 bearer("fam_" + std::string(48, '0')),
                                                 bearer("")}) {
      auto r = f.send(rt.method, rt.target, rt.body, h);
      INFO("header " << (h.empty() ? "(none)" : h.begin()->second));
      CHECK(r.status == 401);
      CHECK(ServerFixture::json(r)["error"]["code"].as_string() == "unauthenticated");
    }
    for (int i = 0; i < 3; ++i) {
      if (i + 1 >= rt.need) continue;
      INFO("as " << roles[i]);
      auto r = f.send(rt.method, rt.target, rt.body, bearer(tok[roles[i]]));
      CHECK(r.status == 403);
      CHECK(ServerFixture::json(r)["error"]["code"].as_string() == "forbidden");
    }
    CHECK(state() == before);  // nothing refused changed anything

    // The lowest role allowed gets through (and so would every higher one).
    auto r = f.send(rt.method, rt.target, rt.body, bearer(tok[roles[rt.need - 1]]));
    INFO(r.body);
    CHECK(r.status >= 200);
    CHECK(r.status < 300);
    // The retried run goes on on a pool thread: let it settle (it fails again)
    // before the next route takes its "before" state, or that state moves under it.
    if (rt.target.ends_with("/retry")) {
      CHECK(famulor::test::eventually([&] {
        auto st = ServerFixture::json(f.send("GET", "/v1/runs/" + failed_id, "", admin_h))["status"];
        return st.is_string() && st.as_string() == "failed";
      }));
    }
  }

  // What the allowed calls did, to prove they reached their handlers.
  CHECK(ServerFixture::json(f.send("GET", "/v1/runs/" + hold_id, "", admin_h))["status"].as_string() == "cancelled");
  CHECK(f.send("GET", "/v1/workflows/fresh", "", admin_h).status == 404);  // PUT then DELETE
  CHECK(f.send("GET", "/v1/runs", "", bearer("fam_" + std::string(48, '0'))).status == 401);
  auto tokens = ServerFixture::json(f.send("GET", "/v1/tokens", "", admin_h))["tokens"];
  bool victim_left = false;
  for (const auto& t : tokens.as_array()) victim_left = victim_left || t.get_string("id") == victim_id;
  CHECK_FALSE(victim_left);

  // The audit log saw the allowed actions with their token, and the refusals.
  auto audit = ServerFixture::json(f.send("GET", "/v1/audit?limit=10000", "", admin_h))["entries"];
  auto count = [&](const std::string& action, const std::string& outcome, const std::string& actor_part) {
    int n = 0;
    for (const auto& e : audit.as_array())
      if (e.get_string("action") == action && e.get_string("outcome") == outcome &&
          e.get_string("actor").find(actor_part) != std::string::npos)
        ++n;
    return n;
  };
  INFO(audit.dump());
  CHECK(count("run.retry", "ok", "test operator") == 1);
  CHECK(count("run.retry", "forbidden", "test viewer") == 1);
  CHECK(count("run.retry", "unauthenticated", "anonymous") == 6);
  CHECK(count("run.cancel", "ok", "test operator") == 1);
  CHECK(count("workflow.put", "ok", "test admin") == 1);
  CHECK(count("workflow.delete", "ok", "test admin") == 1);
  CHECK(count("token.revoke", "ok", "test admin") == 1);
  CHECK(count("GET /v1/tokens", "forbidden", "test operator") == 1);
  bool retry_names_workflow = false;
  for (const auto& e : audit.as_array())
    if (e.get_string("action") == "run.retry" && e.get_string("outcome") == "ok")
      retry_names_workflow = e.get_string("workflow") == "flaky" && e.get_string("target") == failed_id;
  CHECK(retry_names_workflow);
  CHECK(f.send("GET", "/v1/audit?since=nonsense", "", admin_h).status == 400);
  CHECK(ServerFixture::json(f.send("GET", "/v1/audit?action=token", "", admin_h))["entries"].size() >= 2);
}
