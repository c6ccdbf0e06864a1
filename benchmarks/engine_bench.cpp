// engine_bench — in-memory throughput of the scheduler on the six-node workflow
// set → if → (two parallel `set` branches on check.true) → merge → respond.
//
// Figures (medians of several passes; this machine is shared and noisy):
//  - direct: the same node work without the scheduler (params evaluated, each
//    built-in executed in topological order, outputs kept) — the baseline;
//  - engine, 1 worker thread: runs/s, and the scheduling overhead per node =
//    (engine time per run − direct time per run) / 6. Runs are started by the
//    completion callbacks of earlier runs (64 chains), so with one worker all the
//    work (accept, schedule, nodes, record) happens on that one thread;
//  - engine, N worker threads (default: the machine's cores): runs/s.
// Targets (PERFORMANCE.md): >= 100k runs/s on 2 cores, < 2 µs overhead per node.
//
//   engine_bench [runs_per_pass=200000] [passes=5] [threads=hardware] [keep_finished_runs=1000]
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <time.h>
#include <vector>

#include "engine/builtin.hpp"
#include "engine/engine_impl.hpp"
#include "engine/scheduler.hpp"
#include "famulor/engine.hpp"

using namespace famulor;
using Clock = std::chrono::steady_clock;

namespace {

constexpr const char* kWorkflow = R"({
  "id": "bench", "trigger": {"type": "manual"},
  "nodes": [
    {"id": "prep", "type": "set", "params": {"fields": {"caller": "{{ trigger.from }}", "minutes": "{{ trigger.duration_s / 60 }}"}}},
    {"id": "check", "type": "if", "after": "prep", "params": {"condition": "{{ trigger.duration_s > 60 }}"}},
    {"id": "crm", "type": "set", "after": "check.true", "params": {"fields": {"contact.phone": "{{ nodes.prep.output.caller }}"}}},
    {"id": "note", "type": "set", "after": "check.true", "params": {"fields": {"note": "long call"}}},
    {"id": "both", "type": "merge", "after": ["crm", "note"]},
    {"id": "answer", "type": "respond", "after": "both", "params": {"value": "{{ nodes.both.output }}"}}
  ]})";

Value payload() {
  return Value::object({{"from", "+4930123456"}, {"duration_s", 95}, {"call_id", "c-1"}});
}

// CPU time of the whole process (all threads), in ns: robust on a shared machine.
double cpu_ns() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec);
}

struct Pass {
  double wall_ns_per_run;
  double cpu_ns_per_run;
};

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// Runs the node work of one run `iterations` times without the scheduler.
Pass direct_pass(detail::EngineImpl& impl, long iterations) {
  auto wf = impl.compiled("bench");
  auto run = impl.new_run(wf, payload(), 0);
  const std::size_t n = wf->nodes.size();
  volatile std::size_t sink = 0;
  auto t0 = Clock::now();
  double c0 = cpu_ns();
  for (long it = 0; it < iterations; ++it) {
    for (std::size_t i = 0; i < n; ++i) run->slots[i].published.store(false, std::memory_order_relaxed);
    for (int v : wf->topo) {
      const detail::CompiledNode& cn = wf->nodes[static_cast<std::size_t>(v)];
      auto params = cn.params.evaluate(run->eval_env());
      if (!params.ok()) std::abort();
      detail::ExecContext ctx(*run, v, params.value());
      detail::NodeResult r;
      if (!cn.builtin->execute(ctx, r) || !r.status.ok()) std::abort();
      auto& slot = run->slots[static_cast<std::size_t>(v)];
      slot.output = std::move(r.output);
      slot.port = std::move(r.port);
      slot.input = std::move(params.value());
      slot.published.store(true, std::memory_order_release);
    }
    sink = sink + run->slots[n - 1].output.size();
  }
  double n_it = static_cast<double>(iterations);
  return {std::chrono::duration<double, std::nano>(Clock::now() - t0).count() / n_it, (cpu_ns() - c0) / n_it};
}

// Completes `total` runs through the engine, `chains` at a time.
Pass engine_pass(Engine& engine, long total, int chains) {
  detail::EngineImpl& impl = engine.impl();
  std::atomic<long> started{0};
  std::atomic<long> finished{0};
  std::atomic<long> failed{0};
  std::mutex m;
  std::condition_variable cv;
  std::function<void()> next = [&] {
    if (started.fetch_add(1) >= total) return;
    auto r = impl.run_workflow("bench", payload());
    if (!r.ok()) std::abort();
    detail::on_run_done(*r.value(), [&](const detail::RunShared& run) {
      if (run.status != RunStatus::succeeded) ++failed;
      if (finished.fetch_add(1) + 1 == total) {
        std::lock_guard lk(m);
        cv.notify_all();
      } else {
        next();
      }
    });
  };
  auto t0 = Clock::now();
  double c0 = cpu_ns();
  for (int c = 0; c < chains; ++c) impl.pool.post(next);
  {
    std::unique_lock lk(m);
    cv.wait(lk, [&] { return finished.load() >= total; });
  }
  double wall = std::chrono::duration<double, std::nano>(Clock::now() - t0).count();
  double cpu = cpu_ns() - c0;
  if (failed) std::fprintf(stderr, "warning: %ld runs failed\n", failed.load());
  return {wall / static_cast<double>(total), cpu / static_cast<double>(total)};
}

std::size_t g_keep = 1000;

std::unique_ptr<Engine> make_engine(unsigned threads) {
  auto engine = std::make_unique<Engine>(EngineOptions{.threads = threads, .keep_finished_runs = g_keep});
  auto wf = engine->parse(kWorkflow, "bench.json");
  if (!wf.ok() || !engine->install(std::move(wf.value())).ok() || !engine->start().ok()) {
    std::fprintf(stderr, "setup failed: %s\n", wf.status().to_string().c_str());
    std::exit(1);
  }
  return engine;
}

}  // namespace

int main(int argc, char** argv) {
  long runs = argc > 1 ? std::atol(argv[1]) : 200'000;
  int passes = argc > 2 ? std::atoi(argv[2]) : 5;
  unsigned threads = argc > 3 ? static_cast<unsigned>(std::atoi(argv[3])) : std::max(1u, std::thread::hardware_concurrency());
  if (argc > 4) g_keep = static_cast<std::size_t>(std::atol(argv[4]));
  const int kNodes = 6;
  const int kChains = 64;

  std::vector<double> dw, dc, ow, oc, mw, mc;
  for (int p = 0; p < passes; ++p) {
    {
      auto engine = make_engine(1);
      Pass d = direct_pass(engine->impl(), runs);
      dw.push_back(d.wall_ns_per_run);
      dc.push_back(d.cpu_ns_per_run);
      Pass o = engine_pass(*engine, runs, kChains);
      ow.push_back(o.wall_ns_per_run);
      oc.push_back(o.cpu_ns_per_run);
    }
    {
      auto engine = make_engine(threads);
      Pass m = engine_pass(*engine, runs, kChains);
      mw.push_back(m.wall_ns_per_run);
      mc.push_back(m.cpu_ns_per_run);
    }
  }
  const double d_w = median(dw), d_c = median(dc), o_w = median(ow), o_c = median(oc), m_w = median(mw),
               m_c = median(mc);
  std::printf("engine_bench: 6-node workflow (set -> if -> 2 parallel set -> merge -> respond), in memory\n");
  std::printf("  %ld runs per pass, %d passes, medians; keep_finished_runs=%zu\n", runs, passes, g_keep);
  std::printf("                                     wall ns/run    runs/s (wall)   CPU ns/run\n");
  std::printf("  direct node work (no scheduler)  %12.0f  %14.0f  %11.0f\n", d_w, 1e9 / d_w, d_c);
  std::printf("  engine, 1 worker thread          %12.0f  %14.0f  %11.0f\n", o_w, 1e9 / o_w, o_c);
  std::printf("  engine, %2u worker threads        %12.0f  %14.0f  %11.0f\n", threads, m_w, 1e9 / m_w, m_c);
  std::printf("  runs/s, %u threads (wall)          %.0f   target >= 100000 on 2 cores\n", threads, 1e9 / m_w);
  std::printf("  runs/s per CPU core (1 thread)     %.0f   (1e9 / CPU ns per run)\n", 1e9 / o_c);
  std::printf("  scheduling overhead per node       %.0f ns CPU, %.0f ns wall   target < 2000 ns\n",
              (o_c - d_c) / kNodes, (o_w - d_w) / kNodes);
  std::printf("  speed-up %u threads vs 1 (wall)    %.2fx\n", threads, o_w / m_w);
  return 0;
}
