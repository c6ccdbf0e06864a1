// Test harness for connector calls: an in-process Transport that records every
// request and answers through a handler, a vault in memory, and call() to run one
// `<app>.<operation>` to completion.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "connectors/connector_node.hpp"
#include "connectors/registry.hpp"
#include "connectors/request_builder.hpp"
#include "security/vault.hpp"

namespace famulor::test {

struct ConnectorHarness {
  ConnectorHarness();

  std::mutex mu;
  std::vector<connectors::HttpRequest> sent;
  // Answers each request; the default answers the operation's sample response.
  std::function<connectors::HttpResponse(const connectors::HttpRequest&)> answer;
  security::Vault vault;
  std::shared_ptr<connectors::ConnectorServices> services;

  void credential(const std::string& name, const std::string& app, Value fields);
  // Runs the operation and waits for its result (the transport answers inline).
  Result<Value> call(const std::string& type, Value params, const std::string& credential = "",
                     const std::string& idempotency_key = "run-1:node-1");
  const connectors::HttpRequest& last() const { return sent.back(); }
  connectors::CallInfo last_info;  // what the last call() reported besides its result
};

// The request's body parsed as JSON (fails the test when it is not).
Value json_body(const connectors::HttpRequest& r);
// The request's form body as ordered key/value pairs, decoded.
std::vector<std::pair<std::string, std::string>> form_body(const connectors::HttpRequest& r);
// A header's value, or "<absent>".
std::string header(const connectors::HttpRequest& r, std::string_view name);
connectors::HttpResponse json_response(int status, std::string_view json);

}  // namespace famulor::test
