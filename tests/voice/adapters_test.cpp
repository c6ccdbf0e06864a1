// Each platform's documented payloads -> the normalized call model, and the
// answers shaped the way each platform reads them.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "fixtures.hpp"
#include "platforms/elevenlabs.hpp"
#include "platforms/famulor.hpp"
#include "platforms/retell.hpp"
#include "platforms/twilio.hpp"
#include "platforms/vapi.hpp"

using namespace famulor;
using namespace famulor::platforms;
using famulor::test::fixture;
using famulor::test::fixture_text;

TEST_CASE("Vapi end-of-call-report becomes a call.ended event", "[voice][vapi]") {
  auto p = parse_vapi(fixture("vapi_end_of_call_report.json"));
  REQUIRE(p.ok());
  REQUIRE(p->kind == Kind::ended);
  const CallEvent& e = p->call;
  CHECK(e.call_id == "0c7d2f3e-5b8a-4f9e-9a51-3a4c2d1e0f99");
  CHECK(e.platform == "vapi");
  CHECK(e.direction == "inbound");
  CHECK(e.from == "+493012345678");  // "+49 30 12345678" in E.164
  CHECK(e.to == "+14155550123");
  CHECK(e.assistant_id == "5b0a4a08-133c-4146-9315-0984f8c6be80");
  CHECK(e.started_at == "2026-11-27T18:00:02.512Z");
  CHECK(e.ended_at == "2026-11-27T18:04:04.901Z");
  REQUIRE(e.duration_s);
  CHECK(*e.duration_s == Approx(242.389));
  CHECK(e.end_reason == "customer-ended-call");
  CHECK(e.status == "completed");
  REQUIRE(e.cost);
  CHECK(*e.cost == Approx(0.1842));
  REQUIRE(e.turns.size() == 2);  // the system prompt is not a turn
  CHECK(e.turns[0].role == "assistant");
  CHECK(e.turns[0].text == "Good afternoon, Salon Berlin, how can I help?");
  CHECK(e.turns[0].at_s == Approx(0.59));
  CHECK(e.turns[1].role == "user");
  CHECK(e.turns[1].at_s == Approx(4.49));
  CHECK(e.transcript.find("I'd like to book a haircut") != std::string::npos);
  CHECK(e.summary == "Anna booked a haircut for Tuesday 10:00.");
  CHECK(*e.variables.find("appointment_booked") == Value(true));
  CHECK(e.analysis.get_string("successEvaluation") == "true");
  CHECK(e.input_variables.get_string("customer_name") == "Anna");
  CHECK(e.recording_url == "https://storage.vapi.ai/0c7d2f3e-mono.wav");
  CHECK(e.raw.find("message")->get_string("type") == "end-of-call-report");
}

TEST_CASE("Vapi assistant-request asks for variables and is answered with variableValues", "[voice][vapi]") {
  auto p = parse_vapi(fixture("vapi_assistant_request.json"));
  REQUIRE(p.ok());
  REQUIRE(p->kind == Kind::incoming);
  CHECK(p->incoming.call_id == "0c7d2f3e-5b8a-4f9e-9a51-3a4c2d1e0f99");
  CHECK(p->incoming.from == "+493012345678");
  CHECK(p->incoming.to == "+14155550123");
  CHECK(p->incoming.direction == "inbound");

  Variables v;
  v.values = Value::object({{"customer_name", Value("Anna")}, {"open_deals", Value("2")}});
  Value a = vapi_assistant_answer(v, "");
  CHECK(a.find("assistantId") == nullptr);
  CHECK(a["assistantOverrides"]["variableValues"].get_string("customer_name") == "Anna");
  v.assistant_id = "asst_vip";
  CHECK(vapi_assistant_answer(v, "asst_default").get_string("assistantId") == "asst_vip");
  v.assistant_id.clear();
  CHECK(vapi_assistant_answer(v, "asst_default").get_string("assistantId") == "asst_default");
}

TEST_CASE("Vapi tool-calls lists every call, results answer in order as strings", "[voice][vapi]") {
  auto p = parse_vapi(fixture("vapi_tool_calls.json"));
  REQUIRE(p.ok());
  REQUIRE(p->kind == Kind::tool_calls);
  REQUIRE(p->tools.size() == 2);
  CHECK(p->tools[0].tool == "check_slot");
  CHECK(p->tools[0].tool_call_id == "call_VaJOd8ZeZgWCEHDYomyCPSPn");
  CHECK(p->tools[0].arguments.get_string("time") == "10:00");
  CHECK(p->tools[1].tool == "customer_lookup");
  CHECK(p->tools[1].arguments.get_string("phone") == "+493012345678");  // arguments sent as JSON text
  CHECK(p->tools[0].call.call_id == "0c7d2f3e-5b8a-4f9e-9a51-3a4c2d1e0f99");
  CHECK(p->tools[0].call.from == "+493012345678");

  std::vector<ToolResult> results(2);
  results[0].result = Value("Tuesday 10:00 is free.");
  results[1].result = Value::object({{"name", Value("Anna")}});
  Value a = vapi_tool_results(p->tools, results);
  REQUIRE(a["results"].size() == 2);
  CHECK(a["results"].at(0)->get_string("toolCallId") == "call_VaJOd8ZeZgWCEHDYomyCPSPn");
  CHECK(a["results"].at(0)->get_string("result") == "Tuesday 10:00 is free.");
  CHECK(a["results"].at(1)->get_string("result") == "{\"name\":\"Anna\"}");
}

TEST_CASE("Vapi informational messages are acknowledged, malformed ones name the field", "[voice][vapi]") {
  auto p = parse_vapi(fixture("vapi_status_update.json"));
  REQUIRE(p.ok());
  CHECK(p->kind == Kind::ack);
  CHECK(p->event == "status-update");
  for (const char* type : {"transcript", "hang", "speech-update", "conversation-update", "something-new"}) {
    auto q = parse_vapi(Value::object({{"message", Value::object({{"type", Value(type)}})}}));
    REQUIRE(q.ok());
    CHECK(q->kind == Kind::ack);
  }
  auto missing = parse_vapi(Value::object({{"type", Value("end-of-call-report")}}));
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().message().rfind("message:", 0) == 0);
  auto no_id = parse_vapi(Value::parse(R"({"message":{"type":"end-of-call-report","call":{}}})").value());
  REQUIRE_FALSE(no_id.ok());
  CHECK(no_id.status().message().find("message.call.id") != std::string::npos);
  auto bad_args = parse_vapi(Value::parse(
      R"({"message":{"type":"tool-calls","toolCallList":[{"id":"c1","function":{"name":"x","arguments":"[1"}}]}})").value());
  REQUIRE_FALSE(bad_args.ok());
  CHECK(bad_args.status().message().find("message.toolCallList[0].function.arguments") != std::string::npos);
}

TEST_CASE("Retell call_analyzed becomes a call.ended event named call_analyzed", "[voice][retell]") {
  auto p = parse_retell(fixture("retell_call_analyzed.json"));
  REQUIRE(p.ok());
  REQUIRE(p->kind == Kind::ended);
  const CallEvent& e = p->call;
  CHECK(e.event == "call_analyzed");
  CHECK(e.call_id == "Jabr9TXYYJHfvl6Syypi88rdAHYHmcq6");
  CHECK(e.platform == "retell");
  CHECK(e.direction == "inbound");
  CHECK(e.from == "+12137771234");
  CHECK(e.to == "+12137771235");
  CHECK(e.assistant_id == "oBeDLoLOeuAbiuaMFXRtDOLriTJ5tSxD");
  CHECK(e.started_at == "2024-05-02T00:07:55.945Z");
  CHECK(e.ended_at == "2024-05-02T00:08:11.736Z");
  REQUIRE(e.duration_s);
  CHECK(*e.duration_s == Approx(15.791));
  CHECK(e.status == "completed");
  CHECK(e.end_reason == "user_hangup");
  REQUIRE(e.turns.size() == 3);
  CHECK(e.turns[0].role == "assistant");
  CHECK(e.turns[0].at_s == Approx(0.7));
  CHECK(e.turns[1].role == "user");
  CHECK(e.turns[1].text == "Doing pretty well. How are you?");
  CHECK(e.transcript.rfind("Agent: hi how are you doing?", 0) == 0);
  CHECK(e.summary == "The agent greeted the user, who was doing well.");
  CHECK(e.analysis.get_string("user_sentiment") == "Positive");
  CHECK(e.variables.get_int("lead_score") == 8);
  CHECK(e.variables.get_string("preferred_day") == "Tuesday");
  CHECK(e.input_variables.get_string("customer_name") == "John Doe");
  REQUIRE(e.cost);
  CHECK(*e.cost == Approx(0.70));  // 70 cents
  CHECK(e.recording_url.find("recording.wav") != std::string::npos);

  Value ended = fixture("retell_call_analyzed.json");
  ended["event"] = Value("call_ended");
  auto q = parse_retell(ended);
  REQUIRE(q.ok());
  CHECK(q->kind == Kind::ended);
  CHECK(q->call.event == "call_ended");
  ended["event"] = Value("call_started");
  CHECK(parse_retell(ended)->kind == Kind::ack);
}

TEST_CASE("Retell call_inbound is answered with call_inbound.dynamic_variables", "[voice][retell]") {
  auto p = parse_retell(fixture("retell_call_inbound.json"));
  REQUIRE(p.ok());
  REQUIRE(p->kind == Kind::incoming);
  CHECK(p->incoming.from == "+12137771234");
  CHECK(p->incoming.to == "+12137771235");
  CHECK(p->incoming.assistant_id == "oBeDLoLOeuAbiuaMFXRtDOLriTJ5tSxD");
  Variables v;
  v.values = Value::object({{"customer_name", Value("John")}, {"open_deals", Value(2)}});
  Value a = retell_inbound_answer(v);
  CHECK(a["call_inbound"]["dynamic_variables"].get_string("customer_name") == "John");
  CHECK(a["call_inbound"]["dynamic_variables"].get_string("open_deals") == "2");  // Retell wants strings
  CHECK(a["call_inbound"].find("override_agent_id") == nullptr);
  v.assistant_id = "agent_vip";
  CHECK(retell_inbound_answer(v)["call_inbound"].get_string("override_agent_id") == "agent_vip");
}

TEST_CASE("Retell custom function: the route's tool, the args, the call", "[voice][retell]") {
  auto t = parse_retell_tool("check_slot", fixture("retell_custom_function.json"));
  REQUIRE(t.ok());
  CHECK(t->tool == "check_slot");
  CHECK(t->arguments.get_string("date") == "2026-12-01");
  CHECK(t->call.call_id == "Jabr9TXYYJHfvl6Syypi88rdAHYHmcq6");
  CHECK(t->call.from == "+12137771234");
  CHECK(t->call.platform == "retell");
  auto bad = parse_retell_tool("x", Value::parse(R"({"name":"x","args":[1]})").value());
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().message().rfind("args:", 0) == 0);
}

TEST_CASE("ElevenLabs post_call_transcription becomes a call.ended event", "[voice][elevenlabs]") {
  auto p = parse_elevenlabs_post_call(fixture("elevenlabs_post_call_transcription.json"));
  REQUIRE(p.ok());
  REQUIRE(p->kind == Kind::ended);
  const CallEvent& e = p->call;
  CHECK(e.call_id == "abc");
  CHECK(e.platform == "elevenlabs");
  CHECK(e.event == "post_call_transcription");
  CHECK(e.assistant_id == "xyz");
  CHECK(e.direction == "inbound");
  CHECK(e.from == "+442079460958");
  CHECK(e.to == "+14155550199");
  CHECK(e.started_at == "2025-02-14T12:48:17.000Z");
  CHECK(e.ended_at == "2025-02-14T12:48:39.000Z");
  REQUIRE(e.duration_s);
  CHECK(*e.duration_s == 22);
  CHECK(e.end_reason == "Client disconnected: 1000");
  REQUIRE(e.turns.size() == 3);
  CHECK(e.turns[0].role == "assistant");
  CHECK(e.turns[1].at_s == 2);
  CHECK(e.transcript.rfind("assistant: Hey there angelo. How are you?\nuser: Hey", 0) == 0);
  CHECK(e.summary.find("fun fact") != std::string::npos);
  CHECK(e.variables.get_string("email") == "angelo@example.com");
  CHECK(e.analysis.get_string("call_successful") == "success");
  CHECK(e.input_variables.get_string("user_name") == "angelo");

  auto audio = parse_elevenlabs_post_call(Value::parse(R"({"type":"post_call_audio","data":{}})").value());
  REQUIRE(audio.ok());
  CHECK(audio->kind == Kind::ack);
  auto failure = parse_elevenlabs_post_call(Value::parse(
      R"({"type":"call_initiation_failure","event_timestamp":1759931652,"data":{"agent_id":"xyz","conversation_id":"conv_1","failure_reason":"busy","metadata":{"type":"twilio"}}})").value());
  REQUIRE(failure.ok());
  CHECK(failure->kind == Kind::ended);
  CHECK(failure->call.status == "failed");
  CHECK(failure->call.end_reason == "busy");
  auto no_id = parse_elevenlabs_post_call(Value::parse(R"({"type":"post_call_transcription","data":{}})").value());
  REQUIRE_FALSE(no_id.ok());
  CHECK(no_id.status().message().find("data.conversation_id") != std::string::npos);
}

TEST_CASE("ElevenLabs initiation and server tools", "[voice][elevenlabs]") {
  auto in = parse_elevenlabs_initiation(fixture("elevenlabs_initiation.json"));
  REQUIRE(in.ok());
  CHECK(in->from == "+442079460958");
  CHECK(in->to == "+14155550199");
  CHECK(in->call_id == "CA0123456789abcdef");
  CHECK(in->assistant_id == "xyz");
  Variables v;
  v.values = Value::object({{"user_name", Value("Angelo")}});
  Value a = elevenlabs_initiation_answer(v);
  CHECK(a.get_string("type") == "conversation_initiation_client_data");
  CHECK(a["dynamic_variables"].get_string("user_name") == "Angelo");

  auto t = parse_elevenlabs_tool("check_slot", Value::parse(R"({"date":"2026-12-01","system__conversation_id":"abc"})").value());
  REQUIRE(t.ok());
  CHECK(t->tool == "check_slot");
  CHECK(t->arguments.get_string("date") == "2026-12-01");
  CHECK(t->call.call_id == "abc");
  CHECK_FALSE(parse_elevenlabs_tool("check_slot", Value::array({Value(1)})).ok());
}

TEST_CASE("Famulor post-call: classic flat body with a list of turns, and the event body with text", "[voice][famulor]") {
  auto p = parse_famulor(fixture("famulor_post_call.json"));
  REQUIRE(p.ok());
  REQUIRE(p->kind == Kind::ended);
  const CallEvent& e = p->call;
  CHECK(e.call_id == "12345");
  CHECK(e.platform == "famulor");
  CHECK(e.direction == "outbound");  // a campaign call
  CHECK(e.from == "+1987654321");
  CHECK(e.to == "+1234567890");
  CHECK(*e.duration_s == 125);
  CHECK(e.status == "completed");
  REQUIRE(e.turns.size() == 2);
  CHECK(e.turns[0].role == "assistant");
  CHECK(e.turns[1].role == "user");
  CHECK(e.turns[1].at_s == Approx(5.5));
  CHECK(e.transcript.rfind("assistant: Hello! This is Sarah", 0) == 0);
  CHECK(e.summary == "Customer interested in product demo");
  CHECK(e.variables.get_string("lead_quality") == "high");
  CHECK(e.input_variables.get_string("customer_name") == "John Doe");
  CHECK(e.metadata.find("campaign")->get_string("name") == "Q3 demo follow-ups");
  CHECK(e.started_at == "2025-09-02T11:28:30.000000Z");

  auto q = parse_famulor(fixture("famulor_post_call_event.json"));
  REQUIRE(q.ok());
  REQUIRE(q->kind == Kind::ended);
  CHECK(q->call.call_id == "12346");
  CHECK(q->call.event == "call.ended");
  CHECK(q->call.transcript.find("geöffnet") != std::string::npos);
  CHECK(q->call.turns.empty());
  CHECK(q->call.from == "+4915112345678");

  auto in = parse_famulor(fixture("famulor_inbound.json"));
  REQUIRE(in.ok());
  REQUIRE(in->kind == Kind::incoming);
  CHECK(in->incoming.from == "+4915112345678");
  CHECK(in->incoming.assistant_id == "314");
  Variables v;
  v.values = Value::object({{"name", Value("Jana")}});
  CHECK(famulor_inbound_answer(v)["variables"].get_string("name") == "Jana");

  auto bad = parse_famulor(Value::parse(R"({"event":"call.ended","data":{"status":"completed"}})").value());
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().message().rfind("data.id:", 0) == 0);
}

TEST_CASE("Twilio status callbacks: final statuses end calls, others are acknowledged", "[voice][twilio]") {
  auto params = http::parse_query(fixture_text("twilio_status_completed.txt"));
  auto p = parse_twilio_status(params);
  REQUIRE(p.ok());
  REQUIRE(p->kind == Kind::ended);
  const CallEvent& e = p->call;
  CHECK(e.call_id == "CA1234567890ABCDE1234567890ABCDE");
  CHECK(e.platform == "twilio");
  CHECK(e.direction == "inbound");
  CHECK(e.from == "+14155550123");
  CHECK(e.to == "+14155550100");
  CHECK(e.status == "completed");
  CHECK(*e.duration_s == 42);
  CHECK(e.ended_at == "2026-11-27T18:04:05.000Z");
  CHECK(e.transcript.empty());
  CHECK(e.turns.empty());
  CHECK(e.raw.get_string("AccountSid") == "ACXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX");

  for (const char* s : {"busy", "no-answer", "canceled", "failed"}) {
    http::Params q = params;
    for (auto& [k, v] : q)
      if (k == "CallStatus") v = s;
    auto r = parse_twilio_status(q);
    REQUIRE(r.ok());
    CHECK(r->kind == Kind::ended);
    CHECK(r->call.status == s);
  }
  for (const char* s : {"initiated", "ringing", "in-progress"}) {
    http::Params q = params;
    for (auto& [k, v] : q)
      if (k == "CallStatus") v = s;
    CHECK(parse_twilio_status(q)->kind == Kind::ack);
  }
  // A duration of 400 digits is no duration (std::stod would throw out_of_range).
  auto huge = parse_twilio_status(
      http::parse_query("CallSid=CA1&CallStatus=completed&CallDuration=" + std::string(400, '9')));
  REQUIRE(huge.ok());
  CHECK_FALSE(huge->call.duration_s.has_value());
  auto bad = parse_twilio_status(http::parse_query("CallStatus=completed"));
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().message().rfind("CallSid:", 0) == 0);
  CHECK(iso_from_rfc2822("Tue, 10 Aug 2010 03:41:12 +0100") == "2010-08-10T02:41:12.000Z");
  // Unix ms from a payload's number: outside years 1-9999 (found by the fuzzer: a
  // Retell start_timestamp of 1.7e88 overflowed the conversion) or not finite: no date.
  CHECK(iso_from_unix_ms(std::int64_t{0}) == "1970-01-01T00:00:00.000Z");
  CHECK(iso_from_unix_ms(1.0e300).empty());
  CHECK(iso_from_unix_ms(-1.0e300).empty());
  CHECK(iso_from_unix_ms(std::nan("")).empty());
  CHECK(iso_from_unix_ms(std::numeric_limits<std::int64_t>::min()).empty());
  // Out of range (found by the fuzzer: the year overflowed the milliseconds): no date.
  CHECK(iso_from_rfc2822("Tue, 10 Aug 924616416190 03:41:12 +0100").empty());
  CHECK(iso_from_rfc2822("Tue, 10 Aug 2010 25:41:12 +0100").empty());
  CHECK(iso_from_rfc2822("Tue, 40 Aug 2010 03:41:12 +0100").empty());
  CHECK(iso_from_rfc2822("Tue, 10 Aug 2010 03:41:12 +9999").empty());
}

TEST_CASE("phone numbers become E.164 when they are international", "[voice]") {
  CHECK(to_e164("+49 (30) 1234-5678") == "+493012345678");
  CHECK(to_e164("0049 30 12345678") == "+493012345678");
  CHECK(to_e164(" +14155550123 ") == "+14155550123");
  CHECK(to_e164("anonymous") == "anonymous");
  CHECK(to_e164("client:alice") == "client:alice");
  CHECK(to_e164("030 1234567") == "030 1234567");  // national: the region is unknown
}
