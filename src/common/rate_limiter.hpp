// common/rate_limiter.hpp — TokenBucket: a rate limit shared by every run that
// calls with one credential, and RateLimiterSet: one bucket per key.
//
// A bucket lets `burst` calls through at once and refills at `per_second`. It does
// not block: reserve() takes the next token and says how long the caller must wait
// before using it (0 = now), so the caller waits on a timer, not on a thread
// (GCRA: one "theoretical arrival time" per bucket). pause_until() honours a
// server's 429 Retry-After: no token is handed out for use before that instant.
//
// Thread-safety: every member is thread-safe (one short mutex per bucket).
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace famulor::detail {

struct RateConfig {
  double per_second = 0;  // <= 0: no limit
  double burst = 0;       // tokens available at once; <= 0: max(1, per_second)
};

class TokenBucket {
 public:
  using Clock = std::chrono::steady_clock;
  explicit TokenBucket(RateConfig config);

  // Takes a token; returns how long to wait before the call may be sent.
  Clock::duration reserve(Clock::time_point now = Clock::now());
  // No call is sent before `until` (a 429's Retry-After); later calls are spaced
  // from then at the bucket's rate.
  void pause_until(Clock::time_point until);
  const RateConfig& config() const noexcept { return cfg_; }

 private:
  const RateConfig cfg_;
  const Clock::duration interval_;   // one token's worth of time
  const Clock::duration tolerance_;  // (burst - 1) intervals
  std::mutex m_;
  Clock::time_point tat_{};          // theoretical arrival time of the next call
};

// Buckets by key (e.g. "hubspot/crm-main"), created on first use.
class RateLimiterSet {
 public:
  // nullptr when `config` sets no limit.
  std::shared_ptr<TokenBucket> get(const std::string& key, const RateConfig& config);

 private:
  std::mutex m_;
  std::unordered_map<std::string, std::shared_ptr<TokenBucket>> map_;
};

}  // namespace famulor::detail
