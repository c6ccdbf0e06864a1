// crash_child — the process that tests/store/crash_test.cpp kills with SIGKILL.
//
//   crash_child DB SINK_URL RUNS ACCEPTED_LOG MODE      (MODE: "killed" or "final")
//
// Opens an engine on DB (which resumes the runs a killed predecessor left
// unfinished), installs `set → http.request POST SINK_URL/hook → wait 40ms → set`, prints
// "started" on stdout, then emits RUNS events from several threads, each with the
// dedupe key "event-<i>" (a re-emit after a crash answers the first delivery's
// run instead of starting a second one). Every emit that returned ok appends
// "<i> <run id>" to ACCEPTED_LOG (O_APPEND; a SIGKILL cannot undo a finished
// write(2)). Then it waits for every run. "killed" mode then sleeps until the
// parent kills it; "final" mode prints "done", stops the engine and exits 0 when
// every run succeeded (3 when a run did not, 4 on setup errors).
//
// The environment variable CRASH_GEN (set by the parent, one number per process)
// is sent by the HTTP node as the X-Generation header, so the sink knows which
// process made each call.
#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include <famulor/engine.hpp>

using namespace famulor;

namespace {

constexpr int kEmitters = 8;

// The HTTP node is in the middle: a crash between its call and its committed
// checkpoint makes it call the sink again, with the same Idempotency-Key. The
// short durable wait after it widens the window in which its checkpoint is
// committed but the run is not finished, the state in which a resume must not
// call it again.
std::string workflow_json(const std::string& sink) {
  return R"({"id": "crash", "trigger": {"type": "event", "name": "tick"},
    "settings": {"env": ["CRASH_GEN"]},
    "nodes": [
      {"id": "prep", "type": "set", "params": {"fields": {"i": "{{ trigger.i }}"}}},
      {"id": "call", "type": "http.request", "after": "prep",
       "params": {"method": "POST", "url": ")" +
         sink + R"(/hook", "timeout": "10s",
                  "headers": {"X-Generation": "{{ env.CRASH_GEN }}"},
                  "body": {"run": "{{ run.id }}", "i": "{{ nodes.prep.output.i }}"}}},
      {"id": "pause", "type": "wait", "after": "call", "params": {"duration": "40ms"}},
      {"id": "after", "type": "set", "after": "pause",
       "params": {"fields": {"call": "{{ nodes.call.output.call }}", "i": "{{ nodes.prep.output.i }}"}}}
    ]})";
}

[[noreturn]] void die(int code, const std::string& why) {
  std::fprintf(stderr, "crash_child: %s\n", why.c_str());
  std::fflush(stderr);
  ::_exit(code);
}

void append(int fd, const std::string& line) {
  if (::write(fd, line.data(), line.size()) != static_cast<ssize_t>(line.size())) die(4, "cannot write the accepted log");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 6) die(2, "usage: crash_child DB SINK_URL RUNS ACCEPTED_LOG killed|final");
  const std::string db = argv[1], sink = argv[2], log_path = argv[4], mode = argv[5];
  const int runs = std::atoi(argv[3]);
  const bool final_mode = mode == "final";

  // The sink listens on 127.0.0.1, which the outbound policy refuses by default.
  ::setenv("FAMULOR_ALLOW_HOSTS", "127.0.0.1", 1);
  int log_fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  if (log_fd < 0) die(4, "cannot open " + log_path);

  int code = 0;
  {
    Engine engine{EngineOptions{.threads = 2, .db = db}};
    auto wf = engine.parse(workflow_json(sink));
    if (!wf.ok()) die(4, wf.status().to_string());
    if (Status s = engine.install(std::move(wf.value())); !s.ok()) die(4, s.to_string());
    if (Status s = engine.start(); !s.ok()) die(4, s.to_string());
    std::printf("started\n");
    std::fflush(stdout);

    std::atomic<int> next{0}, not_succeeded{0};
    std::vector<std::thread> emitters;
    for (int t = 0; t < kEmitters; ++t)
      emitters.emplace_back([&] {
        std::vector<RunHandle> handles;
        for (int i; (i = next++) < runs;) {
          auto r = engine.emit({.type = "event",
                                .payload = Value::object({{"i", i}}),
                                .name = "tick",
                                .dedupe_key = "event-" + std::to_string(i)});
          if (!r.ok()) die(4, "emit " + std::to_string(i) + ": " + r.status().to_string());
          if (r->size() != 1) die(4, "emit " + std::to_string(i) + " answered " + std::to_string(r->size()) + " runs");
          append(log_fd, std::to_string(i) + " " + r->front().id() + "\n");
          handles.push_back(std::move(r->front()));
        }
        for (auto& h : handles) {
          RunRecord rec = h.wait();
          if (rec.status != RunStatus::succeeded) {
            std::fprintf(stderr, "crash_child: run %s ended %s: %s\n", rec.id.c_str(),
                         std::string(to_string(rec.status)).c_str(), rec.error.c_str());
            not_succeeded++;
          }
        }
      });
    for (auto& t : emitters) t.join();
    if (!final_mode)
      for (;;) ::pause();  // until the parent's SIGKILL
    std::printf("done\n");
    std::fflush(stdout);
    engine.stop();
    code = not_succeeded ? 3 : 0;
  }
  ::close(log_fd);
  return code;
}
