// net/url.hpp — building request URLs and form bodies: percent-encoding (RFC 3986),
// joining a base URL with a path template whose `{param}`s are substituted and
// encoded, query strings, and application/x-www-form-urlencoded bodies with
// Stripe-style nesting (`metadata[order]=6735`, `items[0][price]=p_1`).
//
// Everything here is a pure function of its arguments. Thread-safety: none needed.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "famulor/status.hpp"

namespace famulor {
class Value;
}

namespace famulor::net {

using QueryParams = std::vector<std::pair<std::string, std::string>>;

// Encodes every byte except the unreserved characters A-Z a-z 0-9 - . _ ~ as %XX
// (upper-case hex). Safe for a path segment ("/" becomes %2F) and a query component.
std::string percent_encode(std::string_view s);
// application/x-www-form-urlencoded component: like percent_encode, but a space is
// "+", and with keep_brackets "[" and "]" stay literal (Stripe-style keys).
std::string form_encode_component(std::string_view s, bool keep_brackets = false);
// Decodes %XX (and "+" as a space when plus_as_space); invalid_argument on a
// malformed escape.
Result<std::string> percent_decode(std::string_view s, bool plus_as_space = false);

// Substitutes each `{name}` in `templ` by lookup(name), percent-encoded as one path
// segment. invalid_argument naming the parameter when lookup has none, or on an
// unclosed brace. `{{` and `}}` stand for literal braces.
Result<std::string> expand_path(std::string_view templ,
                                const std::function<std::optional<std::string>(std::string_view)>& lookup);

// base + path with exactly one "/" between them; the base's own path is kept
// ("https://api.x.com/v3" + "/contacts" → "https://api.x.com/v3/contacts"). A path
// that is itself an absolute http(s) URL replaces the base. An empty path is the base.
std::string join_url(std::string_view base, std::string_view path);

// Appends k=v pairs (percent-encoded) to url, after an existing query if any and
// before a fragment.
std::string append_query(std::string url, const QueryParams& params);

// ---- from Values (form.cpp) ----

enum class ArrayStyle {
  indices,  // a[0]=x&a[1]=y (Stripe, and form bodies by default)
  repeat,   // a=x&a=y (query strings by default)
};

// Flattens an object into key/value pairs: nested objects as a[b], arrays per
// `arrays`, null as "", booleans as true/false, numbers as their JSON text, strings
// as is. invalid_argument when `object` is not an object (null gives no pairs).
Result<QueryParams> flatten_params(const Value& object, ArrayStyle arrays);
// An application/x-www-form-urlencoded body from an object (arrays as indices).
Result<std::string> form_encode(const Value& object);
// `{name}` lookup into an object's members (strings as is, numbers and booleans as
// their JSON text; null, arrays and objects are not substituted).
std::function<std::optional<std::string>(std::string_view)> lookup_in(const Value& object);

}  // namespace famulor::net
