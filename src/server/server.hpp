// server/server.hpp — Server: `famulor serve` as a library object.
//
// Owns an Engine (over the SQLite store at options.db), an HTTP server on its own
// IoPool and the management API of CONTRACT.md: /v1/health, /v1/hooks/{path},
// /v1/runs, /v1/workflows, /v1/connectors, /v1/tokens, and the voice platforms'
// /v1/voice/* routes. See docs/server.md and docs/voice-platforms.md.
//
// start() loads every *.json workflow in workflows_dir (an invalid file is logged
// with its located problems and skipped), starts the engine and listens. stop()
// stops accepting, answers requests in progress, then stops the engine so that
// unfinished runs stay durable in the store for the next start.
//
// Thread-safety: start()/stop()/destructor from one controlling thread; url(),
// port() and engine() from any thread once started.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "famulor/engine.hpp"
#include "http/server.hpp"
#include "famulor/status.hpp"

namespace famulor::server {

struct ServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;  // 0: any free port
  std::string workflows_dir;  // "" = none
  // How often workflows_dir is scanned for changed files (0 = never; reload_workflows() still works).
  std::chrono::milliseconds reload_interval{1'000};
  EngineOptions engine;       // engine.db is the store (tokens live there too)
  // FAMULOR_SECRET_HOOKS: accepted secrets for Famulor-Signature on /v1/hooks/*.
  // Empty = unsigned requests accepted, allowed only on a loopback host unless
  // insecure_webhooks.
  std::vector<std::string> hook_secrets;
  // FAMULOR_SECRET_<PLATFORM> for the /v1/voice/* routes, by platform: "vapi",
  // "retell", "elevenlabs", "famulor", "twilio" (docs/voice-platforms.md). A platform
  // without secrets accepts unsigned requests, allowed only on a loopback host
  // unless insecure_webhooks.
  std::map<std::string, std::vector<std::string>> voice_secrets;
  // The URL the platforms call this server at ("https://voice.example.com"), for
  // signatures over the full URL (Twilio). "" = the request's Host header, as http
  // or https. FAMULOR_PUBLIC_URL / --public-url.
  std::string public_url;
  // The deadline the voice routes give a call.incoming run (variables) and a
  // call.tool run (mid-call tools); a workflow's own `deadline_ms` shortens it. A
  // late run answers its defaults / fallback. Both are well inside the platforms'
  // own timeouts (Vapi assistant-request 7.5 s, Retell inbound 10 s, tool calls
  // 20 s and more).
  std::chrono::milliseconds voice_deadline{500};
  std::chrono::milliseconds voice_tool_deadline{5'000};
  bool insecure_webhooks = false;
  std::int64_t signature_tolerance_s = 300;
  std::size_t max_body_bytes = 8 * 1024 * 1024;  // larger requests get 413
  std::size_t max_header_bytes = 64 * 1024;      // a larger request head gets 431
  std::size_t max_connections = 1024;            // beyond: 503 with Retry-After, then close
  std::chrono::milliseconds header_timeout{10'000};  // first byte -> complete head (else 408)
  std::chrono::milliseconds idle_timeout{60'000};    // an idle keep-alive connection is closed
  // How long a synchronous webhook caller waits for the respond node before it
  // gets 504 with the run id (the run goes on); a hook's trigger.timeout wins.
  std::chrono::milliseconds sync_timeout{30'000};
  // GET /metrics without a token (`serve --metrics-open`); else a viewer token.
  bool metrics_open = false;
  // How often each configured connector's health check runs (GET /v1/health/connectors).
  std::chrono::milliseconds health_interval{60'000};
  std::chrono::milliseconds shutdown_grace{5'000};  // for HTTP requests in progress
  // Then for runs still going; what is left is suspended in the store and resumed
  // by the next start (a sleeping `wait` node costs nothing to suspend).
  std::chrono::milliseconds run_grace{10'000};
  // Diagnostics (invalid workflow files...); default: one line to stderr.
  std::function<void(const std::string&)> log;
};

class Server {
 public:
  explicit Server(ServerOptions options);
  ~Server();  // stop()
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // invalid_argument for a non-loopback host without hook secrets or without
  // every platform's voice secrets (unless insecure_webhooks), unavailable when the address cannot be bound, and the
  // engine's or store's errors.
  Status start();
  void stop();

  // Scans workflows_dir once: a new or changed *.json file is installed (a new
  // version); an invalid one is logged with its located problems and the version
  // installed before stays; a removed file's workflow is uninstalled. Returns how
  // many workflows were installed or removed. The reload thread calls it every
  // reload_interval.
  std::size_t reload_workflows();

  std::uint16_t port() const noexcept;
  std::string url() const;  // "http://HOST:PORT"
  Engine& engine() noexcept;
  // The HTTP listener's counters (all zero before start()).
  http::ServerStats http_stats() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

// The platforms of ServerOptions::voice_secrets, in the order docs list them.
const std::vector<std::string>& voice_platforms();

// Parses FAMULOR_SECRET_HOOKS-style text: comma-separated, blanks trimmed, empties dropped.
std::vector<std::string> split_secrets(const std::string& text);

}  // namespace famulor::server
