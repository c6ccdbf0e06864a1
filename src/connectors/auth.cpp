#include "connectors/auth.hpp"

#include <chrono>

#include "connectors/errors.hpp"
#include "connectors/request_builder.hpp"
#include "security/base64.hpp"
#include "security/vault.hpp"

namespace famulor::connectors {
namespace {

std::int64_t system_now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

bool has_string(const Value& fields, const std::string& key) {
  const Value* v = fields.find(key);
  return v != nullptr && v->is_string() && !v->as_string().empty();
}

// Fills {field} references from credential fields ("{email}/token").
Result<std::string> fill(const std::string& tmpl, const Value& fields, const std::string& app) {
  std::string out;
  for (std::size_t i = 0; i < tmpl.size();) {
    if (tmpl[i] == '{') {
      auto j = tmpl.find('}', i);
      if (j == std::string::npos) break;
      std::string key = tmpl.substr(i + 1, j - i - 1);
      if (!has_string(fields, key))
        return Status(StatusCode::failed_precondition, app + ": the credential needs a '" + key + "' field");
      out += fields.find(key)->as_string();
      i = j + 1;
    } else {
      out += tmpl[i++];
    }
  }
  return out;
}

// The credential field a kind needs to be usable.
std::string needed_field(const AuthSpec& a) {
  switch (a.kind) {
    case AuthKind::api_key:
    case AuthKind::bearer: return a.field;
    case AuthKind::oauth2: return "refresh_token";
    case AuthKind::basic: {
      auto b = a.password.find('{');
      auto e = a.password.find('}');
      return b == std::string::npos || e == std::string::npos ? "password" : a.password.substr(b + 1, e - b - 1);
    }
    case AuthKind::none: return {};
  }
  return {};
}

}  // namespace

Result<const AuthSpec*> choose_auth(const Manifest& m, const Value& fields) {
  if (m.auth.empty()) return static_cast<const AuthSpec*>(nullptr);
  std::string wanted = fields.get_string("auth_kind");
  if (!wanted.empty()) {
    for (auto& a : m.auth)
      if (to_string(a.kind) == wanted) return a.kind == AuthKind::none ? nullptr : &a;
    return Status(StatusCode::failed_precondition,
                  m.app + ": the credential's auth_kind '" + wanted + "' is not one this app supports");
  }
  for (auto& a : m.auth) {
    if (a.kind == AuthKind::none) return static_cast<const AuthSpec*>(nullptr);
    if (a.kind == AuthKind::oauth2 && (has_string(fields, "refresh_token") || has_string(fields, "access_token")))
      return &a;
    if (a.kind != AuthKind::oauth2 && has_string(fields, needed_field(a))) return &a;
  }
  std::string kinds;
  for (auto& a : m.auth) kinds += (kinds.empty() ? "" : ", ") + std::string(to_string(a.kind)) + " (field '" + needed_field(a) + "')";
  return Status(StatusCode::failed_precondition, m.app + ": the credential fits none of this app's auth kinds: " + kinds);
}

Status apply_auth(const Manifest& m, const AuthSpec& a, const Value& fields, HttpRequest& req,
                  security::Redactor& redactor) {
  redactor.add_credential_fields(fields);
  switch (a.kind) {
    case AuthKind::none: return {};
    case AuthKind::api_key: {
      if (!has_string(fields, a.field))
        return Status(StatusCode::failed_precondition, m.app + ": the credential needs a '" + a.field + "' field");
      std::string key = fields.find(a.field)->as_string();
      if (a.in == "query") {
        req.url.push_back(req.url.find('?') == std::string::npos ? '?' : '&');
        req.url.append(percent_encode(a.name)).append("=").append(percent_encode(key));
      } else {
        set_header(req.headers, a.name, a.prefix + key);
      }
      return {};
    }
    case AuthKind::bearer:
    case AuthKind::oauth2: {
      if (!has_string(fields, a.field))
        return Status(StatusCode::failed_precondition, m.app + ": the credential needs a '" + a.field + "' field");
      set_header(req.headers, "Authorization", "Bearer " + fields.find(a.field)->as_string());
      return {};
    }
    case AuthKind::basic: {
      auto user = fill(a.username, fields, m.app);
      if (!user.ok()) return user.status();
      auto pass = fill(a.password, fields, m.app);
      if (!pass.ok()) return pass.status();
      std::string token = security::base64_encode(*user + ":" + *pass);
      redactor.add_secret(token);
      set_header(req.headers, "Authorization", "Basic " + token);
      return {};
    }
  }
  return {};
}

OAuthRefresher::OAuthRefresher(security::Vault* vault, Transport transport, Clock now)
    : vault_(vault), transport_(std::move(transport)), now_(now ? std::move(now) : Clock(system_now_ms)) {}

OAuthRefresher::~OAuthRefresher() = default;

bool OAuthRefresher::fresh(const Value& fields) const {
  if (!has_string(fields, "access_token")) return false;
  const Value* exp = fields.find("expires_at");
  if (exp == nullptr || !exp->is_number()) return true;  // no expiry known: use until a 401
  return static_cast<std::int64_t>(exp->as_double() * 1000) - now_() > kSkewMs;
}

int OAuthRefresher::refresh_count() const {
  std::lock_guard lk(mu_);
  return refreshes_;
}

void OAuthRefresher::ensure(const Manifest& m, const AuthSpec& auth, const std::string& name, Value fields,
                            std::string rejected, std::function<void(Result<Value>)> done) {
  // Someone may have refreshed since `fields` was read: the vault has the truth.
  if (vault_ != nullptr) {
    auto current = vault_->get(name);
    if (current.ok()) fields = std::move(current->fields);
  }
  std::string token = fields.get_string("access_token");
  if (fresh(fields) && (rejected.empty() || token != rejected)) {
    done(std::move(fields));
    return;
  }
  {
    std::lock_guard lk(mu_);
    auto [it, first] = waiting_.try_emplace(name);
    it->second.push_back(std::move(done));
    if (!first) return;  // a refresh is in flight: wait for it
    ++refreshes_;
  }
  refresh(m, auth, name, std::move(fields));
}

void OAuthRefresher::refresh(const Manifest& m, const AuthSpec& auth, const std::string& name, Value fields) {
  std::string where = m.app + ": OAuth token refresh for credential '" + name + "'";
  if (!has_string(fields, "refresh_token")) {
    finish(name, Status(StatusCode::unauthenticated, where + ": the access token expired and the credential has no refresh_token"));
    return;
  }
  HttpRequest req;
  req.method = "POST";
  std::string env_url = token_url_from_env(m.app);
  req.url = env_url.empty() ? auth.token_url : env_url;
  req.policy_applies = env_url.empty();
  Value form = Value::object({{"grant_type", "refresh_token"}, {"refresh_token", fields.get_string("refresh_token")}});
  if (auth.token_auth == "basic") {
    set_header(req.headers, "Authorization",
               "Basic " + security::base64_encode(fields.get_string("client_id") + ":" + fields.get_string("client_secret")));
  } else {
    if (has_string(fields, "client_id")) form["client_id"] = fields.get_string("client_id");
    if (has_string(fields, "client_secret")) form["client_secret"] = fields.get_string("client_secret");
  }
  auto body = form_encode(form);
  if (!body.ok()) {
    finish(name, Status(body.status().code(), where + ": " + body.status().message()));
    return;
  }
  req.body = std::move(*body);
  set_header(req.headers, "Content-Type", "application/x-www-form-urlencoded");
  set_header(req.headers, "Accept", "application/json");

  auto redactor = std::make_shared<security::Redactor>();
  redactor->add_credential_fields(fields);
  const Manifest* mp = &m;
  transport_(req, [this, mp, name, where, req, redactor, fields = std::move(fields)](Result<HttpResponse> r) mutable {
    if (!r.ok()) {
      finish(name, Status(r.status().code(), redactor->text(where + ": " + r.status().message())));
      return;
    }
    if (r->status < 200 || r->status >= 300) {
      Status e = http_error(*mp, where, req, *r, *redactor);
      // A refused refresh token is not going to work on retry either.
      StatusCode code = r->status == 400 || r->status == 401 ? StatusCode::unauthenticated : e.code();
      finish(name, Status(code, e.message()));
      return;
    }
    auto body = Value::parse(r->body);
    if (!body.ok() || !body->is_object() || !has_string(*body, "access_token")) {
      finish(name, Status(StatusCode::unavailable, where + ": the token endpoint answered without an access_token"));
      return;
    }
    fields["access_token"] = body->get_string("access_token");
    if (has_string(*body, "refresh_token")) fields["refresh_token"] = body->get_string("refresh_token");
    if (has_string(*body, "instance_url")) fields["instance_url"] = body->get_string("instance_url");
    if (const Value* e = body->find("expires_in"); e && e->is_number())
      fields["expires_at"] = Value(static_cast<std::int64_t>(now_() / 1000 + static_cast<std::int64_t>(e->as_double())));
    else
      fields.as_object().erase("expires_at");
    if (vault_ != nullptr) {
      auto existing = vault_->get(name);
      std::string connector = existing.ok() ? existing->connector : mp->app;
      if (auto s = vault_->put(name, connector, fields); !s.ok()) {
        finish(name, Status(s.code(), where + ": the new tokens could not be saved: " + s.message()));
        return;
      }
    }
    finish(name, std::move(fields));
  });
}

void OAuthRefresher::finish(const std::string& name, Result<Value> result) {
  std::vector<std::function<void(Result<Value>)>> waiters;
  {
    std::lock_guard lk(mu_);
    auto it = waiting_.find(name);
    if (it != waiting_.end()) {
      waiters = std::move(it->second);
      waiting_.erase(it);
    }
  }
  for (auto& w : waiters) w(result);
}

}  // namespace famulor::connectors
