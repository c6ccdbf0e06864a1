// Form bodies and query parameters from Values (Stripe-style nesting).
#include "famulor/value.hpp"
#include "net/url.hpp"

namespace famulor::net {

namespace {

// A scalar as form text; nullopt for arrays and objects.
std::optional<std::string> scalar_text(const Value& v) {
  switch (v.type()) {
    case Value::Type::null: return std::string();
    case Value::Type::boolean: return std::string(v.as_bool() ? "true" : "false");
    case Value::Type::string: return v.as_string();
    case Value::Type::integer:
    case Value::Type::number: return v.dump();
    default: return std::nullopt;
  }
}

void flatten(const std::string& key, const Value& v, ArrayStyle arrays, QueryParams& out) {
  if (v.is_object()) {
    for (const auto& [k, member] : v.as_object()) flatten(key + "[" + k + "]", member, arrays, out);
  } else if (v.is_array()) {
    const Array& items = v.as_array();
    for (std::size_t i = 0; i < items.size(); ++i) {
      std::string item_key = arrays == ArrayStyle::indices ? key + "[" + std::to_string(i) + "]" : key;
      flatten(item_key, items[i], arrays, out);
    }
  } else {
    out.emplace_back(key, *scalar_text(v));
  }
}

}  // namespace

Result<QueryParams> flatten_params(const Value& object, ArrayStyle arrays) {
  QueryParams out;
  if (object.is_null()) return out;
  if (!object.is_object())
    return invalid_argument("expected an object of parameters, got " + std::string(to_string(object.type())));
  for (const auto& [k, v] : object.as_object()) flatten(k, v, arrays, out);
  return out;
}

Result<std::string> form_encode(const Value& object) {
  auto pairs = flatten_params(object, ArrayStyle::indices);
  if (!pairs.ok()) return pairs.status();
  std::string out;
  for (const auto& [k, v] : *pairs) {
    if (!out.empty()) out += '&';
    out += form_encode_component(k, /*keep_brackets=*/true);
    out += '=';
    out += form_encode_component(v);
  }
  return out;
}

std::function<std::optional<std::string>(std::string_view)> lookup_in(const Value& object) {
  return [&object](std::string_view name) -> std::optional<std::string> {
    const Value* v = object.find(name);
    if (!v || v->is_null() || v->is_array() || v->is_object()) return std::nullopt;
    return scalar_text(*v);
  };
}

}  // namespace famulor::net
