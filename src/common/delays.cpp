#include "common/delays.hpp"

#include <asio/steady_timer.hpp>
#include <vector>

#include "common/io_pool_asio.hpp"

namespace famulor::detail {

struct Delays::Pending {
  explicit Pending(asio::io_context& ctx) : timer(ctx) {}
  asio::steady_timer timer;
};

Delays::Delays(IoPool& pool) : pool_(pool) {}

Delays::~Delays() { cancel_all(); }

void Delays::after(std::chrono::steady_clock::duration delay, std::function<void(bool)> fn) {
  std::unique_lock lk(m_);
  if (closed_) {
    lk.unlock();
    fn(false);
    return;
  }
  const std::uint64_t id = next_++;
  auto p = std::make_shared<Pending>(io_context(pool_));
  pending_.emplace(id, p);
  p->timer.expires_after(delay);
  // The timer holds its Pending alive through the handler; a cancel completes it
  // with operation_aborted.
  p->timer.async_wait([this, id, p, fn = std::move(fn)](const std::error_code& ec) {
    {
      std::lock_guard g(m_);
      pending_.erase(id);
    }
    fn(!ec);
  });
}

void Delays::cancel_all() {
  std::vector<std::shared_ptr<Pending>> all;
  {
    std::lock_guard lk(m_);
    closed_ = true;
    for (auto& [id, p] : pending_) all.push_back(p);
  }
  for (auto& p : all) {
    try {
      p->timer.cancel();
    } catch (...) {
    }
  }
}

void Delays::reopen() {
  std::lock_guard lk(m_);
  closed_ = false;
}

}  // namespace famulor::detail
