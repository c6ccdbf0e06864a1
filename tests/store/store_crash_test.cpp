// Crashes: a child process writes through the store and dies (_exit without
// closing, or SIGKILL at a random instant); the parent reopens the file and finds
// what was committed — everything acknowledged, nothing torn.
#include <csignal>
#include <cstdio>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include "store_test_util.hpp"

using namespace famulor;
using famulor::test::open_store;

namespace {

std::string run_id(int i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "run-%06d", i);
  return buf;
}

// Writes one acknowledgement line to the pipe (atomic: shorter than PIPE_BUF).
void ack(int fd, const std::string& line) {
  std::string l = line + "\n";
  ssize_t n = ::write(fd, l.data(), l.size());
  (void)n;
}

// Child body for the random-kill test: several threads accept runs and checkpoint
// them; every durable callback is acknowledged on `fd`. Never returns.
[[noreturn]] void churn(const std::string& path, int fd, int first_id) {
  auto r = store::open_sqlite_store(path);
  if (!r.ok()) {
    ack(fd, "E " + r.status().to_string());
    ::_exit(2);
  }
  auto s = std::move(r).value();
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 20'000; ++i) {
        std::string id = run_id(first_id + i * 4 + t);
        store::AcceptRequest req;
        req.dedupe_key = "key:" + id;
        req.runs.push_back({id, "wf", 1, Value::object({{"i", i}, {"pad", std::string(300, 'p')}}), 1});
        auto a = s->accept_sync(req);
        if (!a.ok()) ack(fd, "E " + a.status().to_string());
        ack(fd, "A " + id);
        for (const char* node : {"a", "b"}) {
          store::Checkpoint cp;
          cp.run_id = id;
          cp.node_id = node;
          cp.output = Value::object({{"node", node}, {"i", i}});
          cp.attempts = 1;
          s->checkpoint(cp, [fd, id, node](Status st) { ack(fd, st.ok() ? "C " + id + " " + node : "E " + st.to_string()); });
        }
        if (i % 2 == 0)
          s->finish_run({.run_id = id, .status = RunStatus::succeeded, .finished_ms = 2},
                        [fd, id](Status st) { ack(fd, st.ok() ? "F " + id : "E " + st.to_string()); });
      }
    });
  }
  for (auto& t : threads) t.join();
  ::_exit(0);  // not reached when the parent kills us first
}

}  // namespace

TEST_CASE("a process that exits without closing keeps exactly what it committed", "[store][crash]") {
  test::TempDir dir;
  const std::string path = (dir / "exit.db").string();
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    int code = 1;
    try {
      auto r = store::open_sqlite_store(path);
      if (r.ok()) {
        auto& s = *r.value();
        bool ok = true;
        for (int i = 0; i < 40; ++i) {
          store::AcceptRequest req;
          req.runs.push_back({run_id(i), "wf", 1, Value::object({{"i", i}}), 1});
          ok = ok && s.accept_sync(req).ok();
        }
        for (int i = 0; i < 30; ++i) s.checkpoint({.run_id = run_id(i), .node_id = "a", .output = i});
        ok = ok && s.flush().ok();
        for (int i = 0; i < 10; ++i) s.finish_run({.run_id = run_id(i), .status = RunStatus::succeeded, .finished_ms = 5});
        ok = ok && s.flush().ok();
        code = ok ? 0 : 3;
      }
    } catch (...) {
      code = 4;
    }
    ::_exit(code);  // the store is never closed
  }
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);

  auto s = open_store(path);
  REQUIRE(s->check_integrity().ok());
  auto open = s->unfinished_runs();
  REQUIRE(open.ok());
  REQUIRE(open->size() == 30);
  for (std::size_t k = 0; k < open->size(); ++k) {
    const auto& u = (*open)[k];
    int i = static_cast<int>(k) + 10;
    CHECK(u.run.id == run_id(i));
    if (i < 30) {
      REQUIRE(u.checkpoints.size() == 1);
      CHECK(u.checkpoints[0].output == Value(i));
    } else {
      CHECK(u.checkpoints.empty());
    }
  }
  for (int i = 0; i < 10; ++i) CHECK(s->get_run(run_id(i))->status == RunStatus::succeeded);
}

TEST_CASE("SIGKILL at random instants loses nothing that was acknowledged", "[store][crash]") {
  test::TempDir dir;
  const std::string path = (dir / "kill.db").string();
  std::random_device rd;
  const unsigned seed = rd();
  INFO("seed " << seed);
  std::mt19937 rng(seed);
  std::set<std::string> accepted, finished;
  std::set<std::pair<std::string, std::string>> checkpointed;

  for (int round = 0; round < 3; ++round) {
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      ::close(fds[0]);
      churn(path, fds[1], round * 1'000'000);
    }
    ::close(fds[1]);
    // Kill after a random number of acknowledgements: a random instant in the
    // child's stream of commits, without any timing assumption.
    const std::size_t kill_after = std::uniform_int_distribution<std::size_t>(100, 3000)(rng);
    std::size_t lines = 0;
    bool killed = false;
    std::string buf, errors;
    char chunk[4096];
    for (;;) {
      ssize_t n = ::read(fds[0], chunk, sizeof chunk);
      if (n <= 0) break;
      buf.append(chunk, static_cast<std::size_t>(n));
      std::size_t pos;
      while ((pos = buf.find('\n')) != std::string::npos) {
        std::string line = buf.substr(0, pos);
        buf.erase(0, pos + 1);
        ++lines;
        std::istringstream in(line);
        std::string kind, id, node;
        in >> kind >> id >> node;
        if (kind == "A") accepted.insert(id);
        else if (kind == "C") checkpointed.insert({id, node});
        else if (kind == "F") finished.insert(id);
        else errors += line + "\n";
      }
      if (!killed && lines >= kill_after) {
        ::kill(pid, SIGKILL);
        killed = true;
      }
    }
    ::close(fds[0]);
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    CHECK(errors.empty());
    REQUIRE(killed);
    CHECK(WIFSIGNALED(status));

    auto s = open_store(path);
    REQUIRE(s->check_integrity().ok());
    for (const auto& id : accepted) {
      auto r = s->get_run(id);
      REQUIRE(r.ok());
      if (finished.count(id)) CHECK(r->status == RunStatus::succeeded);
    }
    for (const auto& [id, node] : checkpointed) {
      auto r = s->get_run(id);
      REQUIRE(r.ok());
      REQUIRE(r->node(node) != nullptr);
      CHECK(r->node(node)->status == NodeStatus::succeeded);
    }
    // A redelivery of an acknowledged event is still recognised.
    auto again = s->accept_sync(test::accept_one(test::new_run(), "key:" + *accepted.begin()));
    REQUIRE(again.ok());
    CHECK(again->duplicate);
  }
  CHECK(accepted.size() >= 3);
}
