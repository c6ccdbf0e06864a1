// URL building: percent-encoding, path templates, joining, query strings.
#include <catch2/catch.hpp>

#include <map>

#include "net/url.hpp"

using namespace famulor::net;

TEST_CASE("percent-encoding keeps only unreserved characters", "[client][url]") {
  CHECK(percent_encode("abcXYZ019-._~") == "abcXYZ019-._~");
  CHECK(percent_encode("a b/c?d&e=f#g%") == "a%20b%2Fc%3Fd%26e%3Df%23g%25");
  CHECK(percent_encode("+49 30 123") == "%2B49%2030%20123");
  CHECK(percent_encode("Müller") == "M%C3%BCller");
  CHECK(percent_encode("") == "");
}

TEST_CASE("form components use + for spaces and may keep brackets", "[client][url]") {
  CHECK(form_encode_component("a b+c") == "a+b%2Bc");
  CHECK(form_encode_component("metadata[order]") == "metadata%5Border%5D");
  CHECK(form_encode_component("metadata[order]", true) == "metadata[order]");
}

TEST_CASE("percent-decoding", "[client][url]") {
  CHECK(percent_decode("a%20b%2Fc").value() == "a b/c");
  CHECK(percent_decode("a+b", true).value() == "a b");
  CHECK(percent_decode("a+b").value() == "a+b");
  CHECK(percent_decode("M%C3%BCller").value() == "Müller");
  CHECK_FALSE(percent_decode("bad%2").ok());
  CHECK_FALSE(percent_decode("bad%zz").ok());
  CHECK_FALSE(percent_decode("%").ok());
}

TEST_CASE("path templates substitute encoded parameters", "[client][url]") {
  std::map<std::string, std::string, std::less<>> params{{"id", "42"}, {"email", "a/b@x.com"}, {"q", "x y"}};
  auto lookup = [&](std::string_view name) -> std::optional<std::string> {
    auto it = params.find(name);
    if (it == params.end()) return std::nullopt;
    return it->second;
  };
  CHECK(expand_path("/contacts/{id}", lookup).value() == "/contacts/42");
  CHECK(expand_path("/contacts/{email}/notes", lookup).value() == "/contacts/a%2Fb%40x.com/notes");
  CHECK(expand_path("/search/{q}/{id}", lookup).value() == "/search/x%20y/42");
  CHECK(expand_path("/literal/{{braces}}", lookup).value() == "/literal/{braces}");
  CHECK(expand_path("/plain", lookup).value() == "/plain");

  auto missing = expand_path("/contacts/{nope}", lookup);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().code() == famulor::StatusCode::invalid_argument);
  CHECK(missing.status().message().find("nope") != std::string::npos);
  CHECK_FALSE(expand_path("/contacts/{id", lookup).ok());
}

TEST_CASE("joining a base URL and a path", "[client][url]") {
  CHECK(join_url("https://api.hubspot.com", "/crm/v3/objects") == "https://api.hubspot.com/crm/v3/objects");
  CHECK(join_url("https://api.hubspot.com/", "/crm") == "https://api.hubspot.com/crm");
  CHECK(join_url("https://api.x.com/v3", "contacts") == "https://api.x.com/v3/contacts");
  CHECK(join_url("https://api.x.com/v3/", "contacts") == "https://api.x.com/v3/contacts");
  CHECK(join_url("http://127.0.0.1:4010", "/v1") == "http://127.0.0.1:4010/v1");
  CHECK(join_url("https://api.x.com", "") == "https://api.x.com");
  CHECK(join_url("https://api.x.com/v1", "?page=2") == "https://api.x.com/v1?page=2");
  CHECK(join_url("https://api.x.com", "https://other.example/y") == "https://other.example/y");
  CHECK(join_url("https://api.x.com", "HTTP://other.example/y") == "HTTP://other.example/y");
}

TEST_CASE("query parameters are appended, encoded, before a fragment", "[client][url]") {
  CHECK(append_query("https://x.io/a", {{"q", "a b"}, {"n", "1"}}) == "https://x.io/a?q=a%20b&n=1");
  CHECK(append_query("https://x.io/a?x=1", {{"y", "&"}}) == "https://x.io/a?x=1&y=%26");
  CHECK(append_query("https://x.io/a?", {{"y", "2"}}) == "https://x.io/a?y=2");
  CHECK(append_query("https://x.io/a#top", {{"y", "2"}}) == "https://x.io/a?y=2#top");
  CHECK(append_query("https://x.io/a", {}) == "https://x.io/a");
  CHECK(append_query("https://x.io/a", {{"filter[status]", "open"}}) == "https://x.io/a?filter%5Bstatus%5D=open");
}

// ---- from Values ----

#include "famulor/value.hpp"

using famulor::Value;

TEST_CASE("form bodies from objects, Stripe-style nesting", "[client][url]") {
  Value v = Value::object({{"amount", 2000},
                           {"currency", "eur"},
                           {"description", "Call & follow-up"},
                           {"metadata", Value::object({{"call_id", "c 1"}, {"vip", true}})},
                           {"items", Value::array({Value::object({{"price", "p_1"}, {"quantity", 2}}),
                                                   Value::object({{"price", "p_2"}})})},
                           {"expand", Value::array({"customer"})},
                           {"coupon", nullptr},
                           {"ratio", 0.5}});
  auto body = form_encode(v);
  REQUIRE(body.ok());
  CHECK(*body ==
        "amount=2000&currency=eur&description=Call+%26+follow-up&metadata[call_id]=c+1&metadata[vip]=true"
        "&items[0][price]=p_1&items[0][quantity]=2&items[1][price]=p_2&expand[0]=customer&coupon=&ratio=0.5");
  CHECK(form_encode(Value::object()).value().empty());
  CHECK(form_encode(Value()).value().empty());
  CHECK_FALSE(form_encode(Value("text")).ok());
  // Keys are encoded too, brackets kept.
  CHECK(form_encode(Value::object({{"a b[c]", "d=e"}})).value() == "a+b[c]=d%3De");
}

TEST_CASE("query parameters from objects repeat array keys", "[client][url]") {
  Value q = Value::object({{"ids", Value::array({1, 2})}, {"filter", Value::object({{"status", "open"}})}, {"q", "x"}});
  auto pairs = flatten_params(q, ArrayStyle::repeat);
  REQUIRE(pairs.ok());
  CHECK(append_query("https://x.io/s", *pairs) == "https://x.io/s?ids=1&ids=2&filter%5Bstatus%5D=open&q=x");
}

TEST_CASE("path parameters looked up in an object", "[client][url]") {
  Value p = Value::object({{"id", 42}, {"email", "a@b.c"}, {"flag", false}, {"obj", Value::object()}});
  auto lookup = lookup_in(p);
  CHECK(expand_path("/c/{id}/{email}/{flag}", lookup).value() == "/c/42/a%40b.c/false");
  CHECK_FALSE(expand_path("/c/{obj}", lookup).ok());
  CHECK_FALSE(expand_path("/c/{missing}", lookup).ok());
}
