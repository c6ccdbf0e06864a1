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
       "usage: famulor run WORKFLOW [--event EVENT.json] [--workflows DIR] [--threads N] [--db PATH]\n"
       "\n"
       "Runs WORKFLOW once with the event in EVENT.json (`-` reads standard input; no\n"
       "--event means the empty object) as its trigger, waits for the run to finish and\n"
       "prints the run as JSON. --workflows DIR installs every *.json workflow in DIR\n"
       "as well, so `subworkflow` nodes can call them.\n"       "--db PATH records the workflow version and the run in the store at PATH (see\n"
       "`famulor runs`); a `wait` node then sleeps durably.\n"
       "Exit status: 0 when the run succeeded, 1 when the workflow is invalid or the run\n"
       "failed, 2 on a usage error.\n",
       cmd_run},
      {"runs", "list, show, retry and cancel recorded runs",
       "usage: famulor runs list [--workflow W] [--status S] [--limit N] [--cursor C] [--json] [--db PATH]\n"
       "       famulor runs show ID [--db PATH]\n"
       "       famulor runs retry ID [--from-node NODE] [--current] [--threads N] [--db PATH]\n"
       "       famulor runs cancel ID [--db PATH]\n"
       "\n"
       "Reads and operates on the runs recorded in the store at PATH (default famulor.db).\n"
       "  list    newest first, as a table (id, workflow, version, status, started,\n"
       "          duration, error), or with --json as {\"runs\": [run JSON...], \"next\"}.\n"
       "          S: queued, running, waiting, succeeded, failed, cancelled. N: 1-1000\n"
       "          (default 50); C: the `next` cursor of the previous page.\n"
       "  show    the run JSON: every node's status, input, output, error and timings.\n"
       "  retry   runs a failed or cancelled run again, from its failed node (or from\n"
       "          NODE): the nodes before it keep their recorded outputs and do not run\n"
       "          again. It runs the workflow version it ran, or with --current the\n"
       "          latest stored version. Waits for the run and prints the run JSON.\n"
       "  cancel  records a run that has not finished (e.g. waiting on a timer) cancelled,\n"
       "          so that no engine resumes it.\n"
       "Exit status: 0 success (retry: the run succeeded; cancel: it was cancelled), 1 when\n"
       "the run is unknown, already final (cancel), did not succeed (retry) or the store\n"
       "cannot be opened, 2 on a usage error.\n",
       cmd_runs},
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
