// connectors/registry.hpp — every installed connector: the manifests compiled
// into the binary (connectors/*.json), plus those a `--connectors DIR` adds or
// overrides at run time.
//
// For each operation the registry describes the node type `<app>.<operation>`
// (NodeTypeInfo with the operation's params, for validation and the catalog) and
// makes its NodeFactory bound to a ConnectorServices.
//
// Thread-safety: build it (load_*) on one thread; afterwards every const member
// is safe from any thread.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "connectors/manifest.hpp"
#include "connectors/services.hpp"
#include "famulor/node.hpp"
#include "famulor/workflow.hpp"

namespace famulor::connectors {

// The manifests compiled into the binary: (file name, JSON text).
struct EmbeddedManifest {
  const char* file;
  const char* json;
};
const std::vector<EmbeddedManifest>& embedded_manifests();

class Registry {
 public:
  // Parses every compiled-in manifest; fails naming each broken one.
  static Result<Registry> builtin();

  // Adds (or replaces, by app id) the manifests of every *.json file in `dir`.
  Status load_dir(const std::string& dir);
  Status add(Manifest manifest);
  // Shares an already parsed manifest (an engine layering its own over the built-in ones).
  void add_shared(std::shared_ptr<const Manifest> manifest);

  const Manifest* find(std::string_view app) const;
  std::shared_ptr<const Manifest> manifest(std::string_view app) const;  // nullptr when absent
  std::vector<std::shared_ptr<const Manifest>> apps() const;  // sorted by app id

  // One NodeTypeInfo per operation of every app, sorted by type.
  std::vector<NodeTypeInfo> node_types() const;
  // The factory for `<app>.<operation>`, or not_found.
  Result<NodeFactory> factory(std::string_view type, std::shared_ptr<const ConnectorServices> services) const;

  // {"app","title","category","description","docs","base_url","auth":[kinds],"idempotency_header",
  //  "rate_limit":{"per_second","burst"}|null,"health_check":bool,"operations":[{"type","method","path","description","params"}]}
  Value describe(const Manifest& manifest) const;

 private:
  std::map<std::string, std::shared_ptr<const Manifest>, std::less<>> apps_;
};

NodeTypeInfo node_type_info(const Manifest& manifest, const Operation& op);

// The compiled-in registry, parsed once (an empty one when a manifest is broken —
// the unit tests catch that; `famulor connectors list` reports it).
const Registry& builtin_registry();

}  // namespace famulor::connectors
