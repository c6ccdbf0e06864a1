// famulor/version.hpp — the library version.
#pragma once

#define FAMULOR_VERSION_MAJOR 0
#define FAMULOR_VERSION_MINOR 1
#define FAMULOR_VERSION_PATCH 0

namespace famulor {
inline constexpr const char* kVersion = "0.1.0";
}
