// famulor serve with the voice platforms' secrets from the environment, run as a
// user runs it.
#include <catch2/catch.hpp>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>

#include "cli/famulor_process.hpp"
#include "platforms/retell.hpp"
#include "platforms/twilio.hpp"
#include "support/paths.hpp"
#include "support/raw_http_client.hpp"

using famulor::test::BackgroundFamulor;
using famulor::test::run_famulor;

namespace {

std::uint16_t port_of(const std::string& line) {
  return static_cast<std::uint16_t>(std::stoi(line.substr(line.rfind(':') + 1)));
}

std::optional<famulor::test::RawResponse> post(std::uint16_t port, const std::string& target, const std::string& headers,
                                               const std::string& body) {
  return famulor::test::roundtrip(port, "POST " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" +
                                            headers + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" +
                                            body);
}

const famulor::test::Env kAllSecrets = {{"FAMULOR_SECRET_HOOKS", "h"},       {"FAMULOR_SECRET_VAPI", "v"},
                                        {"FAMULOR_SECRET_RETELL", "r1,r2"},  {"FAMULOR_SECRET_ELEVENLABS", "e"},
                                        {"FAMULOR_SECRET_FAMULOR", "f"},     {"FAMULOR_SECRET_TWILIO", "t"}};

}  // namespace

TEST_CASE("famulor serve reads FAMULOR_SECRET_<PLATFORM> and --public-url", "[cli][serve][voice]") {
  famulor::test::TempDir dir;
  std::filesystem::create_directories(dir / "wf");
  std::ofstream(dir / "wf" / "crm.json") << R"({"id":"crm","trigger":{"type":"call.ended"},
      "nodes":[{"id":"s","type":"set","params":{"fields":{"c":"{{ trigger.call_id }}"}}}]})";
  BackgroundFamulor serve({"serve", "--listen", "127.0.0.1:0", "--db", (dir / "f.db").string(), "--workflows",
                           (dir / "wf").string(), "--public-url", "https://voice.example.com"},
                          kAllSecrets);
  auto line = serve.first_line();
  REQUIRE(line);
  std::uint16_t port = port_of(*line);

  const std::string json = "Content-Type: application/json\r\n";
  const std::string body = R"({"event":"call_analyzed","call":{"call_id":"c-cli-1","from_number":"+12137771234"}})";
  CHECK(post(port, "/v1/voice/retell", json, body)->status == 401);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch());
  auto ok = post(port, "/v1/voice/retell",
                 json + "x-retell-signature: " + famulor::platforms::sign_retell("r2", ms.count(), body) + "\r\n", body);
  REQUIRE(ok);
  INFO(ok->body);
  CHECK(ok->status == 200);
  CHECK(ok->body.find("run_ids") != std::string::npos);

  const std::string form_body = "CallSid=CA1&CallStatus=completed&From=%2B14155550123&To=%2B14155550100";
  const std::string sig = famulor::platforms::sign_twilio(
      "t", "https://voice.example.com/v1/voice/twilio/status", famulor::http::parse_query(form_body));
  auto tw = post(port, "/v1/voice/twilio/status",
                 "Content-Type: application/x-www-form-urlencoded\r\nX-Twilio-Signature: " + sig + "\r\n", form_body);
  REQUIRE(tw);
  CHECK(tw->status == 200);
  CHECK(serve.stop(SIGTERM) == 0);
}

TEST_CASE("famulor serve on a non-loopback address names each missing platform secret", "[cli][serve][voice]") {
  famulor::test::TempDir dir;
  famulor::test::Env env = kAllSecrets;
  env["FAMULOR_SECRET_TWILIO"] = "";
  auto r = run_famulor({"serve", "--listen", "0.0.0.0:0", "--db", (dir / "f.db").string()}, env);
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("FAMULOR_SECRET_TWILIO") != std::string::npos);
  CHECK(r.err.find("FAMULOR_SECRET_VAPI") == std::string::npos);

  BackgroundFamulor serve({"serve", "--listen", "0.0.0.0:0", "--db", (dir / "g.db").string()}, kAllSecrets);
  auto line = serve.first_line();
  REQUIRE(line);
  CHECK(line->rfind("listening on http://0.0.0.0:", 0) == 0);
  CHECK(serve.stop(SIGTERM) == 0);
}
