// Slack, Microsoft Teams and Gmail: the exact requests their APIs expect.
#include <catch2/catch.hpp>

#include "connectors/derive.hpp"
#include "harness.hpp"
#include "security/base64.hpp"

using namespace famulor;
using namespace famulor::test;
using connectors::HttpRequest;

namespace {
Value J(std::string_view s) { return Value::parse(s).value(); }
}

TEST_CASE("slack.post_message sends JSON with blocks and a bearer token", "[connector]") {
  ConnectorHarness h;
  h.credential("slack", "slack", Value::object({{"access_token", "xoxb-1111-2222-abcdef"}}));
  h.answer = [](const HttpRequest&) {
    return json_response(200, R"({"ok":true,"channel":"C0123456789","ts":"1764243200.000100","message":{"text":"Call summary"}})");
  };
  auto r = h.call("slack.post_message",
                  J(R"({"channel":"C0123456789","text":"Call summary","blocks":[{"type":"section","text":{"type":"mrkdwn","text":"*Jane* called"}}]})"),
                  "slack");
  REQUIRE(r.ok());
  CHECK(r->get_string("ts") == "1764243200.000100");
  auto& req = h.last();
  CHECK(req.method == "POST");
  CHECK(req.url == "https://slack.com/api/chat.postMessage");
  CHECK(header(req, "Authorization") == "Bearer xoxb-1111-2222-abcdef");
  CHECK(header(req, "Content-Type") == "application/json; charset=utf-8");
  CHECK(json_body(req) == J(R"({"channel":"C0123456789","text":"Call summary",
    "blocks":[{"type":"section","text":{"type":"mrkdwn","text":"*Jane* called"}}]})"));
}

TEST_CASE("slack ok:false answers fail with Slack's error code", "[connector]") {
  ConnectorHarness h;
  h.credential("slack", "slack", Value::object({{"access_token", "xoxb-1111-2222-abcdef"}}));
  h.answer = [](const HttpRequest&) { return json_response(200, R"({"ok":false,"error":"channel_not_found"})"); };
  auto r = h.call("slack.post_message", J(R"({"channel":"C404","text":"x"})"), "slack");
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == StatusCode::not_found);
  CHECK(r.status().message().find("channel_not_found") != std::string::npos);

  h.answer = [](const HttpRequest&) { return json_response(200, R"({"ok":false,"error":"invalid_auth"})"); };
  CHECK(h.call("slack.post_message", J(R"({"channel":"C1","text":"x"})"), "slack").status().code() ==
        StatusCode::unauthenticated);
}

TEST_CASE("slack.upload_file: get URL, upload the bytes without the token, complete", "[connector]") {
  ConnectorHarness h;
  h.credential("slack", "slack", Value::object({{"access_token", "xoxb-1111-2222-abcdef"}}));
  h.answer = [](const HttpRequest& req) {
    if (req.url.find("files.getUploadURLExternal") != std::string::npos)
      return json_response(200, R"({"ok":true,"upload_url":"https://files.slack.com/upload/v1/CwABAAAAXAoAAZnKg","file_id":"F0123456789"})");
    if (req.url.find("files.slack.com") != std::string::npos) {
      connectors::HttpResponse r;
      r.status = 200;
      r.body = "OK - 18";
      return r;
    }
    return json_response(200, R"({"ok":true,"files":[{"id":"F0123456789","title":"Call summary"}]})");
  };
  auto r = h.call("slack.upload_file",
                  J(R"({"channel_id":"C0123456789","filename":"summary.txt","content":"Jane wants a quote","title":"Call summary","initial_comment":"New call"})"),
                  "slack");
  REQUIRE(r.ok());
  CHECK(r->get_bool("ok"));
  REQUIRE(h.sent.size() == 3);
  auto& get = h.sent[0];
  CHECK(get.method == "POST");
  CHECK(get.url == "https://slack.com/api/files.getUploadURLExternal");
  CHECK(header(get, "Content-Type") == "application/x-www-form-urlencoded");
  CHECK(form_body(get) == std::vector<std::pair<std::string, std::string>>{{"filename", "summary.txt"}, {"length", "18"}});
  auto& up = h.sent[1];
  CHECK(up.method == "POST");
  CHECK(up.url == "https://files.slack.com/upload/v1/CwABAAAAXAoAAZnKg");
  CHECK(up.body == "Jane wants a quote");
  CHECK(header(up, "Authorization") == "<absent>");
  CHECK(up.policy_applies);  // a URL from a response is checked by the outbound policy
  auto& done = h.sent[2];
  CHECK(done.url == "https://slack.com/api/files.completeUploadExternal");
  CHECK(header(done, "Authorization") == "Bearer xoxb-1111-2222-abcdef");
  CHECK(json_body(done) == J(R"({"files":[{"id":"F0123456789","title":"Call summary"}],"channel_id":"C0123456789","initial_comment":"New call"})"));
}

TEST_CASE("slack.lookup_user_by_email", "[connector]") {
  ConnectorHarness h;
  h.credential("slack", "slack", Value::object({{"access_token", "xoxb-1111-2222-abcdef"}}));
  h.answer = [](const HttpRequest&) {
    return json_response(200, R"({"ok":true,"user":{"id":"U0123456789","name":"jane","profile":{"email":"jane+sales@example.com"}}})");
  };
  auto r = h.call("slack.lookup_user_by_email", J(R"({"email":"jane+sales@example.com"})"), "slack");
  REQUIRE(r.ok());
  CHECK(r->get_string("id") == "U0123456789");
  CHECK(h.last().method == "GET");
  CHECK(h.last().url == "https://slack.com/api/users.lookupByEmail?email=jane%2Bsales%40example.com");
  CHECK(h.last().body.empty());
}

TEST_CASE("microsoft_teams: Adaptive Card to the credential's webhook URL, and Graph", "[connector]") {
  ConnectorHarness h;
  h.credential("teams-hook", "microsoft_teams",
               Value::object({{"webhook_url", "https://acme.webhook.office.com/webhookb2/abc@def/IncomingWebhook/123/456"}}));
  h.answer = [](const HttpRequest&) {
    connectors::HttpResponse r;
    r.status = 200;
    r.body.assign(1, '1');
    return r;
  };
  auto r = h.call("microsoft_teams.post_webhook_card",
                  J(R"({"title":"New call","text":"Jane wants a quote","facts":[{"title":"Caller","value":"+4930123456"}]})"),
                  "teams-hook");
  REQUIRE(r.ok());
  auto& req = h.last();
  CHECK(req.method == "POST");
  CHECK(req.url == "https://acme.webhook.office.com/webhookb2/abc@def/IncomingWebhook/123/456");
  CHECK(req.policy_applies);
  CHECK(header(req, "Authorization") == "<absent>");
  CHECK(json_body(req) == J(R"({"type":"message","attachments":[{"contentType":"application/vnd.microsoft.card.adaptive",
    "content":{"$schema":"http://adaptivecards.io/schemas/adaptive-card.json","type":"AdaptiveCard","version":"1.4",
      "body":[{"type":"TextBlock","size":"Medium","weight":"Bolder","text":"New call","wrap":true},
              {"type":"TextBlock","text":"Jane wants a quote","wrap":true},
              {"type":"FactSet","facts":[{"title":"Caller","value":"+4930123456"}]}]}}]})"));

  h.credential("graph", "microsoft_teams", Value::object({{"access_token", "eyJ0eXAiOiJKV1Qi.graph"}}));
  h.answer = [](const HttpRequest&) { return json_response(201, R"({"id":"1616990032035","messageType":"message"})"); };
  auto g = h.call("microsoft_teams.post_channel_message",
                  J(R"({"team_id":"fbe2bf47-16c8-47cf-b4a5-4b9b187c508b","channel_id":"19:4a95f7d8db4c4e7fae857bcebe0623e6@thread.tacv2","content":"<b>New call</b>"})"),
                  "graph");
  REQUIRE(g.ok());
  CHECK(h.last().url ==
        "https://graph.microsoft.com/v1.0/teams/fbe2bf47-16c8-47cf-b4a5-4b9b187c508b/channels/"
        "19%3A4a95f7d8db4c4e7fae857bcebe0623e6%40thread.tacv2/messages");
  CHECK(header(h.last(), "Authorization") == "Bearer eyJ0eXAiOiJKV1Qi.graph");
  CHECK(json_body(h.last()) == J(R"({"body":{"contentType":"html","content":"<b>New call</b>"}})"));
}

TEST_CASE("gmail.send_email sends an RFC 822 message as base64url raw", "[connector]") {
  ConnectorHarness h;
  h.credential("gm", "gmail", Value::object({{"access_token", "ya29.a0AfH6SMBx"}}));
  h.answer = [](const HttpRequest&) { return json_response(200, R"({"id":"18c1f2a3b4c5d6e7","threadId":"18c1f2a3b4c5d6e7","labelIds":["SENT"]})"); };
  auto r = h.call("gmail.send_email",
                  J(R"({"to":["jane@example.com","sales@acme.com"],"subject":"Ihr Rückruf","html":"<p>Hallo Jane</p>","text":"Hallo Jane"})"),
                  "gm");
  REQUIRE(r.ok());
  CHECK(r->get_string("id") == "18c1f2a3b4c5d6e7");
  auto& req = h.last();
  CHECK(req.method == "POST");
  CHECK(req.url == "https://gmail.googleapis.com/gmail/v1/users/me/messages/send");
  CHECK(header(req, "Authorization") == "Bearer ya29.a0AfH6SMBx");
  Value body = json_body(req);
  REQUIRE(body.find("raw") != nullptr);
  CHECK(body.size() == 1);
  std::string raw = body.get_string("raw");
  CHECK(raw.find_first_of("+/=") == std::string::npos);  // base64url, unpadded
  auto msg = security::base64_decode(raw);
  REQUIRE(msg.has_value());
  CHECK(msg->find("To: jane@example.com, sales@acme.com\r\n") != std::string::npos);
  CHECK(msg->find("Subject: =?UTF-8?B?" + security::base64_encode("Ihr Rückruf") + "?=\r\n") != std::string::npos);
  CHECK(msg->find("MIME-Version: 1.0\r\n") != std::string::npos);
  CHECK(msg->find("Content-Type: multipart/alternative; boundary=") != std::string::npos);
  CHECK(msg->find("Content-Type: text/html; charset=\"UTF-8\"") != std::string::npos);
  CHECK(msg->find(security::base64_encode("<p>Hallo Jane</p>")) != std::string::npos);
}

TEST_CASE("gmail.create_draft wraps the message, header injection is refused", "[connector]") {
  ConnectorHarness h;
  h.credential("gm", "gmail", Value::object({{"access_token", "ya29.a0AfH6SMBx"}}));
  h.answer = [](const HttpRequest&) { return json_response(200, R"({"id":"r-548","message":{"id":"18c","threadId":"18c","labelIds":["DRAFT"]}})"); };
  auto r = h.call("gmail.create_draft", J(R"({"to":"jane@example.com","subject":"Follow-up","html":"<p>Hi</p>","thread_id":"18b"})"), "gm");
  REQUIRE(r.ok());
  CHECK(h.last().url == "https://gmail.googleapis.com/gmail/v1/users/me/drafts");
  Value body = json_body(h.last());
  CHECK(body.find("message")->get_string("threadId") == "18b");
  auto msg = security::base64_decode(body.find("message")->get_string("raw"));
  REQUIRE(msg.has_value());
  CHECK(msg->find("Content-Type: text/html; charset=\"UTF-8\"\r\n") != std::string::npos);

  std::size_t before = h.sent.size();
  auto bad = h.call("gmail.send_email", J(R"({"to":"jane@example.com\r\nBcc: all@corp.com","subject":"x","text":"y"})"), "gm");
  CHECK(bad.status().code() == StatusCode::invalid_argument);
  CHECK(h.sent.size() == before);
}
