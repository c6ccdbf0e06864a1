// Operations routes: GET /metrics (Prometheus text), GET /v1/health/connectors
// (cached health checks) and /v1/credentials (the vault, admin; values are
// never returned).
#include "common/metrics.hpp"
#include "connectors/auth.hpp"
#include "engine/engine_impl.hpp"
#include "security/master_key.hpp"
#include "server/server_impl.hpp"

namespace famulor::server {
namespace {

using http::HttpRequest;
using http::HttpResponse;
using http::Responder;

HttpResponse metrics_response(Server::Impl& s) {
  std::vector<metrics::GaugeSample> gauges;
  auto& impl = s.engine.impl();
  gauges.push_back({"famulor_live_runs", "Runs started and not yet final (top-level, children and foreach items).",
                    static_cast<double>(impl.active_runs())});
  gauges.push_back({"famulor_workflows_installed", "Installed workflows.",
                    static_cast<double>(s.engine.workflow_ids().size())});
  if (s.http) {
    auto st = s.http->stats();
    gauges.push_back({"famulor_http_open_connections", "HTTP connections open now.",
                      static_cast<double>(st.open_connections)});
    gauges.push_back({"famulor_http_rejected_connections", "Connections answered 503 because the server was full (since start).",
                      static_cast<double>(st.rejected)});
  }
  return HttpResponse::text(200, metrics::render(gauges), "text/plain; version=0.0.4; charset=utf-8");
}

security::Vault* vault_of(Server::Impl& s) {
  auto& c = s.engine.impl().connectors;
  return c ? c->vault.get() : nullptr;
}

HttpResponse no_vault() {
  return HttpResponse::error(503, "unavailable",
                             "famulor serve runs without a database, so there is no vault; start it with --db PATH");
}

Value info_json(const security::CredentialInfo& c) {
  return Value::object({{"name", Value(c.name)},
                        {"connector", Value(c.connector)},
                        {"key_id", Value(c.key_id)},
                        {"created_at", Value(format_time_ms(c.created_ms))},
                        {"updated_at", Value(format_time_ms(c.updated_ms))}});
}

Value field_names(const Value& fields) {
  Array names;
  if (fields.is_object())
    for (auto& [k, _] : fields.as_object()) names.push_back(Value(k));
  return Value(std::move(names));
}

HttpResponse list_credentials(security::Vault& vault) {
  auto all = vault.list();
  if (!all.ok()) return error_response(all.status());
  Array out;
  for (auto& c : *all) {
    Value row = info_json(c);
    // Whether serve's key opens it (null without a key); the value is discarded.
    if (vault.has_key()) {
      auto got = vault.get(c.name);
      row["readable"] = Value(got.ok());
      if (!got.ok()) row["error"] = Value(got.status().message());
    } else {
      row["readable"] = Value();
    }
    out.push_back(std::move(row));
  }
  return HttpResponse::json(200, Value::object({{"credentials", Value(std::move(out))}}));
}

HttpResponse get_credential(security::Vault& vault, const std::string& name) {
  auto all = vault.list();
  if (!all.ok()) return error_response(all.status());
  for (auto& c : *all) {
    if (c.name != name) continue;
    Value row = info_json(c);
    if (vault.has_key()) {
      auto got = vault.get(name);
      row["readable"] = Value(got.ok());
      if (got.ok()) row["fields"] = field_names(got->fields);
      else row["error"] = Value(got.status().message());
    } else {
      row["readable"] = Value();
    }
    return HttpResponse::json(200, row);
  }
  return HttpResponse::error(404, "not_found", "no credential '" + name + "'");
}

HttpResponse put_credential(Server::Impl& s, security::Vault& vault, const HttpRequest& req) {
  const std::string name = req.param("id");
  if (!vault.has_key())
    return HttpResponse::error(503, "unavailable",
                               "famulor serve has no master key, so it cannot store credentials: " +
                                   std::string(security::master_key_hint()) + ", then restart serve");
  HttpResponse err;
  auto body = json_body(req, err);
  if (!body.ok()) return err;
  if (!body->is_object())
    return HttpResponse::error(400, "bad_request", "body: expected {\"connector\": \"<app>\", \"fields\": {...}}");
  const Value* app = body->find("connector");
  if (app == nullptr || !app->is_string() || app->as_string().empty())
    return HttpResponse::error(400, "bad_request", "body.connector: required, the app id (e.g. \"hubspot\")");
  const Value* fields = body->find("fields");
  if (fields == nullptr || !fields->is_object() || fields->size() == 0)
    return HttpResponse::error(400, "bad_request", "body.fields: required, a non-empty object of the credential's fields");
  for (auto& [k, v] : fields->as_object())
    if (!v.is_string() && !v.is_number() && !v.is_bool())
      return HttpResponse::error(400, "bad_request", "body.fields." + k + ": must be a string, number or boolean");
  const connectors::Manifest* m = s.engine.impl().connectors->registry.find(app->as_string());
  if (m == nullptr)
    return HttpResponse::error(422, "unknown_connector",
                               "body.connector: no connector '" + app->as_string() + "'; GET /v1/connectors lists them");
  if (auto a = connectors::choose_auth(*m, *fields); !a.ok())
    return HttpResponse::error(422, "invalid_credential", "body.fields: " + a.status().message());
  bool existed = false;
  if (auto all = vault.list(); all.ok())
    for (auto& c : *all) existed = existed || c.name == name;
  if (Status st = vault.put(name, app->as_string(), *fields); !st.ok()) return error_response(st);
  if (s.health) s.health->refresh_soon();
  return HttpResponse::json(existed ? 200 : 201, Value::object({{"name", Value(name)},
                                                                {"connector", Value(app->as_string())},
                                                                {"fields", field_names(*fields)},
                                                                {"key_id", Value(vault.key_id())}}));
}

}  // namespace

void add_ops_routes(Server::Impl& s) {
  (void)s.router.add("GET", "/metrics", [&s](HttpRequest req, Responder res) {
    if (!s.options.metrics_open)
      if (auto denied = authorize(req, s.tokens.get(), Role::viewer)) {
        res.send(std::move(*denied));
        return;
      }
    res.send(metrics_response(s));
  });
  guarded_route(s, "GET", "/v1/health/connectors", Role::viewer, [&s](const HttpRequest&) {
    if (!s.health) return HttpResponse::json(200, Value::object({{"connectors", Value(Array{})}}));
    return HttpResponse::json(200, s.health->snapshot());
  });

  guarded_route(s, "GET", "/v1/credentials", Role::admin, [&s](const HttpRequest&) {
    auto* v = vault_of(s);
    return v ? list_credentials(*v) : no_vault();
  });
  guarded_route(s, "GET", "/v1/credentials/{id}", Role::admin, [&s](const HttpRequest& r) {
    auto* v = vault_of(s);
    return v ? get_credential(*v, r.param("id")) : no_vault();
  });
  guarded_route(s, "PUT", "/v1/credentials/{id}", Role::admin, [&s](const HttpRequest& r) {
    auto* v = vault_of(s);
    return v ? put_credential(s, *v, r) : no_vault();
  });
  guarded_route(s, "DELETE", "/v1/credentials/{id}", Role::admin, [&s](const HttpRequest& r) {
    auto* v = vault_of(s);
    if (!v) return no_vault();
    Status st = v->remove(r.param("id"));
    if (st.ok() && s.health) s.health->refresh_soon();
    return st.ok() ? HttpResponse::empty(204) : error_response(st);
  });
}

}  // namespace famulor::server
