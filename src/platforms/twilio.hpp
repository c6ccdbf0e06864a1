// platforms/twilio.hpp — Twilio Voice status callbacks (POST /v1/voice/twilio/status).
//
// Twilio POSTs application/x-www-form-urlencoded parameters: CallSid, AccountSid,
// From, To, Direction ("inbound", "outbound-api", "outbound-dial"), CallStatus
// ("queued", "initiated", "ringing", "in-progress", "completed", "busy",
// "no-answer", "canceled", "failed"), CallDuration, Timestamp (RFC 2822),
// CallbackSource, SequenceNumber, RecordingUrl... A final status is a finished
// call without transcript; the others are acknowledged.
#pragma once

#include <string_view>

#include "http/message.hpp"
#include "platforms/platform.hpp"

namespace famulor::platforms {

// `params`: the decoded form body in order. invalid_argument without CallSid.
Result<Parsed> parse_twilio_status(const http::Params& params);

// X-Twilio-Signature = base64(HMAC-SHA1(auth token, url + every POST parameter's
// name and value, sorted by name)), where url is the full URL Twilio requested
// (scheme, host, port if any, path and query). Any of `urls` (the candidates for
// how Twilio saw this request) may match, with any of `secrets`.
Status verify_twilio(const http::HttpHeaders& headers, const std::vector<std::string>& urls,
                     const http::Params& params, const std::vector<std::string>& secrets);
std::string sign_twilio(std::string_view auth_token, std::string_view url, const http::Params& params);

// "Tue, 10 Aug 2010 03:41:12 +0000" -> "2010-08-10T03:41:12.000Z"; "" when unreadable.
std::string iso_from_rfc2822(std::string_view text);

}  // namespace famulor::platforms
