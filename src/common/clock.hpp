// common/clock.hpp — wall-clock and id helpers shared by the engine and the store.
#pragma once

#include <cstdint>
#include <string>

namespace famulor::detail {

// Unix time in milliseconds (system clock).
std::int64_t now_ms() noexcept;

// A new run id: 26 characters, time-ordered (ULID-style Crockford base32: 48 bits
// of unix ms + 80 random bits), so ids sort by creation time.
std::string new_run_id();

}  // namespace famulor::detail
