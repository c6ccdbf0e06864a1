// Engine's three call moments (famulor/call.hpp; docs/voice.md): emit(CallEvent)
// for call.ended workflows, inject() for call.incoming, call_tool() for call.tool.
#include <algorithm>
#include <cstdio>
#include <shared_mutex>

#include "common/metrics.hpp"
#include "engine/engine_impl.hpp"
#include "engine/latency.hpp"
#include "engine/trigger_match.hpp"
#include "famulor/engine.hpp"

namespace famulor {
namespace detail {

std::vector<std::shared_ptr<const CompiledWorkflow>> EngineImpl::installed_of_type(std::string_view type) const {
  std::vector<std::shared_ptr<const CompiledWorkflow>> out;
  std::shared_lock lk(wf_mu_);
  for (const auto& [id, inst] : workflows_)  // by id
    if (inst->wf->workflow.trigger().type == type) out.push_back(inst->wf);
  return out;
}

std::shared_ptr<const CompiledWorkflow> EngineImpl::incoming_workflow(const Value& call) const {
  std::shared_ptr<const CompiledWorkflow> best;
  int best_score = -1;
  for (auto& wf : installed_of_type("call.incoming")) {
    int score = incoming_specificity(wf->workflow.trigger().config, call);
    if (score > best_score) {  // ties keep the first by workflow id
      best_score = score;
      best = std::move(wf);
    }
  }
  return best;
}

std::shared_ptr<const CompiledWorkflow> EngineImpl::tool_workflow(std::string_view tool) const {
  for (auto& wf : installed_of_type("call.tool"))
    if (wf->workflow.trigger().config.get_string("name") == tool) return wf;
  return nullptr;
}

namespace {

using Clock = std::chrono::steady_clock;

const char* const kDefaultFallback = "Sorry, I could not do that right now.";

// The caller's deadline, shortened by the trigger's own `deadline_ms` when it sets one.
Clock::time_point effective_deadline(Clock::time_point start, std::chrono::microseconds caller,
                                     const CompiledWorkflow* wf) {
  auto d = std::max(caller, std::chrono::microseconds(0));
  if (wf) {
    const Value* own = wf->workflow.trigger().config.find("deadline_ms");
    if (own && own->is_int() && own->as_int() > 0) d = std::min<std::chrono::microseconds>(d, std::chrono::milliseconds(own->as_int()));
  }
  return start + d;
}

// A variable as the platforms take it: a string, unless the trigger's
// `variable_types` names another type. false when it cannot be that type.
bool format_variable(const Value& v, std::string_view type, Value& out) {
  if (type == "json") {
    out = v;
    return true;
  }
  if (type == "number") {
    if (v.is_number()) {
      out = v;
      return true;
    }
    if (v.is_string()) {
      auto p = Value::parse(v.as_string());
      if (p.ok() && p.value().is_number()) {
        out = std::move(p.value());
        return true;
      }
    }
    return false;
  }
  if (type == "boolean") {
    if (v.is_bool()) {
      out = v;
      return true;
    }
    if (v.is_string() && (v.as_string() == "true" || v.as_string() == "false")) {
      out = Value(v.as_string() == "true");
      return true;
    }
    return false;
  }
  // "string" (the default)
  if (v.is_string()) out = v;
  else if (v.is_null()) out = Value("");
  else if (v.is_bool()) out = Value(v.as_bool() ? "true" : "false");
  else out = Value(v.dump());  // numbers as JSON writes them; objects and arrays as JSON text
  return true;
}

void note(Variables& vars, StatusCode code, std::string msg) {
  vars.partial = true;
  if (vars.error.empty()) {
    vars.error = std::move(msg);
    vars.error_code = code;
  }
}

// Sets values[name] from `raw` typed as the trigger says; on a bad value falls
// back to the default (or leaves the variable out) and marks the answer partial.
void put_variable(Variables& vars, const std::string& name, const Value& raw, const Value& config) {
  const Value* types = config.find("variable_types");
  std::string type = types && types->is_object() ? types->get_string(name, "string") : "string";
  Value out;
  if (format_variable(raw, type, out)) {
    vars.values.as_object().set(name, std::move(out));
    return;
  }
  note(vars, StatusCode::invalid_argument, "variable '" + name + "' is not a " + type + ": " + raw.dump());
  const Value* defaults = config.find("defaults");
  if (const Value* d = defaults && defaults->is_object() ? defaults->find(name) : nullptr; d && format_variable(*d, type, out))
    vars.values.as_object().set(name, std::move(out));
}

Variables to_variables(LatencyAnswer a, const CompiledWorkflow& wf) {
  const Value& config = wf.workflow.trigger().config;
  const Value* defaults = config.find("defaults");
  const bool has_defaults = defaults && defaults->is_object();
  Variables vars;
  vars.run_id = a.run_id;
  vars.workflow = wf.id;
  if (a.kind == LatencyAnswer::Kind::responded && a.response.is_object()) {
    for (const auto& [k, v] : a.response.as_object()) {
      if (k == "assistant_id") {  // an assistant override, not a variable
        if (v.is_string()) vars.assistant_id = v.as_string();
        continue;
      }
      put_variable(vars, k, v, config);
    }
    return vars;
  }
  // Partial: the defaults, with what the run had computed for them.
  if (a.kind == LatencyAnswer::Kind::responded)
    note(vars, StatusCode::invalid_argument,
         "the respond node's value must be an object of variables, not " + std::string(to_string(a.response.type())));
  else
    note(vars, a.code == StatusCode::ok ? StatusCode::internal : a.code, a.error);
  if (has_defaults) {
    for (const auto& [k, d] : defaults->as_object()) {
      const Value* got = a.kind == LatencyAnswer::Kind::late ? a.computed.find(k) : nullptr;
      put_variable(vars, k, got ? *got : d, config);
    }
  }
  return vars;
}

ToolResult to_tool_result(LatencyAnswer a, const CompiledWorkflow& wf) {
  ToolResult out;
  out.run_id = a.run_id;
  if (a.kind == LatencyAnswer::Kind::responded) {
    out.result = std::move(a.response);
    return out;
  }
  const Value* fb = wf.workflow.trigger().config.find("fallback");
  out.result = fb && !fb->is_null() ? *fb : Value(kDefaultFallback);
  out.partial = true;
  out.error_code = a.code == StatusCode::ok ? StatusCode::internal : a.code;
  out.error = std::move(a.error);
  return out;
}

// Counts an answer on /metrics: its latency from the call, and whether the
// deadline came first.
void observe(Clock::time_point t0, const LatencyAnswer& a) {
  metrics::observe_injection(Clock::now() - t0, a.kind == LatencyAnswer::Kind::late);
}

ToolResult unknown_tool(const std::string& tool) {
  ToolResult out;
  out.result = Value(kDefaultFallback);
  out.partial = true;
  out.error_code = StatusCode::not_found;
  out.error = "no call.tool workflow is named '" + tool + "'";
  return out;
}

}  // namespace
}  // namespace detail

namespace {
Event ended_event(const CallEvent& call) {
  Event ev;
  ev.type = "call.ended";
  ev.payload = call.to_value();
  // The event name is part of the key: Retell's call_ended and call_analyzed for
  // one call may start different workflows.
  ev.dedupe_key = "call:" + call.platform + ":" + call.call_id + ":" + call.event;
  return ev;
}
constexpr const char* kNoCallId = "call.call_id: is required (it is the dedupe key of call.ended runs)";
}  // namespace

Result<std::vector<RunHandle>> Engine::emit(const CallEvent& call) {
  if (call.call_id.empty()) return invalid_argument(kNoCallId);
  return impl_->emit(ended_event(call));
}

void Engine::emit_async(const CallEvent& call, std::function<void(Result<std::vector<RunHandle>>)> done) {
  if (call.call_id.empty()) return done(invalid_argument(kNoCallId));
  impl_->emit_async(ended_event(call), std::move(done));
}

Variables Engine::inject(const IncomingCall& call, std::chrono::microseconds deadline) {
  const auto t0 = std::chrono::steady_clock::now();
  Value trigger = call.to_value();
  auto wf = impl_->incoming_workflow(trigger);
  if (!wf) return {};  // no workflow: no variables (not partial)
  auto a = detail::run_latency_sync(*impl_, wf, std::move(trigger), detail::effective_deadline(t0, deadline, wf.get()));
  detail::observe(t0, a);
  return detail::to_variables(std::move(a), *wf);
}

void Engine::inject_async(IncomingCall call, std::chrono::microseconds deadline, std::function<void(Variables)> done) {
  const auto t0 = std::chrono::steady_clock::now();
  Value trigger = call.to_value();
  auto wf = impl_->incoming_workflow(trigger);
  if (!wf) {
    if (done) done({});
    return;
  }
  auto at = detail::effective_deadline(t0, deadline, wf.get());
  detail::run_latency_async(*impl_, wf, std::move(trigger), at,
                            [wf, t0, done = std::move(done)](detail::LatencyAnswer a) {
                              detail::observe(t0, a);
                              if (done) done(detail::to_variables(std::move(a), *wf));
                            });
}

ToolResult Engine::call_tool(const ToolCall& call, std::chrono::microseconds deadline) {
  const auto t0 = std::chrono::steady_clock::now();
  auto wf = impl_->tool_workflow(call.tool);
  if (!wf) return detail::unknown_tool(call.tool);
  auto a = detail::run_latency_sync(*impl_, wf, call.to_value(), detail::effective_deadline(t0, deadline, wf.get()));
  detail::observe(t0, a);
  return detail::to_tool_result(std::move(a), *wf);
}

void Engine::call_tool_async(ToolCall call, std::chrono::microseconds deadline, std::function<void(ToolResult)> done) {
  const auto t0 = std::chrono::steady_clock::now();
  auto wf = impl_->tool_workflow(call.tool);
  if (!wf) {
    if (done) done(detail::unknown_tool(call.tool));
    return;
  }
  auto at = detail::effective_deadline(t0, deadline, wf.get());
  detail::run_latency_async(*impl_, wf, call.to_value(), at, [wf, t0, done = std::move(done)](detail::LatencyAnswer a) {
    detail::observe(t0, a);
    if (done) done(detail::to_tool_result(std::move(a), *wf));
  });
}

std::vector<ToolInfo> Engine::tools() const {
  std::vector<ToolInfo> out;
  for (const auto& wf : impl_->installed_of_type("call.tool")) {
    const Value& c = wf->workflow.trigger().config;
    ToolInfo t;
    t.name = c.get_string("name");
    t.description = c.get_string("description", wf->workflow.name());
    const Value* params = c.find("parameters");
    t.parameters = params && params->is_object()
                       ? *params
                       : Value::object({{"type", Value("object")}, {"properties", Value::object()}});
    t.workflow = wf->id;
    out.push_back(std::move(t));
  }
  return out;
}

}  // namespace famulor
