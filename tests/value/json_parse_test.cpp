// Parsing JSON: value kinds, exact number round trip, errors with positions, limits,
// duplicate keys.
#include <catch2/catch.hpp>

#include <string>

#include "famulor/value.hpp"

using Catch::Matchers::Contains;
using famulor::ParseOptions;
using famulor::StatusCode;
using famulor::Value;

namespace {

Value parse_ok(std::string_view json, const ParseOptions& options = {}) {
  auto r = Value::parse(json, options);
  INFO(json);
  INFO(r.status().to_string());
  REQUIRE(r.ok());
  return std::move(r).value();
}

std::string parse_error(std::string_view json, const ParseOptions& options = {}) {
  auto r = Value::parse(json, options);
  INFO(json);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == StatusCode::invalid_argument);
  return r.status().message();
}

}  // namespace

TEST_CASE("parses every kind of value", "[value]") {
  Value v = parse_ok(R"( {"n":null,"t":true,"f":false,"i":-12,"d":2.5,"s":"x","a":[1,[]],"o":{"k":{}}} )");
  CHECK(v.find("n")->is_null());
  CHECK(v.find("t")->as_bool());
  CHECK_FALSE(v.find("f")->as_bool());
  CHECK(v.find("i")->as_int() == -12);
  CHECK(v.find("d")->as_double() == 2.5);
  CHECK(v.find("s")->as_string() == "x");
  CHECK(v.find("a")->size() == 2);
  CHECK(v.find("o")->find("k")->is_object());
  CHECK(parse_ok("7").as_int() == 7);
  CHECK(parse_ok(" \"str\" ").as_string() == "str");
  CHECK(parse_ok("null").is_null());
  CHECK(parse_ok("\ttrue\n").as_bool());
  CHECK(parse_ok("[]").size() == 0);
}

TEST_CASE("numbers: int, double or exact text", "[value]") {
  CHECK(parse_ok("0").is_int());
  CHECK(parse_ok("-9223372036854775808").as_int() == INT64_MIN);
  CHECK(parse_ok("9223372036854775807").as_int() == INT64_MAX);
  // 2^63 is a double whose shortest form is exactly this text.
  CHECK(parse_ok("9223372036854775808").as_number_text() == nullptr);
  CHECK(parse_ok("12345678901234567890").as_number_text()->text == "12345678901234567890");
  CHECK(parse_ok("0.1").type() == Value::Type::number);
  CHECK(parse_ok("0.1").as_number_text() == nullptr);
  CHECK(parse_ok("5e-324").as_number_text() == nullptr);
  CHECK(parse_ok("-0").as_number_text() == nullptr);
  CHECK(std::signbit(parse_ok("-0").as_double()));
  CHECK(parse_ok("1.10").as_number_text()->text == "1.10");
  CHECK(parse_ok("1e5").as_number_text()->text == "1e5");
  CHECK(parse_ok("1E400").as_number_text()->text == "1E400");
  CHECK(parse_ok("1e5") == Value(100000));
}

TEST_CASE("round trip of a corpus is byte-exact", "[value]") {
  const char* corpus[] = {
      "0", "-0", "-0.0", "-9223372036854775808", "9223372036854775807", "18446744073709551616", "1.10", "1e5", "1E400",
      "0.1", "5e-324", "1.7976931348623157e+308", "123456789012345678901234567890.000000000000000001", "-1e-7",
      "[0,-0,-0.0,1.10,1e5,1E400]", R"("\"\\\/\b\f\n\r\t")", R"("\u0000\u001f")", "\"\xf0\x9f\x98\x80 h\xc3\xa9\"",
      R"("\ud83d\ude00")", R"({"a":[1,2,{"b":null}],"c":"d"})", "[]", "{}", "[[[]]]", "true", "false", "null",
  };
  for (const char* json : corpus) {
    Value v = parse_ok(json);
    Value again = parse_ok(v.dump());
    INFO(json);
    CHECK(again == v);
    CHECK(again.dump() == v.dump());
  }
  // Numbers and plain documents come back verbatim.
  for (const char* json : {"0", "-0", "-0.0", "-9223372036854775808", "9223372036854775807", "18446744073709551616", "1.10",
                           "1e5", "1E400", "0.1", "5e-324", "[0,-0,-0.0,1.10,1e5,1E400]",
                           R"({"a":[1,2,{"b":null}],"c":"d"})"}) {
    CHECK(parse_ok(json).dump() == json);
  }
}

TEST_CASE("string escapes are decoded", "[value]") {
  CHECK(parse_ok(R"("\"\\\/\b\f\n\r\t")").as_string() == "\"\\/\b\f\n\r\t");
  CHECK(parse_ok(R"("\u0000")").as_string() == std::string("\0", 1));
  CHECK(parse_ok(R"("\u00e9\u20ac")").as_string() == "\xc3\xa9\xe2\x82\xac");
  CHECK(parse_ok(R"("\ud83d\ude00")").as_string() == "\xf0\x9f\x98\x80");
  CHECK(parse_ok("\"\xf0\x9f\x98\x80\"").as_string() == "\xf0\x9f\x98\x80");
  // Escapes are written back in the canonical form.
  CHECK(parse_ok(R"("\u0041\/\u00e9")").dump() == "\"A/\xc3\xa9\"");
}

TEST_CASE("syntax errors name line and column", "[value]") {
  CHECK_THAT(parse_error(""), Contains("line 1, column 1 (offset 0)") && Contains("empty"));
  CHECK_THAT(parse_error("   \n  "), Contains("line 2, column 3 (offset 6)"));
  CHECK_THAT(parse_error("{\n  \"a\": 1,\n  \"b\" 2\n}"), Contains("line 3, column 7 (offset 18)") && Contains("':'"));
  CHECK_THAT(parse_error("[1, 2,]"), Contains("line 1, column 7 (offset 6)") && Contains("expected a value"));
  CHECK_THAT(parse_error("[1 2]"), Contains("line 1, column 4 (offset 3)") && Contains("expected ','"));
  CHECK_THAT(parse_error("{\"a\":1,}"), Contains("column 8") && Contains("key"));
  CHECK_THAT(parse_error("[1] x"), Contains("line 1, column 5 (offset 4)") && Contains("trailing"));
  CHECK_THAT(parse_error("1 2"), Contains("line 1, column 3 (offset 2)") && Contains("trailing"));
  CHECK_THAT(parse_error("\"a\" \"b\""), Contains("column 5") && Contains("trailing"));
  CHECK_THAT(parse_error("[tru]"), Contains("column 2") && Contains("literal"));
  CHECK_THAT(parse_error("[truex]"), Contains("column 6"));
  CHECK_THAT(parse_error("[01]"), Contains("column 2") && Contains("leading zeros"));
  CHECK_THAT(parse_error("[1.]"), Contains("column 4") && Contains("number"));
  CHECK_THAT(parse_error("-"), Contains("column 2") && Contains("number"));
  CHECK_THAT(parse_error("[+1]"), Contains("column 2"));
  CHECK_THAT(parse_error("[1,\n\"abc"), Contains("line 2, column 1") && Contains("unterminated"));
  CHECK_THAT(parse_error("{\"a\":[1,2}"), Contains("column 10") && Contains("']'"));
  CHECK_THAT(parse_error("[\"a\tb\"]"), Contains("column 4") && Contains("control character"));
  CHECK_THAT(parse_error(R"(["\x"])"), Contains("column 3") && Contains("escape"));
  CHECK_THAT(parse_error(R"(["\u12"])"), Contains("column 3") && Contains("\\u"));
  CHECK_THAT(parse_error("[nul"), Contains("column 2"));
  CHECK_THAT(parse_error("{"), Contains("column 2") && Contains("end of input"));
  CHECK_THAT(parse_error("'a'"), Contains("column 1") && Contains("'''"));
  CHECK_THAT(parse_error("\xEF\xBB\xBF{}"), Contains("column 1") && Contains("byte order mark"));
  CHECK_THAT(parse_error("{\"a\" : 1 , 2}"), Contains("column 12") && Contains("key"));
  CHECK_THAT(parse_error("[1}"), Contains("column 3") && Contains("']'"));
  CHECK_THAT(parse_error("{\"a\":1]"), Contains("column 7") && Contains("'}'"));
  CHECK_THAT(parse_error("[1e]"), Contains("column 4") && Contains("number"));
  CHECK_THAT(parse_error("[-a]"), Contains("column 3") && Contains("number"));
  CHECK_THAT(parse_error("[NaN]"), Contains("column 2"));
  CHECK_THAT(parse_error("[Infinity]"), Contains("column 2"));
}

TEST_CASE("lines end at LF, CRLF and CR", "[value]") {
  CHECK_THAT(parse_error("[\r\n1,\r\n]"), Contains("line 3, column 1"));
  CHECK_THAT(parse_error("[\r1,\r]"), Contains("line 3, column 1"));
}

TEST_CASE("invalid UTF-8 is an error, inside strings too", "[value]") {
  CHECK_THAT(parse_error("[\"ok\", \"b\xff\"]"), Contains("line 1, column 10 (offset 9)") && Contains("UTF-8"));
  CHECK_THAT(parse_error("\n\xc3"), Contains("line 2, column 1") && Contains("UTF-8"));
  CHECK_THAT(parse_error("\"\xc0\xaf\""), Contains("column 2") && Contains("UTF-8"));        // overlong
  CHECK_THAT(parse_error("\"\xed\xa0\x80\""), Contains("column 2") && Contains("UTF-8"));    // encoded surrogate
  CHECK_THAT(parse_error("{\"k\xe2\x82\":1}"), Contains("column 4") && Contains("UTF-8"));   // truncated, in a key
}

TEST_CASE("lone surrogates in u-escapes are errors", "[value]") {
  CHECK_THAT(parse_error(R"(["\ud83d"])"), Contains("column 3") && Contains("surrogate"));
  CHECK_THAT(parse_error(R"(["ab\ude00"])"), Contains("column 5") && Contains("surrogate"));
  CHECK_THAT(parse_error(R"(["\ud83d\u0041"])"), Contains("column 3") && Contains("surrogate"));
  CHECK_THAT(parse_error(R"({"\udc00":1})"), Contains("column 3") && Contains("surrogate"));
  CHECK_THAT(parse_error(R"("\ud83dx")"), Contains("column 2") && Contains("surrogate"));
}

TEST_CASE("nesting deeper than max_depth is refused", "[value]") {
  auto nested = [](std::size_t n) { return std::string(n, '[') + std::string(n, ']'); };
  CHECK(parse_ok(nested(256)).is_array());
  CHECK_THAT(parse_error(nested(257)), Contains("column 257 (offset 256)") && Contains("max_depth 256"));
  ParseOptions shallow;
  shallow.max_depth = 2;
  CHECK(parse_ok(R"({"a":[1]})", shallow).is_object());
  CHECK_THAT(parse_error(R"({"a":[{}]})", shallow), Contains("column 7") && Contains("max_depth 2"));
  ParseOptions none;
  none.max_depth = 0;
  CHECK(parse_ok("1", none).as_int() == 1);
  CHECK_THAT(parse_error(" []", none), Contains("column 2") && Contains("max_depth 0"));
  CHECK_THAT(parse_error(nested(100000)), Contains("max_depth"));
}

TEST_CASE("documents over max_bytes are refused", "[value]") {
  ParseOptions small;
  small.max_bytes = 8;
  CHECK(parse_ok("[1,2,3]", small).size() == 3);
  CHECK_THAT(parse_error("[1,2,3,4]", small), Contains("max_bytes"));
}

TEST_CASE("duplicate keys: last wins by default, or an error", "[value]") {
  Value v = parse_ok(R"({"a":1,"b":2,"a":3})");
  CHECK(v.size() == 2);
  CHECK(v.dump() == R"({"a":3,"b":2})");

  ParseOptions strict;
  strict.reject_duplicate_keys = true;
  CHECK(parse_ok(R"({"a":1,"b":{"a":2}})", strict).size() == 2);
  CHECK_THAT(parse_error("{\"a\":1,\n \"b\":2,\n \"a\":3}", strict),
             Contains("line 3, column 2 (offset 17)") && Contains("duplicate key \"a\"") && Contains("first at line 1, column 2"));

  // Large objects take the indexed path.
  std::string big = "{";
  for (int i = 0; i < 40; ++i) big += "\"k" + std::to_string(i) + "\":" + std::to_string(i) + ",";
  big += "\"k7\":\"last\"}";
  Value b = parse_ok(big);
  CHECK(b.size() == 40);
  CHECK(b.find("k7")->as_string() == "last");
  CHECK_THAT(parse_error(big, strict), Contains("duplicate key \"k7\""));
}
