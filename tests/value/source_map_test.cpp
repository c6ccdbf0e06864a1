// SourceMap, JSON paths and line:column — what the workflow validator builds on.
#include <catch2/catch.hpp>

#include "value/json.hpp"

using namespace famulor;
using namespace famulor::detail;

TEST_CASE("line_col counts bytes from 1", "[value]") {
  std::string_view t = "ab\ncd\r\nef";
  CHECK(line_col(t, 0).line == 1);
  CHECK(line_col(t, 0).column == 1);
  CHECK(line_col(t, 4).line == 2);
  CHECK(line_col(t, 4).column == 2);
  CHECK(line_col(t, 7).line == 3);
  CHECK(line_col(t, 7).column == 1);
  CHECK(line_col(t, 100).line == 3);
  CHECK(line_col(t, 100).column == 3);
  CHECK(line_col("h\xc3\xa9x", 3).column == 4);  // bytes, not characters
}

TEST_CASE("paths quote keys that are not identifiers", "[value]") {
  CHECK(path_member("$", "nodes") == "$.nodes");
  CHECK(path_index("$.nodes", 2) == "$.nodes[2]");
  CHECK(path_member("$", "a b") == "$[\"a b\"]");
  CHECK(path_member("$", "1x") == "$[\"1x\"]");
  CHECK(path_member("$", "") == "$[\"\"]");
  CHECK(path_member("$", "q\"]") == "$[\"q\\\"]\"]");
  CHECK(path_member("$.a", "_x9") == "$.a._x9");
  CHECK(path_parent("$.nodes[2].params") == "$.nodes[2]");
  CHECK(path_parent("$.nodes[2]") == "$.nodes");
  CHECK(path_parent("$[\"a.b]\"]") == "$");
  CHECK(path_parent("$[\"q\\\"]\"].x") == "$[\"q\\\"]\"]");
  CHECK_FALSE(path_parent("$").has_value());
  CHECK_FALSE(path_parent("nodes").has_value());
}

TEST_CASE("SourceMap records value and key offsets by path", "[value]") {
  const std::string text =
      "{\n"                                  // 0
      "  \"id\": \"wf\",\n"                  // 2: key at 4, value at 10
      "  \"nodes\": [\n"                     // 16: key at 18, value at 27
      "    {\"type\": \"if\"},\n"            // 29: element at 33, key at 34, value at 42
      "    {\"a b\": [true, 2]}\n"           // 49: element at 53, key at 54, value at 61, 62, 68
      "  ]\n"
      "}\n";
  SourceMap map;
  auto r = parse_json(text, {}, &map);
  REQUIRE(r.ok());
  CHECK(map.value_offset("$") == 0u);
  CHECK(map.key_offset("$.id") == 4u);
  CHECK(map.value_offset("$.id") == 10u);
  CHECK(map.key_offset("$.nodes") == 18u);
  CHECK(map.value_offset("$.nodes") == 27u);
  CHECK(map.value_offset("$.nodes[0]") == 33u);
  CHECK(map.key_offset("$.nodes[0].type") == 34u);
  CHECK(map.value_offset("$.nodes[0].type") == 42u);
  CHECK(map.value_offset("$.nodes[1]") == 53u);
  CHECK(map.key_offset("$.nodes[1][\"a b\"]") == 54u);
  CHECK(map.value_offset("$.nodes[1][\"a b\"]") == 61u);
  CHECK(map.value_offset("$.nodes[1][\"a b\"][0]") == 62u);
  CHECK(map.value_offset("$.nodes[1][\"a b\"][1]") == 68u);
  CHECK_FALSE(map.value_offset("$.nodes[2]").has_value());
  CHECK_FALSE(map.key_offset("$.nodes[0]").has_value());

  LineCol lc = line_col(text, *map.value_offset("$.nodes[1][\"a b\"][1]"));
  CHECK(lc.line == 5);
  CHECK(lc.column == 20);

  CHECK(map.nearest("$.nodes[0].type") == 42u);
  CHECK(map.nearest("$.nodes[0].missing.deeper") == 33u);
  CHECK(map.nearest("$.nodes[7]") == 27u);
  CHECK(map.nearest("$.nope") == 0u);
  CHECK(map.nearest("garbage") == 0u);
}

TEST_CASE("SourceMap of a scalar document and of duplicate keys", "[value]") {
  SourceMap map;
  REQUIRE(parse_json("  42 ", {}, &map).ok());
  CHECK(map.value_offset("$") == 2u);

  SourceMap dup;
  REQUIRE(parse_json(R"({"a":1,"a":[2]})", {}, &dup).ok());
  CHECK(dup.key_offset("$.a") == 7u);
  CHECK(dup.value_offset("$.a") == 11u);
  CHECK(dup.value_offset("$.a[0]") == 12u);
}

TEST_CASE("parse_json without a map equals Value::parse", "[value]") {
  auto a = parse_json(R"({"x":[1,2.5,"s"]})", {}, nullptr);
  auto b = Value::parse(R"({"x":[1,2.5,"s"]})");
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK(*a == *b);
  auto e = parse_json("[1,", {}, nullptr);
  REQUIRE_FALSE(e.ok());
  CHECK(e.status().message().find("line 1, column 4") != std::string::npos);
}
