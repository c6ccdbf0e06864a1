// engine/run_state.hpp — the state of one run: RunShared (what a RunHandle points
// at), its per-node slots, and CallState (one asynchronous node attempt behind a
// NodeCall) (internal API).
//
// Thread-safety: RunShared::m guards everything in a run except
//  - NodeSlot::output, which is written once under m and then published with
//    NodeSlot::published (release); readers that see published (acquire) read it
//    without the lock (expressions, merge, NodeCall::output_of);
//  - the immutable fields set before the run starts (engine, wf, id, trigger,
//    parent, item, index, depth, max_steps).
// CallState::m guards a CallState's phase, result and resources. Lock order:
// RunShared::m before CallState::m; a parent run's lock is never taken while a
// child run's lock is held (and vice versa): completions cross runs after unlocking.
//
// Engine lifetime rule: `engine` may be used only while the run is not final, or
// from a pool thread. The engine waits until every run it started is final (see
// EngineImpl::release_run) before it destroys the pool, its timers and itself.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "engine/compiled.hpp"
#include "engine/timer.hpp"
#include "famulor/run.hpp"
#include "famulor/status.hpp"
#include "famulor/value.hpp"

namespace famulor::store {
struct EarlyOutcome;
}

namespace famulor::detail {

class EngineImpl;
struct CallState;

// What one node attempt produced.
struct NodeResult {
  Status status;
  Value output;
  std::string port;
  Value input;           // the resolved params (for the record)
  bool respond = false;  // output is the run's response (first respond wins)
  // A failure's least wait before a retry (HTTP Retry-After); 0 = the policy's backoff.
  std::chrono::milliseconds retry_after{0};
  bool final_error = false;  // retrying cannot help (the params did not evaluate)
  bool from_cache = false;   // answered from the node cache
};

struct NodeSlot {
  std::atomic<bool> published{false};  // output is final and readable without the lock
  Value output;
  Value input;
  NodeStatus status = NodeStatus::pending;
  std::string port;
  StatusCode error_code = StatusCode::ok;
  std::string error;
  int attempts = 0;
  int remaining = 0;      // incoming edges not yet resolved
  int live_in = 0;        // incoming edges resolved live
  bool dispatched = false;
  bool resolved = false;
  bool prefilled = false;  // restored from a checkpoint: resolved without running
  std::int64_t started_ms = 0;
  std::int64_t finished_ms = 0;
  std::int64_t due_ms = 0;  // resumed from a waiting checkpoint: when its timer fires (unix ms)
  std::chrono::steady_clock::time_point t0{};
  double duration_ms = 0;
  bool from_cache = false;  // the output came from the node cache
  std::shared_ptr<CallState> call;  // the asynchronous attempt in flight, if any
  std::unique_ptr<Timer> timer;     // retry backoff
};

struct RunShared : std::enable_shared_from_this<RunShared> {
  RunShared();
  ~RunShared();

  // ---- immutable once the run starts ----
  EngineImpl* engine = nullptr;
  std::shared_ptr<const CompiledWorkflow> wf;
  std::string id;        // item runs: "<parent id>/<node>[index]"
  Value trigger;         // unused by item runs (they read the parent's)
  int depth = 0;         // subworkflow nesting
  std::uint64_t max_steps = 100'000;
  std::shared_ptr<RunShared> parent;  // foreach item runs: the run holding the foreach
  Value item;
  std::int64_t index = 0;
  bool is_item = false;
  bool error_run = false;  // started as an error workflow: its failure starts none
  // The latency path (inject, call_tool): not accepted by the store before it
  // starts; the whole run is recorded once it is final (Journal::finish).
  bool deferred_record = false;
  // Latency path: called after the run lock, once with the respond node's value
  // when it runs, and once with (nullptr, true) when the run is final, before the
  // engine releases the run (so the engine and its pool are alive). Must not throw.
  std::function<void(RunShared&, const Value* response, bool final)> latency_hook;

  // An early start (EngineImpl::accept_early_and_launch): the run started while its
  // accept waits for the store's commit. Until the commit, nodes with an effect
  // outside the run wait (parked), nothing is queued to the store, and an outcome
  // reached meanwhile is handed to the accept (store::EarlyOutcome). Set before
  // the run starts; cleared under m once the accept is committed.
  std::atomic<bool> accept_pending{false};
  std::shared_ptr<store::EarlyOutcome> early;  // immutable once the run starts

  // ---- guarded by m ----
  std::mutex m;
  std::vector<int> parked;           // nodes waiting for the accept's commit (accept_pending)
  bool recorded_early = false;       // the accept wrote the run finished (store::Store::finish_early)
  bool error_workflows_due = false;  // failed before the commit: its error workflows start after it
  std::condition_variable cv;
  std::unique_ptr<NodeSlot[]> slots;
  int unresolved = 0;
  RunStatus status = RunStatus::queued;
  bool started = false;  // start_run ran (the engine counts the run until it is final)
  bool settled = false;  // final and recorded by the engine (RunHandle::wait returns)
  bool responded = false;
  // The respond node whose output is the response (a resolved slot's output does
  // not change: no copy is kept), or -1: then `response` (a restored run's).
  int response_node = -1;
  Value response;
  int response_status = 0;  // the respond node's `status` param (0 = not given)
  Value response_headers;   // and its `headers` (an object, or null)
  StatusCode error_code = StatusCode::ok;
  std::string error;
  std::int64_t started_ms = 0;
  std::int64_t finished_ms = 0;
  // Node times: one steady clock reading, converted with the run's base.
  std::chrono::steady_clock::time_point base_tp{};
  std::int64_t base_ms = 0;
  std::int64_t wall_ms(std::chrono::steady_clock::time_point tp) const noexcept {
    return base_ms + std::chrono::duration_cast<std::chrono::milliseconds>(tp - base_tp).count();
  }
  std::vector<std::function<void(const RunShared&)>> done_fns;
  std::unique_ptr<Timer> run_timer;  // settings.timeout

  std::atomic<bool> final_flag{false};  // status is final (set under m)
  std::atomic<bool> suspended{false};   // halted by Engine::stop with a store: not recorded, resumed later

  std::size_t size() const noexcept { return wf->nodes.size(); }
  const Value& trigger_ref() const noexcept { return parent ? parent->trigger_ref() : trigger; }
  const std::string& root_id() const noexcept { return parent ? parent->root_id() : id; }
  // Output of node `index` as expressions number it (indices past this workflow's
  // nodes belong to the outer run of a foreach body), or nullptr.
  const Value* output_of(int index) const noexcept;
  const Value* output_by_id(std::string_view node_id) const noexcept;
  // The respond node's value (null when none ran); under m, or once final.
  const Value& response_value() const noexcept {
    return response_node >= 0 ? slots[static_cast<std::size_t>(response_node)].output : response;
  }
  // The run's record as it is now (takes m).
  RunRecord snapshot();
  // The base environment for evaluating this run's templates (no item unless an item run).
  expr::EvalEnv eval_env() const;
};

// One attempt of a node that completes through a NodeCall (custom nodes, and
// built-ins that went asynchronous).
struct CallState {
  enum class Phase { invoking, completed_inline, async, done };

  std::shared_ptr<RunShared> run;
  int node = -1;
  int attempt = 1;
  Value params;
  std::atomic<bool> cancelled{false};

  std::mutex m;
  Phase phase = Phase::invoking;
  bool has_result = false;
  NodeResult result;
  bool closed = false;                             // the attempt ended: no new resources
  std::unique_ptr<Timer> timeout_timer;
  std::unique_ptr<Timer> timer;                    // the node's own (wait)
  std::vector<std::shared_ptr<RunShared>> children;  // runs to cancel with the attempt
  // Set for an attempt outside the run's DAG (a cache revalidation): the result
  // goes here instead of to the scheduler. Called once, without locks.
  std::function<void(NodeResult&)> on_result;

  // Adds a resource; false (and the resource is left to the caller) when closed.
  bool adopt_timer(std::unique_ptr<Timer>& t);
  bool adopt_child(const std::shared_ptr<RunShared>& child);
};

}  // namespace famulor::detail
