// Google Sheets, Google Calendar and Stripe: the exact requests their APIs expect.
#include <catch2/catch.hpp>

#include "harness.hpp"
#include "net/url.hpp"

using namespace famulor;
using namespace famulor::test;
using connectors::HttpRequest;
using Pairs = std::vector<std::pair<std::string, std::string>>;

namespace {
Value J(std::string_view s) { return Value::parse(s).value(); }
}

TEST_CASE("google_sheets append, get, update", "[connector]") {
  ConnectorHarness h;
  h.credential("g", "google_sheets", Value::object({{"access_token", "ya29.sheets-token"}}));
  h.answer = [](const HttpRequest& req) {
    if (req.method == "GET")
      return json_response(200, R"({"range":"Calls!A2:C3","majorDimension":"ROWS","values":[["2026-11-27","+4930123456","booked"]]})");
    return json_response(200, R"({"spreadsheetId":"1Bxi","updates":{"updatedRange":"Calls!A42:C42","updatedRows":1}})");
  };
  auto a = h.call("google_sheets.append_rows",
                  J(R"({"spreadsheet_id":"1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upms","range":"Calls!A1","values":[["2026-11-27","+4930123456",95,true]]})"),
                  "g");
  REQUIRE(a.ok());
  CHECK(a->find("updates")->get_int("updatedRows") == 1);
  CHECK(h.last().method == "POST");
  CHECK(h.last().url ==
        "https://sheets.googleapis.com/v4/spreadsheets/1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upms/values/Calls%21A1:append"
        "?valueInputOption=USER_ENTERED&insertDataOption=INSERT_ROWS");
  CHECK(header(h.last(), "Authorization") == "Bearer ya29.sheets-token");
  CHECK(json_body(h.last()) == J(R"({"range":"Calls!A1","majorDimension":"ROWS","values":[["2026-11-27","+4930123456",95,true]]})"));

  auto g = h.call("google_sheets.get_values", J(R"({"spreadsheet_id":"1Bxi","range":"Calls!A2:C"})"), "g");
  REQUIRE(g.ok());
  CHECK(g->find("values")->at(0)->at(2)->as_string() == "booked");
  CHECK(h.last().method == "GET");
  CHECK(h.last().url == "https://sheets.googleapis.com/v4/spreadsheets/1Bxi/values/Calls%21A2%3AC");

  REQUIRE(h.call("google_sheets.update_values", J(R"({"spreadsheet_id":"1Bxi","range":"Calls!C2","values":[["called back"]],"value_input_option":"RAW"})"), "g").ok());
  CHECK(h.last().method == "PUT");
  CHECK(h.last().url == "https://sheets.googleapis.com/v4/spreadsheets/1Bxi/values/Calls%21C2?valueInputOption=RAW");
  CHECK(json_body(h.last()) == J(R"({"range":"Calls!C2","majorDimension":"ROWS","values":[["called back"]]})"));
}

TEST_CASE("google_calendar free/busy, insert with attendees and time zone, patch, delete", "[connector]") {
  ConnectorHarness h;
  h.credential("cal", "google_calendar", Value::object({{"access_token", "ya29.cal-token"}}));
  h.answer = [](const HttpRequest& req) {
    if (req.url.ends_with("/freeBusy"))
      return json_response(200, R"({"kind":"calendar#freeBusy","calendars":{"primary":{"busy":[{"start":"2026-11-28T09:00:00Z","end":"2026-11-28T10:00:00Z"}]}}})");
    if (req.method == "DELETE") {
      connectors::HttpResponse r;
      r.status = 204;
      return r;
    }
    return json_response(200, R"({"kind":"calendar#event","id":"7cbh8rpc10lrc0ckih9tafss99","status":"confirmed"})");
  };
  auto fb = h.call("google_calendar.free_busy",
                   J(R"({"time_min":"2026-11-28T08:00:00+01:00","time_max":"2026-11-28T18:00:00+01:00","time_zone":"Europe/Berlin"})"), "cal");
  REQUIRE(fb.ok());
  CHECK(fb->find("primary")->find("busy")->size() == 1);
  CHECK(h.last().url == "https://www.googleapis.com/calendar/v3/freeBusy");
  CHECK(json_body(h.last()) == J(R"({"timeMin":"2026-11-28T08:00:00+01:00","timeMax":"2026-11-28T18:00:00+01:00",
    "timeZone":"Europe/Berlin","items":[{"id":"primary"}]})"));

  auto ev = h.call("google_calendar.create_event",
                   J(R"({"summary":"Consultation","start":"2026-11-28T10:00:00","end":"2026-11-28T10:30:00","time_zone":"Europe/Berlin",
                         "attendees":[{"email":"jane@example.com"}],"description":"Booked by phone"})"), "cal");
  REQUIRE(ev.ok());
  CHECK(ev->get_string("id") == "7cbh8rpc10lrc0ckih9tafss99");
  CHECK(h.last().method == "POST");
  CHECK(h.last().url == "https://www.googleapis.com/calendar/v3/calendars/primary/events?sendUpdates=all");
  CHECK(json_body(h.last()) == J(R"({"summary":"Consultation","description":"Booked by phone",
    "start":{"dateTime":"2026-11-28T10:00:00","timeZone":"Europe/Berlin"},
    "end":{"dateTime":"2026-11-28T10:30:00","timeZone":"Europe/Berlin"},
    "attendees":[{"email":"jane@example.com"}]})"));

  REQUIRE(h.call("google_calendar.update_event",
                 J(R"({"event_id":"7cbh8rpc10lrc0ckih9tafss99","start":{"dateTime":"2026-11-28T11:00:00+01:00"},"end":{"dateTime":"2026-11-28T11:30:00+01:00"},"send_updates":"none"})"), "cal").ok());
  CHECK(h.last().method == "PATCH");
  CHECK(h.last().url == "https://www.googleapis.com/calendar/v3/calendars/primary/events/7cbh8rpc10lrc0ckih9tafss99?sendUpdates=none");
  CHECK(json_body(h.last()) == J(R"({"start":{"dateTime":"2026-11-28T11:00:00+01:00"},"end":{"dateTime":"2026-11-28T11:30:00+01:00"}})"));

  auto del = h.call("google_calendar.cancel_event", J(R"({"event_id":"7cbh8rpc10lrc0ckih9tafss99","calendar_id":"team@acme.com"})"), "cal");
  REQUIRE(del.ok());
  CHECK(h.last().method == "DELETE");
  CHECK(h.last().url == "https://www.googleapis.com/calendar/v3/calendars/team%40acme.com/events/7cbh8rpc10lrc0ckih9tafss99?sendUpdates=all");
  CHECK(h.last().body.empty());
}

TEST_CASE("stripe: form-encoded bodies with nested keys and an Idempotency-Key", "[connector]") {
  ConnectorHarness h;
  h.credential("st", "stripe", Value::object({{"api_key", "sk_test_4eC39HqLyjWDarjtT1zdp7dc"}}));
  h.answer = [](const HttpRequest&) { return json_response(200, R"({"id":"cus_NffrFeUfNV2Hib","object":"customer"})"); };
  auto c = h.call("stripe.create_customer",
                  J(R"({"email":"jane@example.com","name":"Jane Doe","phone":"+4930123456","metadata":{"call_id":"call_123","source":"phone ai"}})"),
                  "st", "run-42:create_customer");
  REQUIRE(c.ok());
  CHECK(c->get_string("id") == "cus_NffrFeUfNV2Hib");
  auto& req = h.last();
  CHECK(req.method == "POST");
  CHECK(req.url == "https://api.stripe.com/v1/customers");
  CHECK(header(req, "Authorization") == "Bearer sk_test_4eC39HqLyjWDarjtT1zdp7dc");
  CHECK(header(req, "Content-Type") == "application/x-www-form-urlencoded");
  CHECK(header(req, "Idempotency-Key") == "run-42:create_customer");
  CHECK(form_body(req) == Pairs{{"email", "jane@example.com"}, {"name", "Jane Doe"}, {"phone", "+4930123456"},
                                {"metadata[call_id]", "call_123"}, {"metadata[source]", "phone ai"}});

  REQUIRE(h.call("stripe.create_payment_link", J(R"({"price":"price_1MoC3TLkdIwHu7ixcIbKelAC","quantity":2})"), "st").ok());
  CHECK(h.last().url == "https://api.stripe.com/v1/payment_links");
  CHECK(form_body(h.last()) == Pairs{{"line_items[0][price]", "price_1MoC3TLkdIwHu7ixcIbKelAC"}, {"line_items[0][quantity]", "2"}});

  REQUIRE(h.call("stripe.create_invoice", J(R"({"customer":"cus_NffrFeUfNV2Hib","description":"Consultation"})"), "st").ok());
  CHECK(form_body(h.last()) == Pairs{{"customer", "cus_NffrFeUfNV2Hib"}, {"collection_method", "send_invoice"},
                                     {"days_until_due", "14"}, {"description", "Consultation"}, {"auto_advance", "true"},
                                     {"pending_invoice_items_behavior", "include"}});

  REQUIRE(h.call("stripe.create_invoice_item", J(R"({"customer":"cus_NffrFeUfNV2Hib","amount":1099,"currency":"eur","description":"Consultation"})"), "st").ok());
  CHECK(h.last().url == "https://api.stripe.com/v1/invoiceitems");
  CHECK(form_body(h.last()) == Pairs{{"customer", "cus_NffrFeUfNV2Hib"}, {"amount", "1099"}, {"currency", "eur"}, {"description", "Consultation"}});

  REQUIRE(h.call("stripe.update_subscription",
                 J(R"({"subscription_id":"sub_1MowQVLkdIwHu7ixeRlqHVzs","items":[{"id":"si_NcLYdDxLHxlFo7","price":"price_2"}],"proration_behavior":"none"})"), "st").ok());
  CHECK(h.last().url == "https://api.stripe.com/v1/subscriptions/sub_1MowQVLkdIwHu7ixeRlqHVzs");
  CHECK(form_body(h.last()) == Pairs{{"items[0][id]", "si_NcLYdDxLHxlFo7"}, {"items[0][price]", "price_2"}, {"proration_behavior", "none"}});
}

TEST_CASE("stripe customer search by email and phone quotes the value", "[connector]") {
  ConnectorHarness h;
  h.credential("st", "stripe", Value::object({{"api_key", "sk_test_4eC39HqLyjWDarjtT1zdp7dc"}}));
  h.answer = [](const HttpRequest&) {
    return json_response(200, R"({"object":"search_result","has_more":false,"data":[{"id":"cus_NffrFeUfNV2Hib","email":"o'brien@example.com"}]})");
  };
  auto r = h.call("stripe.find_customer_by_email", J(R"({"email":"o'brien@example.com"})"), "st");
  REQUIRE(r.ok());
  CHECK(r->at(0)->get_string("id") == "cus_NffrFeUfNV2Hib");
  auto& req = h.last();
  CHECK(req.method == "GET");
  CHECK(header(req, "Idempotency-Key") == "<absent>");
  std::string q = req.url.substr(req.url.find('?') + 1);
  CHECK(req.url.rfind("https://api.stripe.com/v1/customers/search?", 0) == 0);
  CHECK(net::percent_decode(q, true).value() == "query=email:'o\\'brien@example.com'&limit=10");

  REQUIRE(h.call("stripe.find_customer_by_phone", J(R"({"phone":"+4930123456","limit":1})"), "st").ok());
  CHECK(net::percent_decode(h.last().url.substr(h.last().url.find('?') + 1), true).value() ==
        "query=phone:'+4930123456'&limit=1");

  h.answer = [](const HttpRequest&) {
    return json_response(402, R"({"error":{"code":"card_declined","message":"Your card was declined.","type":"card_error"}})");
  };
  auto declined = h.call("stripe.create_customer", J(R"({"email":"jane@example.com"})"), "st");
  REQUIRE_FALSE(declined.ok());
  CHECK(declined.status().message().find("Your card was declined.") != std::string::npos);
  CHECK_FALSE(declined.status().retryable());
}
