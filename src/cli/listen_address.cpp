#include "cli/listen_address.hpp"

namespace famulor::cli {

Result<ListenAddress> parse_listen(const std::string& text) {
  ListenAddress a;
  auto colon = text.rfind(':');
  if (colon == std::string::npos) return invalid_argument("--listen wants HOST:PORT, got '" + text + "'");
  std::string host = text.substr(0, colon), port = text.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (!host.empty()) a.host = host;
  if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos ||
      std::stoul(port) > 65535)
    return invalid_argument("--listen: '" + port + "' is not a port number (0-65535)");
  a.port = static_cast<std::uint16_t>(std::stoul(port));
  return a;
}

}  // namespace famulor::cli
