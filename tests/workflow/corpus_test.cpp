// The corpus of broken workflows (tests/workflow/corpus/NAME.json): each file's
// problems, as "LINE:COL: message" lines, must equal NAME.expected exactly.
//
// After a deliberate change of messages, FAMULOR_UPDATE_CORPUS=1 rewrites the
// .expected files from the current output; review the diff before committing.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "famulor/workflow.hpp"
#include "support/paths.hpp"

using namespace famulor;
namespace fs = std::filesystem;

namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

}  // namespace

TEST_CASE("every broken workflow in the corpus reports exactly its expected problems", "[workflow]") {
  fs::path dir = test::source_dir() / "tests/workflow/corpus";
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  REQUIRE(files.size() >= 20);
  bool update = std::getenv("FAMULOR_UPDATE_CORPUS") != nullptr;
  for (const fs::path& file : files) {
    SECTION(file.filename().string()) {
      std::vector<Problem> problems;
      WorkflowParseOptions options;
      options.file = "corpus/" + file.filename().string();
      auto wf = Workflow::parse(test::read_file(file), options, &problems);
      CHECK_FALSE(wf.ok());
      std::vector<std::string> got;
      for (const Problem& p : problems) {
        CHECK(p.where.file == options.file);
        CHECK(p.where.line >= 1);
        CHECK(p.where.column >= 1);
        got.push_back(std::to_string(p.where.line) + ":" + std::to_string(p.where.column) + ": " + p.message);
      }
      fs::path expected_file = file;
      expected_file.replace_extension(".expected");
      if (update) {
        std::ofstream out(expected_file, std::ios::binary);
        for (const auto& line : got) out << line << '\n';
      }
      REQUIRE(fs::exists(expected_file));
      std::vector<std::string> expected = lines_of(test::read_file(expected_file));
      CHECK(got == expected);
    }
  }
}
