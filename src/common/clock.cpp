#include "common/clock.hpp"

#include <array>
#include <chrono>
#include <random>

namespace famulor::detail {

std::int64_t now_ms() noexcept {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::string new_run_id() {
  static constexpr char kAlphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
  thread_local std::mt19937_64 rng{std::random_device{}() ^ (std::uint64_t(now_ms()) << 20)};
  std::uint64_t t = static_cast<std::uint64_t>(now_ms());
  std::uint64_t r1 = rng(), r2 = rng();
  std::string id(26, '0');
  // 10 chars of time (50 bits, top 2 always zero), 16 chars of randomness (80 bits).
  for (int i = 9; i >= 0; --i) {
    id[static_cast<std::size_t>(i)] = kAlphabet[t & 31];
    t >>= 5;
  }
  for (int i = 0; i < 16; ++i) {
    std::uint64_t& src = i < 8 ? r1 : r2;
    id[static_cast<std::size_t>(10 + i)] = kAlphabet[src & 31];
    src >>= 5;
  }
  return id;
}

}  // namespace famulor::detail
