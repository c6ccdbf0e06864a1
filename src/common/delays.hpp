// common/delays.hpp — Delays: "call this after a while" on an IoPool's timers, for
// waits that must not hold a pool thread (a rate limit's next token). The engine
// cancels every pending delay when it stops, so that no timer keeps its pool alive.
//
// Thread-safety: every member is thread-safe. Callbacks run on a pool thread (or on
// the thread calling cancel_all()).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <unordered_map>

namespace famulor::detail {

class IoPool;

class Delays {
 public:
  explicit Delays(IoPool& pool);
  ~Delays();  // cancel_all()
  Delays(const Delays&) = delete;
  Delays& operator=(const Delays&) = delete;

  // Calls fn(true) after `delay`, or fn(false) when cancelled first (or at once,
  // when closed). [Exceptions] fn must not throw.
  void after(std::chrono::steady_clock::duration delay, std::function<void(bool fired)> fn);
  // Cancels every pending delay (their callbacks get false) and refuses new ones
  // until reopen().
  void cancel_all();
  void reopen();

 private:
  struct Pending;
  IoPool& pool_;
  std::mutex m_;
  bool closed_ = false;
  std::uint64_t next_ = 0;
  std::unordered_map<std::uint64_t, std::shared_ptr<Pending>> pending_;
};

}  // namespace famulor::detail
