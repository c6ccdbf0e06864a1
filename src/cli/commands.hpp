// cli/commands.hpp — the famulor binary's commands. Each returns the process exit
// status: 0 success, 1 invalid workflow or failed run, 2 usage error (CONTRACT.md).
// Results go to stdout, diagnostics to stderr.
#pragma once

#include <string>
#include <vector>

namespace famulor::cli {

struct Command {
  const char* name;
  const char* summary;  // one line for `famulor --help`
  const char* usage;    // full text for `famulor NAME --help`
  int (*run)(int argc, char** argv);  // argv[0] is the command name
};

// Every command, in the order `famulor --help` lists them.
const std::vector<Command>& commands();

int cmd_validate(int argc, char** argv);
int cmd_run(int argc, char** argv);
int cmd_runs(int argc, char** argv);
int cmd_sandbox(int argc, char** argv);
int cmd_connectors(int argc, char** argv);
int cmd_credentials(int argc, char** argv);
int cmd_serve(int argc, char** argv);
int cmd_tokens(int argc, char** argv);
int cmd_audit(int argc, char** argv);
int cmd_privacy(int argc, char** argv);

// Prints "famulor NAME: message" and the usage hint to stderr; returns 2.
int usage_error(const Command& cmd, const std::string& message);
const Command& command(const std::string& name);

}  // namespace famulor::cli
