#include "store/audit_json.hpp"

#include <string>

#include "common/duration.hpp"
#include "schedule/zone.hpp"

namespace famulor::store {

Value audit_json(const AuditEntry& e) {
  auto text = [](const std::string& s) { return s.empty() ? Value() : Value(s); };
  return Value::object({{"seq", Value(e.seq)},
                        {"at", Value(format_time_ms(e.at_ms))},
                        {"actor", Value(e.actor)},
                        {"action", Value(e.action)},
                        {"target", text(e.target)},
                        {"outcome", Value(e.outcome)},
                        {"workflow", text(e.workflow)},
                        {"run_id", text(e.run_id)},
                        {"node", text(e.node)},
                        {"http_status", e.http_status ? Value(std::int64_t{e.http_status}) : Value()},
                        {"duration_ms", e.action == "connector.call" ? Value(e.duration_ms) : Value()}});
}

Result<std::int64_t> parse_since(std::string_view text, std::int64_t now_ms) {
  detail::TimeZone utc;
  if (auto t = detail::parse_time(text, utc)) return *t;
  if (text.size() == 10)
    if (auto t = detail::parse_time(std::string(text) + "T00:00:00Z", utc)) return *t;
  if (auto d = detail::parse_duration(text); d.ok()) return now_ms - d->count();
  return invalid_argument("since: '" + std::string(text) +
                          "' is neither an ISO 8601 time (2026-11-27T10:00:00Z), a date (2026-11-27) nor a "
                          "duration (24h, 7d)");
}

}  // namespace famulor::store
