#include "cli/famulor_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <string_view>
#include <stdexcept>

#include "support/paths.hpp"

namespace famulor::test {
namespace {

[[noreturn]] void exec_famulor(const std::vector<std::string>& args, const Env& env, const std::string& cwd) {
  ::unsetenv("FAMULOR_MASTER_KEY");
  std::vector<std::string> base_urls;
  for (char** e = environ; e && *e; ++e) {
    std::string name(*e, std::string_view(*e).find('='));
    if (name.rfind("FAMULOR_", 0) == 0 && name.size() > 9 && name.compare(name.size() - 9, 9, "_BASE_URL") == 0)
      base_urls.push_back(name);
  }
  for (auto& name : base_urls) ::unsetenv(name.c_str());
  for (auto& [k, v] : env) {
    if (v.empty()) ::unsetenv(k.c_str());
    else ::setenv(k.c_str(), v.c_str(), 1);
  }
  if (!cwd.empty() && ::chdir(cwd.c_str()) != 0) ::_exit(127);
  std::string bin = (binary_dir() / "famulor").string();
  std::vector<char*> argv;
  argv.push_back(bin.data());
  for (auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  ::execv(bin.c_str(), argv.data());
  ::_exit(127);
}

std::string drain(int fd) {
  std::string s;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n > 0) s.append(buf, static_cast<std::size_t>(n));
    else if (n == 0 || errno != EINTR) break;
  }
  return s;
}

int exit_code_of(int status) { return WIFEXITED(status) ? WEXITSTATUS(status) : -1; }

}  // namespace

ProcessResult run_famulor(const std::vector<std::string>& args, const Env& env, const std::string& cwd) {
  // Both streams go to files, so a chatty child never blocks on a full pipe.
  TempDir dir;
  std::string out_path = (dir / "stdout").string(), err_path = (dir / "stderr").string();
  pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int in = ::open("/dev/null", O_RDONLY);
    if (out < 0 || err < 0 || in < 0) ::_exit(127);
    ::dup2(out, 1);
    ::dup2(err, 2);
    ::dup2(in, 0);
    exec_famulor(args, env, cwd);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  ProcessResult r;
  r.exit_code = exit_code_of(status);
  r.out = read_file(out_path);
  r.err = read_file(err_path);
  return r;
}

BackgroundFamulor::BackgroundFamulor(const std::vector<std::string>& args, const Env& env) {
  int fds[2];
  if (::pipe(fds) != 0) throw std::runtime_error("pipe failed");
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    ::dup2(fds[1], 1);
    ::close(fds[0]);
    ::close(fds[1]);
    exec_famulor(args, env, "");
  }
  ::close(fds[1]);
  out_fd_ = fds[0];
}

BackgroundFamulor::~BackgroundFamulor() {
  if (pid_ > 0) stop(SIGKILL);
  if (out_fd_ >= 0) ::close(out_fd_);
}

std::optional<std::string> BackgroundFamulor::first_line() {
  std::string line;
  char c;
  for (;;) {
    ssize_t n = ::read(out_fd_, &c, 1);
    if (n == 1) {
      if (c == '\n') return line;
      line.push_back(c);
    } else if (n == 0 || errno != EINTR) {
      return std::nullopt;
    }
  }
}

int BackgroundFamulor::stop(int signal) {
  if (pid_ <= 0) return -1;
  ::kill(pid_, signal);
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  pid_ = -1;
  (void)drain(out_fd_);
  return exit_code_of(status);
}

}  // namespace famulor::test
