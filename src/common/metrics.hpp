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
