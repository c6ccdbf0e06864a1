// Params of nodes and of the trigger against their ParamSpecs: required params,
// unknown params and the types of literal values. Strings holding `{{` are typed by
// the expression check (their type is known only once compiled).
#include <string>

#include "workflow/model.hpp"
#include "workflow/suggest.hpp"

namespace famulor::detail {

bool type_accepted(const std::vector<Value::Type>& types, Value::Type t) {
  if (types.empty()) return true;
  for (Value::Type a : types) {
    if (a == t || (a == Value::Type::number && t == Value::Type::integer)) return true;
  }
  return false;
}

std::string types_text(const std::vector<Value::Type>& types) {
  std::string out;
  for (std::size_t i = 0; i < types.size(); ++i) {
    if (i) out += i + 1 == types.size() ? " or " : ", ";
    out += to_string(types[i]);
  }
  return out;
}

bool holds_template(const Value& v) { return v.is_string() && v.as_string().find("{{") != std::string::npos; }

namespace {

// `owner` names the node or trigger in messages ("node 'x' (foreach)").
void check_param_set(const std::vector<ParamSpec>& specs, bool allow_extra, const Value& obj,
                     const std::string& path, const std::string& owner, bool skip_type_key, ProblemSink& sink) {
  std::vector<std::string> names;
  for (const ParamSpec& ps : specs) {
    names.push_back(ps.name);
    const Value* v = obj.find(ps.name);
    if (!v) {
      if (ps.required) sink.at(path, owner + " is missing required param '" + ps.name + "'");
      continue;
    }
    std::string p = member(path, ps.name);
    if (ps.kind == ParamSpec::Kind::nodes) {
      if (!v->is_array()) sink.at(p, "param '" + ps.name + "' of " + owner + " must be an array of nodes, not " +
                                         std::string(to_string(v->type())));
      continue;
    }
    if (ps.kind != ParamSpec::Kind::raw && holds_template(*v)) continue;  // typed by check_expressions
    if (!type_accepted(ps.types, v->type())) {
      sink.at(p, "param '" + ps.name + "' of " + owner + " must be " + types_text(ps.types) + ", not " +
                     std::string(to_string(v->type())));
    }
  }
  if (allow_extra || !obj.is_object()) return;
  for (const auto& [key, v] : obj.as_object()) {
    if (skip_type_key && (key == "type" || key.rfind("x-", 0) == 0)) continue;
    bool known = false;
    for (const auto& n : names) known = known || n == key;
    if (known) continue;
    std::string hint = did_you_mean(key, names);
    if (hint.empty()) hint = names.empty() ? " (it takes none)" : " (params: " + join_names(names) + ")";
    sink.at_key(member(path, key), owner + " has no param '" + key + "'" + hint);
  }
}

}  // namespace

void check_params(const Model& m, ProblemSink& sink) {
  for (const NodeEntry& n : m.nodes) {
    if (!n.info) continue;
    std::string path = n.spec.raw.find("params") ? member(n.path, "params") : n.path;
    check_param_set(n.info->params, n.info->allow_extra_params, n.spec.params, path,
                    node_label(n) + " (" + n.spec.type + ")", false, sink);
    check_builtin_node(n, sink);
  }
  if (m.trigger_info && m.trigger.config.is_object()) {
    check_param_set(m.trigger_info->params, m.trigger_info->allow_extra_params, m.trigger.config, "$.trigger",
                    "the " + m.trigger.type + " trigger", true, sink);
    check_builtin_trigger(m, sink);
  }
}

}  // namespace famulor::detail
