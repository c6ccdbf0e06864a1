// Phone-number functions over libphonenumber. Only this file includes its headers.
// PhoneNumberUtil is a process-wide singleton whose const methods are thread-safe.
#include <cctype>
#include <string>

#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>

#include "expr/functions.hpp"

namespace famulor::expr::detail {
namespace {

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

const PhoneNumberUtil& util() {
  static const PhoneNumberUtil* u = PhoneNumberUtil::GetInstance();
  return *u;
}

// The region argument: two letters, upper-cased ("de" -> "DE"); default "US".
Status region_arg(std::string_view fn, const Args& a, std::size_t i, std::string& out) {
  out = "US";
  if (!a.has(i) || a[i].is_null()) return {};
  const std::string* r = nullptr;
  if (Status st = want_string(fn, a, i, r); !st.ok()) return st;
  if (r->size() != 2 || !std::isalpha(static_cast<unsigned char>((*r)[0])) ||
      !std::isalpha(static_cast<unsigned char>((*r)[1]))) {
    return fn_error(fn, "the region must be a two-letter country code like \"US\" or \"DE\", got \"" +
                            r->substr(0, 16) + "\"");
  }
  out = {static_cast<char>(std::toupper(static_cast<unsigned char>((*r)[0]))),
         static_cast<char>(std::toupper(static_cast<unsigned char>((*r)[1])))};
  return {};
}

// Parses the first argument; false when it is not a valid number (also for null,
// non-strings, and absurdly long input).
bool parse_valid(const Value& v, const std::string& region, PhoneNumber& out) {
  std::string text;
  if (v.is_string()) {
    text = v.as_string();
  } else if (v.is_int()) {
    text = std::to_string(v.as_int());
  } else {
    return false;
  }
  if (text.empty() || text.size() > 64) return false;
  if (util().Parse(text, region, &out) != PhoneNumberUtil::NO_PARSING_ERROR) return false;
  return util().IsValidNumber(out);
}

Status fn_e164(const Args& a, EvalCtx&, Value& out) {
  std::string region;
  if (Status st = region_arg("e164", a, 1, region); !st.ok()) return st;
  PhoneNumber n;
  if (!parse_valid(a[0], region, n)) {
    out = Value();
    return {};
  }
  std::string s;
  util().Format(n, PhoneNumberUtil::E164, &s);
  out = Value(std::move(s));
  return {};
}

Status fn_phone_valid(const Args& a, EvalCtx&, Value& out) {
  std::string region;
  if (Status st = region_arg("phone_valid", a, 1, region); !st.ok()) return st;
  PhoneNumber n;
  out = Value(parse_valid(a[0], region, n));
  return {};
}

Status fn_phone_region(const Args& a, EvalCtx&, Value& out) {
  std::string region;
  if (Status st = region_arg("phone_region", a, 1, region); !st.ok()) return st;
  PhoneNumber n;
  std::string code;
  if (parse_valid(a[0], region, n)) util().GetRegionCodeForNumber(n, &code);
  out = code.empty() || code == "ZZ" ? Value() : Value(std::move(code));
  return {};
}

Status fn_phone_format(const Args& a, EvalCtx&, Value& out) {
  std::string region;
  if (Status st = region_arg("phone_format", a, 2, region); !st.ok()) return st;
  PhoneNumberUtil::PhoneNumberFormat format = PhoneNumberUtil::INTERNATIONAL;
  if (a.has(1) && !a[1].is_null()) {
    const std::string* style = nullptr;
    if (Status st = want_string("phone_format", a, 1, style); !st.ok()) return st;
    if (*style == "national") {
      format = PhoneNumberUtil::NATIONAL;
    } else if (*style == "e164") {
      format = PhoneNumberUtil::E164;
    } else if (*style != "international") {
      return fn_error("phone_format", "style must be \"international\", \"national\" or \"e164\"");
    }
  }
  PhoneNumber n;
  if (!parse_valid(a[0], region, n)) {
    out = Value();
    return {};
  }
  std::string s;
  util().Format(n, format, &s);
  out = Value(std::move(s));
  return {};
}

}  // namespace

void add_phone_functions(std::vector<FunctionDef>& t) {
  using T = Value::Type;
  t.push_back({"e164", 1, 2, std::nullopt, true, fn_e164});
  t.push_back({"phone_valid", 1, 2, T::boolean, true, fn_phone_valid});
  t.push_back({"phone_region", 1, 2, std::nullopt, true, fn_phone_region});
  t.push_back({"phone_format", 1, 3, std::nullopt, true, fn_phone_format});
}

}  // namespace famulor::expr::detail
