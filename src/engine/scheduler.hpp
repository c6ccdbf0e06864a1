// engine/scheduler.hpp — running a run's DAG on the IoPool (internal API).
//
// A node runs when its predecessors are resolved (join all; skipped when any
// incoming edge is dead) or, with join any, as soon as one incoming edge is live
// (skipped when all are dead). Edges die when the predecessor takes another port,
// is skipped, or fails (except: on_error continue keeps port-less edges live;
// route makes only `error` edges live). A disabled node is recorded `skipped` but
// counts as a pass-through success with null output: every outgoing edge except
// `error` edges stays live.
//
// Hot path: a completing node that enables successors continues inline with the
// first of them on the same pool thread (up to a chain bound); the others are
// posted. Bookkeeping is under the run's mutex; nodes run outside it.
//
// Thread-safety: every function may be called from any thread.
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "engine/run_state.hpp"

namespace famulor::detail {

// Starts a prepared run (slots allocated; checkpointed slots marked prefilled).
// The engine must already count it (see EngineImpl::retain_run). No-op when the
// run is already final (halted before it started).
// `on_this_thread` (the latency path's sync form): the run's built-in nodes, and
// nodes answered from the node cache, run on the calling thread until one waits;
// other nodes are posted to the pool as usual.
void start_run(const std::shared_ptr<RunShared>& run, bool on_this_thread = false);

// Completes an asynchronous attempt (NodeCall::succeed/fail, timeouts). Later
// completions of the same attempt are ignored.
void complete_call(const std::shared_ptr<CallState>& call, NodeResult result);

// Starts the nodes that waited for the run's accept (RunShared::parked), once it is
// committed; with `on_this_thread` on a pool thread the first runs here.
void resume_parked(const std::shared_ptr<RunShared>& run, const std::vector<int>& nodes, bool on_this_thread);

// Ends a run now with `status` (cancelled or failed): running nodes see
// cancelled() and are recorded `cancelled`, nothing new starts. No-op when final.
void halt_run(RunShared& run, RunStatus status, Status why);

// Calls fn once the run is final: now, on this thread, if it already is.
void on_run_done(RunShared& run, std::function<void(const RunShared&)> fn);

// ---- the node cache (node_cache_use.cpp) ----
// Node `node` has a `cache` policy: true with r.output (and r.from_cache) set when
// the cache answers `params`; a stale answer also starts a background refresh
// (stale-while-revalidate) of nodes that call out.
bool answer_from_cache(const std::shared_ptr<RunShared>& run, int node, const Value& params, NodeResult& r);
// A live success of a node with a `cache` policy (slot `s`, under the run lock):
// remembered unless it took a port.
void remember_in_cache(RunShared& run, const CompiledNode& cn, const NodeSlot& s);

// Creates the CallState of node `node`'s current attempt and arms its timeout.
std::shared_ptr<CallState> make_call(const std::shared_ptr<RunShared>& run, int node, Value params);

}  // namespace famulor::detail
