// Connector calls over real HTTP: the engine's async client against the loopback
// FakeHttpServer, base URLs pointed at it with FAMULOR_<APP>_BASE_URL (and the
// OAuth token endpoint with FAMULOR_<APP>_TOKEN_URL).
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdlib>

#include "common/io_pool.hpp"
#include "connectors/client_transport.hpp"
#include "harness.hpp"
#include "net/http_client.hpp"
#include "net/outbound_policy.hpp"
#include "support/fake_http_server.hpp"

using namespace famulor;
using namespace famulor::test;
using namespace famulor::connectors;

namespace {
Value J(std::string_view s) { return Value::parse(s).value(); }

struct EnvVar {
  EnvVar(const char* name, const std::string& value) : name_(name) { ::setenv(name, value.c_str(), 1); }
  ~EnvVar() { ::unsetenv(name_); }
  const char* name_;
};

// A harness whose transport is the real client.
struct Wire {
  detail::IoPool pool{2};
  std::unique_ptr<net::HttpClient> client;
  net::OutboundPolicy policy;  // refuses loopback unless allowed
  ConnectorHarness h;
  Wire() {
    pool.start();
    client = std::make_unique<net::HttpClient>(pool);
    h.services->transport = make_client_transport(*client, &pool, &policy);
    h.services->oauth = std::make_shared<OAuthRefresher>(&h.vault, h.services->transport);
  }
  ~Wire() {
    client.reset();
    pool.stop();
  }
};
}  // namespace

TEST_CASE("over the wire: HubSpot contact search, exact request and response shape", "[connector]") {
  FakeHttpServer api;
  api.on("POST", "/crm/v3/objects/contacts/search",
         FakeResponse::json(200, R"({"total":1,"results":[{"id":"512","properties":{"email":"jane@example.com","phone":"+4930123456"},"archived":false}]})"));
  EnvVar base("FAMULOR_HUBSPOT_BASE_URL", api.url());
  Wire w;
  w.h.credential("hs", "hubspot", Value::object({{"access_token", "pat-na1-wire"}}));
  auto r = w.h.call("hubspot.find_contact_by_email", J(R"({"email":"jane@example.com"})"), "hs");
  INFO(r.status().message());
  REQUIRE(r.ok());
  CHECK(r->at(0)->get_string("id") == "512");
  auto reqs = api.requests();
  REQUIRE(reqs.size() == 1);
  CHECK(reqs[0].method == "POST");
  CHECK(reqs[0].target == "/crm/v3/objects/contacts/search");
  CHECK(reqs[0].header("Authorization") == "Bearer pat-na1-wire");
  CHECK(reqs[0].header("Content-Type") == "application/json");
  CHECK(Value::parse(reqs[0].body).value() == J(R"({"filterGroups":[{"filters":[{"propertyName":"email","operator":"EQ","value":"jane@example.com"}]}],
    "properties":["email","firstname","lastname","phone","company","lifecyclestage"],"limit":10})"));
}

TEST_CASE("over the wire: Stripe form body and Idempotency-Key, errors surface Stripe's message", "[connector]") {
  FakeHttpServer api;
  api.on("POST", "/customers", FakeResponse::json(200, R"({"id":"cus_wire","object":"customer"})"))
      .fail_first(1, FakeResponse::json(400, R"({"error":{"message":"Invalid email address: nope","param":"email","type":"invalid_request_error"}})"));
  EnvVar base("FAMULOR_STRIPE_BASE_URL", api.url());
  Wire w;
  w.h.credential("st", "stripe", Value::object({{"api_key", "sk_test_wire123"}}));
  auto bad = w.h.call("stripe.create_customer", J(R"({"email":"nope"})"), "st", "run-7:stripe");
  CHECK(bad.status().code() == StatusCode::invalid_argument);
  CHECK(bad.status().message().find("Invalid email address: nope") != std::string::npos);
  auto ok = w.h.call("stripe.create_customer", J(R"({"email":"jane@example.com","metadata":{"call_id":"c 1"}})"), "st", "run-7:stripe");
  REQUIRE(ok.ok());
  CHECK(ok->get_string("id") == "cus_wire");
  auto reqs = api.requests();
  REQUIRE(reqs.size() == 2);
  CHECK(reqs[1].header("Idempotency-Key") == "run-7:stripe");
  CHECK(reqs[0].header("Idempotency-Key") == "run-7:stripe");  // the same key on the repeat
  CHECK(reqs[1].header("Content-Type") == "application/x-www-form-urlencoded");
  CHECK(reqs[1].header("Authorization") == "Bearer sk_test_wire123");
  CHECK(reqs[1].body == "email=jane%40example.com&metadata[call_id]=c+1");
}

TEST_CASE("over the wire: OAuth refresh against a fake token endpoint", "[connector]") {
  FakeHttpServer api;
  FakeHttpServer accounts;
  accounts.on("POST", "/token", FakeResponse::json(200, R"({"access_token":"ya29.wire-new","expires_in":3599,"refresh_token":"1//wire-rotated","token_type":"Bearer"})"));
  api.on("GET", "/spreadsheets/s1/values/A1", [](const RecordedRequest& r) {
    if (r.header("Authorization") != "Bearer ya29.wire-new")
      return FakeResponse::json(401, R"({"error":{"code":401,"message":"Request had invalid authentication credentials.","status":"UNAUTHENTICATED"}})");
    return FakeResponse::json(200, R"({"range":"Sheet1!A1","majorDimension":"ROWS","values":[["42"]]})");
  });
  EnvVar base("FAMULOR_GOOGLE_SHEETS_BASE_URL", api.url());
  EnvVar token("FAMULOR_GOOGLE_SHEETS_TOKEN_URL", accounts.url() + "/token");
  Wire w;
  w.h.credential("g", "google_sheets",
                 Value::object({{"access_token", "ya29.wire-old"}, {"refresh_token", "1//wire-first"},
                                {"client_id", "cid.apps.googleusercontent.com"}, {"client_secret", "GOCSPX-wire"}}));
  auto r = w.h.call("google_sheets.get_values", J(R"({"spreadsheet_id":"s1","range":"A1"})"), "g");
  INFO(r.status().message());
  REQUIRE(r.ok());
  CHECK(r->find("values")->at(0)->at(0)->as_string() == "42");
  auto tok = accounts.requests();
  REQUIRE(tok.size() == 1);
  CHECK(tok[0].header("Content-Type") == "application/x-www-form-urlencoded");
  CHECK(tok[0].body == "grant_type=refresh_token&refresh_token=1%2F%2Fwire-first&client_id=cid.apps.googleusercontent.com&client_secret=GOCSPX-wire");
  CHECK(api.requests().size() == 2);  // 401, then the retry with the new token
  CHECK(w.h.vault.get("g")->fields.get_string("refresh_token") == "1//wire-rotated");
}

TEST_CASE("over the wire: a credential's host is checked by the outbound policy", "[connector]") {
  FakeHttpServer api;
  api.on("*", "/*", FakeResponse::json(200, R"({"ticket":{"id":1}})"));
  Wire w;
  // The Teams webhook URL comes from the credential: loopback is refused.
  w.h.credential("hook", "microsoft_teams", Value::object({{"webhook_url", api.url() + "/webhookb2/x"}}));
  auto t = w.h.call("microsoft_teams.post_webhook_card", J(R"({"title":"t","text":"x"})"), "hook");
  CHECK(t.status().code() == StatusCode::permission_denied);
  CHECK(api.request_count() == 0);
}
