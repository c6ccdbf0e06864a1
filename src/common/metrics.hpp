// common/metrics.hpp — the process's metrics: counters and histograms with a
// few low-cardinality labels, rendered in the Prometheus text exposition format
// 0.0.4 by `GET /metrics`.
//
// The entry points below are what the engine, the connector runtime and the
// server call on their hot paths. Recording is lock-free: a labelled series is
// found in a fixed open-addressing table of atomic pointers (inserted once with
// a compare-and-swap, never removed), then bumped with relaxed atomics. A family
// holds at most kMaxSeries label combinations; further ones are counted under
// the label value "_other" so that a misbehaving label cannot grow memory.
//
// Thread-safety: every function may be called from any thread, concurrently,
// including while render() runs (a scrape sees each number atomically, not the
// whole set at one instant).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace famulor::metrics {

// A run of `workflow` started (accepted and launched; resumed runs count again).
void run_started(std::string_view workflow);
// A top-level run became final with `status` (succeeded, failed, cancelled).
void run_finished(std::string_view workflow, std::string_view status, std::chrono::nanoseconds duration);
// A node attempt ended (`status`: succeeded, failed) after `duration`.
void node_finished(std::string_view node_type, std::string_view status, std::chrono::nanoseconds duration);
namespace detail {
struct Series;
}

// The node-duration series of one node type, for the scheduler's hot path: what
// node_finished(type, ...) records, without building and hashing a key per node.
// Each status's series is looked up on its first observation (so that, as with
// node_finished, a series appears in render() only once it has been observed).
// Thread-safety: observe() may be called concurrently.
class NodeDurations {
 public:
  explicit NodeDurations(std::string node_type) : type_(std::move(node_type)) {}
  void observe(bool succeeded, std::chrono::nanoseconds duration);

 private:
  const std::string type_;
  std::atomic<detail::Series*> succeeded_{nullptr};
  std::atomic<detail::Series*> failed_{nullptr};
};

// run_started and run_finished of one workflow, for the engine's hot path: its
// series are looked up once each (on first use), not per run.
// Thread-safety: every member may be called concurrently.
class WorkflowRuns {
 public:
  explicit WorkflowRuns(std::string workflow) : workflow_(std::move(workflow)) {}
  void started();
  // `status`: a final run status (to_string(RunStatus)), `status_index` its
  // enumerator's value (< kStatuses), so that each status's series is cached.
  void finished(std::string_view status, std::size_t status_index, std::chrono::nanoseconds duration);
  static constexpr std::size_t kStatuses = 8;

 private:
  const std::string workflow_;
  std::atomic<detail::Series*> started_{nullptr};
  std::atomic<detail::Series*> duration_{nullptr};
  std::atomic<detail::Series*> finished_[kStatuses] = {};
};

// A connector request was answered or failed (`error`: not a 2xx, or a transport failure).
void connector_call(std::string_view app, std::string_view operation, bool error);
// The server answered a request of `route` (the matched pattern, e.g.
// "/v1/runs/{id}", or "unmatched") with `status`.
void http_request(std::string_view method, std::string_view route, int status);
// Variable injection and mid-call tools (Engine::inject / call_tool): the time
// from the call to the answer; `partial` when the deadline passed first (a
// deadline miss: the caller got defaults).
void observe_injection(std::chrono::nanoseconds latency, bool partial);

// A gauge read at scrape time (live runs, queue depth...).
struct GaugeSample {
  std::string name;  // famulor_..., without labels
  std::string help;
  double value = 0;
};

// Every metric in the text format (Content-Type: text/plain; version=0.0.4),
// followed by `gauges`.
std::string render(const std::vector<GaugeSample>& gauges = {});

inline constexpr std::size_t kMaxSeries = 512;

}  // namespace famulor::metrics
