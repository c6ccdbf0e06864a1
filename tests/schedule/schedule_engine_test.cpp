// The schedule trigger in an engine: catch-up policies across a simulated downtime
// (an injected clock, a real SQLite file, engines stopped and started again),
// exactly-once slots across restarts and across two engines on one database, and a
// real timer firing a slot.
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <thread>

#include <famulor/engine.hpp>

#include "common/clock.hpp"
#include "engine/engine_impl.hpp"
#include "schedule/zone.hpp"
#include "support/paths.hpp"

using namespace famulor;
using namespace std::chrono_literals;

namespace {

std::int64_t at(const char* iso) {
  auto t = detail::parse_time(iso, detail::TimeZone());
  REQUIRE(t);
  return *t;
}

std::string hourly(const std::string& catch_up) {
  return R"({"id": "tick", "trigger": {"type": "schedule", "cron": "0 * * * *", "catch_up": ")" + catch_up +
         R"("}, "nodes": [{"id": "out", "type": "respond", "params": {"value": "{{ trigger.slot }}"}}]})";
}

// A wall clock that stands still unless a test moves it.
using FakeClock = std::shared_ptr<std::atomic<std::int64_t>>;
FakeClock fake_clock(std::int64_t t) { return std::make_shared<std::atomic<std::int64_t>>(t); }

template <typename F>
bool eventually(F done) {
  const auto until = std::chrono::steady_clock::now() + 30s;  // a bound for failure, not a measurement
  while (!done()) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(2ms);
  }
  return true;
}

std::unique_ptr<Engine> make_engine(const std::string& db, const std::string& workflow,
                                    std::function<std::int64_t()> clock) {
  auto e = std::make_unique<Engine>(EngineOptions{.threads = 2, .db = db});
  e->impl().set_schedule_clock(std::move(clock));
  if (!workflow.empty()) {
    auto wf = e->parse(workflow);
    INFO(wf.status().to_string());
    REQUIRE(wf.ok());
    REQUIRE(e->install(std::move(wf.value())).ok());
  }
  return e;
}

std::unique_ptr<Engine> start_engine(const std::string& db, const std::string& workflow, const FakeClock& clock) {
  auto e = make_engine(db, workflow, [clock] { return clock->load(); });
  Status s = e->start();
  INFO(s.to_string());
  REQUIRE(s.ok());
  return e;
}

detail::ScheduleState state(Engine& e, const char* wf = "tick") {
  auto s = e.impl().schedule_state(wf);
  REQUIRE(s);
  return *s;
}

// The stored runs of `wf`, oldest slot first, once every run has finished.
std::vector<RunRecord> stored_runs(Engine& e, const std::string& wf = "tick") {
  REQUIRE(eventually([&] { return e.impl().active_runs() == 0; }));
  REQUIRE(e.impl().journal.store()->flush().ok());  // outcomes are written behind the runs
  auto page = e.impl().journal.store()->list_runs({.workflow = wf, .limit = 5000});
  REQUIRE(page.ok());
  std::vector<RunRecord> runs = page.value().runs;
  std::sort(runs.begin(), runs.end(), [](const RunRecord& a, const RunRecord& b) {
    return a.trigger.get_int("slot_ms") < b.trigger.get_int("slot_ms");
  });
  return runs;
}

std::vector<std::string> fired_slots(Engine& e) {
  std::vector<std::string> out;
  for (const auto& r : stored_runs(e)) out.push_back(r.trigger.get_string("slot"));
  return out;
}

using V = std::vector<std::string>;

}  // namespace

TEST_CASE("catch_up after a downtime: none skips, last fires the latest, all fires each, once", "[schedule][engine]") {
  test::TempDir dir;
  const std::string db = (dir / "s.db").string();
  FakeClock clock = fake_clock(at("2026-03-10T10:30:00Z"));
  const std::string policy = GENERATE(as<std::string>{}, "none", "last", "all");
  INFO("catch_up " << policy);
  {
    auto e = start_engine(db, hourly(policy), clock);  // the first start: nothing was missed
    CHECK(state(*e).fired == 0);
    CHECK(state(*e).last_slot == at("2026-03-10T10:30:00Z"));
    CHECK(state(*e).next_slot == at("2026-03-10T11:00:00Z"));
    CHECK(fired_slots(*e).empty());
  }
  clock->store(at("2026-03-10T15:30:00Z"));  // down for 11:00 .. 15:00
  const V expected = policy == "none" ? V{}
                     : policy == "last"
                         ? V{"2026-03-10T15:00:00Z"}
                         : V{"2026-03-10T11:00:00Z", "2026-03-10T12:00:00Z", "2026-03-10T13:00:00Z",
                             "2026-03-10T14:00:00Z", "2026-03-10T15:00:00Z"};
  {
    auto e = start_engine(db, hourly(policy), clock);
    CHECK(fired_slots(*e) == expected);
    CHECK(state(*e).fired == expected.size());
    CHECK(state(*e).last_slot == at("2026-03-10T15:00:00Z"));  // fired or settled
    CHECK(state(*e).next_slot == at("2026-03-10T16:00:00Z"));
    if (policy == "last") {
      const RunRecord run = stored_runs(*e).front();
      CHECK(run.status == RunStatus::succeeded);
      CHECK(run.response == Value("2026-03-10T15:00:00Z"));
      CHECK(run.trigger.get_string("scheduled_at") == "2026-03-10T15:00:00Z");
      CHECK(run.trigger.get_string("fired_at") == "2026-03-10T15:30:00Z");
      CHECK(run.trigger.get_int("late_ms") == 30 * 60 * 1000);
      CHECK(run.trigger.find("late")->as_bool());
      CHECK(run.trigger.get_string("timezone") == "UTC");
    }
  }
  {  // a second restart, same time and a little later: nothing new
    auto e = start_engine(db, hourly(policy), clock);
    CHECK(fired_slots(*e) == expected);
    CHECK(state(*e).fired == 0);
    e->stop();
    clock->store(at("2026-03-10T15:59:59Z"));
    REQUIRE(e->start().ok());
    CHECK(fired_slots(*e) == expected);
    CHECK(state(*e).fired == 0);
  }
}

TEST_CASE("an interval counts from the first start and catches up on its own grid", "[schedule][engine]") {
  test::TempDir dir;
  const std::string db = (dir / "s.db").string();
  FakeClock clock = fake_clock(at("2026-05-01T10:07:00Z"));
  const std::string wf = R"({"id": "tick", "trigger": {"type": "schedule", "interval": "15m", "catch_up": "all"},
      "nodes": [{"id": "out", "type": "respond", "params": {"value": "{{ trigger.slot }}"}}]})";
  {
    auto e = start_engine(db, wf, clock);
    CHECK(state(*e).next_slot == at("2026-05-01T10:22:00Z"));
  }
  clock->store(at("2026-05-01T11:10:00Z"));
  auto e = start_engine(db, wf, clock);
  CHECK(fired_slots(*e) == V{"2026-05-01T10:22:00Z", "2026-05-01T10:37:00Z", "2026-05-01T10:52:00Z",
                             "2026-05-01T11:07:00Z"});
  CHECK(state(*e).next_slot == at("2026-05-01T11:22:00Z"));
}

TEST_CASE("a workflow installed into a running engine skips the slots it missed", "[schedule][engine]") {
  test::TempDir dir;
  const std::string db = (dir / "s.db").string();
  FakeClock clock = fake_clock(at("2026-03-10T10:30:00Z"));
  start_engine(db, hourly("all"), clock).reset();
  clock->store(at("2026-03-10T15:30:00Z"));
  auto e = start_engine(db, "", clock);
  auto wf = e->parse(hourly("all"));
  REQUIRE(wf.ok());
  REQUIRE(e->install(std::move(wf.value())).ok());
  CHECK(state(*e).running);
  CHECK(state(*e).fired == 0);
  CHECK(state(*e).last_slot == at("2026-03-10T15:00:00Z"));
  CHECK(fired_slots(*e).empty());
  // And the next start does not fire them either: they were settled.
  e->stop();
  REQUIRE(e->start().ok());
  CHECK(fired_slots(*e).empty());
}

TEST_CASE("without a store a schedule catches up only within one Engine object", "[schedule][engine]") {
  FakeClock clock = fake_clock(at("2026-03-10T10:30:00Z"));
  Engine e{EngineOptions{.threads = 2}};
  e.impl().set_schedule_clock([clock] { return clock->load(); });
  auto wf = e.parse(hourly("all"));
  REQUIRE(wf.ok());
  REQUIRE(e.install(wf.value()).ok());
  REQUIRE(e.start().ok());
  CHECK(state(e).fired == 0);
  e.stop();
  clock->store(at("2026-03-10T13:30:00Z"));
  REQUIRE(e.start().ok());
  CHECK(state(e).fired == 3);  // 11:00, 12:00, 13:00
  REQUIRE(eventually([&] { return e.impl().active_runs() == 0; }));

  Engine fresh{EngineOptions{.threads = 1}};  // nothing to read: starts afresh
  fresh.impl().set_schedule_clock([clock] { return clock->load(); });
  REQUIRE(fresh.install(wf.value()).ok());
  REQUIRE(fresh.start().ok());
  CHECK(state(fresh).fired == 0);
  CHECK(state(fresh).next_slot == at("2026-03-10T14:00:00Z"));
}

TEST_CASE("two engines catching up on one database fire each slot once", "[schedule][engine]") {
  test::TempDir dir;
  const std::string db = (dir / "s.db").string();
  FakeClock clock = fake_clock(at("2026-03-10T10:30:00Z"));
  start_engine(db, hourly("all"), clock).reset();
  clock->store(at("2026-03-10T15:30:00Z"));
  auto a = make_engine(db, hourly("all"), [clock] { return clock->load(); });
  auto b = make_engine(db, hourly("all"), [clock] { return clock->load(); });
  Status sa, sb;
  std::thread ta([&] { sa = a->start(); });
  std::thread tb([&] { sb = b->start(); });
  ta.join();
  tb.join();
  REQUIRE(sa.ok());
  REQUIRE(sb.ok());
  CHECK(state(*a).fired + state(*b).fired == 5);
  REQUIRE(eventually([&] { return b->impl().active_runs() == 0; }));
  CHECK(fired_slots(*a) == V{"2026-03-10T11:00:00Z", "2026-03-10T12:00:00Z", "2026-03-10T13:00:00Z",
                             "2026-03-10T14:00:00Z", "2026-03-10T15:00:00Z"});
}

TEST_CASE("a slot fires on its timer, once, even with two engines on one database", "[schedule][engine]") {
  test::TempDir dir;
  const std::string db = (dir / "s.db").string();
  // 09:00 UTC is 11:00 in Berlin (CEST).
  const std::string wf = R"({"id": "tick", "trigger": {"type": "schedule", "cron": "0 0 11 * * *",
      "timezone": "Europe/Berlin"}, "nodes": [{"id": "out", "type": "respond", "params": {"value": "{{ trigger }}"}}]})";
  // The clock stands at 08:59:59.800 until both engines have started, then runs.
  const std::int64_t base = at("2026-06-01T08:59:59.800Z");
  auto released = std::make_shared<std::atomic<std::int64_t>>(INT64_MAX);
  auto clock = [base, released] { return base + std::max<std::int64_t>(0, detail::now_ms() - released->load()); };
  auto a = make_engine(db, wf, clock);
  auto b = make_engine(db, wf, clock);
  REQUIRE(a->start().ok());
  REQUIRE(b->start().ok());
  const std::int64_t slot = at("2026-06-01T09:00:00Z");
  CHECK(state(*a).next_slot == slot);
  CHECK(state(*b).next_slot == slot);
  released->store(detail::now_ms());
  REQUIRE(eventually([&] { return state(*a).last_slot >= slot && state(*b).last_slot >= slot; }));
  CHECK(state(*a).fired + state(*b).fired == 1);
  CHECK(state(*a).duplicates + state(*b).duplicates == 1);
  CHECK(state(*a).next_slot == at("2026-06-02T09:00:00Z"));

  REQUIRE(eventually([&] { return b->impl().active_runs() == 0; }));  // whichever engine ran it
  REQUIRE(b->impl().journal.store()->flush().ok());
  auto runs = stored_runs(*a);
  REQUIRE(runs.size() == 1);
  const Value& t = runs[0].trigger;
  CHECK(t.get_string("slot") == "2026-06-01T09:00:00Z");
  CHECK(t.get_int("slot_ms") == slot);
  CHECK(t.get_string("scheduled_at") == "2026-06-01T11:00:00+02:00");
  CHECK(t.get_string("timezone") == "Europe/Berlin");
  CHECK(t.get_int("late_ms") >= 0);
  CHECK(t.find("late")->as_bool() == (t.get_int("late_ms") >= 1000));
  CHECK(runs[0].response == t);
}

TEST_CASE("a running engine that stalls past several slots fires the newest, older ones follow catch_up",
          "[schedule][engine]") {
  test::TempDir dir;
  const std::string db = (dir / "s.db").string();
  const std::string policy = GENERATE(as<std::string>{}, "none", "all");
  INFO("catch_up " << policy);
  // The clock stands 100 ms before 11:00: the timer keeps waking and re-arming
  // until the test jumps the clock past three slots, as a suspended VM would see.
  FakeClock clock = fake_clock(at("2026-03-10T10:59:59.900Z"));
  auto e = start_engine(db, hourly(policy), clock);
  CHECK(state(*e).next_slot == at("2026-03-10T11:00:00Z"));
  clock->store(at("2026-03-10T13:30:00Z"));
  REQUIRE(eventually([&] { return state(*e).last_slot == at("2026-03-10T13:00:00Z"); }));
  const V expected = policy == "all" ? V{"2026-03-10T11:00:00Z", "2026-03-10T12:00:00Z", "2026-03-10T13:00:00Z"}
                                     : V{"2026-03-10T13:00:00Z"};
  CHECK(fired_slots(*e) == expected);
  CHECK(state(*e).next_slot == at("2026-03-10T14:00:00Z"));
  for (const auto& run : stored_runs(*e)) CHECK(run.trigger.find("late")->as_bool());
}
