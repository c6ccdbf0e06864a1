// workflow/catalog.hpp — MutableCatalog: a thread-safe, layered Catalog of node and
// trigger types, and the hooks that fill default_catalog() (internal API).
//
// A MutableCatalog holds its own node and trigger types and falls back to an
// optional parent catalog for names it does not hold (an Engine layers the host's
// registrations over default_catalog()). Lookups return pointers that stay valid for
// the catalog's lifetime: entries are never erased, and replace_node() keeps the
// replaced entry alive until the catalog is destroyed.
//
// default_catalog() is a MutableCatalog built on first use from the built-in types
// (builtin_catalog.cpp). Connectors add their operations with
// register_builtin_node(); that may happen at any time (it takes the catalog's lock),
// but workflows parsed before a registration will not know the new type, so register
// at startup, before parsing workflows.
//
// Thread-safety: every member function of MutableCatalog may be called concurrently
// (a shared_mutex guards the tables); register_builtin_* likewise.
#pragma once

#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "famulor/status.hpp"
#include "famulor/workflow.hpp"

namespace famulor::detail {

class MutableCatalog final : public Catalog {
 public:
  // `parent` (may be null) must outlive this catalog.
  explicit MutableCatalog(const Catalog* parent = nullptr) : parent_(parent) {}
  MutableCatalog(const MutableCatalog&) = delete;
  MutableCatalog& operator=(const MutableCatalog&) = delete;

  // Adds a type to this layer (it may shadow the parent's). already_exists when this
  // layer already holds the name; invalid_argument when the name is empty.
  Status add_node(NodeTypeInfo info);
  Status add_trigger(TriggerTypeInfo info);
  // Adds or replaces in this layer. Pointers to a replaced entry stay valid.
  Status replace_node(NodeTypeInfo info);

  const NodeTypeInfo* find_node(std::string_view type) const override;
  const TriggerTypeInfo* find_trigger(std::string_view type) const override;
  std::vector<std::string> node_types() const override;  // this layer and the parent's, sorted, unique
  std::vector<std::string> trigger_types() const;        // likewise, for triggers

 private:
  const Catalog* parent_;
  mutable std::shared_mutex mu_;
  std::map<std::string, std::unique_ptr<NodeTypeInfo>, std::less<>> nodes_;
  std::map<std::string, std::unique_ptr<TriggerTypeInfo>, std::less<>> triggers_;
  std::vector<std::unique_ptr<NodeTypeInfo>> replaced_;  // kept alive for old pointers
};

// The default catalog as its mutable type (default_catalog() returns the same object).
MutableCatalog& default_mutable_catalog();

// Adds a node / trigger type to default_catalog() (connectors call this at startup).
// already_exists when the name is taken.
Status register_builtin_node(NodeTypeInfo info);
Status register_builtin_trigger(TriggerTypeInfo info);

// The built-in node and trigger types (builtin_catalog.cpp): if, switch, set, merge,
// foreach, filter, fail, respond, subworkflow, wait, noop; event, manual, webhook,
// schedule, call.ended, call.incoming, call.tool, workflow.failed.
std::vector<NodeTypeInfo> builtin_node_types();
// Every compiled-in connector operation `<app>.<op>` (src/connectors/catalog_types.cpp).
std::vector<NodeTypeInfo> connector_node_types();
std::vector<TriggerTypeInfo> builtin_trigger_types();

}  // namespace famulor::detail
