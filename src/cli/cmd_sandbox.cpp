// famulor sandbox [--listen HOST:PORT] [--connectors DIR] — the connector sandbox
// as a server, until SIGINT/SIGTERM.
#include <iostream>

#include "cli/args.hpp"
#include "cli/commands.hpp"
#include "cli/connector_options.hpp"
#include "cli/listen_address.hpp"
#include "cli/signals.hpp"
#include "common/io_pool.hpp"
#include "connectors/registry.hpp"
#include "connectors/sandbox_server.hpp"

namespace famulor::cli {

int cmd_sandbox(int argc, char** argv) {
  const Command& self = command("sandbox");
  std::string error;
  auto args = parse_args(argc, argv, 1, ArgSpec{{"--listen", "--connectors"}, {}}, error);
  if (!args) return usage_error(self, error);
  if (!args->positionals.empty()) return usage_error(self, "takes no arguments");
  auto listen = parse_listen(args->get_or("--listen", "127.0.0.1:4010"));
  if (!listen.ok()) return usage_error(self, listen.status().message());
  auto registry = load_registry(*args);
  if (!registry.ok()) {
    std::cerr << "famulor sandbox: " << registry.status().message() << "\n";
    return 1;
  }

  block_stop_signals();  // before the pool's threads exist
  detail::IoPool pool(2);
  pool.start();
  connectors::SandboxServer server(pool, **registry, listen->host, listen->port);
  if (Status s = server.start(); !s.ok()) {
    std::cerr << "famulor sandbox: cannot listen on " << listen->host << ":" << listen->port << ": " << s.message() << "\n";
    return 1;
  }
  std::cout << "listening on " << server.url() << std::endl;
  std::cerr << "serving " << (*registry)->apps().size()
            << " apps under /<app>/...; GET /_sandbox/requests, DELETE /_sandbox/requests, POST /_sandbox/fail, "
               "GET /_sandbox/apps\n";
  int sig = wait_for_stop_signal();
  std::cerr << "famulor sandbox: signal " << sig << ", stopping\n";
  server.stop();
  pool.stop();
  return 0;
}

}  // namespace famulor::cli
