// HubSpot, Salesforce and Zendesk: the exact requests their APIs expect.
#include <catch2/catch.hpp>

#include "harness.hpp"
#include "net/url.hpp"

using namespace famulor;
using namespace famulor::test;
using connectors::HttpRequest;

namespace {
Value J(std::string_view s) { return Value::parse(s).value(); }
}

TEST_CASE("hubspot.create_contact posts properties with the bearer token", "[connector]") {
  ConnectorHarness h;
  h.credential("hs", "hubspot", Value::object({{"access_token", "pat-na1-11112222"}}));
  h.answer = [](const HttpRequest&) {
    return json_response(201, R"({"id":"512","properties":{"email":"jane@example.com","hs_object_id":"512"},"archived":false})");
  };
  auto r = h.call("hubspot.create_contact",
                  J(R"({"properties":{"email":"jane@example.com","firstname":"Jane","phone":"+4930123456"}})"), "hs");
  REQUIRE(r.ok());
  CHECK(r->get_string("id") == "512");
  auto& req = h.last();
  CHECK(req.method == "POST");
  CHECK(req.url == "https://api.hubapi.com/crm/v3/objects/contacts");
  CHECK(header(req, "Authorization") == "Bearer pat-na1-11112222");
  CHECK(header(req, "Content-Type") == "application/json");
  CHECK(json_body(req) == J(R"({"properties":{"email":"jane@example.com","firstname":"Jane","phone":"+4930123456"}})"));
  CHECK(header(req, "Idempotency-Key") == "<absent>");  // HubSpot honours none
}

TEST_CASE("hubspot.upsert_contact uses batch upsert by email", "[connector]") {
  ConnectorHarness h;
  h.credential("hs", "hubspot", Value::object({{"access_token", "pat-na1-11112222"}}));
  h.answer = [](const HttpRequest&) {
    return json_response(200, R"({"status":"COMPLETE","results":[{"id":"512","properties":{"email":"jane@example.com"},"new":false}]})");
  };
  auto r = h.call("hubspot.upsert_contact", J(R"({"id":"jane@example.com","properties":{"firstname":"Jane"}})"), "hs");
  REQUIRE(r.ok());
  CHECK(r->get_string("id") == "512");
  CHECK(h.last().url == "https://api.hubapi.com/crm/v3/objects/contacts/batch/upsert");
  CHECK(json_body(h.last()) ==
        J(R"({"inputs":[{"idProperty":"email","id":"jane@example.com","properties":{"firstname":"Jane"}}]})"));
}

TEST_CASE("hubspot search by phone and email, update, deals, engagements", "[connector]") {
  ConnectorHarness h;
  h.credential("hs", "hubspot", Value::object({{"access_token", "pat-na1-11112222"}}));
  h.answer = [](const HttpRequest& req) {
    if (req.url.ends_with("/search"))
      return json_response(200, R"({"total":1,"results":[{"id":"512","properties":{"phone":"+4930123456"}}]})");
    return json_response(200, R"({"id":"9001","properties":{}})");
  };

  auto found = h.call("hubspot.find_contact_by_phone", J(R"({"phone":"+4930123456"})"), "hs");
  REQUIRE(found.ok());
  REQUIRE(found->is_array());
  CHECK(found->at(0)->get_string("id") == "512");
  CHECK(h.last().method == "POST");
  CHECK(h.last().url == "https://api.hubapi.com/crm/v3/objects/contacts/search");
  CHECK(json_body(h.last()) == J(R"({
    "filterGroups":[{"filters":[{"propertyName":"phone","operator":"EQ","value":"+4930123456"}]},
                    {"filters":[{"propertyName":"mobilephone","operator":"EQ","value":"+4930123456"}]}],
    "properties":["email","firstname","lastname","phone","mobilephone","company","lifecyclestage"],
    "limit":10})"));

  REQUIRE(h.call("hubspot.find_contact_by_email", J(R"({"email":"jane@example.com","limit":1})"), "hs").ok());
  CHECK(json_body(h.last()).find("filterGroups")->dump() ==
        R"([{"filters":[{"propertyName":"email","operator":"EQ","value":"jane@example.com"}]}])");
  CHECK(json_body(h.last()).get_int("limit") == 1);

  REQUIRE(h.call("hubspot.update_contact", J(R"({"contact_id":"512","properties":{"lifecyclestage":"lead"}})"), "hs").ok());
  CHECK(h.last().method == "PATCH");
  CHECK(h.last().url == "https://api.hubapi.com/crm/v3/objects/contacts/512");
  CHECK(json_body(h.last()) == J(R"({"properties":{"lifecyclestage":"lead"}})"));

  REQUIRE(h.call("hubspot.create_deal",
                 J(R"({"name":"Inbound call - Jane","stage":"appointmentscheduled","contact_id":"512","amount":1500})"), "hs")
              .ok());
  CHECK(h.last().url == "https://api.hubapi.com/crm/v3/objects/deals");
  CHECK(json_body(h.last()) == J(R"({
    "properties":{"dealname":"Inbound call - Jane","pipeline":"default","dealstage":"appointmentscheduled","amount":1500},
    "associations":[{"to":{"id":"512"},"types":[{"associationCategory":"HUBSPOT_DEFINED","associationTypeId":3}]}]})"));

  REQUIRE(h.call("hubspot.update_deal_stage", J(R"({"deal_id":9001,"stage":"closedwon"})"), "hs").ok());
  CHECK(h.last().method == "PATCH");
  CHECK(h.last().url == "https://api.hubapi.com/crm/v3/objects/deals/9001");
  CHECK(json_body(h.last()) == J(R"({"properties":{"dealstage":"closedwon"}})"));

  REQUIRE(h.call("hubspot.create_note", J(R"({"contact_id":"512","body":"Wants a quote","timestamp":"2026-11-27T12:00:00Z"})"), "hs").ok());
  CHECK(h.last().url == "https://api.hubapi.com/crm/v3/objects/notes");
  CHECK(json_body(h.last()) == J(R"({
    "properties":{"hs_timestamp":"2026-11-27T12:00:00Z","hs_note_body":"Wants a quote"},
    "associations":[{"to":{"id":"512"},"types":[{"associationCategory":"HUBSPOT_DEFINED","associationTypeId":202}]}]})"));

  REQUIRE(h.call("hubspot.create_call",
                 J(R"({"contact_id":"512","timestamp":"2026-11-27T12:00:00Z","title":"Inbound call","body":"Transcript...",
                       "direction":"INBOUND","duration_ms":95000,"from":"+4930123456"})"), "hs").ok());
  CHECK(h.last().url == "https://api.hubapi.com/crm/v3/objects/calls");
  CHECK(json_body(h.last()) == J(R"({
    "properties":{"hs_timestamp":"2026-11-27T12:00:00Z","hs_call_title":"Inbound call","hs_call_body":"Transcript...",
                  "hs_call_direction":"INBOUND","hs_call_duration":95000,"hs_call_from_number":"+4930123456",
                  "hs_call_status":"COMPLETED"},
    "associations":[{"to":{"id":"512"},"types":[{"associationCategory":"HUBSPOT_DEFINED","associationTypeId":194}]}]})"));
}

TEST_CASE("hubspot errors carry HubSpot's message and the right code", "[connector]") {
  ConnectorHarness h;
  h.credential("hs", "hubspot", Value::object({{"access_token", "pat-na1-11112222"}}));
  h.answer = [](const HttpRequest&) {
    return json_response(409, R"({"status":"error","message":"Contact already exists. Existing ID: 512","category":"CONFLICT"})");
  };
  auto r = h.call("hubspot.create_contact", J(R"({"properties":{"email":"jane@example.com"}})"), "hs");
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == StatusCode::already_exists);
  CHECK(r.status().message().find("Contact already exists. Existing ID: 512") != std::string::npos);
  CHECK(r.status().message().find("hubspot.create_contact") != std::string::npos);
  CHECK(r.status().message().find("pat-na1-11112222") == std::string::npos);

  h.answer = [](const HttpRequest&) { return json_response(429, R"({"status":"error","message":"You have reached your ten_secondly_rolling limit."})"); };
  auto limited = h.call("hubspot.create_contact", J(R"({"properties":{"email":"jane@example.com"}})"), "hs");
  CHECK(limited.status().code() == StatusCode::resource_exhausted);
  CHECK(limited.status().retryable());
  CHECK(h.last_info.retry_after == std::chrono::milliseconds(0));  // no Retry-After header: no minimum

  // With Retry-After the call reports it, so the node's retry waits at least that long.
  h.answer = [](const HttpRequest&) {
    auto r = json_response(429, R"({"status":"error","message":"You have reached your ten_secondly_rolling limit."})");
    r.headers.emplace_back("Retry-After", "7");
    return r;
  };
  limited = h.call("hubspot.create_contact", J(R"({"properties":{"email":"jane@example.com"}})"), "hs");
  CHECK(limited.status().code() == StatusCode::resource_exhausted);
  CHECK(h.last_info.retry_after == std::chrono::seconds(7));
  // A 4xx that is not a rate limit carries no delay, whatever its headers say.
  h.answer = [](const HttpRequest&) {
    auto r = json_response(400, R"({"status":"error","message":"Property values were not valid"})");
    r.headers.emplace_back("Retry-After", "7");
    return r;
  };
  (void)h.call("hubspot.create_contact", J(R"({"properties":{"email":"jane@example.com"}})"), "hs");
  CHECK(h.last_info.retry_after == std::chrono::milliseconds(0));
}

TEST_CASE("salesforce uses the credential's instance_url and escapes SOQL", "[connector]") {
  ConnectorHarness h;
  h.credential("sf", "salesforce",
               Value::object({{"access_token", "00Dxx!AQ4AQ.token"}, {"instance_url", "https://acme.my.salesforce.com"}}));
  h.answer = [](const HttpRequest&) {
    return json_response(200, R"({"totalSize":1,"done":true,"records":[{"attributes":{"type":"Contact"},"Id":"003XX","Name":"Jane Doe"}]})");
  };
  auto r = h.call("salesforce.find_contact_by_phone", J(R"({"phone":"+49 30 1234' OR Name != '"})"), "sf");
  REQUIRE(r.ok());
  CHECK(r->at(0)->get_string("Id") == "003XX");
  auto& req = h.last();
  CHECK(req.method == "GET");
  CHECK(req.url.rfind("https://acme.my.salesforce.com/services/data/v60.0/query?q=", 0) == 0);
  CHECK(header(req, "Authorization") == "Bearer 00Dxx!AQ4AQ.token");
  auto q = net::percent_decode(req.url.substr(req.url.find("q=") + 2), true);
  REQUIRE(q.ok());
  CHECK(*q == "SELECT Id, FirstName, LastName, Name, Email, Phone, MobilePhone, AccountId FROM Contact WHERE Phone = "
              "'+49 30 1234\\' OR Name != \\'' OR MobilePhone = '+49 30 1234\\' OR Name != \\'' LIMIT 10");
}

TEST_CASE("salesforce creates and updates records, logs the call as a Task", "[connector]") {
  ConnectorHarness h;
  h.credential("sf", "salesforce",
               Value::object({{"access_token", "00Dxx!AQ4AQ.token"}, {"instance_url", "https://acme.my.salesforce.com"}}));
  h.answer = [](const HttpRequest& req) {
    if (req.method == "PATCH") {
      connectors::HttpResponse r;
      r.status = 204;
      return r;
    }
    return json_response(201, R"({"id":"00QXX000001dLqkYAE","success":true,"errors":[]})");
  };
  auto lead = h.call("salesforce.create_lead", J(R"({"fields":{"LastName":"Doe","Company":"Acme","Phone":"+4930123456"}})"), "sf");
  REQUIRE(lead.ok());
  CHECK(lead->get_string("id") == "00QXX000001dLqkYAE");
  CHECK(h.last().method == "POST");
  CHECK(h.last().url == "https://acme.my.salesforce.com/services/data/v60.0/sobjects/Lead");
  CHECK(json_body(h.last()) == J(R"({"LastName":"Doe","Company":"Acme","Phone":"+4930123456"})"));

  auto upd = h.call("salesforce.update_contact", J(R"({"contact_id":"003XX","fields":{"Email":"jane@example.com"}})"), "sf");
  REQUIRE(upd.ok());
  CHECK(upd->is_null());
  CHECK(h.last().method == "PATCH");
  CHECK(h.last().url == "https://acme.my.salesforce.com/services/data/v60.0/sobjects/Contact/003XX");

  REQUIRE(h.call("salesforce.create_task",
                 J(R"({"who_id":"003XX","subject":"Inbound call","transcript":"AI: Hello\nCaller: Hi","call_type":"Inbound","duration_s":95})"), "sf")
              .ok());
  CHECK(h.last().url == "https://acme.my.salesforce.com/services/data/v60.0/sobjects/Task");
  CHECK(json_body(h.last()) == J(R"({"Subject":"Inbound call","Description":"AI: Hello\nCaller: Hi","WhoId":"003XX",
    "Status":"Completed","Priority":"Normal","TaskSubtype":"Call","CallType":"Inbound","CallDurationInSeconds":95})"));

  REQUIRE(h.call("salesforce.create_opportunity", J(R"({"name":"Acme - consultation","stage":"Prospecting","close_date":"2026-12-31","amount":1500})"), "sf").ok());
  CHECK(json_body(h.last()) == J(R"({"Name":"Acme - consultation","StageName":"Prospecting","CloseDate":"2026-12-31",
    "Amount":1500,"LeadSource":"Phone Inquiry"})"));

  h.answer = [](const HttpRequest&) {
    return json_response(400, R"([{"message":"Required fields are missing: [LastName]","errorCode":"REQUIRED_FIELD_MISSING","fields":["LastName"]}])");
  };
  auto bad = h.call("salesforce.create_contact", J(R"({"fields":{"FirstName":"Jane"}})"), "sf");
  CHECK(bad.status().code() == StatusCode::invalid_argument);
  CHECK(bad.status().message().find("Required fields are missing: [LastName]") != std::string::npos);
}

TEST_CASE("salesforce.query follows nextRecordsUrl", "[connector]") {
  ConnectorHarness h;
  h.credential("sf", "salesforce",
               Value::object({{"access_token", "00Dxx!AQ4AQ.token"}, {"instance_url", "https://acme.my.salesforce.com"}}));
  h.answer = [](const HttpRequest& req) {
    if (req.url.find("01gXX-2000") != std::string::npos)
      return json_response(200, R"({"totalSize":3,"done":true,"records":[{"Id":"3"}]})");
    return json_response(200, R"({"totalSize":3,"done":false,"nextRecordsUrl":"/services/data/v60.0/query/01gXX-2000","records":[{"Id":"1"},{"Id":"2"}]})");
  };
  auto r = h.call("salesforce.query", J(R"({"soql":"SELECT Id FROM Lead"})"), "sf");
  REQUIRE(r.ok());
  REQUIRE(r->size() == 3);
  CHECK(r->at(2)->get_string("Id") == "3");
  REQUIRE(h.sent.size() == 2);
  CHECK(h.sent[1].url == "https://acme.my.salesforce.com/services/data/v60.0/query/01gXX-2000");
  CHECK(header(h.sent[1], "Authorization") == "Bearer 00Dxx!AQ4AQ.token");
}

TEST_CASE("salesforce without instance_url fails clearly", "[connector]") {
  ConnectorHarness h;
  h.credential("sf", "salesforce", Value::object({{"access_token", "00Dxx!AQ4AQ.token"}}));
  auto r = h.call("salesforce.create_lead", J(R"({"fields":{"LastName":"Doe","Company":"Acme"}})"), "sf");
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == StatusCode::failed_precondition);
  CHECK(r.status().message().find("instance_url") != std::string::npos);
  CHECK(h.sent.empty());
}

TEST_CASE("zendesk: subdomain host, API-token basic auth, ticket with the transcript", "[connector]") {
  ConnectorHarness h;
  h.credential("zd", "zendesk",
               Value::object({{"subdomain", "acme"}, {"email", "agent@acme.com"}, {"api_token", "6wiIBWbGkBMo1mRDMuVwkw1EPsNkeUj95PIz2akv"}}));
  h.answer = [](const HttpRequest& req) {
    if (req.url.find("/search.json") != std::string::npos)
      return json_response(200, R"({"results":[{"id":20978392,"result_type":"user","name":"Jane Doe","phone":"+4930123456"}],"count":1,"next_page":null})");
    return json_response(201, R"({"ticket":{"id":35436,"status":"new","subject":"Callback requested"}})");
  };
  auto t = h.call("zendesk.create_ticket",
                  J(R"({"subject":"Callback requested","transcript":"AI: Hello\nCaller: Please call me back","requester_id":20978392,"tags":["phone","ai"],"external_id":"call_123"})"),
                  "zd");
  REQUIRE(t.ok());
  CHECK(t->get_int("id") == 35436);
  auto& req = h.last();
  CHECK(req.method == "POST");
  CHECK(req.url == "https://acme.zendesk.com/api/v2/tickets.json");
  // base64("agent@acme.com/token:6wiIBWbGkBMo1mRDMuVwkw1EPsNkeUj95PIz2akv")
  CHECK(header(req, "Authorization") == "Basic YWdlbnRAYWNtZS5jb20vdG9rZW46NndpSUJXYkdrQk1vMW1SRE11VndrdzFFUHNOa2VVajk1UEl6MmFrdg==");
  CHECK(json_body(req) == J(R"({"ticket":{"subject":"Callback requested",
    "comment":{"body":"AI: Hello\nCaller: Please call me back","public":false},
    "requester_id":20978392,"tags":["phone","ai"],"external_id":"call_123"}})"));

  auto users = h.call("zendesk.find_user_by_phone", J(R"({"phone":"+49 (30) 123-456"})"), "zd");
  REQUIRE(users.ok());
  CHECK(users->at(0)->get_int("id") == 20978392);
  CHECK(h.last().method == "GET");
  auto q = net::percent_decode(h.last().url.substr(h.last().url.find("query=") + 6), true);
  REQUIRE(q.ok());
  CHECK(*q == "type:user role:end-user phone:*4930123456");
  CHECK(h.last().url.rfind("https://acme.zendesk.com/api/v2/search.json?query=", 0) == 0);

  h.answer = [](const HttpRequest&) { return json_response(200, R"({"ticket":{"id":35436,"status":"pending"}})"); };
  REQUIRE(h.call("zendesk.update_ticket", J(R"({"ticket_id":35436,"status":"pending","comment":{"body":"Called back","public":false}})"), "zd").ok());
  CHECK(h.last().method == "PUT");
  CHECK(h.last().url == "https://acme.zendesk.com/api/v2/tickets/35436.json");
  CHECK(json_body(h.last()) == J(R"({"ticket":{"status":"pending","comment":{"body":"Called back","public":false}}})"));
}

TEST_CASE("zendesk refuses a subdomain that is not a host name", "[connector]") {
  ConnectorHarness h;
  h.credential("zd", "zendesk", Value::object({{"subdomain", "evil.com/x?"}, {"email", "a@b.c"}, {"api_token", "tok-123456"}}));
  auto r = h.call("zendesk.update_ticket", J(R"({"ticket_id":1,"status":"open"})"), "zd");
  CHECK(r.status().code() == StatusCode::invalid_argument);
  CHECK(h.sent.empty());
}
