#include "connectors/placeholder_credentials.hpp"

namespace famulor::connectors {
namespace {

// Every "{name}" in a basic-auth template ("{email}/token") gets a value.
void fill_braced(const std::string& tmpl, const std::string& value, Value& fields) {
  for (auto b = tmpl.find('{'); b != std::string::npos; b = tmpl.find('{', b + 1)) {
    auto e = tmpl.find('}', b);
    if (e == std::string::npos) return;
    fields[tmpl.substr(b + 1, e - b - 1)] = Value(value);
  }
}

}  // namespace

Value placeholder_credential(const Manifest& m) {
  const std::string value = "sandbox-" + m.app;
  Value fields = Value::object();
  for (auto& a : m.auth) {
    if (a.kind == AuthKind::none) break;
    fields["auth_kind"] = Value(std::string(to_string(a.kind)));
    switch (a.kind) {
      case AuthKind::api_key:
      case AuthKind::bearer: fields[a.field] = Value(value); break;
      case AuthKind::oauth2:
        fields[a.field.empty() ? std::string("access_token") : a.field] = Value(value);
        break;
      case AuthKind::basic:
        fill_braced(a.username, value, fields);
        fill_braced(a.password, value, fields);
        break;
      case AuthKind::none: break;
    }
    break;  // the first kind the app lists
  }
  // Per-account hosts ({credential.subdomain}); the sandbox URL replaces the host anyway.
  // Account ids in operation paths ({credential.account_sid}) likewise.
  const std::string marker = "{credential.";
  auto fill_markers = [&](const std::string& tmpl) {
    for (auto b = tmpl.find(marker); b != std::string::npos; b = tmpl.find(marker, b + 1)) {
      auto e = tmpl.find('}', b);
      if (e == std::string::npos) break;
      std::string key = tmpl.substr(b + marker.size(), e - b - marker.size());
      if (fields.find(key) == nullptr) fields[key] = Value(key == "instance_url" ? "https://sandbox.invalid" : "sandbox");
    }
  };
  fill_markers(m.base_url);
  for (auto& [name, op] : m.operations) fill_markers(op.path);
  // Webhook-style operations read their whole URL from the credential; the sandbox
  // URL replaces its origin and keeps the path.
  for (auto& [name, op] : m.operations)
    if (!op.url_field.empty() && fields.find(op.url_field) == nullptr)
      fields[op.url_field] = Value("https://sandbox.invalid/webhook/" + m.app);
  return fields;
}

}  // namespace famulor::connectors
