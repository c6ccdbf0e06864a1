#include "expr/eval.hpp"

#include <array>
#include <vector>

#include "expr/functions.hpp"

namespace famulor::expr::detail {

constinit const Value g_null_value;

Status EvalCtx::steps_exhausted() const {
  return {StatusCode::resource_exhausted,
          "evaluation exceeded max_steps (" + std::to_string(env_.limits.max_steps) + " steps)"};
}

Status EvalCtx::check_string(std::size_t bytes, std::string_view what) {
  if (bytes > env_.limits.max_string_bytes) {
    return {StatusCode::resource_exhausted, std::string(what) + ": a string of " + std::to_string(bytes) +
                                                " bytes exceeds max_string_bytes (" +
                                                std::to_string(env_.limits.max_string_bytes) + ")"};
  }
  return charge(bytes / 64);
}

Status EvalCtx::check_array(std::size_t items, std::string_view what) {
  if (items > env_.limits.max_array_items) {
    return {StatusCode::resource_exhausted, std::string(what) + ": an array of " + std::to_string(items) +
                                                " items exceeds max_array_items (" +
                                                std::to_string(env_.limits.max_array_items) + ")"};
  }
  return charge(items);
}

Status EvalCtx::fail(std::size_t offset, StatusCode code, std::string message) {
  return locate(offset, Status(code, std::move(message)));
}

Status EvalCtx::locate(std::size_t offset, Status st) {
  if (st.ok() || located_) return st;
  located_ = true;
  error_offset_ = offset;
  error_message_ = st.message();
  return {st.code(), "at offset " + std::to_string(offset) + ": " + st.message()};
}

namespace {

Status eval_root(const Node& n, EvalCtx& ctx, Ref& out) {
  const EvalEnv& env = ctx.env();
  switch (n.root) {
    case Root::trigger: out = Ref::borrow(env.trigger); break;
    case Root::vars: out = Ref::borrow(env.vars); break;
    case Root::item: out = Ref::borrow(env.item); break;
    case Root::index: out = Ref::own(Value(static_cast<long long>(env.index))); break;
    case Root::run_id: out = Ref::own(Value(env.run_id)); break;
    case Root::run_workflow: out = Ref::own(Value(env.workflow_id)); break;
    case Root::node_output:
      out = Ref::borrow(env.node_output && n.node_index >= 0 ? env.node_output(n.node_index) : nullptr);
      break;
    case Root::node_status:
      out = Ref::borrow(env.node_status && n.node_index >= 0 ? env.node_status(n.node_index) : nullptr);
      break;
    case Root::node_error:
      out = Ref::borrow(env.node_error && n.node_index >= 0 ? env.node_error(n.node_index) : nullptr);
      break;
    case Root::env: out = Ref::borrow(env.env ? env.env->find(n.name) : nullptr); break;
  }
  return {};
}

// Picks a child of `base` into `out`: borrowed stays borrowed, owned is moved out.
void take_child(Ref& base, const Value* child, Ref& out) {
  if (!child) {
    out = Ref();
  } else if (!base.owned()) {
    out = Ref::borrow(child);
  } else {
    Value v = std::move(*const_cast<Value*>(child));  // base is owned by this evaluation
    out = Ref::own(std::move(v));
  }
}

std::size_t count_code_points(const std::string& s) noexcept {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

Status eval_member(const Node& n, EvalCtx& ctx, Ref& out) {
  Ref base;
  if (Status st = eval(*n.kids[0], ctx, base); !st.ok()) return st;
  const Value& b = base.get();
  if (b.is_object()) {
    take_child(base, b.find(n.name), out);
  } else if (n.name == "length" && b.is_array()) {
    out = Ref::own(Value(static_cast<long long>(b.as_array().size())));
  } else if (n.name == "length" && b.is_string()) {
    out = Ref::own(Value(static_cast<long long>(count_code_points(b.as_string()))));
  } else {
    out = Ref();
  }
  return {};
}

Status eval_index(const Node& n, EvalCtx& ctx, Ref& out) {
  Ref base, key;
  if (Status st = eval(*n.kids[0], ctx, base); !st.ok()) return st;
  if (Status st = eval(*n.kids[1], ctx, key); !st.ok()) return st;
  const Value& b = base.get();
  const Value& k = key.get();
  if (b.is_array() && k.is_number()) {
    const Array& a = b.as_array();
    std::int64_t i = 0;
    if (k.is_int()) {
      i = k.as_int();
    } else {
      double d = k.as_double();
      if (d != static_cast<double>(static_cast<std::int64_t>(d))) return ctx.fail(n.offset, StatusCode::invalid_argument, "array index must be an integer");
      i = static_cast<std::int64_t>(d);
    }
    const auto size = static_cast<std::int64_t>(a.size());
    if (i < 0) i += size;
    take_child(base, i >= 0 && i < size ? &a[static_cast<std::size_t>(i)] : nullptr, out);
  } else if (b.is_object() && k.is_string()) {
    take_child(base, b.find(k.as_string()), out);
  } else if (k.is_bool() || k.is_array() || k.is_object()) {
    return ctx.fail(n.kids[1]->offset, StatusCode::invalid_argument,
                    "cannot index with a " + std::string(to_string(k.type())));
  } else {
    out = Ref();
  }
  return {};
}

Status eval_call(const Node& n, EvalCtx& ctx, Ref& out) {
  std::array<Ref, 4> small;
  std::vector<Ref> large;
  Ref* args = small.data();
  if (n.kids.size() > small.size()) {
    large.resize(n.kids.size());
    args = large.data();
  }
  for (std::size_t i = 0; i < n.kids.size(); ++i) {
    if (Status st = eval(*n.kids[i], ctx, args[i]); !st.ok()) return st;
  }
  Value result;
  Status st = n.fn->impl(Args(args, n.kids.size()), ctx, result);
  if (!st.ok()) return ctx.locate(n.offset, std::move(st));
  out = Ref::own(std::move(result));
  return {};
}

}  // namespace

Status eval(const Node& n, EvalCtx& ctx, Ref& out) {
  if (Status st = ctx.charge(1); !st.ok()) return ctx.locate(n.offset, std::move(st));
  switch (n.kind) {
    case NodeKind::literal:
      out = Ref::borrow(&n.value);
      return {};
    case NodeKind::root:
      return eval_root(n, ctx, out);
    case NodeKind::member:
      return eval_member(n, ctx, out);
    case NodeKind::index:
      return eval_index(n, ctx, out);
    case NodeKind::array: {
      if (Status st = ctx.check_array(n.kids.size(), "array literal"); !st.ok()) return ctx.locate(n.offset, st);
      Array a;
      a.reserve(n.kids.size());
      for (const auto& k : n.kids) {
        Ref r;
        if (Status st = eval(*k, ctx, r); !st.ok()) return st;
        a.push_back(r.take());
      }
      out = Ref::own(Value(std::move(a)));
      return {};
    }
    case NodeKind::object: {
      Object o;
      o.reserve(n.kids.size());
      for (std::size_t i = 0; i < n.kids.size(); ++i) {
        Ref r;
        if (Status st = eval(*n.kids[i], ctx, r); !st.ok()) return st;
        o.append(n.keys[i], r.take());
      }
      out = Ref::own(Value(std::move(o)));
      return {};
    }
    case NodeKind::negate: {
      Ref a;
      if (Status st = eval(*n.kids[0], ctx, a); !st.ok()) return st;
      Value v;
      if (Status st = apply_negate(a.get(), v); !st.ok()) return ctx.locate(n.offset, std::move(st));
      out = Ref::own(std::move(v));
      return {};
    }
    case NodeKind::logical_not: {
      Ref a;
      if (Status st = eval(*n.kids[0], ctx, a); !st.ok()) return st;
      out = Ref::own(Value(!truthy(a.get())));
      return {};
    }
    case NodeKind::binary: {
      Ref a, b;
      if (Status st = eval(*n.kids[0], ctx, a); !st.ok()) return st;
      if (Status st = eval(*n.kids[1], ctx, b); !st.ok()) return st;
      Value v;
      if (Status st = apply_binary(n.op, a.get(), b.get(), ctx, v); !st.ok()) {
        return ctx.locate(n.offset, std::move(st));
      }
      out = Ref::own(std::move(v));
      return {};
    }
    case NodeKind::logical_and:
    case NodeKind::logical_or: {
      if (Status st = eval(*n.kids[0], ctx, out); !st.ok()) return st;
      const bool t = truthy(out.get());
      if (t == (n.kind == NodeKind::logical_or)) return {};  // the left operand decides
      return eval(*n.kids[1], ctx, out);
    }
    case NodeKind::coalesce: {
      if (Status st = eval(*n.kids[0], ctx, out); !st.ok()) return st;
      if (!out.get().is_null()) return {};
      return eval(*n.kids[1], ctx, out);
    }
    case NodeKind::conditional: {
      Ref c;
      if (Status st = eval(*n.kids[0], ctx, c); !st.ok()) return st;
      return eval(*n.kids[truthy(c.get()) ? 1 : 2], ctx, out);
    }
    case NodeKind::call:
      return eval_call(n, ctx, out);
  }
  return ctx.fail(n.offset, StatusCode::internal, "unknown expression node");
}

}  // namespace famulor::expr::detail
