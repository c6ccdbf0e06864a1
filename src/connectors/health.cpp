#include "connectors/health.hpp"

#include "connectors/connector_node.hpp"
#include "connectors/request_builder.hpp"

namespace famulor::connectors {

void check_connector_health(std::shared_ptr<const Manifest> manifest, std::shared_ptr<const ConnectorServices> services,
                            std::string credential, std::function<void(Result<Value>)> done) {
  if (!manifest->health) return done(not_found(manifest->app + " declares no health check"));
  auto op = CompiledOperation::compile(*manifest, *manifest->health);
  if (!op.ok()) return done(op.status());
  std::string app = manifest->app;
  CallInput in{Value::object(), std::move(credential), "", "", {}};
  run_connector_call(std::move(manifest), std::move(*op), std::move(services), std::move(in),
                     [app, done = std::move(done)](Result<Value> r) {
                       if (!r.ok()) return done(r.status());
                       done(Value::object({{"app", app}, {"ok", true}, {"response", std::move(*r)}}));
                     });
}

}  // namespace famulor::connectors
