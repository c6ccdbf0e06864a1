// The manifest runtime: manifests, base URL overrides, dry run, redaction, errors.
#include <catch2/catch.hpp>

#include <cstdlib>

#include "connectors/errors.hpp"
#include "connectors/json_path.hpp"
#include "connectors/manifest.hpp"
#include "harness.hpp"
#include "security/redact.hpp"

using namespace famulor;
using namespace famulor::test;
using namespace famulor::connectors;

namespace {
Value J(std::string_view s) { return Value::parse(s).value(); }

struct EnvVar {
  EnvVar(const char* name, const char* value) : name_(name) { ::setenv(name, value, 1); }
  ~EnvVar() { ::unsetenv(name_); }
  const char* name_;
};
}  // namespace

TEST_CASE("every compiled-in manifest parses and names its node types", "[connector]") {
  auto reg = Registry::builtin();
  INFO(reg.status().message());
  REQUIRE(reg.ok());
  for (auto app : {"hubspot", "salesforce", "slack", "microsoft_teams", "gmail", "google_sheets", "google_calendar",
                   "openai", "anthropic", "stripe", "zendesk"})
    CHECK(reg->find(app) != nullptr);
  auto types = reg->node_types();
  auto has = [&](std::string_view t) {
    return std::any_of(types.begin(), types.end(), [&](const NodeTypeInfo& i) { return i.type == t; });
  };
  CHECK(has("hubspot.create_contact"));
  CHECK(has("openai.lead_score"));
  CHECK(has("anthropic.call_summary"));
  CHECK(has("stripe.update_subscription"));
  CHECK_FALSE(has("hubspot.nope"));
  // Every operation is callable: its templates compile.
  for (auto& m : reg->apps())
    for (auto& [name, op] : m->operations) {
      INFO(m->app << "." << name);
      auto c = CompiledOperation::compile(*m, op);
      CHECK(c.ok());
    }
}

TEST_CASE("a broken manifest is refused with every problem and its path", "[connector]") {
  auto m = parse_manifest_text(R"({"app":"Bad App","operations":{"x":{"method":"FETCH","path":"/a/{id}"},
                                   "y":{"method":"GET","path":"/b","pagination":{"type":"sideways"}}},
                                   "auth":[{"kind":"magic"}]})",
                               "bad.json");
  REQUIRE_FALSE(m.ok());
  std::string msg = m.status().message();
  CHECK(msg.find("bad.json: $.app") != std::string::npos);
  CHECK(msg.find("$.title: is required") != std::string::npos);
  CHECK(msg.find("$.operations.x.method: unknown HTTP method 'FETCH'") != std::string::npos);
  CHECK(msg.find("placeholder {id} names no declared param") == std::string::npos);  // no params declared: not checked
  CHECK(msg.find("$.operations.y.pagination.type") != std::string::npos);
  CHECK(msg.find("$.auth[0].kind") != std::string::npos);
}

TEST_CASE("json paths pick values out of responses", "[connector]") {
  Value v = J(R"({"results":[{"id":"1"},{"id":"2"}],"content":[{"type":"text"},{"type":"tool_use","input":{"a":1}}]})");
  CHECK(find_path(v, "results[1].id")->as_string() == "2");
  CHECK(find_path(v, "results.0.id")->as_string() == "1");
  CHECK(find_path(v, "content[type=tool_use].input.a")->as_int() == 1);
  CHECK(find_path(v, "")->is_object());
  CHECK(find_path(v, "results[5]") == nullptr);
  CHECK(find_path(v, "nope.x") == nullptr);
}

TEST_CASE("FAMULOR_<APP>_BASE_URL overrides the host, the policy exemption follows", "[connector]") {
  ConnectorHarness h;
  h.credential("zd", "zendesk", Value::object({{"subdomain", "acme"}, {"email", "a@acme.com"}, {"api_token", "tok-123456"}}));
  h.answer = [](const HttpRequest&) { return json_response(200, R"({"ticket":{"id":1}})"); };
  {
    EnvVar env("FAMULOR_ZENDESK_BASE_URL", "http://127.0.0.1:4010/zendesk");
    REQUIRE(h.call("zendesk.update_ticket", J(R"({"ticket_id":1,"status":"open"})"), "zd").ok());
    CHECK(h.last().url == "http://127.0.0.1:4010/zendesk/tickets/1.json");
    CHECK_FALSE(h.last().policy_applies);
  }
  REQUIRE(h.call("zendesk.update_ticket", J(R"({"ticket_id":1,"status":"open"})"), "zd").ok());
  CHECK(h.last().url == "https://acme.zendesk.com/api/v2/tickets/1.json");
  CHECK(h.last().policy_applies);

  h.services->sandbox_url = "http://127.0.0.1:9999";
  REQUIRE(h.call("zendesk.update_ticket", J(R"({"ticket_id":1,"status":"open"})"), "zd").ok());
  CHECK(h.last().url == "http://127.0.0.1:9999/zendesk/tickets/1.json");
}

TEST_CASE("dry run shows the exact request with secrets redacted and sends nothing", "[connector]") {
  ConnectorHarness h;
  h.services->dry_run = true;
  h.credential("st", "stripe", Value::object({{"api_key", "sk_live_51HxSECRETSECRET"}}));
  auto r = h.call("stripe.create_customer",
                  J(R"({"email":"jane@example.com","description":"key sk_live_51HxSECRETSECRET pasted by mistake"})"), "st",
                  "run-9:node-3");
  REQUIRE(r.ok());
  CHECK(h.sent.empty());
  CHECK(r->get_bool("dry_run"));
  const Value& req = *r->find("request");
  CHECK(req.get_string("method") == "POST");
  CHECK(req.get_string("url") == "https://api.stripe.com/v1/customers");
  CHECK(req.find("headers")->get_string("Authorization") == "[REDACTED]");
  CHECK(req.find("headers")->get_string("Idempotency-Key") == "run-9:node-3");
  std::string all = r->dump();
  CHECK(all.find("sk_live_51HxSECRETSECRET") == std::string::npos);
  CHECK(all.find("jane%40example.com") != std::string::npos);  // the form body as it would be sent
}

TEST_CASE("a node without the credential it needs fails before sending", "[connector]") {
  ConnectorHarness h;
  auto r = h.call("slack.post_message", J(R"({"channel":"C1","text":"x"})"), "");
  CHECK(r.status().code() == StatusCode::failed_precondition);
  CHECK(r.status().message().find("needs a credential") != std::string::npos);
  auto missing = h.call("slack.post_message", J(R"({"channel":"C1","text":"x"})"), "nope");
  CHECK(missing.status().code() == StatusCode::not_found);
  auto bad_param = h.call("slack.post_message", J(R"({"channel":"C1"})"), "nope");
  CHECK(bad_param.status().code() == StatusCode::invalid_argument);
  CHECK(bad_param.status().message().find("'text' is required") != std::string::npos);
  auto wrong_type = h.call("slack.post_message", J(R"({"channel":"C1","text":42})"), "nope");
  CHECK(wrong_type.status().code() == StatusCode::invalid_argument);
  CHECK(h.sent.empty());
}

TEST_CASE("errors never carry a secret, even when the app echoes it", "[connector]") {
  ConnectorHarness h;
  h.credential("oa", "openai", Value::object({{"api_key", "sk-proj-SECRETabcdef987"}}));
  h.answer = [](const HttpRequest&) {
    return json_response(401, R"({"error":{"message":"Incorrect API key provided: sk-proj-SECRETabcdef987.","type":"invalid_request_error"}})");
  };
  auto r = h.call("openai.sentiment", J(R"({"transcript":"x"})"), "oa");
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == StatusCode::unauthenticated);
  CHECK(r.status().message().find("Incorrect API key provided") != std::string::npos);
  CHECK(r.status().message().find("sk-proj-SECRETabcdef987") == std::string::npos);
  CHECK(r.status().message().find("[REDACTED]") != std::string::npos);
}

TEST_CASE("transport failures and 5xx are retryable, 4xx are not", "[connector]") {
  ConnectorHarness h;
  h.credential("hs", "hubspot", Value::object({{"access_token", "pat-na1-11112222"}}));
  h.services->transport = [](HttpRequest, ResponseHandler done) { done(Status(StatusCode::unavailable, "connection refused")); };
  auto down = h.call("hubspot.create_contact", J(R"({"properties":{}})"), "hs");
  CHECK(down.status().code() == StatusCode::unavailable);
  CHECK(down.status().message().find("https://api.hubapi.com") != std::string::npos);
  CHECK(status_code_for_http(503, *builtin_registry().find("hubspot")) == StatusCode::unavailable);
  CHECK(status_code_for_http(422, *builtin_registry().find("hubspot")) == StatusCode::invalid_argument);
  CHECK(status_code_for_http(409, *builtin_registry().find("stripe")) == StatusCode::unavailable);  // Stripe lists 409 as retryable
}

TEST_CASE("the redactor hides secrets by name and by value", "[vault]") {
  security::Redactor r;
  r.add_credential_fields(J(R"({"api_token":"tok-ABCDEF","subdomain":"acme","email":"a@acme.com","nested":{"k":"deep-secret"}})"));
  CHECK(r.text("token tok-ABCDEF at acme") == "token [REDACTED] at acme");
  CHECK(r.text("deep-secret") == "[REDACTED]");
  Value v = r.value(J(R"({"password":"hunter2","max_tokens":100,"note":"x tok-ABCDEF y","Idempotency-Key":"k1"})"));
  CHECK(v.get_string("password") == "[REDACTED]");
  CHECK(v.get_int("max_tokens") == 100);
  CHECK(v.get_string("note") == "x [REDACTED] y");
  CHECK(v.get_string("Idempotency-Key") == "k1");
  CHECK(security::Redactor::is_secret_name("X-Api-Key"));
  CHECK(security::Redactor::is_secret_name("refresh_token"));
  CHECK_FALSE(security::Redactor::is_secret_name("Content-Type"));
}
