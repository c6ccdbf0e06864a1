// famulor/trigger.hpp — Event and Trigger: where runs come from.
//
// Events are emitted by the host (Engine::emit), by built-in triggers (schedule,
// webhook, voice routes) or by custom Trigger objects a host registers. An event
// starts one run in every installed workflow whose trigger type matches (and whose
// trigger filter, if any, accepts it).
//
// Thread-safety: Event is a plain value. TriggerSink::emit is thread-safe.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "famulor/status.hpp"
#include "famulor/value.hpp"
#include "famulor/workflow.hpp"

namespace famulor {

struct Event {
  std::string type;        // trigger type it is for: "event", "manual", "call.ended", "webhook", ...
  Value payload;           // becomes `trigger` in expressions
  std::string name;        // type "event": matched against the trigger's "name" ("" = any);
                           // type "webhook": the hook path, matched against the trigger's
                           // "path" (and payload.method against its "method", default POST)
  std::string dedupe_key;  // optional: a redelivery with the same key starts no second run
  std::string workflow;    // optional: only this workflow id
};

// What a Trigger hands its events to.
class TriggerSink {
 public:
  virtual ~TriggerSink() = default;
  // [Threading] Any thread. Returns the ids of the runs the event started (or, for
  // a duplicate dedupe key, of the runs it started the first time) once accepted.
  virtual Result<std::vector<std::string>> emit(Event event) = 0;
};

class Trigger {
 public:
  virtual ~Trigger() = default;
  // [Threading] Called once from Engine::start (or install after start) on the
  // caller's thread. The trigger may keep `sink` until stop() returns and call it
  // from any thread; events are routed to the workflow that owns this trigger.
  // [Exceptions] must not throw; return an error Status instead.
  virtual Status start(TriggerSink& sink) = 0;
  // [Threading] Called once from Engine::stop / uninstall; must not return while a
  // call into the sink is still in progress from the trigger's own threads.
  virtual void stop() = 0;
};

// Creates the trigger instance for one installed workflow (its trigger() spec).
using TriggerFactory = std::function<Result<std::unique_ptr<Trigger>>(const Workflow& workflow)>;

}  // namespace famulor
