// The HTTP/1.x response parser of the plain-HTTP client path (responses come from
// servers we do not control): any bytes, fed in any split and then closed, end in
// a complete response or an error, never a crash; feed() never claims more than it
// was given, takes every byte while the response is unfinished, and a complete
// body is never over the limit.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "net/response_parser.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using famulor::net::ResponseParser;
  if (size == 0) return 0;
  // The first byte chooses the chunk size: the same bytes arrive in pieces.
  std::size_t chunk = 1 + data[0] % 64;
  std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  constexpr std::size_t kMaxBody = 4096;
  ResponseParser parser(kMaxBody);
  while (!rest.empty() && !parser.complete() && !parser.failed()) {
    std::string_view piece = rest.substr(0, chunk);
    std::size_t used = parser.feed(piece);
    if (used > piece.size()) std::abort();
    if (!parser.complete() && !parser.failed() && used < piece.size()) std::abort();
    rest.remove_prefix(used);
  }
  if (!parser.complete() && !parser.failed()) parser.end_of_stream();
  if (!parser.complete() && !parser.failed()) std::abort();
  if (parser.failed() && parser.error().empty()) std::abort();
  if (parser.complete()) {
    if (parser.response().body.size() > kMaxBody) std::abort();
    int status = parser.response().status;
    if (status < 100 || status > 999) std::abort();
  }
  return 0;
}
