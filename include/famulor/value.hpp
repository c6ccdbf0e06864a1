// famulor/value.hpp — Value: a JSON value that owns its data.
//
// null, bool, integer (int64), number (double, or a big/precise number kept as its
// original text), string (UTF-8), array, object. Objects keep insertion order and
// look keys up linearly: they are small in practice (event payloads, node outputs).
//
// Parsing validates UTF-8, reports the byte offset and line:column of the first
// error, and refuses nesting deeper than ParseOptions::max_depth (default 256).
// Writing is exact: integers and number text round-trip unchanged, doubles are
// written in the shortest form that parses back to the same double, and strings
// are escaped per RFC 8259 (non-ASCII written as UTF-8, not \u escapes).
//
// Thread-safety: a Value is a plain value type. Concurrent reads of one Value are
// safe; any write needs exclusive access. Copies are deep.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "famulor/status.hpp"

namespace famulor {

class Value;

// An insertion-ordered JSON object. Keys are unique: set() replaces in place.
class Object {
 public:
  using Member = std::pair<std::string, Value>;
  using iterator = std::vector<Member>::iterator;
  using const_iterator = std::vector<Member>::const_iterator;

  Object() = default;
  Object(std::initializer_list<Member> members);

  // The value under key, or nullptr.
  const Value* find(std::string_view key) const noexcept;
  Value* find(std::string_view key) noexcept;
  bool contains(std::string_view key) const noexcept { return find(key) != nullptr; }
  // Inserts or replaces; returns the stored value.
  Value& set(std::string key, Value value);
  // Appends without checking for an existing key (parsers that already checked).
  Value& append(std::string key, Value value);
  // Returns the value under key, inserting null when absent.
  Value& operator[](std::string_view key);
  bool erase(std::string_view key);

  // Defined below Value: they need a complete Value (clang instantiates them here).
  std::size_t size() const noexcept;
  bool empty() const noexcept;
  void reserve(std::size_t n);
  iterator begin() noexcept { return members_.begin(); }
  iterator end() noexcept { return members_.end(); }
  const_iterator begin() const noexcept { return members_.begin(); }
  const_iterator end() const noexcept { return members_.end(); }

  friend bool operator==(const Object& a, const Object& b);

 private:
  std::vector<Member> members_;
};

using Array = std::vector<Value>;

struct ParseOptions {
  // Arrays/objects nested deeper are refused. The parser recurses once per level, so
  // keep this within a few thousand.
  std::size_t max_depth = 256;
  std::size_t max_bytes = 64 * 1024 * 1024;  // larger documents are refused
  // Duplicate keys in one object: by default the last one wins (JSON.parse semantics:
  // the member keeps the position of its first occurrence). When true, a duplicate
  // key is an error naming the key and its location.
  bool reject_duplicate_keys = false;
};

// A number kept as its JSON text because no int64 or double holds it exactly
// (e.g. 12345678901234567890 or 0.1000000000000000055511151231257827).
struct NumberText {
  std::string text;
  friend bool operator==(const NumberText& a, const NumberText& b) { return a.text == b.text; }
};

class Value {
 public:
  enum class Type { null, boolean, integer, number, string, array, object };

  Value() noexcept = default;  // null
  Value(std::nullptr_t) noexcept {}
  Value(bool b) noexcept : v_(b) {}
  Value(int i) noexcept : v_(static_cast<std::int64_t>(i)) {}
  Value(long i) noexcept : v_(static_cast<std::int64_t>(i)) {}
  Value(long long i) noexcept : v_(static_cast<std::int64_t>(i)) {}
  Value(unsigned i) noexcept : v_(static_cast<std::int64_t>(i)) {}
  // Unsigned values above INT64_MAX are kept exactly, as NumberText.
  Value(unsigned long i) : Value(static_cast<unsigned long long>(i)) {}
  Value(unsigned long long i);
  Value(double d) noexcept : v_(d) {}
  Value(const char* s) : v_(std::string(s)) {}
  Value(std::string s) noexcept : v_(std::move(s)) {}
  Value(std::string_view s) : v_(std::string(s)) {}
  Value(Array a) noexcept : v_(std::move(a)) {}
  Value(Object o) noexcept : v_(std::move(o)) {}
  Value(NumberText n) noexcept : v_(std::move(n)) {}

  static Value array(std::initializer_list<Value> items = {}) { return Value(Array(items)); }
  static Value object(std::initializer_list<Object::Member> members = {}) { return Value(Object(members)); }

  // Parses one JSON document (RFC 8259; surrounding whitespace allowed). Errors say
  // "line L, column C (offset O): what"; invalid UTF-8 and nesting over
  // max_depth are errors.
  static Result<Value> parse(std::string_view json, const ParseOptions& options = {});

  Type type() const noexcept;
  bool is_null() const noexcept { return v_.index() == 0; }
  bool is_bool() const noexcept { return v_.index() == 1; }
  bool is_int() const noexcept { return v_.index() == 2; }
  // int, double or NumberText.
  bool is_number() const noexcept { return v_.index() == 2 || v_.index() == 3 || v_.index() == 7; }
  bool is_string() const noexcept { return v_.index() == 4; }
  bool is_array() const noexcept { return v_.index() == 5; }
  bool is_object() const noexcept { return v_.index() == 6; }

  // Accessors require the matching type: on another type they throw
  // std::bad_variant_access (a bug in the caller). The get_* forms below are the
  // forgiving ones.
  bool as_bool() const { return std::get<1>(v_); }
  std::int64_t as_int() const { return std::get<2>(v_); }
  // Any number as a double (integers converted, NumberText parsed).
  double as_double() const;
  const std::string& as_string() const { return std::get<4>(v_); }
  std::string& as_string() { return std::get<4>(v_); }
  const Array& as_array() const { return std::get<5>(v_); }
  Array& as_array() { return std::get<5>(v_); }
  const Object& as_object() const { return std::get<6>(v_); }
  Object& as_object() { return std::get<6>(v_); }
  const NumberText* as_number_text() const noexcept { return std::get_if<7>(&v_); }

  // Object member or nullptr (also nullptr when this is not an object).
  const Value* find(std::string_view key) const noexcept;
  Value* find(std::string_view key) noexcept;
  // Array element or nullptr when out of range or not an array.
  const Value* at(std::size_t index) const noexcept;

  // Object access that converts null to an empty object first; requires object or null.
  Value& operator[](std::string_view key);

  std::string get_string(std::string_view key, std::string_view fallback = {}) const;
  std::int64_t get_int(std::string_view key, std::int64_t fallback = 0) const;
  bool get_bool(std::string_view key, bool fallback = false) const;

  // Number of elements (array), members (object), bytes (string), else 0.
  std::size_t size() const noexcept;

  // Compact JSON.
  std::string dump() const;
  // Indented JSON (indent spaces per level), newline-free at the end.
  std::string pretty(int indent = 2) const;
  // Appends compact JSON to out (no intermediate strings).
  void dump_to(std::string& out) const;

  // Structural equality; 1 == 1.0 is true (numbers compare by value: integers and
  // NumberText exactly as decimals, doubles by their binary value). Objects compare
  // as sets of members (order does not matter).
  friend bool operator==(const Value& a, const Value& b);
  friend bool operator!=(const Value& a, const Value& b) { return !(a == b); }

 private:
  std::variant<std::monostate, bool, std::int64_t, double, std::string, Array, Object, NumberText> v_;
};

// Type name as used in error messages: "null", "boolean", "integer", "number",
// "string", "array", "object".
std::string_view to_string(Value::Type type) noexcept;

// ---- inline Object members that need a complete Value ----
inline Object::Object(std::initializer_list<Member> members) : members_(members) {}
inline std::size_t Object::size() const noexcept { return members_.size(); }
inline bool Object::empty() const noexcept { return members_.empty(); }
inline void Object::reserve(std::size_t n) { members_.reserve(n); }

}  // namespace famulor
