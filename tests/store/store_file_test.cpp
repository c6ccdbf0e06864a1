// The database file: schema migrations, refusing what it cannot read, retention.
#include <cstdlib>
#include <fstream>

#include "store_test_util.hpp"

using namespace famulor;
using famulor::test::accept_one;
using famulor::test::new_run;
using famulor::test::open_store;

namespace {

// Runs SQL against a file with the sqlite3 shell (tests only; the library keeps
// SQLite inside src/store). Returns false when the shell is not installed.
bool sqlite_shell(const std::filesystem::path& db, const std::string& sql) {
  if (std::system("command -v sqlite3 >/dev/null 2>&1") != 0) return false;
  std::string cmd = "sqlite3 '" + db.string() + "' \"" + sql + "\" >/dev/null";
  return std::system(cmd.c_str()) == 0;
}

}  // namespace

TEST_CASE("a new file gets the whole schema, reopening keeps the data", "[store]") {
  test::TempDir dir;
  std::string id;
  {
    auto s = open_store(dir / "m.db");
    auto run = new_run();
    id = run.id;
    REQUIRE(s->accept_sync(accept_one(std::move(run))).ok());
    REQUIRE(s->check_integrity().ok());
  }
  for (int i = 0; i < 2; ++i) {  // reopening runs no migration twice
    auto s = open_store(dir / "m.db");
    CHECK(s->get_run(id).ok());
    CHECK(s->check_integrity().ok());
  }
  SECTION("a file from a newer famulor is refused") {
    if (!sqlite_shell(dir / "m.db", "UPDATE schema_version SET version = 999")) {
      WARN("sqlite3 shell not installed; skipped");
      return;
    }
    auto r = store::open_sqlite_store((dir / "m.db").string());
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == StatusCode::failed_precondition);
    CHECK_THAT(r.status().message(), Catch::Contains("999"));
  }
}

TEST_CASE("a file another component created first still gets incremental vacuum", "[store]") {
  test::TempDir dir;
  if (!sqlite_shell(dir / "pre.db", "PRAGMA journal_mode=WAL; CREATE TABLE credentials(name TEXT PRIMARY KEY)")) {
    WARN("sqlite3 shell not installed; skipped");
    return;
  }
  {
    auto s = open_store(dir / "pre.db");
    REQUIRE(s->check_integrity().ok());
  }
  CHECK(std::system(("test \"$(sqlite3 '" + (dir / "pre.db").string() + "' 'PRAGMA auto_vacuum')\" = 2").c_str()) == 0);
  CHECK(sqlite_shell(dir / "pre.db", "SELECT count(*) FROM credentials"));
}

TEST_CASE("a file that is not a database is refused with data_loss", "[store]") {
  test::TempDir dir;
  {
    std::ofstream out(dir / "junk.db");
    out << std::string(8192, 'x');
  }
  auto r = store::open_sqlite_store((dir / "junk.db").string());
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == StatusCode::data_loss);
  CHECK_THAT(r.status().message(), Catch::Contains("junk.db"));
}

TEST_CASE("retention deletes old finished runs and the file shrinks", "[store]") {
  test::TempDir dir;
  auto path = dir / "ret.db";
  auto s = open_store(path);
  const std::string big(2048, 'x');
  std::vector<std::string> old_ids, new_ids, open_ids;
  for (int i = 0; i < 1500; ++i) {
    auto run = new_run("wf", Value::object({{"transcript", big}, {"i", i}}));
    run.created_ms = 1000;
    std::string id = run.id;
    s->accept(accept_one(std::move(run)), [](Result<store::AcceptResult>) {});
    store::Checkpoint cp;
    cp.run_id = id;
    cp.node_id = "a";
    cp.output = Value::object({{"copy", big}});
    s->checkpoint(cp);
    if (i < 1400) {
      s->finish_run({.run_id = id, .status = RunStatus::succeeded, .finished_ms = i < 1300 ? 1000 : 900'000});
      (i < 1300 ? old_ids : new_ids).push_back(id);
    } else {
      open_ids.push_back(id);
    }
  }
  auto keyed = new_run();
  keyed.created_ms = 1000;
  REQUIRE(s->accept_sync(accept_one(std::move(keyed), "old-key")).ok());
  REQUIRE(s->flush().ok());
  REQUIRE(s->apply_retention({}).ok());  // nothing to delete; checkpoints the WAL
  auto before = std::filesystem::file_size(path);

  auto n = s->apply_retention({.max_age_ms = 100'000, .dedupe_max_age_ms = 100'000, .now_ms = 1'000'000});
  REQUIRE(n.ok());
  CHECK(*n == old_ids.size());
  auto after = std::filesystem::file_size(path);
  INFO("before " << before << " after " << after);
  CHECK(after < before / 2);
  CHECK(s->get_run(old_ids.front()).status().code() == StatusCode::not_found);
  CHECK(s->get_run(new_ids.front()).ok());
  CHECK(s->get_run(open_ids.front()).ok());  // unfinished runs are never deleted
  CHECK(s->unfinished_runs()->size() == open_ids.size() + 1);
  CHECK_FALSE(s->accept_sync(accept_one(new_run(), "old-key"))->duplicate);  // key forgotten
  CHECK(s->check_integrity().ok());

  SECTION("keeping the newest N per workflow") {
    auto m = s->apply_retention({.max_runs_per_workflow = 40});
    REQUIRE(m.ok());
    CHECK(*m == new_ids.size() - 40);
    CHECK(s->get_run(new_ids.back()).ok());
    CHECK(s->get_run(new_ids.front()).status().code() == StatusCode::not_found);
  }
}

TEST_CASE("the WAL stays bounded while the writer commits without checkpointing", "[store]") {
  // WAL checkpoints run on a background thread, and the writer completes one at
  // 4,000 frames so that the WAL starts over: ~100 MB written through the WAL
  // must leave it far smaller than that.
  test::TempDir dir;
  auto path = dir / "wal.db";
  auto s = open_store(path);
  const std::string payload(8000, 'p');
  constexpr int kRuns = 12'000, kChunk = 500;
  std::uintmax_t largest = 0;
  for (int done = 0; done < kRuns; done += kChunk) {
    for (int i = 0; i < kChunk; ++i)
      s->accept(accept_one(new_run("wf", Value::object({{"p", payload}, {"i", done + i}}))),
                [](Result<store::AcceptResult> r) { REQUIRE(r.ok()); });
    REQUIRE(s->flush().ok());
    std::error_code ec;
    largest = std::max(largest, std::filesystem::file_size(path.string() + "-wal", ec));
  }
  INFO("largest WAL " << largest << " bytes");
  CHECK(largest > 0);
  CHECK(largest < std::uintmax_t{48} * 1024 * 1024);  // 4,000 frames + one batch, not ~100 MB
  auto page = s->list_runs({.limit = 1});
  REQUIRE(page.ok());
  REQUIRE(page->runs.size() == 1);
  CHECK(page->runs[0].trigger.get_int("i") == kRuns - 1);
  CHECK(s->check_integrity().ok());
}
