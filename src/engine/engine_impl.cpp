// EngineImpl: types, installed workflows, triggers and the engine's lifecycle.
// Runs (emit, registry, resume) are in runs.cpp.
#include "engine/engine_impl.hpp"
#include "engine/trigger_match.hpp"

#include <algorithm>
#include <cstdio>

#include "engine/scheduler.hpp"
#include "nodes/builtin_nodes.hpp"

namespace famulor::detail {

// Routes a custom trigger's events to the workflow that owns it.
class EngineImpl::Sink final : public TriggerSink {
 public:
  Sink(EngineImpl& engine, std::string workflow, std::string type)
      : engine_(engine), workflow_(std::move(workflow)), type_(std::move(type)) {}
  Result<std::vector<std::string>> emit(Event event) override {
    event.workflow = workflow_;
    event.type = type_;
    auto r = engine_.emit(std::move(event));
    if (!r.ok()) return r.status();
    std::vector<std::string> ids;
    for (const auto& h : r.value()) ids.push_back(h.id());
    return ids;
  }

 private:
  EngineImpl& engine_;
  std::string workflow_;
  std::string type_;
};

namespace {

BreakerConfig breaker_config(const CircuitBreakerOptions& o) {
  return {o.enabled, o.failure_ratio, o.min_calls, o.window, o.cool_down, o.probes};
}

void configure_reliability(const EngineOptions& o, Reliability& r, Delays& delays) {
  r.breaker = breaker_config(o.circuit_breaker);
  for (const auto& [key, b] : o.circuit_breakers) r.breaker_for[key] = breaker_config(b);
  for (const auto& [key, l] : o.rate_limits) r.rate_for[key] = RateConfig{l.per_second, l.burst};
  r.delays = &delays;
}

}  // namespace

EngineImpl::EngineImpl(EngineOptions o)
    : options(std::move(o)),
      owned_store(open_store(options, store_error_)),
      pool(options.threads),
      latency_pool(1),
      journal(owned_store.get()),
      catalog(&default_catalog()),
      http(std::make_unique<net::HttpClient>(pool)),
      outbound(net::OutboundPolicy::from_environment()),
      node_cache(options.cache_entries) {
  configure_reliability(options, reliability, delays);
  std::map<std::string, NodeFactory, std::less<>> builtins;
  add_builtin_node_factories(builtins);
  net::NetServices http_services = net_services();
  http_services.dry_run = options.dry_run;  // --dry-run: nothing is sent
  builtins.emplace("http.request", net::http_request_factory(http_services));
  for (auto& [name, f] : builtins) node_factories_.emplace(name, std::move(f));
  trigger_factories_.emplace("schedule", [this](const Workflow& wf) { return make_schedule_trigger(*this, wf); });
  // Every connector operation; types from connectors_dir are added to (or replace
  // the compiled-in ones in) this engine's catalog.
  connectors = make_engine_connectors(options, net_services(), outbound);
  if (owned_store) {
    // Every connector call goes to the audit log, batched with the store's writer.
    connectors->services->on_call = [store = owned_store.get()](const connectors::ConnectorServices::CallRecord& r) {
      store::AuditEntry e;
      e.actor = "engine";
      e.action = "connector.call";
      e.target = r.app + "." + r.operation;
      e.outcome = r.code == StatusCode::ok ? "ok" : std::string(to_string(r.code));
      e.workflow = r.workflow;
      e.run_id = r.run_id;
      e.node = r.node;
      e.http_status = r.http_status;
      e.duration_ms = r.duration_ms;
      store->audit(std::move(e));
    };
  }
  for (auto& info : connectors->extra_types) (void)catalog.replace_node(info);
  for (auto& m : connectors->registry.apps())
    for (auto& [op, _] : m->operations) {
      std::string type = m->app + "." + op;
      if (auto f = connectors->registry.factory(type, connectors->services); f.ok())
        node_factories_.insert_or_assign(type, std::move(*f));
    }
}

EngineImpl::~EngineImpl() {
  stop(std::chrono::milliseconds(0));
  http.reset();  // cancels what is still in flight while the runs it reports to exist
}

Status EngineImpl::register_node(NodeTypeInfo info, NodeFactory factory) {
  if (!factory) return invalid_argument("register_node: no factory for '" + info.type + "'");
  std::string name = info.type;
  std::unique_lock lk(types_mu_);
  if (node_factories_.count(name)) return Status(StatusCode::already_exists, "node type '" + name + "' exists");
  if (Status s = catalog.add_node(std::move(info)); !s.ok()) return s;
  node_factories_.emplace(std::move(name), std::move(factory));
  return {};
}

Status EngineImpl::register_trigger(TriggerTypeInfo info, TriggerFactory factory) {
  if (!factory) return invalid_argument("register_trigger: no factory for '" + info.type + "'");
  std::string name = info.type;
  std::unique_lock lk(types_mu_);
  if (trigger_factories_.count(name)) return Status(StatusCode::already_exists, "trigger type '" + name + "' exists");
  if (Status s = catalog.add_trigger(std::move(info)); !s.ok()) return s;
  trigger_factories_.emplace(std::move(name), std::move(factory));
  return {};
}

const NodeFactory* EngineImpl::node_factory(std::string_view type) const {
  std::shared_lock lk(types_mu_);
  auto it = node_factories_.find(type);
  return it == node_factories_.end() ? nullptr : &it->second;  // entries are never erased
}

Status EngineImpl::install(Workflow workflow) {
  // Validate again against this engine's catalog (custom node types, changed types).
  WorkflowParseOptions po;
  po.file = workflow.file().empty() ? "<workflow>" : workflow.file();
  po.catalog = &catalog;
  auto parsed = Workflow::parse(workflow.definition().dump(), po);
  if (!parsed.ok()) return parsed.status();
  CompileContext ctx;
  ctx.catalog = &catalog;
  ctx.factory = [this](std::string_view t) { return node_factory(t); };
  ctx.allowed_env = options.allowed_env;
  auto version = record_version(parsed.value());  // every changed definition is a new version
  if (!version.ok()) return version.status();
  ctx.version = version.value();
  auto compiled = compile_workflow(std::move(parsed.value()), ctx);
  if (!compiled.ok()) return compiled.status();
  auto inst = std::make_shared<Installed>();
  inst->wf = std::move(compiled.value());
  std::shared_ptr<Installed> old;
  {
    std::unique_lock lk(wf_mu_);
    auto& slot = workflows_[inst->wf->id];
    old = std::move(slot);
    slot = inst;
    if (old) unroute_locked(*old->wf);
    route_locked(*inst->wf);
  }
  if (old && old->trigger && old->trigger_started) old->trigger->stop();
  bool running;
  {
    std::lock_guard lk(runs_mu_);
    running = accepting_;
  }
  if (running) return start_trigger(*inst, false);
  return {};
}

namespace {
std::string hook_path(const CompiledWorkflow& wf) {
  return std::string(trim_slashes(wf.workflow.trigger().config.get_string("path")));
}
}  // namespace

void EngineImpl::route_locked(const CompiledWorkflow& wf) {
  if (wf.workflow.trigger().type != "webhook") return;
  auto& ids = hooks_[hook_path(wf)];  // sorted, so runs start in workflow id order as before
  ids.insert(std::lower_bound(ids.begin(), ids.end(), wf.id), wf.id);
}

void EngineImpl::unroute_locked(const CompiledWorkflow& wf) {
  if (wf.workflow.trigger().type != "webhook") return;
  auto it = hooks_.find(hook_path(wf));
  if (it == hooks_.end()) return;
  std::erase(it->second, wf.id);
  if (it->second.empty()) hooks_.erase(it);
}

std::vector<std::shared_ptr<const CompiledWorkflow>> EngineImpl::webhook_route(std::string_view path) const {
  path = trim_slashes(path);
  std::vector<std::shared_ptr<const CompiledWorkflow>> out;
  std::shared_lock lk(wf_mu_);
  auto it = hooks_.find(path);
  if (it == hooks_.end()) return out;
  out.reserve(it->second.size());
  for (const auto& id : it->second)
    if (auto w = workflows_.find(id); w != workflows_.end()) out.push_back(w->second->wf);
  return out;
}

Status EngineImpl::uninstall(std::string_view id) {
  std::shared_ptr<Installed> old;
  {
    std::unique_lock lk(wf_mu_);
    auto it = workflows_.find(id);
    if (it == workflows_.end()) return not_found("no workflow '" + std::string(id) + "' is installed");
    old = std::move(it->second);
    workflows_.erase(it);
    unroute_locked(*old->wf);
  }
  if (old->trigger && old->trigger_started) old->trigger->stop();
  return {};
}

std::vector<std::string> EngineImpl::workflow_ids() const {
  std::shared_lock lk(wf_mu_);
  std::vector<std::string> out;
  for (const auto& [id, inst] : workflows_) out.push_back(id);
  return out;
}

std::shared_ptr<const CompiledWorkflow> EngineImpl::compiled(std::string_view id) const {
  std::shared_lock lk(wf_mu_);
  auto it = workflows_.find(id);
  return it == workflows_.end() ? nullptr : it->second->wf;
}

Status EngineImpl::start_trigger(Installed& inst, bool at_start) {
  if (inst.trigger_started) return {};
  const std::string& type = inst.wf->workflow.trigger().type;
  TriggerFactory factory;
  {
    std::shared_lock lk(types_mu_);
    auto it = trigger_factories_.find(type);
    if (it == trigger_factories_.end()) return {};  // built-in or host-emitted types
    factory = it->second;
  }
  if (!inst.trigger) {
    Result<std::unique_ptr<Trigger>> made = internal_error("trigger factory threw");
    try {
      made = factory(inst.wf->workflow);
    } catch (...) {
    }
    if (!made.ok()) return made.status();
    inst.trigger = std::move(made.value());
    inst.sink = std::make_unique<Sink>(*this, inst.wf->id, type);
  }
  if (!inst.trigger) return internal_error("trigger factory for '" + type + "' returned nothing");
  if (auto* st = dynamic_cast<ScheduleTrigger*>(inst.trigger.get())) st->catch_up_on_start(at_start);
  Status s = inst.trigger->start(*inst.sink);
  if (s.ok()) inst.trigger_started = true;
  return s;
}

Status EngineImpl::start() {
  std::lock_guard life(lifecycle_mu_);
  if (started_) return {};
  if (!store_error_.ok()) return store_error_;
  if (!connectors->error.ok()) return connectors->error;
  life_.fetch_add(1);  // before the pool runs what an earlier life left queued (emit_async)
  pool.start();
  latency_pool.start();
  delays.reopen();
  {
    std::lock_guard lk(runs_mu_);
    accepting_ = true;
    closed_ = false;
  }
  started_ = true;
  std::vector<std::shared_ptr<Installed>> all;
  {
    std::shared_lock lk(wf_mu_);
    for (auto& [id, inst] : workflows_) all.push_back(inst);
  }
  Status first = options.resume_unfinished ? resume_unfinished() : Status{};
  for (auto& inst : all)
    if (Status s = start_trigger(*inst, true); !s.ok() && first.ok())
      first = Status(s.code(), "workflow '" + inst->wf->id + "': trigger: " + s.message());
  return first;
}

void EngineImpl::stop(std::chrono::milliseconds grace) {
  std::lock_guard life(lifecycle_mu_);
  if (!started_) return;
  {
    std::lock_guard lk(runs_mu_);
    accepting_ = false;
  }
  std::vector<std::shared_ptr<Installed>> all;
  {
    std::shared_lock lk(wf_mu_);
    for (auto& [id, inst] : workflows_) all.push_back(inst);
  }
  for (auto& inst : all)
    if (inst->trigger && inst->trigger_started) {
      inst->trigger->stop();
      inst->trigger_started = false;
    }
  {
    std::unique_lock lk(active_mu_);
    // Queued runs count too: they start as slots free up.
    active_cv_.wait_for(lk, grace, [&] { return active_.load() == 0 && limits.queued() == 0; });
  }
  std::vector<std::shared_ptr<RunShared>> left;
  {
    std::lock_guard lk(runs_mu_);
    closed_ = true;
    for (auto& [id, run] : live_) left.push_back(run);
  }
  for (auto& run : left) {
    // With a store the run is suspended, not cancelled: nothing is recorded for
    // it, and the next start() resumes it from its checkpoints.
    // Latency-path runs were never accepted: they end cancelled and are recorded.
    if (journal.enabled() && !run->deferred_record) run->suspended.store(true);
    halt_run(*run, RunStatus::cancelled, Status(StatusCode::cancelled, "the engine stopped"));
  }
  {
    std::unique_lock lk(active_mu_);
    active_cv_.wait(lk, [&] { return active_.load() == 0; });
  }
  latency_pool.stop();
  delays.cancel_all();  // calls waiting for a rate-limit token: their runs are over
  pool.stop();
  // Checkpoints and outcomes may still wait in the store's queue (they are
  // committed lazily): once stop() returns, everything the runs did is durable.
  if (store::Store* st = journal.store(); st != nullptr)
    if (Status s = st->flush(); !s.ok()) std::fprintf(stderr, "famulor: stop: %s\n", s.to_string().c_str());
  started_ = false;
}

void EngineImpl::retain_run() noexcept { active_.fetch_add(1, std::memory_order_relaxed); }

void EngineImpl::release_run() noexcept {
  std::lock_guard lk(active_mu_);
  if (active_.fetch_sub(1) == 1) active_cv_.notify_all();
}

}  // namespace famulor::detail
