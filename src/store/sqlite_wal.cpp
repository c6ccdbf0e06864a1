// SqliteStore's WAL checkpoints, off the writer's commit path (see
// sqlite_store_impl.hpp). SQLite's default copies 1000 frames into the database
// file (reads, writes and an fsync) inside whichever commit crosses the mark,
// on the one thread every accept waits for.
#include <cstdio>

#include "store/sqlite_schema.hpp"
#include "store/sqlite_store_impl.hpp"

namespace famulor::store {

void SqliteStore::start_checkpointer() {
  checkpoint_db_ = std::make_unique<sql::Db>(path_, sql::OpenFlags{.create = false});
  sql::configure(*checkpoint_db_, {.synchronous_full = options_.durability == Durability::full,
                                   .busy_timeout = options_.busy_timeout});
  writer_db_->set_wal_hook([this](int frames) { on_wal_commit(frames); });
  checkpointer_ = std::thread([this] { checkpointer_loop(); });
}

void SqliteStore::stop_checkpointer() {
  {
    std::lock_guard lk(wal_mu_);
    wal_stopping_ = true;
  }
  wal_cv_.notify_all();
  if (checkpointer_.joinable()) checkpointer_.join();
}

void SqliteStore::on_wal_commit(int frames) {
  if (frames >= kWalRestartFrames) {
    // Copy what the checkpointer has not yet, between two of our own transactions,
    // so that the next one starts the WAL over (SQLite restarts it only when every
    // frame is in the database file when a write transaction begins).
    // After a background checkpoint that is running (a few ms at most): SQLite
    // would refuse a second one at once, and the WAL would grow on.
    try {
      std::lock_guard ck(wal_checkpoint_mu_);
      int log = 0, copied = 0;
      if (writer_db_->checkpoint_passive(&log, &copied)) wal_backfilled_.store(copied);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "famulor store: %s\n", where(e.what()).c_str());
    }
    return;
  }
  int done = wal_backfilled_.load(std::memory_order_relaxed);
  if (frames < done) done = 0;  // the WAL started over since
  if (frames - done < kWalCheckpointFrames) return;
  std::lock_guard lk(wal_mu_);
  if (!wal_wanted_) {
    wal_wanted_ = true;
    wal_cv_.notify_one();
  }
}

void SqliteStore::checkpointer_loop() {
  for (;;) {
    {
      std::unique_lock lk(wal_mu_);
      wal_cv_.wait(lk, [&] { return wal_wanted_ || wal_stopping_; });
      if (wal_stopping_) return;
      wal_wanted_ = false;
    }
    try {
      std::lock_guard ck(wal_checkpoint_mu_);
      int log = 0, copied = 0;
      if (checkpoint_db_->checkpoint_passive(&log, &copied)) wal_backfilled_.store(copied);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "famulor store: %s\n", where(e.what()).c_str());
    }
  }
}

void SqliteStore::truncate_wal(sql::Db& db) {
  std::lock_guard ck(wal_checkpoint_mu_);
  db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  wal_backfilled_.store(0);
}

}  // namespace famulor::store
