// cli/connector_options.hpp — the connector options `famulor run` (and later
// `serve`) share: --dry-run, --sandbox, --connectors DIR, --allow-host H,
// --master-key-file F, --db PATH (the vault's database). Kept apart from
// cmd_run.cpp so each command adds them with two calls.
//
// --sandbox starts the sandbox in-process on 127.0.0.1:0 (its own one-thread
// pool) for as long as the ConnectorSession lives.
#pragma once

#include <memory>
#include <string>

#include "cli/args.hpp"
#include "famulor/engine.hpp"

namespace famulor::detail {
class IoPool;
}
namespace famulor::connectors {
class Registry;
class SandboxServer;
}  // namespace famulor::connectors

namespace famulor::cli {

// Adds the options above to a command's ArgSpec.
void add_connector_args(ArgSpec& spec);

// What a command keeps alive while its engine runs (the in-process sandbox).
class ConnectorSession {
 public:
  ConnectorSession();
  ~ConnectorSession();  // stops the sandbox
  ConnectorSession(const ConnectorSession&) = delete;
  ConnectorSession& operator=(const ConnectorSession&) = delete;

  // Reads the options into `options`, starting the sandbox for --sandbox. An
  // error names the option.
  Status apply(const Args& args, EngineOptions& options);
  // Prints what the sandbox received, one line each, to stderr (nothing without --sandbox).
  void report() const;

 private:
  std::unique_ptr<connectors::Registry> registry_;
  std::unique_ptr<detail::IoPool> pool_;
  std::unique_ptr<connectors::SandboxServer> sandbox_;
};

// The compiled-in manifests plus those in --connectors DIR (when given).
Result<std::unique_ptr<connectors::Registry>> load_registry(const Args& args);

}  // namespace famulor::cli
