// SqliteStore: open and close, workflow versions, reset, retention, schedules.
#include "store/sqlite_store.hpp"

#include <optional>

#include "common/clock.hpp"
#include "store/packed_nodes.hpp"
#include "store/sqlite_schema.hpp"
#include "store/sqlite_store_impl.hpp"

namespace famulor::store {

Result<Durability> parse_durability(std::string_view text) {
  if (text == "normal") return Durability::normal;
  if (text == "full") return Durability::full;
  return invalid_argument("durability must be 'normal' or 'full', not '" + std::string(text) + "'");
}

Result<std::unique_ptr<Store>> open_sqlite_store(const std::string& path, SqliteOptions options) {
  auto store = std::make_unique<SqliteStore>(path, options);
  try {
    store->open();
  } catch (const std::exception& e) {
    return sql::to_status(e, "sqlite store '" + path + "': open");
  }
  return std::unique_ptr<Store>(std::move(store));
}

SqliteStore::SqliteStore(std::string path, SqliteOptions options)
    : path_(std::move(path)), options_(options) {}

SqliteStore::~SqliteStore() {
  {
    std::lock_guard lk(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (writer_.joinable()) writer_.join();
  stop_checkpointer();
}

void SqliteStore::open() {
  writer_db_ = std::make_unique<sql::Db>(path_, sql::OpenFlags{});
  sql::configure(*writer_db_, {.synchronous_full = options_.durability == Durability::full,
                               .busy_timeout = options_.busy_timeout});
  sql::migrate(*writer_db_);
  start_checkpointer();
  writer_ = std::thread([this] { writer_loop(); });
}

std::string SqliteStore::where(std::string_view what) const {
  return "sqlite store '" + path_ + "': " + std::string(what);
}

// ---- workflows ----

Result<std::int64_t> SqliteStore::save_workflow(const std::string& id, const Value& definition) {
  std::int64_t version = 0;
  std::string text = definition.dump();
  Status st = run_on_writer([&](sql::Db& db) -> Status {
    sql::Transaction tx(db);
    std::int64_t current = 0;
    bool deleted = false;
    {
      auto s = db.prepare("SELECT current_version, deleted FROM workflows WHERE id = ?1");
      s.bind(1, id);
      if (s.step()) {
        current = s.int64(0);
        deleted = s.int64(1) != 0;
      }
    }
    if (current > 0) {
      auto s = db.prepare("SELECT definition FROM workflow_versions WHERE workflow = ?1 AND version = ?2");
      s.bind(1, id).bind(2, current);
      if (s.step() && s.text_view(0) == text) {
        version = current;
        if (deleted) {
          db.prepare("UPDATE workflows SET deleted = 0 WHERE id = ?1").bind(1, id).run();
          tx.commit();
        }
        return {};
      }
    }
    version = current + 1;
    db.prepare("INSERT INTO workflow_versions(workflow, version, definition, installed_ms) VALUES(?1, ?2, ?3, ?4)")
        .bind(1, id)
        .bind(2, version)
        .bind(3, text)
        .bind(4, detail::now_ms())
        .run();
    db.prepare("INSERT OR REPLACE INTO workflows(id, current_version, deleted) VALUES(?1, ?2, 0)")
        .bind(1, id)
        .bind(2, version)
        .run();
    tx.commit();
    return {};
  });
  if (!st.ok()) return st;
  return version;
}

Result<WorkflowVersion> SqliteStore::load_workflow(const std::string& id, std::int64_t version) {
  try {
    return with_reader([&](sql::Db& db) -> Result<WorkflowVersion> {
      std::int64_t v = version;
      if (v == 0) {
        auto s = db.prepare("SELECT current_version FROM workflows WHERE id = ?1 AND deleted = 0");
        s.bind(1, id);
        if (!s.step()) return not_found(where("no workflow '" + id + "'"));
        v = s.int64(0);
      }
      auto s = db.prepare(
          "SELECT definition, installed_ms FROM workflow_versions WHERE workflow = ?1 AND version = ?2");
      s.bind(1, id).bind(2, v);
      if (!s.step())
        return not_found(where("no version " + std::to_string(v) + " of workflow '" + id + "'"));
      return WorkflowVersion{id, v, s.json(0), s.int64(1)};
    });
  } catch (const std::exception& e) {
    return sql::to_status(e, where("load workflow '" + id + "'"));
  }
}

Result<std::vector<WorkflowVersion>> SqliteStore::current_workflows() {
  try {
    return with_reader([&](sql::Db& db) -> Result<std::vector<WorkflowVersion>> {
      std::vector<WorkflowVersion> out;
      auto s = db.prepare(
          "SELECT w.id, v.version, v.definition, v.installed_ms FROM workflows w "
          "JOIN workflow_versions v ON v.workflow = w.id AND v.version = w.current_version "
          "WHERE w.deleted = 0 ORDER BY w.id");
      while (s.step()) out.push_back(WorkflowVersion{s.text(0), s.int64(1), s.json(2), s.int64(3)});
      return out;
    });
  } catch (const std::exception& e) {
    return sql::to_status(e, where("list workflows"));
  }
}

Status SqliteStore::delete_workflow(const std::string& id) {
  return run_on_writer([&](sql::Db& db) -> Status {
    db.prepare("UPDATE workflows SET deleted = 1 WHERE id = ?1 AND deleted = 0").bind(1, id).run();
    if (db.changes() == 0) return not_found(where("no workflow '" + id + "'"));
    return {};
  });
}

// ---- runs: reset, retention, schedules ----

namespace {

// The run's stored status, or nullopt for an unknown run (queued stands for every
// unfinished state: running and waiting are derived when read).
std::optional<RunStatus> stored_status(sql::Db& db, const std::string& run_id) {
  auto s = db.prepare("SELECT status FROM runs WHERE id = ?1");
  s.bind(1, run_id);
  if (!s.step()) return std::nullopt;
  std::int64_t v = s.int64(0);
  if (v < 0 || v > static_cast<std::int64_t>(RunStatus::cancelled))
    throw sql::SqlError(StatusCode::data_loss, "stored run status " + std::to_string(v) + " is out of range");
  return static_cast<RunStatus>(v);
}

// Turns the run's packed node records (runs.nodes) back into checkpoints rows, so
// that a reset run (retry) keeps, drops and later rewrites them one by one.
void unpack_to_rows(sql::Db& db, const std::string& run_id) {
  std::vector<Checkpoint> cps;
  {
    auto s = db.prepare("SELECT nodes FROM runs WHERE id = ?1 AND nodes IS NOT NULL");
    s.bind(1, run_id);
    if (!s.step()) return;
    cps = packed::unpack(run_id, s.text_view(0));
  }
  for (const auto& cp : cps) {
    std::string output, input;
    if (!cp.output.is_null()) cp.output.dump_to(output);
    if (!cp.input.is_null()) cp.input.dump_to(input);
    db.prepare(
          "INSERT OR REPLACE INTO checkpoints(run, node, status, output, input, port, error_code, error, attempts, "
          "started_ms, finished_ms, due_ms) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)")
        .bind(1, run_id)
        .bind(2, cp.node_id)
        .bind(3, static_cast<std::int64_t>(cp.status))
        .bind(4, output, true)
        .bind(5, input, true)
        .bind(6, cp.port, true)
        .bind(7, static_cast<std::int64_t>(cp.error_code))
        .bind(8, cp.error, true)
        .bind(9, cp.attempts)
        .bind(10, cp.started_ms)
        .bind(11, cp.finished_ms)
        .bind(12, cp.due_ms)
        .run();
  }
  db.prepare("UPDATE runs SET nodes = NULL WHERE id = ?1").bind(1, run_id).run();
}

void drop_checkpoints(sql::Db& db, const std::string& run_id, const std::vector<std::string>& drop_nodes) {
  unpack_to_rows(db, run_id);
  if (drop_nodes.empty()) {
    db.prepare("DELETE FROM checkpoints WHERE run = ?1 AND status <> ?2")
        .bind(1, run_id)
        .bind(2, static_cast<std::int64_t>(NodeStatus::succeeded))
        .run();
    return;
  }
  for (const auto& node : drop_nodes)
    db.prepare("DELETE FROM checkpoints WHERE run = ?1 AND node = ?2").bind(1, run_id).bind(2, node).run();
}

void clear_outcome(sql::Db& db, const std::string& run_id) {
  db.prepare(
        "UPDATE runs SET status = 0, response = NULL, error_code = NULL, error = NULL, finished_ms = NULL, "
        "nodes = NULL WHERE id = ?1")
      .bind(1, run_id)
      .run();
}

}  // namespace

Status SqliteStore::reset_run(const std::string& run_id, const std::vector<std::string>& drop_nodes) {
  return run_on_writer([&](sql::Db& db) -> Status {
    sql::Transaction tx(db);
    if (!stored_status(db, run_id)) return not_found(where("no run '" + run_id + "'"));
    drop_checkpoints(db, run_id, drop_nodes);
    clear_outcome(db, run_id);
    tx.commit();
    return {};
  });
}

Status SqliteStore::reset_for_retry(const std::string& run_id, const std::vector<std::string>& drop_nodes,
                                    std::int64_t version) {
  return run_on_writer([&](sql::Db& db) -> Status {
    sql::Transaction tx(db);
    auto status = stored_status(db, run_id);
    if (!status) return not_found(where("no run '" + run_id + "'"));
    if (*status != RunStatus::failed && *status != RunStatus::cancelled)
      return failed_precondition("run " + run_id + " is " +
                                 (is_final(*status) ? std::string(to_string(*status)) : std::string("not finished")) +
                                 ": only a failed or cancelled run can be retried");
    drop_checkpoints(db, run_id, drop_nodes);
    clear_outcome(db, run_id);
    if (version > 0) db.prepare("UPDATE runs SET version = ?2 WHERE id = ?1").bind(1, run_id).bind(2, version).run();
    tx.commit();
    return {};
  });
}

Status SqliteStore::cancel_run(const std::string& run_id, const std::string& message, std::int64_t finished_ms) {
  return run_on_writer([&](sql::Db& db) -> Status {
    sql::Transaction tx(db);
    auto status = stored_status(db, run_id);
    if (!status) return not_found(where("no run '" + run_id + "'"));
    if (is_final(*status))
      return failed_precondition("run " + run_id + " is already " + std::string(to_string(*status)));
    db.prepare("UPDATE checkpoints SET status = ?2, finished_ms = ?3, due_ms = 0 WHERE run = ?1 AND status = ?4")
        .bind(1, run_id)
        .bind(2, static_cast<std::int64_t>(NodeStatus::cancelled))
        .bind(3, finished_ms)
        .bind(4, static_cast<std::int64_t>(NodeStatus::waiting))
        .run();
    db.prepare("UPDATE runs SET status = ?2, error_code = ?3, error = ?4, finished_ms = ?5 WHERE id = ?1")
        .bind(1, run_id)
        .bind(2, static_cast<std::int64_t>(RunStatus::cancelled))
        .bind(3, static_cast<std::int64_t>(StatusCode::cancelled))
        .bind(4, message)
        .bind(5, finished_ms)
        .run();
    tx.commit();
    return {};
  });
}

namespace {

// Deletes the runs (with their triggers and checkpoints) chosen by `select` (which
// yields ids, at most `chunk` per call) in transactions of one chunk each; returns
// how many.
template <typename Select>
std::size_t delete_runs_chunked(sql::Db& db, Select&& select, std::size_t chunk) {
  std::size_t total = 0;
  for (;;) {
    sql::Transaction tx(db);
    std::vector<std::string> ids = select(chunk);
    for (const auto& id : ids) {
      db.prepare("DELETE FROM checkpoints WHERE run = ?1").bind(1, id).run();
      db.prepare("DELETE FROM run_triggers WHERE seq = (SELECT seq FROM runs WHERE id = ?1)").bind(1, id).run();
      db.prepare("DELETE FROM runs WHERE id = ?1").bind(1, id).run();
    }
    tx.commit();
    total += ids.size();
    if (ids.size() < chunk) return total;
  }
}

}  // namespace

Result<std::size_t> SqliteStore::apply_retention(const RetentionPolicy& policy) {
  std::size_t deleted = 0;
  constexpr std::size_t kChunk = 1000;
  const std::int64_t now = policy.now_ms ? policy.now_ms : detail::now_ms();
  Status st = run_on_writer([&](sql::Db& db) -> Status {
    if (policy.max_age_ms > 0) {
      const std::int64_t cutoff = now - policy.max_age_ms;
      deleted += delete_runs_chunked(
          db,
          [&](std::size_t n) {
            std::vector<std::string> ids;
            auto s = db.prepare(
                "SELECT id FROM runs WHERE status >= 3 AND finished_ms < ?1 ORDER BY seq LIMIT ?2");
            s.bind(1, cutoff).bind(2, static_cast<std::int64_t>(n));
            while (s.step()) ids.push_back(s.text(0));
            return ids;
          },
          kChunk);
    }
    if (policy.max_runs_per_workflow > 0) {
      std::vector<std::string> workflows;
      {
        auto s = db.prepare("SELECT DISTINCT workflow FROM runs");
        while (s.step()) workflows.push_back(s.text(0));
      }
      for (const auto& wf : workflows) {
        deleted += delete_runs_chunked(
            db,
            [&](std::size_t n) {
              std::vector<std::string> ids;
              auto s = db.prepare(
                  "SELECT id FROM runs WHERE workflow = ?1 AND status >= 3 ORDER BY seq DESC LIMIT ?2 OFFSET ?3");
              s.bind(1, wf)
                  .bind(2, static_cast<std::int64_t>(n))
                  .bind(3, static_cast<std::int64_t>(policy.max_runs_per_workflow));
              while (s.step()) ids.push_back(s.text(0));
              return ids;
            },
            kChunk);
      }
    }
    if (policy.dedupe_max_age_ms > 0)
      db.prepare("DELETE FROM dedupe WHERE created_ms < ?1").bind(1, now - policy.dedupe_max_age_ms).run();
    if (policy.audit_max_age_ms > 0)
      db.prepare("DELETE FROM audit WHERE at_ms < ?1").bind(1, now - policy.audit_max_age_ms).run();
    // Give the freed pages back to the file system (auto_vacuum=INCREMENTAL), and
    // checkpoint so that the main file itself shrinks.
    db.exec("PRAGMA incremental_vacuum");
    truncate_wal(db);
    return {};
  });
  if (!st.ok()) return st;
  return deleted;
}

Result<std::vector<AuditEntry>> SqliteStore::list_audit(const AuditQuery& q) {
  try {
    return with_reader([&](sql::Db& db) -> Result<std::vector<AuditEntry>> {
      auto s = db.prepare(
          "SELECT seq, at_ms, actor, action, target, outcome, workflow, run, node, http_status, duration_ms "
          "FROM audit WHERE at_ms >= ?1 AND (?2 = '' OR action = ?2 OR substr(action, 1, length(?2) + 1) = ?2 || '.') "
          "AND (?3 = '' OR workflow = ?3) ORDER BY seq DESC LIMIT ?4");
      s.bind(1, q.since_ms).bind(2, q.action).bind(3, q.workflow).bind(4, static_cast<std::int64_t>(q.limit));
      std::vector<AuditEntry> out;
      while (s.step()) {
        AuditEntry e;
        e.seq = s.int64(0);
        e.at_ms = s.int64(1);
        e.actor = s.text(2);
        e.action = s.text(3);
        e.target = s.text(4);
        e.outcome = s.text(5);
        e.workflow = s.text(6);
        e.run_id = s.text(7);
        e.node = s.text(8);
        e.http_status = static_cast<int>(s.int64(9));
        e.duration_ms = s.int64(10);
        out.push_back(std::move(e));
      }
      return out;
    });
  } catch (const std::exception& e) {
    return sql::to_status(e, where("audit log"));
  }
}

Result<std::int64_t> SqliteStore::last_schedule_slot(const std::string& workflow) {
  try {
    return with_reader([&](sql::Db& db) -> Result<std::int64_t> {
      auto s = db.prepare("SELECT last_slot_ms FROM schedules WHERE workflow = ?1");
      s.bind(1, workflow);
      return s.step() ? s.int64(0) : std::int64_t{0};
    });
  } catch (const std::exception& e) {
    return sql::to_status(e, where("schedule of '" + workflow + "'"));
  }
}

Status SqliteStore::check_integrity() {
  try {
    return with_reader([&](sql::Db& db) -> Status {
      std::string problems;
      auto s = db.prepare("PRAGMA integrity_check");
      while (s.step()) {
        if (s.text_view(0) == "ok") continue;
        if (!problems.empty()) problems += "; ";
        problems += s.text_view(0);
      }
      if (problems.empty()) return {};
      return Status(StatusCode::data_loss, where("integrity check: " + problems));
    });
  } catch (const std::exception& e) {
    return sql::to_status(e, where("integrity check"));
  }
}

}  // namespace famulor::store
