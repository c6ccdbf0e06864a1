// Cron syntax: fields, lists, ranges, steps, names, macros, Vixie day semantics,
// and errors that name the field and the token (with its offset).
#include <catch2/catch.hpp>

#include "schedule/cron.hpp"
#include "schedule/zone.hpp"

using namespace famulor;
using namespace famulor::detail;

namespace {

CronExpr cron(std::string_view text) {
  CronError e;
  auto r = parse_cron(text, &e);
  INFO(text << ": " << e.message);
  REQUIRE(r.ok());
  return r.value();
}

CronError error_of(std::string_view text) {
  CronError e;
  auto r = parse_cron(text, &e);
  INFO(text);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == StatusCode::invalid_argument);
  CHECK(r.status().message() == e.message);
  return e;
}

template <std::size_t N>
std::vector<int> set_bits(const std::bitset<N>& b) {
  std::vector<int> out;
  for (std::size_t i = 0; i < N; ++i)
    if (b[i]) out.push_back(static_cast<int>(i));
  return out;
}

// Local seconds of a UTC-written time (the zone is irrelevant for matching).
std::int64_t local(const char* iso) { return *parse_time(iso, TimeZone()) / 1000; }
std::string iso(std::int64_t local_s) { return format_utc(local_s * 1000); }

}  // namespace

TEST_CASE("cron fields: star, lists, ranges, steps and names", "[schedule]") {
  CronExpr c = cron("*/15 9-17 * JAN,jul-AUG MON-FRI");
  CHECK_FALSE(c.has_seconds);
  CHECK(set_bits(c.seconds) == std::vector<int>{0});
  CHECK(set_bits(c.minutes) == std::vector<int>{0, 15, 30, 45});
  CHECK(set_bits(c.hours) == std::vector<int>{9, 10, 11, 12, 13, 14, 15, 16, 17});
  CHECK(c.days.count() == 31);
  CHECK(set_bits(c.months) == std::vector<int>{1, 7, 8});
  CHECK(set_bits(c.weekdays) == std::vector<int>{1, 2, 3, 4, 5});

  CHECK(set_bits(cron("5/20 1-10/3 * * *").minutes) == std::vector<int>{5, 25, 45});
  CHECK(set_bits(cron("5/20 1-10/3 * * *").hours) == std::vector<int>{1, 4, 7, 10});
  CHECK(set_bits(cron("0 0 * * 7").weekdays) == std::vector<int>{0});     // 7 = Sunday
  CHECK(set_bits(cron("0 0 * * 5-7").weekdays) == std::vector<int>{0, 5, 6});
  CHECK(set_bits(cron("0 0 * * sun,Sat").weekdays) == std::vector<int>{0, 6});
  CHECK(cron("0 0 L * ?").last_day);
}

TEST_CASE("cron with six fields has seconds first", "[schedule]") {
  CronExpr c = cron("*/20 30 8 * * *");
  CHECK(c.has_seconds);
  CHECK(set_bits(c.seconds) == std::vector<int>{0, 20, 40});
  CHECK(set_bits(c.minutes) == std::vector<int>{30});
  CHECK(iso(*c.next_local(local("2026-05-01T08:30:01Z"))) == "2026-05-01T08:30:20Z");
  CHECK(iso(*c.next_local(local("2026-05-01T08:30:41Z"))) == "2026-05-02T08:30:00Z");
}

TEST_CASE("cron macros", "[schedule]") {
  CHECK(iso(*cron("@daily").next_local(local("2026-05-01T08:30:00Z"))) == "2026-05-02T00:00:00Z");
  CHECK(iso(*cron("@hourly").next_local(local("2026-05-01T08:30:00Z"))) == "2026-05-01T09:00:00Z");
  CHECK(iso(*cron("@weekly").next_local(local("2026-05-01T08:30:00Z"))) == "2026-05-03T00:00:00Z");  // a Sunday
  CHECK(iso(*cron("@monthly").next_local(local("2026-05-01T08:30:00Z"))) == "2026-06-01T00:00:00Z");
  CHECK(iso(*cron("@yearly").next_local(local("2026-05-01T08:30:00Z"))) == "2027-01-01T00:00:00Z");
}

TEST_CASE("cron next_local jumps to the next match and includes `from`", "[schedule]") {
  CronExpr c = cron("0 9 * * MON-FRI");
  CHECK(iso(*c.next_local(local("2026-05-01T09:00:00Z"))) == "2026-05-01T09:00:00Z");  // Friday, inclusive
  CHECK(iso(*c.next_local(local("2026-05-01T09:00:01Z"))) == "2026-05-04T09:00:00Z");  // over the weekend
  CHECK(iso(*cron("0 0 29 2 *").next_local(local("2026-03-01T00:00:00Z"))) == "2028-02-29T00:00:00Z");
  CHECK(iso(*cron("59 23 L * *").next_local(local("2026-02-10T00:00:00Z"))) == "2026-02-28T23:59:00Z");
  CHECK(iso(*cron("59 23 L * *").next_local(local("2028-02-10T00:00:00Z"))) == "2028-02-29T23:59:00Z");
  CHECK(iso(*cron("0 12 31 * *").next_local(local("2026-04-01T00:00:00Z"))) == "2026-05-31T12:00:00Z");
}

TEST_CASE("day-of-month and day-of-week: OR when both are restricted (Vixie), else AND", "[schedule]") {
  // Both restricted: the 13th or any Friday.
  CronExpr both = cron("0 0 13 * FRI");
  CHECK(iso(*both.next_local(local("2026-03-01T00:00:00Z"))) == "2026-03-06T00:00:00Z");  // a Friday
  CHECK(iso(*both.next_local(local("2026-03-07T00:00:00Z"))) == "2026-03-13T00:00:00Z");  // the 13th (also a Friday)
  CHECK(iso(*both.next_local(local("2026-04-11T00:00:00Z"))) == "2026-04-13T00:00:00Z");  // a Monday the 13th
  // Day-of-month starts with '*': both must match (odd days that are Fridays).
  CronExpr star = cron("0 0 */2 * FRI");
  CHECK(iso(*star.next_local(local("2026-03-01T00:00:00Z"))) == "2026-03-13T00:00:00Z");
  // '?' counts as '*'.
  CHECK(iso(*cron("0 0 ? * MON").next_local(local("2026-03-01T00:00:00Z"))) == "2026-03-02T00:00:00Z");
}

TEST_CASE("cron errors name the field and the token, at its offset", "[schedule]") {
  CronError e = error_of("0 25 * * *");
  CHECK(e.message == "cron hour: '25' is out of range 0-23");
  CHECK(e.offset == 2);

  e = error_of("*/0 9 * * *");
  CHECK(e.message == "cron minute: bad step '0' in '*/0' (a number from 1 to 60)");
  CHECK(e.offset == 2);

  e = error_of("0 9 * JAN-FOO *");
  CHECK(e.message == "cron month: 'FOO' is not a number from 1 to 12 or a name (JAN..DEC)");
  CHECK(e.offset == 10);

  e = error_of("0 9 * * MON-SUNDAY");
  CHECK(e.message.rfind("cron day-of-week: 'SUNDAY' is not", 0) == 0);

  e = error_of("0 1,,2 * * *");
  CHECK(e.message.find("cron hour: empty list item") == 0);
  CHECK(e.offset == 4);

  e = error_of("0 17-9 * * *");
  CHECK(e.message == "cron hour: range '17-9' runs backwards (write it as two ranges)");

  e = error_of("60 * * * * *");
  CHECK(e.message == "cron second: '60' is out of range 0-59");

  e = error_of("0 9 * *");
  CHECK(e.message == "cron needs 5 fields (minute hour day-of-month month day-of-week) or 6 (second first), found 4");

  e = error_of("0 0 9 * * * *");
  CHECK(e.message.find("found 7") != std::string::npos);

  e = error_of("@every");
  CHECK(e.message.rfind("cron: unknown macro '@every'", 0) == 0);

  e = error_of("0 0 0 * *");
  CHECK(e.message == "cron day-of-month: '0' is out of range 1-31");

  e = error_of("0 0 L * *x");
  CHECK(e.message.rfind("cron day-of-week: '*x'", 0) == 0);

  e = error_of("0 0 30 2 *");
  CHECK(e.message == "cron never fires: no month it allows has the day of the month it asks for");
  CHECK(e.offset == 4);
  CHECK(parse_cron("0 0 30 2 MON").ok());  // OR: every Monday in February
}
