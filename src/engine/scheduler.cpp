// The DAG scheduler: readiness, dispatch, halting and finalization; what one
// attempt's result does to its run is in node_results.cpp (see scheduler.hpp for the rules).
#include "engine/scheduler.hpp"

#include <asio/post.hpp>

#include "common/clock.hpp"
#include "common/duration.hpp"
#include "common/metrics.hpp"
#include "common/io_pool_asio.hpp"
#include "engine/builtin.hpp"
#include "engine/engine_impl.hpp"
#include "engine/scheduler_internal.hpp"
#include "engine/timer.hpp"

namespace famulor::detail {
namespace sched {

thread_local std::vector<Work> t_work;

thread_local int t_drive_depth = 0;  // drive() frames on this thread's stack
thread_local bool t_caller_inline = false;  // a latency-path caller's thread runs built-in nodes (start_run)
constexpr int kInlineChain = 64;     // nodes run inline in a row before posting
constexpr int kMaxNesting = 2;       // drive() frames before completions post instead

bool edge_live(const CompiledEdge& e, Outcome o, const std::string& port) {
  switch (o) {
    case Outcome::succeeded: return e.port.empty() || e.port == port;
    case Outcome::continued: return e.port.empty();
    case Outcome::routed: return e.port == "error";
    case Outcome::disabled: return e.port != "error";
    case Outcome::skipped: return false;
  }
  return false;
}

Outcome prefilled_outcome(const NodeSlot& s) {
  if (s.status == NodeStatus::succeeded) return Outcome::succeeded;
  if (s.status == NodeStatus::failed) return s.port == "error" ? Outcome::routed : Outcome::continued;
  return Outcome::skipped;
}

void post_node(const std::shared_ptr<RunShared>& run, int node);

// Closes an attempt under the run lock: no new resources, its timers destroyed now
// (while the engine is certainly alive), its children halted after the unlock.
void close_call_locked(CallState& c, After& a) {
  std::unique_ptr<Timer> t1, t2;
  {
    std::lock_guard lk(c.m);
    c.closed = true;
    c.phase = CallState::Phase::done;
    t1 = std::move(c.timeout_timer);
    t2 = std::move(c.timer);
    for (auto& ch : c.children) a.children.push_back(std::move(ch));
    c.children.clear();
  }
}

void become_ready(RunShared& run, int v, After& a, std::vector<Work>& work, std::vector<int>& ready) {
  NodeSlot& s = run.slots[static_cast<std::size_t>(v)];
  s.dispatched = true;
  if (s.prefilled) {
    work.push_back({v, prefilled_outcome(s)});
    return;
  }
  if (run.wf->nodes[static_cast<std::size_t>(v)].disabled) {
    s.status = NodeStatus::skipped;
    work.push_back({v, Outcome::disabled});
    return;
  }
  (void)a;
  s.status = NodeStatus::running;
  s.attempts = 1;
  s.t0 = std::chrono::steady_clock::now();
  s.started_ms = run.wall_ms(s.t0);
  ready.push_back(v);
}

void finalize(RunShared& run, RunStatus st, const Status& why, After& a) {
  run.status = st;
  if (!why.ok()) {
    run.error_code = why.code();
    run.error = why.message();
  }
  run.finished_ms = now_ms();
  const bool cancelled = st == RunStatus::cancelled || why.code() == StatusCode::deadline_exceeded;
  const auto now = std::chrono::steady_clock::now();
  // The node that failed the run and the nodes it cancelled are recorded too (the
  // history shows them; a retry starts from them). Not for a suspended run: it
  // resumes as it was.
  const bool record = !run.is_item && !run.suspended.load() && run.engine->journal.enabled();
  for (std::size_t i = 0; i < run.size(); ++i) {
    NodeSlot& s = run.slots[i];
    if (!s.resolved) {
      if (s.status == NodeStatus::running || s.status == NodeStatus::waiting) {
        s.status = NodeStatus::cancelled;
        s.finished_ms = run.finished_ms;
        s.duration_ms = std::chrono::duration<double, std::milli>(now - s.t0).count();
        if (record) run.engine->journal.checkpoint(run, static_cast<int>(i));
      } else if (s.status == NodeStatus::failed) {
        if (record) run.engine->journal.checkpoint(run, static_cast<int>(i));
      } else if (s.status == NodeStatus::pending) {
        s.status = cancelled ? NodeStatus::cancelled : NodeStatus::skipped;
      }
    }
    if (s.call) {
      s.call->cancelled.store(true);
      close_call_locked(*s.call, a);
      s.call.reset();
    }
    s.timer.reset();
  }
  run.run_timer.reset();
  a.done_fns = std::move(run.done_fns);
  run.done_fns.clear();
  a.finalized = true;
  a.release = run.started;
  a.start_error_workflows = st == RunStatus::failed && !run.is_item && !run.suspended.load() && run.started;
  if (a.start_error_workflows && run.accept_pending.load(std::memory_order_relaxed)) {
    run.error_workflows_due = true;  // an effect outside the run: after the accept's commit
    a.start_error_workflows = false;
  }
  run.final_flag.store(true, std::memory_order_release);
  if (!run.is_item) run.engine->run_finished(run);  // takes runs_mu_ (after run.m: allowed)
  run.settled = true;  // waiters wake once the engine has recorded the run
}


// Resolves the nodes in `work` and everything that follows from them.
void drain(RunShared& run, std::vector<Work>& work, After& a, std::vector<int>& ready) {
  Journal& journal = run.engine->journal;
  while (!work.empty()) {
    Work cur = work.back();
    work.pop_back();
    NodeSlot& su = run.slots[static_cast<std::size_t>(cur.node)];
    su.resolved = true;
    --run.unresolved;
    if (journal.enabled() && !su.prefilled && !run.is_item) journal.checkpoint(run, cur.node);
    const CompiledNode& cn = run.wf->nodes[static_cast<std::size_t>(cur.node)];
    if (cn.fallback_for >= 0 && apply_fallback(run, cn.fallback_for, cur.node, work, a)) return;  // finalized
    for (int ei : cn.out_edges) {
      const CompiledEdge& e = run.wf->edges[static_cast<std::size_t>(ei)];
      NodeSlot& sv = run.slots[static_cast<std::size_t>(e.to)];
      const bool live = edge_live(e, cur.outcome, su.port);
      --sv.remaining;
      if (live) ++sv.live_in;
      if (sv.dispatched) continue;
      const CompiledNode& cv = run.wf->nodes[static_cast<std::size_t>(e.to)];
      bool go = false, skip = false;
      if (cv.join == Join::any) {
        go = live;
        skip = !live && sv.remaining == 0 && sv.live_in == 0;
      } else if (sv.remaining == 0) {
        go = sv.live_in == static_cast<int>(cv.in_edges.size());
        skip = !go;
      }
      if (skip) {
        sv.dispatched = true;
        sv.status = NodeStatus::skipped;
        work.push_back({e.to, Outcome::skipped});
      } else if (go) {
        become_ready(run, e.to, a, work, ready);
      }
    }
  }
  if (run.unresolved == 0 && !run.final_flag.load(std::memory_order_relaxed))
    finalize(run, RunStatus::succeeded, Status(), a);
}

// Posts the ready nodes (under the run lock, so that a post never races the run's
// finalization); keeps one for this thread when allowed, and with it the other
// built-ins: they complete at once (or defer), so running them here in turn costs
// less than waking a pool thread for each.
void dispatch_ready(const std::shared_ptr<RunShared>& run, std::vector<int>& ready, After& a, bool allow_inline) {
  if (run->final_flag.load(std::memory_order_relaxed)) return;
  const bool here = allow_inline && !ready.empty() && t_drive_depth < kMaxNesting &&
                    (t_caller_inline || run->engine->on_engine_thread());
  for (int v : ready) {
    if (here && a.next < 0)
      a.next = v;
    else if (here && run->wf->nodes[static_cast<std::size_t>(v)].builtin)
      a.more.push_back(v);
    else
      post_node(run, v);
  }
}

// After the run lock: halt children, and when this thread finalized the run,
// wake waiters, record it, call the done callbacks and release it.
void after_unlock(RunShared& run, After& a) {
  for (auto& ch : a.children) halt_run(*ch, RunStatus::cancelled, Status(StatusCode::cancelled, "cancelled with its parent"));
  if (a.responded) run.latency_hook(run, &a.response, false);
  if (!a.finalized) return;
  EngineImpl* engine = run.engine;
  run.cv.notify_all();
  // Before the release: the engine is alive while it counts this run.
  if (a.start_error_workflows) engine->start_error_workflows(run);
  if (run.latency_hook) run.latency_hook(run, nullptr, true);
  // Released before the callbacks: they may start more runs (foreach items) and
  // need no engine of their own (those that do run under a live parent run).
  if (a.release) engine->release_run();
  for (auto& fn : a.done_fns) {
    try {
      fn(run);
    } catch (...) {
    }
  }
}

enum class Attempt { done, pending, handoff };

// True when node v must wait for its run's accept to be committed (it was parked:
// resume_parked starts it then).
bool park_until_accepted(RunShared& run, int v) {
  if (!run.accept_pending.load(std::memory_order_acquire)) return false;
  std::lock_guard lk(run.m);
  if (!run.accept_pending.load(std::memory_order_relaxed)) return false;
  run.parked.push_back(v);
  return true;
}

// Runs one attempt of node v: done when `r` holds its result now, pending when it
// completes later (or was parked), handoff when it must run on a pool thread (see
// start_run). `env` is run->eval_env().
Attempt attempt(const std::shared_ptr<RunShared>& run, int v, NodeResult& r, const expr::EvalEnv& env) {
  const CompiledNode& cn = run->wf->nodes[static_cast<std::size_t>(v)];
  if (!cn.before_accept && park_until_accepted(*run, v)) return Attempt::pending;
  Value params;
  if (Status st = cn.params.evaluate(env, params); !st.ok()) {
    r.status = Status(st.code(), "params: " + st.message());
    r.final_error = true;  // the same params fail the same way on every attempt
    return Attempt::done;
  }
  if (cn.raw_params.is_object()) {
    if (!params.is_object()) params = Value::object();
    for (const auto& [k, val] : cn.raw_params.as_object()) params.as_object().set(k, val);
  }
  if (cn.cache && answer_from_cache(run, v, params, r)) {
    r.input = std::move(params);
    return Attempt::done;
  }
  // Custom and connector nodes are invoked on pool threads only (Node::invoke).
  if (!cn.builtin && t_caller_inline && !run->engine->on_engine_thread()) return Attempt::handoff;
  std::shared_ptr<CallState> call;
  if (cn.builtin) {
    ExecContext ctx(*run, v, params);
    bool done = true;
    try {
      done = cn.builtin->execute(ctx, r);
    } catch (const std::exception& e) {
      r = NodeResult{internal_error(std::string("node threw: ") + e.what())};
    } catch (...) {
      r = NodeResult{internal_error("node threw a non-standard exception")};
    }
    call = ctx.deferred();
    if (done || !call) {
      if (!done) r = NodeResult{internal_error("node returned without completing or deferring")};
      r.input = std::move(params);
      return Attempt::done;
    }
  } else {
    call = make_call(run, v, std::move(params));
    try {
      cn.impl->invoke(NodeCall(call));
    } catch (const std::exception& e) {
      complete_call(call, NodeResult{internal_error(std::string("node threw: ") + e.what())});
    } catch (...) {
      complete_call(call, NodeResult{internal_error("node threw a non-standard exception")});
    }
  }
  std::lock_guard lk(call->m);
  if (call->phase == CallState::Phase::completed_inline) {
    call->phase = CallState::Phase::done;
    r = std::move(call->result);
    r.input = call->params;
    return Attempt::done;
  }
  if (call->phase == CallState::Phase::invoking) call->phase = CallState::Phase::async;
  return Attempt::pending;
}

struct DepthGuard {
  DepthGuard() { ++t_drive_depth; }
  ~DepthGuard() { --t_drive_depth; }
};

// Runs node v on this thread, then what it enables inline (dispatch_ready), then
// the nodes in `more` (dispatched to this thread already).
void drive(std::shared_ptr<RunShared> run, int v, std::vector<int> more) {
  DepthGuard guard;
  int chain = 0;
  std::vector<int> ready;
  const expr::EvalEnv env = run->eval_env();  // the same for every node of the run
  for (;;) {
    if (v < 0) {
      if (more.empty()) return;
      v = more.back();
      more.pop_back();
    }
    if (run->final_flag.load(std::memory_order_acquire)) return;
    NodeResult r;
    Attempt at = attempt(run, v, r, env);
    if (at == Attempt::handoff) {
      std::lock_guard lk(run->m);
      if (!run->final_flag.load(std::memory_order_relaxed)) post_node(run, v);
      v = -1;
      continue;
    }
    if (at == Attempt::pending) {
      v = -1;
      continue;
    }
    After a;
    ready.clear();
    {
      std::lock_guard lk(run->m);
      if (run->final_flag.load(std::memory_order_relaxed)) return;
      handle_result(run, v, r, a, ready);
      dispatch_ready(run, ready, a, ++chain < kInlineChain);
    }
    after_unlock(*run, a);
    v = a.next;
    more.insert(more.end(), a.more.begin(), a.more.end());
  }
}

void post_node(const std::shared_ptr<RunShared>& run, int node) {
  IoPool& pool = run->deferred_record ? run->engine->latency_pool : run->engine->pool;  // latency path: own thread
  asio::post(io_context(pool), [run, node]() mutable { drive(std::move(run), node); });
}

}  // namespace sched

using namespace sched;

void start_run(const std::shared_ptr<RunShared>& run_sp, bool on_this_thread) {
  struct CallerInline {
    bool saved = t_caller_inline;
    explicit CallerInline(bool on) { t_caller_inline = t_caller_inline || on; }
    ~CallerInline() { t_caller_inline = saved; }
  } guard(on_this_thread);
  RunShared& run = *run_sp;
  After a;
  std::vector<int> ready;
  {
    std::lock_guard lk(run.m);
    if (run.final_flag.load(std::memory_order_relaxed) || run.started) return;
    run.started = true;
    run.engine->retain_run();
    run.status = RunStatus::running;
    run.base_tp = std::chrono::steady_clock::now();
    run.base_ms = now_ms();
    if (run.started_ms == 0) run.started_ms = run.base_ms;
    run.unresolved = static_cast<int>(run.size()) - run.wf->fallback_only;
    for (std::size_t i = 0; i < run.size(); ++i)
      run.slots[i].remaining = static_cast<int>(run.wf->nodes[i].in_edges.size());
    std::vector<Work>& work = t_work;
    work.clear();
    for (int r : run.wf->roots) become_ready(run, r, a, work, ready);
    drain(run, work, a, ready);
    if (!run.final_flag.load(std::memory_order_relaxed) && run.wf->timeout && !run.is_item) {
      auto limit = *run.wf->timeout;
      run.run_timer = std::make_unique<Timer>(run.engine->pool);
      run.run_timer->start(limit, [run_sp, limit](bool fired) {
        if (fired)
          halt_run(*run_sp, RunStatus::failed,
                   Status(StatusCode::deadline_exceeded, "the run exceeded its timeout of " + format_duration(limit)));
      });
    }
    dispatch_ready(run_sp, ready, a, on_this_thread);
  }
  after_unlock(run, a);
  if (a.next >= 0) drive(run_sp, a.next, std::move(a.more));
}

void complete_call(const std::shared_ptr<CallState>& call, NodeResult result) {
  if (call->on_result) {  // outside the DAG (cache revalidation)
    {
      std::lock_guard lk(call->m);
      if (call->has_result) return;
      call->has_result = true;
      call->phase = CallState::Phase::done;
    }
    call->on_result(result);
    return;
  }
  {
    std::lock_guard lk(call->m);
    if (call->has_result || call->phase == CallState::Phase::done) return;
    call->has_result = true;
    if (call->phase == CallState::Phase::invoking) {
      call->result = std::move(result);
      call->phase = CallState::Phase::completed_inline;
      return;
    }
    call->phase = CallState::Phase::done;
  }
  result.input = call->params;
  const std::shared_ptr<RunShared>& run = call->run;
  After a;
  std::vector<int> ready;
  {
    std::lock_guard lk(run->m);
    if (run->final_flag.load(std::memory_order_relaxed)) return;
    NodeSlot& s = run->slots[static_cast<std::size_t>(call->node)];
    if (s.call != call) return;  // a stale attempt
    handle_result(run, call->node, result, a, ready);
    dispatch_ready(run, ready, a, true);
  }
  after_unlock(*run, a);
  if (a.next >= 0) drive(run, a.next, std::move(a.more));
}

void resume_parked(const std::shared_ptr<RunShared>& run, const std::vector<int>& nodes, bool on_this_thread) {
  if (nodes.empty()) return;
  const bool here = on_this_thread && run->engine->on_engine_thread();
  for (std::size_t i = here ? 1 : 0; i < nodes.size(); ++i) {
    std::lock_guard lk(run->m);
    if (!run->final_flag.load(std::memory_order_relaxed)) post_node(run, nodes[i]);
  }
  if (here) drive(run, nodes[0]);
}

void halt_run(RunShared& run, RunStatus status, Status why) {
  After a;
  {
    std::lock_guard lk(run.m);
    if (run.final_flag.load(std::memory_order_relaxed)) return;
    finalize(run, status, why, a);
  }
  after_unlock(run, a);
}

void on_run_done(RunShared& run, std::function<void(const RunShared&)> fn) {
  {
    std::lock_guard lk(run.m);
    if (!run.final_flag.load(std::memory_order_relaxed)) {
      run.done_fns.push_back(std::move(fn));
      return;
    }
  }
  try {
    fn(run);
  } catch (...) {
  }
}

std::shared_ptr<CallState> make_call(const std::shared_ptr<RunShared>& run, int node, Value params) {
  auto c = std::make_shared<CallState>();
  c->run = run;
  c->node = node;
  c->params = std::move(params);
  std::lock_guard lk(run->m);
  NodeSlot& s = run->slots[static_cast<std::size_t>(node)];
  if (run->final_flag.load(std::memory_order_relaxed) || s.resolved) {
    c->closed = true;
    c->phase = CallState::Phase::done;
    c->cancelled.store(true);
    return c;
  }
  c->attempt = s.attempts;
  s.call = c;
  const CompiledNode& cn = run->wf->nodes[static_cast<std::size_t>(node)];
  if (cn.timeout) {
    auto limit = *cn.timeout;
    c->timeout_timer = std::make_unique<Timer>(run->engine->pool);
    c->timeout_timer->start(limit, [c, limit](bool fired) {
      if (!fired) return;
      c->cancelled.store(true);
      complete_call(c, NodeResult{Status(StatusCode::deadline_exceeded, "the node timed out after " + format_duration(limit))});
    });
  }
  return c;
}

}  // namespace famulor::detail
