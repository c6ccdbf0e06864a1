// schedule/cron.hpp — CronExpr: a parsed cron expression, and the next local
// calendar time it matches (internal API).
//
// Syntax (docs/workflow-format.md, "Schedules"): 5 fields `minute hour
// day-of-month month day-of-week`, or 6 with `second` first. Each field is a
// comma list of `*`, `N`, `A-B`, each optionally `/STEP` (`*/15`, `1-30/5`, `5/10` =
// from 5 to the field's maximum). Months and weekdays take names (JAN..DEC,
// SUN..SAT, any case); weekday 7 is Sunday too. `?` means `*` in the day fields;
// `L` in day-of-month is the month's last day. Macros: @yearly (@annually),
// @monthly, @weekly, @daily (@midnight), @hourly. When both day fields are
// restricted (neither starts with `*` or `?`), a day matches if either matches
// (Vixie cron); otherwise both must.
//
// Times here are "local seconds": seconds since 1970-01-01T00:00:00 on the wall
// clock of some zone, with no zone attached (schedule/zone.hpp maps them to
// instants). Thread-safety: a CronExpr is an immutable value.
#pragma once

#include <bitset>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "famulor/status.hpp"

namespace famulor::detail {

struct CronExpr {
  std::bitset<60> seconds;
  std::bitset<60> minutes;
  std::bitset<24> hours;
  std::bitset<32> days;      // 1..31
  std::bitset<13> months;    // 1..12
  std::bitset<7> weekdays;   // 0 = Sunday
  bool last_day = false;     // `L` in day-of-month
  bool days_star = false;    // the day-of-month field starts with * or ?
  bool weekdays_star = false;
  bool has_seconds = false;  // 6 fields

  // The first local time >= `from` (local seconds) that matches, searching
  // kCronSearchYears ahead; nullopt when nothing matches in that span.
  std::optional<std::int64_t> next_local(std::int64_t from) const;
  // Whether any calendar day matches at all (false for "0 0 31 2 *").
  bool can_match() const;
};

// How far next_local looks ahead (covers leap days and weekday cycles).
inline constexpr int kCronSearchYears = 30;

// Where and why a cron expression is bad: `offset` is the byte offset of the
// offending token in the text.
struct CronError {
  std::string message;
  std::size_t offset = 0;
};

// Parses `text`; invalid_argument (message naming the field and the token) when
// it is bad, with the details in *error when given.
Result<CronExpr> parse_cron(std::string_view text, CronError* error = nullptr);

}  // namespace famulor::detail
