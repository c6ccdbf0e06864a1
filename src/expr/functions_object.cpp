// Object functions (and pluck / is_empty, which work across lists and objects).
#include <algorithm>
#include <string>

#include "expr/functions.hpp"

namespace famulor::expr::detail {
namespace {

Status fn_keys(const Args& a, EvalCtx& ctx, Value& out) {
  const Object* o = nullptr;
  if (Status st = want_object("keys", a, 0, o); !st.ok()) return st;
  if (Status st = ctx.check_array(o->size(), "keys()"); !st.ok()) return st;
  Array r;
  r.reserve(o->size());
  for (const auto& m : *o) r.emplace_back(m.first);
  out = Value(std::move(r));
  return {};
}

Status fn_values(const Args& a, EvalCtx& ctx, Value& out) {
  const Object* o = nullptr;
  if (Status st = want_object("values", a, 0, o); !st.ok()) return st;
  if (Status st = ctx.check_array(o->size(), "values()"); !st.ok()) return st;
  Array r;
  r.reserve(o->size());
  for (const auto& m : *o) r.push_back(m.second);
  out = Value(std::move(r));
  return {};
}

Status fn_get(const Args& a, EvalCtx& ctx, Value& out) {
  const std::string* path = nullptr;
  if (Status st = want_string("get", a, 1, path); !st.ok()) return st;
  if (Status st = ctx.charge(path->size() / 8); !st.ok()) return st;
  const Value* v = walk_path(&a[0], *path);
  if (v && !v->is_null()) {
    out = *v;
  } else {
    out = a.has(2) ? a[2] : Value();
  }
  return {};
}

Status fn_merge(const Args& a, EvalCtx& ctx, Value& out) {
  Object r;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].is_null()) continue;
    const Object* o = nullptr;
    if (Status st = want_object("merge", a, i, o); !st.ok()) return st;
    if (Status st = ctx.charge(o->size() * (r.size() / 8 + 1)); !st.ok()) return st;
    for (const auto& m : *o) r.set(m.first, m.second);
  }
  out = Value(std::move(r));
  return {};
}

// The keys for pick/omit: an array of strings or the remaining string arguments.
Status key_list(const Args& a, std::string_view name, std::vector<std::string_view>& keys) {
  if (a.size() == 2 && a[1].is_array()) {
    for (const Value& k : a[1].as_array()) {
      if (!k.is_string()) return fn_error(name, "keys must be strings, got " + std::string(to_string(k.type())));
      keys.push_back(k.as_string());
    }
    return {};
  }
  for (std::size_t i = 1; i < a.size(); ++i) {
    const std::string* k = nullptr;
    if (Status st = want_string(name, a, i, k); !st.ok()) return st;
    keys.push_back(*k);
  }
  return {};
}

Status pick_omit(const Args& a, EvalCtx& ctx, Value& out, bool pick, std::string_view name) {
  const Object* o = nullptr;
  if (Status st = want_object(name, a, 0, o); !st.ok()) return st;
  std::vector<std::string_view> keys;
  if (Status st = key_list(a, name, keys); !st.ok()) return st;
  if (Status st = ctx.charge(o->size() * (keys.size() / 8 + 1)); !st.ok()) return st;
  Object r;
  for (const auto& m : *o) {
    bool listed = std::find(keys.begin(), keys.end(), m.first) != keys.end();
    if (listed == pick) r.append(m.first, m.second);
  }
  out = Value(std::move(r));
  return {};
}
Status fn_pick(const Args& a, EvalCtx& ctx, Value& out) { return pick_omit(a, ctx, out, true, "pick"); }
Status fn_omit(const Args& a, EvalCtx& ctx, Value& out) { return pick_omit(a, ctx, out, false, "omit"); }

Status fn_has(const Args& a, EvalCtx&, Value& out) {
  if (a[0].is_null()) {
    out = Value(false);
    return {};
  }
  const std::string* k = nullptr;
  if (a[0].is_object()) {
    if (Status st = want_string("has", a, 1, k); !st.ok()) return st;
    out = Value(a[0].find(*k) != nullptr);
    return {};
  }
  return fn_error("has", "the first argument must be an object, got " + std::string(to_string(a[0].type())));
}

Status fn_pluck(const Args& a, EvalCtx& ctx, Value& out) {
  const Array* list = nullptr;
  const std::string* key = nullptr;
  if (Status st = want_array("pluck", a, 0, list); !st.ok()) return st;
  if (Status st = want_string("pluck", a, 1, key); !st.ok()) return st;
  if (Status st = ctx.check_array(list->size(), "pluck()"); !st.ok()) return st;
  Array r;
  r.reserve(list->size());
  for (const Value& v : *list) {
    const Value* p = walk_path(&v, *key);
    r.push_back(p ? *p : Value());
  }
  out = Value(std::move(r));
  return {};
}

Status fn_is_empty(const Args& a, EvalCtx&, Value& out) {
  const Value& v = a[0];
  out = Value(v.is_null() || ((v.is_string() || v.is_array() || v.is_object()) && v.size() == 0));
  return {};
}

}  // namespace

void add_object_functions(std::vector<FunctionDef>& t) {
  using T = Value::Type;
  t.push_back({"keys", 1, 1, T::array, true, fn_keys});
  t.push_back({"values", 1, 1, T::array, true, fn_values});
  t.push_back({"get", 2, 3, std::nullopt, true, fn_get});
  t.push_back({"merge", 1, kVariadic, T::object, true, fn_merge});
  t.push_back({"pick", 2, kVariadic, T::object, true, fn_pick});
  t.push_back({"omit", 2, kVariadic, T::object, true, fn_omit});
  t.push_back({"has", 2, 2, T::boolean, true, fn_has});
  t.push_back({"pluck", 2, 2, T::array, true, fn_pluck});
  t.push_back({"is_empty", 1, 1, T::boolean, true, fn_is_empty});
}

}  // namespace famulor::expr::detail
