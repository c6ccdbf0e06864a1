// expr/functions.hpp — the function library's table: name, arity, declared return
// type, whether a call with literal arguments may be folded at compile time, and
// the implementation. Each functions_*.cpp contributes one group.
//
// Thread-safety: the table is built once (static initialization) and read-only
// afterwards; implementations keep no state.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "expr/eval.hpp"

namespace famulor::expr::detail {

// Arguments as evaluated (borrowed or owned).
class Args {
 public:
  Args(const Ref* refs, std::size_t n) noexcept : refs_(refs), n_(n) {}
  std::size_t size() const noexcept { return n_; }
  const Value& operator[](std::size_t i) const noexcept { return refs_[i].get(); }
  bool has(std::size_t i) const noexcept { return i < n_; }

 private:
  const Ref* refs_;
  std::size_t n_;
};

using FnImpl = Status (*)(const Args& args, EvalCtx& ctx, Value& out);

inline constexpr int kVariadic = 255;

struct FunctionDef {
  std::string_view name;
  int min_args = 0;
  int max_args = 0;  // kVariadic: no upper bound
  std::optional<Value::Type> returns;
  bool pure = true;  // false for now()/today(): never folded at compile time
  FnImpl impl = nullptr;
};

// The definition for `name`, or nullptr.
const FunctionDef* find_function(std::string_view name) noexcept;
// Every definition, sorted by name.
std::span<const FunctionDef> all_functions() noexcept;

// Groups (each in its own functions_*.cpp).
void add_string_functions(std::vector<FunctionDef>& out);
void add_encoding_functions(std::vector<FunctionDef>& out);
void add_number_functions(std::vector<FunctionDef>& out);
void add_list_functions(std::vector<FunctionDef>& out);
void add_object_functions(std::vector<FunctionDef>& out);
void add_type_functions(std::vector<FunctionDef>& out);
void add_time_functions(std::vector<FunctionDef>& out);
void add_phone_functions(std::vector<FunctionDef>& out);

// ---- helpers for implementations ----

// "fn: message" as invalid_argument.
Status fn_error(std::string_view fn, std::string_view message);
// Requires args[i] to be a string / integer / number / array / object; the error
// names the function, the argument position and the actual type.
Status want_string(std::string_view fn, const Args& a, std::size_t i, const std::string*& out);
Status want_int(std::string_view fn, const Args& a, std::size_t i, std::int64_t& out);
Status want_number(std::string_view fn, const Args& a, std::size_t i, double& out);
Status want_array(std::string_view fn, const Args& a, std::size_t i, const Array*& out);
Status want_object(std::string_view fn, const Args& a, std::size_t i, const Object*& out);

// A path like "a.b[0]", "items[-1].name" or "['odd key']" applied to v; nullptr
// when any step is absent.
const Value* walk_path(const Value* v, std::string_view path);

// A double as a Value: an integer when it is integral and fits int64, else a double.
Value number_value(double d) noexcept;

}  // namespace famulor::expr::detail
