// The voice examples against the built-in sandbox (offline): inbound_lookup.json
// through inject, book_appointment.json through call_tool (both branches),
// post_call_crm.json through emit(CallEvent), and the two example programs.
#include <cstdio>
#include <filesystem>
#include <sys/wait.h>
#include <memory>
#include <sstream>
#include <string>

#include "common/io_pool.hpp"
#include "connectors/registry.hpp"
#include "connectors/sandbox_server.hpp"
#include "engine/engine_helpers.hpp"
#include "support/paths.hpp"

using namespace famulor;
using famulor::test::read_file;
using famulor::test::source_dir;
using namespace std::chrono_literals;

namespace {

struct Sandboxed {
  detail::IoPool pool{1};
  std::unique_ptr<connectors::SandboxServer> server;
  Sandboxed() {
    pool.start();
    server = std::make_unique<connectors::SandboxServer>(pool, connectors::builtin_registry());
    REQUIRE(server->start().ok());
  }
  ~Sandboxed() {
    server->stop();
    pool.stop();
  }
};

void install_example(Engine& engine, const std::string& name) {
  const auto path = source_dir() / "examples/workflows" / name;
  std::string text = read_file(path);
  // The example's 400 ms voice deadline is for production; a slow machine (ASan,
  // loaded) can miss it, and these tests check the answers, not the deadline.
  if (auto at = text.find("\"deadline_ms\": 400"); at != std::string::npos)
    text.replace(at, std::string("\"deadline_ms\": 400").size(), "\"deadline_ms\": 30000");
  auto wf = engine.parse(text, path.string());
  INFO(wf.status().message());
  REQUIRE(wf.ok());
  REQUIRE(engine.install(std::move(wf.value())).ok());
}

// Runs a command, returns its exit code and stdout.
int run(const std::string& cmd, std::string& out) {
  FILE* p = popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  char buf[4096];
  std::size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int st = pclose(p);
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

}  // namespace

TEST_CASE("inbound_lookup.json answers the HubSpot contact as variables, then from the cache", "[voice][examples]") {
  Sandboxed sb;
  Engine engine({.threads = 2, .sandbox_url = sb.server->url()});
  install_example(engine, "inbound_lookup.json");
  REQUIRE(engine.start().ok());
  IncomingCall call;
  call.call_id = "c1";
  call.from = "030 123456";
  Variables v = engine.inject(call, 10s);
  INFO(v.error);
  CHECK_FALSE(v.partial);
  CHECK(v.values == Value::object({{"customer_name", "Jane Doe"},
                                   {"known_customer", true},
                                   {"open_deals", 0},
                                   {"last_call_summary", ""}}));
  Value reqs = sb.server->sandbox().requests();
  REQUIRE(reqs.size() == 1);
  CHECK(reqs.at(0)->find("body")->dump().find("+4930123456") != std::string::npos);  // e164 of the caller
  Variables again = engine.inject(call, 10s);
  CHECK(again.values == v.values);
  CHECK(sb.server->sandbox().requests().size() == 1);  // answered from the node cache
  auto rec = engine.find_run(again.run_id);
  REQUIRE(rec.ok());
  CHECK(rec.value().wait().node("contact")->cached);
}

TEST_CASE("inbound_lookup.json answers its defaults when HubSpot fails", "[voice][examples]") {
  Sandboxed sb;
  Engine engine({.threads = 2, .sandbox_url = sb.server->url()});
  install_example(engine, "inbound_lookup.json");
  REQUIRE(engine.start().ok());
  (void)sb.server->sandbox().handle("POST", "/_sandbox/fail", {}, R"({"app": "hubspot", "status": 400, "count": 100})");
  IncomingCall call;
  call.from = "+4930999";
  Variables v = engine.inject(call, 10s);
  CHECK(v.partial);
  CHECK(v.values == Value::object({{"customer_name", ""},
                                   {"known_customer", false},
                                   {"open_deals", 0},
                                   {"last_call_summary", ""}}));
}

TEST_CASE("book_appointment.json books a free slot and offers two alternatives for a busy one", "[voice][examples]") {
  Sandboxed sb;
  Engine engine({.threads = 2, .sandbox_url = sb.server->url()});
  install_example(engine, "book_appointment.json");
  REQUIRE(engine.start().ok());
  ToolCall t;
  t.tool = "book_appointment";
  t.call.call_id = "c1";
  // The sandbox calendar is busy 10:00-11:00 Berlin time on 2026-11-28.
  t.arguments = Value::object({{"start", "2026-11-28T10:30"}, {"name", "Jana"}});
  ToolResult busy = engine.call_tool(t, 10s);
  INFO(busy.error);
  CHECK_FALSE(busy.partial);
  CHECK(busy.result.get_bool("booked") == false);
  CHECK(*busy.result.find("alternatives") ==
        Value::array({"2026-11-28T11:00:00+01:00", "2026-11-28T12:00:00+01:00"}));

  t.arguments = Value::object({{"start", "2026-11-28T14:00"}, {"name", "Jana"}, {"email", "jana@example.com"}});
  ToolResult booked = engine.call_tool(t, 10s);
  INFO(booked.error);
  CHECK_FALSE(booked.partial);
  CHECK(booked.result.get_bool("booked"));
  CHECK(booked.result.get_string("start") == "2026-11-28T14:00:00+01:00");
  Value reqs = sb.server->sandbox().requests();
  REQUIRE(reqs.size() == 3);  // freeBusy, freeBusy, create event
  CHECK(reqs.at(2)->get_string("operation") == "create_event");
  CHECK(reqs.at(2)->find("body")->find("start")->dump().find("2026-11-28T14:00:00+01:00") != std::string::npos);

  (void)sb.server->sandbox().handle("POST", "/_sandbox/fail", {},
                                    R"({"app": "google_calendar", "status": 400, "count": 100})");
  ToolResult down = engine.call_tool(t, 10s);
  CHECK(down.partial);
  CHECK(down.result.as_string().find("cannot reach the calendar") != std::string::npos);
}

TEST_CASE("post_call_crm.json runs for an emitted CallEvent against the sandbox", "[voice][examples]") {
  Sandboxed sb;
  Engine engine({.threads = 2, .sandbox_url = sb.server->url()});
  install_example(engine, "post_call_crm.json");
  REQUIRE(engine.start().ok());
  auto call = CallEvent::from_value(Value::parse(read_file(source_dir() / "examples/events/call_ended.json")).value());
  REQUIRE(call.ok());
  auto runs = engine.emit(call.value());
  REQUIRE(runs.ok());
  REQUIRE(runs->size() == 1);
  RunRecord r = runs->front().wait();
  CHECK(r.status == RunStatus::succeeded);
  CHECK(r.node("alert")->status == NodeStatus::succeeded);
}

TEST_CASE("the embed and voice_server example programs run against a sandbox", "[voice][examples]") {
  Sandboxed sb;
  const auto bin = famulor::test::binary_dir() / "examples";
  if (!std::filesystem::exists(bin / "famulor_embed")) {
    WARN("examples not built (FAMULOR_BUILD_EXAMPLES=OFF): skipped");
    return;
  }
  std::string out;
  CHECK(run((bin / "famulor_embed").string() + " " + sb.server->url() + " 2>/dev/null", out) == 0);
  CHECK(out.find("\"status\": \"succeeded\"") != std::string::npos);
  out.clear();
  const int code = run((bin / "famulor_voice_server").string() + " " + sb.server->url() + " 4", out);
  INFO(out);
  CHECK(out.find("4 incoming calls") != std::string::npos);
  CHECK(out.find("\"booked\":true") != std::string::npos);
  // The program answers each call within its hard 300 ms deadline and exits 1 when
  // any answer was partial. A slow machine (ASan, loaded) may miss that deadline:
  // allowed, but only as a deadline miss (answered at 300 ms), never as an error.
  int partial = 0;
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("incoming ", 0) != 0 || line.find("partial=true") == std::string::npos) continue;
    ++partial;
    // "incoming call-2 from +49 89 7654321    300412 us  partial=true ..." (the caller has spaces)
    const std::string head = line.substr(0, line.find(" us  partial="));
    const double us = std::stod(head.substr(head.find_last_of(' ') + 1));
    INFO(line);
    CHECK(us >= 300'000);
  }
  CHECK(code == (partial == 0 ? 0 : 1));
}
