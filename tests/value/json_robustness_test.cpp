// "Never crashes": prefixes and deterministic byte mutations of valid documents must
// parse or fail cleanly (this suite also runs under ASan+UBSan). The fast parser and
// the strict validator must agree on what is valid.
#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "famulor/value.hpp"
#include "value/json.hpp"

using famulor::Value;

namespace {

const std::vector<std::string>& seeds() {
  static const std::vector<std::string> docs = {
      R"({"id":"wf-1","trigger":{"type":"call.ended"},"nodes":[{"id":"a","type":"if","params":{"cond":"{{ x > 1 }}"}}]})",
      R"([0,-0,-0.0,1.10,1e5,1E400,18446744073709551616,5e-324,-9223372036854775808,true,false,null])",
      "{\"s\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u0000\\ud83d\\ude00 h\xc3\xa9 \xf0\x9f\x98\x80\",\"e\":{},\"a\":[[],[{}]]}",
      "  \"scalar \\u00e9\"  ",
      "-12.5e-3",
  };
  return docs;
}

// Parses text; checks the outcome is consistent and well-formed.
void check_one(const std::string& text) {
  auto r = Value::parse(text);
  auto validator = famulor::detail::find_json_error(text, famulor::ParseOptions{}.max_depth);
  INFO("document: " << text);
  if (r.ok()) {
    CHECK_FALSE(validator.has_value());
    auto again = Value::parse(r->dump());
    REQUIRE(again.ok());
    CHECK(*again == *r);
  } else {
    CHECK(validator.has_value());
    CHECK(r.status().message().rfind("line ", 0) == 0);
  }
}

}  // namespace

TEST_CASE("every prefix of valid documents parses or fails cleanly", "[value]") {
  for (const std::string& doc : seeds()) {
    for (std::size_t n = 0; n <= doc.size(); ++n) check_one(doc.substr(0, n));
  }
}

TEST_CASE("deterministic byte mutations parse or fail cleanly", "[value]") {
  static const char kInteresting[] = {'"', '\\', '[', ']', '{', '}', ',', ':', '0', '-', 'e', '.', 'u', ' ', '\n', '\0',
                                      '\x7f', '\x80', '\xc3', '\xed', '\xf0', '\xff', 't', 'n'};
  std::uint64_t state = 0x9E3779B97F4A7C15ull;  // xorshift64: same sequence every run
  auto next = [&] {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
  };
  int parsed = 0;
  for (int round = 0; round < 4000; ++round) {
    std::string doc = seeds()[next() % seeds().size()];
    int edits = 1 + static_cast<int>(next() % 3);
    for (int e = 0; e < edits && !doc.empty(); ++e) {
      std::size_t at = next() % doc.size();
      char c = (next() & 1) ? kInteresting[next() % sizeof kInteresting] : static_cast<char>(next() & 0xFF);
      switch (next() % 3) {
        case 0: doc[at] = c; break;
        case 1: doc.insert(doc.begin() + static_cast<std::ptrdiff_t>(at), c); break;
        default: doc.erase(at, 1); break;
      }
    }
    check_one(doc);
    parsed += Value::parse(doc).ok() ? 1 : 0;
  }
  // Some mutations keep the document valid (e.g. a changed digit); most break it.
  CHECK(parsed > 0);
  CHECK(parsed < 4000);
}
