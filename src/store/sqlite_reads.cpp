// SqliteStore reads: runs as RunRecords, pages of runs, unfinished runs. Each read
// takes a reader connection from the pool and one read transaction (a consistent
// WAL snapshot that never blocks the writer).
#include <algorithm>
#include <charconv>
#include <limits>
#include <unordered_map>

#include "store/sqlite_schema.hpp"
#include "store/sqlite_store_impl.hpp"

namespace famulor::store {
namespace {

// Columns of a run: `FROM kRunsJoin`.
constexpr const char* kRunColumns =
    "r.seq, r.id, r.workflow, r.version, r.status, t.trigger, r.response, r.error_code, r.error, r.created_ms, "
    "r.finished_ms, r.nodes";
constexpr const char* kRunsJoin = " runs r LEFT JOIN run_triggers t ON t.seq = r.seq";
constexpr const char* kSelectCheckpoints =
    "SELECT node, status, output, input, port, error_code, error, attempts, started_ms, finished_ms, due_ms "
    "FROM checkpoints WHERE run = ?1";

// A read transaction: one snapshot for several statements.
class ReadTx {
 public:
  explicit ReadTx(sql::Db& db) : db_(db) { db_.prepare("BEGIN").run(); }
  ~ReadTx() {
    try {
      db_.prepare("COMMIT").run();
    } catch (...) {  // a read-only transaction has nothing to lose
    }
  }
  ReadTx(const ReadTx&) = delete;
  ReadTx& operator=(const ReadTx&) = delete;

 private:
  sql::Db& db_;
};

template <typename E>
E to_enum(std::int64_t v, E max, const char* what) {
  if (v < 0 || v > static_cast<std::int64_t>(max))
    throw sql::SqlError(StatusCode::data_loss, std::string("stored ") + what + " " + std::to_string(v) +
                                                   " is out of range");
  return static_cast<E>(v);
}

RunStatus run_status(std::int64_t v) { return to_enum(v, RunStatus::cancelled, "run status"); }
NodeStatus node_status(std::int64_t v) { return to_enum(v, NodeStatus::cancelled, "node status"); }
StatusCode status_code(std::int64_t v) { return to_enum(v, StatusCode::data_loss, "error code"); }

Result<std::int64_t> parse_cursor(const std::string& cursor) {
  if (cursor.empty()) return std::numeric_limits<std::int64_t>::max();
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(cursor.data(), cursor.data() + cursor.size(), v);
  if (ec != std::errc() || p != cursor.data() + cursor.size() || v <= 0)
    return invalid_argument("invalid cursor '" + cursor + "' (use the `next` of the previous page)");
  return v;
}

}  // namespace

std::unique_ptr<sql::Db> SqliteStore::take_reader() {
  {
    std::lock_guard lk(readers_mu_);
    if (!readers_.empty()) {
      auto db = std::move(readers_.back());
      readers_.pop_back();
      return db;
    }
  }
  auto db = std::make_unique<sql::Db>(path_, sql::OpenFlags{.create = false});
  sql::configure(*db, {.busy_timeout = options_.busy_timeout, .query_only = true});
  return db;
}

void SqliteStore::give_reader(std::unique_ptr<sql::Db> db) {
  std::lock_guard lk(readers_mu_);
  readers_.push_back(std::move(db));
}

std::vector<std::string> SqliteStore::node_order(sql::Db& db, const std::string& workflow, std::int64_t version) {
  auto key = std::make_pair(workflow, version);
  {
    std::lock_guard lk(order_mu_);
    auto it = node_orders_.find(key);
    if (it != node_orders_.end()) return it->second;
  }
  std::vector<std::string> order;
  auto s = db.prepare("SELECT definition FROM workflow_versions WHERE workflow = ?1 AND version = ?2");
  s.bind(1, workflow).bind(2, version);
  if (!s.step()) return order;  // not saved: checkpoints come in their stored order
  Value def = s.json(0);
  if (const Value* nodes = def.find("nodes"); nodes && nodes->is_array())
    for (const auto& n : nodes->as_array())
      if (const Value* id = n.find("id"); id && id->is_string()) order.push_back(id->as_string());
  std::lock_guard lk(order_mu_);
  node_orders_.emplace(std::move(key), order);
  return order;
}

std::vector<Checkpoint> SqliteStore::read_checkpoints(sql::Db& db, const std::string& run_id,
                                                      std::string_view packed) {
  std::vector<Checkpoint> out;
  auto s = db.prepare(kSelectCheckpoints);
  s.bind(1, run_id);
  while (s.step()) {
    Checkpoint cp;
    cp.run_id = run_id;
    cp.node_id = s.text(0);
    cp.status = node_status(s.int64(1));
    cp.output = s.json(2);
    cp.input = s.json(3);
    cp.port = s.text(4);
    cp.error_code = status_code(s.int64(5));
    cp.error = s.text(6);
    cp.attempts = static_cast<int>(s.int64(7));
    cp.started_ms = s.int64(8);
    cp.finished_ms = s.int64(9);
    cp.due_ms = s.int64(10);
    out.push_back(std::move(cp));
  }
  if (!packed.empty()) packed::merge_packed(out, packed::unpack(run_id, packed));
  return out;
}

// `row` is positioned on a row of kRunColumns.
RunRecord SqliteStore::read_run_row(sql::Db& db, sql::Stmt& row) {
  RunRecord r;
  r.id = row.text(1);
  r.workflow = row.text(2);
  r.workflow_version = row.int64(3);
  r.status = run_status(row.int64(4));
  r.trigger = row.json(5);
  r.response = row.json(6);
  r.error_code = status_code(row.int64(7));
  r.error = row.text(8);
  r.started_at_ms = row.int64(9);
  r.finished_at_ms = row.int64(10);

  std::vector<Checkpoint> cps = read_checkpoints(db, r.id, row.text_view(11));
  auto to_node = [](Checkpoint&& cp) {
    NodeRecord n;
    n.id = std::move(cp.node_id);
    n.status = cp.status;
    n.input = std::move(cp.input);
    n.output = std::move(cp.output);
    n.port = std::move(cp.port);
    n.error_code = cp.error_code;
    n.error = std::move(cp.error);
    n.attempts = cp.attempts;
    n.cached = cp.status == NodeStatus::succeeded && cp.attempts == 0;  // answered from the node cache
    n.started_at_ms = cp.started_ms;
    n.finished_at_ms = cp.finished_ms;
    if (cp.finished_ms > 0 && cp.started_ms > 0) n.duration_ms = static_cast<double>(cp.finished_ms - cp.started_ms);
    return n;
  };
  if (!is_final(r.status) && !cps.empty()) {
    bool waiting = std::any_of(cps.begin(), cps.end(), [](const Checkpoint& c) { return c.status == NodeStatus::waiting; });
    r.status = waiting ? RunStatus::waiting : RunStatus::running;
  }
  std::vector<std::string> order = node_order(db, r.workflow, r.workflow_version);
  std::vector<bool> used(cps.size(), false);
  r.nodes.reserve(std::max(order.size(), cps.size()));
  for (const auto& id : order) {
    auto it = std::find_if(cps.begin(), cps.end(), [&](const Checkpoint& c) { return c.node_id == id; });
    if (it == cps.end()) {
      NodeRecord n;
      n.id = id;
      r.nodes.push_back(std::move(n));
    } else {
      used[static_cast<std::size_t>(it - cps.begin())] = true;
      r.nodes.push_back(to_node(std::move(*it)));
    }
  }
  for (std::size_t i = 0; i < cps.size(); ++i)
    if (!used[i]) r.nodes.push_back(to_node(std::move(cps[i])));
  return r;
}

Result<RunRecord> SqliteStore::get_run(const std::string& run_id) {
  try {
    return with_reader([&](sql::Db& db) -> Result<RunRecord> {
      ReadTx tx(db);
      auto s = db.prepare(std::string("SELECT ") + kRunColumns + " FROM" + kRunsJoin + " WHERE r.id = ?1");
      s.bind(1, run_id);
      if (!s.step()) return not_found(where("no run '" + run_id + "'"));
      return read_run_row(db, s);
    });
  } catch (const std::exception& e) {
    return sql::to_status(e, where("get run '" + run_id + "'"));
  }
}

Result<RunPage> SqliteStore::list_runs(const RunQuery& query) {
  auto cursor = parse_cursor(query.cursor);
  if (!cursor.ok()) return cursor.status();
  const std::size_t limit = std::clamp<std::size_t>(query.limit == 0 ? 50 : query.limit, 1, 1000);
  std::string sql = std::string("SELECT ") + kRunColumns + " FROM" + kRunsJoin + " WHERE r.seq < ?1";
  if (!query.workflow.empty()) sql += " AND r.workflow = ?2";
  // running and waiting are derived from checkpoints: select every open run and
  // filter after reading.
  if (query.status) sql += is_final(*query.status) ? " AND r.status = ?3" : " AND r.status < 3";
  sql += " ORDER BY r.seq DESC";
  try {
    return with_reader([&](sql::Db& db) -> Result<RunPage> {
      ReadTx tx(db);
      RunPage page;
      auto s = db.prepare(sql);
      s.bind(1, *cursor);
      if (!query.workflow.empty()) s.bind(2, query.workflow);
      if (query.status && is_final(*query.status)) s.bind(3, static_cast<std::int64_t>(*query.status));
      std::int64_t last_seq = 0;
      while (s.step()) {
        RunRecord r = read_run_row(db, s);
        if (query.status && r.status != *query.status) continue;
        if (page.runs.size() == limit) {  // one more exists: there is a next page
          page.next = std::to_string(last_seq);
          break;
        }
        last_seq = s.int64(0);
        page.runs.push_back(std::move(r));
      }
      return page;
    });
  } catch (const std::exception& e) {
    return sql::to_status(e, where("list runs"));
  }
}

Result<std::vector<UnfinishedRun>> SqliteStore::unfinished_runs() {
  try {
    return with_reader([&](sql::Db& db) -> Result<std::vector<UnfinishedRun>> {
      ReadTx tx(db);
      std::vector<UnfinishedRun> out;
      // Packed nodes are written with a final outcome, so an unfinished run has
      // none; read them anyway, so that no recorded node would ever run again.
      auto s = db.prepare(
          "SELECT r.id, r.workflow, r.version, t.trigger, r.created_ms, r.nodes FROM runs r "
          "LEFT JOIN run_triggers t ON t.seq = r.seq WHERE r.status < 3 ORDER BY r.seq");
      while (s.step()) {
        UnfinishedRun u;
        u.run.id = s.text(0);
        u.run.workflow = s.text(1);
        u.run.workflow_version = s.int64(2);
        u.run.trigger = s.json(3);
        u.run.created_ms = s.int64(4);
        u.checkpoints = read_checkpoints(db, u.run.id, s.text_view(5));
        out.push_back(std::move(u));
      }
      return out;
    });
  } catch (const std::exception& e) {
    return sql::to_status(e, where("unfinished runs"));
  }
}

}  // namespace famulor::store
