// ScheduleTrigger: catch-up on start, one timer per schedule, fires through the
// journal with the slot (see schedule_trigger.hpp and docs/durability.md).
#include "engine/schedule_trigger.hpp"

#include <algorithm>
#include <cstdio>
#include <mutex>
#include <optional>

#include "common/clock.hpp"
#include "engine/engine_impl.hpp"
#include "engine/timer.hpp"

namespace famulor::detail {

struct ScheduleTrigger::Core : std::enable_shared_from_this<Core> {
  Core(EngineImpl& e, std::string wf, Schedule s)
      : engine(e), workflow(std::move(wf)), sched(std::move(s)), timer(e.pool) {}

  EngineImpl& engine;
  const std::string workflow;
  const Schedule sched;

  mutable std::mutex mu;  // everything below; held while firing
  Timer timer;
  bool running = false;
  std::uint64_t generation = 0;  // a timer armed before the last stop() is ignored
  std::int64_t last = 0;         // last fired or settled slot: where the next is counted from
  std::int64_t next = 0;
  std::uint64_t fired = 0, duplicates = 0, skipped = 0;
  // Set when start()'s catch-up could not finish (the store failed): the retry
  // applies the same policy, not the running one.
  std::optional<CatchUp> unfinished_catch_up;

  void log(const std::string& what) const {
    std::fprintf(stderr, "famulor: schedule of workflow '%s': %s\n", workflow.c_str(), what.c_str());
  }

  // Fires `slot` now; false when it could not be accepted (it stays unfired).
  bool fire(std::int64_t slot, std::int64_t now, bool missed) {
    const std::int64_t late_ms = std::max<std::int64_t>(0, now - slot);
    Event ev;
    ev.type = "schedule";
    ev.workflow = workflow;
    ev.dedupe_key = "schedule:" + workflow + ":" + std::to_string(slot);
    ev.payload = Value::object({{"slot", format_utc(slot)},
                                {"slot_ms", Value(static_cast<std::int64_t>(slot))},
                                {"scheduled_at", sched.zone.format(slot)},
                                {"fired_at", format_utc(now)},
                                {"late", missed || late_ms >= kLateAfterMs},
                                {"late_ms", Value(static_cast<std::int64_t>(late_ms))},
                                {"timezone", sched.zone.name()}});
    const ScheduleSlot s{workflow, slot};
    bool duplicate = false;
    auto r = engine.emit(std::move(ev), &s, &duplicate);
    if (!r.ok()) {
      // failed_precondition: the engine is stopping (stop() is about to stop us); quiet.
      if (r.status().code() != StatusCode::failed_precondition)
        log("slot " + format_utc(slot) + " not fired: " + r.status().to_string());
      return false;
    }
    last = std::max(last, slot);
    ++(duplicate ? duplicates : fired);
    return true;
  }

  bool settle(std::int64_t slot) {
    if (Status st = engine.journal.settle_schedule(workflow, slot); !st.ok()) {
      log("could not record slot " + format_utc(slot) + ": " + st.to_string());
      return false;
    }
    last = std::max(last, slot);
    return true;
  }

  // Handles the slots in (last, now]. `policy` decides what happens to all but
  // the newest; `newest_fires` says whether the newest fires regardless (a timer
  // tick) or follows the policy too (after downtime). False when a fire failed.
  bool handle_due(std::int64_t now, CatchUp policy, bool newest_fires) {
    DueSlots due = due_slots(sched, last, now, last, kMaxCatchUpFires);
    if (due.slots.empty()) return true;
    const bool stalled = due.slots.size() > 1 || due.earlier;
    if (policy == CatchUp::all) {
      if (due.earlier) log("more than " + std::to_string(kMaxCatchUpFires) + " slots were missed: firing the latest " +
                           std::to_string(kMaxCatchUpFires));
      for (std::int64_t slot : due.slots)
        if (!fire(slot, now, stalled || !newest_fires)) return false;
      return true;
    }
    const std::int64_t newest = due.slots.back();
    skipped += due.slots.size() - 1;
    if (policy == CatchUp::last || newest_fires) return fire(newest, now, stalled || !newest_fires);
    ++skipped;
    return settle(newest);
  }

  void arm(std::int64_t now, std::int64_t retry_ms = 0) {
    std::int64_t delay = retry_ms;
    if (retry_ms == 0) {
      auto n = sched.next_after(last, last);
      next = n ? *n : 0;
      if (!n) {
        log("no further slot (the cron expression matches nothing in the next " + std::to_string(kCronSearchYears) +
            " years)");
        return;
      }
      delay = std::clamp<std::int64_t>(next - now, 0, kMaxArmMs);
    }
    timer.start(std::chrono::milliseconds(delay), [w = weak_from_this(), gen = generation](bool fired_now) {
      if (!fired_now) return;
      if (auto c = w.lock()) c->on_timer(gen);
    });
  }

  void on_timer(std::uint64_t gen) {
    std::lock_guard lk(mu);
    if (!running || gen != generation) return;
    const std::int64_t now = engine.schedule_now();
    if (unfinished_catch_up) {  // a retry of start()'s catch-up
      const bool ok = handle_due(now, *unfinished_catch_up, false);
      if (ok) unfinished_catch_up.reset();
      return arm(engine.schedule_now(), ok ? 0 : 1000);
    }
    if (next == 0 || now < next) return arm(now);  // re-armed early (kMaxArmMs) or the wall clock went back
    // Normally one slot is due; several only when the process stalled (a
    // suspended machine, a clock jump): the newest fires, older ones follow catch_up.
    const bool ok = handle_due(now, sched.catch_up == CatchUp::all ? CatchUp::all : CatchUp::none, true);
    arm(engine.schedule_now(), ok ? 0 : 1000);
  }

  Status start(bool catch_up) {
    std::lock_guard lk(mu);
    if (running) return {};
    const std::int64_t now = engine.schedule_now();
    auto stored = engine.journal.last_schedule_slot(workflow);
    if (!stored.ok()) return stored.status();
    last = std::max(last, stored.value());
    running = true;
    ++generation;
    bool ok = true;
    if (last == 0) {
      // The first start: nothing was missed, and an interval counts from here.
      if (!settle(now)) last = now;
    } else {
      const CatchUp policy = catch_up ? sched.catch_up : CatchUp::none;
      ok = handle_due(now, policy, false);
      if (!ok) unfinished_catch_up = policy;
    }
    arm(engine.schedule_now(), ok ? 0 : 1000);
    return {};
  }

  void stop() {
    std::lock_guard lk(mu);
    running = false;
    ++generation;
    next = 0;
    unfinished_catch_up.reset();  // the next start() looks again
    timer.cancel();
  }
};

ScheduleTrigger::ScheduleTrigger(EngineImpl& engine, std::string workflow, Schedule schedule)
    : core_(std::make_shared<Core>(engine, std::move(workflow), std::move(schedule))) {}

ScheduleTrigger::~ScheduleTrigger() { core_->stop(); }

void ScheduleTrigger::catch_up_on_start(bool yes) noexcept { catch_up_on_start_ = yes; }

Status ScheduleTrigger::start(TriggerSink&) {
  try {
    return core_->start(catch_up_on_start_);
  } catch (const std::exception& e) {
    return internal_error(std::string("schedule trigger: ") + e.what());
  }
}

void ScheduleTrigger::stop() { core_->stop(); }

ScheduleState ScheduleTrigger::state() const {
  std::lock_guard lk(core_->mu);
  return {core_->running, core_->last, core_->next, core_->fired, core_->duplicates, core_->skipped};
}

Result<std::unique_ptr<Trigger>> make_schedule_trigger(EngineImpl& engine, const Workflow& workflow) {
  auto s = schedule_from_config(workflow.trigger().config);
  if (!s.ok()) return Status(s.status().code(), "schedule trigger: " + s.status().message());
  return std::unique_ptr<Trigger>(std::make_unique<ScheduleTrigger>(engine, workflow.id(), std::move(s.value())));
}

// ---- EngineImpl's schedule hooks ----

std::int64_t EngineImpl::schedule_now() const {
  std::lock_guard lk(clock_mu_);
  return schedule_clock_ ? schedule_clock_() : now_ms();
}

void EngineImpl::set_schedule_clock(std::function<std::int64_t()> now) {
  std::lock_guard lk(clock_mu_);
  schedule_clock_ = std::move(now);
}

std::optional<ScheduleState> EngineImpl::schedule_state(std::string_view workflow) const {
  std::shared_ptr<Installed> inst;
  {
    std::shared_lock lk(wf_mu_);
    auto it = workflows_.find(workflow);
    if (it == workflows_.end()) return std::nullopt;
    inst = it->second;
  }
  auto* st = dynamic_cast<ScheduleTrigger*>(inst->trigger.get());
  if (!st) return std::nullopt;
  return st->state();
}

}  // namespace famulor::detail
