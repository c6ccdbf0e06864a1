// The one translation unit that compiles Asio (ASIO_SEPARATE_COMPILATION), so no
// other file pays for Asio's implementation.
#include <asio/impl/src.hpp>
