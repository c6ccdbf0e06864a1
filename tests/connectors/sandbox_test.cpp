// The sandbox: fakes of every app built from the manifests.
#include <catch2/catch.hpp>

#include "connectors/json_path.hpp"
#include "connectors/auth.hpp"
#include "connectors/placeholder_credentials.hpp"
#include "connectors/sandbox.hpp"
#include "harness.hpp"

using namespace famulor;
using namespace famulor::test;
using namespace famulor::connectors;

namespace {
Value J(std::string_view s) { return Value::parse(s).value(); }

// Routes the harness's calls into the sandbox in-process.
void use_sandbox(ConnectorHarness& h, Sandbox& sb) {
  h.services->sandbox_url = "http://sandbox.test";
  h.services->transport = [&h, &sb](HttpRequest req, ResponseHandler done) {
    {
      std::lock_guard lk(h.mu);
      h.sent.push_back(req);
    }
    std::string target = req.url.substr(std::string("http://sandbox.test").size());
    done(sb.handle(req.method, target, req.headers, req.body).response);
  };
}
}  // namespace

TEST_CASE("the sandbox answers an operation's sample response and records the request", "[connector]") {
  Sandbox sb(builtin_registry(), "http://sandbox.test");
  ConnectorHarness h;
  use_sandbox(h, sb);
  h.credential("hs", "hubspot", Value::object({{"access_token", "pat-na1-SANDBOXSECRET"}}));
  auto r = h.call("hubspot.create_contact", J(R"({"properties":{"email":"jane@example.com"}})"), "hs");
  REQUIRE(r.ok());
  CHECK(r->get_string("id") == "512");
  Value recorded = sb.requests();
  REQUIRE(recorded.size() == 1);
  const Value& rec = *recorded.at(0);
  CHECK(rec.get_string("app") == "hubspot");
  CHECK(rec.get_string("operation") == "create_contact");
  CHECK(rec.get_string("path") == "/hubspot/crm/v3/objects/contacts");
  CHECK(rec.find("body")->find("properties")->get_string("email") == "jane@example.com");
  CHECK(rec.dump().find("pat-na1-SANDBOXSECRET") == std::string::npos);
}

TEST_CASE("the sandbox checks method, path, credentials and required fields", "[connector]") {
  Sandbox sb(builtin_registry(), "http://sandbox.test");
  Headers auth{{"Authorization", "Bearer x"}, {"Content-Type", "application/json"}};
  CHECK(sb.handle("POST", "/hubspot/crm/v3/objects/contacts", auth, R"({"properties":{}})").response.status == 201);
  CHECK(sb.handle("POST", "/hubspot/crm/v3/objects/contacts", {}, R"({"properties":{}})").response.status == 401);
  auto missing = sb.handle("POST", "/hubspot/crm/v3/objects/contacts", auth, R"({"props":{}})");
  CHECK(missing.response.status == 400);
  CHECK(missing.response.body.find("missing field 'properties'") != std::string::npos);
  CHECK(sb.handle("PUT", "/hubspot/crm/v3/objects/contacts", auth, "{}").response.status == 405);
  CHECK(sb.handle("GET", "/hubspot/nothing/here", auth, "").response.status == 404);
  // Path templates match any id; form bodies are checked by key.
  CHECK(sb.handle("PATCH", "/hubspot/crm/v3/objects/deals/9001", auth, R"({"properties":{"dealstage":"x"}})").response.status == 200);
  Headers form{{"Authorization", "Bearer sk"}, {"Content-Type", "application/x-www-form-urlencoded"}};
  CHECK(sb.handle("POST", "/stripe/payment_links", form, "line_items[0][price]=p&line_items[0][quantity]=1").response.status == 200);
  CHECK(sb.handle("POST", "/stripe/payment_links", form, "metadata[a]=b").response.status == 400);
  // An api_key header app.
  CHECK(sb.handle("POST", "/anthropic/v1/messages", {{"x-api-key", "k"}},
                  R"({"model":"m","max_tokens":5,"messages":[]})").response.status == 200);
  CHECK(sb.handle("POST", "/anthropic/v1/messages", {}, R"({"model":"m","max_tokens":5,"messages":[]})").response.status == 401);
}

TEST_CASE("the sandbox fails on demand", "[connector]") {
  Sandbox sb(builtin_registry(), "http://sandbox.test");
  Headers auth{{"Authorization", "Bearer x"}};
  auto armed = sb.handle("POST", "/_sandbox/fail", {}, R"({"app":"slack","operation":"post_message","status":503,"delay_ms":250,"count":1})");
  CHECK(armed.response.status == 200);
  auto failed = sb.handle("POST", "/slack/chat.postMessage", auth, R"({"channel":"C1","text":"x"})");
  CHECK(failed.response.status == 503);
  CHECK(failed.delay_ms == 250);
  auto ok = sb.handle("POST", "/slack/chat.postMessage", auth, R"({"channel":"C1","text":"x"})");
  CHECK(ok.response.status == 200);
  CHECK(ok.delay_ms == 0);
  CHECK(sb.handle("GET", "/_sandbox/requests", {}, "").response.body.find("chat.postMessage") != std::string::npos);
  CHECK(sb.handle("DELETE", "/_sandbox/requests", {}, "").response.status == 200);
  CHECK(sb.requests().size() == 0);
}

TEST_CASE("multi-step operations run against the sandbox end to end", "[connector]") {
  Sandbox sb(builtin_registry(), "http://sandbox.test");
  ConnectorHarness h;
  use_sandbox(h, sb);
  h.credential("slack", "slack", Value::object({{"access_token", "xoxb-sandbox"}}));
  auto r = h.call("slack.upload_file", J(R"({"channel_id":"C1","filename":"s.txt","content":"summary"})"), "slack");
  INFO(r.status().message());
  REQUIRE(r.ok());
  Value recorded = sb.requests();
  REQUIRE(recorded.size() == 3);
  CHECK(recorded.at(0)->get_string("operation") == "upload_file/get_url");
  CHECK(recorded.at(1)->get_string("operation") == "upload_file/upload");
  CHECK(recorded.at(1)->get_string("path") == "/slack/upload/v1/CwABAAAAXAoAAZnKg");
  CHECK(recorded.at(2)->get_string("operation") == "upload_file/complete");
}

TEST_CASE("every operation's sample response is what its output path expects", "[connector]") {
  // A sample that the operation's own output extraction cannot read would make the
  // sandbox useless for that node.
  for (auto& m : builtin_registry().apps())
    for (auto& [name, op] : m->operations) {
      INFO(m->app << "." << name);
      if (!op.steps.empty() || op.output.path.empty() || op.output.optional) continue;
      const Value* v = find_path(op.sample_response, op.pagination.kind == Pagination::Kind::none ? op.output.path : op.pagination.items);
      CHECK(v != nullptr);
    }
}

TEST_CASE("operations sharing a path are told apart, wildcards serve only what no path does", "[connector]") {
  Sandbox sb(builtin_registry(), "http://sandbox.test");
  ConnectorHarness h;
  use_sandbox(h, sb);
  h.credential("oa", "openai", Value::object({{"api_key", "sk-x"}}));
  for (const char* op : {"sentiment", "lead_score", "call_summary"}) {
    INFO(op);
    auto r = h.call(std::string("openai.") + op, J(R"({"transcript":"User: hi"})"), "oa");
    REQUIRE(r.ok());
    CHECK(sb.requests().at(sb.requests().size() - 1)->get_string("operation") == op);
  }
  // A Slack message missing its text is refused by chat.postMessage, not taken by
  // the upload steps' wildcard route.
  Headers auth{{"Authorization", "Bearer x"}};
  auto r = sb.handle("POST", "/slack/chat.postMessage", auth, R"({"channel":"C1"})");
  CHECK(r.response.status == 400);
  CHECK(r.response.body.find("missing field 'text'") != std::string::npos);
  // Health checks are served too.
  CHECK(sb.handle("POST", "/slack/auth.test", auth, "").response.status == 200);
  CHECK(sb.requests().at(sb.requests().size() - 1)->get_string("operation") == "health");
}

TEST_CASE("placeholder credentials fit every app's first auth kind", "[connector]") {
  for (auto& m : builtin_registry().apps()) {
    INFO(m->app);
    Value fields = placeholder_credential(*m);
    auto a = choose_auth(*m, fields);
    REQUIRE(a.ok());
    if (*a == nullptr) continue;
    HttpRequest req;
    security::Redactor redactor;
    CHECK(apply_auth(*m, **a, fields, req, redactor).ok());
  }
}
