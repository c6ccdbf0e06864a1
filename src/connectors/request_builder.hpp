// connectors/request_builder.hpp — turns (operation, params, credential) into the
// exact HttpRequest the app expects.
//
// Templates in a manifest's query, headers and body are compiled once per
// operation (expr::ValueTemplate) with the node's params in scope as `params.*`;
// path placeholders `{name}` are filled with the percent-encoded param. Members
// that evaluate to null are left out of the query, the headers and JSON/form
// bodies, so optional params simply vanish. Form bodies use bracket nesting
// (`metadata[call_id]=...`, `line_items[0][price]=...`), as Stripe expects.
//
// The base URL is, in order: FAMULOR_<APP>_BASE_URL (operator; outbound policy
// exempt), else the manifest's base_url with {credential.FIELD} filled from the
// credential (per-account hosts: Zendesk's subdomain, Salesforce's instance_url;
// the outbound policy applies), or, for webhook-style operations, the URL in the
// credential field named by url_from_credential.
//
// Thread-safety: a CompiledOperation is immutable after compile() and may build
// requests from many threads at once.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "connectors/http_exchange.hpp"
#include "connectors/manifest.hpp"
#include "famulor/status.hpp"
#include "famulor/value.hpp"

namespace famulor::connectors {

struct BuildOptions {
  std::string base_url_override;  // "" = none (see resolve_base_url)
  std::string idempotency_key;    // "" = none
};

class CompiledOperation {
 public:
  // Compiles the templates of `op` (kept by pointer: the manifest must outlive this).
  static Result<std::shared_ptr<const CompiledOperation>> compile(const Manifest& manifest, const Operation& op);
  ~CompiledOperation();

  const Manifest& manifest() const noexcept { return *manifest_; }
  const Operation& operation() const noexcept { return *op_; }
  // The compiled steps of a multi-step operation (empty otherwise).
  const std::vector<std::shared_ptr<const CompiledOperation>>& steps() const noexcept { return steps_; }

  // Params with defaults filled in, derived params added, and checked against the
  // operation's param list (names the missing or mistyped param).
  Result<Value> prepare_params(const Value& params) const;
  // The request without authentication (see auth.hpp), for prepared params.
  // `credential_fields` (may be null) supplies per-account hosts and webhook URLs.
  Result<HttpRequest> build(const Value& prepared_params, const Value* credential_fields,
                            const BuildOptions& options) const;

  struct Impl;

 private:
  CompiledOperation() = default;
  const Manifest* manifest_ = nullptr;
  const Operation* op_ = nullptr;
  std::unique_ptr<Impl> impl_;
  std::vector<std::shared_ptr<const CompiledOperation>> steps_;
};

// FAMULOR_<APP>_BASE_URL, or "" when unset.
std::string base_url_from_env(std::string_view app);
// FAMULOR_<APP>_TOKEN_URL, or "" when unset.
std::string token_url_from_env(std::string_view app);

// Thin wrappers over net/url.hpp that first drop null members (absent optional
// params): a path segment / query component; a form body with Stripe-style
// nesting (`a[b]=c`, `items[0][price]=p`); a query string without "?" (arrays
// repeat the key).
std::string percent_encode(std::string_view s);
Result<std::string> form_encode(const Value& object);
Result<std::string> query_encode(const Value& object);

}  // namespace famulor::connectors
