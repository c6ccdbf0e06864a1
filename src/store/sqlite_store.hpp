// store/sqlite_store.hpp — open_sqlite_store: the embedded SQLite Store.
//
// One file in WAL mode. One writer thread with group commit: accept, checkpoint
// and finish requests are queued, and the writer commits everything queued (up to
// max_batch requests) in one transaction, then calls each request's callback.
// An accept wakes the writer at once; checkpoints and outcomes wait up to
// checkpoint_delay for the next commit.
// Checkpoints queued with their run's outcome are stored packed in the run's row
// (packed_nodes.hpp). WAL checkpoints run on a background thread of their own.
// Reads use their own connections and never wait for the writer.
//
// Durability (see docs/durability.md): `normal` (synchronous=NORMAL) survives any
// crash of the process, kill -9 included; a power loss or OS crash may lose the
// last commits. `full` (synchronous=FULL) syncs the WAL on every group commit and
// survives power loss too, at the cost of one fsync per batch.
//
// Thread-safety: the returned Store is safe to use from any thread (see store.hpp).
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "famulor/status.hpp"
#include "store/store.hpp"

namespace famulor::store {

enum class Durability { normal, full };

struct SqliteOptions {
  Durability durability = Durability::normal;
  // How long a statement waits for another process's write lock before failing
  // with unavailable.
  std::chrono::milliseconds busy_timeout{5000};
  // Most requests committed in one transaction.
  std::size_t max_batch = 1000;
  // Longest a checkpoint or run outcome waits in the queue for company before the
  // writer commits it. Accepts, flushes and other blocking calls are committed at
  // once and take everything queued with them; checkpoints alone do not wake the
  // writer for each one (fewer, larger transactions and fewer thread wake-ups).
  // A crash may lose checkpoints younger than this: those nodes run again.
  std::chrono::microseconds checkpoint_delay{2000};
};

// Opens or creates the database at `path` and brings its schema up to date.
// Errors: unavailable (cannot open / locked), data_loss (not a database or
// corrupt), failed_precondition (written by a newer famulor).
Result<std::unique_ptr<Store>> open_sqlite_store(const std::string& path, SqliteOptions options = {});

// "normal" | "full" (the CLI's --durability); invalid_argument otherwise.
Result<Durability> parse_durability(std::string_view text);

}  // namespace famulor::store
