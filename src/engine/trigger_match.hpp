// engine/trigger_match.hpp — whether a trigger's own params accept an event: the
// one place that knows, per trigger type, which params filter what (internal API).
// The `filter` expression is evaluated by the engine after these.
//
// Thread-safety: pure functions.
#pragma once

#include <string_view>

#include "famulor/trigger.hpp"
#include "famulor/value.hpp"
#include "famulor/workflow.hpp"

namespace famulor::detail {

// `t.type` equals `ev.type` already. event: `name`; webhook: `path` and `method`;
// call.ended: `platform`, `direction`, `status`, `assistant` (string or array) and
// `events` (when absent, every event but Retell's `call_ended`, which
// `call_analyzed` follows with the analysis).
bool trigger_params_match(const TriggerSpec& t, const Event& ev);

// call.incoming: how specifically the trigger names this call (its `assistant`
// counts 2, `platform` 1), or -1 when a filter excludes it. `call` is the
// IncomingCall JSON.
int incoming_specificity(const Value& trigger_config, const Value& call);

// A trigger param that is a string or an array of strings: absent accepts
// anything, else `actual` must equal it (or one element).
bool one_of(const Value& config, std::string_view param, std::string_view actual);

}  // namespace famulor::detail
