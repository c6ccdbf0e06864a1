// The engine with a store (EngineOptions::db): runs, versions and dedupe survive a
// restart; a killed process's runs resume at their first node without a
// checkpoint, and checkpointed nodes are not called again.
#include <atomic>
#include <csignal>
#include <fcntl.h>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include <famulor/engine.hpp>

#include "store_test_util.hpp"

using namespace famulor;

namespace {

Workflow parse(Engine& e, std::string_view json) {
  auto wf = e.parse(json);
  INFO(wf.status().to_string());
  REQUIRE(wf.ok());
  return std::move(wf.value());
}

constexpr const char* kTwoNodes = R"({"id": "wf", "trigger": {"type": "event"},
  "nodes": [{"id": "a", "type": "set", "params": {"fields": {"x": "{{ trigger.x }}"}}},
            {"id": "r", "type": "respond", "after": "a", "params": {"value": "{{ nodes.a.output.x }}"}}]})";

template <typename F>
class FnNode final : public Node {
 public:
  explicit FnNode(F f) : f_(std::move(f)) {}
  void invoke(NodeCall call) override { f_(std::move(call)); }

 private:
  F f_;
};

template <typename F>
void register_fn(Engine& e, std::string type, F f) {
  NodeTypeInfo info;
  info.type = std::move(type);
  info.allow_extra_params = true;
  Status s = e.register_node(std::move(info), [f](const NodeSpec&) -> Result<std::unique_ptr<Node>> {
    return std::unique_ptr<Node>(std::make_unique<FnNode<F>>(f));
  });
  REQUIRE(s.ok());
}

// Appends one line with O_APPEND + fsync: the "sink" a crash must not fool.
void append_line(const std::string& path, const std::string& line) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  if (fd < 0) return;
  std::string l = line + "\n";
  ssize_t n = ::write(fd, l.data(), l.size());
  (void)n;
  ::fsync(fd);
  ::close(fd);
}

std::vector<std::string> lines_of(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> out;
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

}  // namespace

TEST_CASE("runs, versions and dedupe keys survive an engine restart", "[store][engine]") {
  test::TempDir dir;
  const std::string db = (dir / "e.db").string();
  std::string id1, id2;
  {
    Engine e{EngineOptions{.threads = 2, .db = db}};
    REQUIRE(e.install(parse(e, kTwoNodes)).ok());
    REQUIRE(e.start().ok());
    auto r = e.emit({.type = "event", .payload = Value::object({{"x", 7}}), .dedupe_key = "call-1"});
    REQUIRE(r.ok());
    REQUIRE(r->size() == 1);
    id1 = r->front().id();
    RunRecord rec = r->front().wait();
    CHECK(rec.status == RunStatus::succeeded);
    CHECK(rec.workflow_version == 1);
  }
  Engine e{EngineOptions{.threads = 2, .db = db}};
  std::string changed = kTwoNodes;
  changed.replace(changed.find("trigger.x"), 9, "trigger.x * 2");
  REQUIRE(e.install(parse(e, changed)).ok());
  REQUIRE(e.start().ok());

  auto stored = e.get_run(id1);  // read from the store: not in this engine's memory
  REQUIRE(stored.ok());
  CHECK(stored->status == RunStatus::succeeded);
  CHECK(stored->workflow_version == 1);
  CHECK(stored->response == Value(7));
  REQUIRE(stored->node("a") != nullptr);
  CHECK(stored->node("a")->output == Value::object({{"x", 7}}));

  auto again = e.emit({.type = "event", .payload = Value::object({{"x", 8}}), .dedupe_key = "call-1"});
  REQUIRE(again.ok());
  REQUIRE(again->size() == 1);
  CHECK(again->front().id() == id1);  // the first delivery's run, nothing new

  auto fresh = e.emit({.type = "event", .payload = Value::object({{"x", 8}}), .dedupe_key = "call-2"});
  REQUIRE(fresh.ok());
  REQUIRE(fresh->size() == 1);
  id2 = fresh->front().id();
  RunRecord rec2 = fresh->front().wait();
  CHECK(rec2.workflow_version == 2);  // the changed definition is a new version
  CHECK(rec2.response == Value(16));
  e.stop();
  auto after = e.get_run(id2);
  REQUIRE(after.ok());
  CHECK(after->workflow_version == 2);
}

TEST_CASE("after SIGKILL, runs resume at the first node without a checkpoint", "[store][engine][crash]") {
  test::TempDir dir;
  const std::string db = (dir / "k.db").string();
  const std::string sink = (dir / "sink.log").string();
  constexpr const char* kFlow = R"({"id": "flow", "trigger": {"type": "event"},
    "nodes": [{"id": "a", "type": "test.sink"},
              {"id": "b", "type": "test.hang", "after": "a"},
              {"id": "c", "type": "test.sink", "after": "b"}]})";
  constexpr int kRuns = 5;

  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    // The child: node b records that it was called and never completes.
    int code = 0;
    try {
      Engine e{EngineOptions{.threads = 2, .db = db}};
      auto sink_fn = [sink](NodeCall call) {
        append_line(sink, std::string(call.node_id()) + " " + call.idempotency_key());
        call.succeed(Value::object({{"node", std::string(call.node_id())}}));
      };
      auto hang = [sink](NodeCall call) {
        append_line(sink, "hang " + call.idempotency_key());
        static std::vector<NodeCall> held;  // never completed; the process is killed
        static std::mutex mu;
        std::lock_guard lk(mu);
        held.push_back(std::move(call));
      };
      auto fail = [] { ::_exit(3); };
      if (!e.register_node({.type = "test.sink"}, [sink_fn](const NodeSpec&) -> Result<std::unique_ptr<Node>> {
             return std::unique_ptr<Node>(std::make_unique<FnNode<decltype(sink_fn)>>(sink_fn));
           }).ok() ||
          !e.register_node({.type = "test.hang"}, [hang](const NodeSpec&) -> Result<std::unique_ptr<Node>> {
             return std::unique_ptr<Node>(std::make_unique<FnNode<decltype(hang)>>(hang));
           }).ok())
        fail();
      auto wf = e.parse(kFlow);
      if (!wf.ok() || !e.install(std::move(wf.value())).ok() || !e.start().ok()) fail();
      for (int i = 0; i < kRuns; ++i)
        if (!e.emit({.type = "event", .payload = Value::object({{"i", i}})}).ok()) fail();
      for (;;) ::pause();  // until killed
    } catch (...) {
      code = 4;
    }
    ::_exit(code);
  }

  // Wait (bounded) until every run's `a` checkpoint is committed, then kill.
  std::vector<std::string> ids;
  {
    auto watcher = test::open_store(db);
    for (int tries = 0; tries < 3000; ++tries) {
      auto page = watcher->list_runs({.limit = 100});
      REQUIRE(page.ok());
      int committed = 0;
      for (const auto& r : page->runs)
        if (r.node("a") && r.node("a")->status == NodeStatus::succeeded) ++committed;
      int hangs = 0;
      for (const auto& l : lines_of(sink)) hangs += l.rfind("hang ", 0) == 0;
      if (committed == kRuns && hangs == kRuns) {
        for (const auto& r : page->runs) ids.push_back(r.id);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  ::kill(pid, SIGKILL);
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  REQUIRE(ids.size() == kRuns);

  // Restart: b now completes; a must not be called again.
  Engine e{EngineOptions{.threads = 2, .db = db}};
  std::atomic<int> a_calls{0}, b_calls{0};
  register_fn(e, "test.sink", [&](NodeCall call) {
    if (call.node_id() == "a") a_calls++;
    append_line(sink, std::string(call.node_id()) + " " + call.idempotency_key());
    call.succeed(Value::object({{"node", std::string(call.node_id())}}));
  });
  register_fn(e, "test.hang", [&](NodeCall call) {
    b_calls++;
    append_line(sink, "hang " + call.idempotency_key());
    call.succeed(Value::object({{"resumed", true}}));
  });
  REQUIRE(e.install(parse(e, kFlow)).ok());
  REQUIRE(e.start().ok());
  for (const auto& id : ids) {
    auto h = e.find_run(id);
    INFO(id << ": " << h.status().to_string());
    REQUIRE(h.ok());
    RunRecord r = h->wait();
    CHECK(r.status == RunStatus::succeeded);
    CHECK(r.node("a")->output == Value::object({{"node", "a"}}));
    CHECK(r.node("b")->output == Value::object({{"resumed", true}}));
  }
  CHECK(a_calls == 0);
  CHECK(b_calls == kRuns);
  // Every (run, node) was seen by the sink; the hanging node twice with the same key.
  std::map<std::string, int> seen;
  for (const auto& l : lines_of(sink)) seen[l]++;
  CHECK(seen.size() == 3 * kRuns);
  for (const auto& [line, n] : seen) CHECK(n == (line.rfind("hang ", 0) == 0 ? 2 : 1));
  e.stop();
  auto check = test::open_store(db);
  CHECK(check->check_integrity().ok());
  CHECK(check->unfinished_runs()->empty());
}
