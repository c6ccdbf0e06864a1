// `famulor run --db` and `famulor runs list|show|retry|cancel`, run as a user runs
// them: the built binary against a real SQLite file, checking exit codes, stdout
// and stderr.
#include <catch2/catch.hpp>

#include <fstream>
#include <thread>

#include <famulor/engine.hpp>

#include "cli/famulor_process.hpp"
#include "support/eventually.hpp"
#include "support/paths.hpp"

using namespace famulor;
using CliResult = famulor::test::ProcessResult;
using famulor::test::run_famulor;

namespace {

// v1 fails at node b; v2 (same id) succeeds. A failure starts `alert`.
constexpr const char* kV1 = R"({"id": "flaky", "trigger": {"type": "manual"},
  "settings": {"error_workflow": "alert"},
  "nodes": [{"id": "a", "type": "set", "params": {"fields": {"x": 1}}},
            {"id": "b", "type": "fail", "after": "a", "params": {"message": "boom"}}]})";
constexpr const char* kAlert = R"({"id": "alert", "trigger": {"type": "workflow.failed"},
  "nodes": [{"id": "got", "type": "respond", "params": {"value": "{{ trigger.run_id }}"}}]})";
constexpr const char* kV2 = R"({"id": "flaky", "trigger": {"type": "manual"},
  "nodes": [{"id": "a", "type": "set", "params": {"fields": {"x": 1}}},
            {"id": "b", "type": "set", "after": "a", "params": {"fields": {"fixed": true}}}]})";

void write(const std::filesystem::path& p, const std::string& text) {
  std::ofstream(p) << text;
}

Value json_of(const CliResult& r) {
  auto v = Value::parse(r.out);
  INFO("stdout: " << r.out << "\nstderr: " << r.err);
  REQUIRE(v.ok());
  return std::move(v.value());
}

}  // namespace

TEST_CASE("famulor run --db records the run and runs list, show and retry operate on it", "[cli][ops]") {
  test::TempDir dir;
  const std::string db = (dir / "famulor.db").string();
  write(dir / "v1.json", kV1);
  write(dir / "v2.json", kV2);
  write(dir / "alert.json", kAlert);
  // Stores `alert` (this manual run of it answers null: there is no failed run).
  REQUIRE(run_famulor({"run", (dir / "alert.json").string(), "--db", db}).exit_code == 0);

  CliResult ran = run_famulor({"run", (dir / "v1.json").string(), "--db", db});
  CHECK(ran.exit_code == 1);
  Value first = json_of(ran);
  const std::string id = first.get_string("id");
  REQUIRE_FALSE(id.empty());
  CHECK(first.get_string("status") == "failed");

  SECTION("list: a table, or JSON with filters") {
    CliResult table = run_famulor({"runs", "list", "--db", db});
    CHECK(table.exit_code == 0);
    CHECK(table.out.rfind("ID", 0) == 0);
    for (const char* column : {"WORKFLOW", "VERSION", "STATUS", "STARTED", "DURATION", "ERROR"})
      CHECK(table.out.find(column) != std::string::npos);
    CHECK(table.out.find(id) != std::string::npos);
    CHECK(table.out.find("failed") != std::string::npos);
    CHECK(table.out.find("node 'b' failed: boom") != std::string::npos);

    Value listed = json_of(run_famulor({"runs", "list", "--db", db, "--json", "--workflow", "flaky", "--status", "failed"}));
    REQUIRE(listed.find("runs")->as_array().size() == 1);
    CHECK(listed.find("runs")->as_array()[0].get_string("id") == id);
    CHECK(listed.find("next")->is_null());
    Value none = json_of(run_famulor({"runs", "list", "--db", db, "--json", "--workflow", "flaky", "--status", "succeeded"}));
    CHECK(none.find("runs")->as_array().empty());
    Value other = json_of(run_famulor({"runs", "list", "--db", db, "--json", "--workflow", "other"}));
    CHECK(other.find("runs")->as_array().empty());
  }
  SECTION("show: every node's input, output, error and timings") {
    CliResult shown = run_famulor({"runs", "show", id, "--db", db});
    CHECK(shown.exit_code == 0);
    Value run = json_of(shown);
    CHECK(run.get_string("status") == "failed");
    const Value* a = run.find("nodes")->find("a");
    const Value* b = run.find("nodes")->find("b");
    REQUIRE(a);
    REQUIRE(b);
    CHECK(a->find("output")->get_int("x") == 1);
    CHECK(a->find("input") != nullptr);
    CHECK_FALSE(a->get_string("started_at").empty());
    CHECK(a->find("duration_ms") != nullptr);
    CHECK(b->get_string("status") == "failed");
    CHECK(b->find("error")->get_string("message") == "boom");

    CliResult unknown = run_famulor({"runs", "show", "01NOSUCHRUN", "--db", db});
    CHECK(unknown.exit_code == 1);
    CHECK(unknown.err.find("no run '01NOSUCHRUN'") != std::string::npos);
  }
  SECTION("retry: the version it ran, or --current; earlier nodes keep their checkpoints") {
    CliResult same = run_famulor({"runs", "retry", id, "--db", db});
    CHECK(same.exit_code == 1);  // v1 fails again
    Value again = json_of(same);
    CHECK(again.get_string("id") == id);
    CHECK(again.get_int("workflow_version") == 1);
    // Each failure started the error workflow, loaded from the store by the CLI process.
    Value alerts = json_of(run_famulor({"runs", "list", "--db", db, "--json", "--workflow", "alert", "--status", "succeeded"}));
    int for_this_run = 0;
    for (const auto& a : alerts.find("runs")->as_array())
      for_this_run += a.find("response") && a.find("response")->is_string() && a.find("response")->as_string() == id;
    CHECK(for_this_run == 2);

    CliResult bad_node = run_famulor({"runs", "retry", id, "--from-node", "zz", "--db", db});
    CHECK(bad_node.exit_code == 1);
    CHECK(bad_node.err.find("node 'zz' is not in workflow 'flaky' v1") != std::string::npos);

    REQUIRE(run_famulor({"run", (dir / "v2.json").string(), "--db", db}).exit_code == 0);  // stores v2
    CliResult fixed = run_famulor({"runs", "retry", id, "--current", "--db", db});
    CHECK(fixed.exit_code == 0);
    Value done = json_of(fixed);
    CHECK(done.get_string("id") == id);
    CHECK(done.get_string("status") == "succeeded");
    CHECK(done.get_int("workflow_version") == 2);
    const Value* a = done.find("nodes")->find("a");
    CHECK(a->get_string("started_at") == first.find("nodes")->find("a")->get_string("started_at"));  // not run again
    CHECK(done.find("nodes")->find("b")->find("output")->get_bool("fixed"));

    CliResult twice = run_famulor({"runs", "retry", id, "--db", db});
    CHECK(twice.exit_code == 1);
    CHECK(twice.err.find("is succeeded: only a failed or cancelled run can be retried") != std::string::npos);
    CHECK(json_of(run_famulor({"runs", "show", id, "--db", db})).get_string("status") == "succeeded");
  }
}

TEST_CASE("famulor runs cancel records a waiting run cancelled and no restart resumes it", "[cli][ops]") {
  test::TempDir dir;
  const std::string db = (dir / "famulor.db").string();
  constexpr const char* kNap = R"({"id": "nap", "trigger": {"type": "event"},
    "nodes": [{"id": "w", "type": "wait", "params": {"duration": "1h"}}]})";
  std::string id;
  {
    Engine e{EngineOptions{.threads = 2, .db = db}};
    REQUIRE(e.install(e.parse(kNap).value()).ok());
    REQUIRE(e.start().ok());
    auto r = e.emit({.type = "event", .payload = Value::object()});
    REQUIRE(r.ok());
    id = r->front().id();
    REQUIRE(famulor::test::eventually([&] { return e.get_run(id)->status == RunStatus::waiting; }));
    e.stop(std::chrono::milliseconds(0));  // suspended, as when the server stops
  }
  CHECK(json_of(run_famulor({"runs", "show", id, "--db", db})).get_string("status") == "waiting");

  CliResult cancelled = run_famulor({"runs", "cancel", id, "--db", db});
  CHECK(cancelled.exit_code == 0);
  CHECK(cancelled.out == "cancelled " + id + "\n");
  CliResult again = run_famulor({"runs", "cancel", id, "--db", db});
  CHECK(again.exit_code == 1);
  CHECK(again.err.find("already cancelled") != std::string::npos);
  CHECK(run_famulor({"runs", "cancel", "01NOSUCHRUN", "--db", db}).exit_code == 1);

  Value shown = json_of(run_famulor({"runs", "show", id, "--db", db}));
  CHECK(shown.get_string("status") == "cancelled");
  CHECK(shown.find("nodes")->find("w")->get_string("status") == "cancelled");

  Engine e{EngineOptions{.threads = 2, .db = db}};  // a restart resumes every unfinished run...
  REQUIRE(e.install(e.parse(kNap).value()).ok());
  REQUIRE(e.start().ok());
  CHECK_FALSE(e.find_run(id).ok());  // ...and this is not one
  CHECK(e.get_run(id)->status == RunStatus::cancelled);
  e.stop();
}

TEST_CASE("famulor runs: usage errors exit 2, a missing store exits 1 with the path", "[cli][ops]") {
  test::TempDir dir;
  const std::string missing = (dir / "nope.db").string();
  CliResult r = run_famulor({"runs", "list", "--db", missing});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("cannot open database '" + missing + "'") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(missing));  // not created by reading

  CHECK(run_famulor({"runs"}).exit_code == 2);
  CHECK(run_famulor({"runs", "frob"}).exit_code == 2);
  CHECK(run_famulor({"runs", "show"}).exit_code == 2);
  CHECK(run_famulor({"runs", "list", "--status", "bogus"}).exit_code == 2);
  CHECK(run_famulor({"runs", "list", "--limit", "0"}).exit_code == 2);
  CliResult stray = run_famulor({"runs", "cancel", "X", "--current"});
  CHECK(stray.exit_code == 2);
  CHECK(stray.err.find("--current does not apply to `runs cancel`") != std::string::npos);
  CliResult help = run_famulor({"runs", "--help"});
  CHECK(help.exit_code == 0);
  CHECK(help.out.find("famulor runs retry ID") != std::string::npos);
}
