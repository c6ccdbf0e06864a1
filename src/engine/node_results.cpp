// Applying one node attempt's result to its run: success and the respond value,
// retries with backoff (durable timers), fallback values and nodes, on_error (see
// scheduler.hpp for the rules).
#include <algorithm>
#include <cmath>
#include <random>

#include "common/clock.hpp"
#include "common/metrics.hpp"
#include "engine/engine_impl.hpp"
#include "engine/scheduler.hpp"
#include "engine/scheduler_internal.hpp"
#include "engine/timer.hpp"

namespace famulor::detail::sched {
namespace {

std::chrono::milliseconds backoff(const RetryPolicy& p, int failed_attempts) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  double cap = static_cast<double>(p.initial_interval.count()) * std::pow(p.multiplier, failed_attempts - 1);
  cap = std::min(cap, static_cast<double>(p.max_interval.count()));
  if (!(cap > 0)) return std::chrono::milliseconds(0);
  std::uniform_real_distribution<double> d(0.0, cap);  // full jitter
  return std::chrono::milliseconds(static_cast<std::int64_t>(d(rng)));
}

bool should_retry(const CompiledNode& cn, int attempts, const NodeResult& r) {
  const Status& st = r.status;
  if (attempts >= cn.retry.max_attempts || st.code() == StatusCode::cancelled || r.final_error) return false;
  if (cn.retry.retry_on.empty()) return st.retryable();
  for (StatusCode c : cn.retry.retry_on)
    if (c == st.code()) return true;
  return false;
}

}  // namespace

// A fallback node was resolved: the node it stands in for takes its output, or
// fails with both errors (and its own on_error applies). True when that ended the run.
bool apply_fallback(RunShared& run, int failed, int fallback, std::vector<Work>& work, After& a) {
  NodeSlot& sa = run.slots[static_cast<std::size_t>(failed)];
  const NodeSlot& sb = run.slots[static_cast<std::size_t>(fallback)];
  if (sa.resolved || !sa.dispatched) return false;
  const CompiledNode& ca = run.wf->nodes[static_cast<std::size_t>(failed)];
  const std::string& b = run.wf->nodes[static_cast<std::size_t>(fallback)].id;
  const auto now = std::chrono::steady_clock::now();
  sa.finished_ms = run.wall_ms(now);
  sa.duration_ms = std::chrono::duration<double, std::milli>(now - sa.t0).count();
  if (sb.status == NodeStatus::succeeded) {
    sa.status = NodeStatus::succeeded;
    sa.output = sb.output;
    sa.port.clear();
    sa.error += "; its fallback node '" + b + "' answered instead";
    sa.published.store(true, std::memory_order_release);
    work.push_back({failed, Outcome::succeeded});
    return false;
  }
  sa.error += sb.status == NodeStatus::skipped ? "; its fallback node '" + b + "' is disabled"
                                               : "; its fallback node '" + b + "' failed too: " + sb.error;
  sa.status = NodeStatus::failed;
  switch (ca.on_error) {
    case OnError::stop:
      finalize(run, RunStatus::failed, Status(sa.error_code, "node '" + ca.id + "' failed: " + sa.error), a);
      return true;
    case OnError::continue_run:
      work.push_back({failed, Outcome::continued});
      break;
    case OnError::route:
      sa.port = "error";
      sa.output = Value::object({{"code", std::string(to_string(sa.error_code))}, {"message", sa.error}});
      sa.published.store(true, std::memory_order_release);
      work.push_back({failed, Outcome::routed});
      break;
  }
  return false;
}

// Applies one attempt's result to the run (under the lock).
void handle_result(const std::shared_ptr<RunShared>& run_sp, int v, NodeResult& r, After& a, std::vector<int>& ready) {
  RunShared& run = *run_sp;
  NodeSlot& s = run.slots[static_cast<std::size_t>(v)];
  if (s.resolved || !s.dispatched) return;
  const CompiledNode& cn = run.wf->nodes[static_cast<std::size_t>(v)];
  if (s.call) {
    close_call_locked(*s.call, a);
    s.call.reset();
  }
  const auto now = std::chrono::steady_clock::now();
  s.finished_ms = run.wall_ms(now);
  s.duration_ms = std::chrono::duration<double, std::milli>(now - s.t0).count();
  cn.durations->observe(r.status.ok(), now - s.t0);
  std::vector<Work>& work = t_work;
  work.clear();
  if (r.status.ok()) {
    s.status = NodeStatus::succeeded;
    s.output = std::move(r.output);
    s.port = std::move(r.port);
    s.input = std::move(r.input);
    s.error_code = StatusCode::ok;
    s.error.clear();
    s.published.store(true, std::memory_order_release);
    s.from_cache = r.from_cache;
    if (r.from_cache) s.attempts = 0;  // nothing was called (also how the store tells a cached node)
    if (cn.cache && !r.from_cache) remember_in_cache(run, cn, s);
    if (r.respond && !run.responded) {
      run.responded = true;
      run.response_node = v;
      if (run.latency_hook) {
        a.responded = true;
        a.response = s.output;
      }
      if (s.input.is_object()) {  // the respond node's HTTP answer for synchronous webhooks
        if (const Value* st = s.input.find("status"); st && st->is_int())
          run.response_status = static_cast<int>(st->as_int());
        if (const Value* h = s.input.find("headers"); h && h->is_object()) run.response_headers = *h;
      }
    }
    work.push_back({v, Outcome::succeeded});
    drain(run, work, a, ready);
    return;
  }
  s.error_code = r.status.code();
  s.error = r.status.message();
  s.input = std::move(r.input);
  if (should_retry(cn, s.attempts, r)) {
    auto delay = std::max(backoff(cn.retry, s.attempts), r.retry_after);  // at least the server's Retry-After
    ++s.attempts;
    run.engine->journal.waiting(run, v, now_ms() + delay.count());
    s.timer = std::make_unique<Timer>(run.engine->pool);
    s.timer->start(delay, [run_sp, v](bool fired) {
      if (fired) drive(run_sp, v);
    });
    return;
  }
  // Retries are exhausted: a fallback value answers for the node, or its fallback
  // node runs in its place (the node resolves when that one does, in drain()).
  if (cn.fallback_value && !r.final_error) {
    Result<Value> fb = cn.fallback_value->evaluate(run.eval_env());
    if (fb.ok()) {
      s.status = NodeStatus::succeeded;
      s.output = std::move(fb.value());
      s.port.clear();
      s.error += "; the fallback value was used";
      s.published.store(true, std::memory_order_release);
      work.push_back({v, Outcome::succeeded});
      drain(run, work, a, ready);
      return;
    }
    s.error += "; the fallback did not evaluate: " + fb.status().message();
  }
  if (cn.fallback_node >= 0 && !r.final_error &&
      !run.slots[static_cast<std::size_t>(cn.fallback_node)].dispatched) {
    ++run.unresolved;  // fallback nodes are not counted until they run
    become_ready(run, cn.fallback_node, a, work, ready);
    drain(run, work, a, ready);  // a fallback restored from a checkpoint resolves at once
    return;
  }
  s.status = NodeStatus::failed;
  // A fallback node's failure is its failed node's to judge (apply_fallback).
  if (cn.fallback_for >= 0) {
    work.push_back({v, Outcome::continued});
    drain(run, work, a, ready);
    return;
  }
  switch (cn.on_error) {
    case OnError::stop:
      finalize(run, RunStatus::failed, Status(r.status.code(), "node '" + cn.id + "' failed: " + r.status.message()),
               a);
      return;
    case OnError::continue_run:
      work.push_back({v, Outcome::continued});
      break;
    case OnError::route:
      s.port = "error";
      s.output = Value::object({{"code", std::string(to_string(r.status.code()))}, {"message", r.status.message()}});
      s.published.store(true, std::memory_order_release);
      work.push_back({v, Outcome::routed});
      break;
  }
  drain(run, work, a, ready);
}

}  // namespace famulor::detail::sched
