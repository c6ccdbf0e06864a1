#include "harness.hpp"

#include <catch2/catch.hpp>

#include <condition_variable>

#include "net/url.hpp"

namespace famulor::test {

using namespace famulor::connectors;

ConnectorHarness::ConnectorHarness()
    : vault(security::make_memory_credential_records(), security::MasterKey::generate().value()) {
  services = std::make_shared<ConnectorServices>();
  services->vault = &vault;
  services->transport = [this](HttpRequest req, ResponseHandler done) {
    HttpResponse resp;
    {
      std::lock_guard lk(mu);
      sent.push_back(req);
    }
    if (answer) resp = answer(req);
    else resp = json_response(200, "{}");
    done(std::move(resp));
  };
  services->oauth = std::make_shared<OAuthRefresher>(&vault, services->transport);
}

void ConnectorHarness::credential(const std::string& name, const std::string& app, Value fields) {
  REQUIRE(vault.put(name, app, fields).ok());
}

Result<Value> ConnectorHarness::call(const std::string& type, Value params, const std::string& credential,
                                     const std::string& idempotency_key) {
  auto dot = type.find('.');
  auto manifest = builtin_registry().manifest(type.substr(0, dot));
  REQUIRE(manifest != nullptr);
  auto it = manifest->operations.find(type.substr(dot + 1));
  REQUIRE(it != manifest->operations.end());
  auto op = CompiledOperation::compile(*manifest, it->second);
  REQUIRE(op.ok());
  std::mutex m;
  std::condition_variable cv;
  std::optional<Result<Value>> result;
  run_connector_call(manifest, *op, services, CallInput{std::move(params), credential, idempotency_key},
                     [&](Result<Value> r, const CallInfo& info) {
                       std::lock_guard lk(m);
                       last_info = info;
                       result.emplace(std::move(r));
                       cv.notify_all();
                     });
  std::unique_lock lk(m);
  cv.wait(lk, [&] { return result.has_value(); });
  return std::move(*result);
}

Value json_body(const HttpRequest& r) {
  auto v = Value::parse(r.body);
  INFO("body: " << r.body);
  REQUIRE(v.ok());
  return std::move(*v);
}

std::vector<std::pair<std::string, std::string>> form_body(const HttpRequest& r) {
  std::vector<std::pair<std::string, std::string>> out;
  std::string_view b = r.body;
  while (!b.empty()) {
    auto amp = b.find('&');
    std::string_view pair = b.substr(0, amp);
    auto eq = pair.find('=');
    auto k = net::percent_decode(pair.substr(0, eq), true);
    auto v = net::percent_decode(eq == std::string_view::npos ? "" : pair.substr(eq + 1), true);
    REQUIRE(k.ok());
    REQUIRE(v.ok());
    out.emplace_back(*k, *v);
    if (amp == std::string_view::npos) break;
    b.remove_prefix(amp + 1);
  }
  return out;
}

std::string header(const HttpRequest& r, std::string_view name) {
  const std::string* v = find_header(r.headers, name);
  return v ? *v : std::string("<absent>");
}

HttpResponse json_response(int status, std::string_view json) {
  HttpResponse r;
  r.status = status;
  r.headers.emplace_back("Content-Type", "application/json");
  r.body = std::string(json);
  return r;
}

}  // namespace famulor::test
