// famulor runs list|show|retry|cancel [--db PATH] — run history and operations on
// runs, through the public Engine API over the store at --db.
#include <charconv>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>

#include "cli/args.hpp"
#include "cli/cli_audit.hpp"
#include "cli/commands.hpp"
#include "cli/runs_table.hpp"
#include "famulor/engine.hpp"

namespace famulor::cli {
namespace {

constexpr const char* kDefaultDb = "famulor.db";

std::optional<RunStatus> parse_status(const std::string& s) {
  for (RunStatus st : {RunStatus::queued, RunStatus::running, RunStatus::waiting, RunStatus::succeeded,
                       RunStatus::failed, RunStatus::cancelled})
    if (s == to_string(st)) return st;
  return std::nullopt;
}

std::optional<unsigned> parse_count(const std::string& s, unsigned max) {
  unsigned v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v == 0 || v > max) return std::nullopt;
  return v;
}

// The store must exist: reading history from a file that is not there would
// silently create an empty database.
bool db_exists(const std::string& sub, const std::string& db) {
  std::error_code ec;
  if (std::filesystem::is_regular_file(db, ec)) return true;
  std::cerr << "famulor runs " << sub << ": cannot open database '" << db
            << "': no such file (give the store with --db PATH)\n";
  return false;
}

// Prints "famulor runs SUB: message" and returns 1.
int fail(const std::string& sub, const Status& st) {
  std::cerr << "famulor runs " << sub << ": " << st.message() << "\n";
  return 1;
}

int runs_list(const Command& self, const Args& args, const std::string& db) {
  if (args.positionals.size() != 1) return usage_error(self, "runs list takes no arguments");
  RunFilter filter;
  filter.workflow = args.get_or("--workflow", "");
  if (auto s = args.get("--status")) {
    filter.status = parse_status(*s);
    if (!filter.status)
      return usage_error(self, "--status must be queued, running, waiting, succeeded, failed or cancelled, not '" +
                                   *s + "'");
  }
  if (auto l = args.get("--limit")) {
    auto n = parse_count(*l, 1000);
    if (!n) return usage_error(self, "--limit must be a number from 1 to 1000, not '" + *l + "'");
    filter.limit = *n;
  }
  filter.cursor = args.get_or("--cursor", "");
  if (!db_exists("list", db)) return 1;
  Engine engine{EngineOptions{.threads = 1, .db = db}};
  auto page = engine.list_runs(filter);
  if (!page.ok()) return fail("list", page.status());
  if (args.has("--json")) {
    Array runs;
    for (const auto& r : page->runs) runs.push_back(r.to_json());
    Value out = Value::object({{"runs", Value(std::move(runs))}, {"next", page->next.empty() ? Value() : Value(page->next)}});
    std::cout << out.pretty() << "\n";
  } else {
    print_runs_table(std::cout, page->runs);
    if (!page->next.empty()) std::cerr << "more runs: add --cursor " << page->next << "\n";
  }
  return 0;
}

int runs_show(const Command& self, const Args& args, const std::string& db) {
  if (args.positionals.size() != 2) return usage_error(self, "runs show needs one run ID");
  if (!db_exists("show", db)) return 1;
  Engine engine{EngineOptions{.threads = 1, .db = db}};
  auto run = engine.get_run(args.positionals[1]);
  if (!run.ok()) return fail("show", run.status());
  std::cout << run->to_json().pretty() << "\n";
  return 0;
}

int runs_retry(const Command& self, const Args& args, const std::string& db) {
  if (args.positionals.size() != 2) return usage_error(self, "runs retry needs one run ID");
  EngineOptions options;
  options.db = db;
  options.resume_unfinished = false;  // run only this run, not other processes' unfinished ones
  if (auto t = args.get("--threads")) {
    auto n = parse_count(*t, 1024);
    if (!n) return usage_error(self, "--threads must be a number from 1 to 1024, not '" + *t + "'");
    options.threads = *n;
  }
  RetryOptions retry;
  retry.from_node = args.get_or("--from-node", "");
  retry.use_current_version = args.has("--current");
  if (!db_exists("retry", db)) return 1;
  Engine engine(options);
  if (Status st = engine.start(); !st.ok()) return fail("retry", st);
  auto handle = engine.retry(args.positionals[1], retry);
  cli_audit(db, "run.retry", args.positionals[1], handle.status());
  if (!handle.ok()) return fail("retry", handle.status());
  RunRecord record = handle->wait();
  engine.stop();
  std::cout << record.to_json().pretty() << "\n";
  return record.status == RunStatus::succeeded ? 0 : 1;
}

int runs_cancel(const Command& self, const Args& args, const std::string& db) {
  if (args.positionals.size() != 2) return usage_error(self, "runs cancel needs one run ID");
  if (!db_exists("cancel", db)) return 1;
  Engine engine{EngineOptions{.threads = 1, .db = db}};
  const std::string& id = args.positionals[1];
  Status st = engine.cancel(id);
  cli_audit(db, "run.cancel", id, st);
  if (!st.ok()) return fail("cancel", st);
  std::cout << "cancelled " << id << "\n";
  return 0;
}

}  // namespace

int cmd_runs(int argc, char** argv) {
  const Command& self = command("runs");
  std::string error;
  auto args = parse_args(argc, argv, 1,
                         ArgSpec{{"--db", "--workflow", "--status", "--limit", "--cursor", "--from-node", "--threads"},
                                 {"--json", "--current"}},
                         error);
  if (!args) return usage_error(self, error);
  if (args->positionals.empty()) return usage_error(self, "expected a subcommand: list, show, retry or cancel");
  const std::string sub = args->positionals[0];
  const std::string db = args->get_or("--db", kDefaultDb);
  if (db.empty()) return usage_error(self, "--db needs a path");
  // Options that belong to another subcommand are usage errors, not silently ignored.
  auto only = [&](std::initializer_list<const char*> allowed) -> std::string {
    for (const auto& [name, values] : args->options) {
      bool ok = name == "--db";
      for (const char* a : allowed) ok = ok || name == a;
      if (!ok) return name;
    }
    for (const auto& flag : args->flags) {
      bool ok = false;
      for (const char* a : allowed) ok = ok || flag == a;
      if (!ok) return flag;
    }
    return {};
  };
  std::string stray;
  int (*run)(const Command&, const Args&, const std::string&) = nullptr;
  if (sub == "list") {
    stray = only({"--workflow", "--status", "--limit", "--cursor", "--json"});
    run = runs_list;
  } else if (sub == "show") {
    stray = only({});
    run = runs_show;
  } else if (sub == "retry") {
    stray = only({"--from-node", "--current", "--threads"});
    run = runs_retry;
  } else if (sub == "cancel") {
    stray = only({});
    run = runs_cancel;
  } else {
    return usage_error(self, "unknown subcommand '" + sub + "' (expected list, show, retry or cancel)");
  }
  if (!stray.empty()) return usage_error(self, "option " + stray + " does not apply to `runs " + sub + "`");
  return run(self, *args, db);
}

}  // namespace famulor::cli
