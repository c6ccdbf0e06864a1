// A Stoplight Prism validating mock (`prism mock`, static answers: deterministic,
// and 5.16's dynamic faker crashes on some of OpenAI's response schemas) for one API description,
// run as a child process on 127.0.0.1. Prism answers a request that conforms to
// the description with a 2xx and a non-conforming one with a 4xx whose
// `sl-violations` header lists what is wrong.
//
// Thread-safety: start(), wait_ready() and stop() from one thread.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace famulor::test {

// The Prism executable: FAMULOR_PRISM, else <repo>/.deps/prism (cmake/install-deps.sh).
std::filesystem::path prism_executable();

// Writes to `out` the part of `spec` holding only `paths` (tests/spec/subset_spec.js,
// run with Node from Prism's node_modules). Returns "" or what went wrong.
std::string write_spec_subset(const std::filesystem::path& spec, const std::filesystem::path& out,
                              const std::vector<std::string>& paths);

class PrismMock {
 public:
  // `log` receives Prism's stdout and stderr (its request log and violations).
  PrismMock(std::filesystem::path spec, std::filesystem::path log);
  ~PrismMock();  // stops the process
  PrismMock(const PrismMock&) = delete;
  PrismMock& operator=(const PrismMock&) = delete;

  // Spawns Prism on a free port (bind port 0, close, hand it over). Non-blocking.
  void start();
  // Waits until Prism says it listens; when it exits first because the port was
  // taken meanwhile, starts again on another port (up to 5 times). Returns "" when
  // ready, else what went wrong with the tail of Prism's log.
  std::string wait_ready(int timeout_seconds);
  void stop();

  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  // Prism's log so far (what it validated and the violations it found).
  std::string log_text() const;
  double startup_seconds() const { return startup_seconds_; }

 private:
  std::filesystem::path spec_;
  std::filesystem::path log_;
  int pid_ = -1;
  int port_ = 0;
  double startup_seconds_ = 0;
  std::chrono::steady_clock::time_point spawned_;
};

}  // namespace famulor::test
