// TimeZone over <date/tz.h> (system tzdata). The DST rules are in zone.hpp.
#include "schedule/zone.hpp"

#include <cstdio>

#include <date/tz.h>

#include "common/clock.hpp"

namespace famulor::detail {
namespace {

using date::local_seconds;
using std::chrono::seconds;

std::int64_t floor_div(std::int64_t a, std::int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

std::string format_local(std::int64_t local_ms, const char* suffix) {
  const std::int64_t s = floor_div(local_ms, 1000);
  const int ms = static_cast<int>(local_ms - s * 1000);
  const std::int64_t days = floor_div(s, 86400);
  const std::int64_t sod = s - days * 86400;
  const date::year_month_day ymd{date::sys_days{date::days{days}}};
  char buf[64];
  if (ms != 0)
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%03d%s", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()), static_cast<int>(sod / 3600),
                  static_cast<int>(sod / 60 % 60), static_cast<int>(sod % 60), ms, suffix);
  else
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d%s", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()), static_cast<int>(sod / 3600),
                  static_cast<int>(sod / 60 % 60), static_cast<int>(sod % 60), suffix);
  return buf;
}

}  // namespace

TimeZone::TimeZone() = default;

Result<TimeZone> TimeZone::locate(std::string_view name) {
  TimeZone z;
  if (name == "UTC" || name == "Etc/UTC") return z;
  if (name.empty() || name.size() > 64) return invalid_argument("unknown time zone '" + std::string(name) + "'");
  try {
    z.zone_ = date::locate_zone(name);
    z.name_ = std::string(name);
    return z;
  } catch (const std::exception&) {
    return invalid_argument("unknown time zone '" + std::string(name) + "' (use an IANA name like Europe/Berlin)");
  }
}

std::int64_t TimeZone::to_local(std::int64_t unix_s) const {
  if (!zone_) return unix_s;
  const date::sys_seconds t{seconds{unix_s}};
  return zone_->to_local(t).time_since_epoch().count();
}

std::int64_t TimeZone::from_local(std::int64_t local_s) const {
  if (!zone_) return local_s;
  const local_seconds lt{seconds{local_s}};
  const date::local_info i = zone_->get_info(lt);
  switch (i.result) {
    case date::local_info::unique:
    case date::local_info::ambiguous:  // `first` is the earlier occurrence
      return local_s - i.first.offset.count();
    case date::local_info::nonexistent:  // in a gap: the instant the gap ends
    default:
      return i.second.begin.time_since_epoch().count();
  }
}

std::string TimeZone::format(std::int64_t unix_ms) const {
  if (!zone_) return format_utc(unix_ms);
  const std::int64_t s = floor_div(unix_ms, 1000);
  const date::sys_info info = zone_->get_info(date::sys_seconds{seconds{s}});
  const std::int64_t off = info.offset.count();
  char suffix[8];
  const std::int64_t a = off < 0 ? -off : off;
  std::snprintf(suffix, sizeof suffix, "%c%02d:%02d", off < 0 ? '-' : '+', static_cast<int>(a / 3600),
                static_cast<int>(a / 60 % 60));
  return format_local(unix_ms + off * 1000, suffix);
}

std::string format_utc(std::int64_t unix_ms) { return format_local(unix_ms, "Z"); }

std::optional<std::int64_t> parse_time(std::string_view s, const TimeZone& zone) {
  int y, mo, d, h, mi, sec = 0, ms = 0;
  if (!fixed_digits(s, 0, 4, y) || s.size() < 16 || s[4] != '-' || !fixed_digits(s, 5, 2, mo) || s[7] != '-' ||
      !fixed_digits(s, 8, 2, d) || (s[10] != 'T' && s[10] != ' ') || !fixed_digits(s, 11, 2, h) || s[13] != ':' ||
      !fixed_digits(s, 14, 2, mi))
    return std::nullopt;
  std::size_t p = 16;
  if (p < s.size() && s[p] == ':') {
    if (!fixed_digits(s, p + 1, 2, sec)) return std::nullopt;
    p += 3;
    if (p < s.size() && s[p] == '.') {
      int scale = 100;
      for (++p; p < s.size() && s[p] >= '0' && s[p] <= '9'; ++p, scale /= 10) ms += (s[p] - '0') * scale;
    }
  }
  const date::year_month_day ymd{date::year{y}, date::month{static_cast<unsigned>(mo)},
                                 date::day{static_cast<unsigned>(d)}};
  if (!ymd.ok() || h > 23 || mi > 59 || sec > 59) return std::nullopt;
  const std::int64_t local_s =
      static_cast<std::int64_t>(date::sys_days{ymd}.time_since_epoch().count()) * 86400 + h * 3600 + mi * 60 + sec;
  if (p == s.size()) return zone.from_local(local_s) * 1000 + ms;
  if (s[p] == 'Z' || s[p] == 'z') {
    if (p + 1 != s.size()) return std::nullopt;
    return local_s * 1000 + ms;
  }
  int oh, om;
  if ((s[p] != '+' && s[p] != '-') || !fixed_digits(s, p + 1, 2, oh) || p + 6 != s.size() || s[p + 3] != ':' ||
      !fixed_digits(s, p + 4, 2, om) || oh > 23 || om > 59)
    return std::nullopt;
  const std::int64_t off = (oh * 3600 + om * 60) * (s[p] == '-' ? -1 : 1);
  return (local_s - off) * 1000 + ms;
}

}  // namespace famulor::detail
