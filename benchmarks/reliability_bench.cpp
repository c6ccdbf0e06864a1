// reliability_bench — what the breaker and the rate limiter add to every outbound
// call: CircuitBreaker::admit + record on a closed breaker (the success path), and
// TokenBucket::reserve on a bucket that never makes the caller wait, from 1 thread
// and from N threads sharing one breaker/bucket (one app, one credential).
//
// Baseline: one connector call over loopback costs ~57 µs of client time (17.4k
// calls/s, benchmarks/README.md): the guards should stay well under 1 % of that.
//
//   reliability_bench [--calls N] [--threads T] [--passes P]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <vector>

#include "common/circuit_breaker.hpp"
#include "common/rate_limiter.hpp"

using namespace famulor::detail;
using Clock = std::chrono::steady_clock;

namespace {

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// ns per operation of `op` run `calls` times on each of `threads` threads.
template <typename Op>
double ns_per_op(int threads, long calls, Op op) {
  auto t0 = Clock::now();
  std::vector<std::thread> ts;
  for (int t = 0; t < threads; ++t)
    ts.emplace_back([&] {
      for (long i = 0; i < calls; ++i) op(i);
    });
  for (auto& t : ts) t.join();
  double ns = std::chrono::duration<double, std::nano>(Clock::now() - t0).count();
  return ns / static_cast<double>(calls);  // wall time per op per thread
}

}  // namespace

int main(int argc, char** argv) {
  long calls = 2'000'000;
  int threads = 2, passes = 5;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--calls")) calls = std::atol(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--threads")) threads = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--passes")) passes = std::atoi(argv[i + 1]);
  }
  for (int n : {1, threads}) {
    std::vector<double> breaker, bucket;
    for (int p = 0; p < passes; ++p) {
      CircuitBreaker b("app", BreakerConfig{});
      breaker.push_back(ns_per_op(n, calls, [&](long i) {
        auto now = Clock::now();
        auto t = b.admit(now);
        b.record(t, (i & 1023) == 0, now);  // 0.1 % failures: stays closed
      }));
      TokenBucket tb(RateConfig{1e12, 1e6});  // never makes anyone wait
      bucket.push_back(ns_per_op(n, calls, [&](long) {
        auto w = tb.reserve(Clock::now());
        if (w.count() < 0) std::abort();
      }));
    }
    std::printf("threads %d: breaker admit+record %.1f ns/call, bucket reserve %.1f ns/call (median of %d x %ld)\n", n,
                median(breaker), median(bucket), passes, calls);
  }
  return 0;
}
