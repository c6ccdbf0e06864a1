#include "cli/args.hpp"

namespace famulor::cli {

std::optional<std::string> Args::get(const std::string& name) const {
  auto it = options.find(name);
  if (it == options.end() || it->second.empty()) return std::nullopt;
  return it->second.back();
}

std::string Args::get_or(const std::string& name, std::string fallback) const {
  auto v = get(name);
  return v ? *v : fallback;
}

const std::vector<std::string>& Args::all(const std::string& name) const {
  static const std::vector<std::string> kNone;
  auto it = options.find(name);
  return it == options.end() ? kNone : it->second;
}

std::optional<Args> parse_args(int argc, char** argv, int first, const ArgSpec& spec, std::string& error) {
  Args args;
  bool only_positionals = false;
  for (int i = first; i < argc; ++i) {
    std::string a = argv[i];
    if (only_positionals || a.size() < 2 || a[0] != '-' || a == "-") {
      args.positionals.push_back(a);
      continue;
    }
    if (a == "--") {
      only_positionals = true;
      continue;
    }
    std::string name = a, value;
    bool inline_value = false;
    if (auto eq = a.find('='); eq != std::string::npos) {
      name = a.substr(0, eq);
      value = a.substr(eq + 1);
      inline_value = true;
    }
    if (spec.flags.count(name)) {
      if (inline_value) {
        error = "option " + name + " takes no value";
        return std::nullopt;
      }
      args.flags.insert(name);
    } else if (spec.with_value.count(name)) {
      if (!inline_value) {
        if (i + 1 >= argc) {
          error = "option " + name + " needs a value";
          return std::nullopt;
        }
        value = argv[++i];
      }
      args.options[name].push_back(value);
    } else {
      error = "unknown option " + name;
      return std::nullopt;
    }
  }
  return args;
}

}  // namespace famulor::cli
