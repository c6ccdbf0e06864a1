#include "engine/journal.hpp"

#include "engine/run_state.hpp"

namespace famulor::detail {

Result<store::AcceptResult> Journal::accept(const std::string& dedupe_key,
                                            const std::vector<std::shared_ptr<RunShared>>& runs,
                                            const ScheduleSlot* slot) {
  if (!store_) {
    store::AcceptResult r;
    r.run_ids.reserve(runs.size());
    for (const auto& run : runs) r.run_ids.push_back(run->id);
    return r;
  }
  return store_->accept_sync(accept_request(dedupe_key, runs, slot));
}

void Journal::accept_async(const std::string& dedupe_key, const std::vector<std::shared_ptr<RunShared>>& runs,
                           std::function<void(Result<store::AcceptResult>)> committed) {
  store_->accept(accept_request(dedupe_key, runs, nullptr), std::move(committed));
}

store::AcceptRequest Journal::accept_request(const std::string& dedupe_key,
                                             const std::vector<std::shared_ptr<RunShared>>& runs,
                                             const ScheduleSlot* slot) {
  store::AcceptRequest req;
  req.dedupe_key = dedupe_key;
  req.runs.reserve(runs.size());
  // The triggers are borrowed: accept() writes their text before it returns.
  for (const auto& run : runs)
    req.runs.push_back(store::NewRun{run->id, run->wf->id, run->wf->version, Value(), run->started_ms, &run->trigger});
  if (slot) {
    req.schedule_workflow = slot->workflow;
    req.schedule_slot_ms = slot->slot_ms;
  }
  return req;
}

Result<std::int64_t> Journal::last_schedule_slot(const std::string& workflow) {
  if (!store_) return std::int64_t{0};
  return store_->last_schedule_slot(workflow);
}

Status Journal::settle_schedule(const std::string& workflow, std::int64_t slot_ms) {
  if (!store_) return {};
  store::AcceptRequest req;  // no runs, no dedupe key: only the slot
  req.schedule_workflow = workflow;
  req.schedule_slot_ms = slot_ms;
  auto r = store_->accept_sync(std::move(req));
  return r.ok() ? Status{} : r.status();
}

store::Checkpoint Journal::make_checkpoint(const RunShared& run, int node) {
  store::Checkpoint cp = record_of(run, node);
  cp.output = run.slots[static_cast<std::size_t>(node)].output;
  return cp;
}

store::Checkpoint Journal::record_of(const RunShared& run, int node, bool with_run_id) {
  const NodeSlot& s = run.slots[static_cast<std::size_t>(node)];
  store::Checkpoint cp;
  if (with_run_id) cp.run_id = run.id;
  cp.node_id = run.wf->nodes[static_cast<std::size_t>(node)].id;
  cp.status = s.status;
  cp.port = s.port;
  cp.error_code = s.error_code;
  cp.error = s.error;
  cp.attempts = s.attempts;
  cp.started_ms = s.started_ms;
  cp.finished_ms = s.finished_ms;
  return cp;
}

Journal::PendingAccept Journal::accept_early(const std::vector<std::shared_ptr<RunShared>>& runs) {
  auto wait = std::make_shared<PendingAccept::Wait>();
  accept_early(runs, [wait](Result<store::AcceptResult> r) {
    std::lock_guard lk(wait->m);
    wait->result.emplace(std::move(r));
    wait->cv.notify_all();
  });
  return PendingAccept{std::move(wait)};
}

void Journal::accept_early(const std::vector<std::shared_ptr<RunShared>>& runs,
                           std::function<void(Result<store::AcceptResult>)> committed) {
  store::AcceptRequest req = accept_request({}, runs, nullptr);
  for (std::size_t i = 0; i < runs.size(); ++i) {
    runs[i]->early = std::make_shared<store::EarlyOutcome>();
    runs[i]->accept_pending.store(true, std::memory_order_release);
    req.runs[i].early = runs[i]->early;
  }
  store_->accept(std::move(req), std::move(committed));
}

Result<store::AcceptResult> Journal::PendingAccept::wait() {
  std::unique_lock lk(w->m);
  w->cv.wait(lk, [&] { return w->result.has_value(); });
  return std::move(*w->result);
}

void Journal::accepted(RunShared& run) {
  run.accept_pending.store(false, std::memory_order_release);
  // A run suspended by Engine::stop meanwhile stays as the accept wrote it: open,
  // resumed by the next start.
  if (!store_ || run.recorded_early || run.suspended.load()) return;
  // What the run did while its accept was queued, now after the accept.
  const bool final = run.final_flag.load(std::memory_order_relaxed);
  for (std::size_t i = 0; i < run.size(); ++i) {
    const NodeSlot& s = run.slots[i];
    if (final ? (s.status == NodeStatus::pending || s.status == NodeStatus::running) : !s.resolved) continue;
    checkpoint(run, static_cast<int>(i));
  }
  if (final) finish(run);
}

std::vector<store::Checkpoint> Journal::final_records(const RunShared& run, bool borrow) {
  std::vector<store::Checkpoint> out;
  out.reserve(run.size());
  for (std::size_t i = 0; i < run.size(); ++i) {
    const NodeSlot& s = run.slots[i];
    if (s.status == NodeStatus::pending || s.status == NodeStatus::running) continue;
    out.push_back(record_of(run, static_cast<int>(i), !borrow));
    if (borrow)
      out.back().output_ref = &s.output;
    else if (!s.output.is_null())
      s.output.dump_to(out.back().output_json);
  }
  return out;
}

void Journal::checkpoint(const RunShared& run, int node) {
  if (!store_ || run.deferred_record || run.accept_pending.load(std::memory_order_relaxed)) return;
  // The output is written as JSON straight from the slot, not copied first.
  store::Checkpoint cp = record_of(run, node);
  const Value& out = run.slots[static_cast<std::size_t>(node)].output;
  if (!out.is_null()) out.dump_to(cp.output_json);
  store_->checkpoint(std::move(cp));
}

void Journal::waiting(const RunShared& run, int node, std::int64_t due_ms) {
  if (!store_ || run.is_item || run.deferred_record || run.accept_pending.load(std::memory_order_relaxed)) return;
  store::Checkpoint cp = record_of(run, node);
  cp.status = NodeStatus::waiting;
  cp.due_ms = due_ms;
  store_->checkpoint(std::move(cp));
}

void Journal::finish(RunShared& run) {
  if (!store_) return;
  store::RunOutcome o;
  o.run_id = run.id;
  o.status = run.status;
  o.response = run.response_value();
  o.error_code = run.error_code;
  o.error = run.error;
  o.finished_ms = run.finished_ms;
  if (run.accept_pending.load(std::memory_order_relaxed)) {
    // Finished before its accept was committed: the accept writes it finished when
    // not written yet; else accepted() records it after the commit.
    // The records borrow the slots' outputs: written into the accept's text now.
    if (run.early && store_->finish_early(*run.early, o, final_records(run, true))) run.recorded_early = true;
    return;
  }
  if (run.deferred_record) {
    // A latency-path run: accepted, checkpointed and finished in one go, after
    // its answer. Queued in this order on the store's one writer.
    store::AcceptRequest req;
    req.runs.push_back(store::NewRun{run.id, run.wf->id, run.wf->version, Value(), run.started_ms, &run.trigger});
    store_->accept(std::move(req), [](const Result<store::AcceptResult>&) {});
    for (auto& cp : final_records(run, false)) store_->checkpoint(std::move(cp));
  }
  store_->finish_run(std::move(o));
}

}  // namespace famulor::detail
