// Workflow documents: parsing and validating any bytes ends in a workflow or in
// located problems, never a crash.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "famulor/workflow.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto wf = famulor::Workflow::parse(text);
  if (wf.ok() && wf->id().empty()) std::abort();  // a valid workflow always has an id
  if (!wf.ok() && wf.status().message().empty()) std::abort();  // errors say what is wrong
  return 0;
}
