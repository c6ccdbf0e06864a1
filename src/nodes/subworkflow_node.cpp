// subworkflow: starts another installed workflow as a child run.
#include <map>
#include <memory>
#include <string>

#include "engine/builtin.hpp"
#include "engine/engine_impl.hpp"
#include "engine/scheduler.hpp"
#include "nodes/builtin_nodes.hpp"

namespace famulor::detail {
namespace {

// The child's answer: its response when a respond node ran, else the output of its
// last succeeded node in workflow order (null when none).
Value child_output(const RunShared& r) {
  if (r.responded) return r.response_value();
  for (std::size_t i = r.size(); i-- > 0;)
    if (const Value* v = r.output_of(static_cast<int>(i))) return *v;
  return Value();
}

class SubworkflowNode final : public BuiltinNode {
 public:
  bool execute(ExecContext& ctx, NodeResult& out) override {
    std::string id = ctx.params().get_string("workflow");
    const Value* input = ctx.params().find("input");
    bool wait = ctx.params().get_bool("wait", true);
    RunShared& run = ctx.run();
    auto child = ctx.engine().run_workflow(id, input ? *input : run.trigger_ref(), run.depth + 1);
    if (!child.ok()) {
      out.status = Status(child.status().code(), "subworkflow '" + id + "': " + child.status().message());
      return true;
    }
    std::shared_ptr<RunShared> c = std::move(child.value());
    if (!wait) {
      out.output = Value::object({{"run_id", c->id}});
      return true;
    }
    auto call = std::make_shared<NodeCall>(ctx.defer());
    if (!ctx.deferred()->adopt_child(c)) {
      halt_run(*c, RunStatus::cancelled, Status(StatusCode::cancelled, "the parent node ended"));
      return false;
    }
    on_run_done(*c, [call, id](const RunShared& r) {
      if (r.status == RunStatus::succeeded) {
        call->succeed(child_output(r));
      } else {
        StatusCode code = r.status == RunStatus::cancelled ? StatusCode::cancelled : r.error_code;
        if (code == StatusCode::ok) code = StatusCode::internal;
        call->fail(Status(code, "subworkflow '" + id + "' run " + r.id + " " + std::string(to_string(r.status)) +
                                    (r.error.empty() ? "" : ": " + r.error)));
      }
    });
    return false;
  }
};

}  // namespace

void add_subworkflow_node(std::map<std::string, NodeFactory, std::less<>>& out) {
  out["subworkflow"] = [](const NodeSpec&) -> Result<std::unique_ptr<Node>> {
    return std::unique_ptr<Node>(std::make_unique<SubworkflowNode>());
  };
}

}  // namespace famulor::detail
