// schedule_bench — what schedules cost:
//  - next fire: Schedule::next_after for a business-hours cron in Europe/Berlin
//    (field jumping + tz lookups), against the baseline of stepping through local
//    minutes and testing each (what a naive cron loop does);
//  - missed slots: due_slots for a year of downtime of a per-second cron (the
//    latest 1000), i.e. the computing part of catch-up;
//  - catch-up on start: Engine::start() with 1000 missed slots (catch_up "all") on
//    SQLite, i.e. 1000 fires each accepted in its own commit before start() returns.
//
//   schedule_bench [--passes P]
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <famulor/engine.hpp>
#include <unistd.h>

#include "engine/engine_impl.hpp"
#include "schedule/schedule.hpp"

using namespace famulor;
using namespace famulor::detail;
using Clock = std::chrono::steady_clock;

namespace {

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

Schedule schedule(const char* json) {
  auto v = Value::parse(json);
  auto s = schedule_from_config(v.value());
  if (!s.ok()) {
    std::fprintf(stderr, "bad schedule: %s\n", s.status().to_string().c_str());
    std::exit(1);
  }
  return s.value();
}

const std::int64_t kStart = 1767225600000;  // 2026-01-01T00:00:00Z

// ns per slot: next_after over a year of "*/5 9-17 * * MON-FRI" in Berlin.
double next_fire_ns(const Schedule& s, int& slots) {
  auto t0 = Clock::now();
  slots = 0;
  const std::int64_t end = kStart + 365LL * 86400000;
  for (std::int64_t t = *s.next_after(kStart, 0); t < end; t = *s.next_after(t, 0)) ++slots;
  return seconds_since(t0) * 1e9 / slots;
}

// The baseline: step local minute by minute and test every field.
double naive_ns(const Schedule& s, int& slots) {
  const CronExpr& c = *s.cron;
  auto t0 = Clock::now();
  slots = 0;
  std::int64_t t = s.zone.to_local(kStart / 1000);
  const std::int64_t end = t + 365LL * 86400;
  for (; t < end; t += 60) {
    if (c.next_local(t) == t) {  // one-step check of this minute (no jumping)
      (void)s.zone.from_local(t);
      ++slots;
    }
  }
  return seconds_since(t0) * 1e9 / std::max(slots, 1);
}

double catch_up_start_ms(const std::string& db) {
  std::filesystem::remove(db);
  std::filesystem::remove(db + "-wal");
  std::filesystem::remove(db + "-shm");
  auto clock = std::make_shared<std::atomic<std::int64_t>>(kStart);
  const char* wf = R"({"id": "tick", "trigger": {"type": "schedule", "cron": "* * * * *", "catch_up": "all"},
                       "nodes": [{"id": "n", "type": "noop"}]})";
  for (int pass = 0; pass < 2; ++pass) {
    Engine e{EngineOptions{.threads = 2, .db = db}};
    e.impl().set_schedule_clock([clock] { return clock->load(); });
    auto w = e.parse(wf);
    if (!w.ok() || !e.install(std::move(w.value())).ok()) std::exit(1);
    auto t0 = Clock::now();
    if (!e.start().ok()) std::exit(1);
    const double ms = seconds_since(t0) * 1e3;
    if (pass == 1) {
      const auto st = e.impl().schedule_state("tick");
      if (!st || st->fired != 1000) std::fprintf(stderr, "expected 1000 fires, got %llu\n",
                                                 st ? static_cast<unsigned long long>(st->fired) : 0ULL);
      return ms;
    }
    clock->store(kStart + 2000LL * 60000);  // 2000 minutes down: the latest 1000 fire
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  int passes = 5;
  for (int i = 1; i + 1 < argc; ++i)
    if (std::strcmp(argv[i], "--passes") == 0) passes = std::max(1, std::atoi(argv[i + 1]));

  const Schedule business = schedule(R"({"cron": "*/5 9-17 * * MON-FRI", "timezone": "Europe/Berlin"})");
  const Schedule every_second = schedule(R"({"cron": "* * * * * *"})");
  std::vector<double> next_v, naive_v, due_v, start_v;
  int slots = 0, naive_slots = 0;
  const std::string db = (std::filesystem::temp_directory_path() / ("schedule_bench_" + std::to_string(::getpid()) + ".db")).string();
  for (int p = 0; p < passes; ++p) {
    next_v.push_back(next_fire_ns(business, slots));
    naive_v.push_back(naive_ns(business, naive_slots));
    auto t0 = Clock::now();
    auto d = due_slots(every_second, kStart, kStart + 365LL * 86400000, 0, kMaxCatchUpFires);
    due_v.push_back(seconds_since(t0) * 1e6);
    if (d.slots.size() != kMaxCatchUpFires) std::fprintf(stderr, "due_slots: %zu\n", d.slots.size());
    start_v.push_back(catch_up_start_ms(db));
  }
  std::filesystem::remove(db);
  std::filesystem::remove(db + "-wal");
  std::filesystem::remove(db + "-shm");
  std::printf("schedule_bench (median of %d passes)\n", passes);
  std::printf("  next fire, */5 9-17 * * MON-FRI Berlin   %8.0f ns/slot  (%d slots in 2026)\n", median(next_v), slots);
  std::printf("  baseline: minute stepping                %8.0f ns/slot  (%d slots)\n", median(naive_v), naive_slots);
  std::printf("  missed slots, 1 year of * * * * * *      %8.0f us       (latest %zu)\n", median(due_v), kMaxCatchUpFires);
  std::printf("  Engine::start with 1000 missed fires     %8.1f ms       (%.0f fires/s, SQLite)\n", median(start_v),
              1000.0 / (median(start_v) / 1e3));
  return 0;
}
