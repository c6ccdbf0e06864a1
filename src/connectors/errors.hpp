// connectors/errors.hpp — an app's HTTP error as a Status the retry policy
// understands, with the app's own error text in the message.
//
// 400/422 invalid_argument, 401 unauthenticated, 403 permission_denied, 404
// not_found, 409 already_exists, 408 deadline_exceeded, 429 resource_exhausted,
// 5xx unavailable. A status the manifest lists under retry.statuses is made
// retryable (unavailable) even when it would not be by default; a listed-out 5xx
// stays unavailable. The message reads
// "hubspot.create_contact: POST https://api.hubapi.com/... -> 409: <app message>"
// and is passed through the Redactor.
//
// Thread-safety: pure functions.
#pragma once

#include <string_view>

#include "connectors/http_exchange.hpp"
#include "connectors/manifest.hpp"
#include "famulor/status.hpp"
#include "security/redact.hpp"

namespace famulor::connectors {

StatusCode status_code_for_http(int http_status, const Manifest& manifest) noexcept;

// The app's error text: the first manifest error_message path that yields a
// string (or JSON) in a JSON body, else the body itself cut to 600 bytes.
std::string app_error_text(const Manifest& manifest, const HttpResponse& response);

Status http_error(const Manifest& manifest, std::string_view where, const HttpRequest& request,
                  const HttpResponse& response, const security::Redactor& redactor);

}  // namespace famulor::connectors
