#include "common/rate_limiter.hpp"

#include <algorithm>
#include <cmath>

namespace famulor::detail {
namespace {

TokenBucket::Clock::duration interval_of(const RateConfig& c) {
  if (!(c.per_second > 0)) return TokenBucket::Clock::duration::zero();
  return std::chrono::duration_cast<TokenBucket::Clock::duration>(std::chrono::duration<double>(1.0 / c.per_second));
}

double burst_of(const RateConfig& c) { return c.burst > 0 ? c.burst : std::max(1.0, c.per_second); }

}  // namespace

TokenBucket::TokenBucket(RateConfig config)
    : cfg_(config),
      interval_(interval_of(config)),
      tolerance_(std::chrono::duration_cast<Clock::duration>(interval_ * (std::floor(burst_of(config)) - 1))) {}

TokenBucket::Clock::duration TokenBucket::reserve(Clock::time_point now) {
  if (interval_ == Clock::duration::zero()) return Clock::duration::zero();
  std::lock_guard lk(m_);
  const Clock::time_point tat = std::max(tat_, now);
  const Clock::time_point allowed_at = tat - tolerance_;
  tat_ = tat + interval_;
  return allowed_at > now ? allowed_at - now : Clock::duration::zero();
}

void TokenBucket::pause_until(Clock::time_point until) {
  std::lock_guard lk(m_);
  // The next reservation is allowed at `until` at the earliest, with no burst credit.
  tat_ = std::max(tat_, until + tolerance_);
}

std::shared_ptr<TokenBucket> RateLimiterSet::get(const std::string& key, const RateConfig& config) {
  if (!(config.per_second > 0)) return nullptr;
  std::lock_guard lk(m_);
  auto& slot = map_[key];
  if (!slot) slot = std::make_shared<TokenBucket>(config);
  return slot;
}

}  // namespace famulor::detail
