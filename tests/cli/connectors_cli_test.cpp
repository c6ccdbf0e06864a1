// `famulor connectors`, `famulor sandbox`, `famulor run --sandbox / --dry-run`,
// running the built binary.
#include <catch2/catch.hpp>

#include <signal.h>

#include <filesystem>
#include <fstream>

#include "cli/famulor_process.hpp"
#include "famulor/value.hpp"
#include "support/paths.hpp"
#include "support/raw_http_client.hpp"

using namespace famulor;
using namespace famulor::test;

namespace {

std::string example(const std::string& rel) { return (source_dir() / "examples" / rel).string(); }

std::uint16_t port_of(const std::string& url) { return static_cast<std::uint16_t>(std::stoi(url.substr(url.rfind(':') + 1))); }

std::string request(const std::string& method, const std::string& path, const std::string& body,
                    const std::string& extra_headers = "") {
  return method + " " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\n" +
         extra_headers + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

}  // namespace

TEST_CASE("famulor connectors list --json describes every app, show names one", "[cli][connector]") {
  auto r = run_famulor({"connectors", "list", "--json"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  auto doc = Value::parse(r.out);
  REQUIRE(doc.ok());
  const Value& all = *doc->find("connectors");
  REQUIRE(all.size() >= 11);
  bool slack = false;
  for (std::size_t i = 0; i < all.size(); ++i) {
    const Value& app = *all.at(i);
    CHECK(!app.get_string("base_url").empty());
    CHECK(app.find("auth")->size() > 0);
    if (app.get_string("app") != "slack") continue;
    slack = true;
    std::string ops = app.find("operations")->dump();
    CHECK(ops.find("slack.post_message") != std::string::npos);
  }
  CHECK(slack);

  auto text = run_famulor({"connectors", "list"});
  CHECK(text.exit_code == 0);
  CHECK(text.out.find("hubspot") != std::string::npos);
  auto show = run_famulor({"connectors", "show", "hubspot"});
  CHECK(show.exit_code == 0);
  CHECK(show.out.find("hubspot.create_contact  POST /crm/v3/objects/contacts") != std::string::npos);
  auto missing = run_famulor({"connectors", "show", "nope"});
  CHECK(missing.exit_code == 1);
  CHECK(missing.err.find("no connector 'nope'") != std::string::npos);
  CHECK(run_famulor({"connectors"}).exit_code == 2);
}

TEST_CASE("famulor run --sandbox runs the CRM example offline", "[cli][connector]") {
  // Base URLs in the environment that lead nowhere: --sandbox must win over them.
  auto r = run_famulor({"run", example("workflows/post_call_crm.json"), "--event", example("events/call_ended.json"), "--sandbox"},
                       {{"FAMULOR_OPENAI_BASE_URL", "http://192.0.2.1:9"}, {"FAMULOR_SLACK_BASE_URL", "http://192.0.2.1:9"}});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  auto run = Value::parse(r.out);
  REQUIRE(run.ok());
  CHECK(run->get_string("status") == "succeeded");
  const Value& nodes = *run->find("nodes");
  for (const char* id : {"summary", "sentiment", "score", "contact", "note", "alert"})
    CHECK(nodes.find(id)->get_string("status") == "succeeded");
  CHECK(nodes.find("score")->find("output")->get_int("score") == 78);
  // What the sandbox received is reported on stderr.
  CHECK(r.err.find("received 6 request(s)") != std::string::npos);
  CHECK(r.err.find("POST /slack/chat.postMessage") != std::string::npos);
}

TEST_CASE("famulor run --dry-run prints every request and no secret", "[cli][connector]") {
  TempDir dir;
  std::string db = (dir / "famulor.db").string();
  Env env{{"FAMULOR_MASTER_KEY", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="},
          {"CRM_ACCESS_TOKEN", "pat-eu1-DRYRUN-ENV-SECRET"}};
  REQUIRE(run_famulor({"credentials", "set", "openai", "--connector", "openai", "--field", "api_key=sk-proj-DRYRUN-SECRET", "--db", db}, env).exit_code == 0);
  REQUIRE(run_famulor({"credentials", "set", "hubspot", "--connector", "hubspot", "--from-env", "CRM_", "--db", db}, env).exit_code == 0);
  REQUIRE(run_famulor({"credentials", "set", "slack", "--connector", "slack", "--field", "access_token=xoxb-DRYRUN-SECRET", "--db", db}, env).exit_code == 0);

  auto r = run_famulor({"run", example("workflows/post_call_crm.json"), "--event", example("events/call_ended.json"), "--dry-run", "--db", db}, env);
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  for (const char* secret : {"sk-proj-DRYRUN-SECRET", "pat-eu1-DRYRUN-ENV-SECRET", "xoxb-DRYRUN-SECRET"}) {
    CHECK(r.out.find(secret) == std::string::npos);
    CHECK(r.err.find(secret) == std::string::npos);
  }
  auto run = Value::parse(r.out);
  REQUIRE(run.ok());
  const Value& nodes = *run->find("nodes");
  const Value& alert = *nodes.find("alert")->find("output");
  CHECK(alert.get_bool("dry_run"));
  const Value& req = *alert.find("request");
  CHECK(req.get_string("method") == "POST");
  CHECK(req.get_string("url") == "https://slack.com/api/chat.postMessage");
  CHECK(req.find("headers")->get_string("Authorization") == "[REDACTED]");
  CHECK(req.find("body")->get_string("channel") == "#sales");
  const Value& contact = *nodes.find("contact")->find("output")->find("request");
  CHECK(contact.get_string("url") == "https://api.hubapi.com/crm/v3/objects/contacts/batch/upsert");
  CHECK(contact.find("body")->dump().find("+49301234567") != std::string::npos);
  // The database holds no secret in clear.
  std::string bytes = read_file(db);
  CHECK(bytes.find("DRYRUN") == std::string::npos);
}

TEST_CASE("famulor sandbox serves the fakes, records requests, fails on demand and stops on SIGTERM", "[cli][connector]") {
  BackgroundFamulor sandbox({"sandbox", "--listen", "127.0.0.1:0"});
  auto line = sandbox.first_line();
  REQUIRE(line);
  REQUIRE(line->rfind("listening on http://127.0.0.1:", 0) == 0);
  std::uint16_t port = port_of(*line);
  REQUIRE(port != 0);

  auto ok = roundtrip(port, request("POST", "/slack/chat.postMessage", R"({"channel":"C1","text":"hi"})",
                                    "Authorization: Bearer xoxb-placeholder\r\n"));
  REQUIRE(ok);
  CHECK(ok->status == 200);
  CHECK(ok->body.find("\"ok\":true") != std::string::npos);
  auto missing = roundtrip(port, request("POST", "/slack/chat.postMessage", R"({"channel":"C1"})",
                                         "Authorization: Bearer xoxb-placeholder\r\n"));
  REQUIRE(missing);
  CHECK(missing->status == 400);
  CHECK(missing->body.find("missing field 'text'") != std::string::npos);

  auto recorded = roundtrip(port, request("GET", "/_sandbox/requests", ""));
  REQUIRE(recorded);
  auto list = Value::parse(recorded->body);
  REQUIRE(list.ok());
  REQUIRE(list->size() == 2);
  CHECK(list->at(0)->get_string("operation") == "post_message");
  CHECK(list->at(0)->find("body")->get_string("text") == "hi");
  CHECK(recorded->body.find("xoxb-placeholder") == std::string::npos);  // credentials are redacted

  auto armed = roundtrip(port, request("POST", "/_sandbox/fail", R"({"app":"slack","status":503,"delay_ms":50})"));
  REQUIRE(armed);
  CHECK(armed->status == 200);
  auto failed = roundtrip(port, request("POST", "/slack/chat.postMessage", R"({"channel":"C1","text":"hi"})",
                                        "Authorization: Bearer x\r\n"));
  REQUIRE(failed);
  CHECK(failed->status == 503);

  CHECK(sandbox.stop(SIGTERM) == 0);
}

TEST_CASE("famulor sandbox refuses a bad --listen", "[cli][connector]") {
  auto r = run_famulor({"sandbox", "--listen", "127.0.0.1:99999"});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("not a port number") != std::string::npos);
}

TEST_CASE("famulor run --connectors adds an app, a missing directory is reported first", "[cli][connector]") {
  TempDir dir;
  std::ofstream(dir / "acme.json") << R"({"app": "acme", "title": "Acme", "category": "crm", "description": "d",
    "base_url": "https://api.acme.example", "auth": [{"kind": "bearer"}],
    "operations": {"ping": {"description": "Ping", "method": "POST", "path": "/ping",
      "params": [{"name": "who", "type": "string", "required": true}], "body": {"who": "{{ params.who }}"},
      "sample_response": {"pong": true}}}})";
  std::ofstream(dir / "wf.json") << R"({"id": "a", "trigger": {"type": "manual"}, "nodes": [
    {"id": "p", "type": "acme.ping", "credential": "c", "params": {"who": "me"}}]})";
  std::string manifests = (dir / "m").string();
  std::filesystem::create_directory(manifests);
  std::filesystem::rename(dir / "acme.json", dir / "m" / "acme.json");
  std::string wf = (dir / "wf.json").string();

  auto sandboxed = run_famulor({"run", wf, "--connectors", manifests, "--sandbox"});
  INFO(sandboxed.out << sandboxed.err);
  REQUIRE(sandboxed.exit_code == 0);
  CHECK(sandboxed.err.find("POST /acme/ping") != std::string::npos);
  auto listed = run_famulor({"connectors", "list", "--connectors", manifests});
  CHECK(listed.out.find("acme") != std::string::npos);
  auto missing = run_famulor({"run", wf, "--connectors", (dir / "nope").string()});
  CHECK(missing.exit_code == 1);
  CHECK(missing.err.find("does not exist") != std::string::npos);
  CHECK(run_famulor({"run", wf}).err.find("unknown type 'acme.ping'") != std::string::npos);
}
