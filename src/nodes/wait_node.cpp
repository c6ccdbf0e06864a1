// wait: sleeps on an engine timer for `duration` or until `until`. With a store
// the node is recorded `waiting` with its due time before it sleeps; after a
// restart it sleeps until that same due time, and a timer that fell due while the
// engine was down fires at once with {"late": true, "late_ms": ...} in its output.
#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <string>

#include "common/clock.hpp"
#include "common/duration.hpp"
#include "engine/builtin.hpp"
#include "engine/engine_impl.hpp"
#include "engine/timer.hpp"
#include "nodes/builtin_nodes.hpp"

namespace famulor::detail {
namespace {

std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

// "2026-11-27T12:00:00Z", "...:00.250+01:00" -> unix ms.
Result<std::int64_t> parse_iso8601(const std::string& s) {
  int y, mo, d, h, mi, sec, n = 0;
  if (std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6 || n != 19)
    return invalid_argument("wait: `until` must be an ISO-8601 time like 2026-11-27T12:00:00Z, not \"" + s + "\"");
  std::size_t i = 19;
  std::int64_t ms = 0;
  if (i < s.size() && s[i] == '.') {
    int digits = 0;
    for (++i; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i, ++digits)
      if (digits < 3) ms = ms * 10 + (s[i] - '0');
    for (; digits < 3; ++digits) ms *= 10;
  }
  std::int64_t offset_min = 0;
  if (i < s.size() && (s[i] == 'Z' || s[i] == 'z')) {
    ++i;
  } else if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    int oh, om;
    if (s.size() - i != 6 || std::sscanf(s.c_str() + i + 1, "%2d:%2d", &oh, &om) != 2)
      return invalid_argument("wait: bad UTC offset in `until` \"" + s + "\"");
    offset_min = (s[i] == '-' ? -1 : 1) * (oh * 60 + om);
    i += 6;
  } else {
    return invalid_argument("wait: `until` needs a UTC offset (Z or +HH:MM): \"" + s + "\"");
  }
  if (i != s.size()) return invalid_argument("wait: trailing text in `until` \"" + s + "\"");
  std::int64_t days = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  return ((days * 24 + h) * 60 + mi - offset_min) * 60'000 + sec * 1000 + ms;
}

class WaitNode final : public BuiltinNode {
 public:
  bool execute(ExecContext& ctx, NodeResult& out) override {
    std::chrono::milliseconds delay{0};
    const Value* dur = ctx.params().find("duration");
    const Value* until = ctx.params().find("until");
    if (dur && !dur->is_null()) {
      auto d = duration_from_value(*dur);
      if (!d.ok()) {
        out.status = Status(d.status().code(), "wait: " + d.status().message());
        return true;
      }
      delay = d.value();
    } else if (until && until->is_string()) {
      auto t = parse_iso8601(until->as_string());
      if (!t.ok()) {
        out.status = t.status();
        return true;
      }
      delay = std::chrono::milliseconds(std::max<std::int64_t>(0, t.value() - now_ms()));
    } else {
      out.status = invalid_argument("wait: give `duration` or `until`");
      return true;
    }
    RunShared& run = ctx.run();
    NodeSlot& slot = run.slots[static_cast<std::size_t>(ctx.node_index())];
    const std::int64_t now = now_ms();
    std::int64_t due = now + delay.count();
    if (slot.due_ms > 0) {  // resumed after a restart: keep the recorded due time
      due = slot.due_ms;
      if (due <= now) {
        out.output = Value::object({{"waited_ms", 0}, {"late", true}, {"late_ms", now - due},
                                    {"due_at", format_time_ms(due)}});
        return true;
      }
      delay = std::chrono::milliseconds(due - now);
    }
    if (delay.count() == 0) {
      out.output = Value::object({{"waited_ms", 0}});
      return true;
    }
    {
      std::lock_guard lk(run.m);
      slot.status = NodeStatus::waiting;
      if (run.status == RunStatus::running) run.status = RunStatus::waiting;
      ctx.engine().journal.waiting(run, ctx.node_index(), due);
    }
    auto call = std::make_shared<NodeCall>(ctx.defer());
    auto t0 = std::chrono::steady_clock::now();
    auto timer = std::make_unique<Timer>(ctx.engine().pool);
    std::shared_ptr<RunShared> run_sp = run.shared_from_this();
    timer->start(delay, [call, t0, run_sp](bool fired) {
      if (!fired) return;
      {
        std::lock_guard lk(run_sp->m);
        if (run_sp->status == RunStatus::waiting) run_sp->status = RunStatus::running;
      }
      auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0);
      call->succeed(Value::object({{"waited_ms", static_cast<std::int64_t>(waited.count())}}));
    });
    ctx.deferred()->adopt_timer(timer);  // when refused (attempt over), `timer` dies here and cancels
    return false;
  }
};

}  // namespace

void add_wait_node(std::map<std::string, NodeFactory, std::less<>>& out) {
  out["wait"] = [](const NodeSpec&) -> Result<std::unique_ptr<Node>> {
    return std::unique_ptr<Node>(std::make_unique<WaitNode>());
  };
}

}  // namespace famulor::detail
