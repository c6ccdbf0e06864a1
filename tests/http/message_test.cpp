// HttpHeaders, HttpRequest/HttpResponse helpers, percent-decoding and query parsing.
#include <catch2/catch.hpp>

#include "famulor/value.hpp"
#include "http/message.hpp"

using namespace famulor::http;

TEST_CASE("message: headers are ordered, repeatable and case-insensitive", "[http]") {
  HttpHeaders h;
  h.add("Content-Type", "application/json");
  h.add("X-Tag", "a");
  h.add("x-tag", "b");
  CHECK(h.get("content-type") == "application/json");
  CHECK(h.get("missing", "fallback") == "fallback");
  CHECK(h.find("missing") == nullptr);
  CHECK(h.get_all("X-TAG") == std::vector<std::string>{"a", "b"});
  h.set("X-Tag", "c");
  CHECK(h.get_all("x-tag") == std::vector<std::string>{"c"});
  CHECK(h.erase("X-TAG") == 1);
  h.add("Connection", "keep-alive, Upgrade");
  CHECK(h.has_token("connection", "upgrade"));
  CHECK_FALSE(h.has_token("connection", "close"));
}

TEST_CASE("message: error shape and JSON bodies", "[http]") {
  auto e = HttpResponse::error(404, "not_found", "no \"run\"\n here");
  CHECK(e.status == 404);
  CHECK(e.headers.get("Content-Type") == "application/json");
  CHECK(e.body == R"({"error":{"code":"not_found","message":"no \"run\"\n here"}})");
  auto parsed = famulor::Value::parse(e.body);
  REQUIRE(parsed.ok());
  CHECK((*parsed)["error"].get_string("message") == "no \"run\"\n here");
  CHECK(HttpResponse::error(413, "too big").body.find(R"("code":"payload_too_large")") != std::string::npos);

  auto j = HttpResponse::json(202, famulor::Value::object({{"run_ids", famulor::Value::array({"r1", "r2"})}}));
  CHECK(j.status == 202);
  CHECK(j.body == R"({"run_ids":["r1","r2"]})");
  CHECK(j.headers.get("content-type") == "application/json");
}

TEST_CASE("message: percent-decoding and query strings", "[http]") {
  std::string out;
  CHECK(percent_decode("a%20b%2Fc", out));
  CHECK(out == "a b/c");
  CHECK(percent_decode("a+b", out));
  CHECK(out == "a+b");
  CHECK(percent_decode("a+b", out, true));
  CHECK(out == "a b");
  CHECK_FALSE(percent_decode("%", out));
  CHECK_FALSE(percent_decode("%4", out));
  CHECK_FALSE(percent_decode("%zz", out));
  auto q = parse_query("a=1&b=x%20y&a=2&flag&&c=%zz&d=");
  REQUIRE(q.size() == 6);
  CHECK(q[0] == std::pair<std::string, std::string>{"a", "1"});
  CHECK(q[1].second == "x y");
  CHECK(q[2] == std::pair<std::string, std::string>{"a", "2"});
  CHECK(q[3] == std::pair<std::string, std::string>{"flag", ""});
  CHECK(q[4].second == "%zz");  // malformed escapes are kept as sent
  CHECK(q[5] == std::pair<std::string, std::string>{"d", ""});
  CHECK(reason_phrase(431) == "Request Header Fields Too Large");
}
