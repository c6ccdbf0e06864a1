// Compiling every template of the workflow: node params (with `item` in scope inside
// foreach bodies and for item_template params) and trigger params (no nodes in
// scope). A compiled template must only read nodes upstream of its node, and a param
// that is a single expression must yield a type the param accepts when that type is
// known at compile time.
#include <map>
#include <set>
#include <string>

#include "expr/expr.hpp"
#include "workflow/model.hpp"
#include "workflow/suggest.hpp"

namespace famulor::detail {
namespace {

// Nodes whose output exists when node `i` runs: its ancestors in its own list, and
// the ancestors of the foreach (or other owner) whose body the list is.
std::set<int> upstream_of(const Model& m, int i) {
  std::set<int> out;
  int cur = i;
  while (cur >= 0) {
    std::vector<int> todo = {cur};
    while (!todo.empty()) {
      int v = todo.back();
      todo.pop_back();
      for (int p : m.nodes[v].preds) {
        if (p >= 0 && out.insert(p).second) todo.push_back(p);
      }
    }
    cur = m.lists[m.nodes[cur].list].owner;
  }
  return out;
}

struct Scope {
  const Model* model;
  const NodeEntry* node = nullptr;  // null for the trigger
  std::set<int> readable;           // node indices this template may read
  std::string owner;                // "node 'x'" / "the webhook trigger"
};

class Checker {
 public:
  Checker(const Model& m, ProblemSink& sink) : m_(m), sink_(sink) {
    for (int i = 0; i < static_cast<int>(m.nodes.size()); ++i) {
      if (m.nodes[i].has_id) ids_.emplace(m.nodes[i].spec.id, i);
    }
  }

  // Compiles every template in `v`; when `param` is given and `v` is a string, checks
  // the expression's static type against it.
  void walk(const Value& v, const std::string& path, const expr::CompileEnv& env, const Scope& scope,
            const ParamSpec* param) {
    if (v.is_string()) {
      if (holds_template(v)) compile(v.as_string(), path, env, scope, param);
    } else if (v.is_array()) {
      for (std::size_t i = 0; i < v.as_array().size(); ++i) walk(v.as_array()[i], element(path, i), env, scope, nullptr);
    } else if (v.is_object()) {
      for (const auto& [key, item] : v.as_object()) walk(item, member(path, key), env, scope, nullptr);
    }
  }

  expr::CompileEnv env(bool has_item) const {
    expr::CompileEnv env;
    const auto* ids = &ids_;
    env.resolve_node = [ids](std::string_view id) {
      auto it = ids->find(id);
      return it == ids->end() ? -1 : it->second;
    };
    env.has_item = has_item;
    env.allowed_env = m_.allowed_env;
    return env;
  }

 private:
  void compile(const std::string& text, const std::string& path, const expr::CompileEnv& env, const Scope& scope,
               const ParamSpec* param) {
    std::vector<expr::CompileError> errors;
    expr::Template t = expr::Template::compile(text, env, errors);
    for (const auto& e : errors) {
      std::string hint;
      if (e.message.rfind("unknown node '", 0) == 0) {  // the compiler's wording; add a suggestion
        std::string name = e.message.substr(14, e.message.find('\'', 14) - 14);
        std::vector<std::string> ids;
        for (const auto& [id, index] : ids_) ids.push_back(id);
        hint = did_you_mean(name, ids);
      }
      sink_.in_string(path, e.offset, scope.owner + ": bad expression: " + e.message + hint);
    }
    if (!errors.empty()) return;
    for (int ref : t.node_refs()) {
      if (ref < 0 || ref >= static_cast<int>(m_.nodes.size()) || scope.readable.count(ref)) continue;
      const NodeEntry& target = m_.nodes[ref];
      std::string why;
      if (!scope.node) {
        why = "the trigger runs before every node";
      } else if (ref == static_cast<int>(scope.node - m_.nodes.data())) {
        why = "a node cannot read its own output";
      } else if (int owner = m_.lists[target.list].owner; owner >= 0 && target.list != scope.node->list) {
        why = "'" + target.spec.id + "' runs inside '" + m_.nodes[owner].spec.id + "' (read that node's output instead)";
      } else {
        why = "it is not upstream (add it to `after`, directly or through another node)";
      }
      sink_.at(path, scope.owner + " reads nodes." + target.spec.id + ", which has no output yet: " + why);
    }
    if (param && !param->types.empty()) {
      if (auto type = t.static_type(); type && !type_accepted(param->types, *type)) {
        sink_.at(path, "param '" + param->name + "' of " + scope.owner + " must be " + types_text(param->types) +
                           ", but its expression yields " + std::string(to_string(*type)));
      }
    }
  }

  const Model& m_;
  ProblemSink& sink_;
  std::map<std::string, int, std::less<>> ids_;
};

}  // namespace

void check_expressions(const Model& m, ProblemSink& sink) {
  Checker checker(m, sink);
  for (int i = 0; i < static_cast<int>(m.nodes.size()); ++i) {
    const NodeEntry& n = m.nodes[i];
    // A value fallback is evaluated like the node's params (same readable nodes).
    const Value* fb = n.spec.raw.is_object() ? n.spec.raw.find("fallback") : nullptr;
    if (fb != nullptr && fallback_node_ref(*fb) == nullptr) {
      Scope scope{&m, &n, upstream_of(m, i), node_label(n) + " (fallback)"};
      checker.walk(*fb, member(n.path, "fallback"), checker.env(m.lists[n.list].owner >= 0), scope, nullptr);
    }
    if (!n.info || !n.spec.params.is_object()) continue;
    bool in_body = m.lists[n.list].owner >= 0;
    Scope scope{&m, &n, upstream_of(m, i), node_label(n)};
    // item_template params are evaluated after the node's own body ran (foreach result).
    Scope item_scope = scope;
    for (int l = 0; l < static_cast<int>(m.lists.size()); ++l) {
      if (m.lists[l].owner == i) item_scope.readable.insert(m.lists[l].members.begin(), m.lists[l].members.end());
    }
    std::string params_path = member(n.path, "params");
    for (const auto& [key, v] : n.spec.params.as_object()) {
      const ParamSpec* ps = nullptr;
      for (const auto& p : n.info->params) {
        if (p.name == key) ps = &p;
      }
      ParamSpec::Kind kind = ps ? ps->kind : ParamSpec::Kind::value;
      if (kind == ParamSpec::Kind::raw || kind == ParamSpec::Kind::nodes) continue;
      if (!ps && !n.info->allow_extra_params) continue;  // already reported as unknown
      bool item = kind == ParamSpec::Kind::item_template;
      checker.walk(v, member(params_path, key), checker.env(in_body || item), item ? item_scope : scope, ps);
    }
  }
  if (m.trigger_info && m.trigger.config.is_object()) {
    Scope scope{&m, nullptr, {}, "the " + m.trigger.type + " trigger"};
    expr::CompileEnv env = checker.env(false);  // node names resolve, and reading one is reported
    for (const ParamSpec& ps : m.trigger_info->params) {
      if (ps.kind == ParamSpec::Kind::raw || ps.kind == ParamSpec::Kind::nodes) continue;
      if (const Value* v = m.trigger.config.find(ps.name)) checker.walk(*v, member("$.trigger", ps.name), env, scope, &ps);
    }
  }
}

}  // namespace famulor::detail
