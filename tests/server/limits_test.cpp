// Input limits of `famulor serve`, end to end over real HTTP: each is enforced
// with a clear JSON error and starts nothing.
#include <catch2/catch.hpp>

#include <string>

#include "server_fixture.hpp"

using famulor::Value;
using famulor::test::Files;
using famulor::test::ServerFixture;

namespace {

const char* kHook = R"({"id":"orders","trigger":{"type":"webhook","path":"orders"},
  "nodes":[{"id":"hold","type":"wait","params":{"duration":"1h"}}]})";

}  // namespace

TEST_CASE("serve enforces body, header and JSON limits with clear errors", "[server][limits][security]") {
  ServerFixture f(Files{{"orders.json", kHook}}, [](famulor::server::ServerOptions& o) { o.max_body_bytes = 4096; });
  std::string admin = "Bearer " + f.token("admin");
  auto runs = [&] { return ServerFixture::json(f.send("GET", "/v1/runs", "", {{"Authorization", admin}}))["runs"].size(); };

  auto big = f.send("POST", "/v1/hooks/orders", "{\"x\":\"" + std::string(5000, 'a') + "\"}");
  CHECK(big.status == 413);
  CHECK(ServerFixture::json(big)["error"]["code"].as_string() == "payload_too_large");

  std::map<std::string, std::string> many;
  for (int i = 0; i < 150; ++i) many["X-H" + std::to_string(i)] = "v";
  CHECK(f.send("POST", "/v1/hooks/orders", "{}", many).status == 431);
  CHECK(f.send("POST", "/v1/hooks/orders", "{}", {{"X-Big", std::string(70 * 1024, 'b')}}).status == 431);

  std::string deep = std::string(300, '[') + std::string(300, ']');
  auto nested = f.send("POST", "/v1/hooks/orders", deep);
  CHECK(nested.status == 400);
  std::string msg = ServerFixture::json(nested)["error"]["message"].as_string();
  INFO(msg);
  CHECK(msg.find("max_depth 256") != std::string::npos);

  auto bad_json = f.send("POST", "/v1/hooks/orders", R"({"a": 1,})");
  CHECK(bad_json.status == 400);
  CHECK(ServerFixture::json(bad_json)["error"]["message"].as_string().find("offset") != std::string::npos);

  CHECK(runs() == 0);  // none of them started a run
  CHECK(f.send("POST", "/v1/hooks/orders", R"({"ok":true})").status == 202);
  CHECK(runs() == 1);
}

TEST_CASE("a workflow with an oversized expression is refused at install with its location", "[server][limits][security]") {
  ServerFixture f;
  std::string admin = "Bearer " + f.token("admin");
  std::string sum = "1";
  while (sum.size() < 70 * 1024) sum += " + 1";
  std::string huge = "{{ " + sum + " }}";
  std::string wf = R"({"id":"w","trigger":{"type":"webhook","path":"w"},"nodes":[{"id":"r","type":"respond","params":{"value":")" +
                   huge + R"("}}]})";
  auto r = f.send("PUT", "/v1/workflows/w", wf, {{"Authorization", admin}});
  CHECK(r.status == 422);
  INFO(r.body.substr(0, 500));
  CHECK(r.body.find("bad expression") != std::string::npos);  // its length or depth, located
  CHECK(r.body.find("nodes[0].params.value") != std::string::npos);
}
