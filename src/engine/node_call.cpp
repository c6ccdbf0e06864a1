// NodeCall, SimpleNode and the built-ins' ExecContext: how a node attempt completes.
#include <algorithm>
#include <exception>

#include "engine/builtin.hpp"
#include "engine/engine_impl.hpp"
#include "engine/scheduler.hpp"
#include "engine/timer.hpp"
#include "famulor/node.hpp"

namespace famulor {

NodeCall::NodeCall(std::shared_ptr<detail::CallState> state) noexcept : state_(std::move(state)) {}

NodeCall::~NodeCall() {
  if (!state_) return;
  {
    std::lock_guard lk(state_->m);
    if (state_->has_result || state_->phase == detail::CallState::Phase::done) return;
    // Unwinding out of invoke(): the engine catches the exception and reports it.
    if (state_->phase == detail::CallState::Phase::invoking && std::uncaught_exceptions() > 0) return;
  }
  detail::complete_call(state_, detail::NodeResult{internal_error("the node dropped its call without completing it")});
}

const Value& NodeCall::params() const noexcept { return state_->params; }
const Value& NodeCall::trigger() const noexcept { return state_->run->trigger_ref(); }
const Value* NodeCall::output_of(std::string_view node_id) const { return state_->run->output_by_id(node_id); }
std::string_view NodeCall::run_id() const noexcept { return state_->run->root_id(); }
std::string_view NodeCall::node_id() const noexcept {
  return state_->run->wf->nodes[static_cast<std::size_t>(state_->node)].id;
}
std::string_view NodeCall::workflow_id() const noexcept { return state_->run->wf->id; }
int NodeCall::attempt() const noexcept { return state_->attempt; }
std::string NodeCall::idempotency_key() const {
  // Item runs have ids "<run>/<foreach>[i]": unique per (run, item, node) and stable.
  return state_->run->id + ":" + std::string(node_id());
}
bool NodeCall::cancelled() const noexcept { return state_->cancelled.load(std::memory_order_relaxed); }

void NodeCall::succeed(Value output, std::string port) {
  if (!state_) return;
  detail::NodeResult r;
  r.output = std::move(output);
  r.port = std::move(port);
  detail::complete_call(state_, std::move(r));
}

void NodeCall::fail(Status error) {
  if (!state_) return;
  if (error.ok()) error = internal_error("the node failed with an ok status");
  detail::complete_call(state_, detail::NodeResult{std::move(error)});
}

void NodeCall::fail(Status error, std::chrono::milliseconds retry_after) {
  if (!state_) return;
  if (error.ok()) error = internal_error("the node failed with an ok status");
  detail::NodeResult r{std::move(error)};
  r.retry_after = std::max(retry_after, std::chrono::milliseconds(0));
  detail::complete_call(state_, std::move(r));
}

void SimpleNode::invoke(NodeCall call) {
  Result<Value> r = run(call);
  if (r.ok())
    call.succeed(std::move(r.value()));
  else
    call.fail(r.status());
}

namespace detail {

bool CallState::adopt_timer(std::unique_ptr<Timer>& t) {
  std::unique_ptr<Timer> old;
  std::lock_guard lk(m);
  if (closed) return false;
  old = std::move(timer);
  timer = std::move(t);
  return true;
}

bool CallState::adopt_child(const std::shared_ptr<RunShared>& child) {
  std::lock_guard lk(m);
  if (closed) return false;
  children.push_back(child);
  return true;
}

void BuiltinNode::invoke(NodeCall call) {
  call.fail(Status(StatusCode::unimplemented, "built-in nodes run through the scheduler only"));
}

Result<Value> ExecContext::eval_item(const expr::ValueTemplate& t, const Value& item, std::int64_t index) const {
  expr::EvalEnv env = run_.eval_env();
  env.item = &item;
  env.index = index;
  return t.evaluate(env);
}

NodeCall ExecContext::defer() {
  if (call_) return NodeCall(nullptr);
  call_ = make_call(run_.shared_from_this(), node_, params_);
  return NodeCall(call_);
}

}  // namespace detail
}  // namespace famulor
