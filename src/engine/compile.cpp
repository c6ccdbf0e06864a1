// Turning a validated Workflow into a CompiledWorkflow (see compiled.hpp).
#include <algorithm>
#include <cstdlib>
#include <deque>
#include <string>
#include <unordered_map>
#include <utility>

#include "common/duration.hpp"
#include "engine/builtin.hpp"
#include "engine/compiled.hpp"
#include "workflow/model.hpp"
#include "workflow/nested.hpp"
#include "workflow/problems.hpp"

namespace famulor::detail {

const ItemTemplate* CompiledNode::item_template(std::string_view name) const noexcept {
  for (const auto& t : item_templates)
    if (t.name == name) return &t;
  return nullptr;
}

int CompiledWorkflow::index_of(std::string_view node_id) const noexcept {
  for (std::size_t i = 0; i < nodes.size(); ++i)
    if (nodes[i].id == node_id) return static_cast<int>(i);
  return -1;
}

namespace {

using Resolver = std::function<int(std::string_view)>;

std::string path_errors(const std::vector<expr::ValueTemplate::PathError>& errs) {
  std::string out;
  for (const auto& e : errs) {
    if (!out.empty()) out += "; ";
    out += e.path + ": " + e.error.message;
  }
  return out;
}

Status compile_list(CompiledWorkflow& cw, const std::vector<const NodeSpec*>& specs, const Resolver& outer,
                    const CompileContext& ctx, const std::string& where);

// Reads a foreach body (a Kind::nodes param) into its own CompiledWorkflow.
Result<std::shared_ptr<const CompiledWorkflow>> compile_body(const CompiledWorkflow& outer_cw, const NodeSpec& owner,
                                                             const std::string& param, const Resolver& outer,
                                                             const CompileContext& ctx, const std::string& where,
                                                             Resolver* body_resolver) {
  auto body = std::make_shared<CompiledWorkflow>();
  body->is_body = true;
  body->id = outer_cw.id;
  body->version = outer_cw.version;
  body->vars = outer_cw.vars;
  body->env = outer_cw.env;
  body->body_specs = nested_nodes(owner, param);
  if (body->body_specs.empty()) return invalid_argument(where + ": a node list must be a non-empty array");
  std::vector<const NodeSpec*> specs;
  for (const auto& s : body->body_specs) specs.push_back(&s);
  // Inner names first; everything else is the outer run's, numbered after the body's nodes.
  const int n = static_cast<int>(specs.size());
  std::unordered_map<std::string, int> inner;
  for (int i = 0; i < n; ++i) inner.emplace(specs[static_cast<std::size_t>(i)]->id, i);
  Resolver resolver = [inner = std::move(inner), outer, n](std::string_view id) -> int {
    if (auto it = inner.find(std::string(id)); it != inner.end()) return it->second;
    int o = outer ? outer(id) : -1;
    return o < 0 ? -1 : n + o;
  };
  if (Status s = compile_list(*body, specs, resolver, ctx, where); !s.ok()) return s;
  *body_resolver = std::move(resolver);
  return std::shared_ptr<const CompiledWorkflow>(std::move(body));
}

// The built-in types whose attempts touch nothing outside their run: they compute
// an output from params and predecessors (see nodes/builtin_nodes.hpp). Such nodes
// may run before the run's accept is committed (EngineImpl::accept_early_and_launch):
// if the process dies first, nobody outside ever saw them run.
bool runs_inside_the_run(std::string_view type) {
  static constexpr std::string_view kTypes[] = {"set", "if", "switch", "merge", "filter", "fail", "respond", "noop"};
  for (std::string_view t : kTypes)
    if (t == type) return true;
  return false;
}

Status compile_node(CompiledWorkflow& cw, const NodeSpec& spec, const Resolver& resolver, const CompileContext& ctx,
                    const std::string& path, CompiledNode& cn) {
  cn.id = spec.id;
  cn.type = spec.type;
  cn.durations = std::make_unique<metrics::NodeDurations>(spec.type);
  cn.spec = &spec;
  cn.join = spec.join;
  cn.retry = spec.retry;
  if (cn.retry.max_attempts < 1) cn.retry.max_attempts = 1;
  cn.timeout = spec.timeout;
  cn.on_error = spec.on_error;
  cn.disabled = spec.disabled;
  if (const Value* c = spec.raw.is_object() ? spec.raw.find("cache") : nullptr; c && !c->is_null()) {
    auto p = cache_policy_from_value(*c);
    if (!p.ok()) return invalid_argument(path + ": node '" + spec.id + "': " + p.status().message());
    cn.cache = p.value();
  }
  const NodeTypeInfo* info = ctx.catalog ? ctx.catalog->find_node(spec.type) : nullptr;
  if (!info) return invalid_argument("node '" + spec.id + "': unknown node type '" + spec.type + "'");
  const NodeFactory* factory = ctx.factory ? ctx.factory(spec.type) : nullptr;
  if (!factory || !*factory)
    return Status(StatusCode::unimplemented,
                  "node '" + spec.id + "': no implementation is registered for node type '" + spec.type + "'");

  expr::CompileEnv env;
  env.resolve_node = resolver;
  env.has_item = cw.is_body;
  env.allowed_env = ctx.allowed_env;
  if (const Value* fb = spec.raw.is_object() ? spec.raw.find("fallback") : nullptr;
      fb != nullptr && fallback_node_ref(*fb) == nullptr) {
    std::vector<expr::ValueTemplate::PathError> errs;
    cn.fallback_value = expr::ValueTemplate::compile(*fb, env, path + ".fallback", errs);
    if (!errs.empty()) return invalid_argument("node '" + spec.id + "': " + path_errors(errs));
  }
  Object value_params, raw_params;
  auto kind_of = [&](const std::string& key) {
    for (const auto& ps : info->params)
      if (ps.name == key) return ps.kind;
    return ParamSpec::Kind::value;
  };
  // Node lists first: item templates of a node with a body (foreach `result`) read
  // the body's nodes as well as the outer ones.
  Resolver item_resolver = resolver;
  if (spec.params.is_object()) {
    for (const auto& [key, v] : spec.params.as_object()) {
      if (kind_of(key) != ParamSpec::Kind::nodes) continue;
      auto body = compile_body(cw, spec, key, resolver, ctx, member(path + ".params", key), &item_resolver);
      if (!body.ok()) return Status(body.status().code(), "node '" + spec.id + "': " + body.status().message());
      cn.body = std::move(body.value());
    }
    for (const auto& [key, v] : spec.params.as_object()) {
      const std::string ppath = member(path + ".params", key);
      switch (kind_of(key)) {
        case ParamSpec::Kind::value: value_params.append(key, v); break;
        case ParamSpec::Kind::raw: raw_params.append(key, v); break;
        case ParamSpec::Kind::nodes: break;
        case ParamSpec::Kind::item_template: {
          expr::CompileEnv ienv = env;
          ienv.resolve_node = item_resolver;
          ienv.has_item = true;
          std::vector<expr::ValueTemplate::PathError> errs;
          ItemTemplate it{key, expr::ValueTemplate::compile(v, ienv, ppath, errs)};
          if (!errs.empty()) return invalid_argument("node '" + spec.id + "': " + path_errors(errs));
          cn.item_templates.push_back(std::move(it));
          raw_params.append(key, v);
          break;
        }
      }
    }
  }
  std::vector<expr::ValueTemplate::PathError> errs;
  cn.params = expr::ValueTemplate::compile(Value(std::move(value_params)), env, path + ".params", errs);
  if (!errs.empty()) return invalid_argument("node '" + spec.id + "': " + path_errors(errs));
  if (!raw_params.empty()) cn.raw_params = Value(std::move(raw_params));

  Result<std::unique_ptr<Node>> made = internal_error("factory threw");
  try {
    made = (*factory)(spec);
  } catch (const std::exception& e) {
    made = internal_error(std::string("factory threw: ") + e.what());
  } catch (...) {
  }
  if (!made.ok()) return Status(made.status().code(), "node '" + spec.id + "': " + made.status().message());
  if (!made.value()) return internal_error("node '" + spec.id + "': the factory returned no node");
  cn.impl = std::move(made.value());
  cn.builtin = dynamic_cast<BuiltinNode*>(cn.impl.get());
  cn.before_accept = cn.builtin && runs_inside_the_run(cn.type) && cn.retry.max_attempts == 1 && !cn.cache;
  return {};
}

Status compile_list(CompiledWorkflow& cw, const std::vector<const NodeSpec*>& specs, const Resolver& resolver,
                    const CompileContext& ctx, const std::string& where) {
  const std::size_t n = specs.size();
  cw.nodes.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    if (Status s = compile_node(cw, *specs[i], resolver, ctx, element(where, i), cw.nodes[i]); !s.ok()) return s;
  }
  for (std::size_t v = 0; v < n; ++v) {
    for (const Edge& e : specs[v]->after) {
      int from = cw.index_of(e.node);
      if (from < 0) return invalid_argument("node '" + specs[v]->id + "': unknown predecessor '" + e.node + "'");
      cw.nodes[v].in_edges.push_back(static_cast<int>(cw.edges.size()));
      cw.nodes[static_cast<std::size_t>(from)].out_edges.push_back(static_cast<int>(cw.edges.size()));
      cw.edges.push_back(CompiledEdge{from, static_cast<int>(v), e.port});
    }
  }
  // Fallback nodes run only in place of the node that names them, never as roots.
  for (std::size_t v = 0; v < n; ++v) {
    const Value* fb = specs[v]->raw.is_object() ? specs[v]->raw.find("fallback") : nullptr;
    const Value* ref = fb ? fallback_node_ref(*fb) : nullptr;
    if (ref == nullptr || !ref->is_string()) continue;
    int b = cw.index_of(ref->as_string());
    if (b < 0 || b == static_cast<int>(v) || cw.nodes[static_cast<std::size_t>(b)].fallback_for >= 0)
      return invalid_argument("node '" + specs[v]->id + "': bad fallback node '" + ref->as_string() + "'");
    cw.nodes[v].fallback_node = b;
    cw.nodes[static_cast<std::size_t>(b)].fallback_for = static_cast<int>(v);
    ++cw.fallback_only;
  }
  for (std::size_t v = 0; v < n; ++v)
    if (specs[v]->after.empty() && cw.nodes[v].fallback_for < 0) cw.roots.push_back(static_cast<int>(v));
  // Kahn: a topological order, and a defensive cycle check.
  std::vector<int> indeg(n);
  std::deque<int> q;
  for (std::size_t v = 0; v < n; ++v) {
    indeg[v] = static_cast<int>(cw.nodes[v].in_edges.size());
    if (indeg[v] == 0) q.push_back(static_cast<int>(v));
  }
  while (!q.empty()) {
    int u = q.front();
    q.pop_front();
    cw.topo.push_back(u);
    for (int e : cw.nodes[static_cast<std::size_t>(u)].out_edges) {
      int to = cw.edges[static_cast<std::size_t>(e)].to;
      if (--indeg[static_cast<std::size_t>(to)] == 0) q.push_back(to);
    }
  }
  if (cw.topo.size() != n) return invalid_argument(where + ": the nodes form a cycle");
  return {};
}

Value read_env(const Value& settings, const std::vector<std::string>& allowed, std::vector<std::string>& names) {
  names = allowed;
  if (const Value* e = settings.find("env"); e && e->is_array())
    for (const auto& n : e->as_array())
      if (n.is_string()) names.push_back(n.as_string());
  Object out;
  for (const auto& n : names)
    if (const char* v = std::getenv(n.c_str())) out.set(n, Value(std::string(v)));
  return Value(std::move(out));
}

}  // namespace

Result<std::shared_ptr<const CompiledWorkflow>> compile_workflow(Workflow workflow, const CompileContext& ctx_in) {
  auto cw = std::make_shared<CompiledWorkflow>();
  cw->workflow = std::move(workflow);
  const Workflow& wf = cw->workflow;
  cw->id = wf.id();
  cw->run_metrics = std::make_unique<metrics::WorkflowRuns>(cw->id);
  cw->version = ctx_in.version > 0 ? ctx_in.version : wf.version();
  CompileContext ctx = ctx_in;
  if (const Value* v = wf.settings().find("vars")) cw->vars = *v;
  cw->env = read_env(wf.settings(), ctx_in.allowed_env, ctx.allowed_env);
  if (const Value* c = wf.settings().find("concurrency"); c && c->is_int() && c->as_int() > 0)
    cw->concurrency = static_cast<int>(std::min<std::int64_t>(c->as_int(), 1'000'000'000));
  if (const Value* t = wf.settings().find("timeout"); t && !t->is_null()) {
    auto d = duration_from_value(*t);
    if (!d.ok()) return invalid_argument("settings.timeout: " + d.status().message());
    cw->timeout = d.value();
  }
  if (const Value* st = wf.settings().find("store_transcript"); st && st->is_bool())
    cw->store_transcript = st->as_bool();
  if (const Value* f = wf.trigger().config.find("filter"); f && f->is_string()) {
    expr::CompileEnv fenv;
    fenv.allowed_env = ctx.allowed_env;
    std::vector<expr::CompileError> errs;
    cw->trigger_filter.emplace(expr::Template::compile(f->as_string(), fenv, errs));
    if (!errs.empty()) return invalid_argument("trigger.filter: " + errs.front().message);
  }
  std::vector<const NodeSpec*> specs;
  for (const auto& s : wf.nodes()) specs.push_back(&s);
  std::unordered_map<std::string, int> ids;
  for (std::size_t i = 0; i < specs.size(); ++i) ids.emplace(specs[i]->id, static_cast<int>(i));
  Resolver resolver = [ids = std::move(ids)](std::string_view id) -> int {
    auto it = ids.find(std::string(id));
    return it == ids.end() ? -1 : it->second;
  };
  if (Status s = compile_list(*cw, specs, resolver, ctx, "$.nodes"); !s.ok()) return s;
  return std::shared_ptr<const CompiledWorkflow>(std::move(cw));
}

}  // namespace famulor::detail
