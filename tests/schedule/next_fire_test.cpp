// Next-fire times in IANA zones across both DST transitions (Europe/Berlin and
// America/New_York, 2026), seconds, intervals with start_at, and the missed-slot
// enumeration catch-up uses.
#include <catch2/catch.hpp>

#include "schedule/schedule.hpp"
#include <famulor/value.hpp>

using namespace famulor;
using namespace famulor::detail;

namespace {

Schedule schedule(std::string_view trigger_json) {
  auto v = Value::parse(trigger_json);
  REQUIRE(v.ok());
  std::vector<ScheduleIssue> issues;
  auto s = schedule_from_config(v.value(), &issues);
  INFO(s.status().to_string());
  REQUIRE(s.ok());
  CHECK(issues.empty());
  return s.value();
}

std::int64_t at(const char* iso) {
  auto t = parse_time(iso, TimeZone());
  REQUIRE(t);
  return *t;
}

// The next `n` slots after `from`, in UTC.
std::vector<std::string> next_n(const Schedule& s, const char* from, int n, std::int64_t anchor = 0) {
  std::vector<std::string> out;
  std::int64_t t = at(from);
  for (int i = 0; i < n; ++i) {
    auto next = s.next_after(t, anchor);
    REQUIRE(next);
    out.push_back(format_utc(*next));
    t = *next;
  }
  return out;
}

using V = std::vector<std::string>;

}  // namespace

TEST_CASE("Berlin spring forward: a time in the gap fires once, when the gap ends", "[schedule][dst]") {
  // 2026-03-29: 02:00 CET -> 03:00 CEST (01:00 UTC). 02:30 does not exist.
  Schedule s = schedule(R"({"cron": "30 2 * * *", "timezone": "Europe/Berlin"})");
  CHECK(next_n(s, "2026-03-27T12:00:00Z", 3) ==
        V{"2026-03-28T01:30:00Z", "2026-03-29T01:00:00Z", "2026-03-30T00:30:00Z"});
  CHECK(s.zone.format(at("2026-03-29T01:00:00Z")) == "2026-03-29T03:00:00+02:00");

  // Every quarter hour of the missing hour collapses into one fire at 03:00 CEST.
  Schedule q = schedule(R"({"cron": "*/15 2 * * *", "timezone": "Europe/Berlin"})");
  CHECK(next_n(q, "2026-03-29T00:50:00Z", 2) == V{"2026-03-29T01:00:00Z", "2026-03-30T00:00:00Z"});
  // Times after the gap are unaffected.
  Schedule h = schedule(R"({"cron": "0 * * * *", "timezone": "Europe/Berlin"})");
  CHECK(next_n(h, "2026-03-28T23:30:00Z", 3) ==
        V{"2026-03-29T00:00:00Z", "2026-03-29T01:00:00Z", "2026-03-29T02:00:00Z"});
}

TEST_CASE("Berlin fall back: a time that occurs twice fires once, the first time", "[schedule][dst]") {
  // 2026-10-25: 03:00 CEST -> 02:00 CET (01:00 UTC). 02:30 happens at 00:30 and 01:30 UTC.
  Schedule s = schedule(R"({"cron": "30 2 * * *", "timezone": "Europe/Berlin"})");
  CHECK(next_n(s, "2026-10-24T12:00:00Z", 3) ==
        V{"2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z", "2026-10-27T01:30:00Z"});
  // Asking from inside the repeated hour does not fire its second pass.
  CHECK(format_utc(*s.next_after(at("2026-10-25T01:10:00Z"), 0)) == "2026-10-26T01:30:00Z");
  // An hourly cron runs the repeated 02:00 only once.
  Schedule h = schedule(R"({"cron": "0 * * * *", "timezone": "Europe/Berlin"})");
  CHECK(next_n(h, "2026-10-24T22:30:00Z", 3) ==
        V{"2026-10-24T23:00:00Z", "2026-10-25T00:00:00Z", "2026-10-25T02:00:00Z"});
}

TEST_CASE("New York spring forward and fall back", "[schedule][dst]") {
  // 2026-03-08: 02:00 EST -> 03:00 EDT (07:00 UTC).
  Schedule spring = schedule(R"({"cron": "0 2 * * *", "timezone": "America/New_York"})");
  CHECK(next_n(spring, "2026-03-06T12:00:00Z", 3) ==
        V{"2026-03-07T07:00:00Z", "2026-03-08T07:00:00Z", "2026-03-09T06:00:00Z"});
  CHECK(spring.zone.format(at("2026-03-08T07:00:00Z")) == "2026-03-08T03:00:00-04:00");
  // 2026-11-01: 02:00 EDT -> 01:00 EST (06:00 UTC). 01:30 happens at 05:30 and 06:30 UTC.
  Schedule fall = schedule(R"({"cron": "30 1 * * *", "timezone": "America/New_York"})");
  CHECK(next_n(fall, "2026-10-31T12:00:00Z", 3) ==
        V{"2026-11-01T05:30:00Z", "2026-11-02T06:30:00Z", "2026-11-03T06:30:00Z"});
  CHECK(fall.zone.format(at("2026-11-01T05:30:00Z")) == "2026-11-01T01:30:00-04:00");
  // Weekday crons keep their local time across the change.
  Schedule weekdays = schedule(R"({"cron": "0 9 * * MON-FRI", "timezone": "America/New_York"})");
  CHECK(next_n(weekdays, "2026-03-05T20:00:00Z", 3) ==
        V{"2026-03-06T14:00:00Z", "2026-03-09T13:00:00Z", "2026-03-10T13:00:00Z"});
}

TEST_CASE("six-field cron fires on seconds, slots are strictly after the given instant", "[schedule]") {
  Schedule s = schedule(R"({"cron": "*/20 * * * * *"})");
  CHECK(next_n(s, "2026-05-01T10:00:05Z", 3) ==
        V{"2026-05-01T10:00:20Z", "2026-05-01T10:00:40Z", "2026-05-01T10:01:00Z"});
  CHECK(format_utc(*s.next_after(at("2026-05-01T10:00:20Z"), 0)) == "2026-05-01T10:00:40Z");
  CHECK(format_utc(*s.next_after(at("2026-05-01T10:00:19.999Z"), 0)) == "2026-05-01T10:00:20Z");
  CHECK(format_utc(*s.next_after(at("2026-05-01T10:00:20.001Z"), 0)) == "2026-05-01T10:00:40Z");
}

TEST_CASE("intervals are fixed durations from start_at, else from the anchor", "[schedule]") {
  Schedule s = schedule(R"({"interval": "15m"})");
  CHECK(s.interval_ms == 900'000);
  const std::int64_t anchor = at("2026-05-01T10:07:00Z");
  CHECK(next_n(s, "2026-05-01T10:07:00Z", 2, anchor) == V{"2026-05-01T10:22:00Z", "2026-05-01T10:37:00Z"});
  CHECK(format_utc(*s.next_after(at("2026-05-01T13:00:00Z"), anchor)) == "2026-05-01T13:07:00Z");

  // start_at without an offset is read in the schedule's zone; DST does not bend intervals.
  Schedule ny = schedule(R"({"every": "12h", "start_at": "2026-03-07T09:00", "timezone": "America/New_York"})");
  REQUIRE(ny.start_at_ms);
  CHECK(format_utc(*ny.start_at_ms) == "2026-03-07T14:00:00Z");
  CHECK(next_n(ny, "2026-03-01T00:00:00Z", 4) ==
        V{"2026-03-07T14:00:00Z", "2026-03-08T02:00:00Z", "2026-03-08T14:00:00Z", "2026-03-09T02:00:00Z"});
  // A cron does not fire before start_at either.
  Schedule c = schedule(R"({"cron": "0 9 * * *", "start_at": "2026-06-10T00:00:00Z"})");
  CHECK(format_utc(*c.next_after(at("2026-06-01T00:00:00Z"), 0)) == "2026-06-10T09:00:00Z");
}

TEST_CASE("missed slots: oldest first, at most the latest `max`", "[schedule]") {
  Schedule hourly = schedule(R"({"cron": "0 * * * *"})");
  DueSlots d = due_slots(hourly, at("2026-05-01T10:30:00Z"), at("2026-05-01T15:30:00Z"), 0, 1000);
  REQUIRE(d.slots.size() == 5);
  CHECK(format_utc(d.slots.front()) == "2026-05-01T11:00:00Z");
  CHECK(format_utc(d.slots.back()) == "2026-05-01T15:00:00Z");
  CHECK_FALSE(d.earlier);
  // The end is inclusive, the start exclusive.
  d = due_slots(hourly, at("2026-05-01T11:00:00Z"), at("2026-05-01T12:00:00Z"), 0, 1000);
  REQUIRE(d.slots.size() == 1);
  CHECK(format_utc(d.slots[0]) == "2026-05-01T12:00:00Z");

  // A year of a per-second cron: only the latest 1000, found without walking the year.
  Schedule every_second = schedule(R"({"cron": "* * * * * *"})");
  d = due_slots(every_second, at("2025-05-01T00:00:00Z"), at("2026-05-01T00:00:00Z"), 0, kMaxCatchUpFires);
  REQUIRE(d.slots.size() == kMaxCatchUpFires);
  CHECK(d.earlier);
  CHECK(format_utc(d.slots.back()) == "2026-05-01T00:00:00Z");
  CHECK(format_utc(d.slots.front()) == "2026-04-30T23:43:21Z");

  // A yearly cron over ten years: the latest one only.
  d = due_slots(schedule(R"({"cron": "@yearly"})"), at("2016-06-01T00:00:00Z"), at("2026-06-01T00:00:00Z"), 0, 1);
  REQUIRE(d.slots.size() == 1);
  CHECK(format_utc(d.slots[0]) == "2026-01-01T00:00:00Z");
  CHECK(d.earlier);

  // Intervals by arithmetic.
  Schedule minute = schedule(R"({"interval": "1m"})");
  const std::int64_t anchor = at("2026-05-01T00:00:30Z");
  d = due_slots(minute, anchor, at("2026-05-01T10:00:00Z"), anchor, 1000);
  REQUIRE(d.slots.size() == 599);
  CHECK(format_utc(d.slots.front()) == "2026-05-01T00:01:30Z");
  CHECK(format_utc(d.slots.back()) == "2026-05-01T09:59:30Z");
  d = due_slots(minute, anchor, at("2026-05-01T10:00:00Z"), anchor, 10);
  REQUIRE(d.slots.size() == 10);
  CHECK(d.earlier);
  CHECK(format_utc(d.slots.front()) == "2026-05-01T09:50:30Z");
}

TEST_CASE("schedule config errors say which key and what", "[schedule]") {
  auto issues_of = [](std::string_view json) {
    auto v = Value::parse(json);
    REQUIRE(v.ok());
    std::vector<ScheduleIssue> issues;
    CHECK_FALSE(schedule_from_config(v.value(), &issues).ok());
    return issues;
  };
  auto i = issues_of(R"({"cron": "0 9 * * *", "timezone": "Mars/Olympus"})");
  REQUIRE(i.size() == 1);
  CHECK(i[0].key == "timezone");
  CHECK(i[0].message == "schedule `timezone`: unknown time zone 'Mars/Olympus' (use an IANA name like Europe/Berlin)");
  i = issues_of(R"({"interval": "500ms"})");
  REQUIRE(i.size() == 1);
  CHECK(i[0].message == "schedule `interval` must be at least 1s");
  i = issues_of(R"({"interval": "10m", "every": "10m"})");
  CHECK(i[0].key == "every");
  i = issues_of(R"({"timezone": "UTC"})");
  CHECK(i[0].key.empty());
  i = issues_of(R"({"cron": "0 9 * * *", "start_at": "2026-13-01T00:00:00Z", "catch_up": "yes"})");
  REQUIRE(i.size() == 2);
  CHECK(i[0].key == "catch_up");
  CHECK(i[1].key == "start_at");
  i = issues_of(R"({"cron": "0 9 * * FUNDAY"})");
  REQUIRE(i.size() == 1);
  CHECK(i[0].key == "cron");
  REQUIRE(i[0].offset);
  CHECK(*i[0].offset == 8);
}
