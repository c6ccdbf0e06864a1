// JSON text -> Value: never crashes, and what parses survives dump() and a second
// parse unchanged.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "famulor/value.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto v = famulor::Value::parse(text);
  if (!v.ok()) return 0;
  std::string once = v->dump();
  auto again = famulor::Value::parse(once);
  if (!again.ok() || again->dump() != once) std::abort();  // a value that does not round-trip
  return 0;
}
