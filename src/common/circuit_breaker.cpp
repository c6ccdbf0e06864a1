#include "common/circuit_breaker.hpp"

#include <algorithm>
#include <ctime>

#include "common/duration.hpp"

namespace famulor::detail {
namespace {

// "2026-11-27T18:40:12Z" for a steady-clock instant.
std::string utc_text(CircuitBreaker::Clock::time_point at, CircuitBreaker::Clock::time_point now) {
  auto wall = std::chrono::system_clock::now() +
              std::chrono::duration_cast<std::chrono::system_clock::duration>(at - now);
  std::time_t t = std::chrono::system_clock::to_time_t(wall);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace

CircuitBreaker::CircuitBreaker(std::string name, BreakerConfig config)
    : name_(std::move(name)),
      cfg_(config),
      bucket_len_(std::max<Clock::duration>(std::chrono::duration_cast<Clock::duration>(config.window) / kBuckets,
                                            Clock::duration(1))) {}

void CircuitBreaker::count_locked(bool failure, Clock::time_point now) {
  const std::int64_t epoch = now.time_since_epoch() / bucket_len_;
  Bucket& b = buckets_[static_cast<std::size_t>(epoch % kBuckets)];
  if (b.epoch != epoch) b = Bucket{epoch, 0, 0};
  ++b.calls;
  if (failure) ++b.failures;
}

void CircuitBreaker::totals_locked(Clock::time_point now, int& calls, int& failures) const {
  const std::int64_t epoch = now.time_since_epoch() / bucket_len_;
  calls = failures = 0;
  for (const Bucket& b : buckets_)
    if (b.epoch > epoch - kBuckets && b.epoch <= epoch) {
      calls += b.calls;
      failures += b.failures;
    }
}

void CircuitBreaker::open_locked(Clock::time_point now) {
  state_ = State::open;
  open_until_ = now + cfg_.cool_down;
  probes_in_flight_ = 0;
}

CircuitBreaker::Ticket CircuitBreaker::admit(Clock::time_point now) {
  Ticket t;
  if (!cfg_.enabled) return t;
  std::lock_guard lk(m_);
  if (state_ == State::closed) return t;
  if (state_ == State::open) {
    if (now < open_until_) {
      t.allowed = false;
      t.retry_at = open_until_;
      return t;
    }
    state_ = State::half_open;
    probes_in_flight_ = 0;
  }
  if (probes_in_flight_ < std::max(cfg_.probes, 1)) {
    ++probes_in_flight_;
    t.probe = true;
    return t;
  }
  // Probes are out: ask again a little later (a tenth of the cool-down, >= 100 ms).
  t.allowed = false;
  t.retry_at = now + std::max<Clock::duration>(cfg_.cool_down / 10, std::chrono::milliseconds(100));
  return t;
}

void CircuitBreaker::record(const Ticket& ticket, bool failure, Clock::time_point now) {
  if (!cfg_.enabled || !ticket.allowed) return;
  std::lock_guard lk(m_);
  if (ticket.probe) {
    if (state_ != State::half_open) return;  // another probe already decided
    --probes_in_flight_;
    if (failure) {
      tripped_calls_ = 1;
      tripped_failures_ = 1;
      open_locked(now);
    } else {
      state_ = State::closed;
      buckets_.fill(Bucket{});
    }
    return;
  }
  if (state_ != State::closed) return;  // admitted before it opened: already judged
  count_locked(failure, now);
  if (!failure) return;
  int calls = 0, failures = 0;
  totals_locked(now, calls, failures);
  if (calls >= std::max(cfg_.min_calls, 1) &&
      static_cast<double>(failures) >= cfg_.failure_ratio * static_cast<double>(calls)) {
    tripped_calls_ = calls;
    tripped_failures_ = failures;
    open_locked(now);
  }
}

void CircuitBreaker::abandon(const Ticket& ticket) {
  if (!cfg_.enabled || !ticket.probe) return;
  std::lock_guard lk(m_);
  if (state_ == State::half_open && probes_in_flight_ > 0) --probes_in_flight_;
}

void CircuitBreaker::settle(const Ticket& ticket, StatusCode transport_error, int http_status, Clock::time_point now) {
  if (transport_error != StatusCode::ok && !counts_against_breaker(transport_error, 0)) return abandon(ticket);
  record(ticket, counts_against_breaker(transport_error, http_status), now);
}

CircuitBreaker::State CircuitBreaker::state(Clock::time_point now) const {
  std::lock_guard lk(m_);
  if (state_ == State::open && now >= open_until_) return State::half_open;
  return state_;
}

Status CircuitBreaker::refusal(const Ticket& ticket, Clock::time_point now) const {
  int calls, failures;
  {
    std::lock_guard lk(m_);
    calls = tripped_calls_;
    failures = tripped_failures_;
  }
  std::string msg = "circuit open for " + name_ + " until " + utc_text(ticket.retry_at, now) + " (";
  if (calls == 1 && failures == 1)
    msg += "a probe call failed";
  else
    msg += std::to_string(failures) + " of " + std::to_string(calls) + " calls failed in the last " +
           format_duration(cfg_.window);
  msg += "); not calling it until then";
  return Status(StatusCode::unavailable, std::move(msg));
}

Result<BreakerConfig> parse_breaker_config(const Value& v, const std::string& where) {
  if (!v.is_object()) return invalid_argument(where + " must be an object");
  BreakerConfig c;
  for (const auto& [key, x] : v.as_object()) {
    const std::string at = where + "." + key;
    if (key == "enabled") {
      if (!x.is_bool()) return invalid_argument(at + " must be true or false");
      c.enabled = x.as_bool();
    } else if (key == "failure_ratio") {
      if (!x.is_number() || !(x.as_double() > 0) || x.as_double() > 1)
        return invalid_argument(at + " must be a number above 0 and at most 1");
      c.failure_ratio = x.as_double();
    } else if (key == "min_calls" || key == "probes") {
      if (!x.is_int() || x.as_int() < 1 || x.as_int() > 1'000'000)
        return invalid_argument(at + " must be an integer from 1 to 1000000");
      (key == "min_calls" ? c.min_calls : c.probes) = static_cast<int>(x.as_int());
    } else if (key == "window" || key == "cool_down") {
      auto d = duration_from_value(x);
      if (!d.ok()) return invalid_argument(at + ": " + d.status().message());
      if (d->count() <= 0) return invalid_argument(at + " must be positive");
      (key == "window" ? c.window : c.cool_down) = *d;
    } else {
      return invalid_argument(where + " has unknown key '" + key +
                              "' (known: enabled, failure_ratio, min_calls, window, cool_down, probes)");
    }
  }
  return c;
}

std::shared_ptr<CircuitBreaker> BreakerSet::get(const std::string& key, const BreakerConfig& config) {
  std::lock_guard lk(m_);
  auto& slot = map_[key];
  if (!slot) slot = std::make_shared<CircuitBreaker>(key, config);
  return slot;
}

bool counts_against_breaker(StatusCode transport_error, int http_status) noexcept {
  if (transport_error != StatusCode::ok)
    return transport_error == StatusCode::unavailable || transport_error == StatusCode::deadline_exceeded;
  return http_status >= 500 || http_status == 429;
}

}  // namespace famulor::detail
