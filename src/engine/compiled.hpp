// engine/compiled.hpp — CompiledWorkflow: a Workflow turned into what the scheduler
// runs (internal API).
//
// Compilation happens once per install: nodes by index, successor edges with their
// port filters, predecessor counts, compiled params (one expr::ValueTemplate per
// node for its `value` params, separate templates for item templates, a nested
// CompiledWorkflow for a foreach body) and one Node object per workflow node,
// created by the node type's factory.
//
// Thread-safety: immutable after compile(); shared by every run of that version
// through shared_ptr<const CompiledWorkflow>, so a running run keeps its version
// while a new one is installed.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/metrics.hpp"
#include "engine/node_cache.hpp"
#include "expr/expr.hpp"
#include "famulor/node.hpp"
#include "famulor/status.hpp"
#include "famulor/value.hpp"
#include "famulor/workflow.hpp"

namespace famulor::detail {

class BuiltinNode;
struct CompiledWorkflow;

struct CompiledEdge {
  int from = -1;
  int to = -1;
  std::string port;  // "" = any success of `from`; else the port it must take ("error" included)
};

struct ItemTemplate {
  std::string name;
  expr::ValueTemplate tmpl;
};

struct CompiledNode {
  std::string id;
  std::string type;
  const NodeSpec* spec = nullptr;  // points into CompiledWorkflow::workflow (or its body specs)
  expr::ValueTemplate params;      // the `value` params as one object
  Value raw_params;                // `raw` and `item_template` params as written (object), appended to params
  std::vector<ItemTemplate> item_templates;
  std::shared_ptr<const CompiledWorkflow> body;  // Kind::nodes param (foreach)
  std::unique_ptr<Node> impl;
  BuiltinNode* builtin = nullptr;  // impl as a BuiltinNode, when it is one
  std::vector<int> out_edges;      // indices into CompiledWorkflow::edges
  std::vector<int> in_edges;
  Join join = Join::all;
  RetryPolicy retry;
  std::optional<std::chrono::milliseconds> timeout;
  OnError on_error = OnError::stop;
  bool disabled = false;
  // It may run before its run's accept is committed: a built-in with no effect
  // outside the run (no call out, no timer, no child run), without retries.
  bool before_accept = false;
  std::optional<CachePolicy> cache;  // the node's `cache` key
  // `fallback` (used when the node's retries are exhausted): a value template, or
  // the index of a sibling node run in its place.
  std::optional<expr::ValueTemplate> fallback_value;
  int fallback_node = -1;
  int fallback_for = -1;  // this node is the fallback of that node: it runs only in its place
  std::unique_ptr<metrics::NodeDurations> durations;  // the node type's duration series

  const ItemTemplate* item_template(std::string_view name) const noexcept;
};

struct CompiledWorkflow {
  Workflow workflow;                  // the definition (owns the NodeSpecs top-level nodes point at)
  std::vector<NodeSpec> body_specs;   // owns the NodeSpecs of a foreach body (body workflows only)
  std::string id;
  std::int64_t version = 0;
  std::vector<CompiledNode> nodes;    // workflow order
  std::vector<CompiledEdge> edges;
  std::vector<int> roots;             // nodes without `after`
  std::vector<int> topo;              // a topological order
  Value vars;                         // settings.vars (null when absent)
  Value env;                          // {NAME: value} of allowed environment variables
  std::optional<std::chrono::milliseconds> timeout;  // settings.timeout
  int fallback_only = 0;                             // nodes that run only as a fallback
  int concurrency = 0;                               // settings.concurrency; 0 = no limit of its own
  bool store_transcript = true;                      // settings.store_transcript
  std::optional<expr::Template> trigger_filter;      // trigger.filter
  bool is_body = false;               // a foreach body: node indices >= nodes.size() are the outer run's
  // The workflow's run metrics (top-level workflows; null for a foreach body).
  std::unique_ptr<metrics::WorkflowRuns> run_metrics;
  int index_of(std::string_view node_id) const noexcept;
};

// What compile() needs from the engine: the catalog for param kinds and the node factories.
struct CompileContext {
  const Catalog* catalog = nullptr;
  // The factory for a node type, or nullptr when none is registered.
  std::function<const NodeFactory*(std::string_view type)> factory;
  std::vector<std::string> allowed_env;  // EngineOptions::allowed_env
  std::int64_t version = 0;              // the recorded version (store); 0 = the definition's
};

// Compiles an installed workflow. Errors name the node and the problem.
Result<std::shared_ptr<const CompiledWorkflow>> compile_workflow(Workflow workflow, const CompileContext& ctx);

}  // namespace famulor::detail
