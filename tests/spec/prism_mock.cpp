#include "prism_mock.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include "support/paths.hpp"

extern char** environ;

namespace famulor::test {
namespace {

// A port the kernel considers free right now. Prism binds it a moment later; if
// something else took it in between, wait_ready() notices and picks another.
int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error("socket() failed");
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  socklen_t len = sizeof a;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    ::close(fd);
    throw std::runtime_error("binding 127.0.0.1:0 failed");
  }
  ::close(fd);
  return ntohs(a.sin_port);
}

std::string tail(const std::string& s, std::size_t n) { return s.size() <= n ? s : "..." + s.substr(s.size() - n); }

}  // namespace

std::filesystem::path prism_executable() {
  if (const char* p = std::getenv("FAMULOR_PRISM"); p != nullptr && *p != '\0') return p;
  return source_dir() / ".deps" / "prism" / "node_modules" / ".bin" / "prism";
}

std::string write_spec_subset(const std::filesystem::path& spec, const std::filesystem::path& out,
                              const std::vector<std::string>& paths) {
  // <node_modules>/.bin/prism: js-yaml is a dependency of Prism's, installed beside it.
  auto modules = prism_executable().parent_path().parent_path();
  std::filesystem::path log = out.string() + ".log";
  std::vector<std::string> args = {"node", (source_dir() / "tests" / "spec" / "subset_spec.js").string(), modules.string(),
                                   spec.string(), out.string()};
  args.insert(args.end(), paths.begin(), paths.end());
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  pid_t pid = -1;
  int rc = ::posix_spawnp(&pid, "node", &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) return std::string("cannot run node: ") + std::strerror(rc);
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::ifstream in(log);
    std::stringstream ss;
    ss << in.rdbuf();
    return "subset_spec.js failed for " + spec.string() + ":\n" + ss.str();
  }
  return "";
}

PrismMock::PrismMock(std::filesystem::path spec, std::filesystem::path log)
    : spec_(std::move(spec)), log_(std::move(log)) {}

PrismMock::~PrismMock() { stop(); }

void PrismMock::start() {
  port_ = free_port();
  std::string exe = prism_executable().string();
  std::string port = std::to_string(port_);
  std::string spec = spec_.string();
  std::vector<std::string> args = {exe, "mock", "-h", "127.0.0.1", "-p", port, spec};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  std::string log = log_.string();
  pid_t parent = ::getpid();
  // fork+exec rather than posix_spawn: the child asks the kernel to SIGTERM it when
  // this process dies, so a crashed or killed test (ctest timeout, SIGPIPE) does
  // not leave Prism running. Only async-signal-safe calls between fork and exec.
  pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    ::setpgid(0, 0);  // its own group, so stop() reaches anything Node starts
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != parent) ::_exit(127);  // the parent died before prctl
    int in = ::open("/dev/null", O_RDONLY);
    int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (in < 0 || out < 0) ::_exit(127);
    ::dup2(in, 0);
    ::dup2(out, 1);
    ::dup2(out, 2);
    ::execve(exe.c_str(), argv.data(), environ);
    ::_exit(127);
  }
  pid_ = pid;
  spawned_ = std::chrono::steady_clock::now();
}

std::string PrismMock::log_text() const {
  std::ifstream in(log_);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string PrismMock::wait_ready(int timeout_seconds) {
  auto began = std::chrono::steady_clock::now();
  auto deadline = began + std::chrono::seconds(timeout_seconds);
  int attempts = 1;
  while (std::chrono::steady_clock::now() < deadline) {
    std::string log = log_text();
    if (log.find("Prism is listening on") != std::string::npos) {
      startup_seconds_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - spawned_).count();
      return "";
    }
    int status = 0;
    if (pid_ > 0 && ::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      if (log.find("EADDRINUSE") != std::string::npos && attempts < 5) {
        ++attempts;
        start();
        continue;
      }
      return "prism exited before listening (" + spec_.filename().string() + "):\n" + tail(log, 4000);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return "prism did not start within " + std::to_string(timeout_seconds) + " s (" + spec_.filename().string() +
         "):\n" + tail(log_text(), 4000);
}

void PrismMock::stop() {
  if (pid_ <= 0) return;
  ::kill(-pid_, SIGTERM);
  for (int i = 0; i < 50; ++i) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ::kill(-pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

}  // namespace famulor::test
