// value/json.hpp — internal JSON helpers: parsing with a source map, JSON paths and
// line:column positions, for errors of the form "file:line:col: $.nodes[2].id: ...".
//
// Thread-safety: free functions are reentrant; a SourceMap is a plain value (concurrent
// reads are safe, writes need exclusive access).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "famulor/status.hpp"
#include "famulor/value.hpp"

namespace famulor::detail {

// A 1-based position; column counts bytes (not characters) from the line start.
struct LineCol {
  int line = 1;
  int column = 1;
};

// Position of byte `offset` in text ("\n", "\r\n" and a lone "\r" each end a line).
// An offset past the end is clamped to the end.
LineCol line_col(std::string_view text, std::size_t offset);

// "line L, column C (offset O)" for the byte at offset in text.
std::string describe_position(std::string_view text, std::size_t offset);

// JSON paths: "$" is the root; members are ".name" when name is an identifier
// ([A-Za-z_][A-Za-z0-9_]*), else ["..."] with the key JSON-escaped; elements are [i].
// e.g. "$.nodes[2].params.text", "$[\"a b\"]".
std::string path_member(std::string_view parent, std::string_view key);
std::string path_index(std::string_view parent, std::size_t index);
// The parent of a path ("$.a[2]" -> "$.a"); nullopt for "$" or a malformed path.
std::optional<std::string_view> path_parent(std::string_view path);

// Byte offsets of every value (and of every object member's key) in a parsed document,
// by JSON path. With duplicate keys (last wins), the offsets are those of the last one.
class SourceMap {
 public:
  std::optional<std::size_t> value_offset(std::string_view path) const;
  // Offset of the member's key string (its opening quote).
  std::optional<std::size_t> key_offset(std::string_view path) const;
  // Nearest known offset for a path: the path itself, else its closest ancestor, else 0.
  std::size_t nearest(std::string_view path) const;

  void add_value(std::string path, std::size_t offset);
  void add_key(std::string path, std::size_t offset);
  std::size_t size() const noexcept { return values_.size(); }

 private:
  std::unordered_map<std::string, std::size_t> values_;
  std::unordered_map<std::string, std::size_t> keys_;
};

// Parses one JSON document like Value::parse; when map is not null, fills it with the
// offset of every value and key (paths are only built when a map is asked for).
// After an error the map holds what was recorded before it.
Result<Value> parse_json(std::string_view text, const ParseOptions& options, SourceMap* map);

// Strict validation of text as one JSON document, returning the offset and description
// of the first error, or nullopt when the text is valid. Slow path: used to locate
// errors precisely after the fast parser failed.
struct JsonError {
  std::size_t offset = 0;
  std::string what;
};
std::optional<JsonError> find_json_error(std::string_view text, std::size_t max_depth);

// Whether token is exactly one JSON number (RFC 8259 grammar: no leading zeros, no
// leading '+', digits on both sides of '.', an exponent with digits).
bool is_json_number(std::string_view token) noexcept;

// Length of the valid UTF-8 sequence starting at s[i], or 0 when it is invalid
// (overlong, surrogate, above U+10FFFF, truncated).
std::size_t utf8_sequence_length(std::string_view s, std::size_t i) noexcept;

// JSON-escapes s (with quotes) onto out; invalid UTF-8 bytes are written as \ufffd.
void write_json_string(std::string& out, std::string_view s);

}  // namespace famulor::detail
