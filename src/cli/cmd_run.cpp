// famulor run WORKFLOW [--event EVENT.json] — one run, printed as run JSON.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "cli/args.hpp"
#include "cli/commands.hpp"
#include "cli/connector_options.hpp"
#include "famulor/engine.hpp"

namespace famulor::cli {

namespace {

Result<std::string> read_text(const std::string& path) {
  std::ostringstream ss;
  if (path == "-") {
    ss << std::cin.rdbuf();
    return ss.str();
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status(StatusCode::not_found, "cannot read " + path);
  ss << in.rdbuf();
  return ss.str();
}

void print_problems(const std::vector<Problem>& problems, const Status& status) {
  if (problems.empty()) std::cerr << status.message() << "\n";
  for (const auto& p : problems) std::cerr << p.to_string() << "\n";
}

}  // namespace

int cmd_run(int argc, char** argv) {
  const Command& self = command("run");
  std::string error;
  ArgSpec spec{{"--event", "--workflows", "--threads"}, {}};
  add_connector_args(spec);
  auto args = parse_args(argc, argv, 1, spec, error);
  if (!args) return usage_error(self, error);
  if (args->positionals.size() != 1) return usage_error(self, "expected exactly one WORKFLOW file");

  EngineOptions options;
  if (auto t = args->get("--threads")) {
    try {
      options.threads = static_cast<unsigned>(std::stoul(*t));
    } catch (...) {
      return usage_error(self, "--threads needs a number");
    }
  }
  ConnectorSession connectors;  // outlives the engine: the in-process sandbox
  if (auto st = connectors.apply(*args, options); !st.ok()) {
    std::cerr << "famulor run: " << st.message() << "\n";
    return 1;
  }
  // --db: a durable run in the store's history; run only this run, not the
  // store's other unfinished ones (a server sharing the file owns those).
  if (!options.db.empty()) options.resume_unfinished = false;
  Engine engine(options);

  std::vector<Problem> problems;
  auto wf = Workflow::parse_file(args->positionals[0], {.catalog = &engine.catalog()}, &problems);
  if (!wf.ok()) {
    print_problems(problems, wf.status());
    return 1;
  }
  std::string workflow_id = wf->id();

  if (auto dir = args->get("--workflows")) {
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(*dir, ec)) {
      if (entry.path().extension() != ".json") continue;
      std::vector<Problem> other_problems;
      auto other = Workflow::parse_file(entry.path().string(), {.catalog = &engine.catalog()}, &other_problems);
      if (!other.ok()) {
        print_problems(other_problems, other.status());
        return 1;
      }
      if (other->id() == workflow_id) continue;
      if (auto st = engine.install(std::move(other.value())); !st.ok()) {
        std::cerr << entry.path().string() << ": " << st.message() << "\n";
        return 1;
      }
    }
    if (ec) return usage_error(self, "cannot read directory " + *dir + ": " + ec.message());
  }

  Value payload = Value::object();
  if (auto event_file = args->get("--event")) {
    auto text = read_text(*event_file);
    if (!text.ok()) return usage_error(self, text.status().message());
    auto parsed = Value::parse(*text);
    if (!parsed.ok()) {
      std::cerr << *event_file << ": " << parsed.status().message() << "\n";
      return 1;
    }
    payload = std::move(parsed.value());
  }

  if (auto st = engine.install(std::move(wf.value())); !st.ok()) {
    std::cerr << args->positionals[0] << ": " << st.message() << "\n";
    return 1;
  }
  if (auto st = engine.start(); !st.ok()) {
    std::cerr << "famulor run: " << st.to_string() << "\n";
    return 1;
  }
  auto handle = engine.run(workflow_id, std::move(payload));
  if (!handle.ok()) {
    std::cerr << "famulor run: " << handle.status().to_string() << "\n";
    return 1;
  }
  RunRecord record = handle->wait();
  engine.stop();
  connectors.report();
  std::cout << record.to_json().pretty() << "\n";
  return record.status == RunStatus::succeeded ? 0 : 1;
}

}  // namespace famulor::cli
