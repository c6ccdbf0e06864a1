// famulor connectors list [--json] / show NAME [--json] — what is installed.
#include <iostream>

#include "cli/args.hpp"
#include "cli/commands.hpp"
#include "cli/connector_options.hpp"
#include "connectors/registry.hpp"

namespace famulor::cli {
namespace {

std::string join_strings(const Value& arr) {
  std::string out;
  if (!arr.is_array()) return out;
  for (auto& v : arr.as_array()) out += (out.empty() ? "" : ", ") + (v.is_string() ? v.as_string() : v.dump());
  return out;
}

void print_app(const Value& d) {
  std::cout << d.get_string("app") << " — " << d.get_string("title") << "\n"
            << "  " << d.get_string("description") << "\n"
            << "  base URL:  " << d.get_string("base_url") << "\n"
            << "  auth:      " << join_strings(*d.find("auth")) << "\n";
  if (const Value* idem = d.find("idempotency_header"); idem && idem->is_string())
    std::cout << "  idempotency header: " << idem->as_string() << "\n";
  if (const Value* rl = d.find("rate_limit"); rl && rl->is_object())
    std::cout << "  rate limit: " << rl->find("per_second")->dump() << "/s, burst " << rl->find("burst")->dump() << "\n";
  std::cout << "  operations:\n";
  for (auto& op : d.find("operations")->as_array()) {
    std::cout << "    " << op.get_string("type") << "  " << op.get_string("method") << " " << op.get_string("path") << "\n";
    if (!op.get_string("description").empty()) std::cout << "        " << op.get_string("description") << "\n";
    for (auto& p : op.find("params")->as_array()) {
      std::cout << "        - " << p.get_string("name");
      if (const Value* t = p.find("type")) std::cout << " (" << join_strings(*t) << ")";
      if (p.find("required") && p.find("required")->is_bool() && p.find("required")->as_bool()) std::cout << " required";
      std::cout << "\n";
    }
  }
}

}  // namespace

int cmd_connectors(int argc, char** argv) {
  const Command& self = command("connectors");
  std::string error;
  auto args = parse_args(argc, argv, 1, ArgSpec{{"--connectors"}, {"--json"}}, error);
  if (!args) return usage_error(self, error);
  if (args->positionals.empty()) return usage_error(self, "expected `list` or `show NAME`");
  const std::string& sub = args->positionals[0];
  auto registry = load_registry(*args);
  if (!registry.ok()) {
    std::cerr << "famulor connectors: " << registry.status().message() << "\n";
    return 1;
  }
  const auto& reg = **registry;
  if (sub == "list") {
    if (args->positionals.size() != 1) return usage_error(self, "`list` takes no arguments");
    Array all;
    for (auto& m : reg.apps()) all.push_back(reg.describe(*m));
    if (args->has("--json")) {
      std::cout << Value::object({{"connectors", Value(std::move(all))}}).pretty() << "\n";
      return 0;
    }
    for (auto& d : all) {
      std::string app = d.get_string("app");
      app.resize(std::max<std::size_t>(app.size() + 1, 17), ' ');
      std::cout << app << d.find("operations")->size() << " operations  auth: " << join_strings(*d.find("auth"))
                << "  " << d.get_string("base_url") << "\n";
    }
    return 0;
  }
  if (sub == "show") {
    if (args->positionals.size() != 2) return usage_error(self, "`show` takes one connector NAME");
    const auto* m = reg.find(args->positionals[1]);
    if (m == nullptr) {
      std::string names;
      for (auto& a : reg.apps()) names += (names.empty() ? "" : ", ") + a->app;
      std::cerr << "famulor connectors: no connector '" << args->positionals[1] << "' (installed: " << names << ")\n";
      return 1;
    }
    Value d = reg.describe(*m);
    if (args->has("--json")) std::cout << d.pretty() << "\n";
    else print_app(d);
    return 0;
  }
  return usage_error(self, "unknown subcommand '" + sub + "' (expected `list` or `show NAME`)");
}

}  // namespace famulor::cli
