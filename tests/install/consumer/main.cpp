// Installed-tree consumer: parse a workflow, register a custom node, run, check.
#include <famulor/famulor.hpp>

#include <iostream>

namespace {
class Greet : public famulor::SimpleNode {
 public:
  famulor::Result<famulor::Value> run(const famulor::NodeCall& call) override {
    return famulor::Value("hello " + call.params().get_string("who"));
  }
};
}  // namespace

int main() {
  famulor::Engine engine;
  famulor::NodeTypeInfo info;
  info.type = "demo.greet";
  info.params = {{.name = "who", .types = {famulor::Value::Type::string}, .required = true}};
  auto st = engine.register_node(info, [](const famulor::NodeSpec&) -> famulor::Result<std::unique_ptr<famulor::Node>> {
    return std::unique_ptr<famulor::Node>(std::make_unique<Greet>());
  });
  if (!st.ok()) return std::cerr << st.to_string() << "\n", 1;
  auto wf = engine.parse(R"({"id": "hello", "trigger": {"type": "event", "name": "greet"},
    "nodes": [{"id": "greet", "type": "demo.greet", "params": {"who": "{{ trigger.name }}"}},
              {"id": "out", "type": "respond", "after": ["greet"], "params": {"value": "{{ nodes.greet.output }}"}}]})");
  if (!wf.ok()) return std::cerr << wf.status().to_string() << "\n", 1;
  if (auto s = engine.install(std::move(wf.value())); !s.ok()) return std::cerr << s.to_string() << "\n", 1;
  if (auto s = engine.start(); !s.ok()) return std::cerr << s.to_string() << "\n", 1;
  auto runs = engine.emit({.type = "event", .payload = famulor::Value::object({{"name", "Ada"}}), .name = "greet"});
  if (!runs.ok() || runs->size() != 1) return std::cerr << "emit failed\n", 1;
  famulor::RunRecord r = runs->front().wait();
  std::cout << r.response.dump() << "\n";
  return r.status == famulor::RunStatus::succeeded && r.response == famulor::Value("hello Ada") ? 0 : 1;
}
