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
  store::AcceptRequest req;
  req.dedupe_key = dedupe_key;
  for (const auto& run : runs)
    req.runs.push_back(store::NewRun{run->id, run->wf->id, run->wf->version, run->trigger, run->started_ms});
  if (slot) {
    req.schedule_workflow = slot->workflow;
    req.schedule_slot_ms = slot->slot_ms;
  }
  return store_->accept_sync(std::move(req));
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

store::Checkpoint Journal::record_of(const RunShared& run, int node) {
  const NodeSlot& s = run.slots[static_cast<std::size_t>(node)];
  store::Checkpoint cp;
  cp.run_id = run.id;
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

void Journal::checkpoint(const RunShared& run, int node) {
  if (!store_ || run.deferred_record) return;
  // The output is written as JSON straight from the slot, not copied first.
  store::Checkpoint cp = record_of(run, node);
  const Value& out = run.slots[static_cast<std::size_t>(node)].output;
  if (!out.is_null()) out.dump_to(cp.output_json);
  store_->checkpoint(std::move(cp));
}

void Journal::waiting(const RunShared& run, int node, std::int64_t due_ms) {
  if (!store_ || run.is_item || run.deferred_record) return;
  store::Checkpoint cp = record_of(run, node);
  cp.status = NodeStatus::waiting;
  cp.due_ms = due_ms;
  store_->checkpoint(std::move(cp));
}

void Journal::finish(const RunShared& run) {
  if (!store_) return;
  if (run.deferred_record) {
    // A latency-path run: accepted, checkpointed and finished in one go, after
    // its answer. Queued in this order on the store's one writer.
    store::AcceptRequest req;
    req.runs.push_back(store::NewRun{run.id, run.wf->id, run.wf->version, run.trigger, run.started_ms});
    store_->accept(std::move(req), [](const Result<store::AcceptResult>&) {});
    for (std::size_t i = 0; i < run.size(); ++i) {
      const NodeSlot& s = run.slots[i];
      if (s.status == NodeStatus::pending || s.status == NodeStatus::running) continue;
      store::Checkpoint cp = record_of(run, static_cast<int>(i));
      if (!s.output.is_null()) s.output.dump_to(cp.output_json);
      store_->checkpoint(std::move(cp));
    }
  }
  store::RunOutcome o;
  o.run_id = run.id;
  o.status = run.status;
  o.response = run.response_value();
  o.error_code = run.error_code;
  o.error = run.error;
  o.finished_ms = run.finished_ms;
  store_->finish_run(std::move(o));
}

}  // namespace famulor::detail
