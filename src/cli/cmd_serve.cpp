// famulor serve — the HTTP server (src/server) until SIGINT/SIGTERM.
#include <cctype>
#include <cstdlib>
#include <iostream>

#include "cli/args.hpp"
#include "cli/commands.hpp"
#include "cli/connector_options.hpp"
#include "cli/listen_address.hpp"
#include "cli/signals.hpp"
#include "server/server.hpp"

namespace famulor::cli {

int cmd_serve(int argc, char** argv) {
  const Command& self = command("serve");
  std::string error;
  ArgSpec spec{{"--listen", "--workflows", "--threads", "--public-url"}, {"--insecure-webhooks"}};
  add_connector_args(spec);
  auto args = parse_args(argc, argv, 1, spec, error);
  if (!args) return usage_error(self, error);
  if (!args->positionals.empty()) return usage_error(self, "takes no arguments");
  auto listen = parse_listen(args->get_or("--listen", "127.0.0.1:8080"));
  if (!listen.ok()) return usage_error(self, listen.status().message());

  server::ServerOptions options;
  options.host = listen->host;
  options.port = listen->port;
  options.workflows_dir = args->get_or("--workflows", "");
  options.insecure_webhooks = args->has("--insecure-webhooks");
  if (const char* s = std::getenv("FAMULOR_SECRET_HOOKS")) options.hook_secrets = server::split_secrets(s);
  for (const auto& p : server::voice_platforms()) {
    std::string var = "FAMULOR_SECRET_" + p;
    for (auto& c : var) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (const char* s = std::getenv(var.c_str())) options.voice_secrets[p] = server::split_secrets(s);
  }
  if (const char* u = std::getenv("FAMULOR_PUBLIC_URL")) options.public_url = u;
  options.public_url = args->get_or("--public-url", options.public_url);
  options.engine.db = "famulor.db";

  block_stop_signals();  // before any thread exists (the sandbox's, the engine's)
  ConnectorSession connectors;
  if (Status s = connectors.apply(*args, options.engine); !s.ok()) {
    std::cerr << "famulor serve: " << s.message() << "\n";
    return 1;
  }
  server::Server srv(std::move(options));
  if (Status s = srv.start(); !s.ok()) {
    std::cerr << "famulor serve: " << s.message() << "\n";
    return 1;
  }
  std::cout << "listening on " << srv.url() << std::endl;
  int sig = wait_for_stop_signal();
  std::cerr << "famulor serve: signal " << sig << ", stopping (in-flight requests are answered, unfinished runs stay "
               "in the store)\n";
  srv.stop();
  return 0;
}

}  // namespace famulor::cli
