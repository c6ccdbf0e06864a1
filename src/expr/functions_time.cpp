// Date/time functions over IANA time zones (<date/tz.h>, system tzdata).
//
// A time is an ISO 8601 string ("2026-03-29T01:30:00Z", "2026-03-29T03:30:00+02:00",
// "2026-03-29" = midnight UTC) or a number of unix milliseconds. Offsets come from
// the zone's rules at that instant, so results are DST-correct. Only this file
// includes <date/tz.h>.
#include <chrono>
#include <cstdio>
#include <string>

#include <date/tz.h>

#include "common/clock.hpp"
#include "common/duration.hpp"
#include "expr/functions.hpp"

namespace famulor::expr::detail {
namespace {

using std::chrono::milliseconds;
using std::chrono::minutes;
using SysMs = date::sys_time<milliseconds>;
using LocalMs = date::local_time<milliseconds>;

// Unix ms within years 0001..9999.
constexpr std::int64_t kMinMs = -62135596800000;
constexpr std::int64_t kMaxMs = 253402300799999;

Status find_zone(std::string_view fn, std::string_view name, const date::time_zone*& out) {
  if (name.empty() || name.size() > 64) return fn_error(fn, "unknown time zone '" + std::string(name) + "'");
  try {
    out = date::locate_zone(name);
    return {};
  } catch (const std::exception&) {
    return fn_error(fn, "unknown time zone '" + std::string(name) + "' (use IANA names like Europe/Berlin)");
  }
}

struct IsoTime {
  LocalMs local;
  bool has_offset = false;
  minutes offset{0};
};

// YYYY-MM-DD[(T| )HH:MM[:SS[.fff]]][Z|±HH[:MM]]
bool parse_iso(std::string_view s, IsoTime& out) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0, ms = 0;
  if (!famulor::detail::fixed_digits(s, 0, 4, y) || s.size() < 10 || s[4] != '-' || !famulor::detail::fixed_digits(s, 5, 2, mo) || s[7] != '-' ||
      !famulor::detail::fixed_digits(s, 8, 2, d)) {
    return false;
  }
  date::year_month_day ymd{date::year{y}, date::month{static_cast<unsigned>(mo)}, date::day{static_cast<unsigned>(d)}};
  if (!ymd.ok() || y < 1) return false;
  std::size_t p = 10;
  if (p < s.size() && (s[p] == 'T' || s[p] == 't' || s[p] == ' ')) {
    if (!famulor::detail::fixed_digits(s, p + 1, 2, h) || p + 3 >= s.size() || s[p + 3] != ':' || !famulor::detail::fixed_digits(s, p + 4, 2, mi)) return false;
    p += 6;
    if (p < s.size() && s[p] == ':') {
      if (!famulor::detail::fixed_digits(s, p + 1, 2, sec)) return false;
      p += 3;
      if (p < s.size() && (s[p] == '.' || s[p] == ',')) {
        ++p;
        int scale = 100;
        std::size_t start = p;
        while (p < s.size() && s[p] >= '0' && s[p] <= '9') {
          ms += (s[p] - '0') * scale;
          scale /= 10;
          ++p;
        }
        if (p == start) return false;
      }
    }
    if (h > 23 || mi > 59 || sec > 60) return false;
    if (sec == 60) sec = 59;  // leap second: clamp
  }
  if (p < s.size()) {
    if (s[p] == 'Z' || s[p] == 'z') {
      out.has_offset = true;
      ++p;
    } else if (s[p] == '+' || s[p] == '-') {
      int oh = 0, om = 0;
      int sign = s[p] == '-' ? -1 : 1;
      if (!famulor::detail::fixed_digits(s, p + 1, 2, oh)) return false;
      p += 3;
      if (p < s.size() && s[p] == ':') ++p;
      if (p < s.size()) {
        if (!famulor::detail::fixed_digits(s, p, 2, om)) return false;
        p += 2;
      }
      if (oh > 23 || om > 59) return false;
      out.has_offset = true;
      out.offset = minutes(sign * (oh * 60 + om));
    } else {
      return false;
    }
  }
  if (p != s.size()) return false;
  out.local = LocalMs(date::local_days(ymd).time_since_epoch()) + std::chrono::hours(h) + minutes(mi) +
              std::chrono::seconds(sec) + milliseconds(ms);
  return true;
}

// A time argument: ISO string or unix ms; strings without an offset are local time
// in `zone` (UTC when null).
Status to_sys(std::string_view fn, const Value& v, const date::time_zone* zone, SysMs& out) {
  if (v.is_number()) {
    double d = v.as_double();
    if (!(d >= static_cast<double>(kMinMs) && d <= static_cast<double>(kMaxMs))) {
      return fn_error(fn, "unix milliseconds out of range (years 1..9999)");
    }
    out = SysMs(milliseconds(v.is_int() ? v.as_int() : static_cast<std::int64_t>(d)));
    return {};
  }
  if (!v.is_string()) {
    return fn_error(fn, "a time must be an ISO 8601 string or unix milliseconds, got " + std::string(to_string(v.type())));
  }
  IsoTime t;
  if (!parse_iso(v.as_string(), t)) {
    std::string shown = v.as_string().substr(0, 40);
    return fn_error(fn, "'" + shown + "' is not an ISO 8601 time (e.g. 2026-03-29T14:30:00Z)");
  }
  if (t.has_offset) {
    out = SysMs(t.local.time_since_epoch()) - t.offset;
  } else if (zone) {
    try {
      out = zone->to_sys(t.local, date::choose::earliest);
    } catch (const std::exception& e) {
      return fn_error(fn, std::string("local time does not exist in ") + std::string(zone->name()) + ": " + e.what());
    }
  } else {
    out = SysMs(t.local.time_since_epoch());
  }
  if (out.time_since_epoch().count() < kMinMs || out.time_since_epoch().count() > kMaxMs) {
    return fn_error(fn, "time out of range (years 1..9999)");
  }
  return {};
}

// "YYYY-MM-DDTHH:MM:SS[.mmm]" of a local time, then the offset ("Z" or "+02:00").
std::string iso(LocalMs local, minutes offset, bool utc_z) {
  auto day = date::floor<date::days>(local);
  date::year_month_day ymd{day};
  date::hh_mm_ss<milliseconds> tod{local - day};
  char buf[64];
  int n = std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d", static_cast<int>(ymd.year()),
                        static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                        static_cast<int>(tod.hours().count()), static_cast<int>(tod.minutes().count()),
                        static_cast<int>(tod.seconds().count()));
  std::string s(buf, static_cast<std::size_t>(n));
  if (auto ms = tod.subseconds().count(); ms != 0) {
    std::snprintf(buf, sizeof buf, ".%03d", static_cast<int>(ms));
    s += buf;
  }
  if (utc_z && offset.count() == 0) {
    s += 'Z';
  } else {
    const auto m = offset.count();
    std::snprintf(buf, sizeof buf, "%c%02d:%02d", m < 0 ? '-' : '+', static_cast<int>((m < 0 ? -m : m) / 60),
                  static_cast<int>((m < 0 ? -m : m) % 60));
    s += buf;
  }
  return s;
}

std::string iso_utc(SysMs t) { return iso(LocalMs(t.time_since_epoch()), minutes(0), true); }

Status zone_arg(std::string_view fn, const Args& a, std::size_t i, const date::time_zone*& zone) {
  zone = nullptr;
  if (!a.has(i) || a[i].is_null()) return {};
  const std::string* name = nullptr;
  if (Status st = want_string(fn, a, i, name); !st.ok()) return st;
  return find_zone(fn, *name, zone);
}

Status fn_now(const Args&, EvalCtx&, Value& out) {
  out = Value(iso_utc(SysMs(milliseconds(famulor::detail::now_ms()))));
  return {};
}

Status fn_today(const Args& a, EvalCtx&, Value& out) {
  const date::time_zone* zone = nullptr;
  if (Status st = zone_arg("today", a, 0, zone); !st.ok()) return st;
  SysMs now{milliseconds(famulor::detail::now_ms())};
  LocalMs local = zone ? zone->to_local(now) : LocalMs(now.time_since_epoch());
  out = Value(iso(local, minutes(0), true).substr(0, 10));
  return {};
}

Status fn_to_timezone(const Args& a, EvalCtx&, Value& out) {
  const date::time_zone* zone = nullptr;
  SysMs t;
  if (Status st = zone_arg("to_timezone", a, 1, zone); !st.ok()) return st;
  if (!zone) return fn_error("to_timezone", "the second argument must be a time zone name");
  if (Status st = to_sys("to_timezone", a[0], nullptr, t); !st.ok()) return st;
  auto info = zone->get_info(t);
  out = Value(iso(zone->to_local(t), date::floor<minutes>(info.offset), false));
  return {};
}

Status fn_format_date(const Args& a, EvalCtx& ctx, Value& out) {
  const std::string* fmt = nullptr;
  const date::time_zone* zone = nullptr;
  SysMs t;
  if (Status st = want_string("format_date", a, 1, fmt); !st.ok()) return st;
  if (fmt->size() > 256) return fn_error("format_date", "the format is longer than 256 bytes");
  if (Status st = zone_arg("format_date", a, 2, zone); !st.ok()) return st;
  if (Status st = to_sys("format_date", a[0], zone, t); !st.ok()) return st;
  if (!zone) zone = date::locate_zone("UTC");
  try {
    auto secs = date::floor<std::chrono::seconds>(t);
    std::string s = date::format(*fmt, date::make_zoned(zone, secs));
    if (Status st = ctx.check_string(s.size(), "format_date()"); !st.ok()) return st;
    out = Value(std::move(s));
  } catch (const std::exception& e) {
    return fn_error("format_date", std::string("cannot format: ") + e.what());
  }
  return {};
}

Status fn_add_duration(const Args& a, EvalCtx&, Value& out) {
  SysMs t;
  if (Status st = to_sys("add_duration", a[0], nullptr, t); !st.ok()) return st;
  milliseconds d{0};
  if (a[1].is_int()) {
    d = milliseconds(a[1].as_int());
  } else if (a[1].is_string()) {
    std::string_view text = a[1].as_string();
    bool negative = !text.empty() && text.front() == '-';
    if (negative) text.remove_prefix(1);
    auto r = famulor::detail::parse_duration(text);
    if (!r.ok()) return fn_error("add_duration", r.status().message());
    d = negative ? -r.value() : r.value();
  } else {
    return fn_error("add_duration", "the duration must be a string like \"1h30m\" or milliseconds, got " +
                                        std::string(to_string(a[1].type())));
  }
  const std::int64_t ms = t.time_since_epoch().count();
  std::int64_t r = 0;
  if (__builtin_add_overflow(ms, static_cast<std::int64_t>(d.count()), &r) || r < kMinMs || r > kMaxMs) {
    return fn_error("add_duration", "the result is out of range (years 1..9999)");
  }
  out = a[0].is_number() ? Value(static_cast<long long>(r)) : Value(iso_utc(SysMs(milliseconds(r))));
  return {};
}

Status fn_diff_seconds(const Args& a, EvalCtx&, Value& out) {
  SysMs x, y;
  if (Status st = to_sys("diff_seconds", a[0], nullptr, x); !st.ok()) return st;
  if (Status st = to_sys("diff_seconds", a[1], nullptr, y); !st.ok()) return st;
  const std::int64_t ms = (x - y).count();
  out = ms % 1000 == 0 ? Value(static_cast<long long>(ms / 1000)) : Value(static_cast<double>(ms) / 1000.0);
  return {};
}

Status fn_parse_date(const Args& a, EvalCtx&, Value& out) {
  const date::time_zone* zone = nullptr;
  if (Status st = zone_arg("parse_date", a, 1, zone); !st.ok()) return st;
  SysMs t;
  if (a[0].is_null() || !to_sys("parse_date", a[0], zone, t).ok()) {
    out = Value();
    return {};
  }
  out = Value(iso_utc(t));
  return {};
}

Status fn_unix_ms(const Args& a, EvalCtx&, Value& out) {
  SysMs t;
  if (Status st = to_sys("unix_ms", a[0], nullptr, t); !st.ok()) return st;
  out = Value(static_cast<long long>(t.time_since_epoch().count()));
  return {};
}

}  // namespace

void add_time_functions(std::vector<FunctionDef>& t) {
  using T = Value::Type;
  t.push_back({"now", 0, 0, T::string, false, fn_now});
  t.push_back({"today", 0, 1, T::string, false, fn_today});
  t.push_back({"to_timezone", 2, 2, T::string, true, fn_to_timezone});
  t.push_back({"format_date", 2, 3, T::string, true, fn_format_date});
  t.push_back({"add_duration", 2, 2, std::nullopt, true, fn_add_duration});
  t.push_back({"diff_seconds", 2, 2, std::nullopt, true, fn_diff_seconds});
  t.push_back({"parse_date", 1, 2, std::nullopt, true, fn_parse_date});
  t.push_back({"unix_ms", 1, 1, T::integer, true, fn_unix_ms});
}

}  // namespace famulor::expr::detail
