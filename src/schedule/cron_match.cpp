// CronExpr::next_local: the next matching wall-clock second, by jumping field by
// field (month, day, hour, minute, second) rather than stepping through seconds.
#include <date/date.h>

#include "schedule/cron.hpp"

namespace famulor::detail {
namespace {

constexpr std::int64_t kDay = 86400;

std::int64_t floor_div(std::int64_t a, std::int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

struct Civil {
  int year;
  unsigned month, day;
  int hour, minute, second;
  unsigned weekday;  // 0 = Sunday
  unsigned month_days;
  std::int64_t day_start;  // local seconds of 00:00:00
};

Civil civil(std::int64_t t) {
  const std::int64_t days = floor_div(t, kDay);
  const std::int64_t sod = t - days * kDay;
  const date::sys_days sd{date::days{days}};
  const date::year_month_day ymd{sd};
  Civil c;
  c.year = static_cast<int>(ymd.year());
  c.month = static_cast<unsigned>(ymd.month());
  c.day = static_cast<unsigned>(ymd.day());
  c.hour = static_cast<int>(sod / 3600);
  c.minute = static_cast<int>(sod / 60 % 60);
  c.second = static_cast<int>(sod % 60);
  c.weekday = date::weekday{sd}.c_encoding();
  c.month_days = static_cast<unsigned>((ymd.year() / ymd.month() / date::last).day());
  c.day_start = days * kDay;
  return c;
}

std::int64_t local_of(int y, unsigned m, unsigned d) {
  return date::sys_days{date::year{y} / date::month{m} / date::day{d}}.time_since_epoch().count() * kDay;
}

// The lowest set bit >= from, or -1.
template <std::size_t N>
int next_bit(const std::bitset<N>& b, int from) {
  for (int i = from; i < static_cast<int>(N); ++i)
    if (b[static_cast<std::size_t>(i)]) return i;
  return -1;
}

bool day_matches(const CronExpr& c, const Civil& t) {
  const bool dom = c.days[t.day] || (c.last_day && t.day == t.month_days);
  const bool dow = c.weekdays[t.weekday];
  return (c.days_star || c.weekdays_star) ? (dom && dow) : (dom || dow);  // Vixie: OR when both are restricted
}

}  // namespace

std::optional<std::int64_t> CronExpr::next_local(std::int64_t from) const {
  std::int64_t t = from;
  const int last_year = civil(from).year + kCronSearchYears;
  // Every pass moves t forward to the next candidate of some field; a year costs at
  // most ~12 month jumps + 366 day steps + a few hour/minute/second jumps.
  while (true) {
    const Civil c = civil(t);
    if (c.year > last_year) return std::nullopt;
    if (!months[c.month]) {
      t = c.month == 12 ? local_of(c.year + 1, 1, 1) : local_of(c.year, c.month + 1, 1);
      continue;
    }
    if (!day_matches(*this, c)) {
      t = c.day_start + kDay;
      continue;
    }
    if (!hours[static_cast<std::size_t>(c.hour)]) {
      int h = next_bit(hours, c.hour);
      t = h < 0 ? c.day_start + kDay : c.day_start + h * 3600;
      continue;
    }
    const std::int64_t hour_start = c.day_start + c.hour * 3600;
    if (!minutes[static_cast<std::size_t>(c.minute)]) {
      int m = next_bit(minutes, c.minute);
      t = m < 0 ? hour_start + 3600 : hour_start + m * 60;
      continue;
    }
    const std::int64_t minute_start = hour_start + c.minute * 60;
    if (!seconds[static_cast<std::size_t>(c.second)]) {
      int s = next_bit(seconds, c.second);
      t = s < 0 ? minute_start + 60 : minute_start + s;
      continue;
    }
    return t;
  }
}

bool CronExpr::can_match() const {
  // Day-of-month alone decides only when weekdays are unrestricted (AND with '*');
  // with a restricted weekday some weekday always comes round.
  if (!(days_star || weekdays_star)) return true;
  if (weekdays.none() || months.none()) return false;
  if (last_day) return true;
  static constexpr unsigned kMaxDays[13] = {0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  for (unsigned m = 1; m <= 12; ++m) {
    if (!months[m]) continue;
    for (unsigned d = 1; d <= kMaxDays[m]; ++d)
      if (days[d]) return true;
  }
  return false;
}

}  // namespace famulor::detail
