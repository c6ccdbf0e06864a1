// String functions. Lengths and positions count Unicode code points (UTF-8);
// case mapping is ASCII only. A null first argument yields null.
#include <algorithm>
#include <string>

#include "expr/functions.hpp"
#include "expr/utf8.hpp"

namespace famulor::expr::detail {
namespace {

#define FAMULOR_NULL_IN_NULL_OUT(a, out) \
  if ((a)[0].is_null()) {                \
    out = Value();                       \
    return {};                           \
  }

Status fn_lower_upper(const Args& a, EvalCtx& ctx, Value& out, bool upper, std::string_view name) {
  FAMULOR_NULL_IN_NULL_OUT(a, out)
  const std::string* s = nullptr;
  if (Status st = want_string(name, a, 0, s); !st.ok()) return st;
  if (Status st = ctx.charge(s->size() / 64); !st.ok()) return st;
  std::string r = *s;
  for (char& c : r) {
    if (upper && c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
    if (!upper && c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  }
  out = Value(std::move(r));
  return {};
}
Status fn_lower(const Args& a, EvalCtx& ctx, Value& out) { return fn_lower_upper(a, ctx, out, false, "lower"); }
Status fn_upper(const Args& a, EvalCtx& ctx, Value& out) { return fn_lower_upper(a, ctx, out, true, "upper"); }

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

Status fn_trim(const Args& a, EvalCtx& ctx, Value& out) {
  FAMULOR_NULL_IN_NULL_OUT(a, out)
  const std::string* s = nullptr;
  if (Status st = want_string("trim", a, 0, s); !st.ok()) return st;
  if (Status st = ctx.charge(s->size() / 64); !st.ok()) return st;
  std::size_t b = 0, e = s->size();
  while (b < e && is_space((*s)[b])) ++b;
  while (e > b && is_space((*s)[e - 1])) --e;
  out = Value(s->substr(b, e - b));
  return {};
}

Status fn_replace(const Args& a, EvalCtx& ctx, Value& out) {
  FAMULOR_NULL_IN_NULL_OUT(a, out)
  const std::string *s = nullptr, *from = nullptr, *to = nullptr;
  if (Status st = want_string("replace", a, 0, s); !st.ok()) return st;
  if (Status st = want_string("replace", a, 1, from); !st.ok()) return st;
  if (Status st = want_string("replace", a, 2, to); !st.ok()) return st;
  if (from->empty()) return fn_error("replace", "the text to replace must not be empty");
  std::string r;
  std::size_t pos = 0;
  while (true) {
    std::size_t hit = s->find(*from, pos);
    if (hit == std::string::npos) break;
    r.append(*s, pos, hit - pos);
    r.append(*to);
    pos = hit + from->size();
    if (r.size() > ctx.limits().max_string_bytes) return ctx.check_string(r.size(), "replace()");
  }
  r.append(*s, pos, std::string::npos);
  if (Status st = ctx.check_string(r.size(), "replace()"); !st.ok()) return st;
  out = Value(std::move(r));
  return {};
}

Status fn_split(const Args& a, EvalCtx& ctx, Value& out) {
  FAMULOR_NULL_IN_NULL_OUT(a, out)
  const std::string *s = nullptr, *sep = nullptr;
  if (Status st = want_string("split", a, 0, s); !st.ok()) return st;
  if (Status st = want_string("split", a, 1, sep); !st.ok()) return st;
  Array r;
  if (sep->empty()) {
    for (std::size_t i = 0; i < s->size();) {
      std::size_t n = utf8::char_len(*s, i);
      r.emplace_back(s->substr(i, n));
      i += n;
      if (r.size() > ctx.limits().max_array_items) break;
    }
  } else {
    std::size_t pos = 0;
    while (true) {
      std::size_t hit = s->find(*sep, pos);
      r.emplace_back(s->substr(pos, hit == std::string::npos ? std::string::npos : hit - pos));
      if (hit == std::string::npos || r.size() > ctx.limits().max_array_items) break;
      pos = hit + sep->size();
    }
  }
  if (Status st = ctx.check_array(r.size(), "split()"); !st.ok()) return st;
  out = Value(std::move(r));
  return {};
}

Status fn_join(const Args& a, EvalCtx& ctx, Value& out) {
  const Array* list = nullptr;
  if (Status st = want_array("join", a, 0, list); !st.ok()) return st;
  std::string sep = ",";
  if (a.has(1)) {
    const std::string* s = nullptr;
    if (Status st = want_string("join", a, 1, s); !st.ok()) return st;
    sep = *s;
  }
  if (Status st = ctx.charge(list->size()); !st.ok()) return st;
  std::string r;
  for (std::size_t i = 0; i < list->size(); ++i) {
    if (i) r += sep;
    append_as_text((*list)[i], r);
    if (r.size() > ctx.limits().max_string_bytes) break;
  }
  if (Status st = ctx.check_string(r.size(), "join()"); !st.ok()) return st;
  out = Value(std::move(r));
  return {};
}

Status fn_contains(const Args& a, EvalCtx& ctx, Value& out) {
  const Value& h = a[0];
  if (h.is_null()) {
    out = Value(false);
  } else if (h.is_string()) {
    const std::string* n = nullptr;
    if (Status st = want_string("contains", a, 1, n); !st.ok()) return st;
    if (Status st = ctx.charge(h.as_string().size() / 64); !st.ok()) return st;
    out = Value(h.as_string().find(*n) != std::string::npos);
  } else if (h.is_array()) {
    if (Status st = ctx.charge(h.as_array().size()); !st.ok()) return st;
    out = Value(std::any_of(h.as_array().begin(), h.as_array().end(),
                            [&](const Value& v) { return values_equal(v, a[1]); }));
  } else if (h.is_object()) {
    const std::string* k = nullptr;
    if (Status st = want_string("contains", a, 1, k); !st.ok()) return st;
    out = Value(h.find(*k) != nullptr);
  } else {
    return fn_error("contains", "the first argument must be a string, array or object, got " +
                                    std::string(to_string(h.type())));
  }
  return {};
}

Status fn_affix(const Args& a, Value& out, bool start, std::string_view name) {
  if (a[0].is_null()) {
    out = Value(false);
    return {};
  }
  const std::string *s = nullptr, *p = nullptr;
  if (Status st = want_string(name, a, 0, s); !st.ok()) return st;
  if (Status st = want_string(name, a, 1, p); !st.ok()) return st;
  bool r = p->size() <= s->size() &&
           (start ? s->compare(0, p->size(), *p) == 0 : s->compare(s->size() - p->size(), p->size(), *p) == 0);
  out = Value(r);
  return {};
}
Status fn_starts_with(const Args& a, EvalCtx&, Value& out) { return fn_affix(a, out, true, "starts_with"); }
Status fn_ends_with(const Args& a, EvalCtx&, Value& out) { return fn_affix(a, out, false, "ends_with"); }

Status fn_substring(const Args& a, EvalCtx& ctx, Value& out) {
  FAMULOR_NULL_IN_NULL_OUT(a, out)
  const std::string* s = nullptr;
  std::int64_t start = 0, end = 0;
  if (Status st = want_string("substring", a, 0, s); !st.ok()) return st;
  if (Status st = want_int("substring", a, 1, start); !st.ok()) return st;
  if (Status st = ctx.charge(s->size() / 64); !st.ok()) return st;
  const auto n = static_cast<std::int64_t>(utf8::length(*s));
  end = n;
  if (a.has(2) && !a[2].is_null()) {
    if (Status st = want_int("substring", a, 2, end); !st.ok()) return st;
  }
  auto clamp = [n](std::int64_t i) { return std::clamp(i < 0 ? i + n : i, std::int64_t{0}, n); };
  start = clamp(start);
  end = clamp(end);
  if (end <= start) {
    out = Value("");
    return {};
  }
  std::size_t b = utf8::offset_of(*s, static_cast<std::size_t>(start));
  std::size_t e = utf8::offset_of(*s, static_cast<std::size_t>(end));
  out = Value(s->substr(b, e - b));
  return {};
}

Status fn_length(const Args& a, EvalCtx&, Value& out) {
  const Value& v = a[0];
  if (v.is_string()) {
    out = Value(static_cast<long long>(utf8::length(v.as_string())));
  } else if (v.is_array() || v.is_object() || v.is_null()) {
    out = Value(static_cast<long long>(v.size()));
  } else {
    return fn_error("length", "needs a string, array or object, got " + std::string(to_string(v.type())));
  }
  return {};
}

Status fn_pad(const Args& a, EvalCtx& ctx, Value& out, bool at_start, std::string_view name) {
  FAMULOR_NULL_IN_NULL_OUT(a, out)
  const std::string* s = nullptr;
  std::int64_t width = 0;
  std::string fill = " ";
  std::string tmp;
  if (a[0].is_number()) {  // pad_start(7, 3, "0") is common enough to allow
    a[0].dump_to(tmp);
    s = &tmp;
  } else if (Status st = want_string(name, a, 0, s); !st.ok()) {
    return st;
  }
  if (Status st = want_int(name, a, 1, width); !st.ok()) return st;
  if (a.has(2)) {
    const std::string* f = nullptr;
    if (Status st = want_string(name, a, 2, f); !st.ok()) return st;
    if (f->empty()) return fn_error(name, "the fill string must not be empty");
    fill = *f;
  }
  const auto len = static_cast<std::int64_t>(utf8::length(*s));
  if (width <= len) {
    out = Value(*s);
    return {};
  }
  const auto missing = static_cast<std::size_t>(width - len);
  if (missing > ctx.limits().max_string_bytes) {
    return ctx.check_string(missing, std::string(name) + "()");
  }
  if (Status st = ctx.check_string(s->size() + missing * fill.size(), std::string(name) + "()"); !st.ok()) return st;
  std::string pad;
  const std::size_t fill_len = utf8::length(fill);
  for (std::size_t have = 0; have < missing;) {
    std::size_t take = std::min(fill_len, missing - have);
    pad.append(fill, 0, utf8::offset_of(fill, take));
    have += take;
  }
  out = Value(at_start ? pad + *s : *s + pad);
  return {};
}
Status fn_pad_start(const Args& a, EvalCtx& ctx, Value& out) { return fn_pad(a, ctx, out, true, "pad_start"); }
Status fn_pad_end(const Args& a, EvalCtx& ctx, Value& out) { return fn_pad(a, ctx, out, false, "pad_end"); }

Status fn_truncate(const Args& a, EvalCtx& ctx, Value& out) {
  FAMULOR_NULL_IN_NULL_OUT(a, out)
  const std::string *s = nullptr, *suffix = nullptr;
  std::int64_t n = 0;
  if (Status st = want_string("truncate", a, 0, s); !st.ok()) return st;
  if (Status st = want_int("truncate", a, 1, n); !st.ok()) return st;
  if (n < 0) return fn_error("truncate", "the length must not be negative");
  std::string empty;
  suffix = &empty;
  if (a.has(2)) {
    if (Status st = want_string("truncate", a, 2, suffix); !st.ok()) return st;
  }
  if (Status st = ctx.charge(s->size() / 64); !st.ok()) return st;
  const auto max = static_cast<std::size_t>(n);
  if (utf8::length(*s) <= max) {
    out = Value(*s);
    return {};
  }
  const std::size_t suffix_len = utf8::length(*suffix);
  if (suffix_len >= max) {
    out = Value(s->substr(0, utf8::offset_of(*s, max)));
    return {};
  }
  out = Value(s->substr(0, utf8::offset_of(*s, max - suffix_len)) + *suffix);
  return {};
}

Status fn_repeat(const Args& a, EvalCtx& ctx, Value& out) {
  const std::string* s = nullptr;
  std::int64_t n = 0;
  if (Status st = want_string("repeat", a, 0, s); !st.ok()) return st;
  if (Status st = want_int("repeat", a, 1, n); !st.ok()) return st;
  if (n < 0) return fn_error("repeat", "the count must not be negative");
  // Checked before building anything, so a huge count fails at once.
  const std::size_t bytes = s->empty() ? 0 : (static_cast<std::uint64_t>(n) > ctx.limits().max_string_bytes
                                                  ? ctx.limits().max_string_bytes + 1
                                                  : s->size() * static_cast<std::size_t>(n));
  if (Status st = ctx.check_string(bytes, "repeat()"); !st.ok()) return st;
  std::string r;
  r.reserve(bytes);
  for (std::int64_t i = 0; i < n && !s->empty(); ++i) r += *s;
  out = Value(std::move(r));
  return {};
}

}  // namespace

void add_string_functions(std::vector<FunctionDef>& t) {
  using T = Value::Type;
  t.push_back({"lower", 1, 1, std::nullopt, true, fn_lower});
  t.push_back({"upper", 1, 1, std::nullopt, true, fn_upper});
  t.push_back({"trim", 1, 1, std::nullopt, true, fn_trim});
  t.push_back({"replace", 3, 3, std::nullopt, true, fn_replace});
  t.push_back({"split", 2, 2, std::nullopt, true, fn_split});
  t.push_back({"join", 1, 2, T::string, true, fn_join});
  t.push_back({"contains", 2, 2, T::boolean, true, fn_contains});
  t.push_back({"starts_with", 2, 2, T::boolean, true, fn_starts_with});
  t.push_back({"ends_with", 2, 2, T::boolean, true, fn_ends_with});
  t.push_back({"substring", 2, 3, std::nullopt, true, fn_substring});
  t.push_back({"length", 1, 1, T::integer, true, fn_length});
  t.push_back({"pad_start", 2, 3, std::nullopt, true, fn_pad_start});
  t.push_back({"pad_end", 2, 3, std::nullopt, true, fn_pad_end});
  t.push_back({"truncate", 2, 3, std::nullopt, true, fn_truncate});
  t.push_back({"repeat", 2, 2, T::string, true, fn_repeat});
}

}  // namespace famulor::expr::detail
