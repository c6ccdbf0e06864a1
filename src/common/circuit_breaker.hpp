// common/circuit_breaker.hpp — CircuitBreaker: stops calling a failing service for
// a while, and BreakerSet: one breaker per key (a connector app, an HTTP host),
// shared by every run of an engine.
//
// A breaker is closed (calls go through) until, within a rolling window, at least
// `min_calls` calls were made and at least `failure_ratio` of them failed. It then
// opens: every call fails fast until `cool_down` has passed. Then it is half-open:
// up to `probes` calls go through; the first probe that succeeds closes it (and
// forgets the window), a probe that fails opens it again for another cool-down.
// What counts as a failure is the caller's choice (see counts_against_breaker).
//
// Thread-safety: every member is thread-safe. admit() and record() take one short
// uncontended mutex; the closed-state success path does no allocation.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "famulor/status.hpp"
#include "famulor/value.hpp"

namespace famulor::detail {

struct BreakerConfig {
  bool enabled = true;
  double failure_ratio = 0.5;                   // open at this share of failed calls...
  int min_calls = 10;                           // ...once the window holds at least this many
  std::chrono::milliseconds window{30'000};     // the rolling window
  std::chrono::milliseconds cool_down{30'000};  // open this long before probing
  int probes = 1;                               // calls let through at once while half-open
};

// {"enabled", "failure_ratio", "min_calls", "window", "cool_down", "probes"} (a
// manifest's "circuit_breaker"); keys left out keep the defaults. Errors name the
// key under `where`.
Result<BreakerConfig> parse_breaker_config(const Value& v, const std::string& where);

class CircuitBreaker {
 public:
  using Clock = std::chrono::steady_clock;
  enum class State { closed, open, half_open };

  // The answer to "may I call now?".
  struct Ticket {
    bool allowed = true;
    bool probe = false;          // a half-open probe: its outcome decides the state
    Clock::time_point retry_at;  // refused: when calling again may be let through
  };

  CircuitBreaker(std::string name, BreakerConfig config);

  const std::string& name() const noexcept { return name_; }
  const BreakerConfig& config() const noexcept { return cfg_; }

  Ticket admit(Clock::time_point now = Clock::now());
  // The outcome of an admitted call (`failure`: it counts against the service).
  void record(const Ticket& ticket, bool failure, Clock::time_point now = Clock::now());
  // An admitted call that was never made (cancelled before sending): frees its probe.
  void abandon(const Ticket& ticket);
  // The outcome of an HTTP call: record() with counts_against_breaker(), except a
  // call that says nothing about the service (cancelled, refused by the outbound
  // policy, a bad URL), which is abandon()ed so that it cannot close a breaker.
  void settle(const Ticket& ticket, StatusCode transport_error, int http_status, Clock::time_point now = Clock::now());
  State state(Clock::time_point now = Clock::now()) const;

  // The error a refused call fails with: unavailable, "circuit open for NAME until
  // <UTC time> (F of N calls failed in the last W)".
  Status refusal(const Ticket& ticket, Clock::time_point now = Clock::now()) const;

 private:
  static constexpr int kBuckets = 10;
  struct Bucket {
    std::int64_t epoch = -1;  // which bucket-length slot of time it counts
    int calls = 0;
    int failures = 0;
  };
  void count_locked(bool failure, Clock::time_point now);
  void totals_locked(Clock::time_point now, int& calls, int& failures) const;
  void open_locked(Clock::time_point now);

  const std::string name_;
  const BreakerConfig cfg_;
  const Clock::duration bucket_len_;
  mutable std::mutex m_;
  State state_ = State::closed;
  std::array<Bucket, kBuckets> buckets_{};
  Clock::time_point open_until_{};
  int probes_in_flight_ = 0;
  int tripped_calls_ = 0;     // the window when it last opened (for the message)
  int tripped_failures_ = 0;
};

// Breakers by key, created on first use with the config given then.
class BreakerSet {
 public:
  std::shared_ptr<CircuitBreaker> get(const std::string& key, const BreakerConfig& config);

 private:
  std::mutex m_;
  std::unordered_map<std::string, std::shared_ptr<CircuitBreaker>> map_;
};

// Whether an HTTP outcome counts against a breaker: transport failures that say the
// service is unwell (unavailable: connection refused/reset, DNS; deadline_exceeded:
// timeouts), and answers 5xx and 429. Not 4xx (the request was wrong, the service is
// fine), not a refusal by the outbound policy, not a cancellation.
bool counts_against_breaker(StatusCode transport_error, int http_status) noexcept;

}  // namespace famulor::detail
