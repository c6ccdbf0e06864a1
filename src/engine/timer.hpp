// engine/timer.hpp — Timer: a one-shot steady-clock timer on the engine's IoPool,
// keeping Asio out of the scheduler's headers (internal API).
//
// Thread-safety: start/cancel/destruction from any thread, but not concurrently
// for one Timer (its owner serializes them, usually under a run's lock). The
// callback runs on a pool thread. A Timer must be destroyed while its IoPool's
// io_context still exists (see the engine lifetime rule in run_state.hpp).
#pragma once

#include <chrono>
#include <functional>
#include <memory>

namespace famulor::detail {

class IoPool;

class Timer {
 public:
  explicit Timer(IoPool& pool);
  ~Timer();  // cancels: the callback then gets fired == false
  Timer(const Timer&) = delete;
  Timer& operator=(const Timer&) = delete;

  // Calls fn(true) after `delay`, or fn(false) when cancelled or destroyed first.
  // [Exceptions] fn must not throw.
  void start(std::chrono::steady_clock::duration delay, std::function<void(bool fired)> fn);
  void cancel() noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace famulor::detail
