#include "cli/commands.hpp"

#include <iostream>

namespace famulor::cli {

const std::vector<Command>& commands() {
  static const std::vector<Command> kCommands = {
      {"validate", "check workflow files",
       "usage: famulor validate FILE...\n"
       "\n"
       "Checks each workflow file. Prints `FILE: ok` for a valid file and one line per\n"
       "problem otherwise: `FILE:LINE:COL: message (at JSON-PATH)`.\n"
       "Exit status: 0 when every file is valid, 1 otherwise, 2 on a usage error.\n",
       cmd_validate},
      {"run", "run a workflow once for one event and print the run",
       "usage: famulor run WORKFLOW [--event EVENT.json] [--workflows DIR] [--threads N]\n"
       "\n"
       "Runs WORKFLOW once with the event in EVENT.json (`-` reads standard input; no\n"
       "--event means the empty object) as its trigger, waits for the run to finish and\n"
       "prints the run as JSON. --workflows DIR installs every *.json workflow in DIR\n"
       "as well, so `subworkflow` nodes can call them.\n"
       "Exit status: 0 when the run succeeded, 1 when the workflow is invalid or the run\n"
       "failed, 2 on a usage error.\n",
       cmd_run},
  };
  return kCommands;
}

const Command& command(const std::string& name) {
  for (const auto& c : commands())
    if (name == c.name) return c;
  static const Command kNone{"", "", "", nullptr};
  return kNone;
}

int usage_error(const Command& cmd, const std::string& message) {
  std::cerr << "famulor " << cmd.name << ": " << message << "\n"
            << "run `famulor " << cmd.name << " --help` for usage\n";
  return 2;
}

}  // namespace famulor::cli
