// JSON parsing with simdjson On-Demand. The fast path walks the document once and
// builds the Value (and, when asked, a SourceMap). When anything fails, the strict
// validator in json_check.cpp runs over the text to name the first error and its
// line:column precisely — simdjson's own error positions are too coarse for users.
#include <charconv>
#include <memory>
#include <unordered_map>

#include <simdjson.h>

#include "value/json.hpp"

namespace famulor::detail {
namespace {

namespace od = simdjson::ondemand;

constexpr std::size_t kLinearKeyLookup = 16;       // objects above this size get a key index
constexpr std::size_t kCachedParserBytes = 1 << 20;  // larger documents use a one-off parser

bool is_ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string_view trim_right(std::string_view s) {
  while (!s.empty() && is_ws(s.back())) s.remove_suffix(1);
  return s;
}

// A number token (already checked against the JSON grammar) as the most faithful Value.
Value number_value(std::string_view t) {
  const char* first = t.data();
  const char* last = t.data() + t.size();
  if (t.find_first_of(".eE") == std::string_view::npos && t != "-0") {
    std::int64_t i = 0;
    auto [ptr, ec] = std::from_chars(first, last, i);
    if (ec == std::errc() && ptr == last) return Value(static_cast<long long>(i));
  }
  double d = 0.0;
  auto [ptr, ec] = std::from_chars(first, last, d);
  if (ec == std::errc() && ptr == last) {
    char buf[32];
    auto [end, ec2] = std::to_chars(buf, buf + sizeof buf, d);
    if (ec2 == std::errc() && std::string_view(buf, static_cast<std::size_t>(end - buf)) == t) return Value(d);
  }
  return Value(NumberText{std::string(t)});
}

// Unescaping \uDC00 alone would yield an encoded surrogate (invalid UTF-8); the input
// itself was UTF-8-validated by simdjson, so only escapes can introduce one (0xED...).
bool string_ok(std::string_view s) {
  return s.find('\xED') == std::string_view::npos || simdjson::validate_utf8(s.data(), s.size());
}

class Walker {
 public:
  Walker(std::string_view text, const char* base, const ParseOptions& options, SourceMap* map)
      : text_(text), base_(base), options_(options), map_(map) {
    if (map_ != nullptr) path_ = "$";
  }

  // Walks a value whose enclosing containers number `depth`. False on any error;
  // own_error() is set for errors the validator cannot see (duplicate keys).
  bool walk(od::value& v, std::size_t depth, Value& out) {
    std::string_view token = v.raw_json_token();
    if (map_ != nullptr) map_->add_value(path_, offset(token.data()));
    od::json_type type;
    if (v.type().get(type)) return false;
    switch (type) {
      case od::json_type::array: return walk_array(v, depth, out);
      case od::json_type::object: return walk_object(v, depth, out);
      case od::json_type::string: {
        std::string_view s;
        if (v.get_string().get(s) || !string_ok(s)) return false;
        out = Value(std::string(s));
        return true;
      }
      default: return scalar(trim_right(token), out);
    }
  }

  // true/false/null or a number, from its token.
  static bool scalar(std::string_view t, Value& out) {
    if (t == "true") {
      out = Value(true);
    } else if (t == "false") {
      out = Value(false);
    } else if (t == "null") {
      out = Value();
    } else if (is_json_number(t)) {
      out = number_value(t);
    } else {
      return false;
    }
    return true;
  }

  std::size_t offset(const char* p) const { return static_cast<std::size_t>(p - base_); }
  const std::optional<JsonError>& own_error() const { return own_error_; }

 private:
  bool walk_array(od::value& v, std::size_t depth, Value& out) {
    if (depth + 1 > options_.max_depth) return false;
    od::array a;
    if (v.get_array().get(a)) return false;
    Array items;
    std::size_t index = 0;
    for (auto child : a) {
      od::value cv;
      if (std::move(child).get(cv)) return false;
      std::size_t mark = push_index(index++);
      Value item;
      if (!walk(cv, depth + 1, item)) return false;
      pop(mark);
      items.push_back(std::move(item));
    }
    out = Value(std::move(items));
    return true;
  }

  bool walk_object(od::value& v, std::size_t depth, Value& out) {
    if (depth + 1 > options_.max_depth) return false;
    od::object o;
    if (v.get_object().get(o)) return false;
    Object members;
    std::vector<std::size_t> key_offsets;  // parallel to members, for duplicate reports
    std::unordered_map<std::string, std::size_t> index;  // key -> position, once large
    for (auto field_result : o) {
      od::field f;
      if (std::move(field_result).get(f)) return false;
      std::size_t key_at = offset(f.key().raw()) - 1;
      std::string_view key;
      if (f.unescaped_key().get(key) || !string_ok(key)) return false;
      std::size_t mark = push_member(key, key_at);
      Value item;
      if (!walk(f.value(), depth + 1, item)) return false;
      pop(mark);

      std::size_t existing = members.size();
      if (members.size() < kLinearKeyLookup) {
        for (std::size_t i = 0; i < members.size(); ++i) {
          if ((members.begin() + static_cast<std::ptrdiff_t>(i))->first == key) existing = i;
        }
      } else {
        if (index.empty()) {
          for (std::size_t i = 0; i < members.size(); ++i) index.emplace((members.begin() + static_cast<std::ptrdiff_t>(i))->first, i);
        }
        auto it = index.find(std::string(key));
        if (it != index.end()) existing = it->second;
      }
      if (existing < members.size()) {
        if (options_.reject_duplicate_keys) {
          LineCol first = line_col(text_, key_offsets[existing]);
          std::string quoted;
          write_json_string(quoted, key);
          own_error_ = JsonError{key_at, "duplicate key " + quoted + " in object (first at line " + std::to_string(first.line) +
                                             ", column " + std::to_string(first.column) + ")"};
          return false;
        }
        (members.begin() + static_cast<std::ptrdiff_t>(existing))->second = std::move(item);
        key_offsets[existing] = key_at;
        continue;
      }
      if (!index.empty()) index.emplace(std::string(key), members.size());
      members.append(std::string(key), std::move(item));
      key_offsets.push_back(key_at);
    }
    out = Value(std::move(members));
    return true;
  }

  std::size_t push_index(std::size_t i) {
    std::size_t mark = path_.size();
    if (map_ != nullptr) path_ = path_index(path_, i);
    return mark;
  }
  std::size_t push_member(std::string_view key, std::size_t key_at) {
    std::size_t mark = path_.size();
    if (map_ != nullptr) {
      path_ = path_member(path_, key);
      map_->add_key(path_, key_at);
    }
    return mark;
  }
  void pop(std::size_t mark) { path_.resize(mark); }

  std::string_view text_;
  const char* base_;
  const ParseOptions& options_;
  SourceMap* map_;
  std::string path_;
  std::optional<JsonError> own_error_;
};

// The parser to use for a document of len bytes: a per-thread one that keeps its
// buffers for small documents, a one-off for large ones. Null when allocation fails.
od::parser* parser_for(std::size_t len, std::size_t max_depth, std::unique_ptr<od::parser>& one_off) {
  thread_local od::parser cached;
  od::parser* p = &cached;
  if (len > kCachedParserBytes) {
    one_off = std::make_unique<od::parser>();
    p = one_off.get();
  }
  // simdjson's own limit sits above ours so that our check (with a precise message) fires first.
  std::size_t depth = max_depth < (std::size_t{1} << 16) ? max_depth + 2 : (std::size_t{1} << 16);
  if (p->max_depth() != depth || p->capacity() < len) {
    std::size_t capacity = p->capacity() < len ? len : p->capacity();
    if (p->allocate(capacity == 0 ? 64 : capacity, depth) != simdjson::SUCCESS) return nullptr;
  }
  return p;
}

Status error_at(std::string_view text, std::size_t offset, const std::string& what) {
  return invalid_argument(describe_position(text, offset) + ": " + what);
}

Result<Value> parse_impl(std::string_view text, const ParseOptions& options, SourceMap* map) {
  if (text.size() > options.max_bytes) {
    return error_at(text, options.max_bytes, "document is " + std::to_string(text.size()) +
                                                 " bytes, over the limit of " + std::to_string(options.max_bytes) +
                                                 " (ParseOptions::max_bytes)");
  }
  simdjson::padded_string padded(text);
  std::unique_ptr<od::parser> one_off;
  od::parser* parser = parser_for(text.size(), options.max_depth, one_off);
  if (parser == nullptr) return Status(StatusCode::resource_exhausted, "JSON parser: out of memory");

  Walker walker(text, padded.data(), options, map);
  Value result;
  simdjson::error_code simd_error = simdjson::SUCCESS;
  bool ok = false;
  od::document doc;
  if ((simd_error = parser->iterate(padded).get(doc)) == simdjson::SUCCESS) {
    od::json_type type;
    if ((simd_error = doc.type().get(type)) == simdjson::SUCCESS) {
      if (type == od::json_type::array || type == od::json_type::object) {
        od::value root;
        if ((simd_error = doc.get_value().get(root)) == simdjson::SUCCESS) {
          const char* trailing = nullptr;
          ok = walker.walk(root, 0, result) && doc.current_location().get(trailing) == simdjson::OUT_OF_BOUNDS;
        }
      } else {
        std::string_view token;
        if ((simd_error = doc.raw_json_token().get(token)) == simdjson::SUCCESS) {
          std::size_t start = walker.offset(token.data());
          std::size_t end = start + token.size();
          if (map != nullptr) map->add_value("$", start);
          bool rest_ws = true;
          for (std::size_t i = end; i < text.size(); ++i) rest_ws = rest_ws && is_ws(text[i]);
          if (!rest_ws) {
            ok = false;
          } else if (type == od::json_type::string) {
            std::string_view s;
            ok = !doc.get_string().get(s) && string_ok(s);
            if (ok) result = Value(std::string(s));
          } else {
            ok = Walker::scalar(trim_right(token), result);
          }
        }
      }
    }
  }
  if (ok) return result;

  if (walker.own_error()) return error_at(text, walker.own_error()->offset, walker.own_error()->what);
  if (auto err = find_json_error(text, options.max_depth)) return error_at(text, err->offset, err->what);
  // The validator found nothing: report what simdjson said (should not happen).
  return error_at(text, 0, std::string("invalid JSON (") +
                               (simd_error != simdjson::SUCCESS ? simdjson::error_message(simd_error) : "rejected by the parser") + ")");
}

}  // namespace

Result<Value> parse_json(std::string_view text, const ParseOptions& options, SourceMap* map) {
  try {
    return parse_impl(text, options, map);
  } catch (const std::bad_alloc&) {
    return Status(StatusCode::resource_exhausted, "JSON parser: out of memory");
  } catch (const std::exception& e) {
    return internal_error(std::string("JSON parser: ") + e.what());
  }
}

}  // namespace famulor::detail

namespace famulor {

Result<Value> Value::parse(std::string_view json, const ParseOptions& options) {
  return detail::parse_json(json, options, nullptr);
}

}  // namespace famulor
