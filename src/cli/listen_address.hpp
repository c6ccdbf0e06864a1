// cli/listen_address.hpp — reading --listen HOST:PORT ("127.0.0.1:4010",
// "[::1]:0", ":4010" = 127.0.0.1).
#pragma once

#include <cstdint>
#include <string>

#include "famulor/status.hpp"

namespace famulor::cli {

struct ListenAddress {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
};

Result<ListenAddress> parse_listen(const std::string& text);

}  // namespace famulor::cli
