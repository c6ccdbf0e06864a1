// store_bench — durable runs/s: the engine running a 6-node workflow with every
// node checkpointed in SQLite, against the same engine in memory, at 1 and 32
// concurrent emitters; and the store alone (one run row + six checkpoints + the
// outcome per run) with synchronous=NORMAL and FULL.
//
// Baselines (PERFORMANCE.md): ≥ 20,000 durable runs/s on 2 cores; the physical
// limit of one SQLite writer here is ~30k runs/s of one run row with a 2 KB payload
// plus six step rows in batches of 500.
//
// Each line also gives the process's CPU time (user + system) per run, the
// steadier figure on a shared machine.
//
//   store_bench [--runs N] [--passes P] [--only engine|memory|durable|store] [--emitters N]
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include <famulor/engine.hpp>
#include <sys/resource.h>
#include <unistd.h>

#include "common/clock.hpp"
#include "store/sqlite_store.hpp"

using namespace famulor;
using Clock = std::chrono::steady_clock;

namespace {

// The engine benchmark's 6-node workflow (benchmarks/engine_bench.cpp), triggered by emit.
constexpr const char* kWorkflow = R"({
  "id": "bench", "trigger": {"type": "event"},
  "nodes": [
    {"id": "prep", "type": "set", "params": {"fields": {"caller": "{{ trigger.from }}", "minutes": "{{ trigger.duration_s / 60 }}"}}},
    {"id": "check", "type": "if", "after": "prep", "params": {"condition": "{{ trigger.duration_s > 60 }}"}},
    {"id": "crm", "type": "set", "after": "check.true", "params": {"fields": {"contact.phone": "{{ nodes.prep.output.caller }}"}}},
    {"id": "note", "type": "set", "after": "check.true", "params": {"fields": {"note": "long call"}}},
    {"id": "both", "type": "merge", "after": ["crm", "note"]},
    {"id": "answer", "type": "respond", "after": "both", "params": {"value": "{{ nodes.both.output }}"}}
  ]})";

Value payload(int i) {
  return Value::object({{"call_id", "call-" + std::to_string(i)},
                        {"from", "+4930123456"},
                        {"duration_s", 95},
                        {"transcript", std::string(2000, 't')}});
}

double cpu_seconds() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  auto sec = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
  return sec(u.ru_utime) + sec(u.ru_stime);
}

// runs/s and CPU µs per run of one pass.
struct Pass {
  double runs_per_s = 0;
  double cpu_us = 0;
};

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// Runs `total` runs through an engine with `emitters` threads.
Pass engine_pass(const std::string& db, int emitters, int total) {
  Engine engine{EngineOptions{.threads = 2, .db = db}};
  auto wf = engine.parse(kWorkflow);
  if (!wf.ok() || !engine.install(std::move(wf.value())).ok() || !engine.start().ok()) {
    std::fprintf(stderr, "store_bench: engine setup failed\n");
    std::exit(1);
  }
  std::atomic<int> next{0}, failed{0};
  double c0 = cpu_seconds();
  auto t0 = Clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < emitters; ++t)
    threads.emplace_back([&] {
      for (int i; (i = next++) < total;) {
        auto r = engine.emit({.type = "event", .payload = payload(i)});
        if (!r.ok() || r.value().size() != 1 || r.value()[0].wait().status != RunStatus::succeeded) failed++;
      }
    });
  for (auto& t : threads) t.join();
  double secs = std::chrono::duration<double>(Clock::now() - t0).count();
  double cpu = cpu_seconds() - c0;
  engine.stop();
  if (failed) std::fprintf(stderr, "store_bench: %d runs failed\n", failed.load());
  return {total / secs, cpu * 1e6 / total};
}

// The store alone: per run one accept (2 KB trigger), six checkpoints, one outcome.
Pass store_pass(const std::string& db, store::Durability d, int emitters, int total) {
  auto s = store::open_sqlite_store(db, {.durability = d});
  if (!s.ok()) {
    std::fprintf(stderr, "store_bench: %s\n", s.status().to_string().c_str());
    std::exit(1);
  }
  auto& st = *s.value();
  std::atomic<int> next{0};
  double c0 = cpu_seconds();
  auto t0 = Clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < emitters; ++t)
    threads.emplace_back([&] {
      for (int i; (i = next++) < total;) {
        std::string id = detail::new_run_id();
        store::AcceptRequest req;
        req.runs.push_back({id, "bench", 1, payload(i), detail::now_ms()});
        if (!st.accept_sync(std::move(req)).ok()) std::abort();
        for (const char* node : {"prep", "check", "crm", "note", "both", "answer"})
          st.checkpoint({.run_id = id, .node_id = node, .output = Value::object({{"x", i}}), .attempts = 1});
        st.finish_run({.run_id = id, .status = RunStatus::succeeded, .finished_ms = detail::now_ms()});
      }
    });
  for (auto& t : threads) t.join();
  if (!st.flush().ok()) std::abort();
  return {total / std::chrono::duration<double>(Clock::now() - t0).count(), (cpu_seconds() - c0) * 1e6 / total};
}

}  // namespace

int main(int argc, char** argv) {
  int runs = 20'000, passes = 3;
  std::string only;
  std::vector<int> emitter_counts = {1, 32};
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--runs") runs = std::atoi(argv[i + 1]);
    else if (a == "--passes") passes = std::atoi(argv[i + 1]);
    else if (a == "--only") only = argv[i + 1];
    else if (a == "--emitters") emitter_counts = {std::atoi(argv[i + 1])};
  }
  auto dir = std::filesystem::temp_directory_path() / ("famulor-store-bench-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  int n = 0;
  auto fresh_db = [&] {
    std::string name = "b";
    name += std::to_string(n++);
    name += ".db";
    return (dir / name).string();
  };
  auto medians = [](const std::vector<Pass>& v) {
    std::vector<double> r, c;
    for (const auto& p : v) {
      r.push_back(p.runs_per_s);
      c.push_back(p.cpu_us);
    }
    return Pass{median(r), median(c)};
  };

  std::printf("store_bench: %d runs per pass, median of %d passes, 6-node workflow, 2 KB trigger\n", runs, passes);
  std::printf("%-34s %10s %12s %14s\n", "mode", "emitters", "runs/s", "CPU us/run");
  if (only == "durable" || only == "memory") {  // for profiling: one engine mode alone
    for (int emitters : emitter_counts)
      for (int p = 0; p < passes; ++p) {
        Pass d = engine_pass(only == "memory" ? "" : fresh_db(), emitters, runs);
        std::printf("%-34s %10d %12.0f %14.1f\n", only == "memory" ? "engine, in memory" : "engine, durable (normal)",
                    emitters, d.runs_per_s, d.cpu_us);
      }
  }
  if (only.empty() || only == "engine") {
    for (int emitters : emitter_counts) {
      std::vector<Pass> mem, dur;
      for (int p = 0; p < passes; ++p) {
        mem.push_back(engine_pass("", emitters, runs));
        dur.push_back(engine_pass(fresh_db(), emitters, runs));
      }
      Pass m = medians(mem), d = medians(dur);
      std::printf("%-34s %10d %12.0f %14.1f\n", "engine, in memory", emitters, m.runs_per_s, m.cpu_us);
      std::printf("%-34s %10d %12.0f %14.1f   (%.2fx in-memory time, %.2fx CPU; target >= 20000)\n",
                  "engine, durable (normal)", emitters, d.runs_per_s, d.cpu_us, m.runs_per_s / d.runs_per_s,
                  d.cpu_us / m.cpu_us);
    }
  }
  if (only.empty() || only == "store") {
    for (auto [name, d] : {std::pair{"store only, synchronous=NORMAL", store::Durability::normal},
                           std::pair{"store only, synchronous=FULL", store::Durability::full}}) {
      std::vector<Pass> v;
      for (int p = 0; p < passes; ++p) v.push_back(store_pass(fresh_db(), d, 32, runs));
      Pass m = medians(v);
      std::printf("%-34s %10d %12.0f %14.1f\n", name, 32, m.runs_per_s, m.cpu_us);
    }
  }
  std::filesystem::remove_all(dir);
  return 0;
}
