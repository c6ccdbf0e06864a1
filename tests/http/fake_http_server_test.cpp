// FakeHttpServer (tests/support): recording, scripted answers, failures first,
// delays, dynamic answers.
#include <catch2/catch.hpp>

#include "support/fake_http_server.hpp"
#include "support/raw_http_client.hpp"

using famulor::test::FakeHttpServer;
using famulor::test::FakeResponse;
using famulor::test::RecordedRequest;

namespace {

std::optional<famulor::test::RawResponse> send(const FakeHttpServer& f, std::string_view request) {
  return famulor::test::roundtrip(f.port(), request);
}

}  // namespace

TEST_CASE("fake server: records requests and answers from its script", "[http]") {
  FakeHttpServer api;
  CHECK(api.url() == "http://127.0.0.1:" + std::to_string(api.port()));
  api.on("POST", "/crm/contacts", FakeResponse::json(201, R"({"id":"42"})").header("X-Request-Id", "abc"));

  auto r = send(api,
                "POST /crm/contacts?upsert=true&email=a%40b.c HTTP/1.1\r\nHost: t\r\n"
                "Authorization: Bearer tok\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n"
                "{\"name\":1}\n");
  REQUIRE(r);
  CHECK(r->status == 201);
  CHECK(r->body == R"({"id":"42"})");
  CHECK(r->header("X-Request-Id") == "abc");
  CHECK(r->header("Content-Type") == "application/json");

  REQUIRE(api.wait_for_requests(1, std::chrono::seconds(30)));
  auto reqs = api.requests();
  REQUIRE(reqs.size() == 1);
  CHECK(reqs[0].method == "POST");
  CHECK(reqs[0].path == "/crm/contacts");
  CHECK(reqs[0].query_param("email") == "a@b.c");
  CHECK(reqs[0].query_param("upsert") == "true");
  CHECK(reqs[0].header("authorization") == "Bearer tok");
  CHECK(reqs[0].body == "{\"name\":1}\n");
  CHECK(api.requests("POST", "/crm/contacts").size() == 1);
  CHECK(api.requests("GET", "/crm/contacts").empty());

  // Unscripted: 404 in the error shape, still recorded.
  auto nf = send(api, "GET /other HTTP/1.1\r\nHost: t\r\n\r\n");
  REQUIRE(nf);
  CHECK(nf->status == 404);
  CHECK(api.request_count() == 2);
  api.set_default(FakeResponse::status_only(204));
  nf = send(api, "GET /other HTTP/1.1\r\nHost: t\r\n\r\n");
  REQUIRE(nf);
  CHECK(nf->status == 204);
}

TEST_CASE("fake server: fail first, sequences, wildcards, dynamic answers, delays", "[http]") {
  FakeHttpServer api;
  api.on("GET", "/flaky", FakeResponse::json(200, "{}"))
      .fail_first(2, FakeResponse::error(503, "unavailable", "try later").header("Retry-After", "1"));
  api.on("GET", "/seq", FakeResponse::text(200, "one")).then(FakeResponse::text(200, "two"));
  api.on("*", "/any/*", FakeResponse::text(200, "wild"));
  api.on("POST", "/echo", [](const RecordedRequest& r) { return FakeResponse::text(200, r.body + "!"); });
  api.on("GET", "/slow", FakeResponse::text(200, "late").after(std::chrono::milliseconds(50)));

  auto get = [&](std::string path) {
    auto r = send(api, "GET " + path + " HTTP/1.1\r\nHost: t\r\n\r\n");
    REQUIRE(r);
    return *r;
  };
  auto f1 = get("/flaky");
  CHECK(f1.status == 503);
  CHECK(f1.header("Retry-After") == "1");
  CHECK(get("/flaky").status == 503);
  CHECK(get("/flaky").status == 200);
  CHECK(get("/flaky").status == 200);

  CHECK(get("/seq").body == "one");
  CHECK(get("/seq").body == "two");
  CHECK(get("/seq").body == "two");  // the last repeats

  CHECK(get("/any/thing/deep").body == "wild");
  auto e = send(api, "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\nhi");
  REQUIRE(e);
  CHECK(e->body == "hi!");
  CHECK(get("/slow").body == "late");

  api.on("GET", "/drop", FakeResponse::drop_connection());
  famulor::test::RawConnection dropped(api.port());
  REQUIRE(dropped.send("GET /drop HTTP/1.1\r\nHost: t\r\n\r\n"));
  CHECK_FALSE(dropped.read_response());
  CHECK(dropped.wait_closed());

  api.reset();
  CHECK(api.request_count() == 0);
  CHECK(get("/seq").status == 404);
}

TEST_CASE("fake server: shuts down with a delayed answer still pending", "[http]") {
  {
    FakeHttpServer api;
    api.on("GET", "/forever", FakeResponse::text(200, "x").after(std::chrono::hours(1)));
    famulor::test::RawConnection conn(api.port());
    REQUIRE(conn.send("GET /forever HTTP/1.1\r\nHost: t\r\n\r\n"));
    REQUIRE(api.wait_for_requests(1, std::chrono::seconds(30)));
  }  // must not wait an hour
  SUCCEED();
}

TEST_CASE("fake server: a held answer goes out on release_held, later ones at once", "[http]") {
  FakeHttpServer api;
  api.on("GET", "/held", FakeResponse::text(200, "released").hold());
  famulor::test::RawConnection conn(api.port());
  REQUIRE(conn.send("GET /held HTTP/1.1\r\nHost: t\r\n\r\n"));
  REQUIRE(api.wait_for_requests(1, std::chrono::seconds(30)));
  auto other = send(api, "GET /nope HTTP/1.1\r\nHost: t\r\n\r\n");  // the server is not blocked meanwhile
  REQUIRE(other);
  CHECK(other->status == 404);
  api.release_held();
  auto r = conn.read_response();
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK(r->body == "released");
  REQUIRE(conn.send("GET /held HTTP/1.1\r\nHost: t\r\n\r\n"));
  auto again = conn.read_response();
  REQUIRE(again);
  CHECK(again->body == "released");
}

TEST_CASE("fake server: shuts down with a held answer still pending", "[http]") {
  {
    FakeHttpServer api;
    api.on("GET", "/held", FakeResponse::text(200, "x").hold());
    famulor::test::RawConnection conn(api.port());
    REQUIRE(conn.send("GET /held HTTP/1.1\r\nHost: t\r\n\r\n"));
    REQUIRE(api.wait_for_requests(1, std::chrono::seconds(30)));
  }
  SUCCEED();
}
