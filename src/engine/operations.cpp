// EngineImpl: operating on runs — listing them, retrying a failed or cancelled
// run from a node, cancelling a run live here or known only to the store.
#include <algorithm>
#include <charconv>

#include "common/clock.hpp"
#include "engine/engine_impl.hpp"
#include "engine/scheduler.hpp"

namespace famulor::detail {
namespace {

constexpr std::size_t kDefaultPage = 50;
constexpr std::size_t kMaxPage = 1000;

std::size_t page_size(std::size_t limit) { return std::clamp<std::size_t>(limit == 0 ? kDefaultPage : limit, 1, kMaxPage); }

// A node whose recorded state a resume does not keep: it runs again anyway.
bool reruns(const NodeRecord& n, const CompiledNode& cn) {
  switch (n.status) {
    case NodeStatus::succeeded:
    case NodeStatus::skipped:
      return false;
    case NodeStatus::failed:
      return n.port != "error" && cn.on_error != OnError::continue_run;
    default:
      return true;  // pending, running, waiting, cancelled
  }
}

std::string version_name(const CompiledWorkflow& wf) {
  return "workflow '" + wf.id + "' v" + std::to_string(wf.version);
}

}  // namespace

Result<RunPage> EngineImpl::list_runs(const RunFilter& f) const {
  if (!store_error_.ok()) return store_error_;
  if (store::Store* st = journal.store()) {
    // Read this engine's own writes: what it queued (outcomes of runs that just
    // ended) is committed before the read.
    if (Status s = st->flush(); !s.ok()) return s;
    store::RunQuery q;
    q.workflow = f.workflow;
    q.status = f.status;
    q.limit = page_size(f.limit);
    q.cursor = f.cursor;
    auto page = st->list_runs(q);
    if (!page.ok()) return page.status();
    return RunPage{std::move(page->runs), std::move(page->next)};
  }
  // In memory: the live runs and the finished ones still kept; the cursor is an offset.
  std::size_t offset = 0;
  if (!f.cursor.empty()) {
    auto [p, ec] = std::from_chars(f.cursor.data(), f.cursor.data() + f.cursor.size(), offset);
    if (ec != std::errc() || p != f.cursor.data() + f.cursor.size())
      return invalid_argument("invalid cursor '" + f.cursor + "' (use the `next` of the previous page)");
  }
  std::vector<std::shared_ptr<RunShared>> all;
  {
    std::lock_guard lk(runs_mu_);
    for (const auto& [id, run] : live_) all.push_back(run);
    for (const auto& [id, run] : finished_) all.push_back(run->shared_from_this());
  }
  std::vector<RunRecord> records;
  for (const auto& run : all) {
    if (!f.workflow.empty() && run->wf->id != f.workflow) continue;
    RunRecord r = run->snapshot();
    if (f.status && r.status != *f.status) continue;
    records.push_back(std::move(r));
  }
  std::sort(records.begin(), records.end(), [](const RunRecord& a, const RunRecord& b) {
    return a.started_at_ms != b.started_at_ms ? a.started_at_ms > b.started_at_ms : a.id > b.id;
  });
  RunPage page;
  const std::size_t n = page_size(f.limit);
  for (std::size_t i = offset; i < records.size() && page.runs.size() < n; ++i) page.runs.push_back(std::move(records[i]));
  if (offset + n < records.size()) page.next = std::to_string(offset + n);
  return page;
}

Result<RunHandle> EngineImpl::retry(std::string_view run_id, const RetryOptions& o) {
  const std::string id(run_id);
  {
    std::lock_guard lk(runs_mu_);
    if (!accepting_) return failed_precondition("cannot retry run " + id + ": the engine is not running (call start())");
  }
  auto rec = get_run(id);
  if (!rec.ok()) return rec.status();
  if (rec->status != RunStatus::failed && rec->status != RunStatus::cancelled)
    return failed_precondition("run " + id + " is " + std::string(to_string(rec->status)) +
                               ": only a failed or cancelled run can be retried");
  Status why;
  auto wf = compiled_version(rec->workflow, o.use_current_version ? 0 : rec->workflow_version, why);
  if (!wf)
    return Status(why.code(), "cannot retry run " + id + ": workflow '" + rec->workflow + "' " +
                                  (o.use_current_version ? std::string("(current version)")
                                                         : "v" + std::to_string(rec->workflow_version)) +
                                  ": " + why.message());

  // The nodes to run again: from_node, or what failed the run (else what it cancelled).
  const std::size_t n = wf->nodes.size();
  std::vector<int> from;
  if (!o.from_node.empty()) {
    int i = wf->index_of(o.from_node);
    if (i < 0) return not_found("node '" + o.from_node + "' is not in " + version_name(*wf));
    from.push_back(i);
  } else {
    for (NodeStatus want : {NodeStatus::failed, NodeStatus::cancelled}) {
      for (const auto& nr : rec->nodes) {
        int i = wf->index_of(nr.id);
        if (i >= 0 && nr.status == want && reruns(nr, wf->nodes[static_cast<std::size_t>(i)])) from.push_back(i);
      }
      if (!from.empty()) break;
    }
  }
  // ... with everything after them (the outcomes that depended on them).
  std::vector<bool> drop(n, false);
  std::vector<int> stack = from;
  while (!stack.empty()) {
    int v = stack.back();
    stack.pop_back();
    if (drop[static_cast<std::size_t>(v)]) continue;
    drop[static_cast<std::size_t>(v)] = true;
    for (int ei : wf->nodes[static_cast<std::size_t>(v)].out_edges) stack.push_back(wf->edges[static_cast<std::size_t>(ei)].to);
  }
  for (const auto& nr : rec->nodes) {  // and what would run again anyway, so that no stale state is shown
    int i = wf->index_of(nr.id);
    if (i >= 0 && reruns(nr, wf->nodes[static_cast<std::size_t>(i)])) drop[static_cast<std::size_t>(i)] = true;
  }
  std::vector<std::string> drop_ids;
  for (std::size_t i = 0; i < n; ++i)
    if (drop[i]) drop_ids.push_back(wf->nodes[i].id);

  {
    std::lock_guard lk(runs_mu_);
    if (live_.count(id)) return failed_precondition("run " + id + " is running again already");
  }
  if (store::Store* st = journal.store())
    if (Status s = st->reset_for_retry(id, drop_ids, wf->version); !s.ok()) return s;
  {
    std::lock_guard lk(runs_mu_);  // the retried run takes the id's place in memory
    forget_finished_locked(id);
  }

  store::UnfinishedRun u;
  u.run = store::NewRun{id, wf->id, wf->version, rec->trigger, rec->started_at_ms};
  for (const auto& nr : rec->nodes) {
    int i = wf->index_of(nr.id);
    if (i < 0 || drop[static_cast<std::size_t>(i)]) continue;
    store::Checkpoint cp;
    cp.run_id = id;
    cp.node_id = nr.id;
    cp.status = nr.status;
    cp.input = nr.input;
    cp.output = nr.output;
    cp.port = nr.port;
    cp.error_code = nr.error_code;
    cp.error = nr.error;
    cp.attempts = nr.attempts;
    cp.started_ms = nr.started_at_ms;
    cp.finished_ms = nr.finished_at_ms;
    u.checkpoints.push_back(std::move(cp));
  }
  auto h = resume(u, std::move(wf), /*internal=*/false);
  if (!h.ok())
    return Status(h.status().code(), "run " + id + " was reset for its retry but did not start (" +
                                          h.status().message() + "); the next engine start resumes it");
  return h;
}

Status EngineImpl::cancel(std::string_view run_id) {
  const std::string id(run_id);
  if (auto h = find_run(id); h.ok()) {
    if (!h->done()) {
      h->cancel();
      RunRecord r = h->wait();  // settled by now, unless it finished on its own just before
      if (r.status == RunStatus::cancelled) return {};
      return failed_precondition("run " + id + " is already " + std::string(to_string(r.status)));
    }
    RunRecord r = h->snapshot();
    return failed_precondition("run " + id + " is already " + std::string(to_string(r.status)));
  }
  if (!store_error_.ok()) return store_error_;
  store::Store* st = journal.store();
  if (!st) return not_found("no run '" + id + "'");
  return st->cancel_run(id, "the run was cancelled", now_ms());
}

}  // namespace famulor::detail
