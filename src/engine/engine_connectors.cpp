#include "engine/engine_connectors.hpp"

#include "connectors/auth.hpp"
#include "connectors/client_transport.hpp"
#include "net/outbound_policy.hpp"
#include "security/master_key.hpp"
#include "store/sqlite_credential_records.hpp"

namespace famulor::detail {
namespace {

// The vault in the engine's database. A missing key is not an error here: nodes
// that need a credential then fail saying how to make one.
Status open_vault(const EngineOptions& o, std::unique_ptr<security::Vault>& out) {
  if (o.db.empty() || o.db.find("://") != std::string::npos) return {};
  std::optional<security::MasterKey> key;
  if (!o.master_key_file.empty()) {
    auto k = security::MasterKey::from_file(o.master_key_file);
    if (!k.ok()) return Status(k.status().code(), "master key file " + o.master_key_file + ": " + k.status().message());
    key = std::move(*k);
  } else if (auto k = security::MasterKey::from_env(); k.ok()) {
    key = std::move(*k);
  } else if (k.status().code() != StatusCode::not_found) {
    return Status(k.status().code(), "FAMULOR_MASTER_KEY: " + k.status().message());
  }
  auto records = store::open_sqlite_credential_records(o.db);
  if (!records.ok()) return records.status();
  out = std::make_unique<security::Vault>(std::move(*records), std::move(key));
  return {};
}

}  // namespace

std::string url_host(const std::string& url) {
  auto scheme = url.find("://");
  if (scheme == std::string::npos) return {};
  std::size_t start = scheme + 3;
  if (start < url.size() && url[start] == '[') {
    auto close = url.find(']', start);
    return close == std::string::npos ? std::string() : url.substr(start + 1, close - start - 1);
  }
  auto end = url.find_first_of(":/?#", start);
  return url.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

std::unique_ptr<EngineConnectors> make_engine_connectors(const EngineOptions& o, net::NetServices net,
                                                         net::OutboundPolicy& policy) {
  auto ec = std::make_unique<EngineConnectors>();
  const auto& builtin = connectors::builtin_registry();
  for (auto& m : builtin.apps()) ec->registry.add_shared(m);
  if (!o.connectors_dir.empty()) {
    connectors::Registry extra;
    if (Status s = extra.load_dir(o.connectors_dir); !s.ok() && ec->error.ok())
      ec->error = Status(s.code(), "--connectors " + o.connectors_dir + ": " + s.message());
    for (auto& m : extra.apps()) {
      for (auto& [_, op] : m->operations) ec->extra_types.push_back(connectors::node_type_info(*m, op));
      ec->registry.add_shared(m);
    }
  }
  for (auto& h : o.allow_hosts)
    if (Status s = policy.allow(h); !s.ok() && ec->error.ok()) ec->error = Status(s.code(), "allowed host " + h + ": " + s.message());

  if (Status s = open_vault(o, ec->vault); !s.ok() && ec->error.ok()) ec->error = s;

  auto svc = std::make_shared<connectors::ConnectorServices>();
  svc->credentials = o.credentials;
  svc->vault = ec->vault.get();
  if (net.client != nullptr) svc->transport = connectors::make_client_transport(*net.client, net.pool, net.policy);
  svc->oauth = std::make_shared<connectors::OAuthRefresher>(ec->vault.get(), svc->transport);
  svc->dry_run = o.dry_run;
  svc->reliability = net.reliability;
  if (!o.sandbox_url.empty()) {
    std::string url = o.sandbox_url;
    while (!url.empty() && url.back() == '/') url.pop_back();
    std::string host = url_host(url);
    if (host.empty()) {
      if (ec->error.ok()) ec->error = invalid_argument("sandbox URL '" + o.sandbox_url + "' is not http://HOST:PORT");
    } else if (Status s = policy.allow(host); !s.ok() && ec->error.ok()) {
      ec->error = Status(s.code(), "sandbox URL " + o.sandbox_url + ": " + s.message());
    }
    svc->sandbox_url = url;
    svc->placeholder_credentials = true;
  }
  ec->services = std::move(svc);
  return ec;
}

}  // namespace famulor::detail
