// Parsing cron expressions (syntax in cron.hpp). Every error names the field and
// the token, and carries the token's offset so validation can point at it.
#include <array>
#include <cctype>
#include <vector>

#include "schedule/cron.hpp"

namespace famulor::detail {
namespace {

struct FieldSpec {
  const char* name;
  int min;
  int max;
  const char* const* names;  // 3-letter names for min..(min+count-1), or nullptr
  int name_count;
};

constexpr const char* kMonthNames[] = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                       "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
constexpr const char* kDayNames[] = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"};

constexpr FieldSpec kSecond{"second", 0, 59, nullptr, 0};
constexpr FieldSpec kMinute{"minute", 0, 59, nullptr, 0};
constexpr FieldSpec kHour{"hour", 0, 23, nullptr, 0};
constexpr FieldSpec kDay{"day-of-month", 1, 31, nullptr, 0};
constexpr FieldSpec kMonth{"month", 1, 12, kMonthNames, 12};
constexpr FieldSpec kWeekday{"day-of-week", 0, 7, kDayNames, 7};  // 7 = Sunday

struct Token {
  std::string_view text;
  std::size_t offset;
};

struct Failure {
  std::string message;
  std::size_t offset;
};

// 'text' (appended, not operator+: GCC 12 warns falsely, -Wrestrict, on "'" + str).
std::string quoted(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  out.push_back('\'');
  out.append(text);
  out.push_back('\'');
  return out;
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// A number or (months, weekdays) a name; nullopt when it is neither.
bool parse_value(std::string_view s, const FieldSpec& f, int& out) {
  if (s.empty()) return false;
  if (std::isdigit(static_cast<unsigned char>(s[0]))) {
    if (s.size() > 4) return false;
    int v = 0;
    for (char c : s) {
      if (!std::isdigit(static_cast<unsigned char>(c))) return false;
      v = v * 10 + (c - '0');
    }
    out = v;
    return true;
  }
  std::string u = upper(s);
  for (int i = 0; i < f.name_count; ++i)
    if (u == f.names[i]) {
      out = f.min + i;
      return true;
    }
  return false;
}

class FieldParser {
 public:
  FieldParser(const FieldSpec& f, Token field, std::vector<bool>& bits, bool* last_day)
      : f_(f), field_(field), bits_(bits), last_day_(last_day) {}

  std::optional<Failure> parse() {
    std::size_t start = 0;
    const std::string_view t = field_.text;
    while (true) {
      std::size_t comma = t.find(',', start);
      std::string_view item = t.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
      if (auto e = parse_item(item, field_.offset + start)) return e;
      if (comma == std::string_view::npos) break;
      start = comma + 1;
    }
    return std::nullopt;
  }

 private:
  std::string what() const { return std::string("cron ") + f_.name + ": "; }

  Failure fail(std::size_t at, std::string message) const { return {what() + message, at}; }

  std::string bad_value(std::string_view v) const {
    // Built with append: GCC 12 warns (-Wrestrict, falsely) on the chained operator+.
    std::string m = "'";
    m.append(v).append("' is not a number from ").append(std::to_string(f_.min));
    m.append(" to ").append(std::to_string(f_.max));
    if (f_.names) m.append(" or a name (").append(f_.names[0]).append("..").append(f_.names[f_.name_count - 1]).append(")");
    return m;
  }

  std::optional<Failure> value(std::string_view s, std::size_t at, int& out) const {
    if (!parse_value(s, f_, out)) return fail(at, bad_value(s));
    if (out < f_.min || out > f_.max)
      return fail(at, quoted(s) + " is out of range " + std::to_string(f_.min) + "-" + std::to_string(f_.max));
    return std::nullopt;
  }

  std::optional<Failure> parse_item(std::string_view item, std::size_t at) {
    if (item.empty()) return fail(at, "empty list item (two commas, or a comma at an end)");
    if ((item == "L" || item == "l") && last_day_) {
      *last_day_ = true;
      return std::nullopt;
    }
    std::string_view range = item;
    int step = 1;
    if (std::size_t slash = item.find('/'); slash != std::string_view::npos) {
      range = item.substr(0, slash);
      std::string_view s = item.substr(slash + 1);
      int v = 0;
      bool digits = !s.empty() && s.size() <= 4;
      for (char c : s) digits = digits && std::isdigit(static_cast<unsigned char>(c));
      if (digits) v = std::stoi(std::string(s));
      if (!digits || v < 1 || v > f_.max - f_.min + 1)
        return fail(at + slash + 1, "bad step " + quoted(s) + " in " + quoted(item) + " (a number from 1 to " +
                                        std::to_string(f_.max - f_.min + 1) + ")");
      step = v;
      if (range.empty()) return fail(at, "a step needs a range before it, as in '*/" + std::string(s) + "'");
    }
    int lo = f_.min, hi = f_.max;
    if (range == "*" || (range == "?" && (&f_ == &kDay || &f_ == &kWeekday))) {
      // whole range
    } else if (std::size_t dash = range.find('-'); dash != std::string_view::npos) {
      if (auto e = value(range.substr(0, dash), at, lo)) return e;
      if (auto e = value(range.substr(dash + 1), at + dash + 1, hi)) return e;
      if (lo > hi)
        return fail(at, "range " + quoted(range) + " runs backwards (write it as two ranges)");
    } else {
      if (auto e = value(range, at, lo)) return e;
      hi = item.find('/') != std::string_view::npos ? f_.max : lo;  // "5/10" = 5-max/10
    }
    for (int v = lo; v <= hi; v += step) bits_[static_cast<std::size_t>(v)] = true;
    return std::nullopt;
  }

  const FieldSpec& f_;
  Token field_;
  std::vector<bool>& bits_;
  bool* last_day_;
};

std::string_view expand_macro(std::string_view t) {
  if (t == "@yearly" || t == "@annually") return "0 0 1 1 *";
  if (t == "@monthly") return "0 0 1 * *";
  if (t == "@weekly") return "0 0 * * 0";
  if (t == "@daily" || t == "@midnight") return "0 0 * * *";
  if (t == "@hourly") return "0 * * * *";
  return {};
}

template <std::size_t N>
void copy_bits(const std::vector<bool>& from, std::bitset<N>& to) {
  for (std::size_t i = 0; i < N && i < from.size(); ++i) to[i] = from[i];
}

bool starts_star(std::string_view s) { return !s.empty() && (s[0] == '*' || s[0] == '?'); }

}  // namespace

Result<CronExpr> parse_cron(std::string_view text, CronError* error) {
  auto failed = [&](Failure f) -> Result<CronExpr> {
    if (error) *error = {f.message, f.offset};
    return invalid_argument(f.message);
  };
  std::vector<Token> fields;
  for (std::size_t i = 0; i < text.size();) {
    if (text[i] == ' ' || text[i] == '\t') {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < text.size() && text[j] != ' ' && text[j] != '\t') ++j;
    fields.push_back({text.substr(i, j - i), i});
    i = j;
  }
  if (fields.size() == 1 && !fields[0].text.empty() && fields[0].text[0] == '@') {
    std::string_view m = expand_macro(fields[0].text);
    if (m.empty())
      return failed({"cron: unknown macro " + quoted(fields[0].text) +
                         " (@yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly)",
                     fields[0].offset});
    auto r = parse_cron(m, nullptr);
    return r;
  }
  if (fields.size() != 5 && fields.size() != 6)
    return failed({"cron needs 5 fields (minute hour day-of-month month day-of-week) or 6 (second first), found " +
                       std::to_string(fields.size()),
                   fields.empty() ? 0 : fields[0].offset});
  CronExpr c;
  c.has_seconds = fields.size() == 6;
  std::size_t k = 0;
  std::vector<bool> bits;
  auto field = [&](const FieldSpec& spec, bool* last_day) -> std::optional<Failure> {
    bits.assign(static_cast<std::size_t>(spec.max) + 1, false);
    return FieldParser(spec, fields[k++], bits, last_day).parse();
  };
  if (c.has_seconds) {
    if (auto e = field(kSecond, nullptr)) return failed(*e);
    copy_bits(bits, c.seconds);
  } else {
    c.seconds[0] = true;
  }
  if (auto e = field(kMinute, nullptr)) return failed(*e);
  copy_bits(bits, c.minutes);
  if (auto e = field(kHour, nullptr)) return failed(*e);
  copy_bits(bits, c.hours);
  c.days_star = starts_star(fields[k].text);
  const Token day_field = fields[k];
  if (auto e = field(kDay, &c.last_day)) return failed(*e);
  copy_bits(bits, c.days);
  if (auto e = field(kMonth, nullptr)) return failed(*e);
  copy_bits(bits, c.months);
  c.weekdays_star = starts_star(fields[k].text);
  if (auto e = field(kWeekday, nullptr)) return failed(*e);
  if (bits[7]) bits[0] = true;  // 7 = Sunday
  copy_bits(bits, c.weekdays);
  if (!c.can_match())
    return failed({"cron never fires: no month it allows has the day of the month it asks for", day_field.offset});
  return c;
}

}  // namespace famulor::detail
