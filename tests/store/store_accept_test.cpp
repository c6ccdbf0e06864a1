// Accept: durability, group commit from many threads, dedupe.
#include <atomic>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "store_test_util.hpp"

using namespace famulor;
using famulor::test::accept_one;
using famulor::test::new_run;
using famulor::test::open_store;

TEST_CASE("an accepted run is in the file after reopening", "[store]") {
  test::TempDir dir;
  std::string id;
  {
    auto s = open_store(dir / "f.db");
    auto run = new_run("wf", Value::object({{"call_id", "c1"}, {"text", "hello"}}));
    id = run.id;
    auto r = s->accept_sync(accept_one(std::move(run)));
    REQUIRE(r.ok());
    REQUIRE(r->run_ids == std::vector<std::string>{id});
    CHECK_FALSE(r->duplicate);
  }
  auto s = open_store(dir / "f.db");
  auto rec = s->get_run(id);
  REQUIRE(rec.ok());
  CHECK(rec->id == id);
  CHECK(rec->workflow == "wf");
  CHECK(rec->status == RunStatus::queued);
  CHECK(rec->trigger.get_string("text") == "hello");
  auto open = s->unfinished_runs();
  REQUIRE(open.ok());
  REQUIRE(open->size() == 1);
  CHECK(open->front().run.id == id);
  CHECK(open->front().run.trigger == rec->trigger);
}

TEST_CASE("concurrent accepts share commits and all arrive", "[store]") {
  test::TempDir dir;
  auto s = open_store(dir / "g.db");
  constexpr int kThreads = 8, kPerThread = 150;
  std::atomic<int> ok{0}, visible{0}, failed{0};
  std::mutex mu;
  std::set<std::string> ids;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        auto run = new_run("wf", Value::object({{"t", t}, {"i", i}}));
        {
          std::lock_guard lk(mu);
          ids.insert(run.id);
        }
        if (i % 3 == 0) {  // mix blocking and callback-style accepts
          auto r = s->accept_sync(accept_one(std::move(run)));
          (r.ok() ? ok : failed)++;
        } else {
          s->accept(accept_one(std::move(run)), [&](Result<store::AcceptResult> r) {
            if (!r.ok()) {
              failed++;
              return;
            }
            ok++;
            // The callback fires after the commit: another connection sees the run.
            if (s->get_run(r->run_ids.front()).ok()) visible++;
          });
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  REQUIRE(s->flush().ok());
  CHECK(failed == 0);
  CHECK(ok == kThreads * kPerThread);
  CHECK(visible == kThreads * kPerThread - kThreads * ((kPerThread + 2) / 3));
  auto open = s->unfinished_runs();
  REQUIRE(open.ok());
  std::set<std::string> stored;
  for (auto& u : *open) stored.insert(u.run.id);
  CHECK(stored == ids);
}

TEST_CASE("a duplicate dedupe key returns the first delivery's runs", "[store]") {
  test::TempDir dir;
  auto s = open_store(dir / "d.db");
  store::AcceptRequest first;
  first.dedupe_key = "call:abc";
  first.runs = {new_run("a"), new_run("b")};
  std::vector<std::string> first_ids = {first.runs[0].id, first.runs[1].id};
  auto r1 = s->accept_sync(first);
  REQUIRE(r1.ok());
  CHECK_FALSE(r1->duplicate);
  CHECK(r1->run_ids == first_ids);

  auto again = accept_one(new_run("a"), "call:abc");
  std::string unused = again.runs[0].id;
  auto r2 = s->accept_sync(again);
  REQUIRE(r2.ok());
  CHECK(r2->duplicate);
  CHECK(r2->run_ids == first_ids);
  CHECK(s->get_run(unused).status().code() == StatusCode::not_found);

  SECTION("also in the same batch") {
    std::mutex mu;
    std::vector<store::AcceptResult> results;
    int errors = 0;
    for (int i = 0; i < 2; ++i)
      s->accept(accept_one(new_run("a"), "call:same-batch"), [&](Result<store::AcceptResult> r) {
        std::lock_guard lk(mu);
        if (r.ok())
          results.push_back(*r);
        else
          errors++;
      });
    REQUIRE(s->flush().ok());
    CHECK(errors == 0);
    REQUIRE(results.size() == 2);
    CHECK_FALSE(results[0].duplicate);
    CHECK(results[1].duplicate);
    CHECK(results[0].run_ids == results[1].run_ids);
  }
  SECTION("and after reopening") {
    s.reset();
    s = open_store(dir / "d.db");
    auto r3 = s->accept_sync(accept_one(new_run("a"), "call:abc"));
    REQUIRE(r3.ok());
    CHECK(r3->duplicate);
    CHECK(r3->run_ids == first_ids);
  }
  SECTION("a key with no matching workflow is still remembered") {
    store::AcceptRequest none;
    none.dedupe_key = "call:none";
    REQUIRE(s->accept_sync(none).ok());
    auto r4 = s->accept_sync(accept_one(new_run("a"), "call:none"));
    REQUIRE(r4.ok());
    CHECK(r4->duplicate);
    CHECK(r4->run_ids.empty());
  }
}

TEST_CASE("a schedule fire records its slot with the accept", "[store]") {
  test::TempDir dir;
  auto s = open_store(dir / "s.db");
  CHECK(s->last_schedule_slot("nightly").value() == 0);
  auto fire = [&](std::int64_t slot) {
    auto req = accept_one(new_run("nightly"), "schedule:nightly:" + std::to_string(slot));
    req.schedule_workflow = "nightly";
    req.schedule_slot_ms = slot;
    return s->accept_sync(std::move(req));
  };
  REQUIRE(fire(1000).ok());
  REQUIRE(fire(2000).ok());
  auto dup = fire(2000);
  REQUIRE(dup.ok());
  CHECK(dup->duplicate);
  CHECK(s->last_schedule_slot("nightly").value() == 2000);
}
