#include "engine/limits.hpp"

#include <algorithm>

#include "engine/run_state.hpp"

namespace famulor::detail {

bool RunLimits::counted(const RunShared& run) const noexcept {
  if (run.is_item || run.depth > 0) return false;
  // The latency path (variable injection, mid-call tools) answers a live call by
  // its deadline: it never waits behind post-call work.
  const std::string& trigger = run.wf->workflow.trigger().type;
  if (trigger == "call.incoming" || trigger == "call.tool") return false;
  return max_running_ > 0 || run.wf->concurrency > 0;
}

bool RunLimits::workflow_room_locked(const RunShared& run) const {
  if (run.wf->concurrency <= 0) return true;
  auto it = running_by_workflow_.find(run.wf->id);
  return it == running_by_workflow_.end() || it->second < static_cast<std::size_t>(run.wf->concurrency);
}

bool RunLimits::room_locked(const RunShared& run) const {
  if (max_running_ > 0 && running_ >= max_running_) return false;
  return workflow_room_locked(run);
}

void RunLimits::take_locked(const RunShared& run) {
  ++running_;
  ++running_by_workflow_[run.wf->id];
  slots_[&run] = Slot::running;
}

Status RunLimits::reserve(std::size_t n) {
  std::lock_guard lk(m_);
  if (max_queued_ > 0) {
    // With a global cap the engine holds at most max_running + max_queued
    // unfinished top-level runs; without one, the queue alone is bounded.
    const bool full = max_running_ > 0 ? running_ + queue_.size() + reserved_ + n > max_running_ + max_queued_
                                       : queue_.size() + reserved_ + n > max_queued_;
    if (full)
      return Status(StatusCode::resource_exhausted,
                    "the engine is overloaded: " + std::to_string(running_) + " runs running and " +
                        std::to_string(queue_.size()) + " queued (max_queued_runs " + std::to_string(max_queued_) +
                        "); retry later");
  }
  reserved_ += n;
  return {};
}

void RunLimits::unreserve(std::size_t n) {
  std::lock_guard lk(m_);
  reserved_ -= std::min(n, reserved_);
}

bool RunLimits::admit(const std::shared_ptr<RunShared>& run, bool reserved) {
  std::lock_guard lk(m_);
  if (reserved && reserved_ > 0) --reserved_;
  if (!counted(*run)) return true;
  // In order: nothing overtakes a queued run of the same workflow, nor a queued
  // run that waits only for the global cap. (One held by its own workflow's limit
  // does not hold up other workflows.)
  bool ahead = false;
  for (const auto& q : queue_)
    if (q->wf->id == run->wf->id || (max_running_ > 0 && workflow_room_locked(*q))) {
      ahead = true;
      break;
    }
  if (!ahead && room_locked(*run)) {
    take_locked(*run);
    return true;
  }
  queue_.push_back(run);
  slots_[run.get()] = Slot::queued;
  return false;
}

std::vector<std::shared_ptr<RunShared>> RunLimits::finished(const RunShared& run) {
  std::vector<std::shared_ptr<RunShared>> start;
  std::lock_guard lk(m_);
  auto it = slots_.find(&run);
  if (it == slots_.end()) return start;
  const Slot slot = it->second;
  slots_.erase(it);
  if (slot == Slot::queued) {
    auto q = std::find_if(queue_.begin(), queue_.end(), [&](const auto& p) { return p.get() == &run; });
    if (q != queue_.end()) queue_.erase(q);
    return start;
  }
  --running_;
  if (auto w = running_by_workflow_.find(run.wf->id); w != running_by_workflow_.end() && --w->second == 0)
    running_by_workflow_.erase(w);
  // Start what fits, oldest first; a run of a workflow at its own limit is passed
  // over (it keeps its place) so that other workflows are not held up by it.
  for (auto q = queue_.begin(); q != queue_.end();) {
    if (max_running_ > 0 && running_ >= max_running_) break;
    if (room_locked(**q)) {
      take_locked(**q);
      start.push_back(std::move(*q));
      q = queue_.erase(q);
    } else {
      ++q;
    }
  }
  return start;
}

std::size_t RunLimits::queued() const {
  std::lock_guard lk(m_);
  return queue_.size();
}

std::size_t RunLimits::running() const {
  std::lock_guard lk(m_);
  return running_;
}

}  // namespace famulor::detail
