// Number functions. Integers stay integers where the result is integral.
#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>

#include "expr/functions.hpp"

namespace famulor::expr::detail {
namespace {

Status fn_abs(const Args& a, EvalCtx&, Value& out) {
  if (a[0].is_int()) {
    std::int64_t i = a[0].as_int();
    out = i == std::numeric_limits<std::int64_t>::min() ? Value(-static_cast<double>(i))
                                                        : Value(static_cast<long long>(i < 0 ? -i : i));
    return {};
  }
  double d = 0;
  if (Status st = want_number("abs", a, 0, d); !st.ok()) return st;
  out = Value(std::fabs(d));
  return {};
}

Status rounding(const Args& a, Value& out, std::string_view name, double (*f)(double)) {
  if (a[0].is_int()) {
    out = a[0];
    return {};
  }
  double d = 0;
  if (Status st = want_number(name, a, 0, d); !st.ok()) return st;
  out = number_value(f(d));
  return {};
}
Status fn_floor(const Args& a, EvalCtx&, Value& out) { return rounding(a, out, "floor", [](double d) { return std::floor(d); }); }
Status fn_ceil(const Args& a, EvalCtx&, Value& out) { return rounding(a, out, "ceil", [](double d) { return std::ceil(d); }); }

Status fn_round(const Args& a, EvalCtx&, Value& out) {
  std::int64_t digits = 0;
  if (a.has(1)) {
    if (Status st = want_int("round", a, 1, digits); !st.ok()) return st;
    if (digits < -15 || digits > 15) return fn_error("round", "digits must be between -15 and 15");
  }
  if (a[0].is_int() && digits >= 0) {
    out = a[0];
    return {};
  }
  double d = 0;
  if (Status st = want_number("round", a, 0, d); !st.ok()) return st;
  const double scale = std::pow(10.0, static_cast<double>(digits));
  double r = std::round(d * scale) / scale;
  if (!std::isfinite(r)) r = d;
  out = digits > 0 ? Value(r) : number_value(r);
  return {};
}

// The values min/max/sum/avg work on: one array argument, or the arguments.
struct Items {
  const Value* data;
  std::size_t n;
};
Items items_of(const Args& a, std::vector<Value>& scratch) {
  if (a.size() == 1 && a[0].is_array()) return {a[0].as_array().data(), a[0].as_array().size()};
  scratch.clear();
  for (std::size_t i = 0; i < a.size(); ++i) scratch.push_back(a[i]);
  return {scratch.data(), scratch.size()};
}

Status extreme(const Args& a, EvalCtx& ctx, Value& out, bool want_max, std::string_view name) {
  std::vector<Value> scratch;
  Items it = items_of(a, scratch);
  if (Status st = ctx.charge(it.n); !st.ok()) return st;
  const Value* best = nullptr;
  for (std::size_t i = 0; i < it.n; ++i) {
    const Value& v = it.data[i];
    if (v.is_null()) continue;
    if (!best) {
      if (!v.is_number() && !v.is_string()) {
        return fn_error(name, "cannot compare " + std::string(to_string(v.type())) + " values");
      }
      best = &v;
      continue;
    }
    int c = 0;
    if (!compare_values(v, *best, c)) {
      return fn_error(name, "cannot compare " + std::string(to_string(v.type())) + " with " +
                                std::string(to_string(best->type())));
    }
    if (want_max ? c > 0 : c < 0) best = &v;
  }
  out = best ? *best : Value();
  return {};
}
Status fn_min(const Args& a, EvalCtx& ctx, Value& out) { return extreme(a, ctx, out, false, "min"); }
Status fn_max(const Args& a, EvalCtx& ctx, Value& out) { return extreme(a, ctx, out, true, "max"); }

Status total(const Args& a, EvalCtx& ctx, std::string_view name, Value& sum, std::size_t& count) {
  const Array* list = nullptr;
  if (Status st = want_array(name, a, 0, list); !st.ok()) return st;
  if (Status st = ctx.charge(list->size()); !st.ok()) return st;
  std::int64_t isum = 0;
  double dsum = 0;
  bool all_int = true;
  count = 0;
  for (std::size_t i = 0; i < list->size(); ++i) {
    const Value& v = (*list)[i];
    if (v.is_null()) continue;
    if (!v.is_number()) {
      return fn_error(name, "element " + std::to_string(i) + " is a " + std::string(to_string(v.type())) +
                                ", not a number");
    }
    ++count;
    dsum += v.as_double();
    if (all_int && v.is_int() && !__builtin_add_overflow(isum, v.as_int(), &isum)) continue;
    all_int = false;
  }
  sum = all_int ? Value(static_cast<long long>(isum)) : Value(dsum);
  return {};
}

Status fn_sum(const Args& a, EvalCtx& ctx, Value& out) {
  std::size_t n = 0;
  return total(a, ctx, "sum", out, n);
}

Status fn_avg(const Args& a, EvalCtx& ctx, Value& out) {
  std::size_t n = 0;
  Value sum;
  if (Status st = total(a, ctx, "avg", sum, n); !st.ok()) return st;
  if (n == 0) {
    out = Value();
    return {};
  }
  out = number_value(sum.as_double() / static_cast<double>(n));
  return {};
}

// Parses a whole string as a number (surrounding spaces allowed); false if invalid.
bool parse_number(std::string_view s, Value& out) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty()) return false;
  std::int64_t i = 0;
  auto r = std::from_chars(s.data(), s.data() + s.size(), i);
  if (r.ec == std::errc() && r.ptr == s.data() + s.size()) {
    out = Value(static_cast<long long>(i));
    return true;
  }
  double d = 0;
  auto rd = std::from_chars(s.data(), s.data() + s.size(), d);
  if (rd.ec == std::errc() && rd.ptr == s.data() + s.size() && std::isfinite(d)) {
    out = Value(d);
    return true;
  }
  return false;
}

Status fn_number(const Args& a, EvalCtx&, Value& out) {
  const Value& v = a[0];
  if (v.is_number()) {
    out = v;
  } else if (v.is_bool()) {
    out = Value(v.as_bool() ? 1 : 0);
  } else if (!v.is_string() || !parse_number(v.as_string(), out)) {
    out = Value();
  }
  return {};
}

Status fn_int(const Args& a, EvalCtx& ctx, Value& out) {
  Value n;
  if (Status st = fn_number(a, ctx, n); !st.ok()) return st;
  if (n.is_null() || n.is_int()) {
    out = n;
    return {};
  }
  double d = std::trunc(n.as_double());
  if (std::fabs(d) >= 9.2e18) return fn_error("int", "the number is too large for an integer");
  out = Value(static_cast<long long>(d));
  return {};
}

Status fn_format_number(const Args& a, EvalCtx&, Value& out) {
  double d = 0;
  std::int64_t decimals = 0;
  if (Status st = want_number("format_number", a, 0, d); !st.ok()) return st;
  if (a.has(1)) {
    if (Status st = want_int("format_number", a, 1, decimals); !st.ok()) return st;
    if (decimals < 0 || decimals > 10) return fn_error("format_number", "decimals must be between 0 and 10");
  }
  std::string thousands = ",", point = ".";
  const std::string* s = nullptr;
  if (a.has(2)) {
    if (Status st = want_string("format_number", a, 2, s); !st.ok()) return st;
    thousands = *s;
  }
  if (a.has(3)) {
    if (Status st = want_string("format_number", a, 3, s); !st.ok()) return st;
    point = *s;
  }
  if (thousands.size() > 8 || point.size() > 8) return fn_error("format_number", "separators are at most 8 bytes");
  char buf[400];
  int len = std::snprintf(buf, sizeof buf, "%.*f", static_cast<int>(decimals), d);
  if (len < 0 || static_cast<std::size_t>(len) >= sizeof buf) return fn_error("format_number", "number too large");
  std::string_view text(buf, static_cast<std::size_t>(len));
  bool negative = !text.empty() && text[0] == '-';
  if (negative) text.remove_prefix(1);
  std::size_t dot = text.find('.');
  std::string_view whole = text.substr(0, dot);
  std::string r = negative ? "-" : "";
  for (std::size_t i = 0; i < whole.size(); ++i) {
    if (i > 0 && (whole.size() - i) % 3 == 0) r += thousands;
    r += whole[i];
  }
  if (dot != std::string_view::npos) {
    r += point;
    r += text.substr(dot + 1);
  }
  if (r == "-0" || (negative && r.find_first_of("123456789") == std::string::npos)) r.erase(0, 1);
  out = Value(std::move(r));
  return {};
}

}  // namespace

void add_number_functions(std::vector<FunctionDef>& t) {
  using T = Value::Type;
  t.push_back({"abs", 1, 1, std::nullopt, true, fn_abs});
  t.push_back({"round", 1, 2, std::nullopt, true, fn_round});
  t.push_back({"floor", 1, 1, std::nullopt, true, fn_floor});
  t.push_back({"ceil", 1, 1, std::nullopt, true, fn_ceil});
  t.push_back({"min", 1, kVariadic, std::nullopt, true, fn_min});
  t.push_back({"max", 1, kVariadic, std::nullopt, true, fn_max});
  t.push_back({"sum", 1, 1, std::nullopt, true, fn_sum});
  t.push_back({"avg", 1, 1, std::nullopt, true, fn_avg});
  t.push_back({"number", 1, 1, std::nullopt, true, fn_number});
  t.push_back({"int", 1, 1, std::nullopt, true, fn_int});
  t.push_back({"format_number", 1, 4, T::string, true, fn_format_number});
}

}  // namespace famulor::expr::detail
