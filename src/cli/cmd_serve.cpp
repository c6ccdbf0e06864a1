// famulor serve — the HTTP server (src/server) until SIGINT/SIGTERM.
#include <cctype>
#include <cstdlib>
#include <iostream>
#include <tuple>

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
  ArgSpec spec{{"--listen", "--workflows", "--threads", "--max-running", "--max-queued", "--public-url"},
               {"--insecure-webhooks", "--metrics-open"}};
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
  options.metrics_open = args->has("--metrics-open");
  if (const char* s = std::getenv("FAMULOR_SECRET_HOOKS")) options.hook_secrets = server::split_secrets(s);
  for (const auto& p : server::voice_platforms()) {
    std::string var = "FAMULOR_SECRET_" + p;
    for (auto& c : var) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (const char* s = std::getenv(var.c_str())) options.voice_secrets[p] = server::split_secrets(s);
  }
  if (const char* u = std::getenv("FAMULOR_PUBLIC_URL")) options.public_url = u;
  options.public_url = args->get_or("--public-url", options.public_url);
  options.engine.db = "famulor.db";
  // Backpressure: beyond these, hooks answer 503 with Retry-After instead of
  // holding more runs in memory (docs/durability.md, "Limits").
  for (auto [flag, field, fallback] : {std::tuple{"--max-running", &options.engine.max_running_runs, 1000},
                                       std::tuple{"--max-queued", &options.engine.max_queued_runs, 10000}}) {
    std::string text = args->get_or(flag, std::to_string(fallback));
    char* end = nullptr;
    unsigned long long n = std::strtoull(text.c_str(), &end, 10);
    if (text.empty() || *end != '\0' || text[0] == '-' || n > 100'000'000)
      return usage_error(self, std::string(flag) + " must be a whole number from 0 (no limit) to 100000000, not '" +
                                   text + "'");
    *field = static_cast<std::size_t>(n);
  }

  if (auto t = args->get("--threads")) {  // the engine's pool, which also serves HTTP (docs/server.md)
    char* end = nullptr;
    unsigned long n = std::strtoul(t->c_str(), &end, 10);
    if (t->empty() || *end != '\0' || (*t)[0] == '-' || n < 1 || n > 1024)
      return usage_error(self, "--threads must be a number from 1 to 1024, not '" + *t + "'");
    options.engine.threads = static_cast<unsigned>(n);
  }

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
