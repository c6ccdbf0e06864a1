// expr/eval.hpp — evaluation of a compiled expression tree: the per-evaluation
// context (step budget, limits) and Ref, a value that is either borrowed from the
// environment or owned by the evaluation.
//
// Paths (`trigger.a.b[0]`) evaluate to borrowed pointers into the caller's
// documents; a value is copied only when a result must be materialized.
//
// Thread-safety: an EvalCtx belongs to one evaluation on one thread; the trees it
// walks are immutable and may be shared.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "expr/ast.hpp"
#include "expr/expr.hpp"
#include "famulor/status.hpp"
#include "famulor/value.hpp"

namespace famulor::expr::detail {

// The shared null every missing path points at (constant-initialized: no guard
// to check per use, and usable from any static initializer).
extern const Value g_null_value;
inline const Value& null_value() noexcept { return g_null_value; }

// A value that is either borrowed (points into the environment, which outlives the
// evaluation) or owned. Moving keeps the distinction valid.
class Ref {
 public:
  Ref() noexcept : ptr_(&null_value()) {}
  static Ref borrow(const Value* v) noexcept {
    Ref r;
    r.ptr_ = v ? v : &null_value();
    return r;
  }
  static Ref own(Value v) noexcept {
    Ref r;
    r.ptr_ = nullptr;
    r.owned_ = std::move(v);
    return r;
  }
  const Value& get() const noexcept { return ptr_ ? *ptr_ : owned_; }
  const Value* operator->() const noexcept { return &get(); }
  bool owned() const noexcept { return ptr_ == nullptr; }
  // The value itself: moved out when owned, copied when borrowed.
  Value take() { return ptr_ ? *ptr_ : std::move(owned_); }

 private:
  const Value* ptr_;
  Value owned_;
};

class EvalCtx {
 public:
  explicit EvalCtx(const EvalEnv& env) noexcept : env_(env) {}

  const EvalEnv& env() const noexcept { return env_; }
  const EvalLimits& limits() const noexcept { return env_.limits; }
  std::uint64_t steps() const noexcept { return steps_; }

  // Charges n work units; fails with resource_exhausted once over max_steps.
  Status charge(std::uint64_t n) {
    steps_ += n;
    if (steps_ > env_.limits.max_steps) return steps_exhausted();
    return {};
  }
  // Checks a string about to be produced against max_string_bytes (and charges
  // one unit per 64 bytes).
  Status check_string(std::size_t bytes, std::string_view what);
  // Checks an array about to be produced against max_array_items (and charges
  // one unit per item).
  Status check_array(std::size_t items, std::string_view what);

  // Records where evaluation failed and returns the error "at offset N: message".
  Status fail(std::size_t offset, StatusCode code, std::string message);
  // Prefixes an error from a function or operator with its offset (once).
  Status locate(std::size_t offset, Status st);
  std::size_t error_offset() const noexcept { return error_offset_; }
  const std::string& error_message() const noexcept { return error_message_; }

 private:
  Status steps_exhausted() const;

  const EvalEnv& env_;
  std::uint64_t steps_ = 0;
  std::size_t error_offset_ = 0;
  std::string error_message_;
  bool located_ = false;
};

// Evaluates `node`. On error returns a Status whose message names the offset.
Status eval(const Node& node, EvalCtx& ctx, Ref& out);

// Template conversion of a part: strings as-is, null as "", else compact JSON.
void append_as_text(const Value& v, std::string& out);

// Deep equality with numbers compared by value.
bool values_equal(const Value& a, const Value& b) noexcept;

// Ordering for <, <=, >, >=, sort: numbers with numbers, strings with strings.
// Returns false and leaves `cmp` unset when the pair cannot be ordered.
bool compare_values(const Value& a, const Value& b, int& cmp) noexcept;

// The binary operators, shared by the evaluator and constant folding.
Status apply_binary(BinaryOp op, const Value& a, const Value& b, EvalCtx& ctx, Value& out);
Status apply_negate(const Value& a, Value& out);

std::string_view op_name(BinaryOp op) noexcept;

}  // namespace famulor::expr::detail
