// Running the built `famulor` binary from tests: once to completion with its
// stdout and stderr captured, or in the background (a server) until told to stop.
#pragma once

#include <sys/types.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace famulor::test {

struct ProcessResult {
  int exit_code = -1;  // -1 when it did not exit normally
  std::string out;
  std::string err;
};

// The environment a test adds (name -> value; "" unsets it). FAMULOR_MASTER_KEY
// and every FAMULOR_*_BASE_URL are unset unless given here.
using Env = std::map<std::string, std::string>;

// Runs `famulor args...` in `cwd` ("" = the current directory) and waits for it.
ProcessResult run_famulor(const std::vector<std::string>& args, const Env& env = {}, const std::string& cwd = "");

// `famulor args...` in the background; the first stdout line is read by first_line().
class BackgroundFamulor {
 public:
  explicit BackgroundFamulor(const std::vector<std::string>& args, const Env& env = {});
  ~BackgroundFamulor();  // SIGKILL when still running
  BackgroundFamulor(const BackgroundFamulor&) = delete;
  BackgroundFamulor& operator=(const BackgroundFamulor&) = delete;

  // The first line it printed (without the newline); nullopt when it exited first.
  std::optional<std::string> first_line();
  // Sends `signal` and waits: the exit code, or -1 when it did not exit normally.
  int stop(int signal);

 private:
  pid_t pid_ = -1;
  int out_fd_ = -1;
};

}  // namespace famulor::test
