// The writer thread of SqliteStore: queue, group commit, callbacks.
#include <cstdio>
#include <algorithm>
#include <future>
#include <iterator>
#include <string_view>

#include "common/clock.hpp"

#include "store/sqlite_store_impl.hpp"

namespace famulor::store {
namespace {

constexpr const char* kSelectDedupe = "SELECT run_ids FROM dedupe WHERE key = ?1";
constexpr const char* kInsertRun =
    "INSERT INTO runs(id, workflow, version, status, created_ms) VALUES(?1, ?2, ?3, 0, ?4)";
// A run that finished before its accept was written (EarlyOutcome): one row, final.
// Its status is final, so the partial index runs_open never holds it.
constexpr const char* kInsertFinishedRun =
    "INSERT INTO runs(id, workflow, version, status, created_ms, response, error_code, error, finished_ms, nodes) "
    "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";
// Right after kInsertRun: its seq is last_insert_rowid().
constexpr const char* kInsertTrigger = "INSERT INTO run_triggers(seq, trigger) VALUES(last_insert_rowid(), ?1)";
constexpr const char* kInsertDedupe = "INSERT INTO dedupe(key, run_ids, created_ms) VALUES(?1, ?2, ?3)";
constexpr const char* kUpsertSchedule =
    "INSERT INTO schedules(workflow, last_slot_ms) VALUES(?1, ?2) "
    "ON CONFLICT(workflow) DO UPDATE SET last_slot_ms = max(last_slot_ms, excluded.last_slot_ms)";
constexpr const char* kUpsertCheckpoint =
    "INSERT OR REPLACE INTO checkpoints(run, node, status, output, input, port, error_code, error, attempts, "
    "started_ms, finished_ms, due_ms) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)";
constexpr const char* kFinishRun =
    "UPDATE runs SET status = ?2, response = ?3, error_code = ?4, error = ?5, finished_ms = ?6, nodes = ?7 "
    "WHERE id = ?1 AND status < 3";  // the first outcome wins (a cancel from another process)

// Compact JSON text of v, "" for null (stored as SQL NULL: lean rows).
std::string json_text(const Value& v) {
  std::string out;
  if (!v.is_null()) v.dump_to(out);
  return out;
}

template <typename T>
bool holds(const auto& item) {
  return std::holds_alternative<T>(item.v);
}

}  // namespace

void SqliteStore::enqueue(Item item) {
  {
    std::lock_guard lk(mu_);
    if (!stopping_) {
      // Wake the writer for what a caller waits on, for a full batch, and for the
      // first lazy item when the writer sleeps without a timeout (it then sleeps
      // until that item is due); other lazy items ride along without a wake-up.
      bool wake = item.urgent;
      if (item.urgent) {
        ++urgent_queued_;
      } else if (!lazy_armed_) {
        lazy_armed_ = true;
        lazy_due_ = std::chrono::steady_clock::now() + options_.checkpoint_delay;
        wake = writer_asleep_;
      }
      queue_.push_back(std::move(item));
      if (wake || queue_.size() == options_.max_batch) cv_.notify_one();
      return;
    }
  }
  item.status = failed_precondition(where("store is closed"));
  complete(item);
}

void SqliteStore::accept(AcceptRequest request, std::function<void(Result<AcceptResult>)> done) {
  std::vector<std::string> triggers(request.runs.size());
  for (std::size_t i = 0; i < triggers.size(); ++i) {
    const NewRun& r = request.runs[i];
    triggers[i] = json_text(r.trigger_ref ? *r.trigger_ref : r.trigger);
    request.runs[i].trigger = Value();
    request.runs[i].trigger_ref = nullptr;
  }
  enqueue(Item{AcceptItem{std::move(request), std::move(triggers), std::move(done), {}}, {}});
}

bool SqliteStore::finish_early(EarlyOutcome& early, const RunOutcome& o, const std::vector<Checkpoint>& nodes) {
  {
    std::lock_guard lk(early.m);
    if (early.state != EarlyOutcome::State::open) return false;  // before building the text
  }
  // The text is built here, on the engine's thread: the writer only binds it.
  std::string text;
  if (!nodes.empty()) {
    std::size_t n = 2;
    for (const Checkpoint& cp : nodes) n += 192 + cp.node_id.size() + cp.output_json.size() + cp.error.size();
    text.reserve(n);
    text += '[';
    for (const Checkpoint& cp : nodes) {
      if (text.size() > 1) text += ',';
      if (cp.output_ref) {
        packed::append_record(text, cp, {}, json_text(cp.input), nullptr, cp.output_ref);
        continue;
      }
      const std::string output = cp.output_json.empty() ? json_text(cp.output) : std::string();
      packed::append_record(text, cp, cp.output_json.empty() ? std::string_view(output) : cp.output_json,
                            json_text(cp.input));
    }
    text += ']';
  }
  std::string response = json_text(o.response);
  std::lock_guard lk(early.m);
  if (early.state != EarlyOutcome::State::open) return false;
  early.state = EarlyOutcome::State::finished;
  early.status = static_cast<int>(o.status);
  early.error_code = static_cast<int>(o.error_code);
  early.error = o.error;
  early.finished_ms = o.finished_ms;
  early.response_json = std::move(response);
  early.nodes_json = std::move(text);
  return true;
}

void SqliteStore::checkpoint(Checkpoint cp, Done done) {
  std::string output = cp.output_json.empty() ? json_text(cp.output) : std::move(cp.output_json);
  std::string input = json_text(cp.input);
  cp.output = Value();
  cp.input = Value();
  cp.output_json.clear();
  packed::Record record = packed::make_record(cp, output, input);
  enqueue(Item{CheckpointItem{std::move(cp), std::move(record), std::move(done)}, {}, false});
}

void SqliteStore::finish_run(RunOutcome outcome, Done done) {
  std::string response = json_text(outcome.response);
  outcome.response = Value();
  enqueue(Item{FinishItem{std::move(outcome), std::move(response), std::move(done)}, {}, false});
}

void SqliteStore::audit(AuditEntry entry, Done done) {
  if (entry.at_ms == 0) entry.at_ms = detail::now_ms();
  enqueue(Item{AuditItem{std::move(entry), std::move(done)}, {}, false});
}

Status SqliteStore::flush() {
  if (std::this_thread::get_id() == writer_.get_id())
    return failed_precondition(where("flush() called from a store callback (the writer thread)"));
  auto p = std::make_shared<std::promise<Status>>();
  auto f = p->get_future();
  enqueue(Item{BarrierItem{[p](Status s) { p->set_value(std::move(s)); }}, {}});
  return f.get();
}

Status SqliteStore::run_on_writer(std::function<Status(sql::Db&)> fn) {
  if (std::this_thread::get_id() == writer_.get_id()) {
    try {
      return fn(*writer_db_);
    } catch (const std::exception& e) {
      return sql::to_status(e, where("write"));
    }
  }
  auto p = std::make_shared<std::promise<Status>>();
  auto f = p->get_future();
  enqueue(Item{TaskItem{std::move(fn), [p](Status s) { p->set_value(std::move(s)); }}, {}});
  return f.get();
}

void SqliteStore::wait_for_work(std::unique_lock<std::mutex>& lk, bool linger) {
  const std::size_t full = std::max<std::size_t>(options_.max_batch, 1);
  auto linger_until = std::chrono::steady_clock::now() + options_.checkpoint_delay;
  for (;;) {
    if (stopping_ || urgent_queued_ > 0 || queue_.size() >= full) return;
    if (!queue_.empty()) {
      if (cv_.wait_until(lk, lazy_due_) == std::cv_status::timeout) return;
    } else if (linger) {
      if (cv_.wait_until(lk, linger_until) == std::cv_status::timeout) linger = false;
    } else {
      writer_asleep_ = true;
      cv_.wait(lk);
      writer_asleep_ = false;
    }
  }
}

void SqliteStore::writer_loop() {
  std::vector<Item> batch;
  bool committed = false;
  for (;;) {
    {
      std::unique_lock lk(mu_);
      wait_for_work(lk, committed);
      committed = true;
      if (queue_.empty()) return;  // stopping, and everything is committed
      const std::size_t n = std::min(queue_.size(), std::max<std::size_t>(options_.max_batch, 1));
      if (n == queue_.size()) {
        batch.swap(queue_);  // batch was cleared: queue_ gets its buffer back
      } else {
        batch.reserve(n);
        std::move(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n), std::back_inserter(batch));
        queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n));
      }
      for (const auto& item : batch)
        if (item.urgent) --urgent_queued_;
      // What is left (the batch was full) keeps the due time it had.
      if (queue_.empty()) lazy_armed_ = false;
    }
    process(batch);
    for (auto& item : batch) complete(item);
    batch.clear();
  }
}

void SqliteStore::process(std::vector<Item>& batch) {
  std::size_t i = 0;
  while (i < batch.size()) {
    if (auto* task = std::get_if<TaskItem>(&batch[i].v)) {
      try {
        batch[i].status = task->fn(*writer_db_);
      } catch (const std::exception& e) {
        batch[i].status = sql::to_status(e, where("write"));
      }
      ++i;
      continue;
    }
    std::size_t j = i;
    bool writes = false;
    while (j < batch.size() && !holds<TaskItem>(batch[j])) {
      writes = writes || !holds<BarrierItem>(batch[j]);
      ++j;
    }
    if (writes) commit_range(batch, i, j);
    i = j;
  }
}

// One transaction for [begin, end). When it fails, each request is retried in a
// transaction of its own so that one bad request fails alone.
void SqliteStore::commit_range(std::vector<Item>& batch, std::size_t begin, std::size_t end) {
  pack_outcomes(batch, begin, end);
  try {
    sql::Transaction tx(*writer_db_);
    for (std::size_t k = begin; k < end; ++k) apply(*writer_db_, batch[k]);
    tx.commit();
    return;
  } catch (const std::exception& e) {
    if (end - begin == 1) {
      batch[begin].status = sql::to_status(e, where("commit"));
      return;
    }
  }
  unpack_all(batch, begin, end);  // alone, each checkpoint is its own row
  for (std::size_t k = begin; k < end; ++k) {
    if (holds<BarrierItem>(batch[k])) continue;
    try {
      sql::Transaction tx(*writer_db_);
      apply(*writer_db_, batch[k]);
      tx.commit();
    } catch (const std::exception& e) {
      batch[k].status = sql::to_status(e, where("commit"));
    }
  }
}

void SqliteStore::pack_outcomes(std::vector<Item>& batch, std::size_t begin, std::size_t end) {
  // (run id, its outcome's index), sorted by id; npos for a run that cannot be
  // packed (two outcomes, or a checkpoint queued after its outcome: rows keep
  // their order). A sorted vector the writer keeps: no allocation per batch.
  constexpr std::size_t npos = static_cast<std::size_t>(-1);
  auto& finishing = finishing_;
  finishing.clear();
  for (std::size_t k = begin; k < end; ++k)
    if (auto* f = std::get_if<FinishItem>(&batch[k].v)) finishing.emplace_back(f->outcome.run_id, k);
  if (finishing.empty()) return;
  std::sort(finishing.begin(), finishing.end());
  // Equal ids are adjacent: a run with two outcomes is not packed.
  for (std::size_t i = 1; i < finishing.size(); ++i)
    if (finishing[i].first == finishing[i - 1].first) finishing[i].second = finishing[i - 1].second = npos;
  auto find = [&](std::string_view id) -> std::size_t* {
    auto it = std::lower_bound(finishing.begin(), finishing.end(), id,
                               [](const auto& e, std::string_view key) { return e.first < key; });
    return it != finishing.end() && it->first == id ? &it->second : nullptr;
  };
  for (std::size_t k = begin; k < end; ++k)
    if (auto* c = std::get_if<CheckpointItem>(&batch[k].v))
      if (std::size_t* at = find(c->cp.run_id); at && *at != npos && *at < k) *at = npos;
  for (std::size_t k = begin; k < end; ++k)
    if (auto* c = std::get_if<CheckpointItem>(&batch[k].v)) {
      std::size_t* at = find(c->cp.run_id);
      if (!at || *at == npos) continue;
      c->packed = true;
      auto& nodes = std::get<FinishItem>(batch[*at].v).nodes;
      if (nodes.empty()) nodes.reserve(8);  // one allocation for most runs
      nodes.push_back(c);
    }
}

void SqliteStore::unpack_all(std::vector<Item>& batch, std::size_t begin, std::size_t end) {
  for (std::size_t k = begin; k < end; ++k) {
    if (auto* c = std::get_if<CheckpointItem>(&batch[k].v)) c->packed = false;
    if (auto* f = std::get_if<FinishItem>(&batch[k].v)) f->nodes.clear();
  }
}

bool SqliteStore::insert_finished_run(sql::Db& db, const NewRun& r) {
  EarlyOutcome& e = *r.early;
  std::lock_guard lk(e.m);
  // Written open: from now on the run's records are queued after this accept.
  // (Written again the same way when the batch is retried item by item.)
  if (e.state != EarlyOutcome::State::finished) {
    e.state = EarlyOutcome::State::written;
    return false;
  }
  db.prepare(kInsertFinishedRun)
      .bind_static(1, r.id)
      .bind_static(2, r.workflow)
      .bind(3, r.workflow_version)
      .bind(4, static_cast<std::int64_t>(e.status))
      .bind(5, r.created_ms)
      .bind_static(6, e.response_json, true)
      .bind(7, static_cast<std::int64_t>(e.error_code))
      .bind_static(8, e.error, true)
      .bind(9, e.finished_ms)
      .bind_static(10, e.nodes_json, true)
      .run();
  return true;
}

void SqliteStore::write_checkpoint_row(sql::Db& db, const CheckpointItem& c) {
  const Checkpoint& cp = c.cp;
  db.prepare(kUpsertCheckpoint)
      .bind_static(1, cp.run_id)
      .bind_static(2, cp.node_id)
      .bind(3, static_cast<std::int64_t>(cp.status))
      .bind_static(4, c.record.output(), true)
      .bind_static(5, c.record.input(), true)
      .bind_static(6, cp.port, true)
      .bind(7, static_cast<std::int64_t>(cp.error_code))
      .bind_static(8, cp.error, true)
      .bind(9, cp.attempts)
      .bind(10, cp.started_ms)
      .bind(11, cp.finished_ms)
      .bind(12, cp.due_ms)
      .run();
}

void SqliteStore::apply(sql::Db& db, Item& item) {
  if (auto* a = std::get_if<AcceptItem>(&item.v)) {
    const AcceptRequest& req = a->request;
    a->result = AcceptResult{};
    if (!req.dedupe_key.empty()) {
      auto s = db.prepare(kSelectDedupe);
      s.bind(1, req.dedupe_key);
      if (s.step()) {
        Value ids = s.json(0);
        a->result.duplicate = true;
        if (ids.is_array())
          for (const auto& v : ids.as_array())
            if (v.is_string()) a->result.run_ids.push_back(v.as_string());
        return;
      }
    }
    Array ids;  // for the dedupe row
    if (!req.dedupe_key.empty()) ids.reserve(req.runs.size());
    for (std::size_t i = 0; i < req.runs.size(); ++i) {
      const NewRun& r = req.runs[i];
      if (!r.early || !insert_finished_run(db, r))
        db.prepare(kInsertRun)
            .bind_static(1, r.id)
            .bind_static(2, r.workflow)
            .bind(3, r.workflow_version)
            .bind(4, r.created_ms)
            .run();
      if (!a->triggers[i].empty()) db.prepare(kInsertTrigger).bind_static(1, a->triggers[i]).run();
      a->result.run_ids.push_back(r.id);
      if (!req.dedupe_key.empty()) ids.emplace_back(r.id);
    }
    if (!req.dedupe_key.empty()) {
      std::int64_t created = req.runs.empty() ? 0 : req.runs.front().created_ms;
      if (created == 0) created = detail::now_ms();
      db.prepare(kInsertDedupe).bind(1, req.dedupe_key).bind(2, Value(std::move(ids)).dump()).bind(3, created).run();
    }
    if (!req.schedule_workflow.empty())
      db.prepare(kUpsertSchedule).bind(1, req.schedule_workflow).bind(2, req.schedule_slot_ms).run();
  } else if (auto* c = std::get_if<CheckpointItem>(&item.v)) {
    if (!c->packed) write_checkpoint_row(db, *c);
  } else if (auto* au = std::get_if<AuditItem>(&item.v)) {
    const AuditEntry& e = au->entry;
    db.prepare(
          "INSERT INTO audit(at_ms, actor, action, target, outcome, workflow, run, node, http_status, duration_ms) "
          "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)")
        .bind(1, e.at_ms)
        .bind_static(2, e.actor)
        .bind_static(3, e.action)
        .bind_static(4, e.target, true)
        .bind_static(5, e.outcome)
        .bind_static(6, e.workflow, true)
        .bind_static(7, e.run_id, true)
        .bind_static(8, e.node, true)
        .bind(9, static_cast<std::int64_t>(e.http_status))
        .bind(10, e.duration_ms)
        .run();
  } else if (auto* f = std::get_if<FinishItem>(&item.v)) {
    const RunOutcome& o = f->outcome;
    std::string nodes;
    if (!f->nodes.empty()) {
      std::size_t n = 1;
      for (const CheckpointItem* c : f->nodes) n += c->record.text.size() + 1;
      nodes.reserve(n);
      nodes += '[';
      for (const CheckpointItem* c : f->nodes) {
        if (nodes.size() > 1) nodes += ',';
        nodes += c->record.text;
      }
      nodes += ']';
    }
    db.prepare(kFinishRun)
        .bind_static(1, o.run_id)
        .bind(2, static_cast<std::int64_t>(o.status))
        .bind_static(3, f->response, true)
        .bind(4, static_cast<std::int64_t>(o.error_code))
        .bind_static(5, o.error, true)
        .bind(6, o.finished_ms)
        .bind_static(7, nodes, true)
        .run();
    // The run already has an outcome (cancelled by another process): it keeps it,
    // and the node records become rows as they would have without packing.
    if (!f->nodes.empty() && db.changes() == 0)
      for (const CheckpointItem* c : f->nodes) write_checkpoint_row(db, *c);
  }
}

void SqliteStore::complete(Item& item) noexcept {
  try {
    std::visit(
        [&](auto& it) {
          using T = std::decay_t<decltype(it)>;
          if constexpr (std::is_same_v<T, AcceptItem>) {
            if (!it.done) return;
            if (item.status.ok())
              it.done(std::move(it.result));
            else
              it.done(item.status);
          } else {
            if (it.done) it.done(item.status);
          }
        },
        item.v);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "famulor store: a store callback threw (ignored): %s\n", e.what());
  } catch (...) {
    std::fprintf(stderr, "famulor store: a store callback threw a non-standard exception (ignored)\n");
  }
}

}  // namespace famulor::store
