// Type functions and JSON conversion.
#include <string>

#include "expr/functions.hpp"

namespace famulor::expr::detail {
namespace {

Status fn_type_of(const Args& a, EvalCtx&, Value& out) {
  out = Value(to_string(a[0].type()));
  return {};
}

Status fn_string(const Args& a, EvalCtx& ctx, Value& out) {
  if (a[0].is_string()) {
    out = a[0];
    return {};
  }
  std::string s;
  append_as_text(a[0], s);
  if (Status st = ctx.check_string(s.size(), "string()"); !st.ok()) return st;
  out = Value(std::move(s));
  return {};
}

Status fn_bool(const Args& a, EvalCtx&, Value& out) {
  out = Value(truthy(a[0]));
  return {};
}

Status fn_default(const Args& a, EvalCtx&, Value& out) {
  const Value& v = a[0];
  out = v.is_null() || (v.is_string() && v.as_string().empty()) ? a[1] : v;
  return {};
}

Status fn_json_parse(const Args& a, EvalCtx& ctx, Value& out) {
  if (a[0].is_null()) {
    out = Value();
    return {};
  }
  const std::string* s = nullptr;
  if (Status st = want_string("json_parse", a, 0, s); !st.ok()) return st;
  if (Status st = ctx.charge(s->size() / 16); !st.ok()) return st;
  ParseOptions opt;
  opt.max_depth = 64;
  opt.max_bytes = ctx.limits().max_string_bytes;
  Result<Value> r = Value::parse(*s, opt);
  if (!r.ok()) return fn_error("json_parse", r.status().message());
  out = std::move(r).value();
  return {};
}

Status fn_json_stringify(const Args& a, EvalCtx& ctx, Value& out) {
  std::int64_t indent = 0;
  if (a.has(1)) {
    if (Status st = want_int("json_stringify", a, 1, indent); !st.ok()) return st;
    if (indent < 0 || indent > 8) return fn_error("json_stringify", "indent must be between 0 and 8");
  }
  std::string s = indent > 0 ? a[0].pretty(static_cast<int>(indent)) : a[0].dump();
  if (Status st = ctx.check_string(s.size(), "json_stringify()"); !st.ok()) return st;
  out = Value(std::move(s));
  return {};
}

}  // namespace

void add_type_functions(std::vector<FunctionDef>& t) {
  using T = Value::Type;
  t.push_back({"type_of", 1, 1, T::string, true, fn_type_of});
  t.push_back({"string", 1, 1, T::string, true, fn_string});
  t.push_back({"bool", 1, 1, T::boolean, true, fn_bool});
  t.push_back({"default", 2, 2, std::nullopt, true, fn_default});
  t.push_back({"json_parse", 1, 1, std::nullopt, true, fn_json_parse});
  t.push_back({"json_stringify", 1, 2, T::string, true, fn_json_stringify});
}

}  // namespace famulor::expr::detail
