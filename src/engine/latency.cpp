#include "engine/latency.hpp"

#include <condition_variable>
#include <mutex>

#include "engine/engine_impl.hpp"
#include "engine/scheduler.hpp"
#include "engine/timer.hpp"

namespace famulor::detail {
namespace {

using Clock = std::chrono::steady_clock;

// What the run had computed at the deadline: the outputs of its finished `set`
// nodes, merged in workflow order.
Value computed_so_far(RunShared& run) {
  Value out = Value::object();
  std::lock_guard lk(run.m);
  for (std::size_t i = 0; i < run.size(); ++i) {
    const NodeSlot& s = run.slots[i];
    if (run.wf->nodes[i].type != "set" || s.status != NodeStatus::succeeded || !s.output.is_object()) continue;
    for (const auto& [k, v] : s.output.as_object()) out.as_object().set(k, v);
  }
  return out;
}

// One latency-path call: whichever of respond, run end and deadline comes first answers.
class LatencyCall {
 public:
  std::mutex m;
  std::condition_variable cv;
  bool answered = false;
  bool final = false;
  LatencyAnswer answer;
  std::weak_ptr<RunShared> run;
  std::unique_ptr<Timer> timer;
  std::function<void(LatencyAnswer)> done;  // async form

  void on_hook(RunShared& r, const Value* response, bool is_final) {
    std::unique_ptr<Timer> t;
    std::function<void(LatencyAnswer)> fn;
    LatencyAnswer a;
    {
      std::lock_guard lk(m);
      if (is_final) final = true;
      if (!answered && (response || is_final)) {
        a.run_id = r.id;
        if (response) {
          a.kind = LatencyAnswer::Kind::responded;
          a.response = *response;
        } else {
          a.kind = LatencyAnswer::Kind::ended;
          a.code = r.error_code == StatusCode::ok ? StatusCode::failed_precondition : r.error_code;
          a.error = r.error.empty() ? "the workflow ended without running its respond node" : r.error;
        }
        answered = true;
        answer = a;
        fn = std::move(done);
        cv.notify_all();
      }
      if (answered) t = std::move(timer);  // answered, or final: the deadline no longer matters
    }
    t.reset();
    if (fn) fn(std::move(a));
  }

  // The deadline passed; `lk` holds m. Returns the answer to give, when this call answers.
  bool answer_late(std::unique_lock<std::mutex>& lk, LatencyAnswer& a) {
    (void)lk;
    if (answered) return false;
    answered = true;
    answer.kind = LatencyAnswer::Kind::late;
    answer.code = StatusCode::deadline_exceeded;
    answer.error = "the deadline passed before the respond node ran";
    if (auto r = run.lock()) {
      answer.run_id = r->id;
      answer.computed = computed_so_far(*r);  // lock order: LatencyCall::m, then RunShared::m
    }
    a = answer;
    return true;
  }
};

Result<std::shared_ptr<RunShared>> start(EngineImpl& engine, std::shared_ptr<const CompiledWorkflow> wf, Value trigger,
                                         const std::shared_ptr<LatencyCall>& call, bool on_this_thread) {
  return engine.launch_latency(
      std::move(wf), std::move(trigger),
      [call](RunShared& r, const Value* response, bool is_final) { call->on_hook(r, response, is_final); },
      on_this_thread);
}

}  // namespace

Result<std::shared_ptr<RunShared>> EngineImpl::launch_latency(std::shared_ptr<const CompiledWorkflow> wf, Value trigger,
                                                              std::function<void(RunShared&, const Value*, bool)> hook,
                                                              bool on_this_thread) {
  auto run = new_run(std::move(wf), std::move(trigger), 0);
  run->deferred_record = true;
  run->latency_hook = std::move(hook);
  {
    std::lock_guard lk(runs_mu_);
    if (closed_ || !accepting_) return failed_precondition("the engine is not running (call start(), or it is stopping)");
    live_.emplace(run->id, run);
  }
  start_run(run, on_this_thread);
  return run;
}

LatencyAnswer run_latency_sync(EngineImpl& engine, std::shared_ptr<const CompiledWorkflow> wf, Value trigger,
                               Clock::time_point deadline) {
  auto call = std::make_shared<LatencyCall>();
  auto r = start(engine, std::move(wf), std::move(trigger), call, true);
  if (!r.ok()) {
    LatencyAnswer a;
    a.code = r.status().code();
    a.error = r.status().message();
    return a;
  }
  std::unique_lock lk(call->m);
  call->run = r.value();
  call->cv.wait_until(lk, deadline, [&] { return call->answered; });
  LatencyAnswer a;
  if (call->answer_late(lk, a)) return a;
  return call->answer;
}

void run_latency_async(EngineImpl& engine, std::shared_ptr<const CompiledWorkflow> wf, Value trigger,
                       Clock::time_point deadline, std::function<void(LatencyAnswer)> done) {
  auto call = std::make_shared<LatencyCall>();
  call->done = std::move(done);
  auto r = start(engine, std::move(wf), std::move(trigger), call, false);
  if (!r.ok()) {
    LatencyAnswer a;
    a.code = r.status().code();
    a.error = r.status().message();
    std::function<void(LatencyAnswer)> fn;
    {
      std::lock_guard lk(call->m);
      fn = std::move(call->done);
    }
    if (fn) fn(std::move(a));
    return;
  }
  std::lock_guard lk(call->m);
  call->run = r.value();
  if (call->answered || call->final) return;
  // Armed only while the run is not final: the run's final hook destroys it, so
  // it never outlives the engine's pool.
  call->timer = std::make_unique<Timer>(engine.latency_pool);  // not behind post-call work on the main pool
  call->timer->start(deadline - Clock::now(), [call](bool fired) {
    if (!fired) return;
    LatencyAnswer a;
    std::function<void(LatencyAnswer)> fn;
    {
      std::unique_lock lk(call->m);
      if (!call->answer_late(lk, a)) return;
      fn = std::move(call->done);
    }
    if (fn) fn(std::move(a));
  });
}

}  // namespace famulor::detail
