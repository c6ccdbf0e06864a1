// The call model's JSON form (CONTRACT.md, "The normalized call event").
#include <catch2/catch.hpp>

#include <famulor/call.hpp>

using namespace famulor;

namespace {
Value parse(const char* json) {
  auto v = Value::parse(json);
  REQUIRE(v.ok());
  return v.value();
}
}  // namespace

TEST_CASE("a call event round-trips through its JSON form", "[voice]") {
  auto c = CallEvent::from_value(parse(R"({
    "call_id": "c1", "platform": "vapi", "direction": "inbound", "from": "+4930123", "to": "+4989456",
    "assistant_id": "a1", "started_at": "2026-11-27T10:00:00Z", "ended_at": "2026-11-27T10:03:00Z",
    "duration_s": 180, "status": "completed", "end_reason": "customer-ended-call",
    "turns": [{"role": "agent", "text": "Hello", "at_s": 0.5}, {"role": "user", "text": "Hi", "at_s": 1.25}],
    "summary": "greeting", "analysis": {"score": 7}, "variables": {"name": "Jana"},
    "input_variables": {"x": 1}, "recording_url": "https://r/1.wav", "cost": 0.12,
    "metadata": {"campaign": "q4"}, "raw": {"type": "end-of-call-report"}, "event": "end-of-call-report"})"));
  REQUIRE(c.ok());
  const CallEvent& e = c.value();
  CHECK(e.call_id == "c1");
  CHECK(e.duration_s == 180);
  CHECK(e.cost == 0.12);
  REQUIRE(e.turns.size() == 2);
  CHECK(e.turns[0].role == "assistant");  // the platform's "agent"
  CHECK(e.turns[1].at_s == 1.25);
  CHECK(e.transcript == "assistant: Hello\nuser: Hi");  // built from the turns
  Value v = e.to_value();
  CHECK(v.get_string("end_reason") == "customer-ended-call");
  CHECK(*v.find("analysis") == parse(R"({"score": 7})"));
  CHECK(v.get_string("event") == "end-of-call-report");
  auto again = CallEvent::from_value(v);
  REQUIRE(again.ok());
  CHECK(again.value().to_value() == v);
}

TEST_CASE("unknown call fields are null, and a minimal event needs only call_id", "[voice]") {
  auto c = CallEvent::from_value(parse(R"({"call_id": 42})"));
  REQUIRE(c.ok());
  CHECK(c.value().call_id == "42");
  Value v = c.value().to_value();
  CHECK(v.find("from")->is_null());
  CHECK(v.find("duration_s")->is_null());
  CHECK(v.find("analysis")->is_null());
  CHECK(v.find("turns")->as_array().empty());
}

TEST_CASE("a bad call event names the field that is wrong", "[voice]") {
  auto msg = [](const char* json) {
    auto c = CallEvent::from_value(parse(json));
    REQUIRE_FALSE(c.ok());
    CHECK(c.status().code() == StatusCode::invalid_argument);
    return c.status().message();
  };
  CHECK(msg(R"({"platform": "vapi"})") == "call.call_id: is required");
  CHECK(msg(R"([1])").find("must be a JSON object") != std::string::npos);
  CHECK(msg(R"({"call_id": "c", "duration_s": "long"})") == "call.duration_s: must be a number, not string");
  CHECK(msg(R"({"call_id": "c", "direction": "sideways"})").find("call.direction") == 0);
  CHECK(msg(R"({"call_id": "c", "turns": [{"role": "user", "text": "a"}, {"role": "user", "at_s": "x"}]})") ==
        "call.turns[1].at_s: must be a number, not string");
  CHECK(msg(R"({"call_id": "c", "analysis": [1]})") == "call.analysis: must be an object, not array");
}

TEST_CASE("incoming calls and tool calls read their JSON form", "[voice]") {
  auto in = IncomingCall::from_value(parse(R"({"call_id": "c", "from": "+49301", "assistant_id": "a"})"));
  REQUIRE(in.ok());
  CHECK(in.value().direction == "inbound");
  CHECK(in.value().to_value().get_string("from") == "+49301");

  auto t = ToolCall::from_value(
      parse(R"({"tool": "book", "arguments": "{\"slot\": \"10:00\"}", "tool_call_id": "tc1", "call": {"call_id": "c"}})"));
  REQUIRE(t.ok());
  CHECK(t.value().arguments.get_string("slot") == "10:00");  // a JSON string, as some platforms send
  CHECK(t.value().call.call_id == "c");
  Value v = t.value().to_value();
  CHECK(v.get_string("tool_call_id") == "tc1");
  CHECK(v.find("call")->get_string("call_id") == "c");

  auto bad = ToolCall::from_value(parse(R"({"tool": "book", "arguments": [1]})"));
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().message() == "tool_call.arguments: must be an object, not array");
  CHECK(ToolCall::from_value(parse(R"({"arguments": {}})")).status().message() == "tool_call.tool: is required");
  CHECK(IncomingCall::from_value(parse(R"({"from": 1.5})")).status().message() ==
        "call.from: must be a string, not number");
}
