// The operators of the language: arithmetic, concatenation, comparison, truthiness.
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include "expr/eval.hpp"

namespace famulor::expr {

bool truthy(const Value& v) noexcept {
  switch (v.type()) {
    case Value::Type::null: return false;
    case Value::Type::boolean: return v.as_bool();
    case Value::Type::integer: return v.as_int() != 0;
    case Value::Type::number: {
      double d = v.as_double();
      return d != 0 && !std::isnan(d);
    }
    case Value::Type::string:
    case Value::Type::array:
    case Value::Type::object:
      return v.size() != 0;
  }
  return false;
}

namespace detail {

std::string_view op_name(BinaryOp op) noexcept {
  switch (op) {
    case BinaryOp::add: return "+";
    case BinaryOp::sub: return "-";
    case BinaryOp::mul: return "*";
    case BinaryOp::div: return "/";
    case BinaryOp::mod: return "%";
    case BinaryOp::eq: return "==";
    case BinaryOp::ne: return "!=";
    case BinaryOp::lt: return "<";
    case BinaryOp::le: return "<=";
    case BinaryOp::gt: return ">";
    case BinaryOp::ge: return ">=";
  }
  return "?";
}

void append_as_text(const Value& v, std::string& out) {
  if (v.is_string()) {
    out += v.as_string();
  } else if (!v.is_null()) {
    v.dump_to(out);
  }
}

bool values_equal(const Value& a, const Value& b) noexcept { return a == b; }

bool compare_values(const Value& a, const Value& b, int& cmp) noexcept {
  if (a.is_int() && b.is_int()) {
    cmp = a.as_int() < b.as_int() ? -1 : (a.as_int() > b.as_int() ? 1 : 0);
    return true;
  }
  if (a.is_number() && b.is_number()) {
    double x = a.as_double(), y = b.as_double();
    cmp = x < y ? -1 : (x > y ? 1 : 0);
    return true;
  }
  if (a.is_string() && b.is_string()) {
    int c = a.as_string().compare(b.as_string());
    cmp = c < 0 ? -1 : (c > 0 ? 1 : 0);
    return true;
  }
  return false;
}

namespace {

std::string type_pair(const Value& a, const Value& b) {
  return std::string(to_string(a.type())) + " and " + std::string(to_string(b.type()));
}

Status finite(double d, Value& out) {
  if (!std::isfinite(d)) return {StatusCode::invalid_argument, "the result is not a finite number"};
  out = Value(d);
  return {};
}

Status int_arith(BinaryOp op, std::int64_t x, std::int64_t y, Value& out) {
  std::int64_t r = 0;
  switch (op) {
    case BinaryOp::add:
      if (__builtin_add_overflow(x, y, &r)) return finite(static_cast<double>(x) + static_cast<double>(y), out);
      break;
    case BinaryOp::sub:
      if (__builtin_sub_overflow(x, y, &r)) return finite(static_cast<double>(x) - static_cast<double>(y), out);
      break;
    case BinaryOp::mul:
      if (__builtin_mul_overflow(x, y, &r)) return finite(static_cast<double>(x) * static_cast<double>(y), out);
      break;
    case BinaryOp::div:
      if (y == 0) return {StatusCode::invalid_argument, "division by zero"};
      if (x == std::numeric_limits<std::int64_t>::min() && y == -1) return finite(-static_cast<double>(x), out);
      if (x % y != 0) return finite(static_cast<double>(x) / static_cast<double>(y), out);
      r = x / y;
      break;
    case BinaryOp::mod:
      if (y == 0) return {StatusCode::invalid_argument, "division by zero (in %)"};
      r = (y == -1) ? 0 : x % y;
      break;
    default:
      return {StatusCode::internal, "not an arithmetic operator"};
  }
  out = Value(static_cast<long long>(r));
  return {};
}

}  // namespace

Status apply_negate(const Value& a, Value& out) {
  if (a.is_int()) {
    if (a.as_int() == std::numeric_limits<std::int64_t>::min()) {
      out = Value(-static_cast<double>(a.as_int()));
    } else {
      out = Value(static_cast<long long>(-a.as_int()));
    }
    return {};
  }
  if (a.is_number()) {
    out = Value(-a.as_double());
    return {};
  }
  return {StatusCode::invalid_argument, "unary '-' needs a number, got " + std::string(to_string(a.type()))};
}

Status apply_binary(BinaryOp op, const Value& a, const Value& b, EvalCtx& ctx, Value& out) {
  switch (op) {
    case BinaryOp::eq: out = Value(values_equal(a, b)); return {};
    case BinaryOp::ne: out = Value(!values_equal(a, b)); return {};
    case BinaryOp::lt:
    case BinaryOp::le:
    case BinaryOp::gt:
    case BinaryOp::ge: {
      int c = 0;
      if (!compare_values(a, b, c)) {
        return {StatusCode::invalid_argument, "cannot order " + type_pair(a, b) + " with '" +
                                                  std::string(op_name(op)) + "' (numbers or strings only)"};
      }
      bool r = op == BinaryOp::lt ? c < 0 : op == BinaryOp::le ? c <= 0 : op == BinaryOp::gt ? c > 0 : c >= 0;
      out = Value(r);
      return {};
    }
    default:
      break;
  }
  if (op == BinaryOp::add && (a.is_string() || b.is_string())) {
    std::string s;
    const std::size_t hint = (a.is_string() ? a.as_string().size() : 16) + (b.is_string() ? b.as_string().size() : 16);
    if (Status st = ctx.check_string(hint, "'+'"); !st.ok()) return st;
    s.reserve(hint);
    append_as_text(a, s);
    append_as_text(b, s);
    if (Status st = ctx.check_string(s.size(), "'+'"); !st.ok()) return st;
    out = Value(std::move(s));
    return {};
  }
  if (!a.is_number() || !b.is_number()) {
    return {StatusCode::invalid_argument,
            "operator '" + std::string(op_name(op)) + "' needs numbers, got " + type_pair(a, b)};
  }
  if (a.is_int() && b.is_int()) return int_arith(op, a.as_int(), b.as_int(), out);
  const double x = a.as_double(), y = b.as_double();
  switch (op) {
    case BinaryOp::add: return finite(x + y, out);
    case BinaryOp::sub: return finite(x - y, out);
    case BinaryOp::mul: return finite(x * y, out);
    case BinaryOp::div:
      if (y == 0) return {StatusCode::invalid_argument, "division by zero"};
      return finite(x / y, out);
    case BinaryOp::mod:
      if (y == 0) return {StatusCode::invalid_argument, "division by zero (in %)"};
      return finite(std::fmod(x, y), out);
    default:
      return {StatusCode::internal, "not an arithmetic operator"};
  }
}

}  // namespace detail
}  // namespace famulor::expr
