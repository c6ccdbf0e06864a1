// famulor validate FILE... — checks workflow files and prints every problem.
#include <iostream>

#include "cli/args.hpp"
#include "cli/commands.hpp"
#include "famulor/workflow.hpp"

namespace famulor::cli {

int cmd_validate(int argc, char** argv) {
  const Command& self = command("validate");
  std::string error;
  auto args = parse_args(argc, argv, 1, ArgSpec{}, error);
  if (!args) return usage_error(self, error);
  if (args->positionals.empty()) return usage_error(self, "no workflow file given");

  int status = 0;
  for (const auto& file : args->positionals) {
    std::vector<Problem> problems;
    auto wf = Workflow::parse_file(file, {}, &problems);
    if (wf.ok()) {
      std::cout << file << ": ok\n";
      continue;
    }
    status = 1;
    if (problems.empty()) {
      std::cout << file << ":1:1: " << wf.status().message() << "\n";
      continue;
    }
    for (const auto& p : problems) std::cout << p.to_string() << "\n";
  }
  return status;
}

}  // namespace famulor::cli
