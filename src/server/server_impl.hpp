// server/server_impl.hpp — Server::Impl, shared by server.cpp and the route files.
#pragma once

#include <algorithm>
#include <condition_variable>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <vector>
#include <thread>

#include "common/io_pool.hpp"
#include "connectors/registry.hpp"
#include "http/router.hpp"
#include "http/server.hpp"
#include "server/auth.hpp"
#include "server/connector_health.hpp"
#include "server/server.hpp"
#include "store/token_records.hpp"

namespace famulor::server {

struct SyncWait;  // a synchronous hook's timeout timer (routes_hooks.cpp)

struct Server::Impl {
  explicit Impl(ServerOptions o) : options(std::move(o)), engine(with_default_threads(options.engine)) {}

  // The engine's pool also serves HTTP, and a hook's handler holds its thread for
  // the durable accept commit: by default twice the cores (at least 4, what the
  // separate HTTP and engine pools had together), so that the CPUs stay busy
  // while some threads wait for a commit. An explicit --threads is kept.
  static EngineOptions with_default_threads(EngineOptions e) {
    if (e.threads == 0) e.threads = std::max(4u, 2 * std::max(1u, std::thread::hardware_concurrency()));
    return e;
  }

  void log(const std::string& line) const;

  ServerOptions options;
  Engine engine;
  std::unique_ptr<store::TokenRecords> tokens;  // null without a database
  std::unique_ptr<connectors::Registry> registry;
  http::Router router;
  std::unique_ptr<http::HttpServer> http;
  std::unique_ptr<ConnectorHealth> health;  // GET /v1/health/connectors
  // Pending synchronous-hook timeouts (on the engine's IoPool, which also runs
  // the HTTP server), cancelled by stop() so that the pool need not wait for them.
  std::mutex sync_mu;
  std::vector<std::weak_ptr<SyncWait>> sync_waits;
  bool started = false;

  // workflows_dir reload: file -> (mtime, size) seen and the workflow id it installed.
  struct Seen {
    std::filesystem::file_time_type mtime;
    std::uintmax_t size = 0;
    std::string workflow;  // "" while the file has never been valid
  };
  std::mutex reload_mu;  // one scan at a time; guards seen
  std::map<std::string, Seen> seen;
  std::mutex wake_mu;
  std::condition_variable wake;
  bool stopping = false;
  std::thread reloader;
};

// Route registration (routes_*.cpp).
void add_hook_routes(Server::Impl& s);
void add_voice_routes(Server::Impl& s);
void add_management_routes(Server::Impl& s);
void add_call_routes(Server::Impl& s);  // /v1/calls/* (routes_calls.cpp)
// FAMULOR_SECRET_HOOKS: nullopt when the request's Famulor-Signature passes (or no
// secret is set), else the 401 to send.
std::optional<http::HttpResponse> check_famulor_signature(Server::Impl& s, const http::HttpRequest& req);
void add_ops_routes(Server::Impl& s);  // /metrics, /v1/health/connectors, /v1/credentials

// Cancels every pending synchronous-hook timeout (stop()).
void cancel_sync_waits(Server::Impl& s);

// Uninstalls a workflow and marks it deleted in the store, so that the next
// start does not reinstall it (DELETE /v1/workflows/{id}, a removed file).
Status forget_workflow(Server::Impl& s, const std::string& id);

// Registers a route that needs a bearer token of role `need` (else 401/403).
void guarded_route(Server::Impl& s, const char* method, const char* pattern, Role need,
                   std::function<http::HttpResponse(const http::HttpRequest&)> fn);

// Engine Status -> the JSON error response with the matching HTTP status.
http::HttpResponse error_response(const Status& status);
// {"run_ids": [...]}: what the event routes answer once an event is accepted.
Value run_ids_json(const std::vector<RunHandle>& runs);
// The request's JSON body, or the 415/400 to answer. An empty body is null.
Result<Value> json_body(const http::HttpRequest& request, http::HttpResponse& error);

}  // namespace famulor::server
