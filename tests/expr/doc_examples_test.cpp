// Runs every example in docs/expressions.md against the sample data given there,
// and checks that every library function has at least one example.
#include <catch2/catch.hpp>

#include <cctype>
#include <map>
#include <sstream>

#include "expr/expr.hpp"
#include "support/paths.hpp"

using famulor::Value;

namespace {

struct Example {
  int line = 0;
  std::string source;    // as written in the doc
  std::string expected;  // JSON, or "error: ..."
};

struct Doc {
  Value trigger, vars, nodes;
  std::vector<Example> examples;
};

std::string trim(std::string_view s) {
  std::size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string_view::npos) return {};
  std::size_t e = s.find_last_not_of(" \t\r");
  return std::string(s.substr(b, e - b + 1));
}

Doc read_doc() {
  Doc doc;
  std::istringstream in(famulor::test::read_file(famulor::test::source_dir() / "docs" / "expressions.md"));
  std::string line, info, block;
  bool in_block = false;
  int number = 0;
  auto parse_json = [&](const std::string& text, Value& out) {
    auto r = Value::parse(text);
    INFO("block " << info << " before line " << number << ": " << r.status().message());
    REQUIRE(r.ok());
    out = std::move(r).value();
  };
  while (std::getline(in, line)) {
    ++number;
    if (line.rfind("```", 0) == 0) {
      if (!in_block) {
        in_block = true;
        info = trim(line.substr(3));
        block.clear();
        continue;
      }
      in_block = false;
      if (info == "json trigger") parse_json(block, doc.trigger);
      if (info == "json vars") parse_json(block, doc.vars);
      if (info == "json nodes") parse_json(block, doc.nodes);
      continue;
    }
    if (!in_block) continue;
    block += line + "\n";
    if (info != "expr" || trim(line).empty()) continue;
    const std::string arrow = "\xE2\x87\x92";  // ⇒
    std::size_t at = line.find(" " + arrow + " ");
    INFO("docs/expressions.md:" << number << ": " << line);
    REQUIRE(at != std::string::npos);
    doc.examples.push_back({number, trim(line.substr(0, at)), trim(line.substr(at + arrow.size() + 2))});
  }
  return doc;
}

// Equal values of equal types (1 and 1.0 differ here, unlike ==).
bool strict_equal(const Value& a, const Value& b) {
  if (a.type() != b.type()) return false;
  if (a.is_array()) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
      if (!strict_equal(*a.at(i), *b.at(i))) return false;
    }
    return true;
  }
  if (a.is_object()) {
    if (a.size() != b.size()) return false;
    for (const auto& [k, v] : a.as_object()) {
      const Value* w = b.find(k);
      if (!w || !strict_equal(v, *w)) return false;
    }
    return true;
  }
  return a == b;
}

}  // namespace

TEST_CASE("every example in docs/expressions.md holds", "[expr][docs]") {
  Doc doc = read_doc();
  REQUIRE(doc.trigger.is_object());
  REQUIRE(doc.nodes.is_object());
  REQUIRE(doc.examples.size() >= 100);

  std::map<std::string, int, std::less<>> node_index;
  std::vector<const Value*> outputs;
  for (const auto& [id, output] : doc.nodes.as_object()) {
    node_index[id] = static_cast<int>(outputs.size());
    outputs.push_back(&output);
  }
  famulor::expr::CompileEnv cenv;
  cenv.resolve_node = [&](std::string_view id) {
    auto it = node_index.find(id);
    return it == node_index.end() ? -1 : it->second;
  };
  famulor::expr::EvalEnv env;
  env.trigger = &doc.trigger;
  env.vars = &doc.vars;
  env.run_id = "run-1";
  env.workflow_id = "wf-1";
  env.node_output = [&](int i) { return outputs[static_cast<std::size_t>(i)]; };

  for (const Example& ex : doc.examples) {
    INFO("docs/expressions.md:" << ex.line << ": " << ex.source << "  =>  " << ex.expected);
    const std::string text = ex.source.find("{{") != std::string::npos ? ex.source : "{{ " + ex.source + " }}";
    std::vector<famulor::expr::CompileError> errs;
    auto t = famulor::expr::Template::compile(text, cenv, errs);
    std::string error;
    Value got;
    if (!errs.empty()) {
      error = errs[0].message;
    } else {
      auto r = t.evaluate(env);
      if (r.ok()) {
        got = std::move(r).value();
      } else {
        error = r.status().message();
      }
    }
    if (ex.expected.rfind("error:", 0) == 0) {
      const std::string want = trim(ex.expected.substr(6));
      INFO("got " << (error.empty() ? "value " + got.dump() : "error " + error));
      CHECK(!error.empty());
      CHECK(error.find(want) != std::string::npos);
      continue;
    }
    auto expected = Value::parse(ex.expected);
    REQUIRE(expected.ok());
    INFO("got " << (error.empty() ? got.dump() + " (" + std::string(to_string(got.type())) + ")" : "error " + error));
    CHECK(error.empty());
    CHECK(strict_equal(got, expected.value()));
  }
}

TEST_CASE("every library function has an example in docs/expressions.md", "[expr][docs]") {
  Doc doc = read_doc();
  for (const std::string& name : famulor::expr::function_names()) {
    INFO(name);
    bool found = false;
    for (const Example& ex : doc.examples) {
      std::size_t at = ex.source.find(name + "(");
      // A whole-word match: not the tail of a longer name (e.g. "int(" in "format_int(").
      while (at != std::string::npos && at > 0 &&
             (std::isalnum(static_cast<unsigned char>(ex.source[at - 1])) || ex.source[at - 1] == '_')) {
        at = ex.source.find(name + "(", at + 1);
      }
      if (at != std::string::npos) {
        found = true;
        break;
      }
    }
    CHECK(found);
  }
}
