// The function table and the argument helpers every group uses.
#include "expr/functions.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace famulor::expr::detail {
namespace {

std::vector<FunctionDef> build_table() {
  std::vector<FunctionDef> t;
  add_string_functions(t);
  add_encoding_functions(t);
  add_number_functions(t);
  add_list_functions(t);
  add_object_functions(t);
  add_type_functions(t);
  add_time_functions(t);
  add_phone_functions(t);
  std::sort(t.begin(), t.end(), [](const FunctionDef& a, const FunctionDef& b) { return a.name < b.name; });
  return t;
}

const std::vector<FunctionDef>& table() {
  static const std::vector<FunctionDef> t = build_table();
  return t;
}

std::string ordinal(std::size_t i) {
  static const char* names[] = {"first", "second", "third", "fourth", "fifth"};
  return i < 5 ? names[i] : "argument " + std::to_string(i + 1);
}

Status wrong_type(std::string_view fn, const Args& a, std::size_t i, std::string_view want) {
  std::string got = a.has(i) ? std::string(to_string(a[i].type())) : "nothing";
  return fn_error(fn, "the " + ordinal(i) + " argument must be " + std::string(want) + ", got " + got);
}

}  // namespace

const FunctionDef* find_function(std::string_view name) noexcept {
  const auto& t = table();
  auto it = std::lower_bound(t.begin(), t.end(), name, [](const FunctionDef& f, std::string_view n) { return f.name < n; });
  return it != t.end() && it->name == name ? &*it : nullptr;
}

std::span<const FunctionDef> all_functions() noexcept { return table(); }

Status fn_error(std::string_view fn, std::string_view message) {
  return {StatusCode::invalid_argument, std::string(fn) + "(): " + std::string(message)};
}

Status want_string(std::string_view fn, const Args& a, std::size_t i, const std::string*& out) {
  if (!a.has(i) || !a[i].is_string()) return wrong_type(fn, a, i, "a string");
  out = &a[i].as_string();
  return {};
}

Status want_int(std::string_view fn, const Args& a, std::size_t i, std::int64_t& out) {
  if (a.has(i) && a[i].is_int()) {
    out = a[i].as_int();
    return {};
  }
  if (a.has(i) && a[i].is_number()) {
    double d = a[i].as_double();
    if (std::isfinite(d) && d == std::trunc(d) && std::fabs(d) < 9.2e18) {
      out = static_cast<std::int64_t>(d);
      return {};
    }
  }
  return wrong_type(fn, a, i, "an integer");
}

Status want_number(std::string_view fn, const Args& a, std::size_t i, double& out) {
  if (!a.has(i) || !a[i].is_number()) return wrong_type(fn, a, i, "a number");
  out = a[i].as_double();
  return {};
}

Status want_array(std::string_view fn, const Args& a, std::size_t i, const Array*& out) {
  if (!a.has(i) || !a[i].is_array()) return wrong_type(fn, a, i, "an array");
  out = &a[i].as_array();
  return {};
}

Status want_object(std::string_view fn, const Args& a, std::size_t i, const Object*& out) {
  if (!a.has(i) || !a[i].is_object()) return wrong_type(fn, a, i, "an object");
  out = &a[i].as_object();
  return {};
}

Value number_value(double d) noexcept {
  if (std::isfinite(d) && d == std::trunc(d) && std::fabs(d) < 9.0e15) {
    return Value(static_cast<long long>(d));
  }
  return Value(d);
}

}  // namespace famulor::expr::detail
