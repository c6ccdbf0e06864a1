// Byte mutations of a valid workflow must never crash the parser or the validator
// (this test earns its keep under ASan/UBSan), and every failure must come with
// located problems.
#include <catch2/catch.hpp>

#include <random>

#include "famulor/workflow.hpp"
#include "support/paths.hpp"

using namespace famulor;

TEST_CASE("mutated workflows never crash and always explain a failure", "[workflow]") {
  const std::string original = test::read_file(test::source_dir() / "examples/workflows/format_example.json");
  const std::string alphabet = "{}[]\":,.0123456789-+eE \n\\tfnu{{}}abcxyz_$";
  std::mt19937 rng(20261127);  // fixed: a failure reproduces
  auto pick = [&](std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng); };
  int accepted = 0;
  for (int round = 0; round < 4000; ++round) {
    std::string text = original;
    int edits = 1 + static_cast<int>(pick(4));
    for (int e = 0; e < edits && !text.empty(); ++e) {
      std::size_t at = pick(text.size());
      switch (pick(6)) {
        case 0: text[at] = alphabet[pick(alphabet.size())]; break;
        case 1: text.erase(at, 1 + pick(8)); break;
        case 2: text.insert(at, 1, alphabet[pick(alphabet.size())]); break;
        case 3: text[at] = static_cast<char>(pick(256)); break;
        case 4: {  // duplicate a span (repeats keys, nodes, ids)
          std::size_t len = std::min<std::size_t>(1 + pick(80), text.size() - at);
          text.insert(pick(text.size()), text.substr(at, len));
          break;
        }
        default: {  // swap an id-like word for another, creating unknown names and cycles
          static const char* words[] = {"contact", "lead", "route", "tasks", "task", "later", "true", "error"};
          std::string w = words[pick(8)];
          auto pos = text.find(w, at);
          if (pos != std::string::npos) text.replace(pos, w.size(), words[pick(8)]);
        }
      }
    }
    std::vector<Problem> problems;
    auto wf = Workflow::parse(text, {}, &problems);
    if (wf.ok()) {
      ++accepted;
      CHECK(problems.empty());
    } else {
      INFO(text);
      REQUIRE_FALSE(problems.empty());
      CHECK_FALSE(wf.status().message().empty());
      for (const Problem& p : problems) {
        CHECK(p.where.line >= 1);
        CHECK(!p.message.empty());
      }
    }
  }
  CHECK(accepted < 4000);  // the mutations do break things
}
