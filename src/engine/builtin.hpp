// engine/builtin.hpp — the interface built-in nodes implement (internal API).
//
// Custom nodes see only the public NodeCall. Built-ins get an ExecContext: the
// resolved params without a NodeCall allocation, item-template evaluation, the
// outputs of their predecessors, the engine (timers, child runs), and a synchronous
// completion path: execute() fills a NodeResult and returns true, which lets the
// scheduler continue with the next node inline. A built-in that must wait (wait,
// foreach, subworkflow) calls defer() and completes the returned NodeCall later.
//
// Thread-safety: execute() is called concurrently for different runs, like
// Node::invoke. An ExecContext belongs to one call of execute() and must not be kept.
#pragma once

#include <memory>
#include <string_view>

#include "engine/compiled.hpp"
#include "engine/run_state.hpp"
#include "famulor/node.hpp"

namespace famulor::detail {

class EngineImpl;

class ExecContext {
 public:
  ExecContext(RunShared& run, int node, const Value& params) noexcept : run_(run), node_(node), params_(params) {}

  const Value& params() const noexcept { return params_; }
  RunShared& run() const noexcept { return run_; }
  int node_index() const noexcept { return node_; }
  const CompiledNode& node() const noexcept { return run_.wf->nodes[static_cast<std::size_t>(node_)]; }
  EngineImpl& engine() const noexcept { return *run_.engine; }
  // Output of node `index` (expression numbering), or nullptr.
  const Value* output_of(int index) const noexcept { return run_.output_of(index); }
  // Evaluates an item template with `item`/`index` in scope.
  Result<Value> eval_item(const expr::ValueTemplate& t, const Value& item, std::int64_t index) const;

  // Switches this attempt to asynchronous completion and arms the node's timeout.
  // Complete the returned call exactly once, from any thread; execute() must then
  // return false. Calling it twice returns an empty call.
  NodeCall defer();
  std::shared_ptr<CallState> deferred() const noexcept { return call_; }

 private:
  RunShared& run_;
  int node_;
  const Value& params_;
  std::shared_ptr<CallState> call_;
};

class BuiltinNode : public Node {
 public:
  // Runs one attempt. Returns true with `out` filled when done now, or false after
  // defer() when the node completes later through the deferred NodeCall.
  // [Threading] an engine pool thread. [Locking] no engine lock is held.
  // [Exceptions] an escaping exception fails the node with `internal`.
  virtual bool execute(ExecContext& ctx, NodeResult& out) = 0;
  // Built-ins are never invoked through the public path.
  void invoke(NodeCall call) final;
};

}  // namespace famulor::detail
