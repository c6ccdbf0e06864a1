#include "server/connector_health.hpp"

#include <condition_variable>
#include <map>
#include <mutex>

#include "connectors/health.hpp"
#include "engine/engine_impl.hpp"
#include "common/clock.hpp"
#include "famulor/run.hpp"

namespace famulor::server {

struct ConnectorHealth::State {
  struct Entry {
    std::string app;
    std::string state = "checking";
    std::int64_t checked_ms = 0;
    double latency_ms = 0;
    Status error;
    bool in_flight = false;
  };
  mutable std::mutex mu;
  std::condition_variable wake;
  bool stopping = false;
  bool poke = false;
  std::map<std::string, Entry> entries;  // by credential name ("sandbox:<app>" in sandbox mode)
};

ConnectorHealth::ConnectorHealth(Engine& engine, std::chrono::milliseconds interval,
                                 std::function<void(const std::string&)> log)
    : engine_(engine), interval_(interval), log_(std::move(log)), state_(std::make_shared<State>()) {}

ConnectorHealth::~ConnectorHealth() { stop(); }

void ConnectorHealth::start() {
  if (thread_.joinable()) return;
  state_->stopping = false;
  thread_ = std::thread([this] {
    std::unique_lock lk(state_->mu);
    while (!state_->stopping) {
      lk.unlock();
      cycle();
      lk.lock();
      state_->wake.wait_for(lk, interval_, [&] { return state_->stopping || state_->poke; });
      state_->poke = false;
    }
  });
}

void ConnectorHealth::stop() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard lk(state_->mu);
    state_->stopping = true;
  }
  state_->wake.notify_all();
  thread_.join();
}

void ConnectorHealth::refresh_soon() {
  {
    std::lock_guard lk(state_->mu);
    state_->poke = true;
  }
  state_->wake.notify_all();
}

void ConnectorHealth::cycle() {
  auto& conn = engine_.impl().connectors;
  if (!conn) return;
  // What to check: (entry key, credential name, manifest).
  struct Target {
    std::string key, credential;
    std::shared_ptr<const connectors::Manifest> manifest;
  };
  std::vector<Target> targets;
  std::map<std::string, std::shared_ptr<const connectors::Manifest>> by_app;
  for (auto& m : conn->registry.apps())
    if (m->health) by_app.emplace(m->app, m);
  if (conn->services->placeholder_credentials) {
    for (auto& [app, m] : by_app) targets.push_back({"sandbox:" + app, "", m});
  } else if (conn->vault) {
    auto list = conn->vault->list();
    if (!list.ok()) {
      if (log_) log_("connector health: cannot list credentials: " + list.status().message());
    } else {
      for (auto& c : *list)
        if (auto it = by_app.find(c.connector); it != by_app.end()) targets.push_back({c.name, c.name, it->second});
    }
  }

  std::vector<Target> due;
  {
    std::lock_guard lk(state_->mu);
    std::map<std::string, State::Entry> next;
    for (auto& t : targets) {
      auto old = state_->entries.find(t.key);
      State::Entry e = old != state_->entries.end() && old->second.app == t.manifest->app ? old->second : State::Entry{};
      e.app = t.manifest->app;
      if (!e.in_flight) {
        e.in_flight = true;
        due.push_back(t);
      }
      next.emplace(t.key, std::move(e));
    }
    state_->entries = std::move(next);  // deleted credentials disappear
  }
  for (auto& t : due) {
    auto began = std::chrono::steady_clock::now();
    std::weak_ptr<State> weak = state_;
    std::string key = t.key, app = t.manifest->app;
    connectors::check_connector_health(
        t.manifest, conn->services, t.credential, [weak, key, app, began](Result<Value> r) {
          auto st = weak.lock();
          if (!st) return;
          std::lock_guard lk(st->mu);
          auto it = st->entries.find(key);
          if (it == st->entries.end() || it->second.app != app) return;  // removed meanwhile
          auto& e = it->second;
          e.in_flight = false;
          e.checked_ms = detail::now_ms();
          e.latency_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - began).count();
          e.state = r.ok() ? "ok" : "error";
          e.error = r.ok() ? Status() : r.status();
        });
  }
}

Value ConnectorHealth::snapshot() const {
  Array list;
  std::lock_guard lk(state_->mu);
  for (auto& [key, e] : state_->entries) {
    Value row = Value::object({{"credential", key.rfind("sandbox:", 0) == 0 ? Value() : Value(key)},
                               {"app", Value(e.app)},
                               {"state", Value(e.state)}});
    if (e.checked_ms != 0) {
      row["checked_at"] = Value(format_time_ms(e.checked_ms));
      row["latency_ms"] = Value(static_cast<std::int64_t>(e.latency_ms + 0.5));
    }
    if (!e.error.ok())
      row["error"] = Value::object({{"code", Value(std::string(to_string(e.error.code())))},
                                    {"message", Value(e.error.message())}});
    list.push_back(std::move(row));
  }
  return Value::object({{"connectors", Value(std::move(list))},
                        {"interval_s", Value(static_cast<std::int64_t>(interval_.count() / 1000))}});
}

}  // namespace famulor::server
