#include "workflow/catalog.hpp"

#include <algorithm>
#include <mutex>

namespace famulor::detail {

Status MutableCatalog::add_node(NodeTypeInfo info) {
  if (info.type.empty()) return invalid_argument("node type name is empty");
  std::unique_lock lock(mu_);
  if (nodes_.count(info.type)) return {StatusCode::already_exists, "node type '" + info.type + "' already registered"};
  std::string name = info.type;
  nodes_.emplace(std::move(name), std::make_unique<NodeTypeInfo>(std::move(info)));
  return {};
}

Status MutableCatalog::replace_node(NodeTypeInfo info) {
  if (info.type.empty()) return invalid_argument("node type name is empty");
  std::unique_lock lock(mu_);
  auto it = nodes_.find(info.type);
  auto fresh = std::make_unique<NodeTypeInfo>(std::move(info));
  if (it == nodes_.end()) {
    std::string name = fresh->type;
    nodes_.emplace(std::move(name), std::move(fresh));
  } else {
    replaced_.push_back(std::move(it->second));
    it->second = std::move(fresh);
  }
  return {};
}

Status MutableCatalog::add_trigger(TriggerTypeInfo info) {
  if (info.type.empty()) return invalid_argument("trigger type name is empty");
  std::unique_lock lock(mu_);
  if (triggers_.count(info.type)) {
    return {StatusCode::already_exists, "trigger type '" + info.type + "' already registered"};
  }
  std::string name = info.type;
  triggers_.emplace(std::move(name), std::make_unique<TriggerTypeInfo>(std::move(info)));
  return {};
}

const NodeTypeInfo* MutableCatalog::find_node(std::string_view type) const {
  {
    std::shared_lock lock(mu_);
    auto it = nodes_.find(type);
    if (it != nodes_.end()) return it->second.get();
  }
  return parent_ ? parent_->find_node(type) : nullptr;
}

const TriggerTypeInfo* MutableCatalog::find_trigger(std::string_view type) const {
  {
    std::shared_lock lock(mu_);
    auto it = triggers_.find(type);
    if (it != triggers_.end()) return it->second.get();
  }
  return parent_ ? parent_->find_trigger(type) : nullptr;
}

std::vector<std::string> MutableCatalog::node_types() const {
  std::vector<std::string> out = parent_ ? parent_->node_types() : std::vector<std::string>{};
  {
    std::shared_lock lock(mu_);
    for (const auto& [name, info] : nodes_) out.push_back(name);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::vector<std::string> MutableCatalog::trigger_types() const {
  std::vector<std::string> out;
  if (auto* p = dynamic_cast<const MutableCatalog*>(parent_)) out = p->trigger_types();
  {
    std::shared_lock lock(mu_);
    for (const auto& [name, info] : triggers_) out.push_back(name);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

MutableCatalog& default_mutable_catalog() {
  static MutableCatalog* catalog = [] {
    auto* c = new MutableCatalog();  // never destroyed: lookups may outlive static destruction order
    for (auto& n : builtin_node_types()) (void)c->add_node(std::move(n));
    for (auto& n : connector_node_types()) (void)c->add_node(std::move(n));  // src/connectors
    for (auto& t : builtin_trigger_types()) (void)c->add_trigger(std::move(t));
    return c;
  }();
  return *catalog;
}

Status register_builtin_node(NodeTypeInfo info) { return default_mutable_catalog().add_node(std::move(info)); }
Status register_builtin_trigger(TriggerTypeInfo info) { return default_mutable_catalog().add_trigger(std::move(info)); }

}  // namespace famulor::detail

namespace famulor {
const Catalog& default_catalog() { return detail::default_mutable_catalog(); }
}  // namespace famulor
