// store/store.hpp — the durable state behind the engine (internal interface).
//
// The engine talks to a Store only through this class: no SQL and no SQLite (or,
// later, PostgreSQL) type appears above it. What it stores, per ARCHITECTURE.md:
// workflow versions, accepted events as runs (the trigger payload once), one
// checkpoint per finished node (output once), run outcomes, durable timers (wait
// nodes, retry backoff) and dedupe keys.
//
// Durability contract:
// - accept() reports success only after the runs are durably committed (group
//   commit: many callers share one transaction, each still waits for its commit).
// - checkpoint()/finish_run() are queued and committed in order per run by the
//   writer, with the next commit (they do not force one at once; SqliteStore
//   commits them within SqliteOptions::checkpoint_delay); `done` (when given) is
//   called once the record is durable. A crash may
//   lose checkpoints that were not yet committed: those nodes run again on resume
//   (at-least-once steps, exactly-once recorded outputs).
//
// Thread-safety: every member may be called from any thread. Callbacks run on the
// store's writer thread and must be quick (post real work elsewhere), must not
// throw, and must not call a blocking member (flush, accept_sync, save_workflow,
// reset_run, apply_retention...) of the same store: those wait for the writer.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "famulor/run.hpp"
#include "famulor/status.hpp"
#include "famulor/value.hpp"

namespace famulor::store {

// The meeting point of a run that executes while its accept waits for the writer
// (the engine starts a run before its accept is committed when its first nodes
// have no effect outside the run: Journal). When the run finishes before the
// writer writes the accept, Store::finish_early hands its outcome and node
// records over here and the writer inserts the run finished, in one row, instead
// of an open row now and an update later. Guarded by m.
struct EarlyOutcome {
  enum class State {
    open,      // the accept is not written yet
    finished,  // finish_early filled in the fields below: the accept writes them
    written,   // the accept was written open: the run's records follow it as usual
  };
  std::mutex m;
  State state = State::open;
  int status = 0;             // RunStatus
  int error_code = 0;         // StatusCode
  std::string error;
  std::int64_t finished_ms = 0;
  std::string response_json;  // "" = null
  std::string nodes_json;     // the node records, packed (store/packed_nodes.hpp); "" = none
};

struct NewRun {
  std::string id;
  std::string workflow;
  std::int64_t workflow_version = 0;
  Value trigger;
  std::int64_t created_ms = 0;
  // When set, the trigger is read from here instead (the engine's run owns it and
  // keeps it unchanged): accept() writes its text before returning, no copy.
  const Value* trigger_ref = nullptr;
  // Set when the engine may finish the run before the accept is written (see
  // EarlyOutcome); null otherwise.
  std::shared_ptr<EarlyOutcome> early;
};

struct AcceptRequest {
  std::string dedupe_key;    // "" = no dedupe
  std::vector<NewRun> runs;  // one per matching workflow; may be empty (still records the key)
  // A schedule fire: when schedule_workflow is set, the same transaction records
  // schedule_slot_ms as that workflow's last fired slot (see last_schedule_slot).
  // Use dedupe key "schedule:<workflow>:<slot>" so that a slot never fires twice.
  std::string schedule_workflow;
  std::int64_t schedule_slot_ms = 0;
};

struct AcceptResult {
  std::vector<std::string> run_ids;  // the new runs, or the first delivery's runs for a duplicate
  bool duplicate = false;
};

// One node's durable state in one run.
struct Checkpoint {
  std::string run_id;
  std::string node_id;
  NodeStatus status = NodeStatus::succeeded;  // succeeded/failed/skipped/cancelled, or waiting (timer)
  Value input;                // kept only for connector calls (resolved request, secrets redacted); else null
  Value output;
  // The output as compact JSON text, when the caller can write it without copying
  // the Value (the engine does); when set, `output` is not read.
  std::string output_json;
  // Store::finish_early only: the output, read during that call (neither output
  // nor output_json is then read; the caller keeps the Value alive meanwhile).
  const Value* output_ref = nullptr;
  std::string port;
  StatusCode error_code = StatusCode::ok;
  std::string error;
  int attempts = 0;
  std::int64_t started_ms = 0;
  std::int64_t finished_ms = 0;
  std::int64_t due_ms = 0;    // for status waiting: when the timer fires (wait node or retry backoff)
};

struct RunOutcome {
  std::string run_id;
  RunStatus status = RunStatus::succeeded;
  Value response;
  StatusCode error_code = StatusCode::ok;
  std::string error;
  std::int64_t finished_ms = 0;
};

// A run that was accepted but has not finished, with what it had checkpointed.
struct UnfinishedRun {
  NewRun run;
  std::vector<Checkpoint> checkpoints;  // latest per node
};

struct RunQuery {
  std::string workflow;                 // "" = all
  std::optional<RunStatus> status;
  std::size_t limit = 50;
  std::string cursor;                   // from the previous page's `next`
};

struct RunPage {
  std::vector<RunRecord> runs;  // newest first
  std::string next;             // "" = no more
};

struct WorkflowVersion {
  std::string id;
  std::int64_t version = 0;
  Value definition;
  std::int64_t installed_ms = 0;
};

struct RetentionPolicy {
  std::int64_t max_age_ms = 0;            // finished runs older than this go; 0 = keep forever
  std::size_t max_runs_per_workflow = 0;  // newest finished runs kept per workflow; 0 = unlimited
  // Dedupe keys older than this are forgotten (a redelivery after that starts a
  // new run); 0 = keep forever.
  std::int64_t dedupe_max_age_ms = 0;
  // Audit-log entries older than this are deleted; 0 = keep forever.
  std::int64_t audit_max_age_ms = 0;
  std::int64_t now_ms = 0;                // "now" for the ages; 0 = the system clock
};

// One line of the audit log: a management action (who did what to what, and how
// it ended) or one connector call. Never a secret, never a request or response body.
struct AuditEntry {
  std::int64_t seq = 0;    // order of writing (set when read back)
  std::int64_t at_ms = 0;  // 0 = now
  std::string actor;       // "token:tok_ab12 (ci)", "cli", "engine" (connector calls), "anonymous"
  std::string action;      // "run.retry", "workflow.put", "token.create", "privacy.erase", "connector.call", ...
  std::string target;      // what it acted on: run id, workflow id, token id, "<app>.<operation>"
  std::string outcome;     // "ok", or the error code ("forbidden", "not_found", "unavailable", ...)
  std::string workflow;    // when known
  std::string run_id;
  std::string node;
  int http_status = 0;           // connector calls: the last HTTP status; management: the answer's
  std::int64_t duration_ms = 0;  // connector calls
};

struct AuditQuery {
  std::int64_t since_ms = 0;  // entries at or after; 0 = all
  std::string action;         // "run" matches "run.retry", "run.cancel"...; "" = all
  std::string workflow;       // "" = all
  std::size_t limit = 100;    // newest first
};

using Done = std::function<void(Status)>;

// Finds one contact (a phone number, an e-mail address) in stored data and
// replaces it (security/contact_redactor.hpp). Each returns how many occurrences
// it replaced.
// [Threading] called on the store's writer thread; must not call the store.
class ContactRedactor {
 public:
  virtual ~ContactRedactor() = default;
  virtual std::size_t redact(Value& value) const = 0;        // strings, keys and numbers inside
  virtual std::size_t redact_text(std::string& text) const = 0;  // free text (error messages)
};

// What erase_contact touched (or, for a dry run, would touch).
struct EraseReport {
  struct Node {
    std::string run_id, node;
  };
  std::vector<std::string> runs;  // runs whose trigger, response or error mentioned the contact
  std::vector<Node> nodes;        // checkpoints whose output, input or error did
  std::size_t replacements = 0;   // occurrences replaced
};

class Store {
 public:
  virtual ~Store() = default;

  // Workflow versions: saving a definition equal to the current one returns the
  // current version; anything else becomes version current+1.
  virtual Result<std::int64_t> save_workflow(const std::string& id, const Value& definition) = 0;
  virtual Result<WorkflowVersion> load_workflow(const std::string& id, std::int64_t version /* 0 = current */) = 0;
  virtual Result<std::vector<WorkflowVersion>> current_workflows() = 0;
  virtual Status delete_workflow(const std::string& id) = 0;

  // Accepts runs durably; `done` is called after the commit (or with the error).
  virtual void accept(AcceptRequest request, std::function<void(Result<AcceptResult>)> done) = 0;
  // Blocking form of accept().
  Result<AcceptResult> accept_sync(AcceptRequest request);

  // The run of an accept queued with NewRun::early finished before that accept was
  // written: hands over its outcome and node records (resolved nodes, in order)
  // so that the accept writes the run finished. False when too late (the accept
  // is written already, or this store does not do it): the caller then records
  // the run with checkpoint() and finish_run() once the accept is committed.
  virtual bool finish_early(EarlyOutcome& early, const RunOutcome& outcome, const std::vector<Checkpoint>& nodes) {
    (void)early, (void)outcome, (void)nodes;
    return false;
  }

  virtual void checkpoint(Checkpoint cp, Done done = {}) = 0;
  // Records the run's outcome unless one is recorded already (see cancel_run;
  // reset_run and reset_for_retry clear it).
  virtual void finish_run(RunOutcome outcome, Done done = {}) = 0;
  // Blocks until everything queued so far is durable.
  virtual Status flush() = 0;

  // Runs accepted and not finished (for resume after a restart).
  virtual Result<std::vector<UnfinishedRun>> unfinished_runs() = 0;
  virtual Result<RunRecord> get_run(const std::string& run_id) = 0;
  virtual Result<RunPage> list_runs(const RunQuery& query) = 0;
  // Marks a run for retry: resets it to queued (clearing its outcome) and drops
  // the checkpoints of `drop_nodes` (the engine passes the failed node and
  // everything after it); empty = every checkpoint that is not `succeeded`.
  // not_found for an unknown run.
  virtual Status reset_run(const std::string& run_id, const std::vector<std::string>& drop_nodes) = 0;
  // The engine's retry: in one transaction, checks that the run is failed or
  // cancelled (failed_precondition naming its status otherwise, so that two
  // concurrent retries cannot both start it), drops the checkpoints of
  // `drop_nodes`, resets it to queued and records `version` (> 0) as the
  // workflow version it now runs. not_found for an unknown run.
  virtual Status reset_for_retry(const std::string& run_id, const std::vector<std::string>& drop_nodes,
                                 std::int64_t version) = 0;
  // Records an unfinished run cancelled (error `message`, finished at
  // `finished_ms`) and its waiting nodes cancelled, so that no engine resumes it.
  // failed_precondition (naming the status) when the run is already final,
  // not_found when unknown. The first recorded outcome of a run wins: a later
  // finish_run() of the same run (the process that was executing it) changes nothing.
  virtual Status cancel_run(const std::string& run_id, const std::string& message, std::int64_t finished_ms) = 0;

  // Deletes finished runs outside the policy and reclaims the space; returns how many.
  virtual Result<std::size_t> apply_retention(const RetentionPolicy& policy) = 0;

  // Appends to the audit log with the writer's next commit (no commit of its own:
  // it never slows the caller). `done`, when given, runs once it is durable.
  virtual void audit(AuditEntry entry, Done done = {}) = 0;
  // Replaces every occurrence of a contact in run triggers, responses and errors
  // and in node outputs, inputs and errors; then wipes the freed space (secure
  // delete, WAL truncated, VACUUM) so that the file keeps no copy. With dry_run,
  // only reports. Blocks until done.
  virtual Result<EraseReport> erase_contact(const ContactRedactor& redactor, bool dry_run) = 0;
  // Audit entries matching the query, newest first.
  virtual Result<std::vector<AuditEntry>> list_audit(const AuditQuery& query) = 0;

  // The last slot (unix ms) recorded for a schedule-triggered workflow by accept();
  // 0 when it never fired.
  virtual Result<std::int64_t> last_schedule_slot(const std::string& workflow) = 0;

  // Checks the stored data for corruption (SQLite: PRAGMA integrity_check);
  // data_loss with what is wrong.
  virtual Status check_integrity() = 0;
};

inline Result<AcceptResult> Store::accept_sync(AcceptRequest request) {
  struct Wait {
    std::mutex m;
    std::condition_variable cv;
    std::optional<Result<AcceptResult>> r;
  };
  auto w = std::make_shared<Wait>();
  accept(std::move(request), [w](Result<AcceptResult> r) {
    std::lock_guard lk(w->m);
    w->r.emplace(std::move(r));
    w->cv.notify_all();
  });
  std::unique_lock lk(w->m);
  w->cv.wait(lk, [&] { return w->r.has_value(); });
  return std::move(*w->r);
}

}  // namespace famulor::store
