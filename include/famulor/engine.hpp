// famulor/engine.hpp — Engine: installs workflows, accepts events, runs them.
//
// An Engine owns its thread pool (one io_context run by `threads` workers), its
// catalog of node and trigger types, and its runs. Build it, register custom node
// and trigger types, install workflows, start() it, then emit events; each event
// becomes a run per matching workflow, and a RunHandle lets the caller wait for it.
//
//   famulor::Engine engine;
//   engine.install(famulor::Workflow::parse_file("wf.json").value());
//   engine.start();
//   auto runs = engine.emit({.type = "event", .payload = famulor::Value::object({{"x", 1}})});
//   famulor::RunRecord r = runs.value().front().wait();
//
// Thread-safety: every member function is thread-safe. Nodes run in parallel on
// the pool; each run's bookkeeping is serialized per run. The destructor stops
// the engine (see stop()).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "famulor/call.hpp"
#include "famulor/node.hpp"
#include "famulor/run.hpp"
#include "famulor/status.hpp"
#include "famulor/trigger.hpp"
#include "famulor/value.hpp"
#include "famulor/workflow.hpp"

namespace famulor {

namespace detail {
struct RunShared;  // engine-internal
class EngineImpl;
}

// A circuit breaker (docs/durability.md): it opens when, within `window`, at least
// `min_calls` calls were made and `failure_ratio` of them failed (timeouts,
// connection errors, 5xx, 429); while open calls fail at once with `unavailable`;
// after `cool_down` up to `probes` calls test the service, and one success closes it.
struct CircuitBreakerOptions {
  bool enabled = true;
  double failure_ratio = 0.5;
  int min_calls = 10;
  std::chrono::milliseconds window{30'000};
  std::chrono::milliseconds cool_down{30'000};
  int probes = 1;
};

// A token bucket: `burst` calls at once, refilled at `per_second`. per_second <= 0:
// no limit; burst <= 0: max(1, per_second).
struct RateLimit {
  double per_second = 0;
  double burst = 0;
};

struct EngineOptions {
  unsigned threads = 0;  // worker threads; 0 = std::thread::hardware_concurrency()
  std::string db;        // store location; "" = in memory (nothing survives the process)
  // Finished runs kept in memory for get_run()/runs() when there is no store.
  std::size_t keep_finished_runs = 1000;
  // Environment variable names expressions may read as env.NAME (besides those a
  // workflow's settings.env allows for itself).
  std::vector<std::string> allowed_env;
  // Bound on expression evaluation work per template (see docs/expressions.md).
  std::uint64_t max_expression_steps = 100'000;
  // false: the `transcript` and `turns` of every trigger are dropped before the
  // run is accepted (stored), for every workflow; settings.store_transcript: false
  // does the same for one workflow. The workflow then cannot read them either.
  bool store_transcripts = true;

  // ---- connectors (docs/connectors.md) ----
  // A directory of connector manifests (*.json) added to the compiled-in ones, or
  // replacing them by app id; "" = none. A broken manifest makes start() fail.
  std::string connectors_dir;
  // When set ("http://127.0.0.1:4010"), every connector calls "<url>/<app>" (a
  // `famulor sandbox`), that host is allowed by the outbound policy, and nodes
  // use placeholder credentials the sandbox accepts (the vault is not read).
  std::string sandbox_url;
  // Connector calls are not sent: each connector node succeeds with
  // {"dry_run": true, "request": {"method","url","headers","body"}}, secrets redacted.
  bool dry_run = false;
  // The vault's master key file (base64 of 32 bytes, or 32 raw bytes); "" =
  // FAMULOR_MASTER_KEY. The vault lives in `db`; without `db` there is none.
  std::string master_key_file;
  // Extra hosts, addresses or CIDRs connector and http.request calls may reach
  // (added to FAMULOR_ALLOW_HOSTS).
  std::vector<std::string> allow_hosts;
  // Credentials supplied by the embedding program, asked first: the fields of the
  // credential a node names ({"access_token": ...}), or nullopt to fall back to
  // the vault. Called from worker threads, concurrently.
  std::function<std::optional<Value>(const std::string& name)> credentials;

  // ---- reliability (docs/durability.md) ----
  // The circuit breaker of every connector app and every http.request host...
  CircuitBreakerOptions circuit_breaker;
  // ...and per app id ("hubspot") or host ("api.example.com", "127.0.0.1:8080"),
  // ahead of a manifest's own "circuit_breaker".
  std::map<std::string, CircuitBreakerOptions> circuit_breakers;
  // Rate limits by credential name, or by app id, replacing the manifest's
  // "rate_limit" (which applies per credential). Shared by every run.
  std::map<std::string, RateLimit> rate_limits;
  // Top-level runs executing at once (0 = no limit); the rest wait in order, in a
  // queue of at most max_queued_runs (0 = unbounded). When it is full, emit() and
  // run() fail with resource_exhausted and accept nothing. A workflow's
  // settings.concurrency limits its own runs the same way.
  std::size_t max_running_runs = 0;
  std::size_t max_queued_runs = 0;

  // With a store: start() resumes every unfinished run in it. A short-lived
  // process sharing the store with a server (`famulor run --db`, `famulor runs
  // retry`) sets false so that it runs only what it starts itself.
  bool resume_unfinished = true;

  // Entries of the per-node lookup cache (nodes with a "cache" key; docs/voice.md),
  // least recently used evicted first; 0 turns the cache off.
  std::size_t cache_entries = 10'000;
};

// Which runs Engine::list_runs returns.
struct RunFilter {
  std::string workflow;             // "" = every workflow
  std::optional<RunStatus> status;  // nullopt = any status
  std::size_t limit = 50;           // runs per page, 1-1000 (0 = 50)
  std::string cursor;               // RunPage::next of the previous page; "" = the newest
};

// One page of runs, newest first.
struct RunPage {
  std::vector<RunRecord> runs;
  std::string next;  // pass as RunFilter::cursor for the next page; "" = no more
};

struct RetryOptions {
  // The node to run again, with every node after it; the checkpoints of the nodes
  // before it are kept and those nodes are not run again. "" = the node that
  // failed the run (for a cancelled run: the nodes it cancelled).
  std::string from_node;
  // Run the workflow's current version instead of the version the run ran.
  bool use_current_version = false;
};

// A cheap, copyable reference to one run. Outlives the engine safely (wait()
// then returns the last known state).
class RunHandle {
 public:
  RunHandle() = default;
  explicit RunHandle(std::shared_ptr<detail::RunShared> s) noexcept : s_(std::move(s)) {}

  const std::string& id() const noexcept;
  bool valid() const noexcept { return s_ != nullptr; }
  bool done() const noexcept;
  // Blocks until the run is final and recorded (get_run() finds it); returns its record.
  RunRecord wait() const;
  // Blocks at most `timeout`; nullopt when the run is still going.
  std::optional<RunRecord> wait_for(std::chrono::milliseconds timeout) const;
  // A snapshot of the run as it is now.
  RunRecord snapshot() const;
  // Requests cancellation; running nodes see NodeCall::cancelled(), pending ones
  // are not started. The run ends `cancelled`.
  void cancel() const;
  // Calls `fn` once the run is final: immediately, on this thread, if it already is;
  // otherwise on the thread that ends the run (a pool thread, or the thread calling
  // cancel() or Engine::stop()). [Locking] no engine lock is held. [Exceptions] an
  // exception escaping `fn` is swallowed; don't throw.
  void on_done(std::function<void(const RunRecord&)> fn) const;

 private:
  std::shared_ptr<detail::RunShared> s_;
};

class Engine {
 public:
  explicit Engine(EngineOptions options = {});
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Adds a node type (fails with already_exists for a taken name). Call before
  // installing workflows that use it.
  Status register_node(NodeTypeInfo info, NodeFactory factory);
  // Adds a trigger type; each installed workflow with this trigger type gets an
  // instance from `factory`, started by start().
  Status register_trigger(TriggerTypeInfo info, TriggerFactory factory);
  // The built-ins plus everything registered here.
  const Catalog& catalog() const noexcept;

  // Parses against this engine's catalog (so custom node types validate).
  Result<Workflow> parse(std::string_view json, std::string file = "<workflow>",
                         std::vector<Problem>* problems = nullptr) const;
  // Installs (or replaces: a new version) a workflow. Validates it again against
  // this engine's catalog; compiles its expressions.
  Status install(Workflow workflow);
  Status uninstall(std::string_view workflow_id);
  std::vector<std::string> workflow_ids() const;
  std::optional<Workflow> workflow(std::string_view id) const;

  // Starts the worker threads and triggers. Idempotent.
  Status start();
  // Stops triggers, cancels nothing: lets running runs finish (up to `grace`),
  // then cancels what is left and joins the threads. Idempotent. With a store,
  // what is left is suspended (resumed by the next start()) and every checkpoint
  // and outcome is committed before stop() returns.
  void stop(std::chrono::milliseconds grace = std::chrono::seconds(10));

  // Starts a run in every matching workflow. Returns once the event is accepted
  // (durably, when the engine has a store). failed_precondition before start().
  Result<std::vector<RunHandle>> emit(Event event);
  // Runs one workflow now for `payload` (a manual run), whatever its trigger type.
  Result<RunHandle> run(std::string_view workflow_id, Value payload);

  // A run by id: live runs and those still in memory or in the store.
  Result<RunRecord> get_run(std::string_view run_id) const;
  Result<RunHandle> find_run(std::string_view run_id) const;

  // ---- operations on runs (docs/durability.md, "Operating on runs") ----
  // Runs matching `filter`, newest first: from the store when the engine has one
  // (every process's runs), else the runs this engine keeps in memory. Works
  // before start(). invalid_argument for a bad cursor.
  Result<RunPage> list_runs(const RunFilter& filter = {}) const;
  // Runs a failed or cancelled run again under the same id, from
  // options.from_node (default: its failed node): the nodes before it keep their
  // recorded outputs and are not run again. The run records the version it now
  // runs. Errors: not_found (unknown run, or from_node not in the workflow),
  // failed_precondition (the run is not failed/cancelled, or the engine is not
  // started), and whatever stops its workflow version from loading.
  Result<RunHandle> retry(std::string_view run_id, RetryOptions options = {});
  // Cancels a run that is not final: a live run of this engine ends `cancelled`
  // (its running nodes recorded cancelled); a run known only to the store (waiting
  // on a durable timer while no engine runs it, or accepted by another process)
  // is recorded cancelled there, so that no engine resumes it. Errors: not_found,
  // failed_precondition (already final: the message names its status).
  Status cancel(std::string_view run_id);

  // ---- phone calls (docs/voice.md) ----
  // A finished call: starts every matching call.ended workflow (filters on
  // platform, direction, status, assistant, events, filter). Accepted durably like
  // emit(); deduplicated by (platform, call_id, event): a redelivery answers the
  // first runs. invalid_argument without call_id.
  Result<std::vector<RunHandle>> emit(const CallEvent& call);
  // The same without blocking the caller for the store's commit: `done` gets what
  // emit(call) returns, exactly once, on an engine thread once the accept is
  // committed (on the caller's when nothing needs a commit: in memory, or refused
  // at once). For a voice server that answers its platform's webhook after the
  // event is stored, without a thread waiting per webhook.
  // [Exceptions] `done` must not throw.
  void emit_async(const CallEvent& call, std::function<void(Result<std::vector<RunHandle>>)> done);
  // Runs the matching call.incoming workflow (most specific assistant/platform
  // filter, then the first by id) and answers its respond node's variables as
  // soon as that node has run. The deadline is hard: at the deadline the answer
  // is the workflow's declared defaults, each replaced by the same-named field of
  // the `set` nodes that had finished, marked partial; the run goes on and its
  // record is written after the answer (no store write before it starts). No
  // matching workflow: empty values, not partial. Never throws, never blocks past
  // the deadline (plus scheduling noise). Runs built-in and cached nodes on the
  // calling thread. See docs/voice.md.
  Variables inject(const IncomingCall& call, std::chrono::microseconds deadline);
  // The same; `done` is called exactly once, on an engine thread (the deadline
  // timer's or the run's), or on the caller's when no run starts.
  // [Exceptions] `done` must not throw.
  void inject_async(IncomingCall call, std::chrono::microseconds deadline, std::function<void(Variables)> done);
  // Runs the call.tool workflow named call.tool, same deadline rules; a late or
  // failed tool answers the trigger's `fallback`.
  ToolResult call_tool(const ToolCall& call, std::chrono::microseconds deadline);
  void call_tool_async(ToolCall call, std::chrono::microseconds deadline, std::function<void(ToolResult)> done);
  // The installed call.tool workflows as tool definitions.
  std::vector<ToolInfo> tools() const;

  detail::EngineImpl& impl() noexcept { return *impl_; }  // internal use

 private:
  std::unique_ptr<detail::EngineImpl> impl_;
};

}  // namespace famulor
