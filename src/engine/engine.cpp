// Engine and RunHandle: the public API over EngineImpl and RunShared.
#include "famulor/engine.hpp"

#include "engine/engine_impl.hpp"
#include "engine/scheduler.hpp"
#include "engine/timer.hpp"

namespace famulor {

// ---- RunShared (declared in engine/run_state.hpp) ----
namespace detail {

RunShared::RunShared() = default;
RunShared::~RunShared() = default;

const Value* RunShared::output_of(int index) const noexcept {
  if (index < 0) return nullptr;
  const auto n = static_cast<int>(size());
  if (index >= n) return parent ? parent->output_of(index - n) : nullptr;
  const NodeSlot& s = slots[static_cast<std::size_t>(index)];
  return s.published.load(std::memory_order_acquire) ? &s.output : nullptr;
}

const Value* RunShared::output_by_id(std::string_view node_id) const noexcept {
  int i = wf->index_of(node_id);
  if (i >= 0) return output_of(i);
  return parent ? parent->output_by_id(node_id) : nullptr;
}

expr::EvalEnv RunShared::eval_env() const {
  expr::EvalEnv env;
  env.trigger = &trigger_ref();
  env.vars = &wf->vars;
  env.env = &wf->env;
  if (is_item) {
    env.item = &item;
    env.index = index;
  }
  env.run_id = root_id();
  env.workflow_id = wf->id;
  env.node_output = [this](int i) { return output_of(i); };
  env.limits.max_steps = max_steps;
  return env;
}

// Values are copy-constructed in place where they can be (a copy assignment to a
// null Value builds a temporary and moves it). The trigger is immutable: copied
// before the lock.
RunRecord RunShared::snapshot() {
  RunRecord r{.id = id, .workflow = wf->id, .workflow_version = wf->version, .trigger = trigger_ref()};
  std::lock_guard lk(m);
  r.status = status;
  r.response = response_value();
  r.response_status = response_status;
  r.response_headers = response_headers;
  r.error_code = error_code;
  r.error = error;
  r.started_at_ms = started_ms;
  r.finished_at_ms = finished_ms;
  r.nodes.reserve(size());
  for (std::size_t i = 0; i < size(); ++i) {
    const NodeSlot& s = slots[i];
    r.nodes.push_back(NodeRecord{.id = wf->nodes[i].id,
                                 .status = s.status,
                                 .input = s.input.is_null() && s.call ? s.call->params : s.input,
                                 .output = s.output,
                                 .port = s.port,
                                 .error_code = s.error_code,
                                 .error = s.error,
                                 .attempts = s.attempts,
                                 .started_at_ms = s.started_ms,
                                 .finished_at_ms = s.finished_ms,
                                 .duration_ms = s.duration_ms,
                                 .cached = s.from_cache});
  }
  return r;
}

}  // namespace detail

// ---- RunHandle ----

const std::string& RunHandle::id() const noexcept {
  static const std::string empty;
  return s_ ? s_->id : empty;
}

bool RunHandle::done() const noexcept { return s_ && s_->final_flag.load(std::memory_order_acquire); }

RunRecord RunHandle::wait() const {
  if (!s_) return {};
  {
    std::unique_lock lk(s_->m);
    s_->cv.wait(lk, [&] { return s_->settled; });
  }
  return s_->snapshot();
}

std::optional<RunRecord> RunHandle::wait_for(std::chrono::milliseconds timeout) const {
  if (!s_) return RunRecord{};
  {
    std::unique_lock lk(s_->m);
    if (!s_->cv.wait_for(lk, timeout, [&] { return s_->settled; }))
      return std::nullopt;
  }
  return s_->snapshot();
}

RunRecord RunHandle::snapshot() const { return s_ ? s_->snapshot() : RunRecord{}; }

void RunHandle::cancel() const {
  if (s_) detail::halt_run(*s_, RunStatus::cancelled, Status(StatusCode::cancelled, "the run was cancelled"));
}

void RunHandle::on_done(std::function<void(const RunRecord&)> fn) const {
  if (!s_ || !fn) return;
  detail::on_run_done(*s_, [fn = std::move(fn)](const detail::RunShared& run) {
    fn(const_cast<detail::RunShared&>(run).snapshot());
  });
}

// ---- Engine ----

Engine::Engine(EngineOptions options) : impl_(std::make_unique<detail::EngineImpl>(std::move(options))) {}
Engine::~Engine() = default;

Status Engine::register_node(NodeTypeInfo info, NodeFactory factory) {
  return impl_->register_node(std::move(info), std::move(factory));
}
Status Engine::register_trigger(TriggerTypeInfo info, TriggerFactory factory) {
  return impl_->register_trigger(std::move(info), std::move(factory));
}
const Catalog& Engine::catalog() const noexcept { return impl_->catalog; }

Result<Workflow> Engine::parse(std::string_view json, std::string file, std::vector<Problem>* problems) const {
  WorkflowParseOptions po;
  po.file = std::move(file);
  po.catalog = &impl_->catalog;
  return Workflow::parse(json, po, problems);
}

Status Engine::install(Workflow workflow) { return impl_->install(std::move(workflow)); }
Status Engine::uninstall(std::string_view workflow_id) { return impl_->uninstall(workflow_id); }
std::vector<std::string> Engine::workflow_ids() const { return impl_->workflow_ids(); }
std::optional<Workflow> Engine::workflow(std::string_view id) const {
  auto wf = impl_->compiled(id);
  if (!wf) return std::nullopt;
  return wf->workflow;
}

Status Engine::start() { return impl_->start(); }
void Engine::stop(std::chrono::milliseconds grace) { impl_->stop(grace); }

Result<std::vector<RunHandle>> Engine::emit(Event event) { return impl_->emit(std::move(event)); }
Result<RunHandle> Engine::run(std::string_view workflow_id, Value payload) {
  auto r = impl_->run_workflow(workflow_id, std::move(payload));
  if (!r.ok()) return r.status();
  return RunHandle(std::move(r.value()));
}
Result<RunRecord> Engine::get_run(std::string_view run_id) const { return impl_->get_run(run_id); }
Result<RunHandle> Engine::find_run(std::string_view run_id) const { return impl_->find_run(run_id); }
Result<RunPage> Engine::list_runs(const RunFilter& filter) const { return impl_->list_runs(filter); }
Result<RunHandle> Engine::retry(std::string_view run_id, RetryOptions options) { return impl_->retry(run_id, options); }
Status Engine::cancel(std::string_view run_id) { return impl_->cancel(run_id); }

}  // namespace famulor
