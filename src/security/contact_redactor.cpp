// ContactRedactor: the phone spellings come from libphonenumber (country code,
// national significant number, national trunk prefix).
#include "security/contact_redactor.hpp"

#include <algorithm>
#include <cctype>

#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>

namespace famulor::security {
namespace {

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

constexpr const char* kErased = "[erased]";

bool phone_punct(char c) { return c == ' ' || c == '-' || c == '.' || c == '/' || c == '(' || c == ')'; }
bool digit(char c) { return c >= '0' && c <= '9'; }

std::string digits_of(const std::string& s) {
  std::string out;
  for (char c : s)
    if (digit(c)) out += c;
  return out;
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

Result<std::unique_ptr<ContactRedactor>> ContactRedactor::phone(const std::string& e164) {
  const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
  if (e164.empty() || e164.front() != '+')
    return invalid_argument("phone number '" + e164 + "' must be in E.164 form, starting with + and the country code");
  PhoneNumber n;
  if (util.Parse(e164, "ZZ", &n) != PhoneNumberUtil::NO_PARSING_ERROR || !util.IsPossibleNumber(n))
    return invalid_argument("'" + e164 + "' is not a phone number");
  std::string e, national, nsn;
  util.Format(n, PhoneNumberUtil::E164, &e);
  util.Format(n, PhoneNumberUtil::NATIONAL, &national);
  util.GetNationalSignificantNumber(n, &nsn);
  std::unique_ptr<ContactRedactor> r(new ContactRedactor());
  std::string full = digits_of(e);  // country code + national number
  for (std::string d : {full, "00" + full, "011" + full, digits_of(national), nsn}) {
    if (d.size() < 6) continue;  // too short to tell one person's number from anything else
    if (std::find(r->digits_.begin(), r->digits_.end(), d) == r->digits_.end()) r->digits_.push_back(std::move(d));
  }
  if (r->digits_.empty()) return invalid_argument("'" + e164 + "' is too short to match safely");
  return r;
}

Result<std::unique_ptr<ContactRedactor>> ContactRedactor::email(const std::string& address) {
  auto at = address.find('@');
  if (at == std::string::npos || at == 0 || at + 1 >= address.size() || address.find('@', at + 1) != std::string::npos ||
      address.find(' ') != std::string::npos)
    return invalid_argument("'" + address + "' is not an e-mail address (local@domain)");
  std::unique_ptr<ContactRedactor> r(new ContactRedactor());
  r->email_ = lower(address);
  return r;
}

std::size_t ContactRedactor::redact_text(std::string& text) const {
  std::size_t hits = 0;
  if (!email_.empty()) {
    std::string low = lower(text);
    std::string out;
    std::size_t from = 0;
    for (std::size_t at = low.find(email_); at != std::string::npos; at = low.find(email_, from)) {
      out.append(text, from, at - from);
      out += kErased;
      from = at + email_.size();
      ++hits;
    }
    if (hits) {
      out.append(text, from, std::string::npos);
      text = std::move(out);
    }
    return hits;
  }
  // Phone: every maximal run of digits and phone punctuation (with an optional
  // leading '+' or '('), split at spaces into pieces; any sequence of whole pieces
  // whose digits spell the number is replaced ("030 1234567 040 7654321" holds two
  // numbers). Trailing punctuation is not part of a match.
  std::size_t longest = 0;
  for (const auto& d : digits_) longest = std::max(longest, d.size());
  std::string out;
  std::size_t i = 0, copied = 0;
  auto starts_run = [&](std::size_t k) {
    return digit(text[k]) || ((text[k] == '+' || text[k] == '(') && k + 1 < text.size() && digit(text[k + 1]));
  };
  while (i < text.size()) {
    if (!starts_run(i)) {
      ++i;
      continue;
    }
    std::size_t run_end = i + 1;
    while (run_end < text.size() && (digit(text[run_end]) || phone_punct(text[run_end]))) ++run_end;
    bool glued = i > 0 && std::isalnum(static_cast<unsigned char>(text[i - 1])) != 0;  // "x4930..."
    // Pieces [begin, end) of the run, split at spaces.
    std::vector<std::pair<std::size_t, std::size_t>> pieces;
    for (std::size_t k = i; k < run_end;) {
      while (k < run_end && text[k] == ' ') ++k;
      std::size_t b = k;
      while (k < run_end && text[k] != ' ') ++k;
      if (k > b) pieces.emplace_back(b, k);
    }
    for (std::size_t a = 0; a < pieces.size() && !glued;) {
      std::string d;
      std::size_t matched = 0;  // pieces a..matched-1 spell the number
      for (std::size_t b = a; b < pieces.size(); ++b) {
        for (std::size_t k = pieces[b].first; k < pieces[b].second; ++k)
          if (digit(text[k])) d += text[k];
        if (d.size() > longest) break;
        if (std::find(digits_.begin(), digits_.end(), d) != digits_.end()) matched = b + 1;
      }
      if (matched == 0) {
        ++a;
        continue;
      }
      std::size_t from = pieces[a].first, to = pieces[matched - 1].second;
      while (to > from && !digit(text[to - 1])) --to;  // keep trailing punctuation
      if (text[from] == '(' || digit(text[from]) || text[from] == '+') {
        out.append(text, copied, from - copied);
        out += kErased;
        copied = to;
        ++hits;
      }
      a = matched;
    }
    i = run_end;
  }
  if (hits) {
    out.append(text, copied, std::string::npos);
    text = std::move(out);
  }
  return hits;
}

std::size_t ContactRedactor::redact(Value& v) const {
  std::size_t hits = 0;
  if (v.is_string()) return redact_text(v.as_string());
  if (v.is_int()) {
    if (!digits_.empty()) {
      std::string d = std::to_string(v.as_int());
      if (std::find(digits_.begin(), digits_.end(), d) != digits_.end()) {
        v = Value(kErased);
        return 1;
      }
    }
    return 0;
  }
  if (v.is_array()) {
    for (auto& item : v.as_array()) hits += redact(item);
    return hits;
  }
  if (v.is_object()) {
    Object& o = v.as_object();
    bool keys_changed = false;
    for (auto& [key, value] : o) {
      hits += redact(value);
      std::string k = key;
      if (redact_text(k)) keys_changed = true;
    }
    if (keys_changed) {  // rebuild: a redacted key may now collide with another
      Object fresh;
      int n = 0;
      for (auto& [key, value] : o) {
        std::string k = key;
        if (std::size_t h = redact_text(k); h) {
          hits += h;
          k += "#" + std::to_string(++n);
        }
        fresh.set(std::move(k), std::move(value));
      }
      o = std::move(fresh);
    }
  }
  return hits;
}

}  // namespace famulor::security
