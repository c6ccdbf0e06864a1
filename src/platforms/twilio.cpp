// Twilio status callbacks -> famulor's call model (twilio.hpp).
#include "platforms/twilio.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <ctime>

#include "security/base64.hpp"

namespace famulor::platforms {
namespace {

std::string param(const http::Params& params, std::string_view name) {
  for (const auto& [k, v] : params)
    if (k == name) return v;
  return {};
}

bool is_final(std::string_view status) {
  return status == "completed" || status == "busy" || status == "no-answer" || status == "canceled" ||
         status == "failed";
}

}  // namespace

std::string iso_from_rfc2822(std::string_view text) {
  static const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::string s(text);
  if (auto comma = s.find(','); comma != std::string::npos) s = s.substr(comma + 1);
  int day = 0, year = 0, hh = 0, mm = 0, ss = 0;
  char mon[4] = {0};
  char zone[8] = {0};
  if (std::sscanf(s.c_str(), " %d %3s %d %d:%d:%d %7s", &day, mon, &year, &hh, &mm, &ss, zone) < 6) return {};
  int month = -1;
  for (int i = 0; i < 12; ++i)
    if (std::strcmp(mon, months[i]) == 0) month = i;
  // Out-of-range fields are no date (and would overflow the arithmetic below).
  if (month < 0 || day < 1 || day > 31 || year < 1970 || year > 9999 || hh < 0 || hh > 23 || mm < 0 || mm > 59 ||
      ss < 0 || ss > 60)
    return {};
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month;
  tm.tm_mday = day;
  tm.tm_hour = hh;
  tm.tm_min = mm;
  tm.tm_sec = ss;
  std::int64_t t = static_cast<std::int64_t>(timegm(&tm));
  int offset = 0;  // "+0100": the local time is ahead of UTC
  if ((zone[0] == '+' || zone[0] == '-') && std::strlen(zone) == 5) {
    int z = std::atoi(zone + 1);
    if (z < 0 || z / 100 > 23 || z % 100 > 59) return {};
    offset = (z / 100) * 3600 + (z % 100) * 60;
    if (zone[0] == '-') offset = -offset;
  }
  return iso_from_unix_ms((t - offset) * 1000);
}

Result<Parsed> parse_twilio_status(const http::Params& params) {
  Parsed p;
  std::string sid = param(params, "CallSid");
  if (sid.empty()) return bad_field("CallSid", "missing: a Twilio status callback names its call");
  std::string status = param(params, "CallStatus");
  if (status.empty()) return bad_field("CallStatus", "missing");
  p.event = status;
  Object raw;
  for (const auto& [k, v] : params) raw.set(k, Value(v));
  if (!is_final(status)) return p;  // initiated, ringing, in-progress: acknowledged
  CallEvent& e = p.call;
  e.call_id = sid;
  e.platform = "twilio";
  e.event = status;
  std::string dir = param(params, "Direction");
  e.direction = dir == "inbound" ? "inbound" : dir.rfind("outbound", 0) == 0 ? "outbound" : "";
  e.from = to_e164(param(params, "From"));
  e.to = to_e164(param(params, "To"));
  e.status = status;
  e.end_reason = status;
  std::string duration = param(params, "CallDuration");
  if (duration.empty()) duration = param(params, "Duration");
  // Digits only, and few enough to be a duration (std::stod throws out_of_range past ~1e308).
  if (!duration.empty() && duration.size() <= 12 &&
      std::all_of(duration.begin(), duration.end(), [](char c) { return c >= '0' && c <= '9'; }))
    e.duration_s = std::stod(duration);
  e.ended_at = iso_from_rfc2822(param(params, "Timestamp"));
  e.recording_url = param(params, "RecordingUrl");
  Object meta;
  for (const char* k : {"AccountSid", "ParentCallSid", "CallerName", "ForwardedFrom", "SipResponseCode", "AnsweredBy"})
    if (auto v = param(params, k); !v.empty()) meta.set(k, Value(v));
  if (!dir.empty()) meta.set("Direction", Value(dir));
  e.metadata = Value(std::move(meta));
  e.analysis = Value::object({});
  e.variables = Value::object({});
  e.input_variables = Value::object({});
  e.raw = Value(std::move(raw));
  p.kind = Kind::ended;
  return p;
}

std::string sign_twilio(std::string_view auth_token, std::string_view url, const http::Params& params) {
  http::Params sorted = params;
  std::sort(sorted.begin(), sorted.end());
  std::string data(url);
  for (const auto& [k, v] : sorted) data += k + v;
  return security::base64_encode(hmac_sha1_raw(auth_token, data));
}

Status verify_twilio(const http::HttpHeaders& headers, const std::vector<std::string>& urls,
                     const http::Params& params, const std::vector<std::string>& secrets) {
  auto bad = [](std::string m) { return Status(StatusCode::unauthenticated, std::move(m)); };
  const std::string* header = headers.find("X-Twilio-Signature");
  if (!header) return bad("missing X-Twilio-Signature (FAMULOR_SECRET_TWILIO is set)");
  bool ok = false;
  for (const auto& url : urls)
    for (const auto& token : secrets)
      if (secret_matches(*header, {sign_twilio(token, url, params)})) ok = true;
  return ok ? Status()
            : bad("X-Twilio-Signature does not match FAMULOR_SECRET_TWILIO for " +
                  (urls.empty() ? std::string("this URL") : urls.front()) +
                  " (set FAMULOR_PUBLIC_URL / --public-url to the URL Twilio calls)");
}

}  // namespace famulor::platforms
