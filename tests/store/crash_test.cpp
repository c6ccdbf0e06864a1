// The crash test (issue 3): a child process (crash_child) runs 1,000 runs of
// `set → http.request → wait → set` against a loopback HTTP sink in this
// process; it is killed with SIGKILL at random points of its work several times and
// restarted, then runs to the end. Afterwards: every accepted run has succeeded and is one run (the
// dedupe key held across crashes), the sink saw every (run, node) idempotency
// key, a node whose checkpoint was committed before a kill was never called
// again, and the database passes integrity_check.
//
// FAMULOR_CRASH_RUNS overrides the number of runs (default 1,000; fewer under
// the sanitizers, see tests.cmake).
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "store_test_util.hpp"
#include "support/fake_http_server.hpp"

#ifndef CRASH_CHILD_PATH
#error "CRASH_CHILD_PATH must name the crash_child executable"
#endif
#ifndef CRASH_DEFAULT_RUNS
#define CRASH_DEFAULT_RUNS 1000
#endif

using namespace famulor;
using namespace std::chrono_literals;

namespace {

constexpr int kKills = 5;

int runs_wanted() {
  if (const char* v = std::getenv("FAMULOR_CRASH_RUNS"); v && std::atoi(v) > 0) return std::atoi(v);
  return CRASH_DEFAULT_RUNS;
}

// One call the sink received.
struct SinkCall {
  std::string key;  // Idempotency-Key
  int generation = 0;
  int serial = 0;  // order of arrival, also sent back in the answer
};

// The loopback sink: records every call and answers {"call": serial} after a
// short random delay, so that kills land between calls and their checkpoints.
class Sink {
 public:
  Sink() {
    server_.on("POST", "/hook", [this](const test::RecordedRequest& r) {
      std::lock_guard lk(mu_);
      SinkCall c{r.header("Idempotency-Key"), std::atoi(r.header("X-Generation").c_str()),
                 static_cast<int>(calls_.size()) + 1};
      calls_.push_back(c);
      std::uniform_int_distribution<int> delay(0, 15);
      return test::FakeResponse::json(200, R"({"call": )" + std::to_string(c.serial) + "}")
          .after(std::chrono::milliseconds(delay(rng_)));
    });
  }
  std::string url() const { return server_.url(); }
  std::vector<SinkCall> calls() const {
    std::lock_guard lk(mu_);
    return calls_;
  }
  // Calls made by process `generation` so far.
  int calls_from(int generation) const {
    std::lock_guard lk(mu_);
    int n = 0;
    for (const auto& c : calls_) n += c.generation == generation;
    return n;
  }

 private:
  mutable std::mutex mu_;
  std::vector<SinkCall> calls_;
  std::mt19937 rng_{std::random_device{}()};
  test::FakeHttpServer server_;  // last: stops (and stops calling the responder) first
};

// A running crash_child with its stdout on a pipe.
struct Child {
  pid_t pid = -1;
  int out = -1;

  static Child spawn(int generation, const std::vector<std::string>& args) {
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      ::dup2(fds[1], STDOUT_FILENO);
      ::close(fds[0]);
      ::close(fds[1]);
      ::setenv("CRASH_GEN", std::to_string(generation).c_str(), 1);
      std::vector<char*> argv;
      argv.push_back(const_cast<char*>(CRASH_CHILD_PATH));
      for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
      argv.push_back(nullptr);
      ::execv(CRASH_CHILD_PATH, argv.data());
      ::_exit(127);
    }
    ::close(fds[1]);
    return Child{pid, fds[0]};
  }

  // Waits for `line` on the child's stdout; false on EOF or timeout.
  bool wait_line(const std::string& line, std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    std::string buf;
    while (std::chrono::steady_clock::now() < deadline) {
      pollfd p{out, POLLIN, 0};
      int left = static_cast<int>(
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count());
      if (::poll(&p, 1, std::max(left, 1)) <= 0) continue;
      char c;
      if (::read(out, &c, 1) != 1) return false;
      if (c != '\n') {
        buf += c;
      } else if (buf == line) {
        return true;
      } else {
        buf.clear();
      }
    }
    return false;
  }

  // Reaps the child (killing it after `timeout`); the wait status.
  int reap(std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    int status = 0;
    while (::waitpid(pid, &status, WNOHANG) == 0) {
      if (std::chrono::steady_clock::now() > deadline) {
        ::kill(pid, SIGKILL);
        ::waitpid(pid, &status, 0);
        break;
      }
      std::this_thread::sleep_for(5ms);
    }
    ::close(out);
    return status;
  }
};

// The committed state of the store as a reader sees it (the child is dead).
struct Snapshot {
  std::map<std::string, RunRecord> runs;  // by id
};

Snapshot read_store(const std::string& db) {
  Snapshot snap;
  auto st = test::open_store(db);
  store::RunQuery q{.limit = 1000};
  for (;;) {
    auto page = st->list_runs(q);
    INFO(page.status().to_string());
    REQUIRE(page.ok());
    for (auto& r : page->runs) snap.runs.emplace(r.id, std::move(r));
    if (page->next.empty()) break;
    q.cursor = page->next;
  }
  return snap;
}

// The sink's answer serial recorded in node `call` of a run, or 0 when that
// node has no committed successful checkpoint.
int recorded_call(const RunRecord& r) {
  const NodeRecord* n = r.node("call");
  if (!n || n->status != NodeStatus::succeeded) return 0;
  const Value* c = n->output.find("call");
  return c && c->is_int() ? static_cast<int>(c->as_int()) : -1;
}

}  // namespace

TEST_CASE("1,000 runs through an HTTP sink survive repeated SIGKILL", "[store][engine][crash]") {
  const int kRuns = runs_wanted();
  test::TempDir dir;
  const std::string db = (dir / "crash.db").string();
  const std::string accepted_log = (dir / "accepted.log").string();
  Sink sink;
  std::mt19937 rng{std::random_device{}()};
  // A kill lands after a random number of this generation's sink calls (plus a
  // few random milliseconds), not after a random time: on a fast machine all
  // the work can finish before a timed kill, and then the kill proves nothing.
  // At most kRuns/7 calls a generation, so work is left for every kill.
  std::uniform_int_distribution<int> kill_after_calls(std::max(1, kRuns / 50), std::max(2, kRuns / 7));
  std::uniform_int_distribution<int> kill_jitter_ms(0, 10);
  const std::vector<std::string> args = {db, sink.url(), std::to_string(kRuns), accepted_log};

  // After each kill: the calls committed at that instant, by run id.
  std::vector<std::map<std::string, int>> committed_at_kill;
  int kills_mid_work = 0;
  for (int gen = 1; gen <= kKills; ++gen) {
    auto a = args;
    a.push_back("killed");
    Child child = Child::spawn(gen, a);
    REQUIRE(child.wait_line("started", 60s));
    const int calls = kill_after_calls(rng);
    for (auto give_up = std::chrono::steady_clock::now() + 60s;
         sink.calls_from(gen) < calls && std::chrono::steady_clock::now() < give_up;)
      std::this_thread::sleep_for(1ms);
    std::this_thread::sleep_for(std::chrono::milliseconds(kill_jitter_ms(rng)));
    REQUIRE(::kill(child.pid, SIGKILL) == 0);
    int status = child.reap(60s);
    INFO("generation " << gen << " wait status " << status);
    REQUIRE(WIFSIGNALED(status));
    REQUIRE(WTERMSIG(status) == SIGKILL);

    Snapshot snap = read_store(db);
    std::map<std::string, int> committed;
    int unfinished = 0;
    for (const auto& [id, r] : snap.runs) {
      if (int c = recorded_call(r); c != 0) committed.emplace(id, c);
      if (!is_final(r.status)) ++unfinished;
    }
    if (unfinished > 0 || static_cast<int>(snap.runs.size()) < kRuns) ++kills_mid_work;
    committed_at_kill.push_back(std::move(committed));
  }

  auto a = args;
  a.push_back("final");
  Child last = Child::spawn(kKills + 1, a);
  REQUIRE(last.wait_line("started", 60s));
  CHECK(last.wait_line("done", 120s));
  int status = last.reap(60s);
  INFO("final generation wait status " << status);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);

  // The kills must have interrupted work, or this test proves nothing.
  CHECK(kills_mid_work > 0);

  // Accepted: each event has one run id, in every generation that logged it.
  std::map<int, std::string> run_of_event;
  {
    std::ifstream in(accepted_log);
    int i;
    std::string id;
    while (in >> i >> id) {
      auto [it, fresh] = run_of_event.emplace(i, id);
      INFO("event " << i);
      CHECK(it->second == id);
    }
  }
  REQUIRE(static_cast<int>(run_of_event.size()) == kRuns);
  std::set<std::string> accepted;
  for (const auto& [i, id] : run_of_event) accepted.insert(id);
  REQUIRE(static_cast<int>(accepted.size()) == kRuns);

  // Every accepted run finished, once: the store holds exactly the accepted runs.
  Snapshot end = read_store(db);
  CHECK(static_cast<int>(end.runs.size()) == kRuns);
  for (const auto& [i, id] : run_of_event) {
    auto it = end.runs.find(id);
    INFO("run " << id << " of event " << i);
    REQUIRE(it != end.runs.end());
    const RunRecord& r = it->second;
    CHECK(r.status == RunStatus::succeeded);
    CHECK(r.trigger == Value::object({{"i", i}}));
    REQUIRE(r.node("after") != nullptr);
    CHECK(r.node("after")->output.find("call") != nullptr);
    CHECK(r.node("after")->output.get_int("call", -1) == recorded_call(r));
  }

  // The sink saw every (run, node) key; no key it saw belongs to anything else.
  std::map<std::string, std::vector<SinkCall>> calls_by_key;
  for (const auto& c : sink.calls()) calls_by_key[c.key].push_back(c);
  int called_again = 0;
  for (const auto& id : accepted) {
    const std::string key = id + ":call";
    auto it = calls_by_key.find(key);
    INFO("key " << key);
    REQUIRE(it != calls_by_key.end());
    const auto& calls = it->second;
    std::set<int> gens;
    for (const auto& c : calls) CHECK(gens.insert(c.generation).second);  // once per process at most
    // The recorded output is the answer to the last call: no call after it.
    CHECK(recorded_call(end.runs.at(id)) == calls.back().serial);
    called_again += calls.size() > 1;
  }
  for (const auto& [key, calls] : calls_by_key) {
    INFO("sink key " << key);
    CHECK(accepted.count(key.substr(0, key.rfind(':'))) == 1);
  }

  // A node whose checkpoint was committed at a kill was never called again.
  for (std::size_t k = 0; k < committed_at_kill.size(); ++k) {
    const int gen = static_cast<int>(k) + 1;
    for (const auto& [id, serial] : committed_at_kill[k]) {
      INFO("run " << id << " committed call " << serial << " before kill " << gen);
      CHECK(recorded_call(end.runs.at(id)) == serial);
      for (const auto& c : calls_by_key[id + ":call"]) CHECK(c.generation <= gen);
    }
  }

  auto st = test::open_store(db);
  CHECK(st->check_integrity().ok());
  CHECK(st->unfinished_runs()->empty());
  WARN(kRuns << " runs, " << kKills << " kills (" << kills_mid_work << " mid-work), " << sink.calls().size()
             << " sink calls, " << called_again << " keys called again after a crash");
}
