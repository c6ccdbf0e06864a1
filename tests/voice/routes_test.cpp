// /v1/voice/*: each platform's documented payloads through a real Server over
// loopback HTTP and a SQLite file: call.ended runs with the right trigger fields,
// deduplicated redeliveries, incoming calls answered with variables in the
// platform's shape, tool calls answered with their results, signatures (401,
// nothing starts), content types (415) and malformed bodies (400).
#include <catch2/catch.hpp>

#include <chrono>

#include "fixtures.hpp"
#include "platforms/elevenlabs.hpp"
#include "platforms/famulor.hpp"
#include "platforms/retell.hpp"
#include "platforms/twilio.hpp"
#include "server_fixture.hpp"

using famulor::Value;
using famulor::test::Files;
using famulor::test::fixture;
using famulor::test::fixture_text;
using famulor::test::ServerFixture;
namespace platforms = famulor::platforms;

namespace {

// One call.ended workflow per platform that records a few trigger fields.
std::string ended_workflow(const std::string& id, const std::string& platform, const std::string& extra = "") {
  return R"({"id":")" + id + R"(","trigger":{"type":"call.ended","platform":")" + platform + "\"" + extra +
         R"(},"nodes":[{"id":"seen","type":"set","params":{"fields":{"call":"{{ trigger.call_id }}",
         "from":"{{ trigger.from }}","turns":"{{ trigger.turns }}","summary":"{{ trigger.summary }}"}}}]})";
}

const char* kIncoming = R"({"id":"lookup","trigger":{"type":"call.incoming","defaults":{"customer_name":"there"}},
  "nodes":[{"id":"answer","type":"respond","params":{"value":{"customer_name":"Anna","caller":"{{ trigger.from }}",
  "platform":"{{ trigger.platform }}"}}}]})";

const char* kTool = R"({"id":"check_slot","trigger":{"type":"call.tool","name":"check_slot","fallback":"I cannot check now."},
  "nodes":[{"id":"r","type":"respond","params":{"value":"{{ trigger.arguments.date }} {{ trigger.arguments.time }} is free"}}]})";
const char* kTool2 = R"({"id":"customer_lookup","trigger":{"type":"call.tool","name":"customer_lookup"},
  "nodes":[{"id":"r","type":"respond","params":{"value":{"name":"Anna","phone":"{{ trigger.arguments.phone }}"}}}]})";

// Generous deadlines: the answers must not depend on how fast this machine is (the
// deadline behaviour itself is the engine's, tested there).
std::function<void(famulor::server::ServerOptions&)> opts(std::function<void(famulor::server::ServerOptions&)> more = {}) {
  return [more](famulor::server::ServerOptions& o) {
    o.voice_deadline = std::chrono::seconds(30);
    o.voice_tool_deadline = std::chrono::seconds(30);
    if (more) more(o);
  };
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::vector<std::string> run_ids(const famulor::test::RawResponse& r) {
  std::vector<std::string> out;
  auto v = ServerFixture::json(r);
  if (const Value* ids = v.find("run_ids"); ids && ids->is_array())
    for (const auto& id : ids->as_array()) out.push_back(id.as_string());
  return out;
}

std::size_t runs_of(ServerFixture& f, const std::string& workflow) {
  famulor::RunFilter filter;
  filter.workflow = workflow;
  return f.server->engine().list_runs(filter)->runs.size();
}

famulor::RunRecord finished(ServerFixture& f, const std::string& id) {
  auto h = f.server->engine().find_run(id);
  REQUIRE(h.ok());
  return h->wait();
}

}  // namespace

TEST_CASE("Vapi end-of-call-report starts call.ended runs once, redelivery answers the same ids", "[voice][routes][vapi]") {
  ServerFixture f(Files{{"crm.json", ended_workflow("crm", "vapi")}}, opts());
  const std::string body = fixture_text("vapi_end_of_call_report.json");
  auto r = f.send("POST", "/v1/voice/vapi", body);
  INFO(r.body);
  REQUIRE(r.status == 200);
  auto ids = run_ids(r);
  REQUIRE(ids.size() == 1);
  auto run = finished(f, ids[0]);
  CHECK(run.status == famulor::RunStatus::succeeded);
  CHECK(run.trigger.get_string("call_id") == "0c7d2f3e-5b8a-4f9e-9a51-3a4c2d1e0f99");
  CHECK(run.trigger.get_string("platform") == "vapi");
  CHECK(run.trigger.get_string("from") == "+493012345678");
  CHECK(run.trigger.get_string("end_reason") == "customer-ended-call");
  const auto* seen = run.node("seen");
  REQUIRE(seen);
  CHECK(seen->output.get_string("from") == "+493012345678");
  CHECK(seen->output.find("turns")->size() == 2);
  CHECK(seen->output.get_string("summary") == "Anna booked a haircut for Tuesday 10:00.");

  auto again = f.send("POST", "/v1/voice/vapi", body);
  REQUIRE(again.status == 200);
  CHECK(run_ids(again) == ids);
  CHECK(runs_of(f, "crm") == 1);

  auto status = f.send("POST", "/v1/voice/vapi", fixture_text("vapi_status_update.json"));
  CHECK(status.status == 200);
  CHECK(runs_of(f, "crm") == 1);
}

TEST_CASE("Vapi assistant-request is answered with variableValues from the call.incoming workflow", "[voice][routes][vapi]") {
  ServerFixture f(Files{{"lookup.json", kIncoming}}, opts());
  auto r = f.send("POST", "/v1/voice/vapi", fixture_text("vapi_assistant_request.json"));
  INFO(r.body);
  REQUIRE(r.status == 200);
  auto v = ServerFixture::json(r);
  const Value* vars = v["assistantOverrides"].find("variableValues");
  REQUIRE(vars);
  CHECK(vars->get_string("customer_name") == "Anna");
  CHECK(vars->get_string("caller") == "+493012345678");
  CHECK(vars->get_string("platform") == "vapi");
}

TEST_CASE("Vapi tool-calls run every tool and answer results in order", "[voice][routes][vapi]") {
  ServerFixture f(Files{{"slot.json", kTool}, {"lookup.json", kTool2}}, opts());
  auto r = f.send("POST", "/v1/voice/vapi", fixture_text("vapi_tool_calls.json"));
  INFO(r.body);
  REQUIRE(r.status == 200);
  auto v = ServerFixture::json(r);
  REQUIRE(v["results"].size() == 2);
  CHECK(v["results"].at(0)->get_string("toolCallId") == "call_VaJOd8ZeZgWCEHDYomyCPSPn");
  CHECK(v["results"].at(0)->get_string("result") == "2026-12-01 10:00 is free");
  CHECK(v["results"].at(1)->get_string("toolCallId") == "call_5r0p2kMSA8vHeaLMTWEGSyvh");
  auto second = Value::parse(v["results"].at(1)->get_string("result"));
  REQUIRE(second.ok());
  CHECK(second->get_string("phone") == "+493012345678");
}

TEST_CASE("Vapi secret: missing or wrong gets 401 and starts nothing", "[voice][routes][vapi][signature]") {
  ServerFixture f(Files{{"crm.json", ended_workflow("crm", "vapi")}},
                  opts([](famulor::server::ServerOptions& o) { o.voice_secrets["vapi"] = {"old", "new"}; }));
  const std::string body = fixture_text("vapi_end_of_call_report.json");
  auto missing = f.send("POST", "/v1/voice/vapi", body);
  CHECK(missing.status == 401);
  CHECK(ServerFixture::json(missing)["error"].get_string("message").find("X-Vapi-Secret") != std::string::npos);
  CHECK(f.send("POST", "/v1/voice/vapi", body, {{"X-Vapi-Secret", "nope"}}).status == 401);
  CHECK(runs_of(f, "crm") == 0);
  CHECK(f.send("POST", "/v1/voice/vapi", body, {{"X-Vapi-Secret", "old"}}).status == 200);
  CHECK(runs_of(f, "crm") == 1);
}

TEST_CASE("Retell: call_analyzed starts call.ended runs, call_ended only for workflows that ask", "[voice][routes][retell]") {
  ServerFixture f(Files{{"crm.json", ended_workflow("crm", "retell")},
                        {"early.json", ended_workflow("early", "retell", R"(,"events":["call_ended"])")}},
                  opts([](famulor::server::ServerOptions& o) { o.voice_secrets["retell"] = {"key_old", "key_new"}; }));
  Value payload = fixture("retell_call_analyzed.json");
  payload["event"] = Value("call_ended");
  std::string ended = payload.dump();
  auto r1 = f.send("POST", "/v1/voice/retell", ended,
                   {{"x-retell-signature", platforms::sign_retell("key_new", now_ms(), ended)}});
  INFO(r1.body);
  REQUIRE(r1.status == 200);
  CHECK(runs_of(f, "crm") == 0);
  CHECK(runs_of(f, "early") == 1);

  std::string analyzed = fixture_text("retell_call_analyzed.json");
  auto r2 = f.send("POST", "/v1/voice/retell", analyzed,
                   {{"x-retell-signature", platforms::sign_retell("key_old", now_ms(), analyzed)}});
  INFO(r2.body);
  REQUIRE(r2.status == 200);
  auto ids = run_ids(r2);
  REQUIRE(ids.size() == 1);
  auto run = finished(f, ids[0]);
  CHECK(run.workflow == "crm");
  CHECK(run.trigger.get_string("event") == "call_analyzed");
  CHECK(run.trigger.get_string("summary") == "The agent greeted the user, who was doing well.");
  CHECK(runs_of(f, "early") == 1);

  // Redelivered: same ids, nothing new.
  auto r3 = f.send("POST", "/v1/voice/retell", analyzed,
                   {{"x-retell-signature", platforms::sign_retell("key_old", now_ms(), analyzed)}});
  CHECK(run_ids(r3) == ids);
  CHECK(runs_of(f, "crm") == 1);

  // Expired, wrong key, missing: 401, nothing starts.
  payload["call"]["call_id"] = Value("another-call");
  std::string other = payload.dump();
  CHECK(f.send("POST", "/v1/voice/retell", other,
               {{"x-retell-signature", platforms::sign_retell("key_new", now_ms() - 6 * 60 * 1000, other)}})
            .status == 401);
  CHECK(f.send("POST", "/v1/voice/retell", other,
               {{"x-retell-signature", platforms::sign_retell("key_x", now_ms(), other)}})
            .status == 401);
  CHECK(f.send("POST", "/v1/voice/retell", other).status == 401);
  CHECK(runs_of(f, "early") == 1);
}

TEST_CASE("Retell call_inbound answers dynamic_variables, custom functions answer their result", "[voice][routes][retell]") {
  ServerFixture f(Files{{"lookup.json", kIncoming}, {"slot.json", kTool}}, opts());
  auto r = f.send("POST", "/v1/voice/retell", fixture_text("retell_call_inbound.json"));
  INFO(r.body);
  REQUIRE(r.status == 200);
  auto v = ServerFixture::json(r);
  CHECK(v["call_inbound"]["dynamic_variables"].get_string("caller") == "+12137771234");
  CHECK(v["call_inbound"]["dynamic_variables"].get_string("platform") == "retell");

  auto t = f.send("POST", "/v1/voice/retell/tools/check_slot", fixture_text("retell_custom_function.json"));
  INFO(t.body);
  REQUIRE(t.status == 200);
  CHECK(ServerFixture::json(t) == Value("2026-12-01 10:00 is free"));
  auto unknown = f.send("POST", "/v1/voice/retell/tools/no_such_tool", fixture_text("retell_custom_function.json"));
  CHECK(unknown.status == 404);
}

TEST_CASE("ElevenLabs post-call (signed), initiation and server tools (secret header)", "[voice][routes][elevenlabs]") {
  ServerFixture f(Files{{"crm.json", ended_workflow("crm", "elevenlabs")}, {"lookup.json", kIncoming}, {"slot.json", kTool}},
                  opts([](famulor::server::ServerOptions& o) { o.voice_secrets["elevenlabs"] = {"wsec_1"}; }));
  std::string body = fixture_text("elevenlabs_post_call_transcription.json");
  std::int64_t now = now_ms() / 1000;
  CHECK(f.send("POST", "/v1/voice/elevenlabs/post-call", body,
               {{"ElevenLabs-Signature", platforms::sign_elevenlabs("wsec_1", now - 31 * 60, body)}})
            .status == 401);
  CHECK(runs_of(f, "crm") == 0);
  auto r = f.send("POST", "/v1/voice/elevenlabs/post-call", body,
                  {{"ElevenLabs-Signature", platforms::sign_elevenlabs("wsec_1", now, body)}});
  INFO(r.body);
  REQUIRE(r.status == 200);
  auto ids = run_ids(r);
  REQUIRE(ids.size() == 1);
  auto run = finished(f, ids[0]);
  CHECK(run.trigger.get_string("call_id") == "abc");
  CHECK(run.trigger.find("variables")->get_string("email") == "angelo@example.com");

  std::string init = fixture_text("elevenlabs_initiation.json");
  CHECK(f.send("POST", "/v1/voice/elevenlabs/initiation", init).status == 401);
  auto i = f.send("POST", "/v1/voice/elevenlabs/initiation", init, {{"X-Famulor-Secret", "wsec_1"}});
  INFO(i.body);
  REQUIRE(i.status == 200);
  auto iv = ServerFixture::json(i);
  CHECK(iv.get_string("type") == "conversation_initiation_client_data");
  CHECK(iv["dynamic_variables"].get_string("caller") == "+442079460958");

  auto t = f.send("POST", "/v1/voice/elevenlabs/tools/check_slot", R"({"date":"2026-12-01","time":"09:30"})",
                  {{"X-Famulor-Secret", "wsec_1"}});
  INFO(t.body);
  REQUIRE(t.status == 200);
  CHECK(ServerFixture::json(t) == Value("2026-12-01 09:30 is free"));
}

TEST_CASE("Famulor post-call (classic and event body) and inbound webhook", "[voice][routes][famulor]") {
  ServerFixture f(Files{{"crm.json", ended_workflow("crm", "famulor")}, {"lookup.json", kIncoming}},
                  opts([](famulor::server::ServerOptions& o) { o.voice_secrets["famulor"] = {"fsec"}; }));
  std::string classic = fixture_text("famulor_post_call.json");
  CHECK(f.send("POST", "/v1/voice/famulor", classic, {{"X-Famulor-Signature", "sha256=00"}}).status == 401);
  auto r = f.send("POST", "/v1/voice/famulor", classic, {{"X-Famulor-Signature", platforms::sign_famulor("fsec", classic)}});
  INFO(r.body);
  REQUIRE(r.status == 200);
  auto ids = run_ids(r);
  REQUIRE(ids.size() == 1);
  auto run = finished(f, ids[0]);
  CHECK(run.trigger.get_string("call_id") == "12345");
  CHECK(run.node("seen")->output.find("turns")->size() == 2);
  auto again = f.send("POST", "/v1/voice/famulor", classic, {{"X-Famulor-Signature", platforms::sign_famulor("fsec", classic)}});
  CHECK(run_ids(again) == ids);

  std::string event = fixture_text("famulor_post_call_event.json");
  auto e = f.send("POST", "/v1/voice/famulor", event, {{"X-Famulor-Signature", platforms::sign_famulor("fsec", event)}});
  REQUIRE(e.status == 200);
  CHECK(runs_of(f, "crm") == 2);

  std::string inbound = fixture_text("famulor_inbound.json");
  auto in = f.send("POST", "/v1/voice/famulor", inbound, {{"X-Famulor-Signature", platforms::sign_famulor("fsec", inbound)}});
  INFO(in.body);
  REQUIRE(in.status == 200);
  CHECK(ServerFixture::json(in)["variables"].get_string("caller") == "+4915112345678");
}

TEST_CASE("Twilio status callbacks: form-encoded, signed over the public URL, final statuses end calls", "[voice][routes][twilio]") {
  ServerFixture f(Files{{"crm.json", ended_workflow("crm", "twilio")}}, opts([](famulor::server::ServerOptions& o) {
    o.voice_secrets["twilio"] = {"auth_token_1"};
    o.public_url = "https://voice.example.com/";
  }));
  const std::string url = "https://voice.example.com/v1/voice/twilio/status";
  const std::string form = "application/x-www-form-urlencoded";
  std::string body = fixture_text("twilio_status_completed.txt");
  auto params = famulor::http::parse_query(body);
  std::string ringing_body = "CallSid=CA1234567890ABCDE1234567890ABCDE&CallStatus=ringing&From=%2B14155550123";
  auto ringing = f.send("POST", "/v1/voice/twilio/status", ringing_body,
                        {{"Content-Type", form},
                         {"X-Twilio-Signature", platforms::sign_twilio("auth_token_1", url, famulor::http::parse_query(ringing_body))}});
  CHECK(ringing.status == 200);
  CHECK(runs_of(f, "crm") == 0);

  CHECK(f.send("POST", "/v1/voice/twilio/status", body,
               {{"Content-Type", form},
                {"X-Twilio-Signature", platforms::sign_twilio("auth_token_1", "http://127.0.0.1/v1/voice/twilio/status", params)}})
            .status == 401);
  auto r = f.send("POST", "/v1/voice/twilio/status", body,
                  {{"Content-Type", form}, {"X-Twilio-Signature", platforms::sign_twilio("auth_token_1", url, params)}});
  INFO(r.body);
  REQUIRE(r.status == 200);
  auto ids = run_ids(r);
  REQUIRE(ids.size() == 1);
  auto run = finished(f, ids[0]);
  CHECK(run.trigger.get_string("status") == "completed");
  CHECK(run.trigger.get_string("from") == "+14155550123");
  CHECK(run.trigger.get_string("transcript").empty());

  CHECK(f.send("POST", "/v1/voice/twilio/status", R"({"CallSid":"x"})").status == 415);
}

TEST_CASE("voice routes: 415 for another content type, 400 naming the malformed field", "[voice][routes]") {
  ServerFixture f(Files{{"crm.json", ended_workflow("crm", "vapi")}}, opts());
  auto ct = f.send("POST", "/v1/voice/vapi", "message=1", {{"Content-Type", "application/x-www-form-urlencoded"}});
  CHECK(ct.status == 415);
  auto json = f.send("POST", "/v1/voice/vapi", "{\"message\": ");
  CHECK(json.status == 400);
  CHECK(ServerFixture::json(json)["error"].get_string("message").find("malformed JSON") != std::string::npos);
  auto field = f.send("POST", "/v1/voice/vapi", R"({"message":{"type":"end-of-call-report","call":{}}})");
  CHECK(field.status == 400);
  CHECK(ServerFixture::json(field)["error"].get_string("message").find("message.call.id") != std::string::npos);
  CHECK(f.send("POST", "/v1/voice/retell", "").status == 400);
  CHECK(runs_of(f, "crm") == 0);
}

TEST_CASE("a non-loopback listen address needs every platform's secret", "[voice][routes]") {
  famulor::test::TempDir dir;
  famulor::server::ServerOptions o;
  o.host = "0.0.0.0";
  o.port = 0;
  o.engine.db = (dir / "f.db").string();
  o.hook_secrets = {"h"};
  o.voice_secrets["vapi"] = {"v"};
  famulor::server::Server s(o);
  famulor::Status st = s.start();
  CHECK(st.code() == famulor::StatusCode::invalid_argument);
  CHECK(st.message().find("FAMULOR_SECRET_RETELL") != std::string::npos);
  CHECK(st.message().find("FAMULOR_SECRET_TWILIO") != std::string::npos);
  CHECK(st.message().find("FAMULOR_SECRET_VAPI") == std::string::npos);
}
