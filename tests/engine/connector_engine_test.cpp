// Connector nodes inside a real Engine: the factories the engine registers for
// every `<app>.<operation>`, over real HTTP to loopback fakes (base URL override),
// with credentials from the embedding program or from the vault in the engine's
// database, in sandbox mode, in dry-run mode, and from a --connectors directory.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <future>
#include <fstream>

#include "common/io_pool.hpp"
#include "connectors/health.hpp"
#include "connectors/registry.hpp"
#include "connectors/sandbox_server.hpp"
#include "engine/engine_impl.hpp"
#include "famulor/engine.hpp"
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

const char* kSlackWorkflow = R"({
  "id": "notify",
  "trigger": { "type": "event", "name": "call" },
  "nodes": [
    { "id": "post", "type": "slack.post_message", "credential": "slack",
      "params": { "channel": "#sales", "text": "Call from {{ trigger.from }}" } },
    { "id": "out", "type": "respond", "after": ["post"], "params": { "value": "{{ nodes.post.output.ts }}" } }
  ]
})";

RunRecord run_once(Engine& engine, const char* json, Value payload) {
  auto wf = engine.parse(json);
  REQUIRE(wf.ok());
  std::string id = wf->id();
  REQUIRE(engine.install(std::move(*wf)).ok());
  REQUIRE(engine.start().ok());
  auto h = engine.run(id, std::move(payload));
  REQUIRE(h.ok());
  return h->wait();
}

std::string error_of(const RunRecord& r) { return r.to_json().dump(); }

}  // namespace

TEST_CASE("a slack.post_message workflow installs and runs against a loopback Slack", "[connector][engine]") {
  FakeHttpServer slack;
  slack.on("POST", "/chat.postMessage",
           FakeResponse::json(200, R"({"ok":true,"channel":"C1","ts":"1764243200.000100","message":{"text":"x"}})"));
  EnvVar base("FAMULOR_SLACK_BASE_URL", slack.url());
  EngineOptions o;
  o.threads = 2;
  o.credentials = [](const std::string& name) -> std::optional<Value> {
    if (name == "slack") return Value::object({{"access_token", "xoxb-ENGINE-SECRET"}});
    return std::nullopt;
  };
  Engine engine(o);
  RunRecord r = run_once(engine, kSlackWorkflow, Value::object({{"from", "+4930123"}}));
  INFO(error_of(r));
  REQUIRE(r.status == RunStatus::succeeded);
  CHECK(r.node("out")->output == Value("1764243200.000100"));
  auto reqs = slack.requests("POST", "/chat.postMessage");
  REQUIRE(reqs.size() == 1);
  CHECK(reqs[0].header("Authorization") == "Bearer xoxb-ENGINE-SECRET");
  auto body = Value::parse(reqs[0].body).value();
  CHECK(body.get_string("channel") == "#sales");
  CHECK(body.get_string("text") == "Call from +4930123");
  // The secret stays out of the run record.
  CHECK(r.to_json().dump().find("xoxb-ENGINE-SECRET") == std::string::npos);
}

TEST_CASE("the run's idempotency key reaches apps that honour one", "[connector][engine]") {
  FakeHttpServer stripe;
  stripe.on("POST", "/customers", FakeResponse::json(200, R"({"id":"cus_1","object":"customer"})"));
  EnvVar base("FAMULOR_STRIPE_BASE_URL", stripe.url());
  EngineOptions o;
  o.threads = 1;
  o.credentials = [](const std::string&) -> std::optional<Value> { return Value::object({{"api_key", "sk_test_x"}}); };
  Engine engine(o);
  RunRecord r = run_once(engine, R"({"id": "pay", "trigger": {"type": "manual"}, "nodes": [
      {"id": "cust", "type": "stripe.create_customer", "credential": "st", "params": {"email": "jane@example.com"}}]})",
                         Value::object());
  INFO(error_of(r));
  REQUIRE(r.status == RunStatus::succeeded);
  auto reqs = stripe.requests();
  REQUIRE(reqs.size() == 1);
  std::string key = reqs[0].header("Idempotency-Key");
  CHECK(key.find(r.id) != std::string::npos);
  CHECK(key.find("cust") != std::string::npos);
}

TEST_CASE("credentials come from the vault in the engine's database", "[connector][engine]") {
  TempDir dir;
  std::string db = (dir / "famulor.db").string();
  auto key = security::MasterKey::generate().value();
  std::string key_file = (dir / "master.key").string();
  std::ofstream(key_file) << key.to_base64() << "\n";
  {
    security::Vault vault(store::open_sqlite_credential_records(db).value(), key);
    REQUIRE(vault.put("slack", "slack", Value::object({{"access_token", "xoxb-FROM-VAULT"}})).ok());
    REQUIRE(vault.put("wrong_app", "hubspot", Value::object({{"access_token", "pat-x"}})).ok());
  }
  FakeHttpServer slack;
  slack.on("POST", "/chat.postMessage", FakeResponse::json(200, R"({"ok":true,"ts":"1.2"})"));
  EnvVar base("FAMULOR_SLACK_BASE_URL", slack.url());

  SECTION("with the key file, the node reads its credential") {
    Engine engine({.threads = 1, .db = db, .master_key_file = key_file});
    RunRecord r = run_once(engine, kSlackWorkflow, Value::object({{"from", "x"}}));
    INFO(error_of(r));
    REQUIRE(r.status == RunStatus::succeeded);
    REQUIRE(slack.requests().size() == 1);
    CHECK(slack.requests()[0].header("Authorization") == "Bearer xoxb-FROM-VAULT");
  }
  SECTION("without a master key the node fails saying how to make one, and sends nothing") {
    Engine engine({.threads = 1, .db = db});
    RunRecord r = run_once(engine, kSlackWorkflow, Value::object({{"from", "x"}}));
    REQUIRE(r.status == RunStatus::failed);
    CHECK(r.node("post")->error.find("FAMULOR_MASTER_KEY") != std::string::npos);
    CHECK(slack.requests().empty());
  }
  SECTION("a credential made for another app is refused") {
    Engine engine({.threads = 1, .db = db, .master_key_file = key_file});
    std::string wf = kSlackWorkflow;
    wf.replace(wf.find("\"credential\": \"slack\""), 21, "\"credential\": \"wrong_app\"");
    RunRecord r = run_once(engine, wf.c_str(), Value::object({{"from", "x"}}));
    REQUIRE(r.status == RunStatus::failed);
    CHECK(r.node("post")->error.find("is for hubspot, not slack") != std::string::npos);
    CHECK(slack.requests().empty());
  }
  SECTION("a key file that cannot be read stops start()") {
    Engine engine({.threads = 1, .db = db, .master_key_file = (dir / "missing.key").string()});
    auto wf = engine.parse(kSlackWorkflow);
    REQUIRE(engine.install(std::move(*wf)).ok());
    Status s = engine.start();
    CHECK(!s.ok());
    CHECK(s.message().find("missing.key") != std::string::npos);
  }
}

TEST_CASE("sandbox mode: every connector calls the sandbox with placeholder credentials", "[connector][engine]") {
  detail::IoPool pool(1);
  pool.start();
  connectors::SandboxServer sandbox(pool, connectors::builtin_registry());
  REQUIRE(sandbox.start().ok());
  // The environment's base URL does not win over --sandbox.
  EnvVar base("FAMULOR_SLACK_BASE_URL", "http://192.0.2.1:9");
  {
    Engine engine({.threads = 2, .sandbox_url = sandbox.url()});
    auto text = read_file(source_dir() / "examples/workflows/post_call_crm.json");
    auto event = Value::parse(read_file(source_dir() / "examples/events/call_ended.json")).value();
    RunRecord r = run_once(engine, text.c_str(), event);
    INFO(error_of(r));
    REQUIRE(r.status == RunStatus::succeeded);
    CHECK(r.node("score")->output.get_int("score") == 78);  // the lead_score sample, not another recipe's
    CHECK(r.node("alert")->status == NodeStatus::succeeded);
    engine.stop();
  }
  Value recorded = sandbox.sandbox().requests();
  std::vector<std::string> ops;
  for (std::size_t i = 0; i < recorded.size(); ++i)
    ops.push_back(recorded.at(i)->get_string("app") + "." + recorded.at(i)->get_string("operation"));
  std::sort(ops.begin(), ops.end());
  CHECK(ops == std::vector<std::string>{"hubspot.create_note", "hubspot.upsert_contact", "openai.call_summary",
                                        "openai.lead_score", "openai.sentiment", "slack.post_message"});
  sandbox.stop();
  pool.stop();
}

TEST_CASE("dry run: nothing is sent, each node shows its request with secrets redacted", "[connector][engine]") {
  FakeHttpServer slack;
  EnvVar base("FAMULOR_SLACK_BASE_URL", slack.url());
  EngineOptions o;
  o.threads = 1;
  o.dry_run = true;
  o.credentials = [](const std::string&) -> std::optional<Value> {
    return Value::object({{"access_token", "xoxb-DRY-SECRET"}});
  };
  Engine engine(o);
  RunRecord r = run_once(engine, kSlackWorkflow, Value::object({{"from", "+4930"}}));
  INFO(error_of(r));
  REQUIRE(r.status == RunStatus::succeeded);
  CHECK(slack.requests().empty());
  const Value& out = r.node("post")->output;
  CHECK(out.get_bool("dry_run"));
  const Value& req = *out.find("request");
  CHECK(req.get_string("method") == "POST");
  CHECK(req.get_string("url") == slack.url() + "/chat.postMessage");
  CHECK(req.find("headers")->get_string("Authorization") == "[REDACTED]");
  CHECK(req.find("body")->get_string("text") == "Call from +4930");
  // Later nodes read the operation's sample answer.
  CHECK(r.node("out")->output == Value("1764243200.000100"));
  CHECK(r.to_json().dump().find("xoxb-DRY-SECRET") == std::string::npos);
}

TEST_CASE("a connectors directory adds an app the workflow can use", "[connector][engine]") {
  TempDir dir;
  std::ofstream(dir / "acme.json") << R"({
    "app": "acme", "title": "Acme CRM", "category": "crm", "description": "test app",
    "base_url": "https://api.acme.example",
    "auth": [{"kind": "bearer"}],
    "operations": {
      "ping": {"description": "Ping", "method": "POST", "path": "/ping",
               "params": [{"name": "who", "type": "string", "required": true}],
               "body": {"who": "{{ params.who }}"},
               "sample_response": {"pong": true}}
    }
  })";
  FakeHttpServer acme;
  acme.on("POST", "/ping", FakeResponse::json(200, R"({"pong":"yes"})"));
  EnvVar base("FAMULOR_ACME_BASE_URL", acme.url());
  EngineOptions o;
  o.threads = 1;
  o.connectors_dir = dir.path().string();
  o.credentials = [](const std::string&) -> std::optional<Value> { return Value::object({{"access_token", "t"}}); };
  Engine engine(o);
  REQUIRE(engine.catalog().find_node("acme.ping") != nullptr);
  RunRecord r = run_once(engine, R"({"id": "a", "trigger": {"type": "manual"}, "nodes": [
      {"id": "p", "type": "acme.ping", "credential": "c", "params": {"who": "me"}}]})",
                         Value::object());
  INFO(error_of(r));
  REQUIRE(r.status == RunStatus::succeeded);
  CHECK(r.node("p")->output.get_string("pong") == "yes");
  REQUIRE(acme.requests().size() == 1);
  CHECK(acme.requests()[0].body == R"({"who":"me"})");
}

TEST_CASE("a broken connectors directory stops start() naming the file", "[connector][engine]") {
  TempDir dir;
  std::ofstream(dir / "bad.json") << R"({"app": "bad"})";
  Engine engine({.threads = 1, .connectors_dir = dir.path().string()});
  Status s = engine.start();
  CHECK(!s.ok());
  CHECK(s.message().find("bad.json") != std::string::npos);
}

TEST_CASE("an app's health check runs its declared request", "[connector][engine]") {
  FakeHttpServer slack;
  slack.on("POST", "/auth.test", FakeResponse::json(200, R"({"ok":true,"team":"T"})"))
      .fail_first(1, FakeResponse::json(200, R"({"ok":false,"error":"invalid_auth"})"));
  EnvVar base("FAMULOR_SLACK_BASE_URL", slack.url());
  EngineOptions o;
  o.threads = 1;
  o.credentials = [](const std::string&) -> std::optional<Value> { return Value::object({{"access_token", "xoxb-h"}}); };
  Engine engine(o);
  REQUIRE(engine.start().ok());
  auto& ec = *engine.impl().connectors;
  auto check = [&] {
    std::promise<Result<Value>> p;
    connectors::check_connector_health(ec.registry.manifest("slack"), ec.services, "slack",
                                       [&p](Result<Value> r) { p.set_value(std::move(r)); });
    return p.get_future().get();
  };
  auto bad = check();
  CHECK(!bad.ok());
  CHECK(bad.status().message().find("invalid_auth") != std::string::npos);
  auto good = check();
  INFO(good.status().message());
  REQUIRE(good.ok());
  CHECK(good->get_bool("ok"));
  CHECK(good->find("response")->get_string("team") == "T");
  CHECK(slack.requests()[1].header("Authorization") == "Bearer xoxb-h");
}

TEST_CASE("dry run covers http.request too: nothing is sent, secrets are redacted", "[connector][engine]") {
  FakeHttpServer api;
  EngineOptions o;
  o.threads = 1;
  o.dry_run = true;
  o.allow_hosts = {"127.0.0.1"};
  Engine engine(o);
  std::string wf = R"({"id": "h", "trigger": {"type": "manual"}, "nodes": [
      {"id": "get", "type": "http.request", "params": {"method": "POST", "url": ")" + api.url() +
                   R"(/x?api_key=QSECRET&page=2", "headers": {"Authorization": "Bearer HSECRET"}, "body": {"a": 1}}}]})";
  RunRecord r = run_once(engine, wf.c_str(), Value::object());
  INFO(error_of(r));
  REQUIRE(r.status == RunStatus::succeeded);
  CHECK(api.requests().empty());
  const Value& req = *r.node("get")->output.find("request");
  CHECK(req.get_string("url") == api.url() + "/x?api_key=[REDACTED]&page=2");
  CHECK(req.find("headers")->get_string("Authorization") == "[REDACTED]");
  CHECK(req.find("body")->get_int("a") == 1);
  std::string out = r.node("get")->output.dump();
  CHECK(out.find("QSECRET") == std::string::npos);
  CHECK(out.find("HSECRET") == std::string::npos);
}

TEST_CASE("dry run without a readable credential shows the request flagged, without auth", "[connector][engine]") {
  Engine engine({.threads = 1, .dry_run = true});
  RunRecord r = run_once(engine, kSlackWorkflow, Value::object({{"from", "+4930"}}));
  INFO(error_of(r));
  REQUIRE(r.status == RunStatus::succeeded);
  const Value& out = r.node("post")->output;
  CHECK(out.get_string("warning").find("credential 'slack' cannot be read: no vault") != std::string::npos);
  CHECK(out.find("request")->find("headers")->find("Authorization") == nullptr);
  CHECK(out.find("request")->get_string("url") == "https://slack.com/api/chat.postMessage");
}
