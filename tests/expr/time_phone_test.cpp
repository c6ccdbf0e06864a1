// Date/time functions across DST transitions (Europe/Berlin, America/New_York) and
// phone-number normalisation (German and US numbers).
#include <catch2/catch.hpp>

#include "expr_fixture.hpp"

using famulor::Value;
using famulor::test::ExprFixture;
using famulor::test::show;

TEST_CASE("to_timezone applies the offset in force at that instant", "[expr][time]") {
  ExprFixture f;
  // Berlin springs forward on 2026-03-29 at 01:00 UTC (02:00 CET -> 03:00 CEST).
  CHECK(show(f.expr("to_timezone('2026-03-29T00:59:59Z', 'Europe/Berlin')")) == "\"2026-03-29T01:59:59+01:00\"");
  CHECK(show(f.expr("to_timezone('2026-03-29T01:00:00Z', 'Europe/Berlin')")) == "\"2026-03-29T03:00:00+02:00\"");
  // ... and falls back on 2026-10-25 at 01:00 UTC: 02:30 happens twice.
  CHECK(show(f.expr("to_timezone('2026-10-25T00:30:00Z', 'Europe/Berlin')")) == "\"2026-10-25T02:30:00+02:00\"");
  CHECK(show(f.expr("to_timezone('2026-10-25T01:30:00Z', 'Europe/Berlin')")) == "\"2026-10-25T02:30:00+01:00\"");
  // New York springs forward on 2026-03-08 at 07:00 UTC, falls back on 2026-11-01 at 06:00 UTC.
  CHECK(show(f.expr("to_timezone('2026-03-08T06:59:00Z', 'America/New_York')")) == "\"2026-03-08T01:59:00-05:00\"");
  CHECK(show(f.expr("to_timezone('2026-03-08T07:00:00Z', 'America/New_York')")) == "\"2026-03-08T03:00:00-04:00\"");
  CHECK(show(f.expr("to_timezone('2026-11-01T05:30:00Z', 'America/New_York')")) == "\"2026-11-01T01:30:00-04:00\"");
  CHECK(show(f.expr("to_timezone('2026-11-01T06:30:00Z', 'America/New_York')")) == "\"2026-11-01T01:30:00-05:00\"");
  // Unix milliseconds work as times too.
  CHECK(show(f.expr("to_timezone(0, 'America/New_York')")) == "\"1969-12-31T19:00:00-05:00\"");
}

TEST_CASE("durations are elapsed time, local clocks jump at DST", "[expr][time]") {
  ExprFixture f;
  // Noon CET on Saturday + 24h is 13:00 CEST on Sunday.
  CHECK(show(f.expr("add_duration('2026-03-28T12:00:00+01:00', '24h')")) == "\"2026-03-29T11:00:00Z\"");
  CHECK(show(f.expr("format_date(add_duration('2026-03-28T12:00:00+01:00', '24h'), '%H:%M %Z', 'Europe/Berlin')")) ==
        "\"13:00 CEST\"");
  CHECK(show(f.expr("add_duration('2026-11-01T01:30:00-04:00', '1h')")) == "\"2026-11-01T06:30:00Z\"");
  CHECK(show(f.expr("format_date(add_duration('2026-11-01T01:30:00-04:00', '1h'), '%H:%M %Z', 'America/New_York')")) ==
        "\"01:30 EST\"");
  CHECK(show(f.expr("add_duration(1000, '1m30s')")) == "91000");
  CHECK(show(f.expr("add_duration('2026-01-01T00:00:00Z', '-1d')")) == "\"2025-12-31T00:00:00Z\"");
  // Only one hour passes between 01:00 CET and 03:00 CEST.
  CHECK(show(f.expr("diff_seconds('2026-03-29T03:00:00+02:00', '2026-03-29T01:00:00+01:00')")) == "3600");
  CHECK(show(f.expr("diff_seconds('2026-01-01T00:00:01.500Z', '2026-01-01T00:00:00Z')")) == "1.5");
  CHECK(!f.expr("add_duration('2026-01-01T00:00:00Z', 'soon')").ok());
}

TEST_CASE("format_date and parse_date with zones", "[expr][time]") {
  ExprFixture f;
  CHECK(show(f.expr("format_date('2026-03-29T01:30:00Z', '%Y-%m-%d %H:%M', 'Europe/Berlin')")) == "\"2026-03-29 03:30\"");
  CHECK(show(f.expr("format_date('2026-07-04T16:00:00Z', '%A %d.%m. %H:%M', 'America/New_York')")) ==
        "\"Saturday 04.07. 12:00\"");
  CHECK(show(f.expr("format_date('2026-07-04', '%Y-%m-%d %H:%M')")) == "\"2026-07-04 00:00\"");
  // A time without offset is local time in the given zone.
  CHECK(show(f.expr("parse_date('2026-07-01 09:00', 'Europe/Berlin')")) == "\"2026-07-01T07:00:00Z\"");
  CHECK(show(f.expr("parse_date('2026-01-15T09:00:00', 'America/New_York')")) == "\"2026-01-15T14:00:00Z\"");
  // Ambiguous (fall back): the earlier instant.
  CHECK(show(f.expr("parse_date('2026-10-25 02:30', 'Europe/Berlin')")) == "\"2026-10-25T00:30:00Z\"");
  CHECK(show(f.expr("parse_date('2026-03-29T14:30:00.250+02:00')")) == "\"2026-03-29T12:30:00.250Z\"");
  CHECK(show(f.expr("parse_date('29.03.2026')")) == "null");
  CHECK(show(f.expr("parse_date('2026-02-30')")) == "null");
  CHECK(show(f.expr("unix_ms('1970-01-01T00:00:01Z')")) == "1000");
  auto r = f.expr("to_timezone('2026-01-01T00:00:00Z', 'Mars/Olympus')");
  REQUIRE(!r.ok());
  CHECK(r.status().message().find("unknown time zone 'Mars/Olympus'") != std::string::npos);
  CHECK(!f.expr("format_date('yesterday', '%Y')").ok());
}

TEST_CASE("now() and today() read the clock", "[expr][time]") {
  ExprFixture f;
  auto now = f.expr("now()");
  REQUIRE(now.ok());
  REQUIRE(now.value().is_string());
  CHECK(now.value().as_string().back() == 'Z');
  CHECK(f.expr("parse_date(now()) != null").value() == Value(true));
  auto today = f.expr("today('Europe/Berlin')");
  REQUIRE(today.ok());
  CHECK(today.value().as_string().size() == 10);
  CHECK(f.expr("today()").ok());
  CHECK(!f.expr("today('Nowhere/Land')").ok());
}

TEST_CASE("e164 normalises German and US numbers, invalid is null", "[expr][phone]") {
  ExprFixture f;
  CHECK(show(f.expr("e164('(650) 253-0000')")) == "\"+16502530000\"");
  CHECK(show(f.expr("e164('650.253.0000', 'US')")) == "\"+16502530000\"");
  CHECK(show(f.expr("e164('+1 650 253 0000', 'DE')")) == "\"+16502530000\"");
  CHECK(show(f.expr("e164('030 1234567', 'DE')")) == "\"+49301234567\"");
  CHECK(show(f.expr("e164('+49 (0)30 1234567')")) == "\"+49301234567\"");
  CHECK(show(f.expr("e164('0151 23456789', 'de')")) == "\"+4915123456789\"");
  CHECK(show(f.expr("e164('12345')")) == "null");
  CHECK(show(f.expr("e164('not a number')")) == "null");
  CHECK(show(f.expr("e164('030 1234567', 'US')")) == "null");
  CHECK(show(f.expr("e164(null)")) == "null");
  CHECK(show(f.expr("e164(6502530000)")) == "\"+16502530000\"");
  CHECK(!f.expr("e164('030 1234567', 'Germany')").ok());
}

TEST_CASE("phone_valid, phone_region and phone_format", "[expr][phone]") {
  ExprFixture f;
  CHECK(show(f.expr("phone_valid('+49 30 1234567')")) == "true");
  CHECK(show(f.expr("phone_valid('030 1234567', 'DE')")) == "true");
  CHECK(show(f.expr("phone_valid('555')")) == "false");
  CHECK(show(f.expr("phone_region('+49 30 1234567')")) == "\"DE\"");
  CHECK(show(f.expr("phone_region('+1 650 253 0000')")) == "\"US\"");
  CHECK(show(f.expr("phone_region('+44 20 7946 0958')")) == "\"GB\"");
  CHECK(show(f.expr("phone_region('garbage')")) == "null");
  CHECK(show(f.expr("phone_format('+16502530000')")) == "\"+1 650-253-0000\"");
  CHECK(show(f.expr("phone_format('+49301234567', 'national')")) == "\"030 1234567\"");
}
