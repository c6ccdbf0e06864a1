// famulor — the command-line entry point: dispatches to the commands in commands.cpp.
#include <cstring>
#include <iostream>

#include "cli/commands.hpp"
#include "famulor/version.hpp"

namespace {

void print_help() {
  std::cout << "famulor " << famulor::kVersion << " — workflow automation for AI phone assistants\n\n"
            << "usage: famulor COMMAND [ARGS...]\n\ncommands:\n";
  for (const auto& c : famulor::cli::commands()) {
    std::string name = c.name;
    name.resize(12, ' ');
    std::cout << "  " << name << c.summary << "\n";
  }
  std::cout << "\nRun `famulor COMMAND --help` for a command's usage.\n";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || !std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h") || !std::strcmp(argv[1], "help")) {
    print_help();
    return argc < 2 ? 2 : 0;
  }
  if (!std::strcmp(argv[1], "--version")) {
    std::cout << "famulor " << famulor::kVersion << "\n";
    return 0;
  }
  const auto& cmd = famulor::cli::command(argv[1]);
  if (!cmd.run) {
    std::cerr << "famulor: unknown command \"" << argv[1] << "\"; run `famulor --help` for the list\n";
    return 2;
  }
  for (int i = 2; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--")) break;
    if (!std::strcmp(argv[i], "--help") || !std::strcmp(argv[i], "-h")) {
      std::cout << cmd.usage;
      return 0;
    }
  }
  try {
    return cmd.run(argc - 1, argv + 1);
  } catch (const std::exception& e) {
    std::cerr << "famulor " << cmd.name << ": internal error: " << e.what() << "\n";
    return 1;
  }
}
