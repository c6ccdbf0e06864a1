// The Node behind `<app>.<operation>` and its factory (kept apart from the call
// logic in connector_node.cpp so that code which only lists or calls connectors
// does not need the engine's NodeCall).
#include <chrono>

#include "connectors/connector_node.hpp"
#include "connectors/registry.hpp"
#include "connectors/request_builder.hpp"

namespace famulor::connectors {
namespace {

class ConnectorNode final : public Node {
 public:
  ConnectorNode(std::shared_ptr<const Manifest> m, std::shared_ptr<const CompiledOperation> op,
                std::shared_ptr<const ConnectorServices> svc, std::string credential)
      : manifest_(std::move(m)), op_(std::move(op)), svc_(std::move(svc)), credential_(std::move(credential)) {}

  void invoke(NodeCall call) override {
    CallInput in{call.params(), credential_, call.idempotency_key(), std::string(call.workflow_id()), {}};
    auto shared = std::make_shared<NodeCall>(std::move(call));
    in.cancelled = [weak = std::weak_ptr<NodeCall>(shared)] {
      auto s = weak.lock();
      return !s || s->cancelled();
    };
    const auto started = std::chrono::steady_clock::now();
    run_connector_call(manifest_, op_, svc_, std::move(in), [svc = svc_, app = manifest_->app, op = op_, shared, started](Result<Value> r, const CallInfo& info) {
      if (svc->on_call && !svc->dry_run) {
        ConnectorServices::CallRecord rec;
        rec.workflow = std::string(shared->workflow_id());
        rec.run_id = std::string(shared->run_id());
        rec.node = std::string(shared->node_id());
        rec.app = app;
        rec.operation = op->operation().name;
        rec.code = r.ok() ? StatusCode::ok : r.status().code();
        rec.http_status = info.http_status;
        rec.duration_ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
        svc->on_call(rec);
      }
      if (r.ok()) shared->succeed(std::move(*r));
      else shared->fail(r.status(), info.retry_after);  // a retry waits at least the app's Retry-After
    });
  }

 private:
  std::shared_ptr<const Manifest> manifest_;
  std::shared_ptr<const CompiledOperation> op_;
  std::shared_ptr<const ConnectorServices> svc_;
  std::string credential_;
};

}  // namespace

NodeFactory make_connector_node_factory(std::shared_ptr<const Manifest> manifest, std::string operation,
                                        std::shared_ptr<const ConnectorServices> services) {
  return [manifest, operation, services](const NodeSpec& spec) -> Result<std::unique_ptr<Node>> {
    auto it = manifest->operations.find(operation);
    if (it == manifest->operations.end())
      return Status(StatusCode::not_found, manifest->app + " has no operation '" + operation + "'");
    auto op = CompiledOperation::compile(*manifest, it->second);
    if (!op.ok()) return op.status();
    return std::unique_ptr<Node>(std::make_unique<ConnectorNode>(manifest, std::move(*op), services, spec.credential));
  };
}

Result<NodeFactory> Registry::factory(std::string_view type, std::shared_ptr<const ConnectorServices> services) const {
  auto dot = type.find('.');
  if (dot == std::string_view::npos) {
    std::string msg(type);
    return not_found(msg.append(" is not a connector node type"));
  }
  auto it = apps_.find(type.substr(0, dot));
  if (it == apps_.end()) {
    std::string msg("no connector ");
    return not_found(msg.append(type.substr(0, dot)));
  }
  std::string op(type.substr(dot + 1));
  if (!it->second->operations.count(op)) return not_found(it->second->app + " has no operation '" + op + "'");
  return make_connector_node_factory(it->second, op, std::move(services));
}

}  // namespace famulor::connectors
