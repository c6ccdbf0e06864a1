// The HTTP/1.1 request parser: any bytes, fed in any split, end in a request or
// an error status, never a crash; feed() never claims more than it was given.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "http/parser.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using famulor::http::ParserLimits;
  using famulor::http::RequestParser;
  if (size == 0) return 0;
  // The first byte chooses the chunk size: the same bytes arrive in pieces.
  std::size_t chunk = 1 + data[0] % 64;
  std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  ParserLimits limits;
  limits.max_request_line = 512;
  limits.max_header_bytes = 2048;
  limits.max_headers = 16;
  limits.max_body = 4096;
  RequestParser parser(limits);
  int requests = 0;
  while (!rest.empty() && requests < 64) {
    std::string_view piece = rest.substr(0, chunk);
    std::size_t used = parser.feed(piece);
    if (used > piece.size()) std::abort();
    rest.remove_prefix(used);
    if (parser.failed()) {
      int s = parser.error_status();
      if (s < 400 || s > 599 || parser.error_message().empty()) std::abort();
      break;
    }
    if (parser.complete()) {
      auto req = parser.take_request();
      if (req.body.size() > limits.max_body) std::abort();
      parser.reset();
      ++requests;
      continue;
    }
    // Without a complete request or an error, every byte must have been taken.
    if (used < piece.size()) std::abort();
  }
  return 0;
}
