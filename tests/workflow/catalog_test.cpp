// The default catalog's built-in types and the layered MutableCatalog.
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <thread>

#include "famulor/workflow.hpp"
#include "workflow/catalog.hpp"

using namespace famulor;

namespace {

const ParamSpec* param(const NodeTypeInfo& info, std::string_view name) {
  for (const auto& p : info.params) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("the default catalog holds every built-in node and trigger type", "[workflow]") {
  const Catalog& c = default_catalog();
  for (const char* t : {"if", "switch", "set", "merge", "foreach", "filter", "fail", "respond", "subworkflow", "wait",
                        "noop"}) {
    INFO(t);
    REQUIRE(c.find_node(t) != nullptr);
  }
  for (const char* t : {"event", "manual", "webhook", "schedule", "call.ended", "call.incoming", "call.tool",
                        "workflow.failed"}) {
    INFO(t);
    REQUIRE(c.find_trigger(t) != nullptr);
  }
  CHECK(c.find_node("nope") == nullptr);
  CHECK(c.find_trigger("call.started") == nullptr);
  auto names = c.node_types();
  CHECK(std::is_sorted(names.begin(), names.end()));
}

TEST_CASE("built-in params, ports and flags are the documented ones", "[workflow]") {
  const Catalog& c = default_catalog();
  const NodeTypeInfo& n_if = *c.find_node("if");
  CHECK(n_if.ports == std::vector<std::string>{"true", "false"});
  REQUIRE(param(n_if, "condition"));
  CHECK(param(n_if, "condition")->required);

  const NodeTypeInfo& sw = *c.find_node("switch");
  REQUIRE(sw.dynamic_ports);
  Value params = Value::object({{"rules", Value::array({Value::object({{"name", "a"}, {"equals", 1}}),
                                                        Value::object({{"equals", 2}})})}});
  CHECK(sw.dynamic_ports(params) == std::vector<std::string>{"a", "1", "fallback"});

  const NodeTypeInfo& fe = *c.find_node("foreach");
  REQUIRE(param(fe, "nodes"));
  CHECK(param(fe, "nodes")->kind == ParamSpec::Kind::nodes);
  CHECK(param(fe, "result")->kind == ParamSpec::Kind::item_template);
  CHECK(param(*c.find_node("filter"), "condition")->kind == ParamSpec::Kind::item_template);
  CHECK(c.find_node("fail")->never_succeeds);
  CHECK_FALSE(c.find_node("noop")->never_succeeds);
  CHECK(param(*c.find_node("set"), "fields")->required);
  CHECK(c.find_trigger("webhook")->allow_extra_params);
  CHECK(param(*c.find_node("wait"), "duration"));
  CHECK(param(*c.find_node("wait"), "until"));
}

TEST_CASE("a MutableCatalog layers over its parent and refuses duplicates in its layer", "[workflow]") {
  detail::MutableCatalog layer(&default_catalog());
  NodeTypeInfo mine;
  mine.type = "my.node";
  REQUIRE(layer.add_node(mine).ok());
  CHECK(layer.add_node(mine).code() == StatusCode::already_exists);
  CHECK(layer.find_node("my.node") != nullptr);
  CHECK(layer.find_node("if") == default_catalog().find_node("if"));
  CHECK(default_catalog().find_node("my.node") == nullptr);

  NodeTypeInfo shadow;
  shadow.type = "noop";
  shadow.description = "mine";
  REQUIRE(layer.add_node(shadow).ok());
  CHECK(layer.find_node("noop")->description == "mine");

  const NodeTypeInfo* before = layer.find_node("my.node");
  mine.description = "v2";
  REQUIRE(layer.replace_node(mine).ok());
  CHECK(layer.find_node("my.node")->description == "v2");
  CHECK(before->type == "my.node");  // the old entry is still alive

  auto names = layer.node_types();
  CHECK(std::count(names.begin(), names.end(), "noop") == 1);
  CHECK(std::count(names.begin(), names.end(), "my.node") == 1);
  CHECK(layer.add_node(NodeTypeInfo{}).code() == StatusCode::invalid_argument);
}

TEST_CASE("a MutableCatalog takes registrations while other threads look types up", "[workflow]") {
  detail::MutableCatalog layer(&default_catalog());
  std::atomic<int> failed{0};  // Catch2 v2 assertions are not thread-safe: count, check later
  std::thread writer([&] {
    for (int i = 0; i < 200; ++i) {
      NodeTypeInfo info;
      info.type = "t." + std::to_string(i);
      if (!layer.add_node(std::move(info)).ok()) ++failed;
    }
  });
  for (int i = 0; i < 2000; ++i) {
    const NodeTypeInfo* t = layer.find_node("t." + std::to_string(i % 200));
    if (t) CHECK(t->type == "t." + std::to_string(i % 200));
    CHECK(layer.find_node("if") != nullptr);
  }
  writer.join();
  CHECK(failed == 0);
  for (int i = 0; i < 200; ++i) CHECK(layer.find_node("t." + std::to_string(i)) != nullptr);
}

TEST_CASE("connectors register node types into the default catalog", "[workflow]") {
  NodeTypeInfo info;
  info.type = "test_app.do_thing";
  info.params.push_back(ParamSpec{"x", {Value::Type::string}, true});
  REQUIRE(detail::register_builtin_node(info).ok());
  CHECK(detail::register_builtin_node(info).code() == StatusCode::already_exists);
  REQUIRE(default_catalog().find_node("test_app.do_thing") != nullptr);
  std::vector<Problem> problems;
  auto wf = Workflow::parse(R"({"id":"w","nodes":[{"id":"a","type":"test_app.do_thing","params":{"x":"y"}}]})",
                            {}, &problems);
  CHECK(wf.ok());
  CHECK(problems.empty());
}
