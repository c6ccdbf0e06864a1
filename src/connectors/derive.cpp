#include "connectors/derive.hpp"

#include "security/aead.hpp"
#include "security/base64.hpp"

namespace famulor::connectors {
namespace {

bool ascii(std::string_view s) {
  for (unsigned char c : s)
    if (c >= 0x80) return false;
  return true;
}

// RFC 2047 encoded-word for non-ASCII header text.
std::string header_text(std::string_view s) {
  if (ascii(s)) return std::string(s);
  return "=?UTF-8?B?" + security::base64_encode(s) + "?=";
}

Result<std::string> address_list(const Value& params, std::string_view key) {
  const Value* v = params.find(key);
  if (v == nullptr || v->is_null()) return std::string();
  std::string out;
  auto add = [&](const Value& x) -> Status {
    if (!x.is_string()) return invalid_argument("param '" + std::string(key) + "' must be a string or array of strings");
    if (!out.empty()) out += ", ";
    out += x.as_string();
    return {};
  };
  if (v->is_array()) {
    for (auto& x : v->as_array())
      if (auto s = add(x); !s.ok()) return s;
  } else if (auto s = add(*v); !s.ok()) {
    return s;
  }
  return out;
}

std::string wrapped_base64(std::string_view body) {
  std::string b = security::base64_encode(body);
  std::string out;
  for (std::size_t i = 0; i < b.size(); i += 76) out += b.substr(i, 76) + "\r\n";
  return out;
}

std::string part(std::string_view type, std::string_view body) {
  return "Content-Type: " + std::string(type) +
         "; charset=\"UTF-8\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" + wrapped_base64(body);
}

}  // namespace

bool known_derivation(std::string_view name) noexcept {
  return name == "rfc822_raw" || name == "escape_quotes" || name == "phone_digits" || name == "byte_length";
}

Result<std::string> build_rfc822(const Value& params) {
  std::string headers;
  struct H {
    const char* name;
    const char* key;
    bool list;
  };
  static constexpr H kHeaders[] = {{"From", "from", true},         {"To", "to", true},
                                   {"Cc", "cc", true},             {"Bcc", "bcc", true},
                                   {"Reply-To", "reply_to", true}, {"In-Reply-To", "in_reply_to", false},
                                   {"References", "references", false}};
  for (auto& h : kHeaders) {
    auto v = address_list(params, h.key);
    if (!v.ok()) return v.status();
    if (v->empty()) continue;
    if (v->find_first_of("\r\n") != std::string::npos)
      return invalid_argument(std::string("param '") + h.key + "' must not contain line breaks");
    headers += std::string(h.name) + ": " + *v + "\r\n";
  }
  if (params.find("to") == nullptr) return invalid_argument("param 'to' is required");
  std::string subject = params.get_string("subject");
  if (subject.find_first_of("\r\n") != std::string::npos)
    return invalid_argument("param 'subject' must not contain line breaks");
  headers += "Subject: " + header_text(subject) + "\r\n";
  headers += "MIME-Version: 1.0\r\n";

  std::string html = params.get_string("html");
  std::string text = params.get_string("text");
  if (html.empty() && text.empty()) return invalid_argument("give 'html' or 'text' (or both)");
  if (!html.empty() && !text.empty()) {
    // Deterministic boundary: a retried call sends the very same bytes.
    std::string boundary = "famulor-" + security::to_hex(security::sha256(html + '\0' + text).substr(0, 12));
    return headers + "Content-Type: multipart/alternative; boundary=\"" + boundary + "\"\r\n\r\n--" + boundary +
           "\r\n" + part("text/plain", text) + "--" + boundary + "\r\n" + part("text/html", html) + "--" + boundary +
           "--\r\n";
  }
  return headers + (html.empty() ? part("text/plain", text) : part("text/html", html));
}

Status apply_derivation(std::string_view name, Value& params) {
  if (name == "rfc822_raw") {
    auto msg = build_rfc822(params);
    if (!msg.ok()) return msg.status();
    params["raw"] = Value(security::base64url_encode(*msg, false));
    return {};
  }
  if (name == "escape_quotes") {
    // For query languages with '...' literals (SOQL, Stripe search): <param>_q.
    Object extra;
    for (auto& [k, v] : params.as_object()) {
      if (!v.is_string()) continue;
      std::string q;
      for (char c : v.as_string()) {
        if (c == '\\' || c == '\'' || c == '"') q += '\\';
        if (c == '\n') {
          q += "\\n";
          continue;
        }
        q += c;
      }
      extra.set(k + "_q", Value(std::move(q)));
    }
    for (auto& [k, v] : extra) params[k] = std::move(v);
    return {};
  }
  if (name == "phone_digits") {
    // Zendesk search wants the number's digits only (no '+', spaces or dashes).
    std::string digits;
    for (char c : params.get_string("phone"))
      if (c >= '0' && c <= '9') digits += c;
    if (digits.empty()) return invalid_argument("param 'phone' holds no digits");
    params["phone_digits"] = Value(std::move(digits));
    return {};
  }
  if (name == "byte_length") {
    params["content_length"] = Value(static_cast<std::int64_t>(params.get_string("content").size()));
    return {};
  }
  return invalid_argument("unknown derivation '" + std::string(name) + "'");
}

}  // namespace famulor::connectors
