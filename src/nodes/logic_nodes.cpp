// The synchronous built-ins: if, switch, set, merge, filter, fail, respond, noop.
#include <algorithm>
#include <memory>
#include <string>
#include <utility>

#include "engine/builtin.hpp"
#include "nodes/builtin_nodes.hpp"
#include "workflow/model.hpp"

namespace famulor::detail {
namespace {

const Value& param(const Value& params, std::string_view name) {
  static const Value null;
  const Value* v = params.find(name);
  return v ? *v : null;
}

class IfNode final : public BuiltinNode {
 public:
  bool execute(ExecContext& ctx, NodeResult& out) override {
    bool b = expr::truthy(param(ctx.params(), "condition"));
    out.output = b;
    out.port = b ? "true" : "false";
    return true;
  }
};

class SwitchNode final : public BuiltinNode {
 public:
  bool execute(ExecContext& ctx, NodeResult& out) override {
    const Value& value = param(ctx.params(), "value");
    const Value& rules = param(ctx.params(), "rules");
    std::string port = "fallback";
    if (rules.is_array()) {
      for (std::size_t i = 0; i < rules.as_array().size(); ++i) {
        const Value& rule = rules.as_array()[i];
        bool hit = false;
        if (const Value* c = rule.find("condition"))
          hit = expr::truthy(*c);
        else if (const Value* e = rule.find("equals"))
          hit = *e == value;
        if (hit) {
          const Value* name = rule.find("name");
          port = name && name->is_string() ? name->as_string() : std::to_string(i);
          break;
        }
      }
    }
    out.output = Value::object({{"port", port}, {"value", value}});
    out.port = std::move(port);
    return true;
  }
};

void set_path(Value& root, std::string_view path, Value v) {
  Value* cur = &root;
  while (true) {
    auto dot = path.find('.');
    std::string_view key = path.substr(0, dot);
    if (!cur->is_object()) *cur = Value::object();
    if (dot == std::string_view::npos) {
      cur->as_object().set(std::string(key), std::move(v));
      return;
    }
    cur = &cur->as_object()[key];
    path = path.substr(dot + 1);
  }
}

class SetNode final : public BuiltinNode {
 public:
  bool execute(ExecContext& ctx, NodeResult& out) override {
    const Value& base = param(ctx.params(), "base");
    if (!base.is_null() && !base.is_object()) {
      out.status = invalid_argument("set: `base` must be an object, not " + std::string(to_string(base.type())));
      return true;
    }
    Value result = base.is_object() ? base : Value::object();
    const Value& fields = param(ctx.params(), "fields");
    // One allocation for the members (most fields are new top-level keys).
    if (fields.is_object()) result.as_object().reserve(result.as_object().size() + fields.as_object().size());
    if (fields.is_object())
      for (const auto& [path, v] : fields.as_object()) set_path(result, path, v);
    out.output = std::move(result);
    return true;
  }
};

class MergeNode final : public BuiltinNode {
 public:
  bool execute(ExecContext& ctx, NodeResult& out) override {
    std::string mode = ctx.params().get_string("mode", "object");
    const CompiledNode& cn = ctx.node();
    const auto& edges = ctx.run().wf->edges;
    // Predecessors in edge order, each once (two edges may come from one node's ports).
    std::vector<int> preds;
    preds.reserve(cn.in_edges.size());
    for (int e : cn.in_edges) {
      int from = edges[static_cast<std::size_t>(e)].from;
      if (std::find(preds.begin(), preds.end(), from) == preds.end()) preds.push_back(from);
    }
    if (mode == "array") {
      Array a;
      for (int p : preds)
        if (const Value* v = ctx.output_of(p)) a.push_back(*v);
      out.output = Value(std::move(a));
    } else if (mode == "first") {
      for (int p : preds)
        if (const Value* v = ctx.output_of(p)) {
          out.output = *v;
          break;
        }
    } else if (mode == "object") {
      Object o;
      std::size_t members = 0;  // at most: one allocation for them
      for (int p : preds)
        if (const Value* v = ctx.output_of(p); v && v->is_object()) members += v->as_object().size();
      o.reserve(members);
      for (int p : preds)
        if (const Value* v = ctx.output_of(p); v && v->is_object())
          for (const auto& [k, val] : v->as_object()) o.set(k, val);
      out.output = Value(std::move(o));
    } else {
      out.status = invalid_argument("merge: unknown mode \"" + mode + "\" (use \"object\", \"array\" or \"first\")");
    }
    return true;
  }
};

class FilterNode final : public BuiltinNode {
 public:
  bool execute(ExecContext& ctx, NodeResult& out) override {
    const Value& items = param(ctx.params(), "items");
    if (!items.is_array()) {
      out.status = invalid_argument("filter: `items` must be an array, not " + std::string(to_string(items.type())));
      return true;
    }
    const ItemTemplate* cond = ctx.node().item_template("condition");
    Array kept;
    for (std::size_t i = 0; i < items.as_array().size(); ++i) {
      const Value& item = items.as_array()[i];
      bool keep = false;
      if (cond) {
        auto r = ctx.eval_item(cond->tmpl, item, static_cast<std::int64_t>(i));
        if (!r.ok()) {
          out.status = Status(r.status().code(), "filter: item " + std::to_string(i) + ": " + r.status().message());
          return true;
        }
        keep = expr::truthy(r.value());
      }
      if (keep) kept.push_back(item);
    }
    out.output = Value(std::move(kept));
    return true;
  }
};

class FailNode final : public BuiltinNode {
 public:
  bool execute(ExecContext& ctx, NodeResult& out) override {
    std::string message = ctx.params().get_string("message", "failed");
    StatusCode code = StatusCode::failed_precondition;
    if (const Value* c = ctx.params().find("code"); c && c->is_string()) {
      if (!status_code_from_name(c->as_string(), &code) || code == StatusCode::ok) {
        code = StatusCode::internal;
        message += " (unknown status code \"" + c->as_string() + "\")";
      }
    }
    out.status = Status(code, std::move(message));
    return true;
  }
};

class RespondNode final : public BuiltinNode {
 public:
  bool execute(ExecContext& ctx, NodeResult& out) override {
    out.output = param(ctx.params(), "value");
    out.respond = true;
    return true;
  }
};

class NoopNode final : public BuiltinNode {
 public:
  bool execute(ExecContext& ctx, NodeResult& out) override {
    out.output = param(ctx.params(), "value");
    return true;
  }
};

template <typename N>
NodeFactory factory() {
  return [](const NodeSpec&) -> Result<std::unique_ptr<Node>> { return std::unique_ptr<Node>(std::make_unique<N>()); };
}

}  // namespace

void add_logic_nodes(std::map<std::string, NodeFactory, std::less<>>& out) {
  out["if"] = factory<IfNode>();
  out["switch"] = factory<SwitchNode>();
  out["set"] = factory<SetNode>();
  out["merge"] = factory<MergeNode>();
  out["filter"] = factory<FilterNode>();
  out["fail"] = factory<FailNode>();
  out["respond"] = factory<RespondNode>();
  out["noop"] = factory<NoopNode>();
}

void add_builtin_node_factories(std::map<std::string, NodeFactory, std::less<>>& out) {
  add_logic_nodes(out);
  add_foreach_node(out);
  add_subworkflow_node(out);
  add_wait_node(out);
}

}  // namespace famulor::detail
