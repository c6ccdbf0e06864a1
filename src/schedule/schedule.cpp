// Schedule: reading the trigger config, and computing slots.
#include "schedule/schedule.hpp"

#include <algorithm>
#include <deque>

#include "common/duration.hpp"

namespace famulor::detail {
namespace {

std::int64_t floor_div(std::int64_t a, std::int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// Missed slots are looked for in growing windows ending at `until`, so that a long
// downtime of a frequent cron costs about `max` slot computations, not one per slot.
constexpr std::int64_t kFirstWindowMs = 3'600'000;

}  // namespace

std::optional<std::int64_t> Schedule::next_after(std::int64_t after_ms, std::int64_t anchor_ms) const {
  if (start_at_ms && after_ms < *start_at_ms - 1) after_ms = *start_at_ms - 1;
  if (!cron) {
    const std::int64_t origin = start_at_ms ? *start_at_ms : anchor_ms;
    if (after_ms < origin) return origin;
    return origin + (floor_div(after_ms - origin, interval_ms) + 1) * interval_ms;
  }
  // Local candidates from the wall-clock second of `after_ms` on; earlier local
  // times cannot map past it (the mapping never decreases).
  std::int64_t t = zone.to_local(floor_div(after_ms, 1000));
  while (true) {
    auto local = cron->next_local(t);
    if (!local) return std::nullopt;
    const std::int64_t at = zone.from_local(*local) * 1000;
    if (at > after_ms) return at;
    t = *local + 1;  // a second occurrence or a gap already passed: keep looking
  }
}

DueSlots due_slots(const Schedule& s, std::int64_t after_ms, std::int64_t until_ms, std::int64_t anchor_ms,
                   std::size_t max) {
  DueSlots out;
  if (max == 0 || until_ms <= after_ms) return out;
  if (!s.cron) {
    // Intervals: straight to the last `max` grid points before until_ms.
    auto first = s.next_after(after_ms, anchor_ms);
    if (!first || *first > until_ms) return out;
    const std::int64_t origin = s.start_at_ms ? *s.start_at_ms : anchor_ms;
    const std::int64_t last = origin + floor_div(until_ms - origin, s.interval_ms) * s.interval_ms;
    std::int64_t start = *first;
    if ((last - start) / s.interval_ms + 1 > static_cast<std::int64_t>(max)) {
      start = last - static_cast<std::int64_t>(max - 1) * s.interval_ms;
      out.earlier = true;
    }
    for (std::int64_t t = start; t <= last; t += s.interval_ms) out.slots.push_back(t);
    return out;
  }
  std::int64_t window = kFirstWindowMs;
  while (true) {
    const std::int64_t from = std::max(after_ms, until_ms - window);
    std::deque<std::int64_t> ring;
    bool dropped = false;
    for (auto t = s.next_after(from, anchor_ms); t && *t <= until_ms; t = s.next_after(*t, anchor_ms)) {
      ring.push_back(*t);
      if (ring.size() > max) {
        ring.pop_front();
        dropped = true;
      }
    }
    if (ring.size() >= max || from == after_ms) {
      out.slots.assign(ring.begin(), ring.end());
      out.earlier = dropped || from > after_ms;
      return out;
    }
    window *= 4;
  }
}

Result<Schedule> schedule_from_config(const Value& c, std::vector<ScheduleIssue>* issues) {
  std::optional<ScheduleIssue> first;
  auto issue = [&](std::string key, std::string message, std::optional<std::size_t> offset = std::nullopt) {
    ScheduleIssue i{std::move(key), std::move(message), offset};
    if (!first) first = i;
    if (issues) issues->push_back(std::move(i));
  };
  Schedule s;
  const Value* cron = c.find("cron");
  const char* interval_key = c.find("interval") ? "interval" : "every";
  const Value* interval = c.find(interval_key);
  if (c.find("interval") && c.find("every")) issue("every", "`every` is another name for `interval`: give one of them");
  if (cron && interval)
    issue("", std::string("a schedule trigger has either `cron` or `") + interval_key + "`, not both");
  else if (!cron && !interval)
    issue("", "a schedule trigger needs `cron` (\"0 9 * * MON-FRI\") or `interval` (\"15m\")");

  if (const Value* tz = c.find("timezone")) {
    if (!tz->is_string()) {
      issue("timezone", "`timezone` must be a string (an IANA name like \"Europe/Berlin\")");
    } else {
      auto z = TimeZone::locate(tz->as_string());
      if (z.ok()) s.zone = std::move(z.value());
      else issue("timezone", "schedule `timezone`: " + z.status().message());
    }
  }
  if (cron) {
    if (!cron->is_string()) {
      issue("cron", "`cron` must be a string like \"0 9 * * MON-FRI\"");
    } else {
      CronError e;
      auto r = parse_cron(cron->as_string(), &e);
      if (r.ok()) s.cron = std::move(r.value());
      else issue("cron", e.message, e.offset);
    }
  } else if (interval) {
    if (!interval->is_string() && !interval->is_int()) {
      issue(interval_key, std::string("`") + interval_key + "` must be a duration like \"15m\" or milliseconds");
    } else {
      auto d = duration_from_value(*interval);
      if (!d.ok()) issue(interval_key, std::string("schedule `") + interval_key + "`: " + d.status().message());
      else if (d.value().count() < 1000) issue(interval_key, std::string("schedule `") + interval_key + "` must be at least 1s");
      else s.interval_ms = d.value().count();
    }
  }
  if (const Value* cu = c.find("catch_up")) {
    const std::string v = cu->is_string() ? cu->as_string() : std::string();
    if (v == "none") s.catch_up = CatchUp::none;
    else if (v == "last") s.catch_up = CatchUp::last;
    else if (v == "all") s.catch_up = CatchUp::all;
    else issue("catch_up", "schedule `catch_up` must be one of 'none', 'last', 'all', not " +
                               (cu->is_string() ? "'" + v + "'" : cu->dump()));
  }
  if (const Value* sa = c.find("start_at")) {
    std::optional<std::int64_t> t;
    if (sa->is_string()) t = parse_time(sa->as_string(), s.zone);
    if (!t) issue("start_at", "schedule `start_at` must be a time like \"2026-01-05T09:00:00+01:00\" (without an "
                              "offset it is read in `timezone`)");
    else s.start_at_ms = *t;
  }
  if (first) return invalid_argument(first->message);
  return s;
}

}  // namespace famulor::detail
