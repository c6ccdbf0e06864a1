// Reads the documented platform payloads under tests/voice/fixtures/.
#pragma once

#include <string>

#include <famulor/value.hpp>

#include "support/paths.hpp"

namespace famulor::test {

inline std::string fixture_text(const std::string& name) {
  return read_file(source_dir() / "tests" / "voice" / "fixtures" / name);
}

inline Value fixture(const std::string& name) { return Value::parse(fixture_text(name)).value(); }

}  // namespace famulor::test
