// engine/limits.hpp — RunLimits: how many top-level runs execute at once (the
// engine's max_running_runs, each workflow's settings.concurrency), the queue the
// others wait in (in order of acceptance), and the bound on that queue
// (max_queued_runs) that makes emit() refuse work instead of growing memory.
//
// Only top-level runs count (events, manual runs, resumes, retries); subworkflow
// children and foreach items run inside their parent's slot, so a parent never
// waits for a slot its own child holds. Runs of call.incoming and call.tool
// workflows (a live call waits for them) are never queued; they are still refused
// by reserve() when the engine is full.
//
// Thread-safety: every member is thread-safe (one mutex). No run lock is taken
// under it: runs to start are returned to the caller.
#pragma once

#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "famulor/status.hpp"

namespace famulor::detail {

struct RunShared;

class RunLimits {
 public:
  RunLimits(std::size_t max_running, std::size_t max_queued) : max_running_(max_running), max_queued_(max_queued) {}

  // Makes room for `n` runs about to be accepted; resource_exhausted (saying how
  // full the queue is) when the engine holds as many unfinished runs as it may.
  // Every successful reserve() is followed by admit(..., true) for each run or by
  // unreserve(n).
  Status reserve(std::size_t n);
  void unreserve(std::size_t n);
  // A run is launched: true = start it now; false = it waits in the queue (its
  // status stays queued) until finished() hands it back.
  bool admit(const std::shared_ptr<RunShared>& run, bool reserved);
  // A run became final: frees its slot (or its place in the queue); returns the
  // queued runs that may start now, in order.
  std::vector<std::shared_ptr<RunShared>> finished(const RunShared& run);
  std::size_t queued() const;
  std::size_t running() const;

 private:
  enum class Slot { none, queued, running };
  bool counted(const RunShared& run) const noexcept;
  bool workflow_room_locked(const RunShared& run) const;
  bool room_locked(const RunShared& run) const;
  void take_locked(const RunShared& run);

  const std::size_t max_running_;
  const std::size_t max_queued_;
  mutable std::mutex m_;
  std::size_t running_ = 0;
  std::size_t reserved_ = 0;
  std::deque<std::shared_ptr<RunShared>> queue_;
  std::unordered_map<std::string, std::size_t> running_by_workflow_;
  std::unordered_map<const RunShared*, Slot> slots_;
};

}  // namespace famulor::detail
