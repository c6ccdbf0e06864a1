#include "store/sqlite_schema.hpp"

#include <string>
#include <vector>

namespace famulor::store::sql {
namespace {

// Forward migrations, applied in order; entry i takes the schema from version i
// to i+1. Never edit a released entry: append a new one.
//
// Row design (lean, each value stored once):
// - runs: `status` holds queued (0) until the
//   outcome is recorded (3 succeeded, 4 failed, 5 cancelled) — running/waiting are
//   derived from the checkpoints when read. `seq` orders runs (newest first) and
//   is the pagination cursor. `nodes` (schema 4): node records packed with the
//   outcome (store/packed_nodes.hpp).
// - run_triggers (schema 4): the trigger payload once per run, by runs.seq.
// - checkpoints: the latest state of each (run, node): output once, input only
//   for connector calls, due_ms for waiting timers.
// - dedupe: event key → the run ids it started (JSON array), for redeliveries.
// - schedules: workflow → last fired slot (unix ms).
// - tokens: management API tokens by id; the token itself is never stored.
// - audit: one row per management action or connector call, oldest first by seq.
const std::vector<std::string>& migrations() {
  static const std::vector<std::string> list = {
      // 1: initial schema
      R"sql(
CREATE TABLE workflows(
  id TEXT PRIMARY KEY,
  current_version INTEGER NOT NULL,
  deleted INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE TABLE workflow_versions(
  workflow TEXT NOT NULL,
  version INTEGER NOT NULL,
  definition TEXT NOT NULL,
  installed_ms INTEGER NOT NULL,
  PRIMARY KEY(workflow, version)
);
CREATE TABLE runs(
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  workflow TEXT NOT NULL,
  version INTEGER NOT NULL,
  status INTEGER NOT NULL,
  trigger TEXT,
  response TEXT,
  error_code INTEGER,
  error TEXT,
  created_ms INTEGER NOT NULL,
  finished_ms INTEGER
);
CREATE INDEX runs_by_workflow ON runs(workflow, seq);
CREATE INDEX runs_open ON runs(seq) WHERE status < 3;
CREATE TABLE checkpoints(
  run TEXT NOT NULL,
  node TEXT NOT NULL,
  status INTEGER NOT NULL,
  output TEXT,
  input TEXT,
  port TEXT,
  error_code INTEGER,
  error TEXT,
  attempts INTEGER NOT NULL,
  started_ms INTEGER,
  finished_ms INTEGER,
  due_ms INTEGER,
  PRIMARY KEY(run, node)
) WITHOUT ROWID;
CREATE TABLE dedupe(
  key TEXT PRIMARY KEY,
  run_ids TEXT NOT NULL,
  created_ms INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE schedules(
  workflow TEXT PRIMARY KEY,
  last_slot_ms INTEGER NOT NULL
) WITHOUT ROWID;
)sql",
      // 2: management API tokens (serve); only a SHA-256 of each token is kept.
      R"sql(
CREATE TABLE IF NOT EXISTS tokens(
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  role TEXT NOT NULL,
  hash TEXT NOT NULL UNIQUE,
  created_ms INTEGER NOT NULL
) WITHOUT ROWID;
)sql",
      // 3: the audit log (management actions and connector calls; no secrets, no bodies).
      R"sql(
CREATE TABLE audit(
  seq INTEGER PRIMARY KEY,
  at_ms INTEGER NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  target TEXT,
  outcome TEXT NOT NULL,
  workflow TEXT,
  run TEXT,
  node TEXT,
  http_status INTEGER,
  duration_ms INTEGER
);
CREATE INDEX audit_at ON audit(at_ms);
CREATE INDEX audit_workflow ON audit(workflow, at_ms);
)sql",
      // 4: the hot path's rows made cheaper (docs/durability.md, benchmarks/README.md):
      // - the trigger payload moves to run_triggers (written once, at accept), so
      //   that recording the outcome rewrites a small runs row, not the payload;
      // - runs.nodes holds the node records that reached the writer together with
      //   the outcome, packed as one JSON array (store/packed_nodes.hpp), instead
      //   of one checkpoints row each.
      R"sql(
CREATE TABLE run_triggers(
  seq INTEGER PRIMARY KEY,
  trigger TEXT
);
INSERT INTO run_triggers(seq, trigger) SELECT seq, trigger FROM runs WHERE trigger IS NOT NULL;
ALTER TABLE runs DROP COLUMN trigger;
ALTER TABLE runs ADD COLUMN nodes TEXT;
)sql",
  };
  return list;
}

bool has_schema_version(Db& db) {
  return db.query_int("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'") > 0;
}

}  // namespace

std::int64_t schema_version() { return static_cast<std::int64_t>(migrations().size()); }

void configure(Db& db, const ConnectionSettings& s) {
  db.exec("PRAGMA busy_timeout=" + std::to_string(s.busy_timeout.count()));
  db.exec(std::string("PRAGMA synchronous=") + (s.synchronous_full ? "FULL" : "NORMAL"));
  db.exec("PRAGMA foreign_keys=OFF");
  db.exec("PRAGMA temp_store=MEMORY");
  if (s.query_only) db.exec("PRAGMA query_only=1");
}

void migrate(Db& db, std::int64_t target) {
  // auto_vacuum must be chosen before the first table exists; when another part
  // of famulor (the credential vault) created the file first, the store's first
  // open switches it with a VACUUM while the file is still small.
  // 8 KB pages: a run's trigger payload (typically 1-4 KB of call data) fills a
  // 4 KB page alone, three of them share an 8 KB one — fewer pages written per
  // run (benchmarks/README.md, store_bench). Only a new file can choose it.
  if (db.query_int("PRAGMA page_count") == 0) {
    db.exec("PRAGMA page_size=8192");
    db.exec("PRAGMA auto_vacuum=INCREMENTAL");
  } else if (db.query_int("PRAGMA auto_vacuum") != 2 && !has_schema_version(db)) {
    db.exec("PRAGMA page_size=8192");
    db.exec("PRAGMA auto_vacuum=INCREMENTAL");
    db.exec("VACUUM");
  }
  std::string mode = db.query_text("PRAGMA journal_mode=WAL");
  if (mode != "wal")
    throw SqlError(StatusCode::failed_precondition,
                   "cannot switch '" + db.path() + "' to WAL mode (journal_mode is '" + mode + "')");

  Transaction tx(db);
  db.exec("CREATE TABLE IF NOT EXISTS schema_version(version INTEGER NOT NULL)");
  std::int64_t have = db.query_int("SELECT max(version) FROM schema_version");
  const std::int64_t latest = schema_version();
  std::int64_t want = target > 0 && target < latest ? target : latest;
  if (have > latest)
    throw SqlError(StatusCode::failed_precondition,
                   "'" + db.path() + "' has schema version " + std::to_string(have) +
                       ", newer than this famulor understands (" + std::to_string(latest) + ")");
  if (have >= want) return;  // rolled back: nothing changed
  for (std::int64_t v = have; v < want; ++v) {
    try {
      db.exec(migrations()[static_cast<std::size_t>(v)]);
    } catch (const SqlError& e) {
      throw SqlError(e.code(), "migration to schema version " + std::to_string(v + 1) + ": " + e.what());
    }
  }
  db.exec("DELETE FROM schema_version");
  db.exec("INSERT INTO schema_version(version) VALUES(" + std::to_string(want) + ")");
  tx.commit();
}

}  // namespace famulor::store::sql
