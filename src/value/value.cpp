// Value and Object members: lookup, mutation, accessors and equality.
#include <cassert>
#include <charconv>
#include <cmath>
#include <limits>
#include <optional>
#include <string>

#include "famulor/value.hpp"

namespace famulor {

// ---- Object ----

const Value* Object::find(std::string_view key) const noexcept {
  for (const auto& m : members_) {
    if (m.first == key) return &m.second;
  }
  return nullptr;
}

Value* Object::find(std::string_view key) noexcept {
  for (auto& m : members_) {
    if (m.first == key) return &m.second;
  }
  return nullptr;
}

Value& Object::set(std::string key, Value value) {
  if (Value* existing = find(key)) {
    *existing = std::move(value);
    return *existing;
  }
  return members_.emplace_back(std::move(key), std::move(value)).second;
}

Value& Object::append(std::string key, Value value) {
  return members_.emplace_back(std::move(key), std::move(value)).second;
}

Value& Object::operator[](std::string_view key) {
  if (Value* existing = find(key)) return *existing;
  return members_.emplace_back(std::string(key), Value()).second;
}

bool Object::erase(std::string_view key) {
  for (auto it = members_.begin(); it != members_.end(); ++it) {
    if (it->first == key) {
      members_.erase(it);
      return true;
    }
  }
  return false;
}

// Objects are equal when they hold the same keys with equal values; member order
// does not matter (JSON objects are unordered for comparison purposes).
bool operator==(const Object& a, const Object& b) {
  if (a.size() != b.size()) return false;
  for (const auto& m : a.members_) {
    const Value* other = b.find(m.first);
    if (other == nullptr || !(*other == m.second)) return false;
  }
  return true;
}

// ---- Value ----

namespace {

double number_text_to_double(const std::string& text) noexcept {
  double d = 0.0;
  const char* first = text.data();
  const char* last = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(first, last, d);
  if (ec == std::errc()) return d;
  if (ec == std::errc::result_out_of_range) {
    // Too large in magnitude (1E400) or too small (1e-400): infinity or zero.
    bool negative = !text.empty() && text[0] == '-';
    auto e = text.find_first_of("eE");
    bool tiny = e != std::string::npos && e + 1 < text.size() && text[e + 1] == '-';
    if (tiny) return negative ? -0.0 : 0.0;
    return negative ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
  }
  return std::numeric_limits<double>::quiet_NaN();
}

// A JSON number as digits x 10^exponent with no leading or trailing zeros in digits
// (zero is the empty digit string), so that equal values have equal forms.
struct Decimal {
  bool negative = false;
  std::string digits;
  std::int64_t exponent = 0;
  friend bool operator==(const Decimal&, const Decimal&) = default;
};

// Nullopt when text is not a JSON number.
std::optional<Decimal> to_decimal(std::string_view text) {
  Decimal d;
  std::size_t i = 0;
  if (i < text.size() && text[i] == '-') {
    d.negative = true;
    ++i;
  }
  std::size_t digits_start = i;
  std::int64_t fraction_digits = 0;
  bool seen_point = false;
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (c >= '0' && c <= '9') {
      if (!(d.digits.empty() && c == '0')) d.digits.push_back(c);
      if (seen_point) ++fraction_digits;
    } else if (c == '.' && !seen_point) {
      seen_point = true;
    } else {
      break;
    }
  }
  if (i == digits_start) return std::nullopt;
  std::int64_t exp = 0;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    bool exp_negative = false;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) exp_negative = text[i++] == '-';
    if (i >= text.size()) return std::nullopt;
    for (; i < text.size(); ++i) {
      if (text[i] < '0' || text[i] > '9') return std::nullopt;
      if (exp < 1'000'000'000'000'000) exp = exp * 10 + (text[i] - '0');  // saturates
    }
    if (exp_negative) exp = -exp;
  }
  if (i != text.size()) return std::nullopt;
  d.exponent = exp - fraction_digits;
  while (!d.digits.empty() && d.digits.back() == '0') {
    d.digits.pop_back();
    ++d.exponent;
  }
  if (d.digits.empty()) return Decimal{};  // zero, whatever its sign
  return d;
}

// Exact comparison of an integer with a double (no rounding of the integer).
bool int_equals_double(std::int64_t i, double d) noexcept {
  if (!std::isfinite(d)) return false;
  if (d < -9223372036854775808.0 || d >= 9223372036854775808.0) return false;
  if (std::trunc(d) != d) return false;
  return static_cast<std::int64_t>(d) == i;
}

}  // namespace

Value::Value(unsigned long long i) {
  if (i <= static_cast<unsigned long long>(std::numeric_limits<std::int64_t>::max())) {
    v_ = static_cast<std::int64_t>(i);
  } else {
    v_ = NumberText{std::to_string(i)};
  }
}

Value::Type Value::type() const noexcept {
  switch (v_.index()) {
    case 0: return Type::null;
    case 1: return Type::boolean;
    case 2: return Type::integer;
    case 3: return Type::number;
    case 4: return Type::string;
    case 5: return Type::array;
    case 6: return Type::object;
    default: return Type::number;  // NumberText
  }
}

double Value::as_double() const {
  switch (v_.index()) {
    case 2: return static_cast<double>(std::get<2>(v_));
    case 3: return std::get<3>(v_);
    case 7: return number_text_to_double(std::get<7>(v_).text);
    default:
      assert(false && "Value::as_double on a non-number");
      return std::numeric_limits<double>::quiet_NaN();
  }
}

const Value* Value::find(std::string_view key) const noexcept {
  if (const Object* o = std::get_if<6>(&v_)) return o->find(key);
  return nullptr;
}

Value* Value::find(std::string_view key) noexcept {
  if (Object* o = std::get_if<6>(&v_)) return o->find(key);
  return nullptr;
}

const Value* Value::at(std::size_t index) const noexcept {
  if (const Array* a = std::get_if<5>(&v_)) {
    if (index < a->size()) return &(*a)[index];
  }
  return nullptr;
}

Value& Value::operator[](std::string_view key) {
  assert((is_object() || is_null()) && "Value::operator[] requires an object or null");
  if (!is_object()) v_ = Object();
  return std::get<6>(v_)[key];
}

std::string Value::get_string(std::string_view key, std::string_view fallback) const {
  const Value* v = find(key);
  if (v != nullptr && v->is_string()) return v->as_string();
  return std::string(fallback);
}

std::int64_t Value::get_int(std::string_view key, std::int64_t fallback) const {
  const Value* v = find(key);
  if (v == nullptr) return fallback;
  if (v->is_int()) return v->as_int();
  if (v->is_number()) {
    double d = v->as_double();
    if (std::isfinite(d) && std::trunc(d) == d && d >= -9223372036854775808.0 && d < 9223372036854775808.0) {
      return static_cast<std::int64_t>(d);
    }
  }
  return fallback;
}

bool Value::get_bool(std::string_view key, bool fallback) const {
  const Value* v = find(key);
  if (v != nullptr && v->is_bool()) return v->as_bool();
  return fallback;
}

std::size_t Value::size() const noexcept {
  switch (v_.index()) {
    case 4: return std::get<4>(v_).size();
    case 5: return std::get<5>(v_).size();
    case 6: return std::get<6>(v_).size();
    default: return 0;
  }
}

bool operator==(const Value& a, const Value& b) {
  if (a.is_number() && b.is_number()) {
    std::size_t ia = a.v_.index();
    std::size_t ib = b.v_.index();
    if (ia == 2 && ib == 2) return std::get<2>(a.v_) == std::get<2>(b.v_);
    if (ia == 7 && ib == 7 && std::get<7>(a.v_).text == std::get<7>(b.v_).text) return true;
    if ((ia == 7 || ia == 2) && (ib == 7 || ib == 2)) {
      // NumberText against NumberText or an integer: compare as exact decimals.
      auto text_of = [](const Value& v) { return v.is_int() ? std::to_string(v.as_int()) : v.as_number_text()->text; };
      auto da = to_decimal(text_of(a));
      auto db = to_decimal(text_of(b));
      if (da && db) return *da == *db;
    }
    if (ia == 2) return int_equals_double(std::get<2>(a.v_), b.as_double());
    if (ib == 2) return int_equals_double(std::get<2>(b.v_), a.as_double());
    return a.as_double() == b.as_double();
  }
  return a.v_ == b.v_;
}

std::string_view to_string(Value::Type type) noexcept {
  switch (type) {
    case Value::Type::null: return "null";
    case Value::Type::boolean: return "boolean";
    case Value::Type::integer: return "integer";
    case Value::Type::number: return "number";
    case Value::Type::string: return "string";
    case Value::Type::array: return "array";
    case Value::Type::object: return "object";
  }
  return "unknown";
}

}  // namespace famulor
