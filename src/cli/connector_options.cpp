#include "cli/connector_options.hpp"

#include <iostream>

#include "common/io_pool.hpp"
#include "connectors/registry.hpp"
#include "connectors/sandbox_server.hpp"

namespace famulor::cli {

void add_connector_args(ArgSpec& spec) {
  spec.with_value.insert({"--connectors", "--allow-host", "--master-key-file", "--db"});
  spec.flags.insert({"--dry-run", "--sandbox"});
}

Result<std::unique_ptr<connectors::Registry>> load_registry(const Args& args) {
  auto builtin = connectors::Registry::builtin();
  if (!builtin.ok()) return Status(builtin.status().code(), "compiled-in connectors: " + builtin.status().message());
  auto r = std::make_unique<connectors::Registry>(std::move(*builtin));
  for (auto& dir : args.all("--connectors"))
    if (Status s = r->load_dir(dir); !s.ok()) return Status(s.code(), "--connectors " + dir + ": " + s.message());
  return r;
}

ConnectorSession::ConnectorSession() = default;

ConnectorSession::~ConnectorSession() {
  if (sandbox_) sandbox_->stop();
  sandbox_.reset();
  if (pool_) pool_->stop();
}

Status ConnectorSession::apply(const Args& args, EngineOptions& options) {
  options.dry_run = args.has("--dry-run");
  if (auto db = args.get("--db")) options.db = *db;
  if (auto key = args.get("--master-key-file")) options.master_key_file = *key;
  for (auto& h : args.all("--allow-host")) options.allow_hosts.push_back(h);
  const auto& dirs = args.all("--connectors");
  if (dirs.size() > 1) return invalid_argument("--connectors takes one directory");
  if (!dirs.empty()) options.connectors_dir = dirs.front();
  // Read the manifests now: a broken one is reported before the workflow is parsed.
  auto registry = load_registry(args);
  if (!registry.ok()) return registry.status();
  if (!args.has("--sandbox")) return {};
  registry_ = std::move(*registry);
  pool_ = std::make_unique<detail::IoPool>(1);
  pool_->start();
  sandbox_ = std::make_unique<connectors::SandboxServer>(*pool_, *registry_);
  if (Status s = sandbox_->start(); !s.ok()) return Status(s.code(), "--sandbox: " + s.message());
  options.sandbox_url = sandbox_->url();
  return {};
}

void ConnectorSession::report() const {
  if (!sandbox_) return;
  Value recorded = sandbox_->sandbox().requests();
  std::cerr << "sandbox " << sandbox_->url() << " received " << recorded.size() << " request(s)\n";
  for (std::size_t i = 0; i < recorded.size(); ++i) {
    const Value& r = *recorded.at(i);
    std::cerr << "  " << r.get_string("method") << " " << r.get_string("path") << "  (" << r.get_string("app") << "."
              << r.get_string("operation") << ")\n";
  }
}

}  // namespace famulor::cli
