// cli/args.hpp — a small command-line parser for the famulor binary.
//
// Accepts positionals, `--name value`, `--name=value` and boolean flags. Each
// command declares which options take a value; anything undeclared is a usage
// error (exit 2) that names the option.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace famulor::cli {

struct Args {
  std::vector<std::string> positionals;
  std::map<std::string, std::vector<std::string>> options;  // "--db" -> values (repeatable)
  std::set<std::string> flags;                              // "--json"

  bool has(const std::string& flag) const { return flags.count(flag) != 0; }
  std::optional<std::string> get(const std::string& name) const;
  std::string get_or(const std::string& name, std::string fallback) const;
  const std::vector<std::string>& all(const std::string& name) const;
};

struct ArgSpec {
  std::set<std::string> with_value;  // options that take a value, e.g. "--db"
  std::set<std::string> flags;       // boolean flags, e.g. "--json"
};

// Parses argv[first..argc). On a usage error returns nullopt and sets `error`.
std::optional<Args> parse_args(int argc, char** argv, int first, const ArgSpec& spec, std::string& error);

}  // namespace famulor::cli
