#include "common/cache_policy.hpp"

#include "common/duration.hpp"

namespace famulor::detail {

Result<CachePolicy> cache_policy_from_value(const Value& v) {
  CachePolicy p;
  if (v.is_object()) {
    for (const auto& [k, val] : v.as_object())
      if (k != "ttl" && k != "stale") return invalid_argument("`cache` has unknown key '" + k + "' (use ttl, stale)");
    const Value* ttl = v.find("ttl");
    if (!ttl) return invalid_argument("`cache` needs a \"ttl\" (a duration such as \"5m\")");
    auto t = duration_from_value(*ttl);
    if (!t.ok()) return invalid_argument("`cache.ttl`: " + t.status().message());
    p.ttl = t.value();
    if (const Value* stale = v.find("stale")) {
      auto s = duration_from_value(*stale);
      if (!s.ok()) return invalid_argument("`cache.stale`: " + s.status().message());
      p.stale = s.value();
    }
  } else {
    auto t = duration_from_value(v);
    if (!t.ok())
      return invalid_argument("`cache` must be a duration (\"5m\") or {\"ttl\", \"stale\"}: " + t.status().message());
    p.ttl = t.value();
  }
  if (p.ttl.count() <= 0) return invalid_argument("`cache` ttl must be more than 0");
  return p;
}

}  // namespace famulor::detail
