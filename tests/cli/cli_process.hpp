// cli/cli_process.hpp — runs the built `famulor` binary as a child process and
// collects its exit status, stdout and stderr (for CLI tests).
#pragma once

#include <string>
#include <vector>

namespace famulor::test {

struct CliResult {
  int exit_code = -1;  // the process's exit status; -1 when it did not exit normally
  std::string out;
  std::string err;
};

// Runs `<build dir>/famulor args...` with the test's environment and waits for it.
CliResult run_famulor(const std::vector<std::string>& args);

}  // namespace famulor::test
