// List functions. Every produced array is checked against max_array_items and every
// element visited is charged.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <string>
#include <unordered_set>

#include "expr/functions.hpp"
#include "expr/utf8.hpp"

namespace famulor::expr::detail {

const Value* walk_path(const Value* v, std::string_view path) {
  std::size_t i = 0;
  while (v && i < path.size()) {
    if (path[i] == '.') {
      ++i;
      continue;
    }
    if (path[i] == '[') {
      std::size_t close = path.find(']', i);
      if (close == std::string_view::npos) return nullptr;
      std::string_view inner = path.substr(i + 1, close - i - 1);
      i = close + 1;
      if (!inner.empty() && (inner.front() == '"' || inner.front() == '\'') && inner.size() >= 2) {
        v = v->find(inner.substr(1, inner.size() - 2));
        continue;
      }
      std::int64_t idx = 0;
      auto r = std::from_chars(inner.data(), inner.data() + inner.size(), idx);
      if (r.ec != std::errc() || r.ptr != inner.data() + inner.size() || !v->is_array()) return nullptr;
      const auto n = static_cast<std::int64_t>(v->as_array().size());
      if (idx < 0) idx += n;
      v = idx >= 0 && idx < n ? v->at(static_cast<std::size_t>(idx)) : nullptr;
      continue;
    }
    std::size_t end = path.find_first_of(".[", i);
    if (end == std::string_view::npos) end = path.size();
    v = v->find(path.substr(i, end - i));
    i = end;
  }
  return v;
}

namespace {

Status fn_first_last(const Args& a, Value& out, bool first, std::string_view name) {
  if (a[0].is_null()) {
    out = Value();
    return {};
  }
  if (a[0].is_string()) {
    const std::string& s = a[0].as_string();
    if (s.empty()) {
      out = Value();
    } else if (first) {
      out = Value(s.substr(0, utf8::char_len(s, 0)));
    } else {
      std::size_t i = s.size() - 1;
      while (i > 0 && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) --i;
      out = Value(s.substr(i));
    }
    return {};
  }
  const Array* list = nullptr;
  if (Status st = want_array(name, a, 0, list); !st.ok()) return st;
  out = list->empty() ? Value() : (first ? list->front() : list->back());
  return {};
}
Status fn_first(const Args& a, EvalCtx&, Value& out) { return fn_first_last(a, out, true, "first"); }
Status fn_last(const Args& a, EvalCtx&, Value& out) { return fn_first_last(a, out, false, "last"); }

Status fn_slice(const Args& a, EvalCtx& ctx, Value& out) {
  std::int64_t start = 0, end = 0;
  if (Status st = want_int("slice", a, 1, start); !st.ok()) return st;
  const bool is_string = a[0].is_string();
  if (!is_string && !a[0].is_array()) {
    return fn_error("slice", "the first argument must be an array or a string, got " +
                                 std::string(to_string(a[0].type())));
  }
  const auto n = static_cast<std::int64_t>(is_string ? utf8::length(a[0].as_string()) : a[0].as_array().size());
  end = n;
  if (a.has(2) && !a[2].is_null()) {
    if (Status st = want_int("slice", a, 2, end); !st.ok()) return st;
  }
  auto clamp = [n](std::int64_t i) { return std::clamp(i < 0 ? i + n : i, std::int64_t{0}, n); };
  start = clamp(start);
  end = std::max(clamp(end), start);
  if (is_string) {
    const std::string& s = a[0].as_string();
    std::size_t b = utf8::offset_of(s, static_cast<std::size_t>(start));
    std::size_t e = utf8::offset_of(s, static_cast<std::size_t>(end));
    out = Value(s.substr(b, e - b));
    return {};
  }
  if (Status st = ctx.check_array(static_cast<std::size_t>(end - start), "slice()"); !st.ok()) return st;
  const Array& list = a[0].as_array();
  out = Value(Array(list.begin() + start, list.begin() + end));
  return {};
}

Status fn_concat(const Args& a, EvalCtx& ctx, Value& out) {
  std::size_t total = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].is_null()) continue;
    if (!a[i].is_array()) {
      return fn_error("concat", "argument " + std::to_string(i + 1) + " must be an array, got " +
                                    std::string(to_string(a[i].type())));
    }
    total += a[i].as_array().size();
  }
  if (Status st = ctx.check_array(total, "concat()"); !st.ok()) return st;
  Array r;
  r.reserve(total);
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].is_array()) r.insert(r.end(), a[i].as_array().begin(), a[i].as_array().end());
  }
  out = Value(std::move(r));
  return {};
}

// A key under which equal values (numbers by value) collide.
std::string identity_key(const Value& v) {
  if (v.is_number() && !v.is_int()) {
    double d = v.as_double();
    if (d == static_cast<double>(static_cast<std::int64_t>(d)) && std::abs(d) < 9.0e15) {
      return std::to_string(static_cast<std::int64_t>(d));
    }
  }
  return v.dump();
}

Status fn_unique(const Args& a, EvalCtx& ctx, Value& out) {
  const Array* list = nullptr;
  if (Status st = want_array("unique", a, 0, list); !st.ok()) return st;
  if (Status st = ctx.check_array(list->size(), "unique()"); !st.ok()) return st;
  std::unordered_set<std::string> seen;
  Array r;
  for (const Value& v : *list) {
    std::string key = identity_key(v);
    if (Status st = ctx.charge(key.size() / 64); !st.ok()) return st;
    if (seen.insert(std::move(key)).second) r.push_back(v);
  }
  out = Value(std::move(r));
  return {};
}

Status fn_sort(const Args& a, EvalCtx& ctx, Value& out) {
  const Array* list = nullptr;
  if (Status st = want_array("sort", a, 0, list); !st.ok()) return st;
  const std::string* key = nullptr;
  if (a.has(1)) {
    if (Status st = want_string("sort", a, 1, key); !st.ok()) return st;
  }
  const std::size_t n = list->size();
  std::uint64_t log = 1;
  while ((std::size_t{1} << log) < n) ++log;
  if (Status st = ctx.check_array(n, "sort()"); !st.ok()) return st;
  if (Status st = ctx.charge(n * log); !st.ok()) return st;
  std::vector<std::pair<const Value*, std::size_t>> keyed;  // (sort key, original position)
  keyed.reserve(n);
  int kind = 0;  // 1 numbers, 2 strings
  for (std::size_t i = 0; i < n; ++i) {
    const Value* k = key ? walk_path(&(*list)[i], *key) : &(*list)[i];
    if (!k) k = &null_value();
    int this_kind = k->is_number() ? 1 : k->is_string() ? 2 : k->is_null() ? 0 : -1;
    if (this_kind < 0 || (kind && this_kind && this_kind != kind)) {
      return fn_error("sort", "cannot order element " + std::to_string(i) + " (" +
                                  std::string(to_string(k->type())) + ") with the others; sort needs all numbers or all strings");
    }
    if (this_kind) kind = this_kind;
    keyed.emplace_back(k, i);
  }
  std::stable_sort(keyed.begin(), keyed.end(), [](const auto& x, const auto& y) {
    if (x.first->is_null() || y.first->is_null()) return !x.first->is_null() && y.first->is_null();  // nulls last
    int c = 0;
    compare_values(*x.first, *y.first, c);
    return c < 0;
  });
  Array r;
  r.reserve(n);
  for (const auto& kv : keyed) r.push_back((*list)[kv.second]);
  out = Value(std::move(r));
  return {};
}

Status fn_reverse(const Args& a, EvalCtx& ctx, Value& out) {
  if (a[0].is_string()) {
    const std::string& s = a[0].as_string();
    if (Status st = ctx.charge(s.size() / 64); !st.ok()) return st;
    std::string r;
    r.reserve(s.size());
    for (std::size_t end = s.size(); end > 0;) {
      std::size_t b = end - 1;
      while (b > 0 && (static_cast<unsigned char>(s[b]) & 0xC0) == 0x80) --b;
      r.append(s, b, end - b);
      end = b;
    }
    out = Value(std::move(r));
    return {};
  }
  const Array* list = nullptr;
  if (Status st = want_array("reverse", a, 0, list); !st.ok()) return st;
  if (Status st = ctx.check_array(list->size(), "reverse()"); !st.ok()) return st;
  out = Value(Array(list->rbegin(), list->rend()));
  return {};
}

Status flatten_into(const Array& in, std::int64_t depth, EvalCtx& ctx, Array& r) {
  for (const Value& v : in) {
    if (depth > 0 && v.is_array()) {
      if (Status st = flatten_into(v.as_array(), depth - 1, ctx, r); !st.ok()) return st;
    } else {
      r.push_back(v);
      if (Status st = ctx.check_array(r.size(), "flatten()"); !st.ok()) return st;
    }
  }
  return {};
}

Status fn_flatten(const Args& a, EvalCtx& ctx, Value& out) {
  const Array* list = nullptr;
  std::int64_t depth = 1;
  if (Status st = want_array("flatten", a, 0, list); !st.ok()) return st;
  if (a.has(1)) {
    if (Status st = want_int("flatten", a, 1, depth); !st.ok()) return st;
    depth = std::clamp<std::int64_t>(depth, 0, 64);
  }
  Array r;
  if (Status st = flatten_into(*list, depth, ctx, r); !st.ok()) return st;
  out = Value(std::move(r));
  return {};
}

Status fn_range(const Args& a, EvalCtx& ctx, Value& out) {
  std::int64_t start = 0, end = 0, step = 1;
  if (a.size() == 1) {
    if (Status st = want_int("range", a, 0, end); !st.ok()) return st;
  } else {
    if (Status st = want_int("range", a, 0, start); !st.ok()) return st;
    if (Status st = want_int("range", a, 1, end); !st.ok()) return st;
    if (a.has(2)) {
      if (Status st = want_int("range", a, 2, step); !st.ok()) return st;
    }
  }
  if (step == 0) return fn_error("range", "step must not be 0");
  // Count first (exactly, in unsigned arithmetic), so a huge range fails at once.
  std::uint64_t count = 0;
  if (step > 0 && end > start) {
    const std::uint64_t diff = static_cast<std::uint64_t>(end) - static_cast<std::uint64_t>(start);
    const auto s = static_cast<std::uint64_t>(step);
    count = diff / s + (diff % s != 0);
  } else if (step < 0 && end < start) {
    const std::uint64_t diff = static_cast<std::uint64_t>(start) - static_cast<std::uint64_t>(end);
    const std::uint64_t s = static_cast<std::uint64_t>(-(step + 1)) + 1;
    count = diff / s + (diff % s != 0);
  }
  if (Status st = ctx.check_array(count, "range()"); !st.ok()) return st;
  Array r;
  r.reserve(count);
  std::int64_t v = start;
  for (std::size_t i = 0; i < count; ++i) {
    r.emplace_back(static_cast<long long>(v));
    if (__builtin_add_overflow(v, step, &v)) break;
  }
  out = Value(std::move(r));
  return {};
}

Status fn_count(const Args& a, EvalCtx& ctx, Value& out) {
  if (a[0].is_null()) {
    out = Value(0);
    return {};
  }
  const Array* list = nullptr;
  if (!a[0].is_object() && a.size() == 1) {
    if (Status st = want_array("count", a, 0, list); !st.ok()) return st;
  }
  if (a.size() == 1) {
    out = Value(static_cast<long long>(a[0].size()));
    return {};
  }
  if (Status st = want_array("count", a, 0, list); !st.ok()) return st;
  if (Status st = ctx.charge(list->size()); !st.ok()) return st;
  out = Value(static_cast<long long>(
      std::count_if(list->begin(), list->end(), [&](const Value& v) { return values_equal(v, a[1]); })));
  return {};
}

}  // namespace

void add_list_functions(std::vector<FunctionDef>& t) {
  using T = Value::Type;
  t.push_back({"first", 1, 1, std::nullopt, true, fn_first});
  t.push_back({"last", 1, 1, std::nullopt, true, fn_last});
  t.push_back({"slice", 2, 3, std::nullopt, true, fn_slice});
  t.push_back({"concat", 1, kVariadic, T::array, true, fn_concat});
  t.push_back({"unique", 1, 1, T::array, true, fn_unique});
  t.push_back({"sort", 1, 2, T::array, true, fn_sort});
  t.push_back({"reverse", 1, 1, std::nullopt, true, fn_reverse});
  t.push_back({"flatten", 1, 2, T::array, true, fn_flatten});
  t.push_back({"range", 1, 3, T::array, true, fn_range});
  t.push_back({"count", 1, 2, T::integer, true, fn_count});
}

}  // namespace famulor::expr::detail
