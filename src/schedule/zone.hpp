// schedule/zone.hpp — TimeZone: an IANA zone (system tzdata through date-tz) and
// the DST rules schedules use to turn wall-clock times into instants (internal API).
//
// from_local() is the one place the DST policy lives:
// - a local time that occurs once maps to that instant;
// - a local time skipped by a spring-forward gap maps to the first instant after
//   the gap (the transition itself: 02:30 on a Berlin spring-forward day -> 03:00
//   CEST), so every slot inside a gap fires once, together, when the gap ends;
// - a local time that occurs twice (fall back) maps to its first occurrence.
// The mapping never decreases as local time increases, which next-fire relies on.
//
// Thread-safety: an immutable value; the zone database is loaded once, thread-safely.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "famulor/status.hpp"

namespace date {
class time_zone;
}

namespace famulor::detail {

class TimeZone {
 public:
  TimeZone();  // UTC
  // An IANA name ("Europe/Berlin", "UTC"); invalid_argument for an unknown one.
  static Result<TimeZone> locate(std::string_view name);

  const std::string& name() const noexcept { return name_; }
  // The wall-clock time (local seconds) at the instant `unix_s`.
  std::int64_t to_local(std::int64_t unix_s) const;
  // The instant (unix seconds) of the wall-clock time `local_s` (rules above).
  std::int64_t from_local(std::int64_t local_s) const;
  // "2026-03-29T03:00:00+02:00" (".250" added when ms are not zero).
  std::string format(std::int64_t unix_ms) const;

 private:
  const date::time_zone* zone_ = nullptr;  // nullptr = UTC
  std::string name_ = "UTC";
};

// "2026-03-29T01:00:00Z" (".250" added when ms are not zero).
std::string format_utc(std::int64_t unix_ms);

// Parses "YYYY-MM-DDTHH:MM[:SS[.fff]]" followed by "Z" or "+HH:MM"/"-HH:MM"; without
// an offset the time is read in `zone`. nullopt when malformed.
std::optional<std::int64_t> parse_time(std::string_view text, const TimeZone& zone);

}  // namespace famulor::detail
