// connectors/manifest.hpp — a connector manifest (connectors/<app>.json), parsed.
//
// The format is documented in docs/connectors.md. A Manifest is plain data: the
// app, how to authenticate, and its operations, each of which becomes the node
// type `<app>.<operation>`. parse_manifest() checks everything a request builder
// later relies on (methods, placeholders naming declared params, auth kinds,
// pagination kinds) and reports every problem with its JSON path.
//
// Thread-safety: plain values; immutable after parsing.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/circuit_breaker.hpp"
#include "famulor/status.hpp"
#include "famulor/value.hpp"

namespace famulor::connectors {

enum class AuthKind { none, api_key, bearer, basic, oauth2 };

struct AuthSpec {
  AuthKind kind = AuthKind::none;
  // api_key: where ("header" | "query") and under which name; bearer/api_key: the
  // credential field holding the secret (default "api_key" / "access_token").
  std::string in = "header";
  std::string name;
  std::string field;
  std::string prefix;  // api_key in a header: value prefix, e.g. "Token "
  // basic: templates over credential fields, e.g. "{email}/token" and "{api_token}".
  std::string username;
  std::string password;
  // oauth2
  std::string token_url;
  std::string token_auth = "body";  // client credentials in the form body, or "basic"
  std::vector<std::string> scopes;
};

struct ParamInfo {
  std::string name;
  std::vector<Value::Type> types;  // empty = any
  bool required = false;
  std::string description;
  Value default_value;  // null = none
};

enum class BodyFormat { none, json, form, raw };

struct Pagination {
  enum class Kind { none, cursor, next_link, page } kind = Kind::none;
  std::string items;        // path to the items in each page
  std::string next;         // cursor / next link: path in the response to the next cursor or URL
  std::string param;        // cursor / page: the query (or body, for POST) field that carries it
  bool in_body = false;     // the cursor goes into the JSON body (HubSpot search `after`)
  std::int64_t start = 1;   // page: first page number
  std::string size_param;   // page: page-size query param, if any
};

struct Output {
  std::string path;        // "" = the whole body
  bool parse_json = false; // the extracted value is a JSON document in a string
  Value fallback;          // returned when the path is absent (null = error unless optional)
  bool optional = false;   // a missing path yields `fallback` instead of failing
};

struct Operation {
  std::string name;
  std::string description;
  std::string method = "GET";
  std::string path;  // may hold {param} placeholders (percent-encoded when substituted)
  std::string url_field;  // the full URL comes from this credential field (webhooks) instead of base_url + path
  std::string url;        // a template giving the full URL (a step that posts to a URL an earlier step returned)
  // Several requests in order (e.g. Slack's upload: get URL, upload bytes,
  // complete). Each step's output is visible to later ones as params.steps.<name>;
  // the last step's output is the operation's output.
  std::vector<Operation> steps;
  Value query;       // object of templates; null members dropped
  Value headers;     // object of templates
  Value body;        // template tree (null = no body)
  BodyFormat body_format = BodyFormat::none;
  Output output;
  Pagination pagination;
  std::vector<ParamInfo> params;
  std::vector<std::string> derive;  // named helpers run on params first (e.g. "rfc822_raw")
  bool idempotent_create = false;   // send the idempotency header (apps that honour one)
  bool send_auth = true;            // "auth": false — e.g. a pre-signed upload URL gets no token
  Value sample_response;            // for the sandbox
  int sample_status = 200;
};

struct Manifest {
  std::string app;
  std::string title;
  std::string category;
  std::string description;
  std::string docs_url;
  std::string base_url;  // may hold {credential.FIELD} for per-account hosts
  std::vector<AuthSpec> auth;
  std::string idempotency_header;      // "" = the app honours none
  std::vector<int> retry_statuses = {408, 429, 500, 502, 503, 504};
  double rate_limit_per_second = 0;    // hint; 0 = none given
  int rate_limit_burst = 0;
  // "circuit_breaker": {...}: this app's breaker, unless EngineOptions overrides it.
  std::optional<detail::BreakerConfig> circuit_breaker;
  std::vector<std::string> error_message_paths;  // where the app puts its error text
  // Apps that answer 200 with {"ok": false, "error": "..."} (Slack): the path of
  // the success flag; false makes the call fail.
  std::string ok_path;
  // The app's error text/code -> what the caller should do (StatusCode name).
  std::map<std::string, StatusCode> error_codes;
  Value default_headers;               // object sent with every request
  std::optional<Operation> health;     // a cheap authenticated request
  std::map<std::string, Operation> operations;
  std::string source;                  // file or "builtin:<app>.json"
};

// Parses and checks one manifest document. `source` names it in error messages.
Result<Manifest> parse_manifest(const Value& doc, const std::string& source);
Result<Manifest> parse_manifest_text(std::string_view json, const std::string& source);

std::string_view to_string(AuthKind kind) noexcept;
// "unavailable" -> StatusCode::unavailable; nullopt for an unknown name.
std::optional<StatusCode> status_code_named(std::string_view name) noexcept;

}  // namespace famulor::connectors
