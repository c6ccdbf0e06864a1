// store/audit_json.hpp — the audit log's JSON shape (GET /v1/audit, `famulor audit
// --json`) and the `since` filter both accept.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string_view>

#include "famulor/status.hpp"
#include "famulor/value.hpp"
#include "store/store.hpp"

namespace famulor::store {

// {"seq", "at", "actor", "action", "target", "outcome", "workflow", "run_id",
//  "node", "http_status", "duration_ms"}; absent fields are null.
Value audit_json(const AuditEntry& entry);

// A point in time for `since`: an ISO 8601 time ("2026-11-27T10:00:00Z"), a date
// ("2026-11-27", midnight UTC), or a duration ("24h", "7d") meaning that long
// before `now_ms`. invalid_argument naming the text otherwise.
Result<std::int64_t> parse_since(std::string_view text, std::int64_t now_ms);

}  // namespace famulor::store
