// store/sqlite_schema.hpp — the SQLite schema as an ordered list of forward
// migrations, and the per-connection settings (WAL, synchronous, busy timeout).
//
// Thread-safety: functions take the Db they work on; call them on the thread that
// owns it.
#pragma once

#include <chrono>
#include <cstdint>

#include "store/sqlite_db.hpp"

namespace famulor::store::sql {

// The schema version this build writes (the number of migrations).
std::int64_t schema_version();

struct ConnectionSettings {
  bool synchronous_full = false;
  std::chrono::milliseconds busy_timeout{5000};
  bool query_only = false;
};

// Busy timeout, synchronous, and the pragmas every connection needs.
void configure(Db& db, const ConnectionSettings& settings);

// On the writer connection at open: sets auto_vacuum=INCREMENTAL on a new file,
// switches to WAL, and applies every migration newer than the file's version in
// one transaction. Throws SqlError; a file from a newer famulor is refused
// (failed_precondition in the message's Status). `target` (tests only: build a
// file of an older schema) stops at that version; 0 = the latest.
void migrate(Db& db, std::int64_t target = 0);

}  // namespace famulor::store::sql
