// How problems are reported: locations, to_string, the Status message, and that
// validation goes on after the first problem.
#include <catch2/catch.hpp>

#include "famulor/workflow.hpp"

using namespace famulor;

namespace {

std::vector<Problem> problems_of(std::string_view json) {
  std::vector<Problem> problems;
  auto wf = Workflow::parse(json, {}, &problems);
  CHECK_FALSE(wf.ok());
  return problems;
}

std::string brief(const Problem& p) {
  return std::to_string(p.where.line) + ":" + std::to_string(p.where.column) + ": " + p.message;
}

}  // namespace

TEST_CASE("Problem::to_string is FILE:LINE:COL: message (at PATH)", "[workflow]") {
  Problem p{SourceLocation{"wf.json", 3, 7, "$.nodes[0].type"}, "unknown"};
  CHECK(p.to_string() == "wf.json:3:7: unknown (at $.nodes[0].type)");
  Problem q{SourceLocation{"wf.json", 0, 0, ""}, "cannot read the file"};
  CHECK(q.to_string() == "wf.json: cannot read the file");
}

TEST_CASE("a failed parse's Status holds every problem, one per line", "[workflow]") {
  std::vector<Problem> problems;
  WorkflowParseOptions options;
  options.file = "flows/a.json";
  auto wf = Workflow::parse("{\"id\": \"A!\",\n \"nodes\": [{\"id\": \"x\", \"type\": \"nope\"}]}", options, &problems);
  REQUIRE_FALSE(wf.ok());
  CHECK(wf.status().code() == StatusCode::invalid_argument);
  REQUIRE(problems.size() == 2);
  CHECK(wf.status().message() == problems[0].to_string() + "\n" + problems[1].to_string());
  CHECK(problems[0].where.file == "flows/a.json");
  CHECK(problems[0].where.path == "$.id");
  CHECK(brief(problems[0]) == "1:8: workflow id must be a string of 1-128 characters a-z, 0-9, '_', '.', '-'");
  CHECK(problems[1].where.path == "$.nodes[0].type");
  CHECK(problems[1].where.line == 2);
}

TEST_CASE("invalid JSON is one problem at the parser's position", "[workflow]") {
  auto problems = problems_of("{\"id\": \"w\",\n  \"nodes\": [,]}");
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].where.line == 2);
  CHECK(problems[0].where.column == 13);
  CHECK(problems[0].message.rfind("invalid JSON: ", 0) == 0);
}

TEST_CASE("duplicate keys are problems", "[workflow]") {
  auto problems = problems_of("{\"id\": \"w\",\n \"nodes\": [{\"id\": \"a\", \"type\": \"noop\", \"type\": \"if\"}]}");
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].where.line == 2);
  CHECK(problems[0].message.find("type") != std::string::npos);
}

TEST_CASE("unknown keys are located at the key", "[workflow]") {
  auto problems = problems_of("{\"id\": \"w\", \"nodes\": [\n  {\"id\": \"a\", \"type\": \"noop\", \"afterr\": \"b\"}]}");
  REQUIRE(problems.size() == 1);
  CHECK(brief(problems[0]) == "2:31: node 'a' has unknown key 'afterr' (did you mean 'after'?)");
  CHECK(problems[0].where.path == "$.nodes[0].afterr");
}

TEST_CASE("x- keys, a valid cache and fallback are not problems", "[workflow]") {
  std::vector<Problem> problems;
  auto wf = Workflow::parse(R"({"id": "w", "x-editor": {}, "settings": {"x-ui": 1}, "nodes": [
      {"id": "a", "type": "noop", "x-color": "red", "cache": "5m", "fallback": null}]})",
                            {}, &problems);
  CHECK(wf.ok());
  CHECK(problems.empty());
}

TEST_CASE("validation reports every problem, not only the first", "[workflow]") {
  auto problems = problems_of(R"({"id": "w", "nodes": [
    {"id": "a", "type": "iff"},
    {"id": "b", "type": "noop", "after": "zz"},
    {"id": "b", "type": "noop"},
    {"id": "c", "type": "if", "params": {}, "join": "some"}]})");
  std::vector<std::string> got;
  for (const auto& p : problems) got.push_back(brief(p));
  CHECK(got == std::vector<std::string>{
                   "2:25: node 'a' has unknown type 'iff' (did you mean 'if'?)",
                   "3:42: node 'b' runs after unknown node 'zz'",
                   "4:12: duplicate node id 'b' (first used at $.nodes[1])",
                   "5:41: node 'c' (if) is missing required param 'condition'",
                   "5:53: node 'c': `join` must be \"all\" | \"any\", not \"some\"",
               });
}
