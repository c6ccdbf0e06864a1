// eventually(pred): polls until pred() holds, for at most `bound` (30 s by
// default); returns whether it held. The bound is a guard against a hang, not a
// measurement: a fast machine returns at the first true poll, a slow one (ASan,
// a loaded CI box) gets all the time it needs. Use it wherever a test reads state
// that another thread or process moves asynchronously.
#pragma once

#include <chrono>
#include <thread>

namespace famulor::test {

inline constexpr std::chrono::milliseconds kEventually{30'000};

template <typename Pred>
bool eventually(Pred pred, std::chrono::milliseconds bound = kEventually,
                std::chrono::milliseconds step = std::chrono::milliseconds(5)) {
  const auto until = std::chrono::steady_clock::now() + bound;
  for (;;) {
    if (pred()) return true;
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(step);
  }
}

}  // namespace famulor::test
