// OAuth 2.0: refresh ahead of expiry, once on a 401, rotation saved to the vault,
// concurrent refreshes collapsed into one token request.
#include <catch2/catch.hpp>

#include <chrono>
#include <condition_variable>
#include <mutex>

#include "harness.hpp"

using namespace famulor;
using namespace famulor::test;
using namespace famulor::connectors;

namespace {
Value J(std::string_view s) { return Value::parse(s).value(); }

std::int64_t now_s() {
  using namespace std::chrono;
  return duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
}

bool is_token_request(const HttpRequest& r) { return r.url == "https://oauth2.googleapis.com/token"; }

Value google_credential(std::int64_t expires_at) {
  return Value::object({{"access_token", "ya29.OLD-access"},
                        {"refresh_token", "1//refresh-ONE"},
                        {"client_id", "123.apps.googleusercontent.com"},
                        {"client_secret", "GOCSPX-client-secret"},
                        {"expires_at", expires_at}});
}

HttpResponse sheet_ok() { return json_response(200, R"({"range":"A1:B2","majorDimension":"ROWS","values":[]})"); }
}  // namespace

TEST_CASE("an access token about to expire is refreshed before the call, the rotated refresh token is saved",
          "[connector]") {
  ConnectorHarness h;
  h.credential("g", "google_sheets", google_credential(now_s() + 30));  // inside the 60 s skew
  h.answer = [](const HttpRequest& r) {
    if (is_token_request(r))
      return json_response(200, R"({"access_token":"ya29.NEW-access","expires_in":3599,"refresh_token":"1//refresh-TWO","token_type":"Bearer"})");
    return sheet_ok();
  };
  auto r = h.call("google_sheets.get_values", J(R"({"spreadsheet_id":"s1","range":"A1:B2"})"), "g");
  REQUIRE(r.ok());
  REQUIRE(h.sent.size() == 2);
  auto& tok = h.sent[0];
  CHECK(tok.method == "POST");
  CHECK(header(tok, "Content-Type") == "application/x-www-form-urlencoded");
  CHECK(form_body(tok) == std::vector<std::pair<std::string, std::string>>{
                              {"grant_type", "refresh_token"},
                              {"refresh_token", "1//refresh-ONE"},
                              {"client_id", "123.apps.googleusercontent.com"},
                              {"client_secret", "GOCSPX-client-secret"}});
  CHECK(header(h.sent[1], "Authorization") == "Bearer ya29.NEW-access");

  auto saved = h.vault.get("g");
  REQUIRE(saved.ok());
  CHECK(saved->connector == "google_sheets");
  CHECK(saved->fields.get_string("access_token") == "ya29.NEW-access");
  CHECK(saved->fields.get_string("refresh_token") == "1//refresh-TWO");
  CHECK(saved->fields.get_int("expires_at") >= now_s() + 3500);
  CHECK(saved->fields.get_string("client_secret") == "GOCSPX-client-secret");

  // Fresh now: the next call sends no token request.
  REQUIRE(h.call("google_sheets.get_values", J(R"({"spreadsheet_id":"s1","range":"A1:B2"})"), "g").ok());
  CHECK(h.sent.size() == 3);
  CHECK(h.services->oauth->refresh_count() == 1);
}

TEST_CASE("a 401 triggers one refresh and one retry", "[connector]") {
  ConnectorHarness h;
  h.credential("g", "google_sheets", google_credential(now_s() + 3000));
  int api_calls = 0;
  h.answer = [&](const HttpRequest& r) {
    if (is_token_request(r)) return json_response(200, R"({"access_token":"ya29.NEW-access","expires_in":3599})");
    ++api_calls;
    if (header(r, "Authorization") == "Bearer ya29.OLD-access")
      return json_response(401, R"({"error":{"code":401,"message":"Request had invalid authentication credentials.","status":"UNAUTHENTICATED"}})");
    return sheet_ok();
  };
  auto r = h.call("google_sheets.get_values", J(R"({"spreadsheet_id":"s1","range":"A1"})"), "g");
  REQUIRE(r.ok());
  CHECK(api_calls == 2);
  CHECK(h.services->oauth->refresh_count() == 1);
  CHECK(h.vault.get("g")->fields.get_string("refresh_token") == "1//refresh-ONE");  // not rotated: kept

  // A token the app keeps refusing is not refreshed in a loop.
  h.answer = [&](const HttpRequest& r) {
    if (is_token_request(r)) return json_response(200, R"({"access_token":"ya29.STILL-BAD","expires_in":3599})");
    return json_response(401, R"({"error":{"code":401,"message":"Request had invalid authentication credentials."}})");
  };
  std::size_t before = h.sent.size();
  auto bad = h.call("google_sheets.get_values", J(R"({"spreadsheet_id":"s1","range":"A1"})"), "g");
  CHECK(bad.status().code() == StatusCode::unauthenticated);
  CHECK(h.sent.size() - before == 3);  // call, refresh, retried call
}

TEST_CASE("a refused refresh token fails unauthenticated without leaking it", "[connector]") {
  ConnectorHarness h;
  h.credential("g", "google_sheets", google_credential(now_s() - 10));
  h.answer = [](const HttpRequest&) {
    return json_response(400, R"({"error":"invalid_grant","error_description":"Token has been expired or revoked."})");
  };
  auto r = h.call("google_sheets.get_values", J(R"({"spreadsheet_id":"s1","range":"A1"})"), "g");
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == StatusCode::unauthenticated);
  CHECK(r.status().message().find("refresh") != std::string::npos);
  CHECK(r.status().message().find("1//refresh-ONE") == std::string::npos);
  CHECK(r.status().message().find("GOCSPX-client-secret") == std::string::npos);
}

TEST_CASE("FAMULOR_<APP>_TOKEN_URL overrides the token endpoint", "[connector]") {
  ConnectorHarness h;
  h.credential("g", "google_sheets", google_credential(now_s() - 10));
  ::setenv("FAMULOR_GOOGLE_SHEETS_TOKEN_URL", "http://127.0.0.1:4011/token", 1);
  h.answer = [](const HttpRequest& r) {
    if (r.url == "http://127.0.0.1:4011/token") return json_response(200, R"({"access_token":"ya29.NEW","expires_in":60})");
    return sheet_ok();
  };
  auto r = h.call("google_sheets.get_values", J(R"({"spreadsheet_id":"s1","range":"A1"})"), "g");
  ::unsetenv("FAMULOR_GOOGLE_SHEETS_TOKEN_URL");
  REQUIRE(r.ok());
  CHECK(h.sent[0].url == "http://127.0.0.1:4011/token");
  CHECK_FALSE(h.sent[0].policy_applies);
}

TEST_CASE("concurrent refreshes of one credential collapse into one token request", "[connector]") {
  ConnectorHarness h;
  h.credential("g", "google_sheets", google_credential(now_s() - 10));
  // Token requests are held until released; API calls answer at once.
  std::mutex mu;
  std::vector<ResponseHandler> held;
  int token_requests = 0;
  h.services->transport = [&](HttpRequest req, ResponseHandler done) {
    if (is_token_request(req)) {
      std::lock_guard lk(mu);
      ++token_requests;
      held.push_back(std::move(done));
      return;
    }
    {
      std::lock_guard lk(h.mu);
      h.sent.push_back(req);
    }
    done(sheet_ok());
  };
  h.services->oauth = std::make_shared<OAuthRefresher>(&h.vault, h.services->transport);

  auto manifest = builtin_registry().manifest("google_sheets");
  auto op = CompiledOperation::compile(*manifest, manifest->operations.at("get_values")).value();
  constexpr int kCalls = 8;
  std::mutex rm;
  std::condition_variable cv;
  std::vector<Result<Value>> results;
  for (int i = 0; i < kCalls; ++i)
    run_connector_call(manifest, op, h.services, CallInput{J(R"({"spreadsheet_id":"s1","range":"A1"})"), "g", "k"},
                       [&](Result<Value> r) {
                         std::lock_guard lk(rm);
                         results.push_back(std::move(r));
                         cv.notify_all();
                       });
  {
    std::lock_guard lk(mu);
    CHECK(token_requests == 1);
    REQUIRE(held.size() == 1);
  }
  CHECK(results.empty());  // everyone waits for the one refresh
  ResponseHandler release;
  {
    std::lock_guard lk(mu);
    release = std::move(held.front());
  }
  release(json_response(200, R"({"access_token":"ya29.SHARED","expires_in":3599,"refresh_token":"1//refresh-TWO"})"));
  std::unique_lock lk(rm);
  cv.wait(lk, [&] { return results.size() == kCalls; });
  for (auto& r : results) CHECK(r.ok());
  CHECK(h.sent.size() == kCalls);
  for (auto& s : h.sent) CHECK(header(s, "Authorization") == "Bearer ya29.SHARED");
  CHECK(h.vault.get("g")->fields.get_string("refresh_token") == "1//refresh-TWO");
  CHECK(h.services->oauth->refresh_count() == 1);
}
