#include "engine/timer.hpp"

#include <asio/steady_timer.hpp>

#include "common/io_pool_asio.hpp"

namespace famulor::detail {

struct Timer::Impl {
  explicit Impl(asio::io_context& ctx) : t(ctx) {}
  asio::steady_timer t;
};

Timer::Timer(IoPool& pool) : impl_(std::make_unique<Impl>(io_context(pool))) {}
Timer::~Timer() = default;

void Timer::start(std::chrono::steady_clock::duration delay, std::function<void(bool)> fn) {
  impl_->t.expires_after(delay);
  impl_->t.async_wait([fn = std::move(fn)](const std::error_code& ec) { fn(!ec); });
}

void Timer::cancel() noexcept {
  try {
    impl_->t.cancel();
  } catch (...) {
  }
}

}  // namespace famulor::detail
