// engine/journal.hpp — Journal: the one place where the engine persists runs
// (internal API; the seam for the durable store).
//
// The scheduler and the engine call exactly these, and nothing else about
// persistence exists above this class:
//   accept()     before any run of an event starts (its return is the acceptance),
//   checkpoint() when a node of a top-level run is resolved (succeeded, failed,
//                skipped), under that run's lock, in resolution order,
//   waiting()    when a node of a top-level run sleeps on a timer (wait node,
//                retry backoff), under that run's lock, with the due time,
//   finish()     once a top-level run is final, under that run's lock.
// With a null store (EngineOptions::db empty) accept() hands out the ids and the
// others do nothing; dedupe is then the engine's bounded in-memory map. With a
// store, accept() is store::Store::accept_sync (group commit); checkpoint(),
// waiting() and finish() queue store::Checkpoint / store::RunOutcome (they must
// not block: they run under a run lock).
//
// Thread-safety: every member may be called from any thread.
#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "famulor/status.hpp"
#include "store/store.hpp"

namespace famulor::detail {

struct RunShared;

// A schedule fire: the workflow and slot the accept records with its runs, so that
// the slot counts as fired exactly when its runs are accepted.
struct ScheduleSlot {
  std::string workflow;
  std::int64_t slot_ms = 0;
};

class Journal {
 public:
  explicit Journal(store::Store* store = nullptr) noexcept : store_(store) {}

  // The store, or nullptr (in memory). Set before the engine starts.
  void set_store(store::Store* store) noexcept { store_ = store; }
  store::Store* store() const noexcept { return store_; }
  bool enabled() const noexcept { return store_ != nullptr; }

  // Accepts `runs` (built, not started) for an event with `dedupe_key` ("" = none).
  // In memory: ok, duplicate = false. With a store: the store's answer; for a
  // duplicate the caller starts nothing and answers the first delivery's ids.
  // `slot` (optional): a schedule fire, recorded in the same transaction.
  Result<store::AcceptResult> accept(const std::string& dedupe_key,
                                     const std::vector<std::shared_ptr<RunShared>>& runs,
                                     const ScheduleSlot* slot = nullptr);
  // The same with a store, calling `committed` on the store's writer thread.
  void accept_async(const std::string& dedupe_key, const std::vector<std::shared_ptr<RunShared>>& runs,
                    std::function<void(Result<store::AcceptResult>)> committed);
  // An early start: queues the accept of `runs` (an event without a dedupe key,
  // not yet started) and returns at once, so that the runs can start while the
  // store commits. Until accepted() each run keeps its records to itself and
  // parks its nodes that act outside the run (RunShared::accept_pending); a run
  // that finishes meanwhile is written finished by the accept itself
  // (store::EarlyOutcome). wait() blocks for the commit.
  struct PendingAccept {
    struct Wait {
      std::mutex m;
      std::condition_variable cv;
      std::optional<Result<store::AcceptResult>> result;
    };
    std::shared_ptr<Wait> w;
    Result<store::AcceptResult> wait();
  };
  PendingAccept accept_early(const std::vector<std::shared_ptr<RunShared>>& runs);
  // The same, calling `committed` on the store's writer thread instead (emit_async).
  void accept_early(const std::vector<std::shared_ptr<RunShared>>& runs,
                    std::function<void(Result<store::AcceptResult>)> committed);
  // The accept of an early-started run is committed: queues what the run recorded
  // meanwhile (unless the accept wrote it finished). Under run.m.
  void accepted(RunShared& run);
  // The last slot recorded for a schedule-triggered workflow; 0 when it never
  // fired, and always 0 in memory.
  Result<std::int64_t> last_schedule_slot(const std::string& workflow);
  // Records `slot_ms` as the workflow's settled slot without starting a run (slots
  // skipped by catch_up, the first start's origin). Blocks for the commit; in
  // memory it does nothing.
  Status settle_schedule(const std::string& workflow, std::int64_t slot_ms);
  // A node of `run` was resolved. Called under run.m; must not block.
  void checkpoint(const RunShared& run, int node);
  // Node `node` of `run` waits for a timer due at `due_ms` (wait node, retry
  // backoff): recorded `waiting` so that a restart resumes the timer. Called
  // under run.m; must not block.
  void waiting(const RunShared& run, int node, std::int64_t due_ms);
  // `run` is final. Called under run.m.
  void finish(RunShared& run);

  // The checkpoint record of one resolved node (also what resume expects back).
  static store::Checkpoint make_checkpoint(const RunShared& run, int node);

 private:
  static store::AcceptRequest accept_request(const std::string& dedupe_key,
                                             const std::vector<std::shared_ptr<RunShared>>& runs,
                                             const ScheduleSlot* slot);
  // The records of every node that ran or was decided (not pending/running), outputs as JSON.
  // `borrow`: without run ids, outputs by reference (Checkpoint::output_ref), for
  // Store::finish_early; else owned (output_json), to be queued.
  static std::vector<store::Checkpoint> final_records(const RunShared& run, bool borrow);
  // make_checkpoint without the output.
  static store::Checkpoint record_of(const RunShared& run, int node, bool with_run_id = true);
  store::Store* store_;
};

}  // namespace famulor::detail
