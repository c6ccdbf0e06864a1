// RequestParser: requests in one piece and byte by byte, every limit and its
// status, and a deterministic mutation test (arbitrary bytes never crash it and
// the result does not depend on how the bytes are split).
#include <catch2/catch.hpp>

#include <random>

#include "http/parser.hpp"

using famulor::http::HttpRequest;
using famulor::http::ParserLimits;
using famulor::http::RequestParser;

namespace {

// Feeds all of data (in pieces of `step` bytes, 0 = at once) and returns the
// bytes consumed.
std::size_t feed_all(RequestParser& p, std::string_view data, std::size_t step = 0) {
  std::size_t used = 0;
  while (used < data.size() && !p.complete() && !p.failed()) {
    std::size_t n = step == 0 ? data.size() - used : std::min(step, data.size() - used);
    std::size_t k = p.feed(data.substr(used, n));
    REQUIRE(k <= n);
    used += k;
    if (k < n) break;
  }
  return used;
}

int status_of(std::string_view data, ParserLimits limits = {}) {
  RequestParser p(limits);
  feed_all(p, data);
  return p.failed() ? p.error_status() : (p.complete() ? 200 : 0);
}

}  // namespace

TEST_CASE("parser: a GET with query, headers and percent-encoded path", "[http]") {
  for (std::size_t step : {0, 1, 3}) {
    RequestParser p;
    std::string req =
        "GET /v1/runs/a%20b?limit=10&status=fail+ed&x=%41 HTTP/1.1\r\nHost: localhost\r\n"
        "X-Multi: one\r\nx-multi: two\r\nAccept:  */*  \r\n\r\n";
    CHECK(feed_all(p, req, step) == req.size());
    REQUIRE(p.complete());
    CHECK(p.keep_alive());
    HttpRequest r = p.take_request();
    CHECK(r.method == "GET");
    CHECK(r.target == "/v1/runs/a%20b?limit=10&status=fail+ed&x=%41");
    CHECK(r.path == "/v1/runs/a b");
    CHECK(r.query == "limit=10&status=fail+ed&x=%41");
    CHECK(r.query_param("limit") == "10");
    CHECK(r.query_param("status") == "fail ed");
    CHECK(r.query_param("x") == "A");
    CHECK(r.header("ACCEPT") == "*/*");
    CHECK(r.headers.get_all("X-MULTI") == std::vector<std::string>{"one", "two"});
    CHECK(r.body.empty());
  }
}

TEST_CASE("parser: Content-Length body, and the next pipelined request is left over", "[http]") {
  std::string two =
      "POST /a HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello"
      "GET /b HTTP/1.1\r\nHost: h\r\n\r\n";
  RequestParser p;
  std::size_t used = p.feed(two);
  REQUIRE(p.complete());
  CHECK(p.take_request().body == "hello");
  CHECK(two.substr(used).rfind("GET /b", 0) == 0);
  p.reset();
  CHECK(p.feed(std::string_view(two).substr(used)) == two.size() - used);
  REQUIRE(p.complete());
  CHECK(p.request().path == "/b");
}

TEST_CASE("parser: chunked body with extensions and trailers", "[http]") {
  std::string req =
      "POST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5;ext=1\r\nhello\r\n"
      "7\r\n, world\r\n"
      "0\r\nX-Trailer: t\r\n\r\n";
  for (std::size_t step : {0, 1, 2, 7}) {
    RequestParser p;
    CHECK(feed_all(p, req, step) == req.size());
    REQUIRE(p.complete());
    CHECK(p.request().body == "hello, world");
    CHECK_FALSE(p.request().headers.has("X-Trailer"));  // trailers are dropped
  }
}

TEST_CASE("parser: keep-alive follows the version and the Connection header", "[http]") {
  auto keep = [](std::string_view head) {
    RequestParser p;
    p.feed(head);
    REQUIRE(p.complete());
    return p.keep_alive();
  };
  CHECK(keep("GET / HTTP/1.1\r\nHost: h\r\n\r\n"));
  CHECK_FALSE(keep("GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"));
  CHECK_FALSE(keep("GET / HTTP/1.0\r\n\r\n"));
  CHECK(keep("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n"));
  CHECK_FALSE(keep("GET / HTTP/1.1\r\nHost: h\r\nConnection: foo, close\r\n\r\n"));
}

TEST_CASE("parser: Expect: 100-continue is reported while the body is pending", "[http]") {
  RequestParser p;
  p.feed("POST / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n");
  CHECK(p.head_complete());
  CHECK(p.expects_continue());
  p.feed("abc");
  CHECK(p.complete());
  CHECK_FALSE(p.expects_continue());
  CHECK(status_of("POST / HTTP/1.1\r\nHost: h\r\nExpect: something-else\r\nContent-Length: 1\r\n\r\nx") == 417);
}

TEST_CASE("parser: limits answer 431 and 413", "[http]") {
  ParserLimits limits;
  limits.max_request_line = 64;
  limits.max_header_bytes = 256;
  limits.max_headers = 4;
  limits.max_body = 10;

  CHECK(status_of("GET /" + std::string(100, 'a') + " HTTP/1.1\r\nHost: h\r\n\r\n", limits) == 431);
  // Over the limit is detected before the line ends.
  CHECK(status_of("GET /" + std::string(100, 'a'), limits) == 431);
  CHECK(status_of("GET / HTTP/1.1\r\nHost: h\r\nX-Big: " + std::string(300, 'b') + "\r\n\r\n", limits) == 431);
  std::string many = "GET / HTTP/1.1\r\nHost: h\r\n";
  for (int i = 0; i < 5; ++i) many += "X-" + std::to_string(i) + ": v\r\n";
  CHECK(status_of(many + "\r\n", limits) == 431);
  // The body limit is checked against Content-Length before any body byte.
  CHECK(status_of("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\n", limits) == 413);
  CHECK(status_of("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 99999999999999999999999\r\n\r\n", limits) == 413);
  CHECK(status_of("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\n0123456789", limits) == 200);
  // Chunked bodies are counted as they arrive.
  CHECK(status_of("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nabcdef\r\n5\r\nghijk\r\n0\r\n\r\n",
                  limits) == 413);
  CHECK(status_of("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffffff\r\n", limits) == 413);
}

TEST_CASE("parser: malformed requests answer 400, unsupported ones 501 and 505", "[http]") {
  const char* bad[] = {
      "GET\r\n\r\n",
      "GET /\r\n\r\n",
      "GET  / HTTP/1.1\r\nHost: h\r\n\r\n",
      "GET / HTTP/1.1 extra\r\nHost: h\r\n\r\n",
      "G(T / HTTP/1.1\r\nHost: h\r\n\r\n",
      "GET / HTTX/1.1\r\nHost: h\r\n\r\n",
      "GET relative HTTP/1.1\r\nHost: h\r\n\r\n",
      "GET /a%zz HTTP/1.1\r\nHost: h\r\n\r\n",
      "GET /a%00 HTTP/1.1\r\nHost: h\r\n\r\n",
      "GET /a#frag HTTP/1.1\r\nHost: h\r\n\r\n",
      "GET / HTTP/1.1\r\n\r\n",                                 // no Host
      "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",           // two Hosts
      "GET / HTTP/1.1\r\nHost: h\r\nBad Name: v\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: h\r\nName : v\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: h\r\nNoColon\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: h\r\nX: a\r\n folded\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: h\r\nX: a\rb\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: h\r\nX: a\x01\r\n\r\n",
      "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1x\r\n\r\n",
      "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: -1\r\n\r\n",
      "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
      "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
      "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n",
      "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
      "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n",
  };
  for (const char* b : bad) {
    INFO(b);
    CHECK(status_of(b) == 400);
  }
  CHECK(status_of("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\n\r\n") == 501);
  CHECK(status_of("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n") == 501);
  CHECK(status_of("GET / HTTP/2.0\r\nHost: h\r\n\r\n") == 505);
  // Same Content-Length twice is fine; so are blank lines before the request and bare LF.
  CHECK(status_of("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1, 1\r\n\r\nx") == 200);
  CHECK(status_of("\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n") == 200);
  CHECK(status_of("GET / HTTP/1.1\nHost: h\n\n") == 200);
  CHECK(status_of("OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n") == 200);
  RequestParser abs;
  abs.feed("GET http://example.com/x/y?q=1 HTTP/1.1\r\nHost: example.com\r\n\r\n");
  REQUIRE(abs.complete());
  CHECK(abs.request().path == "/x/y");
  CHECK(abs.request().query_param("q") == "1");
}

namespace {

struct Outcome {
  RequestParser::State state;
  int status;
  std::size_t used;
  std::string method, target, path, body;
  std::size_t headers;
  bool keep_alive;
  bool operator==(const Outcome&) const = default;
};

Outcome run(std::string_view data, const ParserLimits& limits, std::mt19937& rng, bool random_split) {
  RequestParser p(limits);
  std::size_t used = 0;
  while (used < data.size() && !p.complete() && !p.failed()) {
    std::size_t n = data.size() - used;
    if (random_split) n = std::min<std::size_t>(n, 1 + rng() % 16);
    std::size_t k = p.feed(data.substr(used, n));
    REQUIRE(k <= n);
    used += k;
    if (k < n) break;
  }
  // Invariants whatever the input.
  if (p.failed()) {
    int s = p.error_status();
    CHECK((s == 400 || s == 413 || s == 417 || s == 431 || s == 501 || s == 505));
    CHECK_FALSE(p.keep_alive());
    CHECK(p.feed("more") == 0);
  }
  const HttpRequest& r = p.request();
  CHECK(r.body.size() <= limits.max_body);
  CHECK(r.headers.size() <= limits.max_headers);
  if (p.complete()) CHECK(!r.method.empty());
  // How much of a failing input was consumed depends on the split; the rest does not.
  return {p.state(), p.error_status(), p.failed() ? 0 : used, r.method, r.target, r.path, r.body, r.headers.size(), p.keep_alive()};
}

}  // namespace

TEST_CASE("parser: mutated requests never crash and do not depend on how bytes are split", "[http][fuzz]") {
  const std::vector<std::string> corpus = {
      "GET /v1/runs?limit=5&cursor=abc HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer x\r\n\r\n",
      "POST /v1/hooks/a/b HTTP/1.1\r\nHost: h\r\nContent-Type: application/json\r\nContent-Length: 13\r\n\r\n{\"a\":[1,2,3]}",
      "POST /v1/calls/ended HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nWiki\r\n5;x=y\r\npedia\r\n0\r\nT: v\r\n\r\n",
      "PUT /v1/workflows/w%2F1 HTTP/1.0\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\n{}",
      "POST /x HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\nbody",
      "\r\nOPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n",
  };
  ParserLimits limits;
  limits.max_request_line = 128;
  limits.max_header_bytes = 512;
  limits.max_headers = 8;
  limits.max_body = 64;

  std::mt19937 rng(20261127);  // fixed seed: the same cases on every run
  using namespace std::string_literals;
  const std::string specials = "\r\n :;%?#/0123456789abcdefABCDEF\t\x00\x7f\xff,="s;
  for (int iter = 0; iter < 20000; ++iter) {
    std::string s = corpus[rng() % corpus.size()];
    int mutations = 1 + static_cast<int>(rng() % 4);
    for (int m = 0; m < mutations; ++m) {
      std::size_t pos = s.empty() ? 0 : rng() % (s.size() + 1);
      switch (rng() % 8) {
        case 0:  // flip a byte
          if (pos < s.size()) s[pos] = static_cast<char>(rng() & 0xff);
          break;
        case 1:  // insert a special byte
          s.insert(pos, 1, specials[rng() % specials.size()]);
          break;
        case 2:  // delete a range
          if (pos < s.size()) s.erase(pos, 1 + rng() % 8);
          break;
        case 3:  // duplicate a range
          if (pos < s.size()) s.insert(pos, s.substr(pos, 1 + rng() % 32));
          break;
        case 4:  // truncate
          s.resize(pos);
          break;
        case 5:  // splice with another corpus entry
          s = s.substr(0, pos) + corpus[rng() % corpus.size()].substr(rng() % 20);
          break;
        case 6:  // a long run (limits)
          s.insert(pos, std::string(1 + rng() % 600, static_cast<char>("a:\r\n 9"[rng() % 6])));
          break;
        case 7:  // an extra header line
          s.insert(pos, "X-" + std::to_string(rng() % 100) + ": v\r\n");
          break;
      }
    }
    INFO("iteration " << iter);
    Outcome whole = run(s, limits, rng, false);
    Outcome split = run(s, limits, rng, true);
    CHECK(whole == split);
  }
}
