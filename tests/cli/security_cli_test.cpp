// The security commands as a user runs them: credentials limited to workflows,
// `famulor audit`, and `famulor privacy erase` on a real database file.
#include <catch2/catch.hpp>

#include <fstream>
#include <iterator>

#include "cli/famulor_process.hpp"
#include "famulor/value.hpp"
#include "support/paths.hpp"

using namespace famulor;
using namespace famulor::test;

namespace {

const char* kKey = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

std::string bytes_of(const std::string& db) {
  std::string all;
  for (const char* suffix : {"", "-wal"}) {
    std::ifstream in(db + suffix, std::ios::binary);
    if (in) all.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  return all;
}

Value audit(const std::string& db, std::vector<std::string> extra = {}) {
  std::vector<std::string> args{"audit", "--json", "--db", db};
  args.insert(args.end(), extra.begin(), extra.end());
  auto r = run_famulor(args);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  return *Value::parse(r.out).value().find("entries");
}

}  // namespace

TEST_CASE("famulor credentials set --workflows limits who may use a credential", "[cli][security]") {
  TempDir dir;
  std::string db = (dir / "famulor.db").string();
  Env env{{"FAMULOR_MASTER_KEY", kKey}};
  auto set = run_famulor({"credentials", "set", "slack", "--connector", "slack", "--field", "access_token=xoxb-CLI",
                          "--workflows", "notify, escalate", "--db", db},
                         env);
  INFO(set.err);
  REQUIRE(set.exit_code == 0);
  CHECK(set.out.find("workflows: notify, escalate") != std::string::npos);
  auto list = run_famulor({"credentials", "list", "--json", "--db", db}, env);
  REQUIRE(list.exit_code == 0);
  CHECK(list.out.find("\"escalate\"") != std::string::npos);
  CHECK(run_famulor({"credentials", "set", "x", "--connector", "slack", "--field", "access_token=a", "--workflows",
                     " , ", "--db", db},
                    env)
            .exit_code == 2);

  std::ofstream(dir / "intruder.json") << R"({"id": "intruder", "trigger": {"type": "manual"},
    "nodes": [{"id": "post", "type": "slack.post_message", "credential": "slack",
               "params": {"channel": "#x", "text": "hi"}}]})";
  auto run = run_famulor({"run", (dir / "intruder.json").string(), "--db", db}, env);
  INFO(run.out << run.err);
  CHECK(run.exit_code == 1);
  CHECK(run.out.find("credential 'slack' may only be used by workflows notify, escalate, not by 'intruder'") !=
        std::string::npos);

  auto entries = audit(db);
  bool logged = false;
  for (const auto& e : entries.as_array())
    logged = logged || (e.get_string("action") == "credential.set" && e.get_string("target") == "slack" &&
                        e.get_string("actor") == "cli" && e.get_string("outcome") == "ok");
  CHECK(logged);
  // The refused call is logged as a connector call with its outcome, and no secret.
  CHECK(entries.dump().find("xoxb-CLI") == std::string::npos);
  auto calls = audit(db, {"--action", "connector", "--workflow", "intruder"});
  REQUIRE(calls.size() == 1);
  CHECK(calls.as_array()[0].get_string("outcome") == "permission_denied");
  CHECK(calls.as_array()[0].get_string("target") == "slack.post_message");
}

TEST_CASE("famulor audit filters and refuses bad options", "[cli][security]") {
  TempDir dir;
  std::string db = (dir / "famulor.db").string();
  REQUIRE(run_famulor({"tokens", "create", "--role", "operator", "--name", "ci", "--db", db}).exit_code == 0);
  auto t = run_famulor({"tokens", "create", "--role", "admin", "--name", "ops", "--db", db});
  REQUIRE(t.exit_code == 0);
  CHECK(audit(db, {"--action", "token"}).size() == 2);
  CHECK(audit(db, {"--action", "token", "--limit", "1"}).size() == 1);
  CHECK(audit(db, {"--since", "1h"}).size() == 2);
  CHECK(audit(db, {"--since", "2999-01-01"}).size() == 0);
  auto text = run_famulor({"audit", "--db", db});
  REQUIRE(text.exit_code == 0);
  CHECK(text.out.find("cli  token.create") != std::string::npos);
  CHECK(text.out.find("fam_") == std::string::npos);  // the token itself is never logged
  CHECK(run_famulor({"audit", "--since", "yesterday", "--db", db}).exit_code == 2);
  CHECK(run_famulor({"audit", "--limit", "0", "--db", db}).exit_code == 2);
  CHECK(run_famulor({"audit", "--db", (dir / "missing.db").string()}).exit_code == 1);
}

TEST_CASE("famulor privacy erase removes a caller's number from the database file", "[cli][security][privacy]") {
  TempDir dir;
  std::string db = (dir / "famulor.db").string();
  std::ofstream(dir / "wf.json") << R"({"id": "log_call", "trigger": {"type": "manual"},
    "nodes": [{"id": "note", "type": "set", "params": {"fields": {"line": "Caller {{ trigger.from }} asked for a callback"}}}]})";
  std::ofstream(dir / "jane.json") << R"({"from": "+49 30 123456789", "email": "Jane@Example.com"})";
  std::ofstream(dir / "other.json") << R"({"from": "+4940999888777"})";
  auto jane = run_famulor({"run", (dir / "wf.json").string(), "--event", (dir / "jane.json").string(), "--db", db});
  INFO(jane.err);
  REQUIRE(jane.exit_code == 0);
  std::string jane_id = Value::parse(jane.out).value().get_string("id");
  REQUIRE(run_famulor({"run", (dir / "wf.json").string(), "--event", (dir / "other.json").string(), "--db", db})
              .exit_code == 0);
  REQUIRE(bytes_of(db).find("123456789") != std::string::npos);

  auto dry = run_famulor({"privacy", "erase", "--phone", "+4930123456789", "--dry-run", "--json", "--db", db});
  INFO(dry.err);
  REQUIRE(dry.exit_code == 0);
  auto report = Value::parse(dry.out).value();
  CHECK(report["dry_run"].as_bool());
  REQUIRE(report["runs"].size() == 1);
  CHECK(report["runs"].as_array()[0].as_string() == jane_id);
  CHECK(report["nodes"].size() == 1);
  CHECK(report["replacements"].as_int() == 2);
  CHECK(bytes_of(db).find("123456789") != std::string::npos);  // nothing changed yet

  auto done = run_famulor({"privacy", "erase", "--phone", "+4930123456789", "--db", db});
  INFO(done.err);
  REQUIRE(done.exit_code == 0);
  CHECK(done.out.find("erased 2 occurrence(s) in 1 run(s) and 1 node record(s)") != std::string::npos);
  std::string bytes = bytes_of(db);
  CHECK(bytes.find("123456789") == std::string::npos);
  CHECK(bytes.find("+4940999888777") != std::string::npos);

  auto shown = run_famulor({"runs", "show", jane_id, "--db", db});
  REQUIRE(shown.exit_code == 0);
  CHECK(shown.out.find("Caller [erased] asked for a callback") != std::string::npos);

  REQUIRE(run_famulor({"privacy", "erase", "--email", "jane@example.COM", "--db", db}).exit_code == 0);
  CHECK(bytes_of(db).find("Example.com") == std::string::npos);

  bool logged = false;
  Value erased = audit(db, {"--action", "privacy"});
  for (const auto& e : erased.as_array())
    logged = logged || e.get_string("target") == "phone";
  CHECK(logged);

  CHECK(run_famulor({"privacy", "erase", "--phone", "030 123456789", "--db", db}).exit_code == 2);
  CHECK(run_famulor({"privacy", "erase", "--db", db}).exit_code == 2);
  CHECK(run_famulor({"privacy", "erase", "--phone", "+4930123456789", "--email", "a@b.c", "--db", db}).exit_code == 2);
}
