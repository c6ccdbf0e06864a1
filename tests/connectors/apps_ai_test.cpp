// OpenAI and Anthropic: requests, and the recipe nodes' typed outputs.
#include <catch2/catch.hpp>

#include "harness.hpp"

using namespace famulor;
using namespace famulor::test;
using connectors::HttpRequest;

namespace {
Value J(std::string_view s) { return Value::parse(s).value(); }

std::string openai_response_with(std::string_view json_text) {
  Value text(std::string{json_text});
  return R"({"id":"resp_1","object":"response","status":"completed","model":"gpt-4o-mini",
    "output":[{"type":"reasoning","id":"rs_1","summary":[]},
              {"type":"message","id":"msg_1","status":"completed","role":"assistant",
               "content":[{"type":"output_text","text":)" + text.dump() + R"(,"annotations":[]}]}],
    "usage":{"input_tokens":10,"output_tokens":10,"total_tokens":20}})";
}
}  // namespace

TEST_CASE("openai.chat_completion with a JSON schema response_format", "[connector]") {
  ConnectorHarness h;
  h.credential("oa", "openai", Value::object({{"api_key", "sk-proj-abcdef123456"}}));
  h.answer = [](const HttpRequest&) {
    return json_response(200, R"({"id":"chatcmpl-1","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"{\"city\":\"Berlin\"}"},"finish_reason":"stop"}]})");
  };
  auto r = h.call("openai.chat_completion",
                  J(R"({"messages":[{"role":"user","content":"Where is the caller?"}],
                        "response_format":{"type":"json_schema","json_schema":{"name":"where","strict":true,
                          "schema":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"],"additionalProperties":false}}}})"),
                  "oa");
  REQUIRE(r.ok());
  CHECK(r->find("choices")->at(0)->find("message")->get_string("content") == R"({"city":"Berlin"})");
  auto& req = h.last();
  CHECK(req.method == "POST");
  CHECK(req.url == "https://api.openai.com/v1/chat/completions");
  CHECK(header(req, "Authorization") == "Bearer sk-proj-abcdef123456");
  Value body = json_body(req);
  CHECK(body.get_string("model") == "gpt-4o-mini");
  CHECK(body.find("response_format")->get_string("type") == "json_schema");
  CHECK(body.find("response_format")->find("json_schema")->get_bool("strict"));
  CHECK(body.find("temperature") == nullptr);  // absent optional params are left out
}

TEST_CASE("openai recipes use the Responses API with strict json_schema and return typed fields", "[connector]") {
  ConnectorHarness h;
  h.credential("oa", "openai", Value::object({{"api_key", "sk-proj-abcdef123456"}}));
  h.answer = [](const HttpRequest&) {
    return json_response(200, openai_response_with(R"({"score":82,"qualification":"hot","reasons":["Budget confirmed","Wants to start next week"]})"));
  };
  auto r = h.call("openai.lead_score", J(R"({"transcript":"Caller: We have budget and want to start next week."})"), "oa");
  REQUIRE(r.ok());
  CHECK(r->get_int("score") == 82);
  CHECK(r->get_string("qualification") == "hot");
  CHECK(r->find("reasons")->size() == 2);

  auto& req = h.last();
  CHECK(req.url == "https://api.openai.com/v1/responses");
  Value body = json_body(req);
  CHECK(body.get_string("model") == "gpt-4o-mini");
  CHECK(body.get_bool("store", true) == false);
  const Value* fmt = body.find("text")->find("format");
  CHECK(fmt->get_string("type") == "json_schema");
  CHECK(fmt->get_string("name") == "lead_score");
  CHECK(fmt->get_bool("strict"));
  CHECK(fmt->find("schema")->find("properties")->find("score")->get_string("type") == "integer");
  CHECK(body.find("input")->at(0)->get_string("content") == "Transcript:\nCaller: We have budget and want to start next week.");

  for (auto recipe : {"call_summary", "sentiment", "compliance_check"}) {
    INFO(recipe);
    h.answer = [](const HttpRequest&) { return json_response(200, openai_response_with(R"({"ok":true})")); };
    Value params = J(R"({"transcript":"AI: Hello, this is an AI assistant."})");
    if (std::string(recipe) == "compliance_check") params["rules"] = Value("Disclose that you are an AI.");
    auto out = h.call(std::string("openai.") + recipe, params, "oa");
    REQUIRE(out.ok());
    CHECK(json_body(h.last()).find("text")->find("format")->get_string("name") == recipe);
  }

  h.answer = [](const HttpRequest&) { return json_response(200, openai_response_with("not json")); };
  auto bad = h.call("openai.sentiment", J(R"({"transcript":"x"})"), "oa");
  CHECK(bad.status().code() == StatusCode::unavailable);
}

TEST_CASE("anthropic.create_message sends x-api-key and anthropic-version", "[connector]") {
  ConnectorHarness h;
  h.credential("an", "anthropic", Value::object({{"api_key", "sk-ant-api03-abcdef"}}));
  h.answer = [](const HttpRequest&) {
    return json_response(200, R"({"id":"msg_1","type":"message","role":"assistant","content":[{"type":"text","text":"Hi"}],"stop_reason":"end_turn"})");
  };
  auto r = h.call("anthropic.create_message", J(R"({"messages":[{"role":"user","content":"Hello"}],"system":"Be brief."})"), "an");
  REQUIRE(r.ok());
  auto& req = h.last();
  CHECK(req.method == "POST");
  CHECK(req.url == "https://api.anthropic.com/v1/messages");
  CHECK(header(req, "x-api-key") == "sk-ant-api03-abcdef");
  CHECK(header(req, "anthropic-version") == "2023-06-01");
  CHECK(header(req, "Authorization") == "<absent>");
  CHECK(json_body(req) == J(R"({"model":"claude-sonnet-4-5","max_tokens":1024,"system":"Be brief.","messages":[{"role":"user","content":"Hello"}]})"));
}

TEST_CASE("anthropic recipes force a tool call and return its typed input", "[connector]") {
  ConnectorHarness h;
  h.credential("an", "anthropic", Value::object({{"api_key", "sk-ant-api03-abcdef"}}));
  h.answer = [](const HttpRequest&) {
    return json_response(200, R"({"id":"msg_1","type":"message","role":"assistant","content":[
      {"type":"text","text":"Recording the result."},
      {"type":"tool_use","id":"toolu_1","name":"record_compliance_check","input":{"compliant":false,
        "issues":[{"rule":"Disclose AI","severity":"high","quote":"Hi, this is Anna."}],"summary":"No AI disclosure."}}],
      "stop_reason":"tool_use"})");
  };
  auto r = h.call("anthropic.compliance_check", J(R"({"transcript":"AI: Hi, this is Anna.","rules":["Disclose AI"]})"), "an");
  REQUIRE(r.ok());
  CHECK(r->get_bool("compliant", true) == false);
  CHECK(r->find("issues")->at(0)->get_string("severity") == "high");
  Value body = json_body(h.last());
  CHECK(body.find("tool_choice")->get_string("type") == "tool");
  CHECK(body.find("tool_choice")->get_string("name") == "record_compliance_check");
  CHECK(body.find("tools")->at(0)->get_string("name") == "record_compliance_check");
  CHECK(body.find("tools")->at(0)->find("input_schema")->find("required")->size() == 3);
  CHECK(body.find("messages")->at(0)->get_string("content").find("Disclose AI") != std::string::npos);

  h.answer = [](const HttpRequest&) {
    return json_response(529, R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})");
  };
  auto busy = h.call("anthropic.sentiment", J(R"({"transcript":"x"})"), "an");
  CHECK(busy.status().code() == StatusCode::unavailable);
  CHECK(busy.status().message().find("Overloaded") != std::string::npos);
}
