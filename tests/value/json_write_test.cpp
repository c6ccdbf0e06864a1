// Writing JSON: escaping, numbers, pretty layout.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <string>
#include <utility>

#include "famulor/value.hpp"

using famulor::NumberText;
using famulor::Value;

TEST_CASE("strings are escaped per RFC 8259", "[value]") {
  CHECK(Value("a\"b\\c").dump() == R"("a\"b\\c")");
  CHECK(Value("\b\f\n\r\t").dump() == R"("\b\f\n\r\t")");
  CHECK(Value(std::string("\x01\x1f\x00", 3)).dump() == R"("\u0001\u001f\u0000")");
  CHECK(Value("/ \x7f").dump() == "\"/ \x7f\"");
  CHECK(Value("h\xc3\xa9 \xf0\x9f\x98\x80").dump() == "\"h\xc3\xa9 \xf0\x9f\x98\x80\"");
  // Invalid UTF-8 in a Value is written as U+FFFD so the output is always valid JSON.
  CHECK(Value("a\xff" "b").dump() == R"("a\ufffdb")");
}

TEST_CASE("long strings are escaped at every position", "[value]") {
  // The writer skips plain text a word at a time: put each special byte at each
  // offset of a long plain text and check the escape lands where it belongs.
  const std::pair<std::string, std::string> specials[] = {
      {"\"", "\\\""}, {"\\", "\\\\"}, {"\n", "\\n"}, {std::string(1, '\0'), "\\u0000"},
      {"\x1f", "\\u001f"}, {"\xc3\xa9", "\xc3\xa9"}, {"\xff", "\\ufffd"}, {" ", " "}, {"\x7f", "\x7f"}};
  for (const auto& [raw, escaped] : specials) {
    for (std::size_t at = 0; at < 40; ++at) {
      std::string text, want = "\"";
      text.append(at, 'x').append(raw).append(39 - at, 'x');
      want.append(at, 'x').append(escaped).append(39 - at, 'x').append("\"");
      INFO("byte " << static_cast<int>(static_cast<unsigned char>(raw[0])) << " at " << at);
      CHECK(Value(text).dump() == want);
    }
  }
}

TEST_CASE("numbers are written exactly", "[value]") {
  CHECK(Value(0).dump() == "0");
  CHECK(Value(std::numeric_limits<long long>::min()).dump() == "-9223372036854775808");
  CHECK(Value(0.1).dump() == "0.1");
  CHECK(Value(1.0).dump() == "1");
  CHECK(Value(-0.0).dump() == "-0");
  CHECK(Value(1e300).dump() == "1e+300");
  CHECK(Value(NumberText{"1.10"}).dump() == "1.10");
  CHECK(Value(std::nan("")).dump() == "null");
  CHECK(Value(std::numeric_limits<double>::infinity()).dump() == "null");
  CHECK(Value(-std::numeric_limits<double>::infinity()).dump() == "null");
}

TEST_CASE("compact output", "[value]") {
  Value v = Value::object({{"a", Value::array({1, true, Value()})}, {"b", Value::object()}, {"c", Value::array()}});
  CHECK(v.dump() == R"({"a":[1,true,null],"b":{},"c":[]})");
  std::string out = "prefix:";
  v.dump_to(out);
  CHECK(out == R"(prefix:{"a":[1,true,null],"b":{},"c":[]})");
}

TEST_CASE("pretty output", "[value]") {
  Value v = Value::object({{"name", "x"}, {"list", Value::array({1, Value::object({{"k", false}})})}, {"empty", Value::array()},
                           {"none", Value::object()}});
  CHECK(v.pretty() ==
        "{\n"
        "  \"name\": \"x\",\n"
        "  \"list\": [\n"
        "    1,\n"
        "    {\n"
        "      \"k\": false\n"
        "    }\n"
        "  ],\n"
        "  \"empty\": [],\n"
        "  \"none\": {}\n"
        "}");
  CHECK(Value::array({1, 2}).pretty(4) == "[\n    1,\n    2\n]");
  CHECK(Value(5).pretty() == "5");
  CHECK(Value::object().pretty() == "{}");
}
