// common/cache_policy.hpp — a node's `"cache"` key: how long its output may be
// answered from the lookup cache (internal API; read by the workflow parser, which
// reports a bad value where it is, and by the engine's node cache).
//
// Thread-safety: plain values and a pure function.
#pragma once

#include <chrono>

#include "famulor/status.hpp"
#include "famulor/value.hpp"

namespace famulor::detail {

struct CachePolicy {
  std::chrono::milliseconds ttl{0};    // fresh for this long
  std::chrono::milliseconds stale{0};  // then answered stale (and refreshed) for this long
};

// Reads "5m" (or milliseconds), or {"ttl": "5m", "stale": "1h"}; invalid_argument
// saying what is wrong.
Result<CachePolicy> cache_policy_from_value(const Value& v);

}  // namespace famulor::detail
