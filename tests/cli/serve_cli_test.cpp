// famulor serve and famulor tokens, run as a user runs them.
#include <catch2/catch.hpp>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <regex>

#include "cli/famulor_process.hpp"
#include "server/hook_signature.hpp"
#include "support/paths.hpp"
#include "support/raw_http_client.hpp"

using famulor::test::BackgroundFamulor;
using famulor::test::run_famulor;

namespace {

std::uint16_t port_of(const std::string& line) {
  return static_cast<std::uint16_t>(std::stoi(line.substr(line.rfind(':') + 1)));
}

std::optional<famulor::test::RawResponse> request(std::uint16_t port, const std::string& method, const std::string& target,
                                                  const std::string& extra_headers = "", const std::string& body = "") {
  return famulor::test::roundtrip(port, method + " " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" +
                                            extra_headers + "Content-Length: " + std::to_string(body.size()) +
                                            "\r\n\r\n" + body);
}

}  // namespace

TEST_CASE("famulor tokens create/list/revoke", "[cli][tokens]") {
  famulor::test::TempDir dir;
  std::string db = (dir / "f.db").string();
  auto made = run_famulor({"tokens", "create", "--role", "operator", "--name", "ci", "--db", db});
  REQUIRE(made.exit_code == 0);
  CHECK(std::regex_match(made.out, std::regex("fam_[0-9a-f]{48}\n")));  // the token alone on one line
  std::string token = made.out.substr(0, made.out.size() - 1);
  auto list = run_famulor({"tokens", "list", "--db", db});
  REQUIRE(list.exit_code == 0);
  CHECK(list.out.find("operator") != std::string::npos);
  CHECK(list.out.find("ci") != std::string::npos);
  CHECK(list.out.find(token) == std::string::npos);
  std::string id = list.out.substr(0, list.out.find(' '));
  CHECK(run_famulor({"tokens", "create", "--role", "root", "--db", db}).exit_code == 2);
  CHECK(run_famulor({"tokens", "revoke", "tok_nope", "--db", db}).exit_code == 1);
  CHECK(run_famulor({"tokens", "revoke", id, "--db", db}).exit_code == 0);
  CHECK(run_famulor({"tokens", "list", "--db", db}).out.empty());
}

TEST_CASE("famulor serve: listening line, health, tokens from another process, signed hooks, SIGTERM", "[cli][serve]") {
  famulor::test::TempDir dir;
  std::string db = (dir / "f.db").string();
  std::filesystem::create_directories(dir / "wf");
  std::ofstream(dir / "wf" / "echo.json")
      << R"({"id":"echo","trigger":{"type":"webhook","path":"echo","sync":true},
             "nodes":[{"id":"r","type":"respond","params":{"value":"{{ trigger.body.x }}"}}]})";
  std::ofstream(dir / "wf" / "broken.json") << "{\"id\": 1}";
  // One thread: the pool that serves HTTP also runs the hook's run, and the
  // handler holds it for the accept commit; that must still answer.
  BackgroundFamulor serve(
      {"serve", "--listen", "127.0.0.1:0", "--db", db, "--workflows", (dir / "wf").string(), "--threads", "1"},
      {{"FAMULOR_SECRET_HOOKS", "s1, s2"}});
  auto line = serve.first_line();
  REQUIRE(line);
  REQUIRE(std::regex_match(*line, std::regex("listening on http://127\\.0\\.0\\.1:[0-9]+")));
  std::uint16_t port = port_of(*line);
  CHECK(port != 0);

  auto health = request(port, "GET", "/v1/health");
  REQUIRE(health);
  CHECK(health->status == 200);
  CHECK(health->body.find("\"workflows\":1") != std::string::npos);  // broken.json skipped

  CHECK(request(port, "GET", "/v1/runs")->status == 401);
  auto made = run_famulor({"tokens", "create", "--role", "viewer", "--db", db});
  REQUIRE(made.exit_code == 0);
  std::string auth = "Authorization: Bearer " + made.out.substr(0, made.out.size() - 1) + "\r\n";
  CHECK(request(port, "GET", "/v1/runs", auth)->status == 200);
  CHECK(request(port, "POST", "/v1/runs/x/cancel", auth)->status == 403);

  std::string body = R"({"x":"hello"})";
  auto now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  std::string json = "Content-Type: application/json\r\n";
  CHECK(request(port, "POST", "/v1/hooks/echo", json, body)->status == 401);  // unsigned
  auto signed_ = request(port, "POST", "/v1/hooks/echo",
                         json + "Famulor-Signature: " + famulor::server::sign_hook("s2", now, body) + "\r\n", body);
  REQUIRE(signed_);
  CHECK(signed_->status == 200);
  CHECK(signed_->body == "\"hello\"");

  CHECK(serve.stop(SIGTERM) == 0);
  CHECK_FALSE(famulor::test::can_connect(port));
}

TEST_CASE("famulor serve --threads takes 1 to 1024", "[cli][serve]") {
  famulor::test::TempDir dir;
  for (const char* bad : {"0", "-1", "x", "1025"}) {
    auto r = run_famulor({"serve", "--listen", "127.0.0.1:0", "--db", (dir / "f.db").string(), "--threads", bad});
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("--threads must be a number from 1 to 1024, not '" + std::string(bad) + "'") != std::string::npos);
  }
}

TEST_CASE("famulor serve refuses a non-loopback address without hook secrets", "[cli][serve]") {
  famulor::test::TempDir dir;
  auto r = run_famulor({"serve", "--listen", "0.0.0.0:0", "--db", (dir / "f.db").string()},
                       {{"FAMULOR_SECRET_HOOKS", ""}});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("--insecure-webhooks") != std::string::npos);
}

TEST_CASE("famulor serve with metrics open: /metrics without a token and credentials PUT by API are seen by the CLI", "[cli][serve]") {
  famulor::test::TempDir dir;
  std::string db = (dir / "f.db").string();
  std::string key = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
  BackgroundFamulor serve({"serve", "--listen", "127.0.0.1:0", "--db", db, "--metrics-open"}, {{"FAMULOR_MASTER_KEY", key}});
  auto line = serve.first_line();
  REQUIRE(line);
  std::uint16_t port = port_of(*line);
  auto m = request(port, "GET", "/metrics");
  REQUIRE(m);
  CHECK(m->status == 200);
  CHECK(m->body.find("# TYPE famulor_runs_finished_total counter") != std::string::npos);

  auto made = run_famulor({"tokens", "create", "--role", "admin", "--db", db});
  REQUIRE(made.exit_code == 0);
  std::string auth = "Authorization: Bearer " + made.out.substr(0, made.out.size() - 1) + "\r\nContent-Type: application/json\r\n";
  auto put = request(port, "PUT", "/v1/credentials/tw", auth,
                     R"({"connector":"twilio","fields":{"account_sid":"AC123","auth_token":"tok-SECRET"}})");
  REQUIRE(put);
  CHECK(put->status == 201);
  auto list = run_famulor({"credentials", "list", "--db", db}, {{"FAMULOR_MASTER_KEY", key}});
  CHECK(list.exit_code == 0);
  CHECK(list.out.find("tw  twilio") != std::string::npos);
  CHECK(list.out.find("tok-SECRET") == std::string::npos);
  CHECK(serve.stop(SIGTERM) == 0);
}
