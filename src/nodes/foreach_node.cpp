// foreach: runs the body once per item as item runs of the body's
// CompiledWorkflow, at most `concurrency` at a time; output in item order.
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "engine/builtin.hpp"
#include "engine/engine_impl.hpp"
#include "engine/scheduler.hpp"
#include "nodes/builtin_nodes.hpp"

namespace famulor::detail {
namespace {

class Loop : public std::enable_shared_from_this<Loop> {
 public:
  Loop(NodeCall call, std::shared_ptr<CallState> cs, std::shared_ptr<RunShared> run, const CompiledNode& node,
       std::size_t concurrency)
      : call_(std::move(call)),
        cs_(std::move(cs)),
        run_(std::move(run)),
        node_(node),
        items_(cs_->params.find("items")->as_array()),
        concurrency_(concurrency),
        results_(items_.size()) {}

  // Starts items until `concurrency` are in flight. Called without m_.
  void pump() {
    while (true) {
      std::size_t i;
      {
        std::lock_guard lk(m_);
        if (finished_ || in_flight_ >= concurrency_ || next_ >= items_.size()) return;
        i = next_++;
        ++in_flight_;
      }
      auto item = run_->engine->new_item_run(run_, node_.body, items_[i], static_cast<std::int64_t>(i), node_.id);
      if (!cs_->adopt_child(item)) return;  // the attempt ended (cancelled, timed out)
      auto self = shared_from_this();
      on_run_done(*item, [self, i](const RunShared& r) { self->item_done(i, r); });
      start_run(item);
    }
  }

 private:
  void item_done(std::size_t i, const RunShared& r) {
    Status failure;
    Value result;
    if (r.status != RunStatus::succeeded) {
      failure = Status(r.error_code == StatusCode::ok ? StatusCode::cancelled : r.error_code,
                       "item " + std::to_string(i) + ": " + (r.error.empty() ? "cancelled" : r.error));
    } else if (const ItemTemplate* t = node_.item_template("result")) {
      auto v = t->tmpl.evaluate(r.eval_env());
      if (v.ok())
        result = std::move(v.value());
      else
        failure = Status(v.status().code(), "item " + std::to_string(i) + ": result: " + v.status().message());
    } else if (const Value* last = r.output_of(static_cast<int>(r.size()) - 1)) {
      result = *last;
    }
    std::vector<std::shared_ptr<RunShared>> cancel;
    bool complete = false;
    {
      std::lock_guard lk(m_);
      if (finished_) return;
      --in_flight_;
      if (!failure.ok()) {
        finished_ = true;
      } else {
        results_[i] = std::move(result);
        complete = ++done_ == items_.size();
        finished_ = complete;
      }
    }
    {
      std::lock_guard lk(cs_->m);  // forget finished items; on failure take the others to cancel
      auto& ch = cs_->children;
      for (auto it = ch.begin(); it != ch.end();) {
        if (it->get() == &r) {
          it = ch.erase(it);
        } else if (!failure.ok()) {
          cancel.push_back(std::move(*it));
          it = ch.erase(it);
        } else {
          ++it;
        }
      }
    }
    for (auto& c : cancel) halt_run(*c, RunStatus::cancelled, Status(StatusCode::cancelled, "another item failed"));
    if (!failure.ok()) {
      call_.fail(std::move(failure));
    } else if (complete) {
      call_.succeed(Value(std::move(results_)));
    } else {
      pump();
    }
  }

  NodeCall call_;
  std::shared_ptr<CallState> cs_;
  std::shared_ptr<RunShared> run_;
  const CompiledNode& node_;
  const Array& items_;  // in cs_->params, immutable
  const std::size_t concurrency_;
  std::mutex m_;
  std::size_t next_ = 0, in_flight_ = 0, done_ = 0;
  bool finished_ = false;
  Array results_;
};

class ForeachNode final : public BuiltinNode {
 public:
  bool execute(ExecContext& ctx, NodeResult& out) override {
    const Value* items = ctx.params().find("items");
    if (!items || !items->is_array()) {
      out.status = invalid_argument("foreach: `items` must be an array, not " +
                                    std::string(items ? to_string(items->type()) : "null"));
      return true;
    }
    if (items->as_array().size() > kMaxForeachItems) {
      out.status = Status(StatusCode::resource_exhausted,
                          "foreach: " + std::to_string(items->as_array().size()) + " items is more than the limit of " +
                              std::to_string(kMaxForeachItems) + "; split the list (e.g. with a filter or slice)");
      return true;
    }
    if (!ctx.node().body) {
      out.status = internal_error("foreach: no compiled body");
      return true;
    }
    if (items->as_array().empty()) {
      out.output = Value::array();
      return true;
    }
    std::int64_t conc = ctx.params().get_int("concurrency", 4);
    if (conc < 1) conc = 1;
    if (conc > kMaxForeachConcurrency) conc = kMaxForeachConcurrency;
    NodeCall call = ctx.defer();
    auto loop = std::make_shared<Loop>(std::move(call), ctx.deferred(), ctx.run().shared_from_this(), ctx.node(),
                                       static_cast<std::size_t>(conc));
    loop->pump();
    return false;
  }
};

}  // namespace

void add_foreach_node(std::map<std::string, NodeFactory, std::less<>>& out) {
  out["foreach"] = [](const NodeSpec&) -> Result<std::unique_ptr<Node>> {
    return std::unique_ptr<Node>(std::make_unique<ForeachNode>());
  };
}

}  // namespace famulor::detail
