// Data protection on a real SQLite file: privacy erase leaves no copy of the
// contact in the database file or its WAL (checked byte by byte), touches nothing
// else, and reports what it changed; store_transcript: false keeps a call's words
// out of the store altogether.
#include <catch2/catch.hpp>

#include <fstream>
#include <iterator>

#include <famulor/famulor.hpp>

#include "engine/engine_impl.hpp"
#include "security/contact_redactor.hpp"
#include "store_test_util.hpp"

using namespace famulor;
using namespace famulor::test;

namespace {

// The database file and its WAL/journal, as bytes.
std::string file_bytes(const std::filesystem::path& db) {
  std::string all;
  for (const char* suffix : {"", "-wal", "-journal"}) {
    std::ifstream in(db.string() + suffix, std::ios::binary);
    if (in) all.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  return all;
}

const char* kForms[] = {"+4930123456789", "+49 30 123456789", "030 123456789", "(030) 123-456-789", "4930123456789"};

}  // namespace

TEST_CASE("privacy erase removes a phone number from every stored copy", "[store][privacy]") {
  // finished: the run's outcome is queued with its checkpoints, so the writer packs
  // them into the run's row (runs.nodes) instead of checkpoints rows.
  const bool finished = GENERATE(false, true);
  INFO("finished run: " << finished);
  TempDir dir;
  auto path = dir / "famulor.db";
  std::string jane_run, other_run;
  {
    auto s = open_store(path);
    auto jane = new_run("calls", Value::parse(R"({"call_id": "c1", "from": "+49 30 123456789",
        "transcript": "User: call me back on 030 123456789 please",
        "turns": [{"role": "user", "text": "it is (030) 123-456-789"}], "variables": {"phone": 4930123456789}})")
                                     .value());
    auto other = new_run("calls", Value::parse(R"({"call_id": "c2", "from": "+4940999888777"})").value());
    jane_run = jane.id;
    other_run = other.id;
    REQUIRE(s->accept_sync(accept_one(jane)).ok());
    REQUIRE(s->accept_sync(accept_one(other)).ok());
    store::Checkpoint cp;
    cp.run_id = jane_run;
    cp.node_id = "crm";
    cp.output = Value::parse(R"({"contact": {"phone": "+4930123456789", "id": 17}})").value();
    cp.input = Value::parse(R"({"body": "{\"phone\":\"+4930123456789\"}"})").value();
    s->checkpoint(cp);
    store::Checkpoint failed;
    failed.run_id = jane_run;
    failed.node_id = "sms";
    failed.status = NodeStatus::failed;
    failed.error_code = StatusCode::invalid_argument;
    failed.error = "twilio: number 4930123456789 is blocked";
    s->checkpoint(failed);
    if (finished) s->finish_run({.run_id = jane_run, .status = RunStatus::failed, .finished_ms = 1});
    REQUIRE(s->flush().ok());
  }
  std::string before = file_bytes(path);
  bool present = false;
  for (const char* f : kForms) present = present || before.find(f) != std::string::npos;
  REQUIRE(present);  // the test data really is in the file

  auto redactor = security::ContactRedactor::phone("+4930123456789").value();
  {
    auto s = open_store(path);
    auto dry = s->erase_contact(*redactor, true);
    REQUIRE(dry.ok());
    CHECK(dry->runs == std::vector<std::string>{jane_run});
    CHECK(dry->nodes.size() == 2);
    CHECK(dry->replacements == 7);  // from, transcript, turn, variable; output, input; error
    auto still = s->get_run(jane_run);
    REQUIRE(still.ok());
    CHECK(still->trigger.get_string("from") == "+49 30 123456789");  // a dry run changes nothing

    auto done = s->erase_contact(*redactor, false);
    REQUIRE(done.ok());
    CHECK(done->replacements == 7);
    auto after = s->get_run(jane_run);
    REQUIRE(after.ok());
    CHECK(after->trigger.get_string("from") == "[erased]");
    CHECK(after->trigger.get_string("call_id") == "c1");
    CHECK(after->trigger.get_string("transcript") == "User: call me back on [erased] please");
    CHECK(after->node("crm")->output.find("contact")->find("id")->as_int() == 17);
    CHECK(after->node("sms")->error == "twilio: number [erased] is blocked");
    CHECK(s->get_run(other_run)->trigger.get_string("from") == "+4940999888777");
    CHECK(s->erase_contact(*redactor, false)->replacements == 0);  // nothing left
  }
  std::string bytes = file_bytes(path);
  for (const char* f : kForms) {
    INFO(f);
    CHECK(bytes.find(f) == std::string::npos);
  }
  CHECK(bytes.find("123456789") == std::string::npos);
  CHECK(bytes.find("+4940999888777") != std::string::npos);  // someone else's number stays
}

TEST_CASE("store_transcript: false keeps transcript and turns out of the store", "[store][privacy][engine]") {
  TempDir dir;
  auto path = dir / "famulor.db";
  const char* wf_text = R"({"id": "post_call", "trigger": {"type": "event", "name": "call.ended"},
    "settings": {"store_transcript": false},
    "nodes": [{"id": "echo", "type": "respond", "params": {"value": "{{ trigger.summary }}"}}]})";
  std::string run_id;
  {
    Engine engine({.threads = 1, .db = path.string()});
    auto wf = engine.parse(wf_text);
    REQUIRE(wf.ok());
    REQUIRE(engine.install(std::move(*wf)).ok());
    REQUIRE(engine.start().ok());
    Event ev;
    ev.type = "event";
    ev.name = "call.ended";
    ev.payload = Value::parse(R"({"call_id": "c9", "summary": "wants a callback",
        "transcript": "SECRET-WORDS-OF-THE-CALLER", "turns": [{"role": "user", "text": "SECRET-TURN"}]})")
                     .value();
    auto runs = engine.emit(std::move(ev));
    REQUIRE(runs.ok());
    REQUIRE(runs->size() == 1);
    RunRecord r = (*runs)[0].wait();
    REQUIRE(r.status == RunStatus::succeeded);
    run_id = r.id;
    CHECK(r.trigger.find("transcript") == nullptr);
    CHECK(r.trigger.find("turns") == nullptr);
    CHECK(r.trigger.get_string("summary") == "wants a callback");
    engine.stop();
  }
  std::string bytes = file_bytes(path);
  CHECK(bytes.find("SECRET-WORDS") == std::string::npos);
  CHECK(bytes.find("SECRET-TURN") == std::string::npos);
  CHECK(bytes.find("wants a callback") != std::string::npos);

  // Engine-wide: EngineOptions::store_transcripts = false, for a workflow without the setting.
  TempDir dir2;
  auto path2 = dir2 / "famulor.db";
  {
    Engine engine({.threads = 1, .db = path2.string(), .store_transcripts = false});
    std::string text = wf_text;
    text.replace(text.find(R"("settings": {"store_transcript": false},)"), 40, "");
    auto wf = engine.parse(text);
    INFO(text);
    REQUIRE(wf.ok());
    REQUIRE(engine.install(std::move(*wf)).ok());
    REQUIRE(engine.start().ok());
    Event ev;
    ev.type = "event";
    ev.name = "call.ended";
    ev.payload = Value::parse(R"({"summary": "s", "transcript": "SECRET-WORDS-2"})").value();
    auto runs = engine.emit(std::move(ev));
    REQUIRE(runs.ok());
    REQUIRE((*runs)[0].wait().status == RunStatus::succeeded);
    engine.stop();
  }
  CHECK(file_bytes(path2).find("SECRET-WORDS-2") == std::string::npos);

  Engine checker({.threads = 1});
  auto bad = checker.parse(R"({"id": "x", "trigger": {"type": "event", "name": "e"},
    "settings": {"store_transcript": "no"}, "nodes": [{"id": "r", "type": "respond", "params": {"value": 1}}]})");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().message().find("settings.store_transcript must be true or false") != std::string::npos);
}
