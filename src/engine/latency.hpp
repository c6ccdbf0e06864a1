// engine/latency.hpp — the latency path of call.incoming and call.tool runs: start
// a run without a store write, answer as soon as its respond node has run, and at
// a hard deadline answer what it has (internal API; docs/voice.md).
//
// The sync form waits on the caller's thread (which also runs the run's built-in
// and cached nodes until one waits); the async form arms a timer on the engine's
// pool. Either way exactly one answer is produced, and the run goes on after a
// late answer; its record is written when it is final (Journal::finish).
//
// Thread-safety: run_sync/run_async may be called from any thread.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "engine/compiled.hpp"
#include "famulor/value.hpp"

namespace famulor::detail {

class EngineImpl;

struct LatencyAnswer {
  enum class Kind {
    responded,    // the respond node ran: `response`
    late,         // the deadline came first: `computed` holds what the run had
    ended,        // the run ended (failed, cancelled, or without a respond node)
    not_started,  // the run could not start (engine stopped)
  };
  Kind kind = Kind::not_started;
  Value response;
  // late: the fields of the `set` nodes that had finished, merged in workflow
  // order (later nodes win).
  Value computed = Value::object();
  std::string run_id;
  std::string error;
  StatusCode code = StatusCode::ok;
};

// `deadline` is absolute (steady clock).
LatencyAnswer run_latency_sync(EngineImpl& engine, std::shared_ptr<const CompiledWorkflow> wf, Value trigger,
                               std::chrono::steady_clock::time_point deadline);
// `done` is called exactly once: on a pool thread (or this thread, when the run
// cannot start or ends at once). [Exceptions] must not throw.
void run_latency_async(EngineImpl& engine, std::shared_ptr<const CompiledWorkflow> wf, Value trigger,
                       std::chrono::steady_clock::time_point deadline, std::function<void(LatencyAnswer)> done);

}  // namespace famulor::detail
