// schedule/schedule.hpp — Schedule: a `schedule` trigger's definition (cron or
// fixed interval, time zone, catch-up policy, start) and its slots (internal API).
//
// A slot is an instant (unix ms) at which the schedule fires. Cron slots are
// wall-clock times in `zone` mapped to instants by TimeZone::from_local (DST rules
// in zone.hpp); equal instants count once. Interval slots are origin + k*interval,
// where the origin is `start_at` when given, else the anchor the caller passes (the
// trigger passes its last fired or settled slot). Both skip slots before start_at.
//
// Thread-safety: an immutable value.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "famulor/status.hpp"
#include "famulor/value.hpp"
#include "schedule/cron.hpp"
#include "schedule/zone.hpp"

namespace famulor::detail {

enum class CatchUp { none, last, all };

// How many missed slots catch_up "all" fires at most (the latest ones).
inline constexpr std::size_t kMaxCatchUpFires = 1000;

struct Schedule {
  std::optional<CronExpr> cron;  // else an interval
  std::int64_t interval_ms = 0;
  TimeZone zone;
  CatchUp catch_up = CatchUp::none;
  std::optional<std::int64_t> start_at_ms;

  // The first slot strictly after `after_ms`; nullopt when there is none (a cron
  // that matches nothing within kCronSearchYears). `anchor_ms`: the interval
  // origin when there is no start_at.
  std::optional<std::int64_t> next_after(std::int64_t after_ms, std::int64_t anchor_ms) const;
};

// The slots in (after_ms, until_ms], at most `max` (the latest), oldest first.
// `earlier` says whether older slots in that span were left out.
struct DueSlots {
  std::vector<std::int64_t> slots;
  bool earlier = false;
};
DueSlots due_slots(const Schedule& s, std::int64_t after_ms, std::int64_t until_ms, std::int64_t anchor_ms,
                   std::size_t max);

// One problem with a schedule trigger's config: the key ("cron", "timezone", ...,
// or "" for the trigger itself), and for cron errors the offset inside the string.
struct ScheduleIssue {
  std::string key;
  std::string message;
  std::optional<std::size_t> offset;
};

// Reads a schedule trigger's config (the trigger object: `cron` or `interval`
// (alias `every`), `timezone`, `catch_up`, `start_at`). On failure the status is
// the first issue, and every issue is appended to *issues when given.
Result<Schedule> schedule_from_config(const Value& config, std::vector<ScheduleIssue>* issues = nullptr);

}  // namespace famulor::detail
