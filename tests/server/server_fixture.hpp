// A Server on 127.0.0.1:0 over a SQLite file in a TempDir, with helpers to send
// requests and make tokens.
#pragma once

#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include <famulor/value.hpp>

#include "server/server.hpp"
#include "store/token_records.hpp"
#include "support/paths.hpp"
#include "support/raw_http_client.hpp"

namespace famulor::test {

using Files = std::map<std::string, std::string>;

struct ServerFixture {
  explicit ServerFixture(std::map<std::string, std::string> workflows = {},
                         std::function<void(server::ServerOptions&)> tweak = {});
  ~ServerFixture();

  // role "" = no Authorization header.
  std::string token(const std::string& role);
  RawResponse send(const std::string& method, const std::string& target, const std::string& body = "",
                   std::map<std::string, std::string> headers = {});
  // JSON body of a response (null when it is not JSON).
  static Value json(const RawResponse& r);
  // Stops the server and starts a new one over the same database and options
  // (a restart of `famulor serve`).
  void restart();

  TempDir dir;
  std::string db;
  server::ServerOptions options;
  std::unique_ptr<server::Server> server;
  std::unique_ptr<store::TokenRecords> tokens;
};

}  // namespace famulor::test
