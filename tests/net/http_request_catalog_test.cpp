// http.request as the catalog and the workflow validator see it.
#include <catch2/catch.hpp>

#include "famulor/workflow.hpp"

using namespace famulor;

TEST_CASE("http.request is in the default catalog", "[client][node]") {
  const NodeTypeInfo* info = default_catalog().find_node("http.request");
  REQUIRE(info != nullptr);
  bool has_url = false;
  for (const auto& p : info->params) has_url = has_url || (p.name == "url" && p.required);
  CHECK(has_url);
}

TEST_CASE("workflows with http.request validate like any node", "[client][node]") {
  auto ok = Workflow::parse(R"({"id": "w", "trigger": {"type": "manual"}, "nodes": [
      {"id": "h", "type": "http.request", "params": {"method": "POST", "url": "https://api.example.com/x",
       "body": {"a": "{{ trigger.a }}"}, "headers": {"X-Y": "1"}}}]})");
  CHECK(ok.ok());

  std::vector<Problem> problems;
  auto missing = Workflow::parse(R"({"id": "w", "trigger": {"type": "manual"}, "nodes": [
      {"id": "h", "type": "http.request", "params": {"method": "GET"}}]})",
                                 {}, &problems);
  REQUIRE_FALSE(missing.ok());
  REQUIRE_FALSE(problems.empty());
  CHECK(problems[0].message.find("url") != std::string::npos);

  auto wrong_type = Workflow::parse(R"({"id": "w", "trigger": {"type": "manual"}, "nodes": [
      {"id": "h", "type": "http.request", "params": {"url": "https://x.io", "headers": "nope"}}]})");
  CHECK_FALSE(wrong_type.ok());
}
