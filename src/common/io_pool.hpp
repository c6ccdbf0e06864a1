// common/io_pool.hpp — the engine's event loop: one asio::io_context run by N
// worker threads. Everything asynchronous (the scheduler, timers, the HTTP client
// and server) runs on it. This header keeps Asio out; TUs that need the context
// itself include common/io_pool_asio.hpp.
//
// Thread-safety: post() and running_in_this_thread() from any thread; start/stop
// from one controlling thread.
#pragma once

#include <functional>
#include <memory>

namespace famulor::detail {

class IoPool {
 public:
  // threads == 0: std::thread::hardware_concurrency() (at least 1).
  explicit IoPool(unsigned threads = 0);
  ~IoPool();  // stop()
  IoPool(const IoPool&) = delete;
  IoPool& operator=(const IoPool&) = delete;

  // Starts the worker threads. Idempotent.
  void start();
  // Lets queued work drain (no new work is kept alive), then joins the threads.
  // If work is still pending after `drain_ms`, the context is stopped hard.
  // Idempotent; must not be called from a pool thread.
  void stop(unsigned drain_ms = 5000);

  // Runs fn on a pool thread. [Exceptions] fn must not throw.
  void post(std::function<void()> fn);

  unsigned threads() const noexcept;
  bool running() const noexcept;
  // True on one of this pool's worker threads.
  bool running_in_this_thread() const noexcept;

  // The asio::io_context (see io_pool_asio.hpp).
  void* native_context() noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace famulor::detail
