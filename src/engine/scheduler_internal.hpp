// engine/scheduler_internal.hpp — what the scheduler's translation units share
// (internal to src/engine): scheduler.cpp drives runs (readiness, dispatch,
// finalization); node_results.cpp applies one attempt's result to its run
// (retries, fallbacks, on_error, the respond value).
//
// Thread-safety: as scheduler.hpp; the functions marked "under the run lock"
// expect RunShared::m held.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "engine/run_state.hpp"

namespace famulor::detail::sched {

enum class Outcome { succeeded, continued, routed, skipped, disabled };

struct Work {
  int node;
  Outcome outcome;
};

// drain()'s work list, reused by this thread (no allocation per node): drain()
// calls out to nothing that could start or continue a run on this thread.
extern thread_local std::vector<Work> t_work;

// What is collected under the run lock and done after it.
struct After {
  int next = -1;          // node to run inline on this thread
  std::vector<int> more;  // built-in nodes to run inline after it (fan-out)
  bool finalized = false;
  bool release = false;
  bool start_error_workflows = false;  // a top-level run failed (see EngineImpl::start_error_workflows)
  bool responded = false;  // the respond node ran now and the run has a latency hook
  Value response;
  std::vector<std::shared_ptr<RunShared>> children;  // to halt
  std::vector<std::function<void(const RunShared&)>> done_fns;
};

// Closes an attempt (under the run lock): no new resources, its timers destroyed
// now, its children halted after the unlock.
void close_call_locked(CallState& c, After& a);
// Node v's predecessors allow it: prefilled/disabled nodes resolve at once (into
// `work`), the others go to `ready`. Under the run lock.
void become_ready(RunShared& run, int v, After& a, std::vector<Work>& work, std::vector<int>& ready);
// Makes the run final with `st` (under the run lock).
void finalize(RunShared& run, RunStatus st, const Status& why, After& a);
// Resolves the nodes in `work` and everything that follows from them (under the run lock).
void drain(RunShared& run, std::vector<Work>& work, After& a, std::vector<int>& ready);
// Runs node v on this thread, then what it enables inline, then the nodes in `more`.
void drive(std::shared_ptr<RunShared> run, int node, std::vector<int> more = {});

// node_results.cpp, under the run lock:
// A fallback node was resolved: the node it stands in for takes its output, or
// fails with both errors. True when that ended the run.
bool apply_fallback(RunShared& run, int failed, int fallback, std::vector<Work>& work, After& a);
// Applies one attempt's result to node v.
void handle_result(const std::shared_ptr<RunShared>& run_sp, int v, NodeResult& r, After& a, std::vector<int>& ready);

}  // namespace famulor::detail::sched
