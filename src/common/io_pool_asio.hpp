// common/io_pool_asio.hpp — the io_context behind an IoPool, for the few TUs that
// use Asio directly (scheduler timers, HTTP client and server).
#pragma once

#include <asio/io_context.hpp>

#include "common/io_pool.hpp"

namespace famulor::detail {

inline asio::io_context& io_context(IoPool& pool) {
  return *static_cast<asio::io_context*>(pool.native_context());
}

}  // namespace famulor::detail
