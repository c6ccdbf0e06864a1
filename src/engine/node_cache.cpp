#include "engine/node_cache.hpp"

#include <algorithm>
#include <vector>


namespace famulor::detail {
namespace {

// Compact JSON with object keys sorted, so that equal params make equal keys
// whatever order a template produced them in.
void canonical(const Value& v, std::string& out) {
  if (v.is_object()) {
    std::vector<const Object::Member*> members;
    for (const auto& m : v.as_object()) members.push_back(&m);
    std::sort(members.begin(), members.end(), [](auto* a, auto* b) { return a->first < b->first; });
    out += '{';
    bool first = true;
    for (const auto* m : members) {
      if (!first) out += ',';
      first = false;
      Value(m->first).dump_to(out);
      out += ':';
      canonical(m->second, out);
    }
    out += '}';
  } else if (v.is_array()) {
    out += '[';
    bool first = true;
    for (const Value& e : v.as_array()) {
      if (!first) out += ',';
      first = false;
      canonical(e, out);
    }
    out += ']';
  } else {
    v.dump_to(out);
  }
}

}  // namespace

std::string NodeCache::key(std::string_view type, const Value& params, std::string_view credential) {
  std::string k;
  k.reserve(64);
  k.append(type);
  k += '\n';
  k.append(credential);
  k += '\n';
  canonical(params, k);
  return k;
}

NodeCache::Lookup NodeCache::get(const std::string& key, Clock::time_point now) {
  Lookup out;
  std::lock_guard lk(mu_);
  auto it = index_.find(key);
  if (it == index_.end()) return out;
  Entry& e = *it->second;
  if (now >= e.stale_until) {  // expired: forget it
    lru_.erase(it->second);
    index_.erase(it);
    return out;
  }
  lru_.splice(lru_.begin(), lru_, it->second);
  out.value = e.value;
  if (now < e.fresh_until) {
    out.hit = Hit::fresh;
  } else {
    out.hit = Hit::stale;
    out.revalidate = !e.refreshing;
    e.refreshing = true;
  }
  return out;
}

void NodeCache::put(const std::string& key, Value value, const CachePolicy& policy, Clock::time_point now) {
  if (capacity_ == 0) return;
  std::lock_guard lk(mu_);
  if (auto it = index_.find(key); it != index_.end()) {
    lru_.erase(it->second);
    index_.erase(it);
  }
  lru_.push_front(Entry{key, std::move(value), now + policy.ttl, now + policy.ttl + policy.stale, false});
  index_.emplace(lru_.front().key, lru_.begin());
  while (lru_.size() > capacity_) {
    index_.erase(lru_.back().key);
    lru_.pop_back();
  }
}

void NodeCache::revalidate_failed(const std::string& key) {
  std::lock_guard lk(mu_);
  if (auto it = index_.find(key); it != index_.end()) it->second->refreshing = false;
}

std::size_t NodeCache::size() const {
  std::lock_guard lk(mu_);
  return lru_.size();
}

}  // namespace famulor::detail
