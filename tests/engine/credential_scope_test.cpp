// Credentials restricted to named workflows: the restriction is sealed with the
// fields, survives key rotation and token refreshes, and a connector node of any
// other workflow gets permission_denied naming the credential, sending nothing.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <string>

#include <famulor/famulor.hpp>

#include "security/vault.hpp"
#include "store/sqlite_credential_records.hpp"
#include "support/fake_http_server.hpp"
#include "support/paths.hpp"

using namespace famulor;
using namespace famulor::test;

namespace {

struct EnvVar {
  EnvVar(const char* name, const std::string& value) : name_(name) { ::setenv(name, value.c_str(), 1); }
  ~EnvVar() { ::unsetenv(name_); }
  const char* name_;
};

std::string slack_workflow(const std::string& id) {
  return R"({"id": ")" + id + R"(", "trigger": {"type": "event", "name": "call"},
    "nodes": [{"id": "post", "type": "slack.post_message", "credential": "slack",
               "params": {"channel": "#sales", "text": "hi"}}]})";
}

}  // namespace

TEST_CASE("a credential restricted to workflows is refused to every other workflow", "[connector][engine][security]") {
  TempDir dir;
  std::string db = (dir / "famulor.db").string();
  auto key = security::MasterKey::generate().value();
  std::string key_file = (dir / "master.key").string();
  std::ofstream(key_file) << key.to_base64() << "\n";
  {
    security::Vault vault(store::open_sqlite_credential_records(db).value(), key);
    REQUIRE(vault.put("slack", "slack", Value::object({{"access_token", "xoxb-SCOPED"}}),
                      std::vector<std::string>{"notify", "escalate"})
                .ok());
  }
  FakeHttpServer slack;
  slack.on("POST", "/chat.postMessage", FakeResponse::json(200, R"({"ok":true,"ts":"1.2"})"));
  EnvVar base("FAMULOR_SLACK_BASE_URL", slack.url());

  Engine engine({.threads = 1, .db = db, .master_key_file = key_file});
  for (const char* id : {"notify", "intruder"}) {
    auto wf = engine.parse(slack_workflow(id));
    REQUIRE(wf.ok());
    REQUIRE(engine.install(std::move(*wf)).ok());
  }
  REQUIRE(engine.start().ok());

  auto allowed = engine.run("notify", Value::object());
  REQUIRE(allowed.ok());
  RunRecord ok = allowed->wait();
  INFO(ok.to_json().dump());
  REQUIRE(ok.status == RunStatus::succeeded);
  REQUIRE(slack.requests().size() == 1);
  CHECK(slack.requests()[0].header("Authorization") == "Bearer xoxb-SCOPED");

  auto refused = engine.run("intruder", Value::object());
  REQUIRE(refused.ok());
  RunRecord no = refused->wait();
  REQUIRE(no.status == RunStatus::failed);
  const std::string& err = no.node("post")->error;
  INFO(err);
  CHECK(err.find("credential 'slack'") != std::string::npos);
  CHECK(err.find("notify, escalate") != std::string::npos);
  CHECK(err.find("'intruder'") != std::string::npos);
  CHECK(no.node("post")->error_code == StatusCode::permission_denied);
  CHECK(slack.requests().size() == 1);  // nothing sent for the intruder
}

TEST_CASE("the workflow list is sealed and kept through refresh and rotation", "[security][vault]") {
  TempDir dir;
  std::string db = (dir / "famulor.db").string();
  auto key = security::MasterKey::generate().value();
  security::Vault vault(store::open_sqlite_credential_records(db).value(), key);
  REQUIRE(vault.put("hs", "hubspot", Value::object({{"access_token", "a"}}), std::vector<std::string>{"crm"}).ok());

  // An OAuth refresh rewrites the fields without naming workflows: the list stays.
  REQUIRE(vault.put("hs", "hubspot", Value::object({{"access_token", "b"}})).ok());
  auto got = vault.get("hs");
  REQUIRE(got.ok());
  CHECK(got->fields.get_string("access_token") == "b");
  REQUIRE(got->workflows == std::vector<std::string>{"crm"});
  CHECK(got->usable_by("crm"));
  CHECK_FALSE(got->usable_by("crm2"));

  REQUIRE(vault.rotate_key(security::MasterKey::generate().value()).ok());
  got = vault.get("hs");
  REQUIRE(got.ok());
  CHECK(got->workflows == std::vector<std::string>{"crm"});

  // Set again with an explicit empty list: every workflow may use it.
  REQUIRE(vault.put("hs", "hubspot", Value::object({{"access_token", "c"}}), std::vector<std::string>{}).ok());
  got = vault.get("hs");
  REQUIRE(got.ok());
  CHECK(got->workflows.empty());
  CHECK(got->usable_by("anything"));

  // Old records (a bare fields object) still open, unrestricted.
  REQUIRE(vault.put("plain", "slack", Value::object({{"access_token", "x"}})).ok());
  CHECK(vault.get("plain")->workflows.empty());
  CHECK_FALSE(vault.put("bad", "slack", Value::object({{"a", "b"}}), std::vector<std::string>{""}).ok());
}
