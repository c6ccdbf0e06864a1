// connector_bench — what connector nodes cost, on examples/workflows/post_call_crm.json
// (six connector calls: three OpenAI recipes, HubSpot upsert + note, Slack).
//
// Figures (medians of several passes; this machine is shared and noisy):
//  - sandbox routing: µs per Sandbox::handle() of a HubSpot contact create, in
//    process (match among every app's routes, checks, record, sample answer);
//  - dry run: runs/s and µs CPU per connector call with nothing sent (params,
//    request building, redaction, sample extraction, scheduling);
//  - sandbox over loopback HTTP: runs/s and connector calls/s with C runs in
//    flight, the engine's HTTP client talking to an in-process SandboxServer
//    (its own one-thread pool) — the whole path a real call takes, minus the
//    network and the app.
//
//   connector_bench [seconds_per_pass=2] [passes=3] [concurrency=16] [threads=2]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <time.h>
#include <vector>

#include "common/io_pool.hpp"
#include "connectors/registry.hpp"
#include "connectors/sandbox.hpp"
#include "connectors/sandbox_server.hpp"
#include "famulor/engine.hpp"

using namespace famulor;
using Clock = std::chrono::steady_clock;

namespace {

double cpu_ns() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec);
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Figures {
  double runs_per_s;
  double cpu_us_per_call;
};

// Keeps `concurrency` runs in flight for `seconds`; counts finished runs.
Figures pass(Engine& engine, const Value& event, double seconds, int concurrency) {
  std::vector<RunHandle> inflight;
  long done = 0, failed = 0;
  auto t0 = Clock::now();
  double c0 = cpu_ns();
  auto until = t0 + std::chrono::duration<double>(seconds);
  while (Clock::now() < until) {
    while (static_cast<int>(inflight.size()) < concurrency) inflight.push_back(engine.run("post_call_crm", event).value());
    RunRecord r = inflight.front().wait();
    inflight.erase(inflight.begin());
    ++done;
    if (r.status != RunStatus::succeeded) ++failed;
  }
  for (auto& h : inflight) h.wait();
  double wall = std::chrono::duration<double>(Clock::now() - t0).count();
  double cpu = cpu_ns() - c0;
  done += static_cast<long>(inflight.size());
  if (failed) std::fprintf(stderr, "  %ld runs failed\n", failed);
  return {static_cast<double>(done) / wall, cpu / 1e3 / static_cast<double>(done * 6)};
}

void bench_engine(const char* label, EngineOptions o, const Value& event, double seconds, int passes, int concurrency) {
  Engine engine(o);
  auto wf = engine.parse(slurp(FAMULOR_SOURCE_DIR "/examples/workflows/post_call_crm.json"));
  if (!wf.ok() || !engine.install(std::move(*wf)).ok() || !engine.start().ok()) {
    std::fprintf(stderr, "cannot install the workflow\n");
    std::exit(1);
  }
  pass(engine, event, 0.3, concurrency);  // warm-up
  std::vector<double> rps, cpu;
  for (int i = 0; i < passes; ++i) {
    auto f = pass(engine, event, seconds, concurrency);
    rps.push_back(f.runs_per_s);
    cpu.push_back(f.cpu_us_per_call);
  }
  std::printf("%-34s %9.0f runs/s  %9.0f calls/s  %7.1f µs CPU/call (whole process)\n", label, median(rps),
              median(rps) * 6, median(cpu));
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = argc > 1 ? std::atof(argv[1]) : 2.0;
  int passes = argc > 2 ? std::atoi(argv[2]) : 3;
  int concurrency = argc > 3 ? std::atoi(argv[3]) : 16;
  unsigned threads = argc > 4 ? static_cast<unsigned>(std::atoi(argv[4])) : 2;
  Value event = Value::parse(slurp(FAMULOR_SOURCE_DIR "/examples/events/call_ended.json")).value();

  {
    connectors::Sandbox sb(connectors::builtin_registry(), "http://sandbox.test");
    connectors::Headers h{{"Authorization", "Bearer x"}, {"Content-Type", "application/json"}};
    std::string body = R"({"properties":{"email":"jane@example.com","phone":"+4930123456"}})";
    std::vector<double> us;
    for (int p = 0; p < passes; ++p) {
      const int n = 20000;
      auto t0 = Clock::now();
      for (int i = 0; i < n; ++i) {
        if (i % 1000 == 0) sb.clear();
        (void)sb.handle("POST", "/hubspot/crm/v3/objects/contacts", h, body);
      }
      us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count() / n);
    }
    std::printf("%-34s %9.2f µs/request\n", "sandbox routing (in process)", median(us));
  }

  EngineOptions dry;
  dry.threads = threads;
  dry.dry_run = true;
  dry.keep_finished_runs = 64;
  bench_engine("dry run (nothing sent)", dry, event, seconds, passes, concurrency);

  detail::IoPool pool(1);
  pool.start();
  connectors::SandboxServer server(pool, connectors::builtin_registry());
  if (!server.start().ok()) return 1;
  EngineOptions sand;
  sand.threads = threads;
  sand.sandbox_url = server.url();
  sand.keep_finished_runs = 64;
  char label[64];
  std::snprintf(label, sizeof label, "sandbox over HTTP, %d in flight", concurrency);
  bench_engine(label, sand, event, seconds, passes, concurrency);
  server.stop();
  pool.stop();
  return 0;
}
