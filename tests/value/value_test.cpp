// Value and Object: construction, lookup, mutation, equality.
#include <catch2/catch.hpp>

#include "famulor/value.hpp"

using famulor::Array;
using famulor::NumberText;
using famulor::Object;
using famulor::Value;

TEST_CASE("types and predicates", "[value]") {
  CHECK(Value().type() == Value::Type::null);
  CHECK(Value(true).type() == Value::Type::boolean);
  CHECK(Value(3).type() == Value::Type::integer);
  CHECK(Value(2.5).type() == Value::Type::number);
  CHECK(Value(NumberText{"1e400"}).type() == Value::Type::number);
  CHECK(Value("x").type() == Value::Type::string);
  CHECK(Value::array().type() == Value::Type::array);
  CHECK(Value::object().type() == Value::Type::object);
  CHECK(Value(NumberText{"1"}).is_number());
  CHECK_FALSE(Value("1").is_number());
  CHECK(famulor::to_string(Value::Type::boolean) == "boolean");
  CHECK(famulor::to_string(Value::Type::integer) == "integer");
  CHECK(famulor::to_string(Value::Type::object) == "object");
}

TEST_CASE("as_double converts every number kind", "[value]") {
  CHECK(Value(7).as_double() == 7.0);
  CHECK(Value(0.25).as_double() == 0.25);
  CHECK(Value(NumberText{"1.10"}).as_double() == 1.1);
  CHECK(Value(NumberText{"18446744073709551616"}).as_double() == 18446744073709551616.0);
  CHECK(std::isinf(Value(NumberText{"1E400"}).as_double()));
  CHECK(Value(NumberText{"-1E400"}).as_double() < 0);
  CHECK(Value(NumberText{"1e-400"}).as_double() == 0.0);
}

TEST_CASE("equality compares numbers by value", "[value]") {
  CHECK(Value(1) == Value(1.0));
  CHECK(Value(1.0) == Value(1));
  CHECK(Value(1) != Value(1.5));
  CHECK(Value(NumberText{"1.10"}) == Value(1.1));
  CHECK(Value(NumberText{"1.10"}) == Value(NumberText{"1.1"}));
  CHECK(Value(9007199254740993LL) != Value(9007199254740992.0));
  CHECK(Value(1) != Value("1"));
  CHECK(Value() == Value(nullptr));
  CHECK(Value() != Value(false));
  CHECK(Value::array({1, 2.0}) == Value::array({1.0, 2}));
  CHECK(Value::array({1, 2}) != Value::array({2, 1}));
  CHECK(Value::object({{"a", 1}, {"b", 2}}) == Value::object({{"b", 2.0}, {"a", 1}}));
  CHECK(Value::object({{"a", 1}}) != Value::object({{"a", 1}, {"b", 2}}));
}

TEST_CASE("objects keep insertion order and set() replaces in place", "[value]") {
  Object o;
  o.set("z", 1);
  o.set("a", 2);
  o.set("m", 3);
  o.set("a", "replaced");
  REQUIRE(o.size() == 3);
  auto it = o.begin();
  CHECK(it->first == "z");
  ++it;
  CHECK(it->first == "a");
  CHECK(it->second == Value("replaced"));
  ++it;
  CHECK(it->first == "m");
  CHECK(Value(o).dump() == R"({"z":1,"a":"replaced","m":3})");
}

TEST_CASE("find, contains, erase, operator[] on Object", "[value]") {
  Object o{{"a", 1}};
  CHECK(o.contains("a"));
  CHECK(o.find("b") == nullptr);
  o["b"] = 2;
  CHECK(o.find("b")->as_int() == 2);
  CHECK(o["a"].as_int() == 1);
  CHECK(o.size() == 2);
  CHECK(o.erase("a"));
  CHECK_FALSE(o.erase("a"));
  CHECK(o.size() == 1);
  o.append("b", 3);  // append does not check
  CHECK(o.size() == 2);
}

TEST_CASE("operator[] on null makes an object", "[value]") {
  Value v;
  v["a"]["b"] = 1;
  REQUIRE(v.is_object());
  CHECK(v.dump() == R"({"a":{"b":1}})");
  CHECK(v.find("a")->find("b")->as_int() == 1);
}

TEST_CASE("find and at are forgiving", "[value]") {
  Value arr = Value::array({1, "two"});
  CHECK(arr.at(1)->as_string() == "two");
  CHECK(arr.at(2) == nullptr);
  CHECK(arr.find("x") == nullptr);
  CHECK(Value(3).at(0) == nullptr);
  CHECK(Value().find("x") == nullptr);
}

TEST_CASE("get_* helpers fall back on absence and wrong type", "[value]") {
  Value v = Value::object({{"s", "text"}, {"i", 42}, {"d", 3.0}, {"f", 3.5}, {"b", true}});
  CHECK(v.get_string("s") == "text");
  CHECK(v.get_string("i", "fb") == "fb");
  CHECK(v.get_string("missing", "fb") == "fb");
  CHECK(v.get_int("i") == 42);
  CHECK(v.get_int("d") == 3);
  CHECK(v.get_int("f", -1) == -1);
  CHECK(v.get_int("s", 7) == 7);
  CHECK(v.get_bool("b"));
  CHECK(v.get_bool("i", true));
  CHECK(Value(5).get_int("x", 9) == 9);
}

TEST_CASE("size counts elements, members, bytes", "[value]") {
  CHECK(Value::array({1, 2, 3}).size() == 3);
  CHECK(Value::object({{"a", 1}}).size() == 1);
  CHECK(Value("h\xc3\xa9").size() == 3);
  CHECK(Value(5).size() == 0);
  CHECK(Value().size() == 0);
}

TEST_CASE("copies are deep", "[value]") {
  Value a = Value::object({{"list", Value::array({1})}});
  Value b = a;
  b["list"].as_array()[0] = "changed";
  b["extra"] = true;
  CHECK(a.dump() == R"({"list":[1]})");
  CHECK(b.dump() == R"({"list":["changed"],"extra":true})");
}

TEST_CASE("unsigned sizes construct integers, huge ones stay exact", "[value]") {
  std::size_t n = 3;
  CHECK(Value(n).as_int() == 3);
  CHECK(Value(std::uint64_t{9223372036854775807ull}).as_int() == INT64_MAX);
  Value huge(std::uint64_t{18446744073709551615ull});
  REQUIRE(huge.as_number_text() != nullptr);
  CHECK(huge.dump() == "18446744073709551615");
}

TEST_CASE("NumberText compares exactly as a decimal", "[value]") {
  using famulor::NumberText;
  CHECK(Value(NumberText{"12345678901234567890"}) != Value(NumberText{"12345678901234567891"}));
  CHECK(Value(NumberText{"1.10"}) == Value(NumberText{"1.1"}));
  CHECK(Value(NumberText{"1e5"}) == Value(100000));
  CHECK(Value(NumberText{"100000.000"}) == Value(NumberText{"1E+5"}));
  CHECK(Value(NumberText{"-0.0"}) == Value(0));
  CHECK(Value(NumberText{"0.5e1"}) == Value(5));
  CHECK(Value(NumberText{"-5"}) != Value(5));
  CHECK(Value(NumberText{"1e400"}) != Value(NumberText{"1e401"}));
  CHECK(Value(NumberText{"9223372036854775808"}) != Value(INT64_MAX));
  // Against a double the comparison is by the double's value.
  CHECK(Value(NumberText{"0.1"}) == Value(0.1));
}

TEST_CASE("get_int accepts any integral number", "[value]") {
  auto v = Value::parse(R"({"a":1e5,"b":2.0,"c":1.5,"d":1e400})");
  REQUIRE(v.ok());
  CHECK(v->get_int("a") == 100000);
  CHECK(v->get_int("b") == 2);
  CHECK(v->get_int("c", -1) == -1);
  CHECK(v->get_int("d", -1) == -1);
}
