// engine/node_cache.hpp — the per-node lookup cache (a node's `"cache"` key): a
// bounded LRU of successful node outputs, keyed by node type + resolved params
// (canonical JSON) + credential name, with a time to live and an optional
// stale-while-revalidate window (internal API; docs/voice.md, "Cache").
//
// Thread-safety: NodeCache is thread-safe (one mutex; lookups copy the Value out).
#pragma once

#include <chrono>
#include <cstddef>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "common/cache_policy.hpp"
#include "famulor/status.hpp"
#include "famulor/value.hpp"

namespace famulor::detail {

class NodeCache {
 public:
  using Clock = std::chrono::steady_clock;
  explicit NodeCache(std::size_t capacity) : capacity_(capacity) {}

  enum class Hit { miss, fresh, stale };
  struct Lookup {
    Hit hit = Hit::miss;
    Value value;
    bool revalidate = false;  // stale, and this caller is the one to refresh it
  };

  // The key of one node call: type, params in canonical JSON (object keys sorted),
  // credential name.
  static std::string key(std::string_view type, const Value& params, std::string_view credential);

  Lookup get(const std::string& key, Clock::time_point now = Clock::now());
  void put(const std::string& key, Value value, const CachePolicy& policy, Clock::time_point now = Clock::now());
  // A revalidation failed: the next stale hit may try again.
  void revalidate_failed(const std::string& key);
  std::size_t size() const;

 private:
  struct Entry {
    std::string key;
    Value value;
    Clock::time_point fresh_until;
    Clock::time_point stale_until;
    bool refreshing = false;
  };
  mutable std::mutex mu_;
  std::size_t capacity_;
  std::list<Entry> lru_;  // most recently used first
  std::unordered_map<std::string_view, std::list<Entry>::iterator> index_;  // keys view Entry::key
};

}  // namespace famulor::detail
