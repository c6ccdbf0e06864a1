// engine/schedule_trigger.hpp — ScheduleTrigger: the built-in `schedule` trigger
// (internal API; behaviour documented in docs/durability.md, "Schedules").
//
// It fires each slot of its Schedule (schedule/schedule.hpp) as an event whose
// dedupe key is "schedule:<workflow>:<slot ms>" and whose accept records the slot
// (Journal::accept with a ScheduleSlot), so with a store a slot fires at most once,
// even across restarts and across processes sharing the database. One engine Timer
// per schedule, re-armed at most kMaxArmMs ahead so that wall-clock jumps are
// noticed; no thread of its own.
//
// On start it reads the last recorded slot and handles the slots that passed
// since: when the engine starts, by the workflow's `catch_up` policy; when the
// workflow is installed into a running engine, they are skipped.
//
// Thread-safety: start/stop/state from any thread (the engine serializes start
// and stop). Fires happen on pool threads under the trigger's mutex, which stop()
// takes: stop() returns only once no fire is in progress.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "famulor/trigger.hpp"
#include "schedule/schedule.hpp"

namespace famulor::detail {

class EngineImpl;

struct ScheduleState {
  bool running = false;
  std::int64_t last_slot = 0;  // last fired or settled slot (unix ms)
  std::int64_t next_slot = 0;  // the slot the timer waits for; 0 = none
  std::uint64_t fired = 0;       // fires that started runs
  std::uint64_t duplicates = 0;  // fires the store already knew (another process fired them)
  std::uint64_t skipped = 0;     // missed slots not fired (catch_up), at least
};

// The timer is re-armed at least this often, so a wall-clock jump delays a fire by at most this.
inline constexpr std::int64_t kMaxArmMs = 60'000;
// A fire more than this after its slot is reported `late`.
inline constexpr std::int64_t kLateAfterMs = 1'000;

class ScheduleTrigger final : public Trigger {
 public:
  ScheduleTrigger(EngineImpl& engine, std::string workflow, Schedule schedule);
  ~ScheduleTrigger() override;

  // Whether the next start() applies catch_up (Engine::start) or skips the
  // missed slots (install into a running engine).
  void catch_up_on_start(bool yes) noexcept;
  Status start(TriggerSink& sink) override;
  void stop() override;
  ScheduleState state() const;

 private:
  struct Core;
  std::shared_ptr<Core> core_;
  bool catch_up_on_start_ = true;
};

// The factory the engine registers for "schedule".
Result<std::unique_ptr<Trigger>> make_schedule_trigger(EngineImpl& engine, const Workflow& workflow);

}  // namespace famulor::detail
