// common/reliability.hpp — what outbound calls share across an engine's runs to
// protect the services they call and themselves: circuit breakers (per connector
// app, per host for http.request), rate limiters (per connector credential), and
// the timers a rate-limited call waits on. See docs/durability.md.
//
// Thread-safety: the sets and Delays are thread-safe; the configs are set up
// before any node runs and read-only afterwards.
#pragma once

#include <map>
#include <string>

#include "common/circuit_breaker.hpp"
#include "common/delays.hpp"
#include "common/rate_limiter.hpp"

namespace famulor::detail {

struct Reliability {
  BreakerSet breakers;
  RateLimiterSet limiters;
  BreakerConfig breaker;                          // every app and host (EngineOptions::circuit_breaker)
  std::map<std::string, BreakerConfig> breaker_for;  // by app id or host (EngineOptions::circuit_breakers)
  std::map<std::string, RateConfig> rate_for;        // by credential name or app id (EngineOptions::rate_limits)
  Delays* delays = nullptr;                       // nullptr: rate limits are not applied

  // The breaker config for `key` (an app id or host): an override, else `fallback`
  // when given (a manifest's own), else the engine default.
  const BreakerConfig& breaker_config(const std::string& key, const BreakerConfig* fallback = nullptr) const {
    if (auto it = breaker_for.find(key); it != breaker_for.end()) return it->second;
    return fallback != nullptr ? *fallback : breaker;
  }
  // The rate for calls with `credential` to `app`: an override by credential name,
  // else by app id, else the manifest's.
  RateConfig rate_config(const std::string& app, const std::string& credential, RateConfig manifest) const {
    if (!credential.empty())
      if (auto it = rate_for.find(credential); it != rate_for.end()) return it->second;
    if (auto it = rate_for.find(app); it != rate_for.end()) return it->second;
    return manifest;
  }
};

}  // namespace famulor::detail
