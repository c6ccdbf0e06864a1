// EngineImpl: accepting events, starting, resuming and finding runs.
#include <atomic>
#include <optional>
#include <utility>

#include "common/metrics.hpp"
#include "common/clock.hpp"
#include "engine/engine_impl.hpp"
#include "engine/scheduler.hpp"
#include "engine/trigger_match.hpp"

namespace famulor::detail {

std::shared_ptr<RunShared> EngineImpl::new_run(std::shared_ptr<const CompiledWorkflow> wf, Value trigger, int depth) {
  auto run = std::make_shared<RunShared>();
  run->engine = this;
  run->id = new_run_id();
  // Privacy: a call's words are never stored (nor seen) when the workflow or the
  // engine says so; this happens before the accept commit.
  if ((!options.store_transcripts || !wf->store_transcript) && trigger.is_object()) {
    trigger.as_object().erase("transcript");
    trigger.as_object().erase("turns");
  }
  run->trigger = std::move(trigger);
  run->depth = depth;
  run->max_steps = options.max_expression_steps;
  run->slots = std::make_unique<NodeSlot[]>(wf->nodes.size());
  run->wf = std::move(wf);
  run->started_ms = now_ms();
  return run;
}

std::shared_ptr<RunShared> EngineImpl::new_item_run(const std::shared_ptr<RunShared>& parent,
                                                    std::shared_ptr<const CompiledWorkflow> body, Value item,
                                                    std::int64_t index, std::string_view node_id) {
  auto run = std::make_shared<RunShared>();
  run->engine = this;
  run->id = parent->id + "/" + std::string(node_id) + "[" + std::to_string(index) + "]";
  run->depth = parent->depth;
  run->max_steps = parent->max_steps;
  run->parent = parent;
  run->item = std::move(item);
  run->index = index;
  run->is_item = true;
  run->slots = std::make_unique<NodeSlot[]>(body->nodes.size());
  run->wf = std::move(body);
  run->started_ms = now_ms();
  return run;
}

bool EngineImpl::matches(const CompiledWorkflow& wf, const Event& ev) const {
  if (!ev.workflow.empty() && ev.workflow != wf.id) return false;
  const TriggerSpec& t = wf.workflow.trigger();
  if (t.type != ev.type || !trigger_params_match(t, ev)) return false;
  if (wf.trigger_filter) {
    expr::EvalEnv env;
    env.trigger = &ev.payload;
    env.vars = &wf.vars;
    env.env = &wf.env;
    env.workflow_id = wf.id;
    env.limits.max_steps = options.max_expression_steps;
    auto r = wf.trigger_filter->evaluate(env);
    if (!r.ok() || !expr::truthy(r.value())) return false;
  }
  return true;
}

Status EngineImpl::launch(const std::vector<std::shared_ptr<RunShared>>& runs, bool internal, bool reserved,
                          bool start_here, bool here_on_any_thread) {
  {
    std::lock_guard lk(runs_mu_);
    if (closed_ || (!internal && !accepting_)) {
      if (reserved) limits.unreserve(runs.size());
      return failed_precondition("the engine is not running (call start(), or it is stopping)");
    }
    for (const auto& r : runs) live_.emplace(r->id, r);  // the key views r->id
  }
  // A run over a concurrency limit stays queued; finished() starts it later.
  // Started here only on a pool thread: elsewhere (a host's thread) connector
  // nodes would hand off anyway, and the caller should not pay for the run.
  const bool here = here_on_any_thread || (start_here && pool.running_in_this_thread());
  for (const auto& r : runs) {
    if (!limits.admit(r, reserved)) continue;
    r->wf->run_metrics->started();
    start_run(r, here);
  }
  return {};
}

Result<std::vector<RunHandle>> EngineImpl::accept_and_launch(std::vector<std::shared_ptr<RunShared>> runs,
                                                             const std::string& dedupe_key, bool internal,
                                                             const ScheduleSlot* slot, bool* duplicate,
                                                             bool start_here) {
  std::vector<RunHandle> handles;
  // Backpressure: a full queue refuses the event before anything is stored.
  const bool reserve = !internal && !runs.empty();
  if (reserve)
    if (Status s = limits.reserve(runs.size()); !s.ok()) return s;
  if (journal.enabled() && dedupe_key.empty() && !slot && !internal && !runs.empty())
    return accept_early_and_launch(std::move(runs), reserve, start_here);
  if (journal.enabled()) {
    auto accepted = journal.accept(dedupe_key, runs, slot);
    if (!accepted.ok() || accepted.value().duplicate)
      if (reserve) limits.unreserve(runs.size());
    if (!accepted.ok()) return accepted.status();
    if (accepted.value().duplicate) {  // the store knew the key: answer the first delivery's runs
      if (duplicate) *duplicate = true;
      return first_delivery(accepted.value());
    }
  }
  if (Status s = launch(runs, internal, reserve, start_here); !s.ok()) return s;
  handles.reserve(runs.size());
  for (auto& r : runs) handles.emplace_back(std::move(r));
  return handles;
}

// The runs start while the store commits their accept (Journal::accept_early):
// their first built-in nodes overlap the commit, and a run that is done before the
// writer gets to its accept is written once, finished. Nothing leaves the run
// before the commit (its calls out, timers, child runs and error workflows wait
// for it), so a crash before the commit loses only work nobody saw, as it loses
// the event that was never acknowledged.
Result<std::vector<RunHandle>> EngineImpl::accept_early_and_launch(std::vector<std::shared_ptr<RunShared>> runs,
                                                                   bool reserved, bool start_here) {
  Journal::PendingAccept pending = journal.accept_early(runs);
  // The caller waits for the commit anyway: its thread runs the built-in nodes
  // meanwhile (up to the first that parks or must go to the pool), which spares
  // a pool thread's wake-up per run.
  Status launched = launch(runs, false, reserved, start_here, true);
  return settle_early(runs, pending.wait(), launched, start_here, true);
}

Result<std::vector<RunHandle>> EngineImpl::settle_early(std::vector<std::shared_ptr<RunShared>>& runs,
                                                        Result<store::AcceptResult> accepted, const Status& launched,
                                                        bool start_here, bool may_block) {
  if (!accepted.ok()) {  // never acknowledged: whatever the runs did is dropped with them
    for (auto& r : runs) {
      {
        std::lock_guard lk(r->m);
        r->parked.clear();
      }
      halt_run(*r, RunStatus::cancelled, Status(accepted.status().code(), "not accepted: " + accepted.status().message()));
    }
    return accepted.status();
  }
  // Stopping: the accept stands (the runs resume at the next start), as after a crash.
  if (!launched.ok()) return launched;
  std::vector<RunHandle> handles;
  handles.reserve(runs.size());
  for (auto& r : runs) {
    std::vector<int> parked;
    bool error_workflows = false;
    {
      std::lock_guard lk(r->m);
      journal.accepted(*r);
      parked.swap(r->parked);
      error_workflows = std::exchange(r->error_workflows_due, false);
    }
    if (error_workflows) {
      if (may_block) {
        start_error_workflows(*r);
      } else {  // they accept and wait for the writer: not on its thread
        retain_run();  // stop() waits for them as for a run
        pool.post([this, r] {
          start_error_workflows(*r);
          release_run();
        });
      }
    }
    resume_parked(r, parked, start_here);
    handles.emplace_back(std::move(r));
  }
  return handles;
}

namespace {
// emit_async's early accept: settled by whichever comes last, the commit (on the
// writer thread) or the launch (on the emitting thread).
struct EarlyJoin {
  std::vector<std::shared_ptr<RunShared>> runs;
  EngineImpl::EmitDone done;
  Status launched;
  std::optional<Result<store::AcceptResult>> accepted;
  std::atomic<int> left{2};
};
}  // namespace

std::vector<RunHandle> EngineImpl::first_delivery(const store::AcceptResult& accepted) {
  std::vector<RunHandle> handles;
  for (const auto& id : accepted.run_ids) {
    auto h = find_run(id);
    // Not in memory: from before a restart (or accepted by another process).
    if (!h.ok()) h = stored_run(id);
    if (h.ok()) handles.push_back(std::move(h.value()));
  }
  return handles;
}

void EngineImpl::emit_async(Event event, EmitDone done, bool start_here) {
  if (!journal.enabled()) {  // in memory nothing waits for a commit
    done(emit(std::move(event), nullptr, nullptr, start_here));
    return;
  }
  {
    std::lock_guard lk(runs_mu_);
    if (!accepting_) {
      done(failed_precondition("the engine is not running (call start(), or it is stopping)"));
      return;
    }
  }
  auto targets = targets_of(event);  // (before the payload moves into the runs)
  auto runs = build_runs(targets, std::move(event.payload));
  if (!event.dedupe_key.empty()) {
    accept_deduped_async(std::move(runs), event.dedupe_key, std::move(done));
    return;
  }
  if (runs.empty()) {
    done(std::vector<RunHandle>{});
    return;
  }
  auto join = std::make_shared<EarlyJoin>();
  join->runs = std::move(runs);
  if (Status s = limits.reserve(join->runs.size()); !s.ok()) {
    done(s);
    return;
  }
  join->done = std::move(done);
  journal.accept_early(join->runs, [this, join](Result<store::AcceptResult> r) {
    join->accepted.emplace(std::move(r));
    if (join->left.fetch_sub(1, std::memory_order_acq_rel) == 1)
      join->done(settle_early(join->runs, std::move(*join->accepted), join->launched, false, false));
  });
  join->launched = launch(join->runs, false, true, start_here, true);
  if (join->left.fetch_sub(1, std::memory_order_acq_rel) == 1)
    join->done(settle_early(join->runs, std::move(*join->accepted), join->launched, start_here, true));
}

// An event with a dedupe key: the accept decides whether anything starts, so the
// runs start after it (a redelivery starts nothing and answers the first
// delivery's runs). The continuation runs on the pool, not on the store's writer
// thread: reading a first delivery from the store, and starting runs, may wait.
void EngineImpl::accept_deduped_async(std::vector<std::shared_ptr<RunShared>> runs, const std::string& dedupe_key,
                                      EmitDone done) {
  const bool reserve = !runs.empty();
  if (reserve)
    if (Status s = limits.reserve(runs.size()); !s.ok()) {
      done(s);
      return;
    }
  auto shared = std::make_shared<std::vector<std::shared_ptr<RunShared>>>(std::move(runs));
  const std::uint64_t life = life_.load();
  journal.accept_async(dedupe_key, *shared, [this, shared, reserve, life, done = std::move(done)](
                                                Result<store::AcceptResult> accepted) mutable {
    pool.post([this, shared, reserve, life, done = std::move(done), accepted = std::move(accepted)]() mutable {
      auto& runs = *shared;
      if (accepted.ok() && life != life_.load())
        accepted = Status(StatusCode::failed_precondition, "the engine stopped; the accepted runs resume from the store");
      if (!accepted.ok() || accepted->duplicate)
        if (reserve) limits.unreserve(runs.size());
      if (!accepted.ok()) return done(accepted.status());
      if (accepted->duplicate) return done(first_delivery(*accepted));
      if (Status s = launch(runs, false, reserve, /*start_here=*/true); !s.ok()) return done(s);
      std::vector<RunHandle> handles;
      handles.reserve(runs.size());
      for (auto& r : runs) handles.emplace_back(std::move(r));
      done(std::move(handles));
    });
  });
}

std::vector<std::shared_ptr<const CompiledWorkflow>> EngineImpl::targets_of(const Event& event) const {
  std::vector<std::shared_ptr<const CompiledWorkflow>> targets;
  std::shared_lock lk(wf_mu_);
  if (!event.workflow.empty()) {
    auto it = workflows_.find(event.workflow);
    if (it != workflows_.end() && matches(*it->second->wf, event)) targets.push_back(it->second->wf);
  } else if (event.type == "webhook") {  // the route table: only workflows on this path
    if (auto r = hooks_.find(trim_slashes(event.name)); r != hooks_.end())
      for (const auto& id : r->second)
        if (auto w = workflows_.find(id); w != workflows_.end() && matches(*w->second->wf, event))
          targets.push_back(w->second->wf);
  } else {
    for (const auto& [id, inst] : workflows_)
      if (matches(*inst->wf, event)) targets.push_back(inst->wf);
  }
  return targets;
}

std::vector<std::shared_ptr<RunShared>> EngineImpl::build_runs(
    const std::vector<std::shared_ptr<const CompiledWorkflow>>& targets, Value payload) {
  std::vector<std::shared_ptr<RunShared>> runs;
  runs.reserve(targets.size());
  for (std::size_t i = 0; i < targets.size(); ++i)
    runs.push_back(new_run(targets[i], i + 1 == targets.size() ? std::move(payload) : payload, 0));
  return runs;
}

Result<std::vector<RunHandle>> EngineImpl::emit(Event event, const ScheduleSlot* slot, bool* duplicate,
                                                bool start_here) {
  {
    std::lock_guard lk(runs_mu_);
    if (!accepting_) return failed_precondition("the engine is not running (call start(), or it is stopping)");
  }
  auto targets = targets_of(event);
  auto build = [&] { return build_runs(targets, std::move(event.payload)); };
  if (event.dedupe_key.empty()) return accept_and_launch(build(), {}, false, slot, duplicate, start_here);
  if (journal.enabled())  // the store dedupes
    return accept_and_launch(build(), event.dedupe_key, false, slot, duplicate, start_here);

  std::lock_guard lk(dedupe_mu_);
  if (auto it = dedupe_.find(event.dedupe_key); it != dedupe_.end()) {
    if (duplicate) *duplicate = true;
    return it->second;
  }
  std::string key = event.dedupe_key;
  auto r = accept_and_launch(build(), key, false, slot, duplicate, start_here);
  if (!r.ok()) return r;
  dedupe_.emplace(key, r.value());
  dedupe_order_.push_back(std::move(key));
  while (dedupe_order_.size() > kDedupeCapacity) {
    dedupe_.erase(dedupe_order_.front());
    dedupe_order_.pop_front();
  }
  return r;
}

Result<std::shared_ptr<RunShared>> EngineImpl::run_workflow(std::string_view id, Value payload, int depth) {
  auto wf = compiled(id);
  if (!wf) return not_found("no workflow '" + std::string(id) + "' is installed");
  if (depth > kMaxSubworkflowDepth)
    return Status(StatusCode::resource_exhausted,
                  "subworkflows nest deeper than " + std::to_string(kMaxSubworkflowDepth) + " levels");
  auto run = new_run(std::move(wf), std::move(payload), depth);
  auto r = accept_and_launch({run}, {}, depth > 0);
  if (!r.ok()) return r.status();
  return run;
}

Result<RunHandle> EngineImpl::resume(const store::UnfinishedRun& u, std::shared_ptr<const CompiledWorkflow> wf,
                                     bool internal) {
  if (!wf) wf = compiled(u.run.workflow);
  if (!wf) return not_found("cannot resume run " + u.run.id + ": workflow '" + u.run.workflow + "' is not installed");
  auto run = new_run(wf, u.run.trigger, 0);
  run->id = u.run.id;
  if (u.run.created_ms > 0) run->started_ms = u.run.created_ms;
  for (const auto& cp : u.checkpoints) {
    int i = wf->index_of(cp.node_id);
    if (i < 0) continue;
    const CompiledNode& cn = wf->nodes[static_cast<std::size_t>(i)];
    if (cn.disabled) continue;
    if (cp.status == NodeStatus::waiting) {  // a durable timer: the node runs again when it is due
      run->slots[static_cast<std::size_t>(i)].due_ms = cp.due_ms;
      continue;
    }
    const bool ok = cp.status == NodeStatus::succeeded || cp.status == NodeStatus::skipped ||
                    (cp.status == NodeStatus::failed && (cp.port == "error" || cn.on_error == OnError::continue_run));
    if (!ok) continue;  // not final for this run (waiting, cancelled, a failure that stopped): run it again
    NodeSlot& s = run->slots[static_cast<std::size_t>(i)];
    s.prefilled = true;
    s.status = cp.status;
    s.output = cp.output;
    s.port = cp.port;
    s.error_code = cp.error_code;
    s.error = cp.error;
    s.attempts = cp.attempts;
    s.started_ms = cp.started_ms;
    s.finished_ms = cp.finished_ms;
    s.duration_ms = static_cast<double>(cp.finished_ms - cp.started_ms);
    s.input = cp.input;
    if (cp.status == NodeStatus::succeeded || cp.port == "error") s.published.store(true);
  }
  if (Status s = launch({run}, internal); !s.ok()) return s;
  return RunHandle(std::move(run));
}

void EngineImpl::run_finished(RunShared& run) {
  if (!run.suspended.load()) {
    journal.finish(run);
    run.wf->run_metrics->finished(to_string(run.status), static_cast<std::size_t>(run.status),
                          std::chrono::milliseconds(run.finished_ms - run.started_ms));
  }
  // Its slot goes to the next queued runs, started on the pool (not under this
  // run's lock).
  for (auto& next : limits.finished(run))
    pool.post([next]() mutable {
      next->wf->run_metrics->started();
      start_run(next);
    });
  std::shared_ptr<RunShared> evicted;  // destroyed after the lock
  std::lock_guard lk(runs_mu_);
  auto it = live_.find(run.id);
  if (it == live_.end()) return;
  std::shared_ptr<RunShared> keep = std::move(it->second);
  live_.erase(it);
  const std::size_t cap = options.keep_finished_runs;
  if (cap == 0) {
    evicted = std::move(keep);
    return;
  }
  if (finished_ring_.size() < cap) {
    finished_ring_.push_back(std::move(keep));
    finished_.emplace(finished_ring_.back()->id, finished_ring_.back().get());
    return;
  }
  std::shared_ptr<RunShared>& slot = finished_ring_[finished_next_];
  finished_next_ = (finished_next_ + 1) % cap;
  // The key may name a newer run of the same id by now (an in-memory retry).
  if (auto f = finished_.find(slot->id); f != finished_.end() && f->second == slot.get()) finished_.erase(f);
  evicted = std::move(slot);
  slot = std::move(keep);
  finished_.emplace(slot->id, slot.get());
}

void EngineImpl::forget_finished_locked(std::string_view id) { finished_.erase(id); }

std::shared_ptr<RunShared> EngineImpl::find_shared(std::string_view id) const {
  std::lock_guard lk(runs_mu_);
  if (auto it = live_.find(id); it != live_.end()) return it->second;
  if (auto it = finished_.find(id); it != finished_.end()) return it->second->shared_from_this();
  return nullptr;
}

Result<RunHandle> EngineImpl::find_run(std::string_view id) const {
  if (auto run = find_shared(id)) return RunHandle(std::move(run));
  return not_found("no run '" + std::string(id) + "' in memory");
}

Result<RunRecord> EngineImpl::get_run(std::string_view id) const {
  auto h = find_run(id);
  if (h.ok()) return h.value().snapshot();
  if (store::Store* st = journal.store()) return st->get_run(std::string(id));
  return h.status();
}

}  // namespace famulor::detail
