// engine/engine_impl.hpp — EngineImpl: what an Engine owns (pool, catalog, node
// and trigger factories, installed workflows, runs) and the internal entry points
// the scheduler and the built-in nodes use (internal API).
//
// Thread-safety: every member function is thread-safe. Locks: wf_mu_ (installed
// workflows and triggers), runs_mu_ (live and finished runs), dedupe_mu_,
// active_mu_. A run's lock may be held when runs_mu_ is taken (run_finished), never
// the other way round; dedupe_mu_ is held around starting a keyed event's runs.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/delays.hpp"
#include "common/io_pool.hpp"
#include "common/reliability.hpp"
#include "engine/compiled.hpp"
#include "engine/engine_connectors.hpp"
#include "engine/journal.hpp"
#include "engine/limits.hpp"
#include "engine/node_cache.hpp"
#include "engine/run_state.hpp"
#include "engine/schedule_trigger.hpp"
#include "net/http_client.hpp"
#include "net/http_request_node.hpp"
#include "net/outbound_policy.hpp"
#include "famulor/engine.hpp"
#include "store/store.hpp"
#include "workflow/catalog.hpp"

namespace famulor::detail {

class EngineImpl {
 public:
  explicit EngineImpl(EngineOptions options);
  ~EngineImpl();

  const EngineOptions options;
 private:
  Status store_error_;  // why EngineOptions::db did not open (start() reports it)
 public:
  // The store behind EngineOptions::db (nullptr in memory). Declared before the
  // pool: destroyed after the worker threads are gone.
  const std::unique_ptr<store::Store> owned_store;
  IoPool pool;
  // The latency path's own thread (inject, call_tool): their deadline timers and
  // their posted nodes, so that a burst of post-call work on `pool` cannot hold
  // an answer past its deadline.
  IoPool latency_pool;
  bool on_engine_thread() const noexcept {
    return pool.running_in_this_thread() || latency_pool.running_in_this_thread();
  }
  Journal journal;
  MutableCatalog catalog;  // layered over default_catalog()
  // Outbound HTTP for connector nodes (http.request, connectors): one client on
  // `pool`, and the outbound policy (FAMULOR_ALLOW_HOSTS). Built-in factories that
  // call out get them through net_services(); the client is shut down first in
  // ~EngineImpl, while runs and the catalog still exist.
  std::unique_ptr<net::HttpClient> http;
  net::OutboundPolicy outbound;
  // Runs executing at once and the bounded queue of the others (limits.hpp).
  RunLimits limits{options.max_running_runs, options.max_queued_runs};
  // Circuit breakers, rate limits and their timers, shared by every run.
  Delays delays{pool};
  Reliability reliability;
  net::NetServices net_services() noexcept { return {&pool, http.get(), &outbound, false, &reliability}; }
  // Connector nodes: registry, vault, shared services (engine_connectors.hpp).
  std::unique_ptr<EngineConnectors> connectors;
  // Outputs of nodes with a `cache` key (EngineOptions::cache_entries).
  NodeCache node_cache;

  // ---- phone calls (calls.cpp, latency.cpp) ----
  // The call.incoming workflow for `call` (most specific, then by id), or nullptr.
  std::shared_ptr<const CompiledWorkflow> incoming_workflow(const Value& call) const;
  // The call.tool workflow named `tool`, or nullptr.
  std::shared_ptr<const CompiledWorkflow> tool_workflow(std::string_view tool) const;
  std::vector<std::shared_ptr<const CompiledWorkflow>> installed_of_type(std::string_view trigger_type) const;
  // Starts a latency-path run (no store write before it; see RunShared::deferred_record)
  // registered as live; `on_this_thread`: see start_run.
  Result<std::shared_ptr<RunShared>> launch_latency(std::shared_ptr<const CompiledWorkflow> wf, Value trigger,
                                                    std::function<void(RunShared&, const Value*, bool)> hook,
                                                    bool on_this_thread);

  // ---- types ----
  Status register_node(NodeTypeInfo info, NodeFactory factory);
  Status register_trigger(TriggerTypeInfo info, TriggerFactory factory);
  const NodeFactory* node_factory(std::string_view type) const;

  // ---- workflows ----
  Status install(Workflow workflow);
  Status uninstall(std::string_view id);
  std::vector<std::string> workflow_ids() const;
  std::shared_ptr<const CompiledWorkflow> compiled(std::string_view id) const;
  // The installed workflows with a webhook trigger on `path` (slashes trimmed),
  // any method: the route table emit() and the server's hook route both use,
  // updated by install/uninstall. Cheap: copies shared pointers only.
  std::vector<std::shared_ptr<const CompiledWorkflow>> webhook_route(std::string_view path) const;

  // ---- lifecycle ----
  Status start();
  void stop(std::chrono::milliseconds grace);

  // ---- runs ----
  // The run with this id in memory (live or recently finished), or nullptr.
  std::shared_ptr<RunShared> find_shared(std::string_view id) const;
  // `slot`: a schedule fire (recorded with the accept); `*duplicate` (when given)
  // is set when the dedupe key was known and nothing started. `start_here`: when
  // called on a pool thread, the runs start on it (up to their first asynchronous
  // node) instead of being posted: the server's hook route, whose handler already
  // runs on the pool.
  Result<std::vector<RunHandle>> emit(Event event, const ScheduleSlot* slot = nullptr, bool* duplicate = nullptr,
                                      bool start_here = false);
  // emit() without holding the calling thread for the commit: `done` gets what
  // emit() would return once the accept is committed. Without a dedupe key the
  // runs start at once on this thread (as emit's early start) and `done` runs on
  // the store's writer thread (or on this one when the commit came first), so it
  // must not block (it may post); with a dedupe key the runs start after the
  // commit and `done` runs on a pool thread. In memory, emit() on this thread.
  // The server's routes: a pool thread serves other connections while an accept
  // commits, and the writer's batches grow.
  using EmitDone = std::function<void(Result<std::vector<RunHandle>>)>;
  void emit_async(Event event, EmitDone done, bool start_here = false);
  // A manual run (also subworkflow children: depth = parent's + 1).
  Result<std::shared_ptr<RunShared>> run_workflow(std::string_view id, Value payload, int depth = 0);
  // Starts a run from what the store kept: checkpointed nodes are resolved without
  // running again. `wf` = the version the run was accepted with (nullptr: installed).
  // `internal`: accepted while the engine is stopping (start(): false for a retry).
  Result<RunHandle> resume(const store::UnfinishedRun& unfinished, std::shared_ptr<const CompiledWorkflow> wf = nullptr,
                           bool internal = true);
  Result<RunRecord> get_run(std::string_view id) const;

  // ---- operations on runs (operations.cpp) ----
  Result<RunPage> list_runs(const RunFilter& filter) const;
  Result<RunHandle> retry(std::string_view run_id, const RetryOptions& options);
  Status cancel(std::string_view run_id);
  // A top-level run ended failed: starts its settings.error_workflow and every
  // installed workflow.failed workflow watching it, with the failed run as the
  // trigger (error_workflow.cpp). Called after the run's lock, before the engine
  // releases the run. Runs that are error runs themselves start none.
  void start_error_workflows(RunShared& run);

  // ---- durable state (durable.cpp) ----
  static std::unique_ptr<store::Store> open_store(const EngineOptions& o, Status& error);
  // The version a workflow is recorded as (the store's, else the definition's).
  Result<std::int64_t> record_version(const Workflow& wf);
  // A compiled workflow of `version` (0 = the current one: installed, else the
  // store's current version): the installed one when it is that version, else
  // compiled from the store's copy. nullptr with `why`.
  std::shared_ptr<const CompiledWorkflow> compiled_version(const std::string& id, std::int64_t version, Status& why);
  // Resumes every unfinished run in the store (start()).
  Status resume_unfinished();
  // A handle on a run known only to the store (a settled snapshot).
  Result<RunHandle> stored_run(const std::string& id);
  Result<RunHandle> find_run(std::string_view id) const;

  // A run of `wf`, built but not started (the scheduler starts it).
  std::shared_ptr<RunShared> new_run(std::shared_ptr<const CompiledWorkflow> wf, Value trigger, int depth);
  // A foreach item run of `body` under `parent` (not registered; started by the caller).
  std::shared_ptr<RunShared> new_item_run(const std::shared_ptr<RunShared>& parent,
                                          std::shared_ptr<const CompiledWorkflow> body, Value item,
                                          std::int64_t index, std::string_view node_id);

  // ---- schedule triggers (engine/schedule_trigger.cpp) ----
  // The wall clock schedules read (unix ms). Tests replace it, while the engine is
  // stopped, to simulate downtime; not a public promise.
  std::int64_t schedule_now() const;
  void set_schedule_clock(std::function<std::int64_t()> now);
  // What a workflow's schedule trigger has done (nullopt: no such schedule).
  std::optional<ScheduleState> schedule_state(std::string_view workflow) const;

  // Scheduler callbacks.
  void run_finished(RunShared& run);  // a top-level run became final (called under run.m)
  void retain_run() noexcept;         // a run started
  void release_run() noexcept;        // a run became final (the last engine access of that run)
  // Runs started and not yet final (top-level, children and foreach items).
  std::int64_t active_runs() const noexcept { return active_.load(); }

 private:
  struct Installed {
    std::shared_ptr<const CompiledWorkflow> wf;
    std::unique_ptr<TriggerSink> sink;
    std::unique_ptr<Trigger> trigger;
    bool trigger_started = false;
  };
  class Sink;

  // Registers and starts accepted runs; fails when the engine is not accepting
  // (`internal`: child runs of running runs, accepted until the engine closes).
  // `reserved`: limits.reserve() was called for them.
  // `start_here`: see emit(); `here_on_any_thread`: the runs' built-in nodes start
  // on the calling thread even when it is not a pool thread.
  Status launch(const std::vector<std::shared_ptr<RunShared>>& runs, bool internal = false, bool reserved = false,
                bool start_here = false, bool here_on_any_thread = false);
  Result<std::vector<RunHandle>> accept_and_launch(std::vector<std::shared_ptr<RunShared>> runs,
                                                   const std::string& dedupe_key, bool internal,
                                                   const ScheduleSlot* slot = nullptr, bool* duplicate = nullptr,
                                                   bool start_here = false);
  // accept_and_launch for an event without a dedupe key: the runs start while the
  // accept commits (see runs.cpp).
  Result<std::vector<RunHandle>> accept_early_and_launch(std::vector<std::shared_ptr<RunShared>> runs, bool reserved,
                                                         bool start_here);
  // After an early accept is committed (or refused): records what the runs did
  // meanwhile and resumes their parked nodes. `may_block`: false on the store's
  // writer thread, where error workflows (which accept and wait) are posted.
  Result<std::vector<RunHandle>> settle_early(std::vector<std::shared_ptr<RunShared>>& runs,
                                              Result<store::AcceptResult> accepted, const Status& launched,
                                              bool start_here, bool may_block);
  // emit_async for an event with a dedupe key (see runs.cpp).
  void accept_deduped_async(std::vector<std::shared_ptr<RunShared>> runs, const std::string& dedupe_key,
                            EmitDone done);
  // The handles of a redelivery's first runs (in memory, else from the store).
  std::vector<RunHandle> first_delivery(const store::AcceptResult& accepted);
  // The installed workflows an event starts.
  std::vector<std::shared_ptr<const CompiledWorkflow>> targets_of(const Event& event) const;
  std::vector<std::shared_ptr<RunShared>> build_runs(const std::vector<std::shared_ptr<const CompiledWorkflow>>& targets,
                                                     Value payload);
  bool matches(const CompiledWorkflow& wf, const Event& ev) const;
  // `at_start`: from start() (a schedule catches up on missed slots), else from
  // install() into a running engine (it starts afresh).
  Status start_trigger(Installed& inst, bool at_start);

  mutable std::shared_mutex types_mu_;
  std::map<std::string, NodeFactory, std::less<>> node_factories_;
  std::map<std::string, TriggerFactory, std::less<>> trigger_factories_;

  mutable std::shared_mutex wf_mu_;
  std::map<std::string, std::shared_ptr<Installed>, std::less<>> workflows_;
  // Webhook path -> workflow ids with that path (guarded by wf_mu_).
  std::map<std::string, std::vector<std::string>, std::less<>> hooks_;
  void unroute_locked(const CompiledWorkflow& wf);
  void route_locked(const CompiledWorkflow& wf);

  mutable std::mutex runs_mu_;
  bool accepting_ = false;  // emit/run accepted (false while stopping)
  bool closed_ = true;      // nothing starts, not even child runs of running runs
  // Keys view the runs' own ids (a run outlives its entries).
  std::unordered_map<std::string_view, std::shared_ptr<RunShared>> live_;
  std::unordered_map<std::string_view, RunShared*> finished_;
  std::vector<std::shared_ptr<RunShared>> finished_ring_;  // keep_finished_runs slots, oldest at finished_next_
  std::size_t finished_next_ = 0;

  std::mutex versions_mu_;
  std::map<std::pair<std::string, std::int64_t>, std::shared_ptr<const CompiledWorkflow>> old_versions_;

  std::mutex dedupe_mu_;
  std::unordered_map<std::string, std::vector<RunHandle>> dedupe_;
  std::deque<std::string> dedupe_order_;

  std::mutex active_mu_;
  std::condition_variable active_cv_;
  std::atomic<std::int64_t> active_{0};
  // Counts start()s. A continuation emit_async posted after stop() stopped the
  // pool runs when the pool runs again, at the next start(): it must not start
  // its runs then (that start resumed them from the store).
  std::atomic<std::uint64_t> life_{0};

  // Forgets a finished run kept in memory (an in-memory retry reuses its id).
  void forget_finished_locked(std::string_view id);
  mutable std::mutex clock_mu_;
  std::function<std::int64_t()> schedule_clock_;  // empty = now_ms()

  std::mutex lifecycle_mu_;  // start/stop
  bool started_ = false;
};

// How many dedupe keys the in-memory map remembers (oldest forgotten first).
inline constexpr std::size_t kDedupeCapacity = 10'000;
// Subworkflow nesting bound.
inline constexpr int kMaxSubworkflowDepth = 16;

}  // namespace famulor::detail
