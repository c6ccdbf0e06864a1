// famulor/node.hpp — Node: the extension point for one workflow step.
//
// A host registers a node type (NodeTypeInfo from workflow.hpp + a factory) with
// Engine::register_node. At install the engine creates one Node object per workflow
// node of that type; every run of that workflow calls invoke() on it, possibly
// concurrently from several threads.
//
// Thread-safety: invoke() is called concurrently from engine pool threads; a Node
// must be safe for that (keep per-run state in the NodeCall, not in members).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "famulor/status.hpp"
#include "famulor/value.hpp"
#include "famulor/workflow.hpp"

namespace famulor {

namespace detail {
struct CallState;  // engine-internal
}

// One invocation of a node in one run. A cheap, movable handle; complete it
// exactly once with succeed() or fail(). Completing twice is ignored (and counted
// as a bug in debug builds); dropping it without completing fails the node with
// `internal`.
class NodeCall {
 public:
  explicit NodeCall(std::shared_ptr<detail::CallState> state) noexcept;
  NodeCall(NodeCall&&) noexcept = default;
  NodeCall& operator=(NodeCall&&) noexcept = default;
  NodeCall(const NodeCall&) = delete;
  NodeCall& operator=(const NodeCall&) = delete;
  ~NodeCall();

  // The node's params with every template evaluated for this run.
  const Value& params() const noexcept;
  // The event that started the run (`trigger` in expressions).
  const Value& trigger() const noexcept;
  // Output of an upstream node, or nullptr when it has none (skipped, failed, not run).
  const Value* output_of(std::string_view node_id) const;

  std::string_view run_id() const noexcept;
  std::string_view node_id() const noexcept;
  std::string_view workflow_id() const noexcept;
  // 1 for the first attempt.
  int attempt() const noexcept;
  // Stable across retries and crash-resumes of the same (run, node): send it as an
  // Idempotency-Key to APIs that honour one.
  std::string idempotency_key() const;
  // True once the run was cancelled or the node timed out; long work should stop.
  bool cancelled() const noexcept;

  // Completes the node. `port` names the output port taken ("" = default).
  void succeed(Value output, std::string port = {});
  void fail(Status error);
  // Fails the attempt and asks a retry (when the node's retry policy retries this
  // error) to wait at least `retry_after`, e.g. an HTTP Retry-After. The policy's
  // own backoff applies when it is longer.
  void fail(Status error, std::chrono::milliseconds retry_after);

  detail::CallState& state() noexcept { return *state_; }  // engine-internal use

 private:
  std::shared_ptr<detail::CallState> state_;
};

class Node {
 public:
  virtual ~Node() = default;
  // [Threading] Called on an engine pool thread, concurrently for different runs.
  // May complete `call` before returning or later from any thread (async I/O).
  // [Locking] No engine lock is held while it runs.
  // [Exceptions] An exception escaping invoke() fails the node with `internal` and
  // the exception's message; it never reaches the engine's threads.
  virtual void invoke(NodeCall call) = 0;
};

// Convenience base for synchronous nodes: return the output or an error.
class SimpleNode : public Node {
 public:
  // [Threading] as Node::invoke. Return a Value to succeed on the default port.
  virtual Result<Value> run(const NodeCall& call) = 0;
  void invoke(NodeCall call) final;
};

// Creates the Node for one workflow node at install time. It may reject the
// spec (e.g. a param combination it cannot handle) with invalid_argument.
using NodeFactory = std::function<Result<std::unique_ptr<Node>>(const NodeSpec& spec)>;

}  // namespace famulor
