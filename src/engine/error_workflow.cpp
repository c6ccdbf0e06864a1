// Error workflows: when a top-level run ends failed, its workflow's
// settings.error_workflow and every installed `workflow.failed` workflow that
// watches it get a run whose trigger describes the failed run.
#include <cstdio>

#include "engine/engine_impl.hpp"

namespace famulor::detail {
namespace {

// Whether a workflow.failed trigger watches `workflow` (no `workflows` list: all).
bool watches(const CompiledWorkflow& watcher, const std::string& workflow) {
  const Value* list = watcher.workflow.trigger().config.find("workflows");
  if (!list || !list->is_array()) return true;
  for (const auto& v : list->as_array())
    if (v.is_string() && v.as_string() == workflow) return true;
  return false;
}

// {"run_id", "workflow", "workflow_version", "error": {"code", "message"},
//  "failed_node": id or null, "run": the run JSON}
Value failure_payload(const RunRecord& rec, const CompiledWorkflow& wf) {
  Value failed_node;
  for (const auto& n : rec.nodes) {
    int i = wf.index_of(n.id);
    if (n.status == NodeStatus::failed && i >= 0 && wf.nodes[static_cast<std::size_t>(i)].on_error == OnError::stop) {
      failed_node = n.id;
      break;
    }
  }
  return Value::object({{"run_id", rec.id},
                        {"workflow", rec.workflow},
                        {"workflow_version", rec.workflow_version},
                        {"error", Value::object({{"code", std::string(to_string(rec.error_code))}, {"message", rec.error}})},
                        {"failed_node", std::move(failed_node)},
                        {"run", rec.to_json()}});
}

}  // namespace

void EngineImpl::start_error_workflows(RunShared& run) {
  const CompiledWorkflow& wf = *run.wf;
  // No error workflow for an error workflow's own failure: no loops.
  if (run.error_run || wf.workflow.trigger().type == "workflow.failed") return;
  const std::string named = wf.workflow.settings().get_string("error_workflow");
  std::vector<std::shared_ptr<const CompiledWorkflow>> targets;
  bool named_found = named.empty();
  {
    std::shared_lock lk(wf_mu_);
    if (!named.empty())
      if (auto it = workflows_.find(named); it != workflows_.end() && named != wf.id) {
        targets.push_back(it->second->wf);
        named_found = true;
      }
    for (const auto& [id, inst] : workflows_)
      if (id != wf.id && id != named && inst->wf->workflow.trigger().type == "workflow.failed" &&
          watches(*inst->wf, wf.id))
        targets.push_back(inst->wf);
  }
  if (!named_found && named != wf.id) {
    // Not installed here (e.g. `famulor runs retry`, which installs nothing): the
    // store's current version, when there is one.
    Status why = not_found("no store");
    if (journal.enabled())
      if (auto stored = compiled_version(named, 0, why)) {
        targets.push_back(std::move(stored));
        named_found = true;
      }
    if (!named_found)
      std::fprintf(stderr, "famulor: run %s of workflow '%s' failed; its error workflow '%s' is not installed (%s)\n",
                   run.id.c_str(), wf.id.c_str(), named.c_str(), why.message().c_str());
  }
  if (targets.empty()) return;
  const Value payload = failure_payload(run.snapshot(), wf);
  for (const auto& target : targets) {
    auto r = new_run(target, payload, 0);
    r->error_run = true;
    auto started = accept_and_launch({r}, {}, /*internal=*/true);
    if (!started.ok())
      std::fprintf(stderr, "famulor: run %s failed; error workflow '%s' did not start: %s\n", run.id.c_str(),
                   target->id.c_str(), started.status().to_string().c_str());
  }
}

}  // namespace famulor::detail
