// EngineImpl and the store: opening it from EngineOptions::db, recording workflow
// versions, resuming unfinished runs on start(), handles for runs that are only in
// the store (a redelivered event after a restart).
#include <cstdio>

#include "engine/engine_impl.hpp"
#include "engine/scheduler.hpp"
#include "store/sqlite_store.hpp"

namespace famulor::detail {

std::unique_ptr<store::Store> EngineImpl::open_store(const EngineOptions& o, Status& error) {
  if (o.db.empty()) return nullptr;
  auto r = store::open_sqlite_store(o.db);
  if (!r.ok()) {
    error = r.status();
    return nullptr;
  }
  return std::move(r).value();
}

Result<std::int64_t> EngineImpl::record_version(const Workflow& wf) {
  store::Store* st = journal.store();
  if (!st) return wf.version();
  return st->save_workflow(wf.id(), wf.definition());
}

std::shared_ptr<const CompiledWorkflow> EngineImpl::compiled_version(const std::string& id, std::int64_t version,
                                                                     Status& why) {
  auto current = compiled(id);
  if (current && (version == 0 || current->version == version)) return current;
  {
    std::lock_guard lk(versions_mu_);
    auto it = old_versions_.find({id, version});
    if (it != old_versions_.end()) return it->second;
  }
  store::Store* st = journal.store();
  if (!st) {
    why = not_found("workflow '" + id + "' is not installed");
    return nullptr;
  }
  auto def = st->load_workflow(id, version);
  if (!def.ok()) {
    why = def.status();
    return nullptr;
  }
  if (version == 0) {  // the store's current version: now known by number
    version = def->version;
    if (current && current->version == version) return current;
    std::lock_guard lk(versions_mu_);
    auto it = old_versions_.find({id, version});
    if (it != old_versions_.end()) return it->second;
  }
  WorkflowParseOptions po;
  po.file = "<stored workflow " + id + " v" + std::to_string(version) + ">";
  po.catalog = &catalog;
  auto parsed = Workflow::parse(def->definition.dump(), po);
  if (!parsed.ok()) {
    why = parsed.status();
    return nullptr;
  }
  CompileContext ctx;
  ctx.catalog = &catalog;
  ctx.factory = [this](std::string_view t) { return node_factory(t); };
  ctx.allowed_env = options.allowed_env;
  ctx.version = version;
  auto c = compile_workflow(std::move(parsed.value()), ctx);
  if (!c.ok()) {
    why = c.status();
    return nullptr;
  }
  std::lock_guard lk(versions_mu_);
  old_versions_.emplace(std::make_pair(id, version), c.value());
  return c.value();
}

Status EngineImpl::resume_unfinished() {
  store::Store* st = journal.store();
  if (!st) return {};
  auto runs = st->unfinished_runs();
  if (!runs.ok()) return runs.status();
  for (const auto& u : runs.value()) {
    {
      std::lock_guard lk(runs_mu_);
      if (live_.count(u.run.id)) continue;  // already running in this engine (start after stop)
    }
    Status why;
    auto wf = compiled_version(u.run.workflow, u.run.workflow_version, why);
    if (!wf) {  // left in the store: it resumes once its workflow is installed
      std::fprintf(stderr, "famulor: run %s not resumed: %s\n", u.run.id.c_str(), why.to_string().c_str());
      continue;
    }
    auto h = resume(u, std::move(wf));
    if (!h.ok())
      std::fprintf(stderr, "famulor: run %s not resumed: %s\n", u.run.id.c_str(), h.status().to_string().c_str());
  }
  return {};
}

Result<RunHandle> EngineImpl::stored_run(const std::string& id) {
  store::Store* st = journal.store();
  if (!st) return not_found("no run '" + id + "'");
  auto rec = st->get_run(id);
  if (!rec.ok()) return rec.status();
  Status why;
  auto wf = compiled_version(rec->workflow, rec->workflow_version, why);
  if (!wf) return why;
  auto run = std::make_shared<RunShared>();
  run->engine = this;
  run->id = rec->id;
  run->trigger = rec->trigger;
  run->slots = std::make_unique<NodeSlot[]>(wf->nodes.size());
  for (const auto& n : rec->nodes) {
    int i = wf->index_of(n.id);
    if (i < 0) continue;
    NodeSlot& s = run->slots[static_cast<std::size_t>(i)];
    s.status = n.status;
    s.output = n.output;
    s.input = n.input;
    s.port = n.port;
    s.error_code = n.error_code;
    s.error = n.error;
    s.attempts = n.attempts;
    s.started_ms = n.started_at_ms;
    s.finished_ms = n.finished_at_ms;
    s.duration_ms = n.duration_ms;
    s.resolved = true;
    s.published.store(true);
  }
  run->wf = std::move(wf);
  run->status = rec->status;
  run->response = rec->response;
  run->error_code = rec->error_code;
  run->error = rec->error;
  run->started_ms = rec->started_at_ms;
  run->finished_ms = rec->finished_at_ms;
  // A detached view: never started, so the engine does not count it; waiters see
  // it settled (its state is what the store knew when asked).
  run->settled = true;
  run->final_flag.store(true);
  return RunHandle(std::move(run));
}

}  // namespace famulor::detail
