// store/sqlite_store_impl.hpp — SqliteStore, the class behind open_sqlite_store
// (internal to src/store). Its members are split by concern: sqlite_store.cpp
// (open, workflows, retention, reset), sqlite_writer.cpp (the writer thread and
// group commit) and sqlite_reads.cpp (run queries).
//
// Thread-safety: as store::Store — every member from any thread. The writer Db is
// touched only by the writer thread (and by open() before it starts); reader Dbs
// are lent out of a pool one thread at a time.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <variant>
#include <vector>

#include "store/packed_nodes.hpp"
#include "store/sqlite_db.hpp"
#include "store/sqlite_store.hpp"
#include "store/store.hpp"

namespace famulor::store {

class SqliteStore final : public Store {
 public:
  SqliteStore(std::string path, SqliteOptions options);
  ~SqliteStore() override;  // commits what is queued, then stops the writer

  // Opens the writer connection, migrates, starts the writer thread. Throws SqlError.
  void open();

  Result<std::int64_t> save_workflow(const std::string& id, const Value& definition) override;
  Result<WorkflowVersion> load_workflow(const std::string& id, std::int64_t version) override;
  Result<std::vector<WorkflowVersion>> current_workflows() override;
  Status delete_workflow(const std::string& id) override;

  void accept(AcceptRequest request, std::function<void(Result<AcceptResult>)> done) override;
  bool finish_early(EarlyOutcome& early, const RunOutcome& outcome, const std::vector<Checkpoint>& nodes) override;
  void checkpoint(Checkpoint cp, Done done) override;
  void finish_run(RunOutcome outcome, Done done) override;
  Status flush() override;

  Result<std::vector<UnfinishedRun>> unfinished_runs() override;
  Result<RunRecord> get_run(const std::string& run_id) override;
  Result<RunPage> list_runs(const RunQuery& query) override;
  Status reset_run(const std::string& run_id, const std::vector<std::string>& drop_nodes) override;
  Status reset_for_retry(const std::string& run_id, const std::vector<std::string>& drop_nodes,
                         std::int64_t version) override;
  Status cancel_run(const std::string& run_id, const std::string& message, std::int64_t finished_ms) override;
  Result<std::size_t> apply_retention(const RetentionPolicy& policy) override;
  void audit(AuditEntry entry, Done done) override;
  Result<EraseReport> erase_contact(const ContactRedactor& redactor, bool dry_run) override;
  Result<std::vector<AuditEntry>> list_audit(const AuditQuery& query) override;
  Result<std::int64_t> last_schedule_slot(const std::string& workflow) override;
  Status check_integrity() override;

 private:
  // ---- writer (sqlite_writer.cpp) ----
  // Values are turned into JSON text by the caller's thread before they are
  // queued (the Value fields are left null): the writer thread, which every
  // commit waits for, only binds text.
  struct AcceptItem {
    AcceptRequest request;
    std::vector<std::string> triggers;  // JSON, one per request.runs[i]
    std::function<void(Result<AcceptResult>)> done;
    AcceptResult result;
  };
  struct CheckpointItem {
    Checkpoint cp;
    packed::Record record;  // the node's record; output and input JSON inside it ("" = null)
    Done done;
    bool packed = false;    // written inside its run's outcome row (pack_outcomes)
  };
  struct FinishItem {
    RunOutcome outcome;
    std::string response;  // JSON; "" = null
    Done done;
    // The checkpoints of this run queued before it in the same transaction, in
    // order (pack_outcomes); written as runs.nodes with the outcome.
    std::vector<CheckpointItem*> nodes;
  };
  // Runs alone, outside the group transaction (it manages its own).
  struct TaskItem {
    std::function<Status(sql::Db&)> fn;
    Done done;
  };
  struct BarrierItem {
    Done done;
  };
  struct AuditItem {
    AuditEntry entry;
    Done done;
  };
  struct Item {
    std::variant<AcceptItem, CheckpointItem, FinishItem, TaskItem, BarrierItem, AuditItem> v;
    Status status;
    bool urgent = true;  // a caller waits for it: commit at once (else within checkpoint_delay)
  };

  void enqueue(Item item);
  // Waits (mu_ held) until the writer should commit: something urgent or a full
  // batch is queued, the oldest lazy item is due, or the store is stopping.
  // After a commit (`linger`) it first waits checkpoint_delay with a timeout, so
  // that lazy items queued meanwhile need no wake-up.
  void wait_for_work(std::unique_lock<std::mutex>& lk, bool linger);
  void writer_loop();
  void process(std::vector<Item>& batch);
  void commit_range(std::vector<Item>& batch, std::size_t begin, std::size_t end);
  // Marks the checkpoints of runs whose outcome is in [begin, end) to be packed
  // into that outcome's row (packed_nodes.hpp); unpack_all undoes it.
  void pack_outcomes(std::vector<Item>& batch, std::size_t begin, std::size_t end);
  static void unpack_all(std::vector<Item>& batch, std::size_t begin, std::size_t end);
  void apply(sql::Db& db, Item& item);
  static void write_checkpoint_row(sql::Db& db, const CheckpointItem& c);
  // Inserts a run whose EarlyOutcome is finished as one final row; false (and the
  // EarlyOutcome marked written) when the accept must write it open.
  static bool insert_finished_run(sql::Db& db, const NewRun& r);
  static void complete(Item& item) noexcept;
  // Runs fn on the writer connection (queued behind everything before it) and
  // waits for its Status.
  Status run_on_writer(std::function<Status(sql::Db&)> fn);

  // ---- WAL checkpoints (sqlite_wal.cpp) ----
  // The writer commits without copying WAL frames into the database file: its
  // WAL hook asks the checkpointer thread (its own connection) for a PASSIVE
  // checkpoint once kWalCheckpointFrames new frames are in the WAL. So that the
  // WAL can start over, the writer checkpoints itself (only what is left, usually
  // little) when the WAL holds kWalRestartFrames.
  static constexpr int kWalCheckpointFrames = 1000;
  static constexpr int kWalRestartFrames = 4000;
  void start_checkpointer();
  void stop_checkpointer();
  void on_wal_commit(int frames);  // the writer's WAL hook
  void checkpointer_loop();
  // PRAGMA wal_checkpoint(TRUNCATE) on the writer's connection (retention, erase),
  // after any background checkpoint in progress: SQLite refuses a second
  // checkpoint at once (SQLITE_BUSY, without waiting).
  void truncate_wal(sql::Db& db);

  // ---- readers (sqlite_reads.cpp) ----
  template <typename F>
  auto with_reader(F&& fn);
  std::unique_ptr<sql::Db> take_reader();
  void give_reader(std::unique_ptr<sql::Db> db);
  RunRecord read_run_row(sql::Db& db, sql::Stmt& row);
  // The run's node records: its checkpoints rows, with `packed` (runs.nodes, ""
  // = none) merged over them.
  std::vector<Checkpoint> read_checkpoints(sql::Db& db, const std::string& run_id, std::string_view packed = {});
  std::vector<std::string> node_order(sql::Db& db, const std::string& workflow, std::int64_t version);

  std::string where(std::string_view what) const;

  std::string path_;
  SqliteOptions options_;
  std::unique_ptr<sql::Db> writer_db_;
  // pack_outcomes' index of a batch's outcomes (writer thread only; kept to reuse its buffer).
  std::vector<std::pair<std::string_view, std::size_t>> finishing_;

  std::mutex mu_;
  std::condition_variable cv_;
  // A vector, not a deque: the writer swaps it with its emptied batch, so both
  // keep their capacity and queueing an item allocates nothing (a deque block
  // holds a single Item).
  std::vector<Item> queue_;
  std::size_t urgent_queued_ = 0;  // urgent items in queue_
  bool lazy_armed_ = false;        // lazy items are queued and lazy_due_ is set
  bool writer_asleep_ = false;     // the writer waits without a timeout: a lazy item must wake it
  std::chrono::steady_clock::time_point lazy_due_;
  bool stopping_ = false;
  std::thread writer_;

  std::unique_ptr<sql::Db> checkpoint_db_;
  std::thread checkpointer_;
  std::mutex wal_mu_;
  std::condition_variable wal_cv_;
  bool wal_wanted_ = false;   // a checkpoint is asked for
  bool wal_stopping_ = false;
  std::atomic<int> wal_backfilled_{0};
  std::mutex wal_checkpoint_mu_;  // held while a checkpoint runs (one at a time)  // WAL frames the last checkpoint copied (0 after a restart)

  std::mutex readers_mu_;
  std::vector<std::unique_ptr<sql::Db>> readers_;

  std::mutex order_mu_;
  std::map<std::pair<std::string, std::int64_t>, std::vector<std::string>> node_orders_;
};

// Lends a reader connection to fn(Db&) for the duration of the call.
template <typename F>
auto SqliteStore::with_reader(F&& fn) {
  struct Lease {
    SqliteStore* self;
    std::unique_ptr<sql::Db> db;
    ~Lease() {
      if (db) self->give_reader(std::move(db));
    }
  } lease{this, take_reader()};
  return fn(*lease.db);
}

}  // namespace famulor::store
