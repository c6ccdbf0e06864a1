// Outbound voice apps over real HTTP: Famulor's own API (calls, leads, campaigns)
// and Twilio SMS, against loopback fakes that speak each API's shapes; and the
// built-in sandbox answering both offline.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdlib>

#include "common/io_pool.hpp"
#include "connectors/client_transport.hpp"
#include "connectors/sandbox.hpp"
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

// A harness whose transport is the engine's HTTP client.
struct Wire {
  detail::IoPool pool{2};
  std::unique_ptr<net::HttpClient> client;
  net::OutboundPolicy policy;
  ConnectorHarness h;
  Wire() {
    pool.start();
    client = std::make_unique<net::HttpClient>(pool);
    h.services->transport = make_client_transport(*client, &pool, &policy);
  }
  ~Wire() {
    client.reset();
    pool.stop();
  }
};

const char* kSid = "AC0123456789abcdef0123456789abcdef";
const char* kTwilioMessage = R"({"account_sid":"AC0123456789abcdef0123456789abcdef","api_version":"2010-04-01",
  "body":"Your booking: https://cal.example/b/42","date_created":"Fri, 27 Nov 2026 12:00:00 +0000","date_sent":null,
  "direction":"outbound-api","error_code":null,"error_message":null,"from":"+4930999999","messaging_service_sid":null,
  "num_media":"0","num_segments":"1","price":null,"price_unit":"USD","sid":"SM0123456789abcdef0123456789abcdef",
  "status":"queued","to":"+4915123456789",
  "uri":"/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Messages/SM0123456789abcdef0123456789abcdef.json"})";
}  // namespace

TEST_CASE("famulor.start_call posts the number and assistant and variables with the bearer token", "[connector][voice]") {
  FakeHttpServer api;
  api.on("POST", "/user/make_call", FakeResponse::json(200, R"({"status":true,"message":"Call initiated successfully","call_id":98765})"));
  EnvVar base("FAMULOR_FAMULOR_BASE_URL", api.url());
  Wire w;
  w.h.credential("fm", "famulor", Value::object({{"api_key", "fam-key-123456"}}));
  auto r = w.h.call("famulor.start_call",
                    J(R"({"phone_number":"+4930123456","assistant_id":77,"variables":{"customer_name":"Jane","slot":"Tue 10:00"}})"), "fm");
  INFO(r.status().message());
  REQUIRE(r.ok());
  CHECK(r->get_int("call_id") == 98765);
  auto reqs = api.requests();
  REQUIRE(reqs.size() == 1);
  CHECK(reqs[0].method == "POST");
  CHECK(reqs[0].target == "/user/make_call");
  CHECK(reqs[0].header("Authorization") == "Bearer fam-key-123456");
  CHECK(reqs[0].header("Content-Type") == "application/json");
  CHECK(Value::parse(reqs[0].body).value() ==
        J(R"({"phone_number":"+4930123456","assistant_id":77,"variables":{"customer_name":"Jane","slot":"Tue 10:00"}})"));
}

TEST_CASE("famulor leads and call list and campaign start/stop: exact requests and outputs", "[connector][voice]") {
  FakeHttpServer api;
  api.on("POST", "/user/lead", FakeResponse::json(200, R"({"message":"Lead created successfully","data":{"id":5,"campaign_id":42,"phone_number":"+4930123456","variables":{"customer_name":"Jane"},"status":"created"}})"));
  api.on("GET", "/user/calls", FakeResponse::json(200, R"({"data":[{"id":123456,"type":"outbound","duration":180,"status":"completed","client_phone_number":"+4930123456"}],"current_page":2,"total":16})"));
  api.on("POST", "/user/campaigns/update-status", [](const RecordedRequest& r) {
    auto b = Value::parse(r.body).value();
    bool start = b.get_string("action") == "start";
    return FakeResponse::json(200, std::string(R"({"message":"Campaign )") + (start ? "started" : "stopped") +
                                       R"( successfully.","success":true,"data":{"campaign_id":42,"status":")" +
                                       (start ? "in-progress" : "stopped") + R"("}})");
  });
  EnvVar base("FAMULOR_FAMULOR_BASE_URL", api.url());
  Wire w;
  w.h.credential("fm", "famulor", Value::object({{"api_key", "fam-key-123456"}}));

  auto lead = w.h.call("famulor.add_lead",
                       J(R"({"phone_number":"+4930123456","campaign_id":42,"variables":{"customer_name":"Jane"},"allow_duplicate":false})"), "fm");
  REQUIRE(lead.ok());
  CHECK(lead->get_int("id") == 5);  // output: the created lead
  auto calls = w.h.call("famulor.list_calls", J(R"({"page":2,"type":"outbound"})"), "fm");
  REQUIRE(calls.ok());
  REQUIRE(calls->is_array());
  CHECK(calls->at(0)->get_int("id") == 123456);
  auto started = w.h.call("famulor.start_campaign", J(R"({"campaign_id":42})"), "fm");
  REQUIRE(started.ok());
  CHECK(started->find("data")->get_string("status") == "in-progress");
  auto stopped = w.h.call("famulor.stop_campaign", J(R"({"campaign_id":42})"), "fm");
  REQUIRE(stopped.ok());
  CHECK(stopped->find("data")->get_string("status") == "stopped");

  auto reqs = api.requests();
  REQUIRE(reqs.size() == 4);
  CHECK(Value::parse(reqs[0].body).value() ==
        J(R"({"phone_number":"+4930123456","campaign_id":42,"variables":{"customer_name":"Jane"},"allow_dupplicate":false})"));
  CHECK(reqs[1].method == "GET");
  CHECK(reqs[1].path == "/user/calls");
  CHECK(reqs[1].query_param("page") == "2");
  CHECK(reqs[1].query_param("type") == "outbound");
  CHECK(reqs[1].body.empty());
  CHECK(Value::parse(reqs[2].body).value() == J(R"({"campaign_id":42,"action":"start"})"));
  CHECK(Value::parse(reqs[3].body).value() == J(R"({"campaign_id":42,"action":"stop"})"));
  for (auto& r : reqs) CHECK(r.header("Authorization") == "Bearer fam-key-123456");
}

TEST_CASE("famulor errors carry Famulor's message and 429 reports Retry-After", "[connector][voice]") {
  FakeHttpServer api;
  api.on("POST", "/user/make_call", FakeResponse::json(422, R"({"message":"The phone number field must be a valid E.164 number.","errors":{"phone_number":["invalid"]}})"))
      .then(FakeResponse::json(429, R"({"message":"Too Many Attempts."})").header("Retry-After", "12"));
  EnvVar base("FAMULOR_FAMULOR_BASE_URL", api.url());
  Wire w;
  w.h.credential("fm", "famulor", Value::object({{"api_key", "fam-key-123456"}}));
  auto bad = w.h.call("famulor.start_call", J(R"({"phone_number":"0301","assistant_id":77})"), "fm");
  CHECK(bad.status().code() == StatusCode::invalid_argument);
  CHECK_FALSE(bad.status().retryable());
  CHECK(bad.status().message().find("valid E.164 number") != std::string::npos);
  CHECK(bad.status().message().find("fam-key-123456") == std::string::npos);
  auto limited = w.h.call("famulor.start_call", J(R"({"phone_number":"+4930123456","assistant_id":77})"), "fm");
  CHECK(limited.status().code() == StatusCode::resource_exhausted);
  CHECK(limited.status().retryable());
  CHECK(w.h.last_info.retry_after == std::chrono::seconds(12));
  // A missing required param fails before anything is sent.
  auto missing = w.h.call("famulor.add_lead", J(R"({"phone_number":"+4930123456"})"), "fm");
  CHECK(missing.status().code() == StatusCode::invalid_argument);
  CHECK(api.requests().size() == 2);
}

TEST_CASE("twilio.send_sms: Account SID in the path and basic auth and form-encoded To/From/Body", "[connector][voice]") {
  FakeHttpServer api;
  api.on("POST", std::string("/2010-04-01/Accounts/") + kSid + "/Messages.json", FakeResponse::json(201, kTwilioMessage));
  EnvVar base("FAMULOR_TWILIO_BASE_URL", api.url());
  Wire w;
  w.h.credential("tw", "twilio", Value::object({{"account_sid", kSid}, {"auth_token", "twilio-secret-token"}}));
  auto r = w.h.call("twilio.send_sms", J(R"({"to":"+4915123456789","from":"+4930999999","body":"Your booking: https://cal.example/b/42"})"), "tw");
  INFO(r.status().message());
  REQUIRE(r.ok());
  CHECK(r->get_string("sid") == "SM0123456789abcdef0123456789abcdef");
  CHECK(r->get_string("status") == "queued");
  auto reqs = api.requests();
  REQUIRE(reqs.size() == 1);
  CHECK(reqs[0].method == "POST");
  CHECK(reqs[0].target == std::string("/2010-04-01/Accounts/") + kSid + "/Messages.json");
  // base64("AC0123...:twilio-secret-token")
  CHECK(reqs[0].header("Authorization") ==
        "Basic QUMwMTIzNDU2Nzg5YWJjZGVmMDEyMzQ1Njc4OWFiY2RlZjp0d2lsaW8tc2VjcmV0LXRva2Vu");
  CHECK(reqs[0].header("Content-Type") == "application/x-www-form-urlencoded");
  CHECK(reqs[0].body == "To=%2B4915123456789&From=%2B4930999999&Body=Your+booking%3A+https%3A%2F%2Fcal.example%2Fb%2F42");

  // With a Messaging Service instead of a number, and a status callback.
  auto mg = w.h.call("twilio.send_sms",
                     J(R"({"to":"+4915123456789","messaging_service_sid":"MG11","body":"Hi","status_callback":"https://x.example/s"})"), "tw");
  REQUIRE(mg.ok());
  CHECK(api.requests().back().body ==
        "To=%2B4915123456789&MessagingServiceSid=MG11&Body=Hi&StatusCallback=https%3A%2F%2Fx.example%2Fs");
}

TEST_CASE("twilio.get_message and Twilio's error body and Retry-After and a credential without the SID", "[connector][voice]") {
  FakeHttpServer api;
  std::string msg_path = std::string("/2010-04-01/Accounts/") + kSid + "/Messages/SM0123456789abcdef0123456789abcdef.json";
  api.on("GET", msg_path, FakeResponse::json(200, kTwilioMessage));
  api.on("POST", std::string("/2010-04-01/Accounts/") + kSid + "/Messages.json",
         FakeResponse::json(400, R"({"code":21211,"message":"The 'To' number +1555 is not a valid phone number.","more_info":"https://www.twilio.com/docs/errors/21211","status":400})"))
      .then(FakeResponse::json(429, R"({"code":20429,"message":"Too Many Requests","more_info":"https://www.twilio.com/docs/errors/20429","status":429})").header("Retry-After", "3"));
  EnvVar base("FAMULOR_TWILIO_BASE_URL", api.url());
  Wire w;
  w.h.credential("tw", "twilio", Value::object({{"account_sid", kSid}, {"auth_token", "twilio-secret-token"}}));
  auto got = w.h.call("twilio.get_message", J(R"({"sid":"SM0123456789abcdef0123456789abcdef"})"), "tw");
  REQUIRE(got.ok());
  CHECK(api.requests().back().method == "GET");
  CHECK(api.requests().back().target == msg_path);

  auto bad = w.h.call("twilio.send_sms", J(R"({"to":"+1555","from":"+4930999999","body":"x"})"), "tw");
  CHECK(bad.status().code() == StatusCode::invalid_argument);
  CHECK(bad.status().message().find("not a valid phone number") != std::string::npos);
  CHECK(bad.status().message().find("twilio-secret-token") == std::string::npos);
  auto limited = w.h.call("twilio.send_sms", J(R"({"to":"+4915123456789","from":"+4930999999","body":"x"})"), "tw");
  CHECK(limited.status().code() == StatusCode::resource_exhausted);
  CHECK(w.h.last_info.retry_after == std::chrono::seconds(3));

  std::size_t before = api.requests().size();
  w.h.credential("nosid", "twilio", Value::object({{"auth_token", "twilio-secret-token"}}));
  auto nosid = w.h.call("twilio.send_sms", J(R"({"to":"+4915123456789","from":"+4930999999","body":"x"})"), "nosid");
  CHECK_FALSE(nosid.ok());
  CHECK(api.requests().size() == before);  // nothing sent
}

TEST_CASE("the sandbox answers famulor and twilio offline in their own shapes", "[connector][voice]") {
  Sandbox sb(builtin_registry(), "http://sandbox.test");
  ConnectorHarness h;
  h.services->sandbox_url = "http://sandbox.test";
  h.services->transport = [&sb](HttpRequest req, ResponseHandler done) {
    std::string target = req.url.substr(std::string("http://sandbox.test").size());
    done(sb.handle(req.method, target, req.headers, req.body).response);
  };
  h.credential("fm", "famulor", Value::object({{"api_key", "fam-key"}}));
  h.credential("tw", "twilio", Value::object({{"account_sid", kSid}, {"auth_token", "tok"}}));

  auto call = h.call("famulor.start_call", J(R"({"phone_number":"+4930123456","assistant_id":77})"), "fm");
  REQUIRE(call.ok());
  CHECK(call->find("call_id") != nullptr);
  auto stop = h.call("famulor.stop_campaign", J(R"({"campaign_id":42})"), "fm");
  REQUIRE(stop.ok());
  CHECK(stop->find("data")->get_string("status") == "stopped");
  auto sms = h.call("twilio.send_sms", J(R"({"to":"+4915123456789","from":"+4930999999","body":"hi"})"), "tw");
  INFO(sms.status().message());
  REQUIRE(sms.ok());
  CHECK(sms->get_string("status") == "queued");
  CHECK(sms->get_string("sid").rfind("SM", 0) == 0);
  auto msg = h.call("twilio.get_message", J(R"({"sid":"SM1"})"), "tw");
  REQUIRE(msg.ok());
  CHECK(msg->get_string("status") == "delivered");

  Value rec = sb.requests();
  REQUIRE(rec.size() == 4);
  CHECK(rec.at(1)->get_string("operation") == "stop_campaign");  // told apart from start by the body's action
  CHECK(rec.at(2)->get_string("operation") == "send_sms");
  CHECK(rec.at(2)->get_string("path") == std::string("/twilio/2010-04-01/Accounts/") + kSid + "/Messages.json");
  CHECK(rec.at(3)->get_string("operation") == "get_message");
  // Without Basic credentials the sandbox refuses, like Twilio.
  auto r = sb.handle("POST", std::string("/twilio/2010-04-01/Accounts/") + kSid + "/Messages.json",
                     {{"Content-Type", "application/x-www-form-urlencoded"}}, "To=%2B1&Body=x");
  CHECK(r.response.status == 401);
}
