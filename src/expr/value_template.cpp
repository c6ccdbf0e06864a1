// ValueTemplate: a Value tree whose string leaves are templates.
#include <algorithm>
#include <cstdio>

#include "expr/compiled_template.hpp"

namespace famulor::expr {
namespace detail {

struct VNode {
  enum class Kind { literal, text, array, object };
  Kind kind = Kind::literal;
  Value literal;                     // Kind::literal: copied as is
  detail::CompiledTemplate tmpl;     // Kind::text
  std::vector<VNode> kids;           // Kind::array / Kind::object
  std::vector<std::string> keys;     // Kind::object
  std::string path;                  // Kind::text: where the string is, for run-time errors
};

namespace {

bool plain_key(std::string_view k) {
  if (k.empty()) return false;
  for (std::size_t i = 0; i < k.size(); ++i) {
    char c = k[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

std::string member_path(std::string_view base, std::string_view key) {
  std::string p(base);
  if (plain_key(key)) {
    p += '.';
    p += key;
  } else {
    p += '[';
    Value(key).dump_to(p);
    p += ']';
  }
  return p;
}

void compile_node(const Value& v, const CompileEnv& env, const std::string& path,
                  std::vector<ValueTemplate::PathError>& errors, std::vector<int>& refs, VNode& out) {
  if (v.is_string()) {
    if (v.as_string().find("{{") == std::string::npos) {
      out.kind = VNode::Kind::literal;
      out.literal = v;
      return;
    }
    std::vector<CompileError> errs;
    out.kind = VNode::Kind::text;
    out.path = path;
    out.tmpl.compile(v.as_string(), env, errs);
    for (auto& e : errs) errors.push_back({path, std::move(e)});
    refs.insert(refs.end(), out.tmpl.node_refs.begin(), out.tmpl.node_refs.end());
    return;
  }
  bool any_template = false;
  if (v.is_array()) {
    const Array& a = v.as_array();
    out.kind = VNode::Kind::array;
    out.kids.resize(a.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
      compile_node(a[i], env, path + "[" + std::to_string(i) + "]", errors, refs, out.kids[i]);
      any_template = any_template || out.kids[i].kind != VNode::Kind::literal;
    }
  } else if (v.is_object()) {
    out.kind = VNode::Kind::object;
    out.kids.resize(v.as_object().size());
    std::size_t i = 0;
    for (const auto& [key, child] : v.as_object()) {
      out.keys.push_back(key);
      compile_node(child, env, member_path(path, key), errors, refs, out.kids[i]);
      any_template = any_template || out.kids[i].kind != VNode::Kind::literal;
      ++i;
    }
  }
  if (!any_template) {  // a literal subtree: copied without evaluation
    out = VNode();
    out.kind = VNode::Kind::literal;
    out.literal = v;
  }
}

Status eval_node(const VNode& n, detail::EvalCtx& ctx, Value& out) {
  switch (n.kind) {
    case VNode::Kind::literal:
      out = n.literal;
      return {};
    case VNode::Kind::text:
      if (Status st = n.tmpl.evaluate(ctx, out); !st.ok()) return {st.code(), n.path + ": " + st.message()};
      return {};
    // Containers are built in place: each child is evaluated straight into its
    // element (no temporary Value moved per member).
    case VNode::Kind::array: {
      out = Value(Array(n.kids.size()));
      Array& a = out.as_array();
      for (std::size_t i = 0; i < n.kids.size(); ++i) {
        if (Status st = eval_node(n.kids[i], ctx, a[i]); !st.ok()) return st;
      }
      return {};
    }
    case VNode::Kind::object: {
      out = Value(Object());
      Object& o = out.as_object();
      o.reserve(n.kids.size());
      for (std::size_t i = 0; i < n.kids.size(); ++i) {
        if (Status st = eval_node(n.kids[i], ctx, o.append(n.keys[i], Value())); !st.ok()) return st;
      }
      return {};
    }
  }
  return {StatusCode::internal, "unknown template node"};
}

}  // namespace
}  // namespace detail

using detail::VNode;

struct ValueTemplate::Impl {
  VNode root;
  std::vector<int> node_refs;
};

ValueTemplate::ValueTemplate() : impl_(std::make_unique<Impl>()) {}
ValueTemplate::~ValueTemplate() = default;
ValueTemplate::ValueTemplate(ValueTemplate&&) noexcept = default;
ValueTemplate& ValueTemplate::operator=(ValueTemplate&&) noexcept = default;

ValueTemplate ValueTemplate::compile(const Value& value, const CompileEnv& env, std::string_view path,
                                     std::vector<PathError>& errors) {
  ValueTemplate out;
  std::string base(path.empty() ? "$" : path);
  Status st = detail::guarded([&] {
    detail::compile_node(value, env, base, errors, out.impl_->node_refs, out.impl_->root);
    auto& refs = out.impl_->node_refs;
    std::sort(refs.begin(), refs.end());
    refs.erase(std::unique(refs.begin(), refs.end()), refs.end());
    return Status();
  });
  if (!st.ok()) errors.push_back({base, CompileError{0, st.message()}});
  return out;
}

bool ValueTemplate::is_literal() const noexcept { return impl_->root.kind == VNode::Kind::literal; }
const std::vector<int>& ValueTemplate::node_refs() const noexcept { return impl_->node_refs; }

Result<Value> ValueTemplate::evaluate(const EvalEnv& env) const {
  Value out;
  if (Status st = evaluate(env, out); !st.ok()) return st;
  return out;
}

Status ValueTemplate::evaluate(const EvalEnv& env, Value& out) const {
  return detail::guarded([&] {
    detail::EvalCtx ctx(env);
    return detail::eval_node(impl_->root, ctx, out);
  });
}

}  // namespace famulor::expr
