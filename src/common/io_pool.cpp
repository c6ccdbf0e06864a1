#include "common/io_pool.hpp"

#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <atomic>
#include <chrono>
#include <optional>
#include <thread>
#include <vector>

namespace famulor::detail {

struct IoPool::Impl {
  unsigned n;
  asio::io_context ctx;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> guard;
  std::vector<std::thread> workers;
  std::atomic<bool> running{false};
  std::atomic<int> active{0};  // workers still inside ctx.run()

  explicit Impl(unsigned threads) : n(threads), ctx(static_cast<int>(threads)) {}
};

namespace {
thread_local const void* t_current_pool = nullptr;
}

IoPool::IoPool(unsigned threads) {
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  impl_ = std::make_unique<Impl>(threads);
}

IoPool::~IoPool() { stop(); }

void IoPool::start() {
  if (impl_->running.exchange(true)) return;
  impl_->ctx.restart();
  impl_->guard.emplace(impl_->ctx.get_executor());
  for (unsigned i = 0; i < impl_->n; ++i) {
    impl_->active++;
    impl_->workers.emplace_back([this] {
      t_current_pool = this;
      impl_->ctx.run();
      impl_->active--;
    });
  }
}

void IoPool::stop(unsigned drain_ms) {
  if (!impl_->running.exchange(false)) return;
  impl_->guard.reset();  // run() returns once the queue is empty
  auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(drain_ms);
  while (impl_->active.load() > 0 && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  if (impl_->active.load() > 0) impl_->ctx.stop();
  for (auto& t : impl_->workers) t.join();
  impl_->workers.clear();
}

void IoPool::post(std::function<void()> fn) { asio::post(impl_->ctx, std::move(fn)); }

unsigned IoPool::threads() const noexcept { return impl_->n; }
bool IoPool::running() const noexcept { return impl_->running.load(); }
bool IoPool::running_in_this_thread() const noexcept { return t_current_pool == this; }
void* IoPool::native_context() noexcept { return &impl_->ctx; }

}  // namespace famulor::detail
