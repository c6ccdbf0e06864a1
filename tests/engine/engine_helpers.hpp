// Helpers for engine and node tests: parse+install a workflow from JSON text, run it
// and wait, and a latch for tests that coordinate nodes without timing.
#pragma once

#include <catch2/catch.hpp>

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include <famulor/engine.hpp>

#include "support/eventually.hpp"

namespace famulor::test {

inline Workflow parse_workflow(Engine& engine, std::string_view json) {
  std::vector<Problem> problems;
  auto wf = engine.parse(json, "<test>", &problems);
  if (!wf.ok()) FAIL(wf.status().message());
  return std::move(wf.value());
}

inline void install(Engine& engine, std::string_view json) {
  Status s = engine.install(parse_workflow(engine, json));
  INFO(s.to_string());
  REQUIRE(s.ok());
}

inline RunRecord run_and_wait(Engine& engine, std::string_view workflow, Value payload = Value::object()) {
  auto h = engine.run(workflow, std::move(payload));
  INFO(h.status().to_string());
  REQUIRE(h.ok());
  return h.value().wait();
}

inline const NodeRecord& node(const RunRecord& r, std::string_view id) {
  const NodeRecord* n = r.node(id);
  INFO("node " << id);
  REQUIRE(n != nullptr);
  return *n;
}

inline NodeTypeInfo custom_type(std::string type) {
  NodeTypeInfo info;
  info.type = std::move(type);
  info.description = "test node";
  info.allow_extra_params = true;
  return info;
}

// A custom node whose invoke() is `f(NodeCall)`.
template <typename F>
class FnNode final : public Node {
 public:
  explicit FnNode(F f) : f_(std::move(f)) {}
  void invoke(NodeCall call) override { f_(std::move(call)); }

 private:
  F f_;
};

template <typename F>
Status register_fn(Engine& e, std::string type, F f) {
  return e.register_node(custom_type(std::move(type)), [f](const NodeSpec&) -> Result<std::unique_ptr<Node>> {
    return std::unique_ptr<Node>(std::make_unique<FnNode<F>>(f));
  });
}

// A one-shot gate: wait() blocks until open() was called.
class Gate {
 public:
  void open() {
    std::lock_guard lk(m_);
    open_ = true;
    cv_.notify_all();
  }
  void wait() {
    std::unique_lock lk(m_);
    cv_.wait(lk, [&] { return open_; });
  }

 private:
  std::mutex m_;
  std::condition_variable cv_;
  bool open_ = false;
};

// Polls until `pred(status of run id)` holds, for at most 30 s; returns the last status.
// Runs move on pool threads, so a status right after emit is a race: poll, bounded.
template <typename Pred>
RunStatus await_status(Engine& engine, const std::string& id, Pred pred) {
  RunStatus st = RunStatus::queued;
  eventually([&] {
    auto rec = engine.get_run(id);
    REQUIRE(rec.ok());
    st = rec->status;
    return pred(st);
  });
  return st;
}

inline RunStatus await_status(Engine& engine, const std::string& id, RunStatus want) {
  return await_status(engine, id, [want](RunStatus s) { return s == want; });
}

}  // namespace famulor::test
