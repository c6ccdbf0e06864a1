// Helpers shared by the store tests: opening a store in a temp dir, making runs.
#pragma once

#include <catch2/catch.hpp>

#include <memory>
#include <string>

#include "common/clock.hpp"
#include "store/sqlite_store.hpp"
#include "support/paths.hpp"

namespace famulor::test {

inline std::unique_ptr<store::Store> open_store(const std::filesystem::path& path, store::SqliteOptions o = {}) {
  auto r = store::open_sqlite_store(path.string(), o);
  INFO(r.status().to_string());
  REQUIRE(r.ok());
  return std::move(r).value();
}

inline store::NewRun new_run(std::string workflow = "wf", Value trigger = Value::object({{"n", 1}}),
                             std::int64_t version = 1) {
  return store::NewRun{detail::new_run_id(), std::move(workflow), version, std::move(trigger), detail::now_ms()};
}

inline store::AcceptRequest accept_one(store::NewRun run, std::string key = {}) {
  store::AcceptRequest req;
  req.dedupe_key = std::move(key);
  req.runs.push_back(std::move(run));
  return req;
}

// A finished node's checkpoint with fixed timings (1 attempt, 250 ms).
inline store::Checkpoint cp(const std::string& run, const std::string& node, NodeStatus st, Value output = {}) {
  store::Checkpoint c;
  c.run_id = run;
  c.node_id = node;
  c.status = st;
  c.output = std::move(output);
  c.attempts = 1;
  c.started_ms = 1'000'000;
  c.finished_ms = 1'000'250;
  return c;
}

}  // namespace famulor::test
