// server/connector_health.hpp — ConnectorHealth: the cache behind
// GET /v1/health/connectors.
//
// A background thread runs each configured connector's health check (the
// manifest's `health` request, connectors/health.hpp) every `interval`: one
// check per vault credential whose app declares one, or, in sandbox mode, one
// per app (placeholder credentials). Checks run asynchronously on the engine's
// HTTP client; snapshot() only reads the cache, so the route never waits on a
// slow app. An entry is "checking" until its first result arrives.
//
// Thread-safety: start()/stop() from the controlling thread; snapshot() and
// refresh_soon() from any thread. Results arriving after stop() land in shared
// state that outlives the object, so nothing dangles.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "famulor/engine.hpp"
#include "famulor/value.hpp"

namespace famulor::server {

class ConnectorHealth {
 public:
  ConnectorHealth(Engine& engine, std::chrono::milliseconds interval, std::function<void(const std::string&)> log);
  ~ConnectorHealth();  // stop()
  ConnectorHealth(const ConnectorHealth&) = delete;
  ConnectorHealth& operator=(const ConnectorHealth&) = delete;

  void start();
  void stop();
  // Re-reads the configured connectors and checks them now (a credential was
  // added or replaced).
  void refresh_soon();
  // {"connectors": [{"credential", "app", "state": "checking"|"ok"|"error",
  //   "checked_at", "latency_ms", "error": {"code","message"}}...], "interval_s"}.
  Value snapshot() const;

  struct State;

 private:
  void cycle();

  Engine& engine_;
  const std::chrono::milliseconds interval_;
  std::function<void(const std::string&)> log_;
  std::shared_ptr<State> state_;
  std::thread thread_;
};

}  // namespace famulor::server
